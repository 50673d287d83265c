// Which units commute, for explore's partial-order reduction.
//
// A unit is local when it reads and writes nothing but its own vCPU: a statement over its own registers (`set`,
// `expect`, `log`, control flow, `call`/`return`, `context save/restore`) whose expressions name only its own
// registers, parameters, constants and `now`, on a VM whose statements take time. Two local units of different
// vCPUs commute: either order ends in the same state. Everything else (PSCI calls, device and interrupt
// statements, signals, waits, host events, window firings) is treated as touching everything.
//
// A VM is isolated when nothing it runs can reach outside it: no expression names another VM or the host, it
// has no s2idle notify register and no watchdog, no host policy names it, and it is not Xen's hardware domain.
// Everything such a VM does (its vCPUs' statements, its VMM's answers, and a host interrupt aimed at it while the
// host runs) touches only that VM, so it commutes with everything another isolated VM does.
//
// At a decision, the search runs an ample set instead of every option (persistent sets, in the sense of Peled's
// and Godefroid's partial-order methods):
// - when every option belongs to an isolated VM, the options of one of those VMs: whatever the other VMs do first
//   cannot change or disable them, and cannot enable anything of this VM's at the same instant;
// - within that, when every option is local, one of them: the others stay enabled, are independent of it, and
//   none can enable a unit due at the same instant (each takes time, and local units wake nobody).
// With a jittered VM every statement draws from the shared seed, so nothing commutes and the reduction is off.

import type { Instr, Program, RExpr, RTemplate } from '../../lang/program';
import type { Machine, Unit } from '../machine';

const OWN_REGISTERS = new Set(['sp', 'lr', 'pc', 'el', 'daif', 'mmu', 'mpidr', ...Array.from({ length: 31 }, (_, i) => `x${i}`)]);

export function reductionApplies(program: Program): boolean {
  return program.vms.every((vm) => vm.jitterPercent === 0 && vm.statementTime > 0n);
}

/** Per VM: isolated (see above). */
export function isolatedVms(program: Program): boolean[] {
  return program.vms.map((vm, k) => {
    if (vm.s2idleNotify !== undefined || vm.watchdog !== undefined || vm.hardwareDomain) return false;
    if (program.host.policies.some((p) => p.vm === k)) return false;
    return vm.code.every((instr) => instrStaysIn(instr, k));
  });
}

/** The isolated VM a unit belongs to, or -1 when it may touch the host or several VMs. */
export function ownerVm(m: Machine, unit: Unit, isolated: readonly boolean[]): number {
  if (unit.kind === 'vcpu') return isolated[unit.vm] ? unit.vm : -1;
  const entry = unit.entry;
  if (entry.kind === 'vmm') return isolated[entry.vm] ? entry.vm : -1;
  if (entry.kind === 'host-action' && m.state.host.state === 'running') {
    const action = m.program.host.actions[entry.index].action;
    if (action.kind === 'irq' && isolated[action.vm]) return action.vm;
  }
  return -1;
}

/** The options to explore at a decision: all of them, or an ample subset (indexes, option 0's group first). */
export function ampleSet(m: Machine, opts: Unit[], isolated: readonly boolean[]): number[] {
  const all = opts.map((_, i) => i);
  let group = all;
  const owners = opts.map((u) => ownerVm(m, u, isolated));
  if (owners.every((o) => o >= 0)) group = all.filter((i) => owners[i] === owners[0]);
  if (group.every((i) => isLocal(m, opts[i]))) return [group[0]];
  return group;
}

function instrStaysIn(instr: Instr, vm: number): boolean {
  const inside = (e: RExpr): boolean => exprStaysIn(e, vm);
  switch (instr.op) {
    case 's2idleNotify':
      return false;
    case 'psci':
    case 'rawCall':
      return instr.args.every((a) => inside(a.value)) && (instr.op !== 'rawCall' || inside(instr.id));
    case 'mmioRead':
      return inside(instr.address);
    case 'mmioWrite':
      return inside(instr.address) && inside(instr.value);
    case 'pciWrite':
      return inside(instr.value);
    case 'virtio':
      return !instr.value || inside(instr.value);
    case 'irq':
      return inside(instr.irq);
    case 'delay':
      return inside(instr.duration);
    case 'waitExpr':
    case 'branchIfFalse':
      return inside(instr.condition);
    case 'call':
      return instr.args.every(inside);
    case 'set':
      return inside(instr.value);
    case 'expect':
      return inside(instr.condition) && (!instr.message || templateStaysIn(instr.message, vm));
    case 'log':
      return templateStaysIn(instr.message, vm);
    default:
      return true;
  }
}

function templateStaysIn(t: RTemplate, vm: number): boolean {
  return t.parts.every((p) => typeof p === 'string' || exprStaysIn(p.expr, vm));
}

function exprStaysIn(e: RExpr, vm: number): boolean {
  switch (e.k) {
    case 'vcpu':
    case 'vm':
    case 'device':
      return e.vm === vm;
    case 'host':
      return false;
    case 'irqPending':
      return exprStaysIn(e.irq, vm);
    case 'unary':
      return exprStaysIn(e.operand, vm);
    case 'binary':
      return exprStaysIn(e.left, vm) && exprStaysIn(e.right, vm);
    default:
      return true;
  }
}

export function isLocal(m: Machine, unit: Unit): boolean {
  if (unit.kind !== 'vcpu') return false;
  const v = m.state.vms[unit.vm].vcpus[unit.vcpu];
  const instr = m.program.vms[unit.vm].code[v.pc];
  return instr !== undefined && localInstr(instr);
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
      return OWN_REGISTERS.has(e.field);
    case 'unary':
      return localExpr(e.operand);
    case 'binary':
      return localExpr(e.left) && localExpr(e.right);
    default:
      return false;
  }
}
