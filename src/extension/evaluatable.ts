// While debugging, hovering a state path (`gpu.pmcsr.state`, `vcpu1.power`, `x0`) evaluates the whole dotted path,
// not just the word under the mouse.

import * as vscode from 'vscode';
import { STATEMENT_KEYWORDS, TOP_LEVEL_KEYWORDS } from '../lang/parser';

/** Words that are syntax, not values: hovering them asks the adapter nothing. */
const NOT_VALUES = new Set<string>([...STATEMENT_KEYWORDS, ...TOP_LEVEL_KEYWORDS, 'device', 'else']);

export class ScenarioEvaluatable implements vscode.EvaluatableExpressionProvider {
  provideEvaluatableExpression(doc: vscode.TextDocument, position: vscode.Position): vscode.EvaluatableExpression | undefined {
    const range = doc.getWordRangeAtPosition(position, /[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*/);
    if (!range) return undefined;
    const text = doc.getText(range);
    if (NOT_VALUES.has(text)) return undefined;
    const line = doc.lineAt(position.line).text;
    const comment = line.indexOf('//');
    if (comment >= 0 && comment < range.start.character) return undefined;
    // Anything else goes to the adapter, which answers with the value or says it has none.
    return new vscode.EvaluatableExpression(range, text);
  }
}
