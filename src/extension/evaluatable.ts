// While debugging, hovering a word evaluates what the language server says it is a value of: the whole dotted path
// (`vcpu1.power`), the device's register or field under any of its words (`pci write net0 pmcsr.state`), a register,
// a label, `now`; keywords, PSCI argument names, signals, procs and constants are not sent to the adapter at all.
// The server decides from its semantic model (src/server/evaluatable.ts), through a custom request.

import * as vscode from 'vscode';

/** The language server's request (EVALUATABLE_EXPRESSION_REQUEST in src/server/evaluatable.ts). */
const EVALUATABLE_EXPRESSION_REQUEST = 'suspendFlow/evaluatableExpression';

interface ServerPosition {
  line: number;
  character: number;
}

interface ServerAnswer {
  range: { start: ServerPosition; end: ServerPosition };
  expression: string;
}

/** What the provider needs of the language client: a LanguageClient is one. */
export interface LanguageServerRequests {
  isRunning(): boolean;
  sendRequest<R>(method: string, param: unknown, token?: vscode.CancellationToken): Promise<R>;
}

export class ScenarioEvaluatable implements vscode.EvaluatableExpressionProvider {
  constructor(private readonly server: LanguageServerRequests) {}

  async provideEvaluatableExpression(
    doc: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<vscode.EvaluatableExpression | undefined> {
    // A server still starting (or stopped) has no answer worth waiting for in a hover.
    if (!this.server.isRunning()) return undefined;
    const params = {
      textDocument: { uri: doc.uri.toString() },
      position: { line: position.line, character: position.character },
    };
    try {
      const answer = await this.server.sendRequest<ServerAnswer | null>(EVALUATABLE_EXPRESSION_REQUEST, params, token);
      if (!answer) return undefined;
      const { start, end } = answer.range;
      return new vscode.EvaluatableExpression(
        new vscode.Range(start.line, start.character, end.line, end.character),
        answer.expression,
      );
    } catch {
      return undefined;
    }
  }
}
