// The simulated machine: the scheduler over virtual time, the operations hypervisor flavours and device models
// use (power changes, resets, exits to the VMM, interrupts), and the API the CLI and the debug adapter drive
// (step, run until a predicate, snapshot/restore, read state).
//
// Scheduling (docs/language.md, "Execution model"): the next unit is the queued host event or the runnable vCPU
// with the earliest time; at equal times host events go first (in the order they were queued), then VMs in
// declaration order and vCPUs by index. The seed only resolves choices the scenario declares (window instants,
// alternative VMM answers) and jitter.

import {
  DeviceConfig,
  DevicePath,
  Instr,
  MAX_VIRTUAL_TIME,
  MAX_VIRTUAL_TIME_TEXT,
  Program,
  VmConfig,
  instrAddress,
  instrIndexAt,
} from '../lang/program';
import { POWER_STATE_NAMES } from '../lang/domain/constants';
import { HostFieldName, lookupVcpuField, VmFieldName } from '../lang/domain/vcpu';
import { hasErrors } from '../lang/diagnostics';
import { evaluate, EvalScope, formatDuration } from './eval';
import { enabledUnits } from './choices';
import { randomBelow, seedState } from './rng';
import {
  cloneState,
  DeviceState,
  IrqState,
  MachineState,
  QueueEntry,
  QueueKind,
  RECENT_EVENTS,
  RunState,
  VcpuState,
  VmRunState,
  VmState,
} from './state';
import { EventBody, hashEvent, HASH_SEED, hashHex, TraceEvent } from './trace';
import type { DeviceModelImpl } from './devices/model';
import { readHostValue, readVcpuValue, readVmValue } from './fields';
import { INVARIANTS_BY_KIND, Invariant, Violation } from './invariants';

/** How many earlier events a violation keeps as the story of how it happened. */
const LEAD_EVENTS = 12;

export const POWER = { ON: 0, OFF: 1, ON_PENDING: 2, STANDBY: 3, POWERDOWN: 4 } as const;
export const MP = { RUNNABLE: 0, STOPPED: 5, SUSPENDED: 10 } as const;
export const MP_NAMES: Record<number, string> = { 0: 'RUNNABLE', 5: 'STOPPED', 10: 'SUSPENDED' };
/** PSTATE.DAIF with all four exceptions masked, as after reset (VCPU_RESET_PSTATE_EL1). */
export const DAIF_ALL = 0xf;
const DAIF_I = 0x2;
/** MAX_VIRTUAL_TIME as the clock holds it. */
export const MAX_TIME = Number(MAX_VIRTUAL_TIME);

/** Why a vCPU faults whose next step would take virtual time past MAX_VIRTUAL_TIME. */
export const PAST_THE_END = `the clock would pass ${formatDuration(MAX_VIRTUAL_TIME)} (${MAX_VIRTUAL_TIME_TEXT}), the longest virtual time`;

/** Deeper than this, a call faults the vCPU (runaway recursion, or a chain of calls that deep). */
export const MAX_CALL_DEPTH = 256;
/** `x7` -> 7, looked up instead of parsed on every register access. */
const REGISTER_INDEX: Record<string, number> = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`x${i}`, i]));

/** Picks among alternatives the scenario declares. Runs use the seed; `explore` plugs in its own. */
export interface Chooser {
  choose(m: Machine, count: number, what: string): number;
}

const seededChooser: Chooser = {
  choose(m, count) {
    return count <= 1 ? 0 : randomBelow(m.state, count);
  },
};

/**
 * Open scheduling (`explore` and its replays): which of several units that could run next does run. It is a
 * function of the decision's number only, so asking twice gives the same answer and snapshots need nothing more.
 */
export interface Scheduler {
  pick(decision: number, options: number): number;
}

export interface MachineOptions {
  seed?: number;
  chooser?: Chooser;
  /**
   * `seeded` (runs and debugging): the seed places window instants and the documented order breaks ties.
   * `open` (explore): windows stay open until a decision fires them, and every tie is a decision (src/sim/choices.ts).
   */
  scheduling?: 'seeded' | 'open';
  /** open scheduling: picks at each decision; without one, the first option (the seeded order's own pick) */
  scheduler?: Scheduler;
  /** open scheduling: how far (ns) a vCPU may run ahead of another that is due first (0: exact ties only) */
  skew?: number;
}

