// The whole mutable state of a simulated machine, as plain data with hand-written copies. A snapshot is a copy of
// this and nothing else: the program, the configuration and the listeners are shared and never change.

import { TraceEvent, ExitKind } from './trace';
import type { StateHasher } from './hasher';
import type { Violation } from './invariants/invariant';

/** Why a vCPU is not executing statements right now. */
export type RunState =
  | 'running'
  | 'wfi' // WFI, CPU_SUSPEND, or KVM's emulated WFI: wakes on an enabled pending interrupt
  | 'wait-signal'
  | 'wait-expr'
  | 'exit' // trapped to the VMM and waiting for its answer
  | 'suspended' // KVM_MP_STATE_SUSPENDED, or its Xen domain is suspended
  | 'off' // PSCI OFF / KVM STOPPED
  | 'halted' // its program finished
  | 'faulted'; // it hit something it cannot go on from (a bad pc, a stack overflow)

export interface CallFrame {
  /** VmConfig.frames index */
  frame: number;
  /** instruction to go back to; -1 for the bottom frame */
  returnPc: number;
  args: bigint[];
  /** the interrupt a handler frame serves, -1 otherwise */
  irq: number;
  /** DAIF to restore when a handler returns */
  savedDaif: number;
}

export interface PendingExit {
  kind: ExitKind;
  /** KVM system_event flags (PSCI_RESET2, PSCI_OFF2) */
  flags: number;
  /** the VMM deferred its answer: a host action answers it */
  deferred: boolean;
  /** a WAKEUP that came at once because the VMM ignored the previous one with the wake-up still pending */
  repeated: boolean;
}

export interface VcpuState {
  /** x0..x30 */
  regs: bigint[];
  sp: bigint;
  /** index of the next instruction, or -1 when pcAddress holds no statement */
  pc: number;
  pcAddress: bigint;
  el: number;
  daif: number;
  mmu: number;
  /** POWER_STATE_NAMES index */
  power: number;
  /** KVM_MP_STATE value */
  mp: number;
  run: RunState;
  /** virtual time at which the vCPU can execute its next statement */
  readyAt: number;
  stack: CallFrame[];
  waitSignal: number;
  exit: PendingExit | undefined;
  /** statements executed */
  executed: number;
  /** what it was doing when it faulted */
  fault: string;
  /** Xen: the context stashed at SYSTEM_SUSPEND, applied when the domain resumes */
  resume: { entry: bigint; context: bigint } | undefined;
  /** what `context save` stored (Linux keeps it in memory, which survives suspend-to-RAM) */
  saved: SavedContext | undefined;
}

export interface SavedContext {
  stack: CallFrame[];
  sp: bigint;
  /** x19..x30, the callee-saved registers __cpu_suspend_enter stores */
  calleeSaved: bigint[];
  daif: number;
  mmu: number;
  /** where `context restore` returns: the statement after `context save` */
  pc: number;
}

export interface IrqState {
  enabled: boolean;
  pending: boolean;
  /** armed as a wake-up source (enable_irq_wake) */
  wake: boolean;
  /** vCPU an SPI is routed to; PPIs and SGIs are banked per vCPU */
  target: number;
}

export type VmRunState = 'running' | 'suspended' | 'off' | 'reset';

/** Device models keep their own state; the machine only needs to copy it. */
export interface DeviceState {
  clone(): DeviceState;
  /** Feeds everything that decides the device's future behaviour into the hasher (explore tells states apart). */
  hash(h: StateHasher): void;
}

export interface VmState {
  vcpus: VcpuState[];
  /** key: irq for SPIs (>= 32); vcpu * 1024 + irq for banked PPIs and SGIs */
  irqs: Map<number, IrqState>;
  signals: Uint8Array;
  state: VmRunState;
  devices: DeviceState[];
  /** s2idle notifications the VMM has seen since the host last resumed */
  notifications: number;
  /** guest RAM bytes written by statements (sparse; absent bytes read 0) */
  memory: Map<bigint, number>;
  /** bumped whenever the VM's run state changes, so a stale watchdog timer knows it is stale */
  watchdogGeneration: number;
}

