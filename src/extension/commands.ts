// Editor commands: Run Scenario (headless, the timeline into an output channel, as `sflow run` prints it), Debug
// Scenario, Explore Scenario (`sflow explore` in a child process, so a long search never blocks the editor; each
// problem it finds can be opened in the debugger), and the Peripheral Viewer's register description.

import { fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { main as cli } from '../cli/main';
import { ExploreResults, RESULTS_FORMAT } from '../cli/explore';
import { readTextFile } from '../cli/files';
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
      if (!vscode.workspace.isTrusted)
        return void vscode.window.showWarningMessage('Running a scenario needs a trusted workspace.');
      await vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.save();
      output.clear();
      output.show(true);
      const seed = vscode.workspace.getConfiguration('suspendFlow').get<number>('defaultSeed', 0);
      const code = await cli(['run', uri.fsPath, '--seed', String(seed)], {
        out: (t) => output.appendLine(t),
        err: (t) => output.appendLine(t),
      });
      output.appendLine(`(exit code ${code})`);
    }),
    vscode.commands.registerCommand('suspendFlow.debugScenario', async (arg?: unknown) => {
      const uri = scenarioUri(arg);
      if (!uri) return void vscode.window.showInformationMessage('Open a .sflow scenario to debug it.');
      await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), {
        type: DEBUG_TYPE,
        request: 'launch',
        name: `Debug ${path.basename(uri.fsPath)}`,
        program: uri.fsPath,
        stopOnEntry: true,
      });
    }),
    vscode.commands.registerCommand('suspendFlow.exploreScenario', async (arg?: unknown) => {
      const uri = scenarioUri(arg);
      if (!uri) return void vscode.window.showInformationMessage('Open a .sflow scenario to explore it.');
      if (!vscode.workspace.isTrusted)
        return void vscode.window.showWarningMessage('Exploring a scenario needs a trusted workspace.');
      await vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.save();
      await exploreInOutput(context, output, uri);
    }),
    vscode.commands.registerCommand('suspendFlow.peripheralsSvd', async () => {
      const program =
        (vscode.debug.activeDebugSession?.type === DEBUG_TYPE
          ? vscode.debug.activeDebugSession.configuration.program
          : undefined) ?? scenarioUri(undefined)?.fsPath;
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

/**
 * The replay files a search wrote, from the JSON summary `sflow explore --results FILE` wrote: never from its
 * printed output, which carries the scenario's own text. Only files in the directory the command chose count.
 */
function writtenReplays(resultsFile: string, replays: string): string[] {
  let summary: ExploreResults;
  try {
    summary = JSON.parse(readTextFile(resultsFile, { what: 'results file' })) as ExploreResults;
  } catch {
    return [];
  }
  if (summary?.format !== RESULTS_FORMAT || !Array.isArray(summary.replays)) return [];
  return summary.replays
    .map((r) => (typeof r?.file === 'string' ? path.resolve(r.file) : ''))
    .filter((file) => file !== '' && path.dirname(file) === path.resolve(replays));
}

/** Runs `sflow explore` on a scenario with its output in the channel; offers to debug what it found. */
async function exploreInOutput(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  uri: vscode.Uri,
): Promise<void> {
  output.clear();
  output.show(true);
  const replays = path.join(context.globalStorageUri.fsPath, 'replays');
  fs.mkdirSync(replays, { recursive: true });
  // This search's summary (a name of its own: the replay files it lists are this search's, whatever else is there).
  const resultsFile = path.join(replays, `results-${process.pid}-${Date.now()}.json`);
  const code = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Exploring ${path.basename(uri.fsPath)}`,
      cancellable: true,
    },
    (_progress, cancel) =>
      new Promise<number>((resolve) => {
        const child = fork(
          context.asAbsolutePath('dist/cli.js'),
          ['explore', uri.fsPath, '--out', replays, '--results', resultsFile, '--no-progress'],
          { cwd: path.dirname(uri.fsPath), silent: true },
        );
        let pending = '';
        const lines = (chunk: Buffer) => {
          pending += chunk.toString('utf8');
          const parts = pending.split('\n');
          pending = parts.pop() ?? '';
          for (const line of parts) output.appendLine(line);
        };
        child.stdout?.on('data', lines);
        child.stderr?.on('data', lines);
        cancel.onCancellationRequested(() => child.kill());
        child.on('exit', (exitCode) => {
          if (pending) output.appendLine(pending);
          resolve(exitCode ?? -1);
        });
      }),
  );
  output.appendLine(`(exit code ${code})`);
  const written = writtenReplays(resultsFile, replays);
  fs.rmSync(resultsFile, { force: true });
  if (written.length === 0) {
    if (code === 0)
      void vscode.window.showInformationMessage(`${path.basename(uri.fsPath)}: every path explored passes.`);
    return;
  }
  const found =
    code === 0
      ? 'the expected violation is reachable'
      : `explore found ${written.length === 1 ? 'a path' : `${written.length} paths`} with a problem`;
  const choice = await vscode.window.showWarningMessage(
    `${path.basename(uri.fsPath)}: ${found}.`,
    'Debug It',
    'Show Output',
  );
  if (choice === 'Show Output') output.show();
  if (choice === 'Debug It') {
    await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), {
      type: DEBUG_TYPE,
      request: 'launch',
      name: `Replay ${path.basename(written[0])}`,
      program: uri.fsPath,
      replay: written[0],
    });
  }
}
