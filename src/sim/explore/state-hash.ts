// The identity of a machine state for explore: everything that decides what can happen next, and nothing that only
// records how the state was reached (the trace, its hash, step and event counters, statement counts, the order in
// which map entries were first created). Two paths that end in states with the same key have the same futures, so
// explore follows only the first.

import { StateHasher } from '../hasher';
import { CallFrame, MachineState, VcpuState, VmState } from '../state';

const RUN_CODES: Record<string, number> = {
  running: 1,
  wfi: 2,
  'wait-signal': 3,
  'wait-expr': 4,
  exit: 5,
  suspended: 6,
  off: 7,
  halted: 8,
  faulted: 9,
};

export function stateKey(s: MachineState): number {
  const h = new StateHasher();
  h.num(s.now);
  h.int(s.rng);
  h.str(s.host.state);
  h.bool(s.host.suspendRequested);
  for (const vm of s.vms) hashVm(h, vm);
  h.int(s.queue.length);
  for (const e of s.queue) {
    h.num(e.time);
    h.str(e.kind);
    h.int(e.vm);
    h.int(e.vcpu);
    h.int(e.index);
    h.str(e.tag);
  }
  // When a window fired is history; whether it has is state.
  for (const t of s.actionTimes) h.int(t >= 0 ? 1 : 0);
  h.int(s.expectFailures);
  h.int(s.violations.length);
  for (const v of s.violations) h.str(v.invariant);
  return h.key();
}

function hashVm(h: StateHasher, vm: VmState): void {
  h.str(vm.state);
  h.int(vm.notifications);
  h.int(vm.watchdogGeneration);
  h.bytes(vm.signals);
  for (const v of vm.vcpus) hashVcpu(h, v);
  for (const [key, irq] of vm.irqs) {
    const e = new StateHasher();
    e.int(key);
    e.int((irq.enabled ? 1 : 0) | (irq.pending ? 2 : 0) | (irq.wake ? 4 : 0));
    e.int(irq.target);
    h.addUnordered(e);
  }
  for (const [address, byte] of vm.memory) {
    const e = new StateHasher();
    e.big(address);
    e.int(byte);
    h.addUnordered(e);
  }
  for (const d of vm.devices) d.hash(h);
}

function hashVcpu(h: StateHasher, v: VcpuState): void {
  const regs = v.regs;
  // Most registers are zero most of the time: skip the conversion for them.
  for (let i = 0; i < regs.length; i++) {
    const r = regs[i];
    if (r === 0n) h.int(i);
    else h.big(r);
  }
  h.big(v.sp);
  h.int(v.pc);
  h.big(v.pcAddress);
  h.int(v.el | (v.daif << 4) | (v.mmu << 8) | (v.power << 12) | (v.mp << 16));
  h.int(RUN_CODES[v.run] ?? 0);
  h.num(v.readyAt);
  hashStack(h, v.stack);
  h.int(v.waitSignal);
  if (v.exit) {
    h.str(v.exit.kind);
    h.int(v.exit.flags);
    h.bool(v.exit.deferred);
    h.bool(v.exit.repeated);
  } else h.int(-1);
  if (v.fault) h.str(v.fault);
  if (v.resume) {
    h.big(v.resume.entry);
    h.big(v.resume.context);
  } else h.int(-2);
  if (v.saved) {
    hashStack(h, v.saved.stack);
    h.big(v.saved.sp);
    for (const r of v.saved.calleeSaved) h.big(r);
    h.int(v.saved.daif | (v.saved.mmu << 4));
    h.int(v.saved.pc);
  } else h.int(-3);
}

function hashStack(h: StateHasher, stack: CallFrame[]): void {
  h.int(stack.length);
  for (const f of stack) {
    h.int(f.frame);
    h.int(f.returnPc);
    h.int(f.irq);
    h.int(f.savedDaif);
    h.int(f.args.length);
    for (const a of f.args) h.big(a);
  }
}
