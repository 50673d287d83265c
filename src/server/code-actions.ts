// Quick fixes: the did-you-mean replacements the checker attaches to a diagnostic. The fixes are taken from the
// current analysis when the diagnostic is still there, else from the `data` the diagnostic was published with: that
// comes back from the client, so a fix is only offered when it is a well-formed edit inside the document.

import { CodeAction, CodeActionKind, CodeActionParams, Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Analysis } from './analysis';
import { DiagnosticData, documentDiagnostics, FixData } from './diagnostics';

const sameRange = (a: LspDiagnostic['range'], b: LspDiagnostic['range']) =>
  a.start.line === b.start.line &&
  a.start.character === b.start.character &&
  a.end.line === b.end.line &&
  a.end.character === b.end.character;

/** A fix whose title and text are strings and whose range is a range of this document (start before end). */
function wellFormed(analysis: Analysis, fix: FixData): boolean {
  if (!fix || typeof fix.title !== 'string' || typeof fix.newText !== 'string' || fix.newText.length > 10_000)
    return false;
  const start = fix.range?.start;
  const end = fix.range?.end;
  if (!isPosition(analysis, start) || !isPosition(analysis, end)) return false;
  return analysis.offset(start) <= analysis.offset(end);
}

/** A position that names a place in the document (the round trip through an offset gives it back). */
function isPosition(
  analysis: Analysis,
  p: { line: number; character: number } | undefined,
): p is { line: number; character: number } {
  if (!p || !Number.isSafeInteger(p.line) || !Number.isSafeInteger(p.character)) return false;
  const offset = analysis.offset(p);
  const back = analysis.range({ start: offset, end: offset }).start;
  return back.line === p.line && back.character === p.character;
}

export function codeActions(analysis: Analysis, params: CodeActionParams): CodeAction[] {
  if (
    params.context.only &&
    !params.context.only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.'))
  )
    return [];
  const current = documentDiagnostics(analysis);
  const actions: CodeAction[] = [];
  for (const d of params.context.diagnostics) {
    const live = current.find((c) => c.code === d.code && sameRange(c.range, d.range) && c.message === d.message);
    const fixes: FixData[] =
      (live?.data as DiagnosticData | undefined)?.fixes ?? (d.data as DiagnosticData | undefined)?.fixes ?? [];
    for (const fix of Array.isArray(fixes) ? fixes.filter((f) => wellFormed(analysis, f)) : []) {
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
