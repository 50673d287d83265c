// Exception breakpoints: one filter per invariant, plus a failed expectation and a PSCI call returning an error.
// A stop on one carries an explanation and the events that led to it.

import { INVARIANT_INFO } from '../../lang/domain/invariants';
import { describeEvent, eventSource, formatTime } from '../describe-event';
import { Machine } from '../machine';
import { TraceEvent } from '../trace';

export interface ExceptionFilter {
  id: string;
  label: string;
  description: string;
  /** on unless the user turns it off */
  default: boolean;
}

export const EXCEPTION_FILTERS: readonly ExceptionFilter[] = [
  ...INVARIANT_INFO.map((i) => ({ id: i.id, label: i.title, description: i.description, default: true })),
  { id: 'expect-failed', label: 'Expectation failed', description: 'An `expect` in the scenario did not hold.', default: true },
  { id: 'psci-error', label: 'PSCI call returned an error', description: 'A PSCI call returned a negative code (NOT_SUPPORTED, DENIED, INVALID_PARAMETERS, ...).', default: false },
];

export interface ExceptionHit {
  filter: string;
  /** one line: what broke */
  message: string;
  /** the longer story, with the events that led to it */
  details: string;
  /** the events that led to it, oldest first */
  lead: TraceEvent[];
}

/** The first event of a unit that one of the enabled filters stops on. */
export function matchException(m: Machine, events: TraceEvent[], enabled: ReadonlySet<string>): ExceptionHit | undefined {
  for (const e of events) {
    if (e.kind === 'violation' && enabled.has(e.invariant)) {
      const v = m.state.violations.find((x) => x.invariant === e.invariant && x.t === e.t && x.message === e.message);
      return hit(m, e.invariant, `${e.title}: ${e.message}`, INVARIANT_INFO.find((i) => i.id === e.invariant)!.description, v?.lead ?? []);
    }
    if (e.kind === 'expect.fail' && enabled.has('expect-failed')) {
      return hit(m, 'expect-failed', `expectation failed: ${e.message}`, `\`expect ${e.text}\` did not hold.`, recentFor(m, e));
    }
    if (e.kind === 'psci.return' && enabled.has('psci-error') && BigInt.asIntN(64, e.result) < 0n) {
      return hit(m, 'psci-error', `${e.fn} returned ${e.name}`, 'The PSCI call returned an error code.', recentFor(m, e));
    }
  }
  return undefined;
}

function recentFor(m: Machine, e: TraceEvent): TraceEvent[] {
  return m.state.recent.filter((x) => x.seq <= e.seq && (x.vm === e.vm || x.vm < 0)).slice(-12);
}

function hit(m: Machine, filter: string, message: string, description: string, lead: TraceEvent[]): ExceptionHit {
  const lines = lead.map((e) => `  ${formatTime(e.t).padStart(14)}  ${eventSource(m.program, e)}: ${describeEvent(e)}`);
  return { filter, message, details: `${description}\n\nWhat led to it:\n${lines.join('\n')}`, lead };
}
