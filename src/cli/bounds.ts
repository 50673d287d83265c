// The bounds of a CLI run besides virtual time (--until): units (--max-steps), wall-clock time (--max-seconds) and
// output (--max-output). Machine.run knows the first two it is given; the wall clock and the output are checked here,
// around it, so explore and the debugger (which drive Machine.run themselves) are untouched. Whichever bound stops a
// run is named in its verdict with how to raise it (verdict.ts stopProblem).

import { Machine, RunLimits } from '../sim/machine';
import { RunStop } from '../sim/verdict';
import { UsageError } from './errors';

/** A run that does not end by itself stops after this many units, so a loop without an exit cannot hang CI. */
export const DEFAULT_MAX_STEPS = 50_000_000;
/** ... or after this many seconds of wall-clock time, whichever comes first (many vCPUs make units slow). */
export const DEFAULT_MAX_SECONDS = 60;
/** ... or once it has written this much (the text timeline, the JSON, the export). */
export const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

/** `--max-seconds 30`, `0.5`; 0 means no bound. */
export function parseSeconds(flag: string, text: string | undefined): number {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text))
    throw new UsageError(`${flag} needs a number of seconds (0 for no bound)`);
  return Number(text);
}

/** `--max-output 64M`: bytes, with K, M or G (KiB, MiB, GiB; `64MiB` and `64MB` read the same); 0 means no bound. */
export function parseSize(flag: string, text: string | undefined): number {
  const m = text === undefined ? null : /^(\d+)\s*(?:([KMG])(?:i?B)?|B)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag} is a size in bytes, such as 1000000, 64K, 64M or 1G (0 for no bound)`);
  const scale = m[2] ? { K: 1 << 10, M: 1 << 20, G: 1 << 30 }[m[2].toUpperCase() as 'K'] : 1;
  return Number(m[1]) * scale;
}

/**
 * Counts what a run writes. Once it reaches the limit the run stops before its next unit: what was written up to
 * there is kept whole (the lines of the unit that reached it, a JSON document closed), so the output passes the
 * limit by at most what one unit (or one batch of an export) writes.
 */
export class OutputBudget {
  written = 0;
  constructor(readonly limit: number) {}

  charge(bytes: number): void {
    this.written += bytes;
  }

  get full(): boolean {
    return this.limit > 0 && this.written >= this.limit;
  }
}

export interface Bounds extends RunLimits {
  /** wall-clock seconds; 0 or undefined: none */
  maxSeconds?: number;
  /** what the run writes, if it is bounded */
  output?: OutputBudget;
}

/** Units between looks at the clock: a unit takes a microsecond or so, even with hundreds of vCPUs well under 1 ms. */
const CLOCK_EVERY = 64;

/**
 * Machine.run within every bound. `stopBefore` (checked before each unit, as Machine.run's) ends the run as a
 * `predicate` stop; a bound ends it as what it is: `wall-clock`, `output-limit`, or Machine.run's own.
 */
export function runBounded(machine: Machine, bounds: Bounds, stopBefore?: () => boolean): RunStop {
  const deadline = bounds.maxSeconds ? Date.now() + bounds.maxSeconds * 1000 : Infinity;
  let units = 0;
  let why: RunStop | undefined;
  const stop = machine.run({ untilTime: bounds.untilTime, maxSteps: bounds.maxSteps }, () => {
    if (stopBefore?.()) return true;
    if (bounds.output?.full) {
      why = { kind: 'output-limit', bytes: bounds.output.limit };
      return true;
    }
    if (++units % CLOCK_EVERY === 0 && Date.now() >= deadline) {
      why = { kind: 'wall-clock', seconds: bounds.maxSeconds! };
      return true;
    }
    return false;
  });
  return stop.kind === 'predicate' && why ? why : stop;
}
