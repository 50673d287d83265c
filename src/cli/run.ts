import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { describeEvent, eventSource, formatTime } from '../sim/describe-event';
import { Machine } from '../sim/machine';
import { judge } from '../sim/verdict';
import { eventToJson, TraceEvent } from '../sim/trace';
import { Io, UsageError } from './main';
import { loadScenario } from './load';
import { readArgs, required, runFlag, RunFlags } from './args';
import * as fs from 'fs';
import { parseReplay, ReplayFile, replayMachine, scenarioHash } from '../sim/explore/replay';

export function readReplay(file: string): ReplayFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const parsed = parseReplay(text);
  if ('error' in parsed) throw new UsageError(`${file}: ${parsed.error}`);
  return parsed;
}

/** A run that does not end by itself stops here, so a loop without an exit cannot hang CI. */
export const DEFAULT_MAX_STEPS = 50_000_000;

interface RunOptions extends RunFlags {
  file: string;
  format: 'text' | 'json';
  /** a replay file from `sflow explore`: follow its path */
  replay?: string;
}

function parseRunArgs(args: string[]): RunOptions {
  const options: Partial<RunOptions> = { seed: 0, maxSteps: DEFAULT_MAX_STEPS, format: 'text' };
  const runFlags = runFlag(options);
  options.file = readArgs('run', args, (flag, value) => {
    if (flag === '--replay') options.replay = required('--replay', value(), 'a replay file');
    else if (flag === '--format') {
      const f = value();
      if (f !== 'text' && f !== 'json') throw new UsageError("--format is 'text' or 'json'");
      options.format = f;
    } else return runFlags(flag, value);
    return true;
  });
  if (!options.file && !options.replay) throw new UsageError('run needs a scenario file');
  return options as RunOptions;
}

export function runCommand(args: string[], io: Io): number {
  const options = parseRunArgs(args);
  const replay = options.replay ? readReplay(options.replay) : undefined;
  if (replay) {
    options.file ??= replay.scenario;
    options.seed = replay.seed;
  }
  const checked = loadScenario(options.file);
  for (const d of checked.diagnostics) io.err(formatDiagnostic(d));
  if (hasErrors(checked.diagnostics)) return 2;
  if (replay && replay.scenarioHash && replay.scenarioHash !== scenarioHash(fs.readFileSync(options.file, 'utf8'))) {
    io.err(`sflow: warning: ${options.file} changed since ${options.replay} was written; the replay may take another path`);
  }

  const machine = replay ? replayMachine(checked.program, replay) : new Machine(checked.program, { seed: options.seed });
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