/**
 * What runs next: a vCPU statement or a host-side event. `decision` marks a unit picked among several under open
 * scheduling; `window` a host action fired from its open window (not in the queue).
 */
export type Unit =
  | { kind: 'vcpu'; vm: number; vcpu: number; pc: number; time: number; decision?: boolean }
  | { kind: 'host'; entry: QueueEntry; time: number; decision?: boolean; window?: boolean };

export type Outcome =
  | { kind: 'running' }
  /** nothing left to do and no vCPU is waiting */
  | { kind: 'finished' }
  /** nothing left to do but some vCPU waits for something that will never come */
  | { kind: 'hang'; waiting: string[] };

export type StopReason =
  | { kind: 'predicate' }
  | { kind: 'outcome'; outcome: Outcome }
  | { kind: 'time-limit'; time: number }
  | { kind: 'step-limit'; steps: number };

/**
 * What the machine leaves to the rest of the simulator: the statements it executes, the host's queued events, the
 * device models, and the reactions to its primitives (host power management, the VMM, the watchdog). The machine
 * only calls them; src/sim/reactions.ts fills them in, and every module that builds a machine imports it, so the
 * modules that drive the machine are not imported by it.
 */
export interface MachineReactions {
  /** the host's timed actions' first instants (-1: fired from an open window) */
  initialActionTimes(m: Machine): number[];
  /** a host-side queue entry's turn (a host action, the VMM's answer, a host step, a device timer) */
  handleQueueEntry(m: Machine, entry: QueueEntry): void;
  /** a vCPU executes one instruction */
  executeInstruction(m: Machine, vm: number, vcpu: number, instr: Instr): void;
  /** a device's state as the VM starts */
  createDevice(cfg: VmConfig, device: DeviceConfig): DeviceState;
  /** the model that implements a device */
  deviceModel(device: DeviceConfig): DeviceModelImpl;
  readDevice(m: Machine, vm: number, device: number, path: DevicePath): bigint;
  /** a VM's run state changed (its watchdog starts, stops or pauses) */
  vmStateChanged(m: Machine, vm: number, to: VmRunState): void;
  /** an interrupt for a VM arrived while the host is suspended: the host wakes first */
  wakeHost(m: Machine, why: string): void;
  /** a guest vCPU came back to life (a host that aborts its suspend on wake-ups hears of it) */
  guestWoke(m: Machine, vm: number, vcpu: number): void;
  /** a wake-up reached a vCPU suspended by SYSTEM_SUSPEND (KVM exits WAKEUP to the VMM; Xen's toolstack resumes) */
  suspendedWake(m: Machine, vm: number, vcpu: number, irq: number): void;
}

let installedReactions: MachineReactions | undefined;

/** Called once, by src/sim/reactions.ts. */
export function installMachineReactions(reactions: MachineReactions): void {
  installedReactions = reactions;
}

export interface RunLimits {
  /** stop before the first unit at or after this virtual time (ns) */
  untilTime?: number;
  /** stop after this many units */
  maxSteps?: number;
}

export class Machine {
  readonly program: Program;
  state: MachineState;
  private listeners: ((e: TraceEvent) => void)[] = [];
  /** the vCPU instruction being executed right now, so events can say which source line caused them */
  private executing = { vm: -1, pc: -1 };
  readonly chooser: Chooser;
  readonly openScheduling: boolean;
  readonly scheduler?: Scheduler;
  readonly skew: number;
  private readonly reactions: MachineReactions;

  constructor(program: Program, options: MachineOptions = {}) {
    if (hasErrors(program.diagnostics)) throw new Error('the scenario has errors; check it first');
    if (!installedReactions) throw new Error('a machine needs src/sim/reactions.ts loaded first (import it)');
    this.reactions = installedReactions;
    this.program = program;
    this.chooser = options.chooser ?? seededChooser;
    this.openScheduling = options.scheduling === 'open';
    this.scheduler = options.scheduler;
    this.skew = options.skew ?? 0;
    this.state = {
      now: 0,
      steps: 0,
      events: 0,
      rng: seedState(options.seed ?? 0),
      hash: [HASH_SEED[0], HASH_SEED[1]],
      vms: program.vms.map((cfg) => this.initialVm(cfg)),
      host: { state: 'running', suspendRequested: false },
      queue: [],
      queueOrder: 0,
      recent: [],
      expectFailures: 0,
      version: 0,
      actionTimes: [],
      decisions: 0,
      violations: [],
    };
    this.state.actionTimes = this.reactions.initialActionTimes(this);
    program.host.actions.forEach((a, i) => {
      if (this.state.actionTimes[i] >= 0)
        this.schedule(this.state.actionTimes[i], 'host-action', -1, -1, i, a.action.kind);
    });
  }

