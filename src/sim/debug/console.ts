// The debug console's own commands: `trace [N]`, `explain`, `where`, `help`. Anything else typed there is an expression
// of the language, which the adapter evaluates.

import { describeEvent, eventSource, formatTime } from '../describe-event';
import { Timeline } from '../timeline';
import { ExceptionHit } from './exceptions';

/** The commands' names, offered by the console's completion. */
export const CONSOLE_COMMANDS: readonly string[] = ['trace', 'explain', 'where', 'help'];

/** What a command reads besides the timeline: the exception last stopped on and the time the stop shows. */
export interface ConsoleContext {
  lastException?: ExceptionHit;
  presentTime: number;
}

/** The answer to a console command, or undefined when `text` is not one. */
export function consoleCommand(t: Timeline, text: string, ctx: ConsoleContext): string | undefined {
  const m = t.machine;
  const trace = /^trace(?:\s+(\d+))?$/.exec(text);
  if (trace) {
    const n = Math.min(Number(trace[1] ?? 20), m.state.recent.length);
    return (
      m.state.recent
        .slice(-n)
        .map((e) => `${formatTime(e.t).padStart(14)}  ${eventSource(m.program, e)}: ${describeEvent(e)}`)
        .join('\n') || '(no events yet)'
    );
  }
  if (text === 'explain') {
    if (ctx.lastException) return `${ctx.lastException.message}\n\n${ctx.lastException.details}`;
    const v = m.state.violations[m.state.violations.length - 1];
    return v ? `${v.title}: ${v.message}` : 'nothing to explain: no exception or violation so far';
  }
  if (text === 'where')
    return `step ${t.position} of ${t.head} recorded, ${formatTime(ctx.presentTime)}, trace hash ${m.traceHash()}`;
  if (text === 'help')
    return 'commands: trace [N] (the last N events), explain (the last exception), where (position in history); anything else is an expression of the language (gpu.pmcsr.state, vcpu1.power, x0 == SUCCESS)';
  return undefined;
}
