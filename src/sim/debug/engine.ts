// Running with stops, forwards and backwards, over a Timeline. What stops a run is a list of probes: checked before
// a unit runs (a line, a PSCI call about to be made, a step landing) or after it (an exit to the VMM, a watched value
// changing, an invariant breaking). The debug adapter builds the probes from DAP requests; this file only runs them.

import { Unit, Outcome } from '../machine';
import { Timeline, UnitResult, HOST_THREAD } from '../timeline';
import { ExceptionHit } from './exceptions';

export type StopReason =
  'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'exception' | 'step' | 'entry' | 'pause' | 'goto';

export interface Hit {
  reason: StopReason;
  /** the thread to show as stopped */
  thread: number;
  /** one line of detail (what the breakpoint matched, the value that changed, the violation) */
  description?: string;
  breakpointIds?: number[];
  exception?: ExceptionHit;
  /** the VM the stop is about, when its thread is the host's (a violation the host's suspend caused) */
  vm?: number;
  /** the thread whose unit caused the stop, when it is not the thread shown (the host, for a violation of its own) */
  cause?: number;
  /**
   * The virtual time the stop shows: a stop before a unit is at the moment that unit executes (every unit due
   * before it has run); a stop after one is at the moment it ran. Set by the engine; undefined means the machine's.
   */
  time?: number;
}

export interface ProbeContext {
  t: Timeline;
  /** true while scanning history backwards: probes must not count hits or print log messages */
  reverse: boolean;
}

/** Checks before or after each unit; a hit it returns is a new object (the engine completes it with the time). */
export interface Probe {
  before?(unit: Unit, ctx: ProbeContext): Hit | undefined;
  after?(result: UnitResult, ctx: ProbeContext): Hit | undefined;
}

export type RunResult =
  { kind: 'hit'; hit: Hit } | { kind: 'end'; outcome: Outcome } | { kind: 'budget' } | { kind: 'time-limit' };

function firstBefore(probes: readonly Probe[], unit: Unit, ctx: ProbeContext): Hit | undefined {
  for (const p of probes) {
    const h = p.before?.(unit, ctx);
    // Set on the probe's own (fresh) hit: scans backwards make one per statement, and a copy per hit costs there.
    if (h) {
      h.time ??= unit.time;
      return h;
    }
  }
  return undefined;
}

function firstAfter(probes: readonly Probe[], result: UnitResult, ctx: ProbeContext): Hit | undefined {
  for (const p of probes) {
    const h = p.after?.(result, ctx);
    if (h) {
      h.time ??= ctx.t.machine.state.now;
      return h;
    }
  }
  return undefined;
}

/**
 * Runs forward until a probe hits, the run ends, virtual time reaches `untilTime`, or `budget` units ran (so the
 * caller can yield to incoming requests such as pause). Before-probes are not checked at the starting position:
 * continuing from a breakpoint first runs the statement it stopped at.
 */
export function runForward(
  t: Timeline,
  probes: readonly Probe[],
  budget: number,
  options: { skipFirstBefore: boolean; untilTime?: number },
): RunResult {
  const ctx: ProbeContext = { t, reverse: false };
  let first = options.skipFirstBefore;
  for (let n = 0; n < budget; n++) {
    const unit = t.machine.peek();
    if (!unit) return { kind: 'end', outcome: t.machine.outcome() };
    if (options.untilTime !== undefined && unit.time >= options.untilTime) return { kind: 'time-limit' };
    if (!first) {
      const hit = firstBefore(probes, unit, ctx);
      if (hit) return { kind: 'hit', hit };
    }
    first = false;
    const result = t.forward()!;
    const hit = firstAfter(probes, result, ctx);
    if (hit) return { kind: 'hit', hit };
  }
  return { kind: 'budget' };
}

/**
 * Positions before `from` where a probe would have stopped a forward run, newest first, at most `limit` of them.
 * History is scanned one snapshot interval at a time, newest first, by replaying it; the timeline is left wherever
 * the scan ended, so the caller seeks where it wants to be next.
 */
export function findBackward(
  t: Timeline,
  probes: readonly Probe[],
  from: number,
  limit: number,
): { position: number; hit: Hit }[] {
  const scan = new BackwardScan(t, probes, from, limit);
  while (!scan.step());
  return scan.found;
}

