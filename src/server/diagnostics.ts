// The checker's diagnostics as LSP diagnostics: severity, stable code, related information (locations in the
// prelude use its `sflow-prelude:` URI) and, in `data`, the did-you-mean fixes the code actions apply.

import { Diagnostic as LspDiagnostic, DiagnosticSeverity, DiagnosticTag, Range } from 'vscode-languageserver';
import { Diagnostic } from '../lang/diagnostics';
import type { Analysis } from './analysis';

export const SOURCE = 'suspend-flow';

export interface FixData {
  title: string;
  range: Range;
  newText: string;
}

export interface DiagnosticData {
  fixes: FixData[];
}

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** Codes whose range is code that does nothing: editors grey it out. */
const UNNECESSARY = new Set(['unused-proc']);

export function toLspDiagnostic(analysis: Analysis, d: Diagnostic): LspDiagnostic {
  const out: LspDiagnostic = {
    range: analysis.range(d.span, d.file),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: SOURCE,
    message: d.message,
  };
  if (UNNECESSARY.has(d.code)) out.tags = [DiagnosticTag.Unnecessary];
  const related = (d.related ?? []).flatMap((r) => {
    const uri = analysis.uriOf(r.file);
    return uri ? [{ location: { uri, range: analysis.range(r.span, r.file) }, message: r.message }] : [];
  });
  if (related.length) out.relatedInformation = related;
  if (d.fixes?.length) {
    const data: DiagnosticData = {
      fixes: d.fixes.map((f) => ({ title: f.title, range: analysis.range(f.span, d.file), newText: f.newText })),
    };
    out.data = data;
  }
  return out;
}

/**
 * The diagnostics of the document. A problem the checker finds inside the prelude while compiling it for this
 * scenario (a wait for a signal nothing raises, because the scenario calls only `linux.secondary`) is shown at
 * the scenario's first call into the prelude, with the prelude location as related information.
 */
export function documentDiagnostics(analysis: Analysis): LspDiagnostic[] {
  const out: LspDiagnostic[] = [];
  let anchor: Range | undefined;
  for (const d of analysis.result.diagnostics) {
    if (d.file === analysis.file) {
      out.push(toLspDiagnostic(analysis, d));
      continue;
    }
    const uri = analysis.uriOf(d.file);
    if (!uri) continue;
    anchor ??= preludeAnchor(analysis);
    const inner = toLspDiagnostic(analysis, d);
    const name = d.file.path.slice(d.file.path.lastIndexOf('/') + 1);
    out.push({
      range: anchor,
      severity: inner.severity,
      code: d.code,
      source: SOURCE,
      message: `${name}: ${d.message}`,
      relatedInformation: [
        { location: { uri, range: inner.range }, message: d.message },
        ...(inner.relatedInformation ?? []),
      ],
    });
  }
  return out;
}

function preludeAnchor(analysis: Analysis): Range {
  const ref = analysis.result.symbols.refs.find(
    (r) => r.file === analysis.file && r.def.kind === 'proc' && r.def.file !== analysis.file,
  );
  return ref ? analysis.range(ref.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}
