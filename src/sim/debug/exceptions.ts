// Exception breakpoints: a short list a person can read in the Breakpoints view. "Invariant violated" covers every
// invariant (src/lang/domain/invariants.ts), or only those its condition names; a failed expectation and a PSCI call
// returning an error are the others. A stop on one carries an explanation and the events that led to it.

import { INVARIANT_INFO } from '../../lang/domain/invariants';
import { didYouMean } from '../../lang/suggest';
import { describeEvent, eventSource, formatTime } from '../describe-event';
import { Machine } from '../machine';
import { TraceEvent } from '../trace';

export interface ExceptionFilter {
  id: string;
  label: string;
  description: string;
  /** on unless the user turns it off */
  default: boolean;
  /** what a condition on the filter means, for those that take one */
  conditionDescription?: string;
}

const INVARIANT_FILTER = 'invariant';

export const EXCEPTION_FILTERS: readonly ExceptionFilter[] = [
  {
    id: INVARIANT_FILTER,
    label: 'Invariant violated',
    description: `A rule of the suspend protocol broke (${INVARIANT_INFO.length} invariants: the host suspending over a running guest, MMIO to a BAR in D3, a No_Soft_Reset function losing its state, ...).`,
    default: true,
    conditionDescription: `Stop only on these invariants, separated by commas (empty: all): ${INVARIANT_INFO.map((i) => i.id).join(', ')}`,
  },
  {
    id: 'expect-failed',
    label: 'Expectation failed',
    description: 'An `expect` in the scenario did not hold.',
    default: true,
  },
  {
    id: 'psci-error',
    label: 'PSCI call returned an error',
    description: 'A PSCI call returned a negative code (NOT_SUPPORTED, DENIED, INVALID_PARAMETERS, ...).',
    default: false,
  },
];

/** What a client enabled: a filter id with an optional condition. */
export interface FilterOption {
  filterId: string;
  condition?: string;
}

/**
 * The set of things to stop on (invariant ids, `expect-failed`, `psci-error`) for the filters a client enabled, and
 * per option whether it was understood. An invariant's own id is accepted as a filter too (the one-filter-per-invariant
 * form earlier versions offered, still used by launch configurations and tests).
 */
export function enabledExceptions(options: readonly FilterOption[]): {
  enabled: Set<string>;
  results: { verified: boolean; message?: string }[];
} {
  const enabled = new Set<string>();
  const results = options.map((o) => {
    if (o.filterId === INVARIANT_FILTER) {
      const named = invariantsNamed(o.condition ?? '');
      if ('error' in named) return { verified: false, message: named.error };
      for (const id of named.ids) enabled.add(id);
      return { verified: true };
    }
    if (EXCEPTION_FILTERS.some((f) => f.id === o.filterId) || INVARIANT_INFO.some((i) => i.id === o.filterId)) {
      enabled.add(o.filterId);
      return { verified: true };
    }
    return { verified: false, message: `no exception filter '${o.filterId}'` };
  });
  return { enabled, results };
}

/** The invariant ids a condition names (all of them for an empty one). */
function invariantsNamed(condition: string): { ids: string[] } | { error: string } {
  const words = condition.split(/[\s,]+/).filter(Boolean);
  if (words.length === 0) return { ids: INVARIANT_INFO.map((i) => i.id) };
  const known = INVARIANT_INFO.map((i) => i.id);
  const unknown = words.find((w) => !known.includes(w));
  if (unknown) return { error: `no invariant '${unknown}'${didYouMean(unknown, known)}` };
  return { ids: words };
}

export interface ExceptionHit {
  filter: string;
  /** a few words for the stop (the Call Stack's badge): what kind of exception */
  label: string;
  /** one line: what broke */
  message: string;
  /** the longer story, with the events that led to it */
  details: string;
  /** the events that led to it, oldest first */
  lead: TraceEvent[];
  /** the vCPU it is about, when the unit that broke it was the host's */
  culprit?: { vm: number; vcpu: number };
}

/** The first event of a unit that one of the enabled filters stops on. */
export function matchException(
  m: Machine,
  events: TraceEvent[],
  enabled: ReadonlySet<string>,
): ExceptionHit | undefined {
  for (const e of events) {
    if (e.kind === 'violation' && enabled.has(e.invariant)) {
      const v = m.state.violations.find((x) => x.invariant === e.invariant && x.t === e.t && x.message === e.message);
      return {
        ...hit(
          m,
          e.invariant,
          'Violation',
          `${e.title}: ${e.message}`,
          INVARIANT_INFO.find((i) => i.id === e.invariant)!.description,
          v?.lead ?? [],
        ),
        culprit: v?.culprit,
      };
    }
    if (e.kind === 'expect.fail' && enabled.has('expect-failed')) {
      return hit(
        m,
        'expect-failed',
        'Expectation failed',
        `expectation failed: ${e.message}`,
        `\`expect ${e.text}\` did not hold.`,
        recentFor(m, e),
      );
    }
    if (e.kind === 'psci.return' && enabled.has('psci-error') && BigInt.asIntN(64, e.result) < 0n) {
      return hit(
        m,
        'psci-error',
        'PSCI error',
        `${e.fn} returned ${e.name}`,
        'The PSCI call returned an error code.',
        recentFor(m, e),
      );
    }
  }
  return undefined;
}

function recentFor(m: Machine, e: TraceEvent): TraceEvent[] {
  return m.state.recent.filter((x) => x.seq <= e.seq && (x.vm === e.vm || x.vm < 0)).slice(-12);
}

function hit(
  m: Machine,
  filter: string,
  label: string,
  message: string,
  description: string,
  lead: TraceEvent[],
): ExceptionHit {
  const lines = lead.map((e) => `  ${formatTime(e.t).padStart(14)}  ${eventSource(m.program, e)}: ${describeEvent(e)}`);
  return { filter, label, message, details: `${description}\n\nWhat led to it:\n${lines.join('\n')}`, lead };
}
