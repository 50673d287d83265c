// Run / Debug / Explore above every vCPU program and host block of a scenario.

import * as vscode from 'vscode';

export class ScenarioCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (let line = 0; line < doc.lineCount; line++) {
      const text = doc.lineAt(line).text;
      const m = /^\s*(host|[A-Za-z_][\w-]*\.vcpu\d+)\s*\{/.exec(text);
      if (!m) continue;
      const range = new vscode.Range(line, 0, line, text.length);
      lenses.push(
        new vscode.CodeLens(range, {
          title: '$(play) Run',
          command: 'suspendFlow.runScenario',
          arguments: [doc.uri],
          tooltip: 'Run the scenario headless and print its timeline',
        }),
        new vscode.CodeLens(range, {
          title: '$(debug-alt) Debug',
          command: 'suspendFlow.debugScenario',
          arguments: [doc.uri],
          tooltip: 'Debug the scenario, stopping at its first statement',
        }),
        new vscode.CodeLens(range, {
          title: '$(type-hierarchy) Explore',
          command: 'suspendFlow.exploreScenario',
          arguments: [doc.uri],
          tooltip: 'Try every interleaving the scenario allows and check every path',
        }),
      );
    }
    return lenses;
  }
}
