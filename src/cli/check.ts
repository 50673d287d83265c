import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { Io, UsageError } from './main';
import { loadScenario } from './load';

/** `sflow check FILE...`: diagnostics in the form editors and CI annotate; exit 2 if any file has errors. */
export function checkCommand(args: string[], io: Io): number {
  const files = args.filter((a) => !a.startsWith('--'));
  const unknown = args.find((a) => a.startsWith('--'));
  if (unknown) throw new UsageError(`unknown option ${unknown}`);
  if (files.length === 0) throw new UsageError('check needs a scenario file');
  let failed = false;
  for (const path of files) {
    const result = loadScenario(path);
    for (const d of result.diagnostics) io.out(formatDiagnostic(d));
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
    io.err(`${path}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
    if (hasErrors(result.diagnostics)) failed = true;
  }
  return failed ? 2 : 0;
}
