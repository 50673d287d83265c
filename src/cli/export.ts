// `sflow export`: runs a scenario and writes its trace for other tools. `perfetto` is the Chrome trace-event JSON
// that ui.perfetto.dev and chrome://tracing open; `json` is what `sflow run --format json` prints plus the lanes
// (each vCPU's, device's and the host's states as intervals).

import * as fs from 'fs';
import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { Program } from '../lang/program';
import { chromeTraceText, toChromeTrace } from '../sim/export/chrome-trace';
import { laneStates } from '../sim/export/lane-states';
import { Machine } from '../sim/machine';
import { eventToJson, TraceEvent } from '../sim/trace';
import { judge, Verdict } from '../sim/verdict';
import { Io, UsageError } from './main';
import { loadScenario } from './load';
import { readArgs, required, runFlag } from './args';
import { DEFAULT_MAX_STEPS } from './run';

export const EXPORT_FORMATS = ['perfetto', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface ExportOptions {
  file: string;
  format: ExportFormat;
  seed: number;
  until?: number;
  maxSteps: number;
  /** stdout when absent */
  out?: string;
}

function parseExportArgs(args: string[]): ExportOptions {
  const options: Partial<ExportOptions> = { format: 'perfetto', seed: 0, maxSteps: DEFAULT_MAX_STEPS };
  const runFlags = runFlag(options);
  options.file = readArgs('export', args, (flag, value) => {
    if (flag === '--format') {
      const f = value();
      if (!EXPORT_FORMATS.includes(f as ExportFormat)) throw new UsageError(`--format is ${EXPORT_FORMATS.map((n) => `'${n}'`).join(' or ')}${f === undefined ? '' : ` (got '${f}')`}`);
      options.format = f as ExportFormat;
    } else if (flag === '--out') options.out = required('--out', value(), 'a file name');
    else return runFlags(flag, value);
    return true;
  });
  if (!options.file) throw new UsageError('export needs a scenario file');
  return options as ExportOptions;
}

export interface RecordedRun {
  machine: Machine;
  events: TraceEvent[];
  verdict: Verdict;
}

/** The document `sflow export --format json` writes: `sflow run --format json`'s, plus the lanes. */
export function runDocument(scenario: string, seed: number, program: Program, run: RecordedRun): Record<string, unknown> {
  const { machine, events, verdict } = run;
  return {
    scenario,
    seed,
    traceHash: machine.traceHash(),
    endTime: machine.state.now,
    result: verdict.ok ? 'pass' : 'fail',
    summary: verdict.summary,
    events: events.map(eventToJson),
    lanes: laneStates(program, events, machine.state.now).map((l) => ({
      lane: l.lane,
      kind: l.kind,
      states: l.spans.map((s) => ({ state: s.state, start: s.start, end: s.end, seq: s.seq, cause: s.cause, ...s.attributes })),
    })),
  };
}

export function exportCommand(args: string[], io: Io): number {
  const options = parseExportArgs(args);
  const checked = loadScenario(options.file);
  for (const d of checked.diagnostics) io.err(formatDiagnostic(d));
  if (hasErrors(checked.diagnostics)) return 2;

  const program = checked.program;
  const machine = new Machine(program, { seed: options.seed });
  const events: TraceEvent[] = [];
  machine.onEvent((e) => events.push(e));
  const stop = machine.run({ untilTime: options.until, maxSteps: options.maxSteps });
  const run: RecordedRun = { machine, events, verdict: judge(machine, stop) };

  // A failed run is exported all the same: its trace is what shows why it failed.
  let text: string;
  if (options.format === 'perfetto') {
    const metadata = { scenario: options.file, seed: options.seed, traceHash: machine.traceHash(), endTime: machine.state.now, result: run.verdict.ok ? 'pass' : 'fail', summary: run.verdict.summary };
    text = chromeTraceText(toChromeTrace(program, events, machine.state.now, metadata));
  } else {
    text = JSON.stringify(runDocument(options.file, options.seed, program, run), null, 2) + '\n';
  }

  if (options.out) {
    try {
      fs.writeFileSync(options.out, text);
    } catch (e) {
      io.err(`sflow: cannot write ${options.out}: ${(e as Error).message}`);
      return 2;
    }
    io.err(`wrote ${options.out}${options.format === 'perfetto' ? ' (open it in https://ui.perfetto.dev)' : ''}`);
  } else {
    io.out(text.replace(/\n$/, ''));
  }
  io.err(`-- ${run.verdict.summary}`);
  return run.verdict.ok ? 0 : 1;
}