export type HostRunState = 'running' | 'suspending' | 'suspended' | 'resuming';

export interface HostState {
  state: HostRunState;
  /** a suspend was requested and waits for its policy */
  suspendRequested: boolean;
}

export type QueueKind = 'host-action' | 'vmm' | 'device' | 'host-step';

export interface QueueEntry {
  time: number;
  /** insertion order: ties at the same time run first-queued first */
  order: number;
  kind: QueueKind;
  vm: number;
  vcpu: number;
  /** host-action index, device index, ... */
  index: number;
  tag: string;
}

export interface MachineState {
  now: number;
  /** units executed (vCPU statements and host events) */
  steps: number;
  /** events emitted */
  events: number;
  rng: number;
  hash: [number, number];
  vms: VmState[];
  host: HostState;
  queue: QueueEntry[];
  queueOrder: number;
  /** last events, oldest first, at most RECENT_EVENTS */
  recent: TraceEvent[];
  expectFailures: number;
  /** bumped on every change a `wait EXPR` could observe */
  version: number;
  /** the instant each host action was placed at (windows resolved by the chooser); -1 while an open window waits */
  actionTimes: number[];
  /** scheduling decisions with more than one option taken so far (open scheduling only): a replay's clock */
  decisions: number;
  /** invariant violations so far, oldest first */
  violations: Violation[];
}

export const RECENT_EVENTS = 64;

// Field by field rather than with spreads: snapshots are taken at every branch of an exploration. A frame's
// arguments are evaluated once at the call and never written, so copies share them.
function cloneFrame(f: CallFrame): CallFrame {
  return { frame: f.frame, returnPc: f.returnPc, args: f.args, irq: f.irq, savedDaif: f.savedDaif };
}

function cloneVcpu(v: VcpuState): VcpuState {
  return {
    regs: v.regs.slice(),
    sp: v.sp,
    pc: v.pc,
    pcAddress: v.pcAddress,
    el: v.el,
    daif: v.daif,
    mmu: v.mmu,
    power: v.power,
    mp: v.mp,
    run: v.run,
    readyAt: v.readyAt,
    stack: v.stack.map(cloneFrame),
    waitSignal: v.waitSignal,
    exit: v.exit
      ? { kind: v.exit.kind, flags: v.exit.flags, deferred: v.exit.deferred, repeated: v.exit.repeated }
      : undefined,
    executed: v.executed,
    fault: v.fault,
    resume: v.resume ? { ...v.resume } : undefined,
    saved: v.saved
      ? { ...v.saved, stack: v.saved.stack.map(cloneFrame), calleeSaved: v.saved.calleeSaved.slice() }
      : undefined,
  };
}

function cloneVm(vm: VmState): VmState {
  const irqs = new Map<number, IrqState>();
  for (const [k, s] of vm.irqs) irqs.set(k, { ...s });
  return {
    vcpus: vm.vcpus.map(cloneVcpu),
    irqs,
    signals: vm.signals.slice(),
    state: vm.state,
    devices: vm.devices.map((d) => d.clone()),
    notifications: vm.notifications,
    memory: new Map(vm.memory),
    watchdogGeneration: vm.watchdogGeneration,
  };
}

export function cloneState(s: MachineState): MachineState {
  return {
    now: s.now,
    steps: s.steps,
    events: s.events,
    rng: s.rng,
    hash: [s.hash[0], s.hash[1]],
    vms: s.vms.map(cloneVm),
    host: { ...s.host },
    // Queue entries are never mutated in place, so sharing them is safe.
    queue: s.queue.slice(),
    queueOrder: s.queueOrder,
    recent: s.recent.slice(),
    expectFailures: s.expectFailures,
    version: s.version,
    actionTimes: s.actionTimes.slice(),
    decisions: s.decisions,
    violations: s.violations.slice(),
  };
}
