// Quick fixes: the did-you-mean replacements the checker attaches to a diagnostic. The fixes are taken from the
// current analysis when the diagnostic is still there, else from the `data` the diagnostic was published with.

import { CodeAction, CodeActionKind, CodeActionParams, Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Analysis } from './analysis';
import { DiagnosticData, documentDiagnostics, FixData } from './diagnostics';

const sameRange = (a: LspDiagnostic['range'], b: LspDiagnostic['range']) =>
  a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

export function codeActions(analysis: Analysis, params: CodeActionParams): CodeAction[] {
  if (params.context.only && !params.context.only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.'))) return [];
  const current = documentDiagnostics(analysis);
  const actions: CodeAction[] = [];
  for (const d of params.context.diagnostics) {
    const live = current.find((c) => c.code === d.code && sameRange(c.range, d.range) && c.message === d.message);
    const fixes: FixData[] = (live?.data as DiagnosticData | undefined)?.fixes ?? (d.data as DiagnosticData | undefined)?.fixes ?? [];
    for (const fix of fixes) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: fixes.length === 1,
        edit: { changes: { [analysis.uri]: [{ range: fix.range, newText: fix.newText }] } },
      });
    }
  }
  return actions;
}
