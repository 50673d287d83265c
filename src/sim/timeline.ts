// Time travel over a deterministic machine. A snapshot is kept every INTERVAL units; seeking to any earlier position
// restores the nearest snapshot at or before it and replays the rest, so the state there is exactly what it was:
// every register, device field and the trace hash. Nothing else is logged per unit, so a long history costs only its
// snapshots, and those are thinned out far from where the user is (a snapshot every SPARSE_INTERVAL units there, and
// never more than MAX_SPARSE of them: as history grows past that, the far ones are spaced twice as wide, so memory
// stays bounded however long a session runs, and a seek far back replays at most history / MAX_SPARSE units).
// A change made by the user (a register written from the debugger) forks history at the current position.

import { Machine, MachineOptions, Unit } from './machine';
import './reactions';
import { MachineState } from './state';
import { TraceEvent } from './trace';
import { Program } from '../lang/program';

/** Units between snapshots near the present and near where the user is: a seek there replays at most this many. */
const CHECKPOINT_INTERVAL = 512;
/** Units between the snapshots kept further away. */
const SPARSE_INTERVAL = 16 * CHECKPOINT_INTERVAL;
/** How far from the head and from the current position snapshots stay dense. */
export const DENSE_SPAN = 64 * CHECKPOINT_INTERVAL;
/** The most snapshots kept far from the head and the current position. */
const MAX_SPARSE = 1024;

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
  /** the events the unit emitted; valid until the next unit runs */
  events: TraceEvent[];
}

interface Checkpoint {
  step: number;
  /** events emitted before this position */
  events: number;
  state: MachineState;
}

export class Timeline {
  readonly machine: Machine;
  readonly threads: ThreadRef[];
  private readonly threadIndex: number[][];
  private checkpoints: Checkpoint[] = [];
  /** units recorded so far: positions 0..head are reachable */
  private headStep = 0;
  private silent = false;
  private collecting: TraceEvent[] | undefined;
  private readonly unitEvents: TraceEvent[] = [];
  private listeners: ((e: TraceEvent) => void)[] = [];

  constructor(
    program: Program,
    options: MachineOptions = {},
    private readonly interval = CHECKPOINT_INTERVAL,
    private readonly maxSparse = MAX_SPARSE,
  ) {
    this.machine = new Machine(program, options);
    this.threads = [{ vm: -1, vcpu: -1 }];
    this.threadIndex = program.vms.map((vm, vi) =>
      Array.from({ length: vm.vcpuCount }, (_, ci) => {
        this.threads.push({ vm: vi, vcpu: ci });
        return this.threads.length - 1;
      }),
    );
    this.machine.onEvent((e) => {
      this.collecting?.push(e);
      if (!this.silent) for (const l of this.listeners) l(e);
    });
    this.checkpoints.push(this.checkpointHere());
  }

  private checkpointHere(): Checkpoint {
    return { step: this.position, events: this.machine.state.events, state: this.machine.snapshot() };
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
    // One array for every unit's events: callers read them before the next unit runs.
    const events = this.unitEvents;
    events.length = 0;
    this.collecting = events;
    const pc = m.execute(unit);
    this.collecting = undefined;
    if (step === this.headStep) this.grow();
    else if (this.silent && (step + 1) % this.interval === 0) this.densify();
    return { unit, thread, pc, events };
  }

  private grow(): void {
    this.headStep++;
    if (this.headStep % this.interval !== 0) return;
    this.checkpoints.push(this.checkpointHere());
    if ((this.headStep / this.interval) % 64 === 0) this.thin();
  }

  /**
   * Replaying through a sparse stretch: keep a snapshot here so moving around nearby stays cheap. A scan back over a
   * long history passes through every stretch: the snapshots it leaves far behind are thinned again as it goes.
   */
  private densify(): void {
    const here = this.position;
    const i = this.indexAtOrBefore(here);
    if (this.checkpoints[i].step === here) return;
    this.checkpoints.splice(i + 1, 0, this.checkpointHere());
    if (this.checkpoints.length > this.maxSparse + 4 * (DENSE_SPAN / this.interval) + 64) this.thin();
  }

  /**
   * Drops snapshots far from both the head and the current position, down to one every SPARSE_INTERVAL, or wider
   * (a power of two times that) so that at most maxSparse of them stay.
   */
  private thin(): void {
    const head = this.headStep;
    const here = this.position;
    let sparse = SPARSE_INTERVAL;
    while (head / sparse > this.maxSparse) sparse *= 2;
    this.checkpoints = this.checkpoints.filter(
      (c) =>
        c.step === 0 || c.step % sparse === 0 || head - c.step <= DENSE_SPAN || Math.abs(here - c.step) <= DENSE_SPAN,
    );
  }

  /** Moves to any position in 0..head, restoring a snapshot and replaying silently. */
  seek(step: number): void {
    if (step < 0 || step > this.headStep)
      throw new RangeError(`position ${step} is outside recorded history 0..${this.headStep}`);
    const here = this.position;
    if (step === here) return;
    const cp = this.checkpointAtOrBefore(step);
    // Running on from here is cheaper when the target is ahead and no snapshot lies in between.
    if (!(step > here && cp.step <= here)) this.machine.restore(cp.state);
    this.replayTo(step);
  }

  /** Replays silently up to `step`, calling `visit` before each unit with its position (for scans). */
  replayTo(
    step: number,
    visit?: (position: number) => void,
    after?: (position: number, result: UnitResult) => void,
    done?: () => boolean,
  ): void {
    this.silent = true;
    try {
      while (this.position < step && !done?.()) {
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

  private indexAtOrBefore(step: number): number {
    let lo = 0;
    let hi = this.checkpoints.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.checkpoints[mid].step <= step) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  checkpointAtOrBefore(step: number): Checkpoint {
    return this.checkpoints[this.indexAtOrBefore(step)];
  }

  /** Snapshot positions at or before `step`, newest first (for scanning history backwards interval by interval). */
  checkpointsBefore(step: number): number[] {
    return this.checkpoints
      .filter((c) => c.step < step)
      .map((c) => c.step)
      .reverse();
  }

  /** Forgets everything after the current position; the state here (perhaps edited) becomes a snapshot. */
  fork(): void {
    const here = this.position;
    this.headStep = here;
    this.checkpoints = this.checkpoints.filter((c) => c.step < here);
    this.checkpoints.push(this.checkpointHere());
  }

  /** The position just after the unit that emitted trace event `seq` (found by replaying its interval). */
  positionAfterEvent(seq: number): number | undefined {
    if (seq < 0) return undefined;
    const here = this.position;
    let lo = 0;
    let hi = this.checkpoints.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.checkpoints[mid].events <= seq) lo = mid;
      else hi = mid - 1;
    }
    this.seek(this.checkpoints[lo].step);
    let found: number | undefined;
    this.replayTo(
      this.headStep,
      undefined,
      (after) => {
        if (found === undefined && this.machine.state.events > seq) found = after;
      },
      () => found !== undefined,
    );
    this.seek(here);
    return found;
  }

  /** How much history is kept. */
  stats(): { units: number; checkpoints: number } {
    return { units: this.headStep, checkpoints: this.checkpoints.length };
  }
}
