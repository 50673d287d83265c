// `sflow run FILE`: runs a scenario and prints its timeline as it goes (text: a line per event; json: the run's
// document, written as the run goes). `--replay FILE` follows a path explore wrote, stops where explore stopped it
// and checks that it is that path: a replay that departs from its recording is an error (exit 2), not a verdict.

import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { describeEvent, eventSource, formatTime } from '../sim/describe-event';
import { Machine } from '../sim/machine';
import '../sim/reactions';
import { judge } from '../sim/verdict';
import { Io } from './io';
import { UsageError } from './errors';
import { loadScenario } from './load';
import { defaultRunFlags, readArgs, required, runFlag, RunFlags } from './args';
import { parseReplay, ReplayCheck, ReplayFile, replayOptions, scenarioHash, uncheckable } from '../sim/explore/replay';
import { FileError, readTextFile, REPLAY_MAX_BYTES } from './files';
import { printable, shownPath } from './text';
import { OutputBudget, runBounded } from './bounds';
import { JsonRunDocument, LineWriter } from './stream';

/**
 * A replay file, read and checked; a one-line error (never the usage) when it cannot be. A file that does not
 * record where explore stopped its path (`steps`, `traceHash`, `end`: an older sflow wrote it, or it was edited)
 * is refused: a run could not be checked to follow it.
 */
function readReplay(file: string): ReplayFile {
  const text = readTextFile(file, { what: 'replay file', maxBytes: REPLAY_MAX_BYTES });
  const parsed = parseReplay(text);
  if ('error' in parsed) throw new FileError(`${shownPath(file)}: ${parsed.error}`, file);
  const unchecked = uncheckable(parsed);
  if (unchecked) throw new FileError(`${shownPath(file)}: ${unchecked}`, file);
  return parsed;
}

interface RunOptions extends RunFlags {
  file: string;
  format: 'text' | 'json';
  /** a replay file from `sflow explore`: follow its path */
  replay?: string;
}

function parseRunArgs(args: string[]): RunOptions {
  const options: Partial<RunOptions> = { ...defaultRunFlags(), format: 'text' };
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
  for (const d of checked.diagnostics) io.err(printable(formatDiagnostic(d)));
  if (hasErrors(checked.diagnostics)) return 2;
  if (replay && replay.scenarioHash && replay.scenarioHash !== scenarioHash(checked.text)) {
    io.err(
      `sflow: warning: ${shownPath(options.file)} changed since ${shownPath(options.replay!)} was written; the replay may take another path`,
    );
  }

  const program = checked.program;
  const check = replay ? new ReplayCheck(replay) : undefined;
  const machine = new Machine(program, check ? replayOptions(replay!, check) : { seed: options.seed });
  check?.attach(machine);

  const out = new LineWriter((text) => io.out(text), new OutputBudget(options.maxOutput));
  let json: JsonRunDocument | undefined;
  if (options.format === 'json') {
    json = new JsonRunDocument(out, { scenario: options.file, seed: options.seed });
    machine.onEvent((e) => json!.event(e));
  } else {
    const width = Math.max(4, ...program.vms.map((vm) => vm.name.length + 6));
    machine.onEvent((e) =>
      out.line(
        printable(`${formatTime(e.t).padStart(16)}  ${eventSource(program, e).padEnd(width)}  ${describeEvent(e)}`),
      ),
    );
  }
  // A replay stops where explore stopped the path (the problem), or where it leaves its recording.
  const stopped = runBounded(
    machine,
    { untilTime: options.until, maxSteps: options.maxSteps, maxSeconds: options.maxSeconds, output: out.budget },
    check ? () => check.departed || check.atEnd(machine) : undefined,
  );
  const stop = check ? check.endStop(stopped, machine) : stopped;
  const report = check?.finish(machine);
  const verdict = judge(machine, stop);
  const departure =
    report && !report.faithful
      ? `${shownPath(options.replay!)}: the replay departs from its recording: ${printable(report.message)}`
      : undefined;

  if (json) {
    json.endEvents();
    json.finish({
      traceHash: machine.traceHash(),
      endTime: machine.state.now,
      result: departure ? 'error' : verdict.ok ? 'pass' : 'fail',
      summary: departure ?? verdict.summary,
      replay: report
        ? {
            file: options.replay,
            faithful: report.faithful,
            ...(report.faithful ? { checked: report.message } : { departure: report.message }),
          }
        : undefined,
    });
  } else {
    if (report?.faithful && report.hashChecked) out.line(`-- ${printable(report.message)}`, false);
    out.line(
      departure
        ? `-- stopped at ${formatTime(machine.state.now)}, ${machine.state.events} events, trace ${machine.traceHash()}: not the recorded path`
        : `-- ${printable(verdict.summary)}`,
      false,
    );
    out.flush();
  }
  if (departure) {
    io.err(`sflow: ${departure}`);
    return 2;
  }
  return verdict.ok ? 0 : 1;
}
