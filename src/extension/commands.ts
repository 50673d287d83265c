// Editor commands: Run Scenario (headless, the timeline into an output channel, as `sflow run` prints it), Debug
// Scenario, and the Peripheral Viewer's register description.

import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { main as cli } from '../cli/main';
import { check } from '../lang/checker';
import { hasErrors } from '../lang/diagnostics';
import { preludeFiles } from '../lang/prelude';
import { SourceFile } from '../lang/source';
import { svdForProgram } from '../lang/svd';
import { DEBUG_TYPE } from './debug';

function scenarioUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  return doc && doc.languageId === 'suspend-flow' ? doc.uri : undefined;
}

export function registerCommands(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('suspendFlow.runScenario', async (arg?: unknown) => {
      const uri = scenarioUri(arg);
      if (!uri) return void vscode.window.showInformationMessage('Open a .sflow scenario to run it.');
      if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage('Running a scenario needs a trusted workspace.');
      await vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.save();
      output.clear();
      output.show(true);
      const seed = vscode.workspace.getConfiguration('suspendFlow').get<number>('defaultSeed', 0);
      const code = await cli(['run', uri.fsPath, '--seed', String(seed)], { out: (t) => output.appendLine(t), err: (t) => output.appendLine(t) });
      output.appendLine(`(exit code ${code})`);
    }),
    vscode.commands.registerCommand('suspendFlow.debugScenario', async (arg?: unknown) => {
      const uri = scenarioUri(arg);
      if (!uri) return void vscode.window.showInformationMessage('Open a .sflow scenario to debug it.');
      await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), {
        type: DEBUG_TYPE, request: 'launch', name: `Debug ${path.basename(uri.fsPath)}`, program: uri.fsPath, stopOnEntry: true,
      });
    }),
    vscode.commands.registerCommand('suspendFlow.peripheralsSvd', async () => {
      const program = (vscode.debug.activeDebugSession?.type === DEBUG_TYPE ? vscode.debug.activeDebugSession.configuration.program : undefined) ?? scenarioUri(undefined)?.fsPath;
      if (!program) {
        void vscode.window.showErrorMessage('No suspend-flow scenario to describe: start debugging one first.');
        return undefined;
      }
      const checked = check([new SourceFile(program, fs.readFileSync(program, 'utf8')), ...preludeFiles()]);
      if (hasErrors(checked.diagnostics)) {
        void vscode.window.showErrorMessage(`${path.basename(program)} has errors; fix them first.`);
        return undefined;
      }
      const dir = context.globalStorageUri.fsPath;
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${path.basename(program, '.sflow')}.svd`);
      fs.writeFileSync(file, svdForProgram(checked.program));
      return file;
    }),
  );
}
