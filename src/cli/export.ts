// `sflow export`: runs a scenario and writes its trace for other tools. `perfetto` is the Chrome trace-event JSON
// that ui.perfetto.dev and chrome://tracing open; `json` is what `sflow run --format json` prints plus the lanes
// (each vCPU's, device's and the host's states as intervals). Both are written as the run goes (stream.ts): memory
// stays bounded however long the run.

import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { Machine } from '../sim/machine';
import '../sim/reactions';
import { judge } from '../sim/verdict';
import { Io } from './io';
import { UsageError } from './errors';
import { loadScenario } from './load';
import { defaultRunFlags, readArgs, required, runFlag, RunFlags } from './args';
import { OutputBudget, runBounded } from './bounds';
import { ChromeTraceStream, JsonRunDocument, LaneSpool, LineWriter } from './stream';
import { printable } from './text';

const EXPORT_FORMATS = ['perfetto', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface ExportOptions extends RunFlags {
  file: string;
  format: ExportFormat;
  /** stdout when absent */
  out?: string;
}

function parseExportArgs(args: string[]): ExportOptions {
  const options: Partial<ExportOptions> = { ...defaultRunFlags(), format: 'perfetto' };
  const runFlags = runFlag(options);
  options.file = readArgs('export', args, (flag, value) => {
    if (flag === '--format') {
      const f = value();
      if (!EXPORT_FORMATS.includes(f as ExportFormat))
        throw new UsageError(
          `--format is ${EXPORT_FORMATS.map((n) => `'${n}'`).join(' or ')}${f === undefined ? '' : ` (got '${f}')`}`,
        );
      options.format = f as ExportFormat;
    } else if (flag === '--out') options.out = required('--out', value(), 'a file name');
    else return runFlags(flag, value);
    return true;
  });
  if (!options.file) throw new UsageError('export needs a scenario file');
  return options as ExportOptions;
}

export function exportCommand(args: string[], io: Io): number {
  const options = parseExportArgs(args);
  const checked = loadScenario(options.file);
  for (const d of checked.diagnostics) io.err(printable(formatDiagnostic(d)));
  if (hasErrors(checked.diagnostics)) return 2;

  const program = checked.program;
  const budget = new OutputBudget(options.maxOutput);
  let out: LineWriter & { close?(): void };
  try {
    out = options.out ? LineWriter.toFile(options.out, budget) : new LineWriter((text) => io.out(text), budget);
  } catch (e) {
    io.err(
      `sflow: cannot write ${printable(options.out!)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
    return 2;
  }

  const machine = new Machine(program, { seed: options.seed });
  const head = { scenario: options.file, seed: options.seed };
  // A failed run is exported all the same: its trace is what shows why it failed.
  try {
    if (options.format === 'perfetto') {
      const trace = new ChromeTraceStream(program, out);
      machine.onEvent((e) => trace.event(e));
      const verdict = runAndJudge();
      trace.finish(machine.state.now, {
        ...head,
        traceHash: machine.traceHash(),
        endTime: machine.state.now,
        result: verdict.ok ? 'pass' : 'fail',
        summary: verdict.summary,
      });
      return done(verdict.ok, verdict.summary);
    }
    const doc = new JsonRunDocument(out, head);
    const lanes = new LaneSpool(program, budget);
    machine.onEvent((e) => {
      doc.event(e);
      lanes.event(e);
    });
    const verdict = runAndJudge();
    doc.endEvents();
    lanes.write(out, machine.state.now);
    doc.finish({
      traceHash: machine.traceHash(),
      endTime: machine.state.now,
      result: verdict.ok ? 'pass' : 'fail',
      summary: verdict.summary,
    });
    return done(verdict.ok, verdict.summary);
  } finally {
    out.close?.();
  }

  /** Runs the scenario within the bounds and judges it as `sflow run` does; the format's listeners are attached. */
  function runAndJudge() {
    return judge(
      machine,
      runBounded(machine, {
        untilTime: options.until,
        maxSteps: options.maxSteps,
        maxSeconds: options.maxSeconds,
        output: budget,
      }),
    );
  }

  function done(ok: boolean, summary: string): number {
    if (options.out)
      io.err(
        `wrote ${printable(options.out)}${options.format === 'perfetto' ? ' (open it in https://ui.perfetto.dev)' : ''}`,
      );
    io.err(`-- ${printable(summary)}`);
    return ok ? 0 : 1;
  }
}
