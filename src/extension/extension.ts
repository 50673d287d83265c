// Activation: the language client, the debugger, the timeline view, editor commands, CodeLens and inline values.
// Only VS Code API here; everything else is in the layers below.

import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { startLanguageClient } from './client';
import { ScenarioCodeLens } from './codelens';
import { registerCommands } from './commands';
import { DEBUG_TYPE, refreshStatus, registerDebugger } from './debug';
import { ScenarioInlineValues } from './inline-values';
import { ScenarioEvaluatable } from './evaluatable';
import { TimelineView } from './timeline-view';

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  client = startLanguageClient(context);
  const output = vscode.window.createOutputChannel('Suspend Flow');
  const timeline = new TimelineView(context.extensionUri);
  const status = registerDebugger(context, (session) => {
    void refreshStatus(status, session);
    void timeline.refresh(session);
  });
  registerCommands(context, output);
  const selector: vscode.DocumentSelector = { language: 'suspend-flow' };
  context.subscriptions.push(
    output,
    vscode.window.registerWebviewViewProvider('suspendFlow.timeline', timeline, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
    vscode.commands.registerCommand('suspendFlow.showTimeline', () =>
      vscode.commands.executeCommand('suspendFlow.timeline.focus'),
    ),
    vscode.commands.registerCommand('suspendFlow.openTimelineInEditor', () => timeline.openInEditor()),
    vscode.languages.registerCodeLensProvider(selector, new ScenarioCodeLens()),
    vscode.languages.registerInlineValuesProvider(selector, new ScenarioInlineValues()),
    vscode.languages.registerEvaluatableExpressionProvider(selector, new ScenarioEvaluatable(client)),
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type === DEBUG_TYPE) timeline.reset(s);
    }),
    vscode.debug.onDidTerminateDebugSession((s) => timeline.end(s)),
    // With two sessions, the status bar and the timeline follow the one the Call Stack has selected.
    vscode.debug.onDidChangeActiveDebugSession((s) => {
      void refreshStatus(status, s);
      if (s?.type === DEBUG_TYPE) void timeline.refresh(s);
    }),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
