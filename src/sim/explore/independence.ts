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
// A VM tied to the host (by its s2idle notify register, a host policy, a watchdog, or as Xen's hardware domain)
// reaches outside only through some of its units, and only in some host states. While the host is running, a unit
// of such a VM stays inside it (is owned by it, like an isolated VM's) when it is:
// - a vCPU statement that is contained: not an s2idle notification nor any MMIO access (one could be the notify
//   register), not a PSCI call of Xen's hardware domain (its SYSTEM_SUSPEND reads the other domains and suspends
//   the host), and naming no other VM and not the host in its expressions; on a vCPU without interrupt handlers,
//   or in a VM whose handlers and procs are all contained (a handler could run instead of the statement);
// - its VMM's answer, unless it is Xen's hardware domain;
// - a host interrupt aimed at it.
// A guest only touches a running host by notifying it (or, as dom0, by suspending it); a vCPU waking matters to the
// host only while it suspends (abort-on-wake); a watchdog fires as a unit of its own, which is never owned. While
// the host is not running, no unit of a host-tied VM is owned.
// Running one VM's options first is only safe if nothing the other VMs can do at this instant reaches outside
// them: not only their current options but what those make due at once (a jump or return the compiler added
// takes no time; an interrupt wakes a vCPU at once; CPU_ON starts one at once). So each other VM must be isolated,
// or tied to the host with every instruction contained, while the host runs.
//
// At a decision the search runs an ample set instead of every option (persistent sets, in the sense of Peled's
// and Godefroid's partial-order methods). An option may be run alone when nothing else that can happen at this
// instant before it would change it, disable it, or be changed by it:
// - when every option stays inside its VM, the options of one VM: what the other VMs do first cannot touch them,
//   and cannot enable anything of this VM's at the same instant;
// - within that (or among all options), one local unit when every other option is a local unit: the others stay
//   enabled, are independent of it, and none can enable a unit due at the same instant (each takes time, and
//   local units wake nobody); unless a `wait` reads the registers of one of them: a wait re-checks its condition
//   after every step and completes the moment it holds, so it tells orders apart. (For the same reason a VM whose
//   state another VM's wait reads is never treated as independent.)
// - within a VM, one local unit of a quiet vCPU (no `on irq` handlers, no statement reads its registers) when the
//   other options are local units and interrupts aimed at the VM that wake nobody now: an interrupt can change
//   such a vCPU's next unit only through a handler.
// Windows are not units that wait their turn: a window fires either now (at the earliest instant it has before
// the units due next) or at a later decision, at whatever instant the options run before it have moved the clock
// to (another window firing later included). So:
// - while a window whose interrupt would wake a vCPU (in WFI, suspended, or waiting on `irq N pending`) is open,
//   every option is tried: each gives it another instant, and the sleeper runs from the one it gets;
// - a window that wakes nobody may be left to fire after the units due next: nothing in its VM happens before
//   them, so the instant makes no difference;
// - a window is never the whole set unless firing it later could not differ (laterIsSame): the set must hold a
//   unit whose running first is the branch that postpones the window.
// test/sim/explore-random.test.ts compares this against the plain search on random scenarios; the rules about
// windows and host-tied VMs came out of what it found.
// With a jittered VM every statement draws from the shared seed, so nothing commutes and the reduction is off.

import { someRExpr } from '../../lang/program';
import type { Instr, Program, RExpr, RTemplate } from '../../lang/program';
import type { Machine, Unit } from '../machine';

/** Registers a vCPU's own statements can write; reading one of another vCPU's makes that vCPU not quiet. */
const OWN_REGISTERS = new Set([
  'sp',
  'lr',
  'pc',
  'el',
  'daif',
  'mmu',
  ...Array.from({ length: 31 }, (_, i) => `x${i}`),
]);

export function reductionApplies(program: Program): boolean {
  return program.vms.every((vm) => vm.jitterPercent === 0 && vm.statementTime > 0n);
}

