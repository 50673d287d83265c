import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { describeEvent, eventSource, formatTime } from '../sim/describe-event';
import { Machine, StopReason } from '../sim/machine';
import { eventToJson, TraceEvent } from '../sim/trace';
import { Io, UsageError } from './main';
import { loadScenario, parseIntArg, parseTime } from './load';

/** A run that does not end by itself stops here, so a loop without an exit cannot hang CI. */
export const DEFAULT_MAX_STEPS = 50_000_000;

interface RunOptions {
  file: string;
  seed: number;
  until?: number;
  maxSteps: number;
  format: 'text' | 'json';
}

function parseRunArgs(args: string[]): RunOptions {
  const options: Partial<RunOptions> = { seed: 0, maxSteps: DEFAULT_MAX_STEPS, format: 'text' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case '--seed':
        options.seed = parseIntArg('--seed', value());
        break;
      case '--until': {
        const v = value();
        if (v === undefined) throw new UsageError('--until needs a time');
        options.until = parseTime(v);
        break;
      }
      case '--max-steps':
        options.maxSteps = parseIntArg('--max-steps', value());
        break;
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json') throw new UsageError("--format is 'text' or 'json'");
        options.format = f;
        break;
      }
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        if (options.file) throw new UsageError(`run takes one scenario file (got ${options.file} and ${a})`);
        options.file = a;
    }
  }
  if (!options.file) throw new UsageError('run needs a scenario file');
  return options as RunOptions;
}

export function runCommand(args: string[], io: Io): number {
  const options = parseRunArgs(args);
  const checked = loadScenario(options.file);
  for (const d of checked.diagnostics) io.err(formatDiagnostic(d));
  if (hasErrors(checked.diagnostics)) return 2;

  const machine = new Machine(checked.program, { seed: options.seed });
  const events: TraceEvent[] = [];
  if (options.format === 'json') machine.onEvent((e) => events.push(e));
  else {
    const width = Math.max(4, ...checked.program.vms.map((vm) => vm.name.length + 6));
    machine.onEvent((e) => io.out(`${formatTime(e.t).padStart(16)}  ${eventSource(checked.program, e).padEnd(width)}  ${describeEvent(e)}`));
  }
  const stop = machine.run({ untilTime: options.until, maxSteps: options.maxSteps });
  const verdict = judge(machine, stop);

  if (options.format === 'json') {
    io.out(JSON.stringify({
      scenario: options.file, seed: options.seed, traceHash: machine.traceHash(), endTime: machine.state.now,
      result: verdict.ok ? 'pass' : 'fail', summary: verdict.summary, events: events.map(eventToJson),
    }, null, 2));
  } else {
    io.out(`-- ${verdict.summary}`);
  }
  return verdict.ok ? 0 : 1;
}

function judge(m: Machine, stop: StopReason): { ok: boolean; summary: string } {
  const s = m.state;
  const problems: string[] = [];
  if (s.expectFailures) problems.push(`${s.expectFailures} expectation${s.expectFailures === 1 ? '' : 's'} failed`);
  const faulted = s.vms.flatMap((vm, vi) => vm.vcpus.map((v, ci) => (v.run === 'faulted' ? `${m.vcpuName(vi, ci)}: ${v.fault}` : ''))).filter(Boolean);
  if (faulted.length) problems.push(`faulted: ${faulted.join('; ')}`);
  const expected = m.program.expectedViolations.map((v) => v.id);
  const seen = new Set(s.violations.map((v) => v.invariant));
  const unexpected = s.violations.filter((v) => !expected.includes(v.invariant));
  if (unexpected.length) problems.push(`invariant violated: ${unexpected.map((v) => `${v.invariant} (${v.message})`).join('; ')}`);
  const missing = expected.filter((id) => !seen.has(id));
  if (missing.length) problems.push(`expected violation did not happen: ${missing.join(', ')}`);
  let how: string;
  switch (stop.kind) {
    case 'outcome':
      if (stop.outcome.kind === 'hang') {
        problems.push(`hang: ${stop.outcome.waiting.join('; ')}`);
        how = 'stopped';
      } else how = 'finished';
      break;
    case 'time-limit':
      how = `stopped at --until`;
      break;
    case 'step-limit':
      problems.push(`did not finish within ${stop.steps} steps (use --max-steps or --until)`);
      how = 'stopped';
      break;
    default:
      how = 'stopped';
  }
  const shown = expected.filter((id) => seen.has(id));
  const head = `${how} at ${formatTime(s.now)}, ${s.events} events, trace ${m.traceHash()}${shown.length ? `, expected violation${shown.length === 1 ? '' : 's'} ${shown.join(', ')} shown` : ''}`;
  return { ok: problems.length === 0, summary: problems.length ? `${head}: FAIL: ${problems.join('; ')}` : `${head}: PASS` };
}