  private initialVm(cfg: VmConfig): VmState {
    const vcpus: VcpuState[] = [];
    for (let i = 0; i < cfg.vcpuCount; i++) {
      const entry = cfg.programEntry[i] ?? -1;
      // A vCPU declared `off` is created with KVM_ARM_VCPU_POWER_OFF: its code is laid out but it is OFF (STOPPED)
      // until CPU_ON names an entry (arch/arm64/kvm/arm.c kvm_arch_vcpu_ioctl_vcpu_init: "start in power-off").
      const hasProgram = entry >= 0 && !cfg.poweredOff[i];
      vcpus.push({
        regs: new Array<bigint>(31).fill(0n),
        sp: 0n,
        pc: hasProgram ? entry : -1,
        pcAddress: hasProgram ? instrAddress(cfg, entry) : 0n,
        el: 1,
        // A vCPU with a program starts in a booted kernel: interrupts unmasked, MMU on.
        daif: hasProgram ? 0 : DAIF_ALL,
        mmu: hasProgram ? 1 : 0,
        power: hasProgram ? POWER.ON : POWER.OFF,
        mp: hasProgram ? MP.RUNNABLE : MP.STOPPED,
        run: hasProgram ? 'running' : 'off',
        readyAt: 0,
        stack: hasProgram
          ? [{ frame: this.frameOfInstr(cfg, entry), returnPc: -1, args: [], irq: -1, savedDaif: 0 }]
          : [],
        waitSignal: -1,
        exit: undefined,
        executed: 0,
        fault: '',
        resume: undefined,
        saved: undefined,
      });
    }
    return {
      vcpus,
      irqs: new Map(),
      signals: new Uint8Array(cfg.signals.length),
      state: 'running',
      devices: cfg.devices.map((d) => this.reactions.createDevice(cfg, d)),
      notifications: 0,
      memory: new Map(),
      watchdogGeneration: 0,
    };
  }

  private frameOfInstr(cfg: VmConfig, index: number): number {
    return cfg.code[index]?.frame ?? 0;
  }

  // ------------------------------------------------------------------------------------------ listeners, events

