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
    const last = [...s.recent].reverse().find((e) => e.kind === 'expect.fail') as
      (TraceEvent & { kind: 'expect.fail' }) | undefined;
    problems.push(
      `${s.expectFailures} expectation${s.expectFailures === 1 ? '' : 's'} failed${last ? ` (${last.message})` : ''}`,
    );
  }
  const faulted = s.vms
    .flatMap((vm, vi) => vm.vcpus.map((v, ci) => (v.run === 'faulted' ? `${m.vcpuName(vi, ci)}: ${v.fault}` : '')))
    .filter(Boolean);
  if (faulted.length) problems.push(`faulted: ${faulted.join('; ')}`);
  const expected = m.program.expectedViolations.map((v) => v.id);
  const unexpected = s.violations.filter((v) => !expected.includes(v.invariant));
  if (unexpected.length)
    problems.push(`invariant violated: ${unexpected.map((v) => `${v.invariant} (${v.message})`).join('; ')}`);
  return problems;
}

/**
 * How a run stopped: Machine.run's reasons, and the bounds the CLI keeps around it (src/cli/bounds.ts): the wall
 * clock (`--max-seconds`) and the output (`--max-output`).
 */
export type RunStop = StopReason | { kind: 'wall-clock'; seconds: number } | { kind: 'output-limit'; bytes: number };

/** How a run stopped, as a problem if it did not end properly; a bound that stopped it says how to raise it. */
export function stopProblem(stop: RunStop): string | undefined {
  if (stop.kind === 'outcome' && stop.outcome.kind === 'hang') return `hang: ${stop.outcome.waiting.join('; ')}`;
  if (stop.kind === 'step-limit') return `did not finish within ${stop.steps} steps (use --max-steps or --until)`;
  if (stop.kind === 'wall-clock')
    return `did not finish within ${stop.seconds} s of wall-clock time (raise the bound with --max-seconds N, 0 for none, or stop earlier with --until TIME)`;
  if (stop.kind === 'output-limit')
    return `stopped after ${sizeText(stop.bytes)} of output (raise the bound with --max-output SIZE, 0 for none, or stop earlier with --until TIME)`;
  return undefined;
}

function sizeText(bytes: number): string {
  const unit = (
    [
      [1 << 30, 'GiB'],
      [1 << 20, 'MiB'],
      [1 << 10, 'KiB'],
    ] as const
  ).find(([size]) => bytes >= size && bytes % size === 0);
  return unit ? `${bytes / unit[0]} ${unit[1]}` : `${bytes} bytes`;
}

export function judge(m: Machine, stop: RunStop): Verdict {
  const s = m.state;
  const problems = stateProblems(m);
  const expected = m.program.expectedViolations.map((v) => v.id);
  const seen = new Set(s.violations.map((v) => v.invariant));
  const missing = expected.filter((id) => !seen.has(id));
  if (missing.length) problems.push(`expected violation did not happen: ${missing.join(', ')}`);
  const stopped = stopProblem(stop);
  if (stopped) problems.push(stopped);
  const how =
    stop.kind === 'outcome' && stop.outcome.kind === 'finished'
      ? 'finished'
      : stop.kind === 'time-limit'
        ? 'stopped at --until'
        : 'stopped';
  const shown = expected.filter((id) => seen.has(id));
  const head = `${how} at ${formatTime(s.now)}, ${s.events} events, trace ${m.traceHash()}${shown.length ? `, expected violation${shown.length === 1 ? '' : 's'} ${shown.join(', ')} shown` : ''}`;
  return {
    ok: problems.length === 0,
    problems,
    summary: problems.length ? `${head}: FAIL: ${problems.join('; ')}` : `${head}: PASS`,
  };
}
