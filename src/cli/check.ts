import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { Io } from './io';
import { UsageError } from './errors';
import { loadScenario } from './load';
import { FileError } from './files';
import { printable } from './text';

/**
 * `sflow check FILE...`: diagnostics in the form editors and CI annotate; exit 2 if any file has errors. A file that
 * cannot be read (missing, not a regular file, too large, not a .sflow scenario) is one line and the next is checked.
 */
export function checkCommand(args: string[], io: Io): number {
  const files = args.filter((a) => !a.startsWith('--'));
  const unknown = args.find((a) => a.startsWith('--'));
  if (unknown) throw new UsageError(`unknown option ${unknown}`);
  if (files.length === 0) throw new UsageError('check needs a scenario file');
  let failed = false;
  for (const path of files) {
    let result;
    try {
      result = loadScenario(path);
    } catch (e) {
      if (!(e instanceof FileError)) throw e;
      io.err(`sflow: ${printable(e.message)}`);
      failed = true;
      continue;
    }
    for (const d of result.diagnostics) io.out(printable(formatDiagnostic(d)));
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
    io.err(
      `${printable(path)}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
    );
    if (hasErrors(result.diagnostics)) failed = true;
  }
  return failed ? 2 : 0;
}