  onEvent(listener: (e: TraceEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(vm: number, vcpu: number, body: EventBody): TraceEvent {
    const s = this.state;
    // Every caller passes a fresh object literal: stamp it rather than copy it.
    const event = body as TraceEvent;
    event.seq = s.events;
    event.t = s.now;
    event.vm = vm;
    event.vcpu = vcpu;
    event.pc = this.executing.vm === vm ? this.executing.pc : -1;
    s.events++;
    s.hash = hashEvent(s.hash, event);
    s.recent.push(event);
    if (s.recent.length > RECENT_EVENTS) s.recent.shift();
    s.version++;
    for (const l of this.listeners) l(event);
    const invariants = INVARIANTS_BY_KIND.get(event.kind);
    if (invariants) this.checkInvariants(event, invariants);
    return event;
  }

  /** Checks every invariant against an event; a broken one becomes a violation event with what led to it. */
  private checkInvariants(event: TraceEvent, invariants: readonly Invariant[]): void {
    for (const inv of invariants) {
      const message = inv.check(this, event);
      if (message === undefined) continue;
      const related = this.state.recent.filter(
        (e) => e.kind !== 'violation' && (e.vm === event.vm || e.vm < 0 || event.vm < 0),
      );
      const violation: Violation = {
        invariant: inv.id,
        title: inv.title,
        message,
        seq: event.seq,
        t: event.t,
        vm: event.vm,
        vcpu: event.vcpu,
        culprit: inv.culprit?.(this, event),
        lead: related.slice(-LEAD_EVENTS),
      };
      this.state.violations.push(violation);
      this.emit(event.vm, event.vcpu, { kind: 'violation', invariant: inv.id, title: inv.title, message });
    }
  }

  traceHash(): string {
    return hashHex(this.state.hash);
  }

  vmConfig(vm: number): VmConfig {
    return this.program.vms[vm];
  }

  vcpuName(vm: number, vcpu: number): string {
    return vcpu < 0 ? (this.program.vms[vm]?.name ?? 'host') : `${this.program.vms[vm].name}.vcpu${vcpu}`;
  }

  // ------------------------------------------------------------------------------------------ queue

  schedule(time: number, kind: QueueKind, vm: number, vcpu: number, index: number, tag: string): void {
    const entry: QueueEntry = { time, order: this.state.queueOrder++, kind, vm, vcpu, index, tag };
    const q = this.state.queue;
    // Sorted insertion: queues here hold a handful of entries.
    let i = q.length;
    while (i > 0 && (q[i - 1].time > time || (q[i - 1].time === time && q[i - 1].order > entry.order))) i--;
    q.splice(i, 0, entry);
  }

  // ------------------------------------------------------------------------------------------ scheduling

  /** The unit that runs next, or undefined when nothing can run. */
  peek(): Unit | undefined {
    if (this.openScheduling) {
      const options = enabledUnits(this);
      if (options.length <= 1) return options[0];
      const pick = this.scheduler ? this.scheduler.pick(this.state.decisions, options.length) : 0;
      return options[pick >= 0 && pick < options.length ? pick : 0];
    }
    const s = this.state;
    const head = s.queue[0];
    let bestTime = head ? head.time : Infinity;
    let bestVm = -1;
    let bestVcpu = -1;
    // A suspended host runs no guest: only host events (a wake-up) can happen.
    const vmCount = s.host.state === 'suspended' ? 0 : s.vms.length;
    for (let vi = 0; vi < vmCount; vi++) {
      const vcpus = s.vms[vi].vcpus;
      for (let ci = 0; ci < vcpus.length; ci++) {
        const v = vcpus[ci];
        if (v.run === 'running' && v.readyAt < bestTime) {
          bestTime = v.readyAt;
          bestVm = vi;
          bestVcpu = ci;
        }
      }
    }
    if (bestVm >= 0)
      return { kind: 'vcpu', vm: bestVm, vcpu: bestVcpu, pc: s.vms[bestVm].vcpus[bestVcpu].pc, time: bestTime };
    if (head) return { kind: 'host', entry: head, time: head.time };
    return undefined;
  }

  /** Executes one unit. Returns it, or undefined when nothing could run. */
  step(): Unit | undefined {
    const unit = this.peek();
    if (!unit) return undefined;
    this.execute(unit);
    return unit;
  }

  /** Runs a unit; returns the index of the instruction a vCPU executed, or -1 (a host event, an interrupt entry, a
   * fault). */
  execute(unit: Unit): number {
    const s = this.state;
    if (unit.time > s.now) s.now = Math.min(unit.time, MAX_TIME);
    s.steps++;
    if (unit.decision) s.decisions++;
    let executed = -1;
    if (unit.kind === 'host') {
      if (unit.window) s.actionTimes[unit.entry.index] = unit.time;
      // Open scheduling may pick a queued entry other than the first.
      else if (s.queue[0] === unit.entry) s.queue.shift();
      else s.queue.splice(s.queue.indexOf(unit.entry), 1);
      this.reactions.handleQueueEntry(this, unit.entry);
    } else if (unit.time > MAX_TIME) {
      // Its next step would be past the longest virtual time: the vCPU faults there, and the clock stops short of it.
      this.fault(unit.vm, unit.vcpu, PAST_THE_END);
    } else {
      executed = this.runVcpu(unit.vm, unit.vcpu);
    }
    this.recheckWaiters();
    return executed;
  }

  private runVcpu(vmIndex: number, vcpuIndex: number): number {
    const cfg = this.program.vms[vmIndex];
    const v = this.state.vms[vmIndex].vcpus[vcpuIndex];
    // At an instruction boundary with interrupts unmasked a pending handler is entered; its first statement
    // runs as the next unit.
    if ((v.daif & DAIF_I) === 0 && this.dispatchInterrupt(vmIndex, vcpuIndex)) return -1;
    if (v.pc < 0 || v.pc >= cfg.code.length) {
      this.fault(vmIndex, vcpuIndex, `no statement at pc 0x${v.pcAddress.toString(16)}`);
      return -1;
    }
    if (v.power === POWER.ON_PENDING)
      this.setPower(vmIndex, vcpuIndex, POWER.ON, v.mp, 'first instruction after CPU_ON');
    const pc = v.pc;
    const instr = cfg.code[pc];
    if (instr.stmt) v.executed++;
    this.executing.vm = vmIndex;
    this.executing.pc = pc;
    this.reactions.executeInstruction(this, vmIndex, vcpuIndex, instr);
    this.executing.vm = -1;
    this.executing.pc = -1;
    return pc;
  }

  /**
   * Awake: runnable, including a vCPU in a `delay` (a guest that sleeps with a timer armed is not idle). Idle states
   * are WFI, waits, suspended, off and halted.
   */
  isExecuting(vm: number, vcpu: number): boolean {
    return this.state.vms[vm].vcpus[vcpu].run === 'running';
  }

  /** Cost of one statement on this VM, with the VM's jitter drawn from the seed. */
  statementCost(vm: number): number {
    const cfg = this.program.vms[vm];
    const base = Number(cfg.statementTime);
    if (cfg.jitterPercent === 0) return base;
    const spread = (base * cfg.jitterPercent) / 100;
    return Math.max(1, Math.round(base - spread + randomBelow(this.state, Math.floor(2 * spread) + 1)));
  }

  /** Advances a vCPU past its current instruction. */
  advance(v: VcpuState, cfg: VmConfig, cost: number): void {
    v.pc++;
    v.pcAddress = instrAddress(cfg, v.pc);
    v.readyAt = this.state.now + cost;
  }

  jump(v: VcpuState, cfg: VmConfig, index: number): void {
    v.pc = index;
    v.pcAddress = instrAddress(cfg, index);
  }

  /** Sets pc to an address; an address with no statement is kept and faults when the vCPU runs. */
  setPcAddress(vm: number, v: VcpuState, address: bigint): void {
    const cfg = this.program.vms[vm];
    const index = instrIndexAt(cfg, address);
    v.pc = index ?? -1;
    v.pcAddress = address;
    v.stack =
      index !== undefined ? [{ frame: cfg.code[index].frame, returnPc: -1, args: [], irq: -1, savedDaif: 0 }] : [];
  }

  // ------------------------------------------------------------------------------------------ waiting

  private recheckWaiters(): void {
    const s = this.state;
    for (let vi = 0; vi < s.vms.length; vi++) {
      const vcpus = s.vms[vi].vcpus;
      for (let ci = 0; ci < vcpus.length; ci++) {
        const v = vcpus[ci];
        // A wait completes the moment its condition holds, even if the state it saw lasts no longer than that:
        // the waiter moves past its wait now and runs on from there.
        if (v.run === 'wait-expr') {
          const cfg = this.program.vms[vi];
          const instr = cfg.code[v.pc];
          if (instr.op === 'waitExpr' && evaluate(this, instr.condition, this.scope(vi, ci)) !== 0n)
            this.finishWait(vi, ci);
        } else if (v.run === 'wait-signal' && s.vms[vi].signals[v.waitSignal]) {
          this.finishWait(vi, ci);
        }
      }
    }
  }

  private finishWait(vm: number, vcpu: number): void {
    const v = this.state.vms[vm].vcpus[vcpu];
    v.run = 'running';
    this.advance(v, this.program.vms[vm], this.statementCost(vm));
  }

  scope(vm: number, vcpu: number): EvalScope {
    const v = this.state.vms[vm].vcpus[vcpu];
    const top = v.stack[v.stack.length - 1];
    return { vm, vcpu, args: top ? top.args : [] };
  }

  /** Makes a blocked vCPU runnable again from now. */
  wake(vm: number, vcpu: number): void {
    const v = this.state.vms[vm].vcpus[vcpu];
    v.run = 'running';
    if (v.readyAt < this.state.now) v.readyAt = this.state.now;
  }

  block(vm: number, vcpu: number, run: RunState): void {
    this.state.vms[vm].vcpus[vcpu].run = run;
    this.state.version++;
  }

  // ------------------------------------------------------------------------------------------ power

  setPower(vm: number, vcpu: number, power: number, mp: number, why: string): void {
    const v = this.state.vms[vm].vcpus[vcpu];
    if (v.power === power && v.mp === mp) return;
    const from = POWER_STATE_NAMES[v.power];
    v.power = power;
    v.mp = mp;
    this.emit(vm, vcpu, { kind: 'power', from, to: POWER_STATE_NAMES[power], mp: MP_NAMES[mp] ?? String(mp), why });
  }

  setVmState(vm: number, state: VmRunState, why: string): void {
    const s = this.state.vms[vm];
    if (s.state === state) return;
    const from = s.state;
    s.state = state;
    this.emit(vm, -1, { kind: 'vm.state', from, to: state, why });
    this.reactions.vmStateChanged(this, vm, state);
  }

  /**
   * The architectural reset a vCPU gets from CPU_ON or a resume at an entry point: registers zeroed, pc = entry,
   * x0 = context, PSTATE EL1h with DAIF masked, MMU off (KVM kvm_reset_vcpu; Xen's vCPU context init).
   */
  resetVcpu(vm: number, vcpu: number, entry: bigint, context: bigint): void {
    const v = this.state.vms[vm].vcpus[vcpu];
    v.regs.fill(0n);
    v.regs[0] = BigInt.asUintN(64, context);
    v.sp = 0n;
    v.el = 1;
    v.daif = DAIF_ALL;
    v.mmu = 0;
    v.waitSignal = -1;
    this.setPcAddress(vm, v, BigInt.asUintN(64, entry));
    this.state.version++;
  }

  fault(vm: number, vcpu: number, message: string): void {
    const v = this.state.vms[vm].vcpus[vcpu];
    v.run = 'faulted';
    v.fault = message;
    this.emit(vm, vcpu, { kind: 'fault', message });
  }

  inRam(vm: number, address: bigint): boolean {
    const cfg = this.program.vms[vm];
    return address >= cfg.ramBase && address < cfg.ramBase + cfg.ramSize;
  }

  // ------------------------------------------------------------------------------------------ interrupts

  irqKey(irq: number, vcpu: number): number {
    return irq < 32 ? vcpu * 1024 + irq : irq;
  }

  irqState(vm: number, irq: number, vcpu: number): IrqState {
    const irqs = this.state.vms[vm].irqs;
    const key = this.irqKey(irq, vcpu);
    let s = irqs.get(key);
    if (!s) {
      s = { enabled: false, pending: false, wake: false, target: irq < 32 ? vcpu : 0 };
      irqs.set(key, s);
    }
    return s;
  }

  irqPending(vm: number, vcpu: number, irq: number): boolean {
    const s = this.state.vms[vm].irqs.get(this.irqKey(irq, vcpu));
    return !!s && s.pending;
  }

  /** An enabled, pending interrupt routed to this vCPU: what ends WFI. */
  pendingWake(vm: number, vcpu: number): number {
    for (const [key, s] of this.state.vms[vm].irqs) {
      if (s.enabled && s.pending && s.target === vcpu) return key % 1024;
    }
    return -1;
  }

  /** The host (or a device) raises an interrupt for a VM. */
  raiseIrq(vm: number, irq: number): void {
    // An interrupt for a guest is a wake-up source for a suspended host: the host resumes first.
    if (this.state.host.state === 'suspended')
      this.reactions.wakeHost(this, `irq ${irq} for ${this.vmConfig(vm).name}`);
    const s = this.irqState(vm, irq, 0);
    s.pending = true;
    this.emit(vm, s.target, { kind: 'irq.raise', irq, target: s.target });
    if (!s.enabled) {
      this.emit(vm, s.target, { kind: 'irq.masked', irq, why: 'disabled in the distributor' });
      return;
    }
    // The host sees this interrupt before the guest does: for a host that aborts on wake-ups it is a wakeup event
    // (pm_wakeup_pending) whether or not the guest's vCPU has reached its WFI yet.
    if (this.state.host.state === 'suspending') this.guestWoke(vm, s.target);
    this.deliverWake(vm, s.target, irq);
  }

  /** A guest vCPU came back to life (woken, resumed): a host that is suspending hears of it (src/sim/hostpm.ts). */
  guestWoke(vm: number, vcpu: number): void {
    this.reactions.guestWoke(this, vm, vcpu);
  }

  /** An enabled interrupt became pending on a vCPU: wake it from whatever low-power wait it is in. */
  deliverWake(vm: number, vcpu: number, irq: number): void {
    const v = this.state.vms[vm].vcpus[vcpu];
    if (v.run === 'wfi') {
      this.emit(vm, vcpu, {
        kind: 'irq.wake',
        irq,
        from: POWER_STATE_NAMES[v.power] === 'ON' ? 'WFI' : POWER_STATE_NAMES[v.power],
      });
      this.setPower(vm, vcpu, POWER.ON, v.mp, `woken by irq ${irq}`);
      this.wake(vm, vcpu);
      if (this.state.vms[vm].state === 'suspended') this.setVmState(vm, 'running', `woken by irq ${irq}`);
      this.guestWoke(vm, vcpu);
    } else if (v.run === 'suspended') {
      this.emit(vm, vcpu, { kind: 'irq.wake', irq, from: 'SUSPENDED' });
      this.reactions.suspendedWake(this, vm, vcpu, irq);
    }
  }

  /**
   * At an instruction boundary with PSTATE.I clear: run the handler of a pending interrupt, if there is one. In a
   * Linux guest (a VM that uses the prelude) an enabled interrupt with no `on irq` handler runs the kernel's
   * (linux.generic_handle_irq: gic_handle_irq -> generic_handle_domain_irq, kernel/irq/irqdesc.c), with its number
   * as argument; one armed as a wake-up source stays pending (suspend_device_irqs, kernel/irq/pm.c).
   */
  private dispatchInterrupt(vm: number, vcpu: number): boolean {
    const cfg = this.program.vms[vm];
    const handlers = cfg.handlers[vcpu];
    if (handlers)
      for (const [irq, frame] of handlers) {
        const s = this.state.vms[vm].irqs.get(this.irqKey(irq, vcpu));
        if (!s || !s.enabled || !s.pending || s.target !== vcpu) continue;
        s.pending = false;
        this.enterHandler(vm, vcpu, irq, frame, []);
        return true;
      }
    if (cfg.defaultHandler === undefined) return false;
    for (const [key, s] of this.state.vms[vm].irqs) {
      const irq = key % 1024;
      if (!s.enabled || !s.pending || s.wake || s.target !== vcpu || handlers?.has(irq)) continue;
      this.enterHandler(vm, vcpu, irq, cfg.defaultHandler, [BigInt(irq)]);
      return true;
    }
    return false;
  }

  private enterHandler(vm: number, vcpu: number, irq: number, frame: number, args: bigint[]): void {
    const v = this.state.vms[vm].vcpus[vcpu];
    const cfg = this.program.vms[vm];
    v.stack.push({ frame, returnPc: v.pc, args, irq, savedDaif: v.daif });
    v.daif |= DAIF_I;
    this.jump(v, cfg, cfg.frames[frame].entry);
    this.emit(vm, vcpu, { kind: 'irq.deliver', irq });
  }

  // ------------------------------------------------------------------------------------------ reading state

  /** A vCPU field by name (an unknown name reads 0). */
  readVcpuField(vm: number, vcpu: number, field: string): bigint {
    const row = lookupVcpuField(field);
    return row ? readVcpuValue(this, vm, vcpu, row.name) : 0n;
  }

  writeVcpuField(vm: number, vcpu: number, field: string, value: bigint): void {
    const v = this.state.vms[vm].vcpus[vcpu];
    const u = BigInt.asUintN(64, value);
    switch (field) {
      case 'pc':
        this.setPcAddress(vm, v, u);
        break;
      case 'sp':
        v.sp = u;
        break;
      case 'lr':
        v.regs[30] = u;
        break;
      case 'daif':
        v.daif = Number(u & BigInt(DAIF_ALL));
        break;
      case 'mmu':
        v.mmu = u & 1n ? 1 : 0;
        break;
      default:
        v.regs[REGISTER_INDEX[field]] = u;
    }
    this.state.version++;
  }

  readVmField(vm: number, field: VmFieldName): bigint {
    return readVmValue(this, vm, field);
  }

  readHostField(field: HostFieldName): bigint {
    return readHostValue(this, field);
  }

  deviceModel(vm: number, device: number): DeviceModelImpl {
    return this.reactions.deviceModel(this.program.vms[vm].devices[device]);
  }

  readDevice(vm: number, device: number, path: DevicePath): bigint {
    return this.reactions.readDevice(this, vm, device, path);
  }

  // ------------------------------------------------------------------------------------------ choices

  /**
   * Picks among `count` alternatives the scenario declares. Under open scheduling it is a decision like any other
   * (numbered on the same clock, answered by the scheduler), so explore can branch on it and a replay repeat it.
   */
  choose(count: number, what: string): number {
    if (!this.openScheduling) return this.chooser.choose(this, count, what);
    if (count <= 1) return 0;
    const decision = this.state.decisions++;
    const pick = this.scheduler ? this.scheduler.pick(decision, count) : 0;
    return pick >= 0 && pick < count ? pick : 0;
  }

  // ------------------------------------------------------------------------------------------ outcome and running

  outcome(): Outcome {
    if (this.peek()) return { kind: 'running' };
    const waiting: string[] = [];
    this.state.vms.forEach((vm, vi) => {
      const cfg = this.program.vms[vi];
      // Once a VM's boot vCPU has finished its story (or the VM is off), its other vCPUs that still wait are idle,
      // as a kernel's secondary CPUs are, not hung.
      const boot = vm.vcpus[0];
      if (boot.run === 'halted' || boot.run === 'off' || vm.state === 'off' || vm.state === 'reset') return;
      vm.vcpus.forEach((v, ci) => {
        const why = this.waitDescription(cfg, v);
        if (why) waiting.push(`${this.vcpuName(vi, ci)} ${why}`);
      });
    });
    return waiting.length ? { kind: 'hang', waiting } : { kind: 'finished' };
  }

  /**
   * What a blocked vCPU waits for, in words; undefined if it is not waiting. `atEnd` says the run is over, so the
   * wait will never end (a hang); mid-run it is just what the vCPU is doing.
   */
  waitDescription(cfg: VmConfig, v: VcpuState, atEnd = true): string | undefined {
    const instr: Instr | undefined = v.pc >= 0 ? cfg.code[v.pc] : undefined;
    const never = (s: string) => (atEnd ? s : '');
    switch (v.run) {
      case 'wait-signal':
        return `waits for signal '${cfg.signals[v.waitSignal]}'${never(' that nothing raises any more')}`;
      case 'wait-expr':
        return `waits for '${instr && instr.op === 'waitExpr' ? instr.loc.file.slice(instr.loc.span).replace(/^wait\s+/, '') : '?'}'${never(', which never becomes true')}`;
      case 'wfi':
        return `is in ${POWER_STATE_NAMES[v.power] === 'ON' ? 'WFI' : POWER_STATE_NAMES[v.power]}${atEnd ? ' and no interrupt is coming' : ' until an interrupt'}`;
      case 'suspended':
        // An ignored WAKEUP with the wake-up still pending: every KVM_RUN exits WAKEUP again (src/sim/vmm.ts).
        if (v.exit?.repeated && !v.exit.deferred)
          return 'is suspended with a wake-up pending, and its VMM ignores the WAKEUP exit every KVM_RUN gives';
        return atEnd ? 'is suspended and no wake-up interrupt is coming' : 'is suspended until a wake-up interrupt';
      case 'exit':
        return `is trapped in a ${v.exit?.kind ?? ''} exit${v.exit?.deferred ? ' that the VMM deferred' : ''}${never(' and nothing answers')}`;
      case 'faulted':
      case 'halted':
      case 'off':
      case 'running':
      default:
        return undefined;
    }
  }

  /** Runs until the predicate says stop (checked before each unit), the run ends, or a limit is reached. */
  run(limits: RunLimits = {}, stopBefore?: (unit: Unit) => boolean): StopReason {
    const maxSteps = limits.maxSteps ?? Infinity;
    const untilTime = limits.untilTime ?? Infinity;
    let steps = 0;
    for (;;) {
      const unit = this.peek();
      if (!unit) return { kind: 'outcome', outcome: this.outcome() };
      if (unit.time >= untilTime) {
        this.state.now = Math.max(this.state.now, untilTime);
        return { kind: 'time-limit', time: untilTime };
      }
      if (stopBefore && stopBefore(unit)) return { kind: 'predicate' };
      if (steps >= maxSteps) return { kind: 'step-limit', steps };
      this.execute(unit);
      steps++;
    }
  }

  // ------------------------------------------------------------------------------------------ snapshots

  snapshot(): MachineState {
    return cloneState(this.state);
  }

  restore(snapshot: MachineState): void {
    this.state = cloneState(snapshot);
  }
}
