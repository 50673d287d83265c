// Which units commute, for explore's partial-order reduction.
//
// A unit is local when it reads and writes nothing but its own vCPU: a statement over its own registers (`set`,
// `expect`, `log`, control flow, `call`/`return`, `context save/restore`) whose expressions name only its own
// registers, parameters, constants and `now`, on a VM whose statements take time. Everything else (PSCI calls,
// device and interrupt statements, signals, waits, host events, window firings) is treated as touching everything
// in its VM or beyond.
//
// A VM is isolated when nothing it runs can reach outside it: no expression names another VM or the host, it
// has no s2idle notify register and no watchdog, no host policy names it, and it is not Xen's hardware domain.
// Everything such a VM does (its vCPUs' statements, its VMM's answers, and a host interrupt aimed at it while the
// host runs) touches only that VM, so it commutes with everything another isolated VM does.
//
// At a decision the search runs an ample set instead of every option (persistent sets, in the sense of Peled's
// and Godefroid's partial-order methods). An option may be run alone when nothing else that can happen at this
// instant before it would change it, disable it, or be changed by it:
// - when every option belongs to an isolated VM, the options of one of those VMs: what the other VMs do first
//   cannot touch them, and cannot enable anything of this VM's at the same instant;
// - within that (or among all options), one local unit when every other option is a local unit: the others stay
//   enabled, are independent of it, and none can enable a unit due at the same instant (each takes time, and
//   local units wake nobody);
// - within an isolated VM, one local unit of a quiet vCPU (no `on irq` handlers, no statement reads its registers)
//   when the other options are local units and interrupts aimed at the VM that wake nobody now (no vCPU of the VM
//   waits in WFI or suspend): an interrupt can change such a vCPU's next unit only through a handler.
// With a jittered VM every statement draws from the shared seed, so nothing commutes and the reduction is off.

import type { Instr, Program, RExpr, RTemplate } from '../../lang/program';
import type { Machine, Unit } from '../machine';

/** Registers a vCPU's own statements can write; reading one of another vCPU's makes that vCPU not quiet. */
const OWN_REGISTERS = new Set(['sp', 'lr', 'pc', 'el', 'daif', 'mmu', ...Array.from({ length: 31 }, (_, i) => `x${i}`)]);

export function reductionApplies(program: Program): boolean {
  return program.vms.every((vm) => vm.jitterPercent === 0 && vm.statementTime > 0n);
}

/** What the reduction knows about a program before it runs. */
export interface StaticFacts {
  /** per VM: isolated */
  isolated: boolean[];
  /** per VM, per vCPU: no handlers and no statement reads its registers */
  quiet: boolean[][];
}

export function staticFacts(program: Program): StaticFacts {
  const readers = new Set<string>();
  for (const vm of program.vms) {
    for (const instr of vm.code) {
      for (const e of exprsOf(instr)) {
        walk(e, (x) => {
          if (x.k === 'vcpu' && OWN_REGISTERS.has(x.field)) readers.add(`${x.vm}:${x.vcpu}`);
        });
      }
    }
  }
  return {
    isolated: program.vms.map((vm, k) => {
      if (vm.s2idleNotify !== undefined || vm.watchdog !== undefined || vm.hardwareDomain) return false;
      if (program.host.policies.some((p) => p.vm === k)) return false;
      return vm.code.every((instr) => instr.op !== 's2idleNotify' && exprsOf(instr).every((e) => staysIn(e, k)));
    }),
    quiet: program.vms.map((vm, k) => Array.from({ length: vm.vcpuCount }, (_, i) => (vm.handlers[i]?.size ?? 0) === 0 && !readers.has(`${k}:${i}`))),
  };
}

export function isLocal(m: Machine, unit: Unit): boolean {
  if (unit.kind !== 'vcpu') return false;
  const v = m.state.vms[unit.vm].vcpus[unit.vcpu];
  const instr = m.program.vms[unit.vm].code[v.pc];
  return instr !== undefined && localInstr(instr);
}

/** The isolated VM a unit belongs to, or -1 when it may touch the host or several VMs. */
export function ownerVm(m: Machine, unit: Unit, isolated: readonly boolean[]): number {
  if (unit.kind === 'vcpu') return isolated[unit.vm] ? unit.vm : -1;
  const entry = unit.entry;
  if (entry.kind === 'vmm') return isolated[entry.vm] ? entry.vm : -1;
  const irq = irqTarget(m, unit);
  return irq >= 0 && isolated[irq] ? irq : -1;
}

/** The VM a host interrupt action aims at (while the host runs), or -1. */
function irqTarget(m: Machine, unit: Unit): number {
  if (unit.kind !== 'host' || unit.entry.kind !== 'host-action' || m.state.host.state !== 'running') return -1;
  const action = m.program.host.actions[unit.entry.index].action;
  return action.kind === 'irq' ? action.vm : -1;
}

