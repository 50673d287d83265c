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
  /** the vCPU a violation is about when the event that broke it is not a vCPU's (the host's suspend): the debugger
   * shows it */
  culprit?(m: Machine, e: TraceEvent): { vm: number; vcpu: number } | undefined;
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
  /** the vCPU it is about, where that is not the breaking event's (see Invariant.culprit) */
  culprit?: { vm: number; vcpu: number };
  /** the events that led to it, oldest first, ending with the breaking event */
  lead: TraceEvent[];
}
