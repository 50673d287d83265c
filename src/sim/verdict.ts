// The verdict of a run: what went wrong, in words, and the one-line summary the CLI prints. Shared by `sflow run`,
// `sflow test` and explore's paths so they can never disagree about what passing means.

import { formatTime } from './describe-event';
import { Machine, StopReason } from './machine';
import { TraceEvent } from './trace';

export interface Verdict {
  ok: boolean;
  problems: string[];
  summary: string;
}

/** Problems visible in the state so far: failed expectations, faulted vCPUs, violations not declared expected. */
export function stateProblems(m: Machine): string[] {
  const s = m.state;
  const problems: string[] = [];
  if (s.expectFailures) {
    // Name the latest one (the recent events still hold it in any run a person reads).
    const last = [...s.recent].reverse().find((e) => e.kind === 'expect.fail') as (TraceEvent & { kind: 'expect.fail' }) | undefined;
    problems.push(`${s.expectFailures} expectation${s.expectFailures === 1 ? '' : 's'} failed${last ? ` (${last.message})` : ''}`);
  }
  const faulted = s.vms.flatMap((vm, vi) => vm.vcpus.map((v, ci) => (v.run === 'faulted' ? `${m.vcpuName(vi, ci)}: ${v.fault}` : ''))).filter(Boolean);
  if (faulted.length) problems.push(`faulted: ${faulted.join('; ')}`);
  const expected = m.program.expectedViolations.map((v) => v.id);
  const unexpected = s.violations.filter((v) => !expected.includes(v.invariant));
  if (unexpected.length) problems.push(`invariant violated: ${unexpected.map((v) => `${v.invariant} (${v.message})`).join('; ')}`);
  return problems;
}

/** How a run stopped, as a problem if it did not end properly. */
export function stopProblem(stop: StopReason): string | undefined {
  if (stop.kind === 'outcome' && stop.outcome.kind === 'hang') return `hang: ${stop.outcome.waiting.join('; ')}`;
  if (stop.kind === 'step-limit') return `did not finish within ${stop.steps} steps (use --max-steps or --until)`;
  return undefined;
}

export function judge(m: Machine, stop: StopReason): Verdict {
  const s = m.state;
  const problems = stateProblems(m);
  const expected = m.program.expectedViolations.map((v) => v.id);
  const seen = new Set(s.violations.map((v) => v.invariant));
  const missing = expected.filter((id) => !seen.has(id));
  if (missing.length) problems.push(`expected violation did not happen: ${missing.join(', ')}`);
  const stopped = stopProblem(stop);
  if (stopped) problems.push(stopped);
  const how = stop.kind === 'outcome' && stop.outcome.kind === 'finished' ? 'finished' : stop.kind === 'time-limit' ? 'stopped at --until' : 'stopped';
  const shown = expected.filter((id) => seen.has(id));
  const head = `${how} at ${formatTime(s.now)}, ${s.events} events, trace ${m.traceHash()}${shown.length ? `, expected violation${shown.length === 1 ? '' : 's'} ${shown.join(', ')} shown` : ''}`;
  return { ok: problems.length === 0, problems, summary: problems.length ? `${head}: FAIL: ${problems.join('; ')}` : `${head}: PASS` };
}
