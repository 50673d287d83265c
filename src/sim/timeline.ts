// Time travel over a deterministic machine: every unit run forward is logged (which thread, which instruction, the
// call depth, how many events came before it), and a snapshot is kept every INTERVAL units. Seeking to any earlier
// position restores the nearest snapshot at or before it and replays the rest, so the state there is exactly what
// it was: every register, device field and the trace hash. A change made by the user (a register written from the
// debugger) forks history at the current position.

import { Machine, MachineOptions, Unit } from './machine';
import { MachineState } from './state';
import { TraceEvent } from './trace';
import { Program } from '../lang/program';

/** Units between snapshots: a seek replays at most this many. */
export const CHECKPOINT_INTERVAL = 512;

/** A thread of the debugger: 0 is the host (and its VMM), then every vCPU of every VM in declaration order. */
export interface ThreadRef {
  vm: number;
  vcpu: number;
}

export const HOST_THREAD = 0;

export interface UnitResult {
  unit: Unit;
  thread: number;
  /** the instruction a vCPU executed, or -1 */
  pc: number;
  events: TraceEvent[];
}

class GrowableLog {
  thread = new Int32Array(1 << 12);
  pc = new Int32Array(1 << 12);
  depth = new Uint16Array(1 << 12);
  eventsBefore = new Float64Array(1 << 12);

  ensure(n: number): void {
    if (n < this.thread.length) return;
    const size = Math.max(n + 1, this.thread.length * 2);
    const grow = <T extends Int32Array | Uint16Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.thread = grow(this.thread, (k) => new Int32Array(k));
    this.pc = grow(this.pc, (k) => new Int32Array(k));
    this.depth = grow(this.depth, (k) => new Uint16Array(k));
    this.eventsBefore = grow(this.eventsBefore, (k) => new Float64Array(k));
  }
}

export class Timeline {
  readonly machine: Machine;
  readonly threads: ThreadRef[];
  private readonly threadIndex: number[][];
  private checkpoints: { step: number; state: MachineState }[] = [];
  private log = new GrowableLog();
  /** units recorded so far: positions 0..head are reachable */
  private headStep = 0;
  private silent = false;
  private collecting: TraceEvent[] | undefined;
  private listeners: ((e: TraceEvent) => void)[] = [];

  constructor(program: Program, options: MachineOptions = {}, private readonly interval = CHECKPOINT_INTERVAL) {
    this.machine = new Machine(program, options);
    this.threads = [{ vm: -1, vcpu: -1 }];
    this.threadIndex = program.vms.map((vm, vi) => Array.from({ length: vm.vcpuCount }, (_, ci) => {
      this.threads.push({ vm: vi, vcpu: ci });
      return this.threads.length - 1;
    }));
    this.machine.onEvent((e) => {
      this.collecting?.push(e);
      if (!this.silent) for (const l of this.listeners) l(e);
    });
    this.checkpoints.push({ step: 0, state: this.machine.snapshot() });
  }

  /** Events as they happen, except during the silent replays seeking does. */
  onEvent(listener: (e: TraceEvent) => void): void {
    this.listeners.push(listener);
  }

  get position(): number {
    return this.machine.state.steps;
  }

  /** The furthest position history reaches. */
  get head(): number {
    return this.headStep;
  }

  threadOf(vm: number, vcpu: number): number {
    return vm < 0 ? HOST_THREAD : this.threadIndex[vm][vcpu];
  }

  threadOfUnit(unit: Unit): number {
    return unit.kind === 'host' ? HOST_THREAD : this.threadIndex[unit.vm][unit.vcpu];
  }

  /** Call depth of a thread now (0 for the host). */
  depthOf(thread: number): number {
    const t = this.threads[thread];
    return t.vm < 0 ? 0 : this.machine.state.vms[t.vm].vcpus[t.vcpu].stack.length;
  }

  /** Runs the next unit. Returns undefined when nothing can run. */
  forward(): UnitResult | undefined {
    const m = this.machine;
    const unit = m.peek();
    if (!unit) return undefined;
    const step = this.position;
    const thread = this.threadOfUnit(unit);
    const depth = this.depthOf(thread);
    const eventsBefore = m.state.events;
    const events: TraceEvent[] = [];
    this.collecting = events;
    const pc = m.execute(unit);
    this.collecting = undefined;
    if (step === this.headStep) this.record(step, thread, pc, depth, eventsBefore);
    return { unit, thread, pc, events };
  }

  private record(step: number, thread: number, pc: number, depth: number, eventsBefore: number): void {
    const log = this.log;
    log.ensure(step);
    log.thread[step] = thread;
    log.pc[step] = pc;
    log.depth[step] = depth;
    log.eventsBefore[step] = eventsBefore;
    this.headStep = step + 1;
    if (this.headStep % this.interval === 0) this.checkpoints.push({ step: this.headStep, state: this.machine.snapshot() });
  }

  /** Moves to any position in 0..head, restoring a snapshot and replaying silently. */
  seek(step: number): void {
    if (step < 0 || step > this.headStep) throw new RangeError(`position ${step} is outside recorded history 0..${this.headStep}`);
    const here = this.position;
    if (step === here) return;
    const cp = this.checkpointAtOrBefore(step);
    // Running on from here is cheaper when the target is ahead and no snapshot lies in between.
    if (!(step > here && cp.step <= here)) this.machine.restore(cp.state);
    this.replayTo(step);
  }

  /** Replays silently up to `step`, calling `visit` before each unit with its position (for scans). */
  replayTo(step: number, visit?: (position: number) => void, after?: (position: number, result: UnitResult) => void): void {
    this.silent = true;
    try {
      while (this.position < step) {
        visit?.(this.position);
        const at = this.position;
        const result = this.forward();
        if (!result) break;
        after?.(at + 1, result);
      }
    } finally {
      this.silent = false;
    }
  }

  checkpointAtOrBefore(step: number): { step: number; state: MachineState } {
    let lo = 0;
    let hi = this.checkpoints.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.checkpoints[mid].step <= step) lo = mid;
      else hi = mid - 1;
    }
    return this.checkpoints[lo];
  }

  /** Snapshot positions at or before `step`, newest first (for scanning history backwards interval by interval). */
  checkpointsBefore(step: number): number[] {
    return this.checkpoints.filter((c) => c.step < step).map((c) => c.step).reverse();
  }

  /** Forgets everything after the current position; the state here (perhaps edited) becomes a snapshot. */
  fork(): void {
    const here = this.position;
    this.headStep = here;
    this.checkpoints = this.checkpoints.filter((c) => c.step < here);
    this.checkpoints.push({ step: here, state: this.machine.snapshot() });
  }

  // ------------------------------------------------------------------------------------------ the log

  threadAt(step: number): number {
    return this.log.thread[step];
  }
  pcAt(step: number): number {
    return this.log.pc[step];
  }
  depthAt(step: number): number {
    return this.log.depth[step];
  }
  eventsBeforeStep(step: number): number {
    return step >= this.headStep ? this.machine.state.events : this.log.eventsBefore[step];
  }

  /** The position just after the unit that emitted trace event `seq`. */
  positionAfterEvent(seq: number): number | undefined {
    if (seq < 0 || seq >= this.eventsBeforeStep(this.headStep)) return undefined;
    let lo = 0;
    let hi = this.headStep - 1;
    // the last unit whose eventsBefore <= seq emitted it
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.log.eventsBefore[mid] <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Bytes the history holds (snapshots are estimated by their vCPU and device count). */
  memoryEstimate(): { units: number; checkpoints: number } {
    return { units: this.headStep, checkpoints: this.checkpoints.length };
  }
}
