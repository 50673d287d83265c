// History that forks. An edit made at a past point (Set Value, writeMemory) keeps the past as it was and forgets the
// recorded future, which is recomputed from the edited state; the events the timeline view was shown from there on
// are rewritten with it.

import { TraceEvent } from '../trace';
import { Timeline } from '../timeline';
import { TimelineEvent, toTimelineEvent } from './timeline-events';

/** Every event history has, once, for the timeline view: re-running forward from the past repeats none. */
export class TimelineLog {
  private events: TimelineEvent[] = [];
  private truncatedFrom?: number;

  /** `kept`: the most events kept (the oldest go first) */
  constructor(readonly kept: number) {}

  /** Forgets the events (a restart); a rewrite not yet reported is still reported. */
  clear(): void {
    this.events = [];
  }

  /** Notes an event `t` emitted (as it ran, replayed or rewrote history after a fork; see Timeline.fork). */
  record(t: Timeline, e: TraceEvent): void {
    const last = this.events[this.events.length - 1];
    if (last && e.seq <= last.seq) {
      // An event at the frontier with a seq already seen: history forked (an edit) and is being rewritten from
      // here, so the old future goes. Behind the frontier it is a replay of what the log already has.
      if (t.position > t.head) {
        this.events = this.events.filter((x) => x.seq < e.seq);
        this.truncatedFrom = Math.min(this.truncatedFrom ?? e.seq, e.seq);
      } else return;
    }
    const te = toTimelineEvent(t.machine.program, e);
    if (!te) return;
    this.events.push(te);
    if (this.events.length > this.kept) this.events.splice(0, this.events.length - this.kept);
  }

  /**
   * The last `max` events after `since`, and the seq from which the view must drop what it has (history was
   * rewritten from there since the last call), once.
   */
  take(since: number, max: number): { events: TimelineEvent[]; truncatedFrom?: number } {
    const events = this.events.filter((e) => e.seq > since).slice(-max);
    const truncatedFrom = this.truncatedFrom;
    this.truncatedFrom = undefined;
    return { events, truncatedFrom };
  }
}