/**
 * The options to explore at a decision: all of them, or an ample subset (indexes into opts). The first index is the
 * option the search tries first.
 */
export function ampleSet(m: Machine, opts: Unit[], facts: StaticFacts): number[] {
  const all = opts.map((_, i) => i);
  const local = opts.map((u) => isLocal(m, u));
  if (local.every(Boolean)) return [0];
  const owners = opts.map((u) => ownerVm(m, u, facts.isolated));
  if (!owners.every((o) => o >= 0)) return all;
  // Every option belongs to an isolated VM: one VM's options suffice. Take the VM whose set reduces most.
  let best = all;
  for (const vm of new Set(owners)) {
    const group = all.filter((i) => owners[i] === vm);
    const reduced = reduceWithinVm(m, opts, group, local, vm, facts);
    if (reduced.length < best.length) best = reduced;
    if (best.length === 1) break;
  }
  return best;
}

/** Within one isolated VM's options: one local unit of a quiet vCPU when nothing else there can affect it. */
function reduceWithinVm(m: Machine, opts: Unit[], group: number[], local: boolean[], vm: number, facts: StaticFacts): number[] {
  if (group.every((i) => local[i])) return [group[0]];
  const sleepers = m.state.vms[vm].vcpus.some((v) => v.run === 'wfi' || v.run === 'suspended');
  const othersHarmless = group.every((i) => local[i] || (!sleepers && irqTarget(m, opts[i]) === vm));
  if (othersHarmless) {
    const quiet = group.find((i) => local[i] && opts[i].kind === 'vcpu' && facts.quiet[vm][(opts[i] as { vcpu: number }).vcpu]);
    if (quiet !== undefined) return [quiet];
  }
  return group;
}

function localInstr(instr: Instr): boolean {
  switch (instr.op) {
    case 'set':
      return OWN_REGISTERS.has(instr.field) && localExpr(instr.value);
    case 'expect':
      return localExpr(instr.condition) && (!instr.message || localTemplate(instr.message));
    case 'log':
      return localTemplate(instr.message);
    case 'branchIfFalse':
      return localExpr(instr.condition);
    case 'call':
      return instr.args.every(localExpr);
    // A jump or return the compiler added takes no time: the vCPU would be due again at once.
    case 'jump':
    case 'return':
      return instr.stmt;
    case 'context':
      return true;
    default:
      return false;
  }
}

function localTemplate(t: RTemplate): boolean {
  return t.parts.every((p) => typeof p === 'string' || localExpr(p.expr));
}

function localExpr(e: RExpr): boolean {
  switch (e.k) {
    case 'const':
    case 'param':
    case 'now':
      return true;
    case 'reg':
      return OWN_REGISTERS.has(e.field) || e.field === 'mpidr';
    case 'unary':
      return localExpr(e.operand);
    case 'binary':
      return localExpr(e.left) && localExpr(e.right);
    default:
      return false;
  }
}

/** Every expression an instruction evaluates. */
function exprsOf(instr: Instr): RExpr[] {
  const template = (t?: RTemplate) => (t ? t.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.expr])) : []);
  switch (instr.op) {
    case 'psci':
      return instr.args.map((a) => a.value);
    case 'rawCall':
      return [instr.id, ...instr.args.map((a) => a.value)];
    case 'mmioRead':
      return [instr.address];
    case 'mmioWrite':
      return [instr.address, instr.value];
    case 'pciWrite':
      return [instr.value];
    case 'virtio':
      return instr.value ? [instr.value] : [];
    case 'irq':
      return [instr.irq];
    case 'delay':
      return [instr.duration];
    case 'waitExpr':
    case 'branchIfFalse':
      return [instr.condition];
    case 'call':
      return instr.args;
    case 'set':
      return [instr.value];
    case 'expect':
      return [instr.condition, ...template(instr.message)];
    case 'log':
      return template(instr.message);
    default:
      return [];
  }
}

function walk(e: RExpr, visit: (e: RExpr) => void): void {
  visit(e);
  if (e.k === 'unary') walk(e.operand, visit);
  else if (e.k === 'binary') {
    walk(e.left, visit);
    walk(e.right, visit);
  } else if (e.k === 'irqPending') walk(e.irq, visit);
}

function staysIn(e: RExpr, vm: number): boolean {
  let inside = true;
  walk(e, (x) => {
    if (x.k === 'host' || ((x.k === 'vcpu' || x.k === 'vm' || x.k === 'device') && x.vm !== vm)) inside = false;
  });
  return inside;
}
