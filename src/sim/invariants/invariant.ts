// What an invariant is: a named property of every reachable state, checked after each trace event. A check returns
// a message when the event breaks the property. The table of all of them is ./index.ts; the debugger offers one
// exception filter per row, and `explore` checks them on every path.

import type { Machine } from '../machine';
import type { TraceEvent } from '../trace';

export interface Invariant {
  /** stable id, used as the exception filter id and in reports */
  id: string;
  title: string;
  description: string;
  /** the events that can break it: it is only checked on these */
  kinds: readonly TraceEvent['kind'][];
  check(m: Machine, e: TraceEvent): string | undefined;
}

export interface Violation {
  invariant: string;
  title: string;
  message: string;
  /** the event that broke it */
  seq: number;
  t: number;
  vm: number;
  vcpu: number;
  /** the events that led to it, oldest first, ending with the breaking event */
  lead: TraceEvent[];
}
