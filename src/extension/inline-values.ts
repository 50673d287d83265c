// Inline values while stopped: after each executed line of the current frame, what it last did (asked of the
// adapter, which reads it from the trace).

import * as vscode from 'vscode';
import { DEBUG_TYPE } from './debug';

export class ScenarioInlineValues implements vscode.InlineValuesProvider {
  async provideInlineValues(
    doc: vscode.TextDocument,
    viewport: vscode.Range,
    context: vscode.InlineValueContext,
  ): Promise<vscode.InlineValue[]> {
    const session = vscode.debug.activeDebugSession;
    if (!session || session.type !== DEBUG_TYPE) return [];
    try {
      const r = await session.customRequest('inlineValues', {
        frameId: context.frameId,
        path: doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString(),
        fromLine: viewport.start.line,
        toLine: viewport.end.line,
      });
      return (r.values as { line: number; text: string }[]).map(
        (v) => new vscode.InlineValueText(new vscode.Range(v.line, 0, v.line, doc.lineAt(v.line).text.length), v.text),
      );
    } catch {
      return [];
    }
  }
}