/** What the reduction knows about a program before it runs. */
export interface StaticFacts {
  /** per VM: isolated */
  isolated: boolean[];
  /** per VM, per instruction: contained (see the header), for VMs tied to the host */
  contained: boolean[][];
  /** per VM: every instruction of its interrupt handlers and procs is contained (an interrupt taken instead of the
   * statement at a vCPU's pc then stays inside the VM too) */
  handlersContained: boolean[];
  /** per VM: every instruction is contained */
  allContained: boolean[];
  /** per VM: another VM's `wait` reads its state */
  watched: boolean[];
  /** per VM, per vCPU: no handlers and no statement reads its registers */
  quiet: boolean[][];
  /** per VM, per vCPU: a `wait` somewhere reads its registers (and sees each of their values as it happens) */
  waitWatched: boolean[][];
}

export function staticFacts(program: Program): StaticFacts {
  // A `wait` re-checks its condition after every step of anyone and completes the moment it holds: a VM whose
  // state another VM's wait reads is watched, and nothing it does is independent of the others (two of its steps
  // in one order may let the condition hold for a moment that the other order never shows).
  const watched = new Set<number>();
  program.vms.forEach((vm, j) => {
    for (const instr of vm.code) {
      if (instr.op !== 'waitExpr') continue;
      walk(instr.condition, (x) => {
        if ((x.k === 'vcpu' || x.k === 'vm' || x.k === 'device') && x.vm !== j) watched.add(x.vm);
      });
    }
  });
  const readers = new Set<string>();
  const waitReaders = new Set<string>();
  for (const vm of program.vms) {
    for (const instr of vm.code) {
      for (const e of exprsOf(instr)) {
        walk(e, (x) => {
          if (x.k !== 'vcpu' || !OWN_REGISTERS.has(x.field)) return;
          readers.add(`${x.vm}:${x.vcpu}`);
          if (instr.op === 'waitExpr') waitReaders.add(`${x.vm}:${x.vcpu}`);
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
    quiet: program.vms.map((vm, k) =>
      Array.from({ length: vm.vcpuCount }, (_, i) => handlerCount(vm, i) === 0 && !readers.has(`${k}:${i}`)),
    ),
    waitWatched: program.vms.map((vm, k) =>
      Array.from({ length: vm.vcpuCount }, (_, i) => waitReaders.has(`${k}:${i}`)),
    ),
    contained: program.vms.map((vm, k) => vm.code.map((instr) => containedInstr(instr, k, vm.hardwareDomain))),
    handlersContained: program.vms.map((vm, k) =>
      vm.code.every(
        (instr) => vm.frames[instr.frame].kind === 'program' || containedInstr(instr, k, vm.hardwareDomain),
      ),
    ),
    allContained: program.vms.map((vm, k) => vm.code.every((instr) => containedInstr(instr, k, vm.hardwareDomain))),
    watched: program.vms.map((_, k) => watched.has(k)),
  };
}

/** A vCPU's `on irq` handlers, and the Linux prelude's default one, which every vCPU of a Linux guest may run. */
function handlerCount(vm: Program['vms'][number], vcpu: number): number {
  return (vm.handlers[vcpu]?.size ?? 0) + (vm.defaultHandler === undefined ? 0 : 1);
}

function containedInstr(instr: Instr, vm: number, hardwareDomain: boolean): boolean {
  if (instr.op === 's2idleNotify' || instr.op === 'mmioRead' || instr.op === 'mmioWrite') return false;
  if (instr.op === 'psci' && hardwareDomain) return false;
  return exprsOf(instr).every((e) => staysIn(e, vm));
}

function isLocal(m: Machine, unit: Unit): boolean {
  if (unit.kind !== 'vcpu') return false;
  const v = m.state.vms[unit.vm].vcpus[unit.vcpu];
  const instr = m.program.vms[unit.vm].code[v.pc];
  return instr !== undefined && localInstr(instr);
}

/** The VM whose state alone a unit touches (see the header), or -1 when it may touch the host or several VMs. */
function ownerVm(m: Machine, unit: Unit, facts: StaticFacts): number {
  const owner = ownerIgnoringWaits(m, unit, facts);
  // Whatever a watched VM does, a wait elsewhere may see.
  return owner >= 0 && facts.watched[owner] ? -1 : owner;
}

function ownerIgnoringWaits(m: Machine, unit: Unit, facts: StaticFacts): number {
  const hostRunning = m.state.host.state === 'running';
  if (unit.kind === 'vcpu') {
    if (facts.isolated[unit.vm]) return unit.vm;
    // A vCPU with interrupt handlers may run one of them instead of the statement at its pc.
    const handlers = handlerCount(m.program.vms[unit.vm], unit.vcpu);
    return hostRunning && (handlers === 0 || facts.handlersContained[unit.vm]) && facts.contained[unit.vm][unit.pc]
      ? unit.vm
      : -1;
  }
  const entry = unit.entry;
  if (entry.kind === 'vmm')
    return facts.isolated[entry.vm] || (hostRunning && !m.program.vms[entry.vm].hardwareDomain) ? entry.vm : -1;
  return irqTarget(m, unit);
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
  // Local units commute, unless a wait watches their registers: it could see one changed and not the other.
  if (local.every(Boolean) && opts.every((u) => u.kind === 'vcpu' && !facts.waitWatched[u.vm][u.vcpu])) return [0];
  const owners = opts.map((u) => ownerVm(m, u, facts));
  if (!owners.every((o) => o >= 0)) return all;
  // A window whose interrupt would wake someone is timing itself: it fires at the earliest instant it has before
  // the next unit, or after some other option has moved the clock, and every option that moves the clock (another
  // window firing at a later instant included) gives it another instant. So no option may be left out.
  if (opts.some((u, i) => u.kind === 'host' && u.window && hasSleepers(m, owners[i]))) return all;
  // Every option stays inside its VM: one VM's options suffice, provided what the other VMs run at this instant
  // (their options, and what those make due at once: a jump the compiler added, a vCPU woken or turned on) stays
  // inside them too. Take the VM whose set reduces most.
  const vms = new Set(owners);
  const staysInside = (vm: number) =>
    facts.isolated[vm] || (m.state.host.state === 'running' && facts.allContained[vm]);
  let best = all;
  for (const vm of vms) {
    if (![...vms].every((other) => other === vm || staysInside(other))) continue;
    const group = all.filter((i) => owners[i] === vm);
    // A window firing alone is no set to run first unless firing it later cannot differ: not firing it now is not a
    // unit that waits its turn but any later instant. (With one of the VM's units due now in the set, running that
    // unit first is the branch that postpones the window.)
    if (
      group.every((i) => opts[i].kind === 'host' && opts[i].window) &&
      !group.every((i) => laterIsSame(m, opts[i], vm))
    )
      continue;
    const reduced = reduceWithinVm(m, opts, group, local, vm, facts);
    if (reduced.length < best.length) best = reduced;
    if (best.length === 1) break;
  }
  return best;
}

/** Within one VM's options: one local unit of a quiet vCPU when nothing else there can affect it. */
function reduceWithinVm(
  m: Machine,
  opts: Unit[],
  group: number[],
  local: boolean[],
  vm: number,
  facts: StaticFacts,
): number[] {
  if (group.every((i) => local[i] && !facts.waitWatched[vm][(opts[i] as { vcpu: number }).vcpu])) return [group[0]];
  const othersHarmless = group.every((i) => local[i] || (!hasSleepers(m, vm) && irqTarget(m, opts[i]) === vm));
  if (othersHarmless) {
    const quiet = group.find(
      (i) => local[i] && opts[i].kind === 'vcpu' && facts.quiet[vm][(opts[i] as { vcpu: number }).vcpu],
    );
    if (quiet !== undefined) return [quiet];
  }
  return group;
}

/**
 * Whether a window's interrupt for `vm` may as well fire now as at any later instant of its window: nobody in the VM
 * runs, sleeps or waits for the VMM (so nobody can notice when it became pending, and nothing outside the VM can make
 * one run: only the VM's own vCPUs raise its signals and turn its vCPUs on), no host action can answer or resume it
 * before the window ends, and the host stays running until then (a raise while it suspends aborts the suspend with
 * abort-on-wake; one while it is suspended wakes it).
 */
function laterIsSame(m: Machine, unit: Unit, vm: number): boolean {
  if (unit.kind !== 'host') return false;
  const until = Number(m.program.host.actions[unit.entry.index].to);
  // The host could start suspending: dom0 suspending, a privileged guest notifying, a pending request completed by
  // the notifications it waits for, or a request still to come (below).
  // The host could start suspending: dom0 suspending, a privileged guest notifying, a pending request completed by
  // the notifications it waits for, or a request still to come (below).
  if (m.state.host.state !== 'running' || m.state.host.suspendRequested || m.program.vms.some((v) => v.hardwareDomain))
    return false;
  if (m.program.host.policies.some((p) => p.kind === 'privileged')) return false;
  const dormant = m.state.vms[vm].vcpus.every(
    (v) => v.run === 'halted' || v.run === 'off' || v.run === 'faulted' || v.run === 'wait-signal',
  );
  if (!dormant) return false;
  return m.program.host.actions.every((a, i) => {
    if (a.action.kind !== 'requestSuspend' && a.action.kind !== 'vmm' && a.action.kind !== 'wake') return true;
    const at = m.state.actionTimes[i];
    const earliest = at >= 0 ? at : Math.max(m.state.now, Number(a.from));
    return (at >= 0 && at < m.state.now) || earliest > until;
  });
}

/** A vCPU of the VM an interrupt could wake: in WFI, suspended, or waiting on a condition that reads interrupts. */
function hasSleepers(m: Machine, vm: number): boolean {
  const code = m.program.vms[vm].code;
  return m.state.vms[vm].vcpus.some(
    (v) => v.run === 'wfi' || v.run === 'suspended' || (v.run === 'wait-expr' && readsInterrupts(code[v.pc])),
  );
}

function readsInterrupts(instr: Instr | undefined): boolean {
  let reads = false;
  if (instr) for (const e of exprsOf(instr)) walk(e, (x) => (reads ||= x.k === 'irqPending'));
  return reads;
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
    case 'clearSignal':
    case 'delay':
    case 'halt':
    case 'irq':
    case 'mmioRead':
    case 'mmioWrite':
    case 'pciRead':
    case 'pciState':
    case 'pciWrite':
    case 'psci':
    case 'rawCall':
    case 's2idleNotify':
    case 'signal':
    case 'virtio':
    case 'waitExpr':
    case 'waitSignal':
    case 'wfi':
    default:
      return false;
  }
}

function localTemplate(t: RTemplate): boolean {
  return t.parts.every((p) => typeof p === 'string' || localExpr(p.expr));
}

function localExpr(e: RExpr): boolean {
  // Iteratively (a chain of operators is as deep a tree as it is long): local unless some part is not.
  return !someRExpr(e, (x) => {
    switch (x.k) {
      case 'const':
      case 'param':
      case 'now':
      case 'unary':
      case 'binary':
        return false;
      case 'reg':
        return !(OWN_REGISTERS.has(x.field) || x.field === 'mpidr');
      case 'device':
      case 'host':
      case 'irqPending':
      case 'vcpu':
      case 'vm':
      default:
        return true;
    }
  });
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
    case 'clearSignal':
    case 'context':
    case 'halt':
    case 'jump':
    case 'pciRead':
    case 'pciState':
    case 'return':
    case 's2idleNotify':
    case 'signal':
    case 'waitSignal':
    case 'wfi':
    default:
      return [];
  }
}

/** Visits every part of an expression, iteratively (a chain of operators is as deep a tree as it is long). */
function walk(e: RExpr, visit: (e: RExpr) => void): void {
  someRExpr(e, (x) => {
    visit(x);
    return false;
  });
}

function staysIn(e: RExpr, vm: number): boolean {
  return !someRExpr(e, (x) => x.k === 'host' || ((x.k === 'vcpu' || x.k === 'vm' || x.k === 'device') && x.vm !== vm));
}