/**
 * A scan of history backwards from a position, one snapshot interval per `step()`, newest first, so a caller can
 * yield between steps (to answer a pause, to stay responsive) when history is long. `found` holds what it found so
 * far, newest first, at most `limit`; `reached` is the earliest position scanned.
 */
export class BackwardScan {
  readonly found: { position: number; hit: Hit }[] = [];
  private readonly starts: number[];
  private next = 0;
  private end: number;
  private readonly ctx: ProbeContext;

  constructor(
    private readonly t: Timeline,
    private readonly probes: readonly Probe[],
    private readonly from: number,
    private readonly limit: number,
  ) {
    this.starts = t.checkpointsBefore(from);
    this.end = from;
    this.ctx = { t, reverse: true };
  }

  get reached(): number {
    return this.end;
  }

  /** Scans the next interval back; true when done (enough found, or the start of history reached). */
  step(): boolean {
    if (this.found.length >= this.limit || this.next >= this.starts.length) return true;
    const { t, probes, ctx, from } = this;
    const start = this.starts[this.next++];
    t.seek(start);
    const inInterval: { position: number; hit: Hit }[] = [];
    t.replayTo(
      this.end,
      (pos) => {
        const unit = t.machine.peek();
        const hit = unit && pos < from ? firstBefore(probes, unit, ctx) : undefined;
        if (hit) inInterval.push({ position: pos, hit });
      },
      (posAfter, result) => {
        const hit = posAfter < from ? firstAfter(probes, result, ctx) : undefined;
        if (hit) inInterval.push({ position: posAfter, hit });
      },
    );
    this.found.push(...inInterval.reverse().slice(0, this.limit - this.found.length));
    this.end = start;
    return this.found.length >= this.limit || this.next >= this.starts.length;
  }
}

/**
 * Reverse `next` for one thread, as a scan a caller runs a slice at a time: the latest earlier position where that
 * thread was about to run a statement at the same call depth or shallower (calls made since are stepped over
 * backwards).
 */
export function stepBackScan(t: Timeline, thread: number): BackwardScan {
  const depth = t.depthOf(thread);
  const probe: Probe = {
    before(unit) {
      if (t.threadOfUnit(unit) !== thread) return undefined;
      if (thread === HOST_THREAD) return { reason: 'step', thread };
      if (unit.kind !== 'vcpu' || !t.machine.vmConfig(unit.vm).code[unit.pc]?.stmt) return undefined;
      return t.depthOf(thread) <= depth ? { reason: 'step', thread } : undefined;
    },
  };
  return new BackwardScan(t, [probe], t.position, 1);
}

/**
 * Probes for the three forward steps of one thread. A step first completes what the thread was about to do: it
 * lands only after the thread itself ran (when the stop was on another thread, the first unit to run is not its).
 */
export function stepProbe(kind: 'next' | 'in' | 'out', thread: number, t: Timeline): Probe {
  const depth0 = t.depthOf(thread);
  let ran = false;
  return {
    after(result) {
      if (result.thread === thread) ran = true;
      return undefined;
    },
    before(unit) {
      if (!ran || t.threadOfUnit(unit) !== thread) return undefined;
      if (thread === HOST_THREAD) return { reason: 'step', thread };
      const instr = t.machine.vmConfig(unit.kind === 'vcpu' ? unit.vm : 0).code[unit.kind === 'vcpu' ? unit.pc : 0];
      if (!instr?.stmt) return undefined;
      const depth = t.depthOf(thread);
      if (kind === 'in' || (kind === 'next' && depth <= depth0) || (kind === 'out' && depth < depth0))
        return { reason: 'step', thread };
      return undefined;
    },
  };
}

/** Whether a unit is a vCPU about to run a statement a person steps to (not a jump or return the compiler added). */
export function isStatement(t: Timeline, unit: Unit): boolean {
  return unit.kind === 'vcpu' && !!t.machine.vmConfig(unit.vm).code[unit.pc]?.stmt;
}

/** Stops before the next statement any vCPU runs, on that vCPU (stepping into the guests from the host). */
export function nextStatementProbe(t: Timeline): Probe {
  return {
    before: (unit) => (isStatement(t, unit) ? { reason: 'step', thread: t.threadOfUnit(unit) } : undefined),
  };
}
