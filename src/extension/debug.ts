// The debugger's VS Code side: debug configurations (including debugging the open .sflow file with no launch.json),
// the adapter in one of three modes (inline, loopback server, executable), a status bar item with virtual time and
// the host's state, and the trust check.

import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as vscode from 'vscode';
import { SuspendFlowSession } from '../adapter/session';
import { check } from '../lang/checker';
import { preludeFiles } from '../lang/prelude';
import { SourceFile } from '../lang/source';
import { nodeHost, startServer, startSocketServer } from '../adapter/main';
import { PRELUDE_SCHEME } from './client';

export const DEBUG_TYPE = 'suspend-flow';

function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('suspendFlow');
}

function activeScenario(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && doc.languageId === 'suspend-flow' ? doc.uri : undefined;
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** F5 with no launch.json, or a configuration without a program: debug the open scenario. */
  resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window
        .showWarningMessage(
          'Running a suspend-flow scenario needs a trusted workspace (Restricted Mode keeps the language features only).',
          'Manage Workspace Trust',
        )
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
        });
      return undefined;
    }
    if (!config.type && !config.request && !config.name) {
      const file = activeScenario();
      if (!file) {
        void vscode.window.showInformationMessage('Open a .sflow scenario to debug it.');
        return undefined;
      }
      config = {
        type: DEBUG_TYPE,
        request: 'launch',
        name: `Debug ${path.basename(file.fsPath)}`,
        program: file.fsPath,
        stopOnEntry: true,
      };
    }
    // A replay names its scenario; the adapter reads it from there.
    if (!config.program && !config.replay) {
      const file = activeScenario();
      if (!file) {
        void vscode.window.showErrorMessage("The launch configuration has no 'program' and no .sflow file is open.");
        return undefined;
      }
      config.program = file.fsPath;
    }
    if (config.seed === undefined && !config.replay) config.seed = settings().get<number>('defaultSeed', 0);
    return config;
  }

  /**
   * Just before the session starts (variables substituted): a scenario with errors is not launched. VS Code would show
   * the adapter's refusal as a modal offering to open launch.json; a short message naming the first error, with a
   * way to it and to the Problems view, says what is wrong instead.
   */
  resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (typeof config.program !== 'string' || config.program === '') return config;
    const first = firstError(config.program);
    if (!first) return config;
    const where = `${path.basename(first.file)}:${first.line + 1}`;
    const more = first.count > 1 ? ` (and ${first.count - 1} more)` : '';
    void vscode.window
      .showErrorMessage(
        `Cannot debug ${path.basename(config.program)}: ${where}: ${first.message}${more}`,
        'Go to Error',
        'Show Problems',
      )
      .then((choice) => {
        if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
        if (choice === 'Go to Error')
          void vscode.window.showTextDocument(vscode.Uri.file(first.file), {
            selection: new vscode.Range(first.line, first.character, first.line, first.character),
          });
      });
    return undefined;
  }

  /** The dynamic configurations: one per open scenario. */
  provideDebugConfigurations(): vscode.ProviderResult<vscode.DebugConfiguration[]> {
    const docs = vscode.workspace.textDocuments.filter(
      (d) => d.languageId === 'suspend-flow' && d.uri.scheme === 'file',
    );
    return docs.map((d) => ({
      type: DEBUG_TYPE,
      request: 'launch',
      name: `Debug ${path.basename(d.uri.fsPath)}`,
      program: d.uri.fsPath,
      stopOnEntry: true,
    }));
  }
}

/** The first error of a scenario as the editor has it (an unsaved edit counts: it is saved before the launch). */
function firstError(
  program: string,
): { file: string; line: number; character: number; message: string; count: number } | undefined {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === program);
  let text: string;
  try {
    // As the editor has it: without the byte order mark a file may start with (its columns do not count one).
    text = open ? open.getText() : fs.readFileSync(program, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return undefined; // the adapter says it cannot read it
  }
  const errors = check([new SourceFile(program, text), ...preludeFiles()]).diagnostics.filter(
    (d) => d.severity === 'error',
  );
  const d = errors[0];
  if (!d) return undefined;
  const at = d.file.position(d.span.start);
  return {
    file: d.file.path.startsWith('lib/') ? program : d.file.path,
    line: at.line,
    character: at.character,
    message: d.message,
    count: errors.length,
  };
}

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  private server?: net.Server;
  /** the server's socket, when it listens on one (port 0: the default) */
  private socketPath?: string;

  constructor(private readonly context: vscode.ExtensionContext) {}

  async createDebugAdapterDescriptor(): Promise<vscode.DebugAdapterDescriptor> {
    const libraryDir = this.context.asAbsolutePath('lib');
    // The prelude opens read-only, as the language server serves it, not as a writable file of the extension.
    const libraryUri = `${PRELUDE_SCHEME}:/`;
    switch (settings().get<string>('adapter.mode', 'inline')) {
      case 'server': {
        // A socket only this user can open; a loopback TCP port (reachable by any local user) only when one is set.
        const port = settings().get<number>('adapter.port', 0);
        const host = nodeHost(libraryDir, undefined, libraryUri);
        if (!this.server && port === 0)
          ({ server: this.server, path: this.socketPath } = await startSocketServer(host));
        else if (!this.server) this.server = await startServer(port, host);
        if (this.socketPath) return new vscode.DebugAdapterNamedPipeServer(this.socketPath);
        return new vscode.DebugAdapterServer((this.server!.address() as net.AddressInfo).port, '127.0.0.1');
      }
      case 'executable':
        // The extension host's own runtime, run as plain node.
        return new vscode.DebugAdapterExecutable(
          process.execPath,
          [this.context.asAbsolutePath('dist/debugAdapter.js'), `--library-uri=${libraryUri}`],
          { env: { ELECTRON_RUN_AS_NODE: '1' } },
        );
      default:
        return new vscode.DebugAdapterInlineImplementation(
          new SuspendFlowSession(nodeHost(libraryDir, undefined, libraryUri)),
        );
    }
  }

  dispose(): void {
    this.server?.close();
  }
}

/** Listens to the adapter's messages: the status bar, and (for tests) a marker file of what the session did. */
class Tracker implements vscode.DebugAdapterTrackerFactory {
  constructor(
    private readonly status: vscode.StatusBarItem,
    private readonly onStop: (session: vscode.DebugSession) => void,
  ) {}

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const marker = settings().get<string>('test.markerFile', '');
    const note = (what: unknown) => {
      if (marker) fs.appendFileSync(marker, JSON.stringify(what) + '\n');
    };
    return {
      // Requests that move the session are noted too, so a test can tell a lost keypress from a slow adapter.
      onWillReceiveMessage: (m: { type?: string; command?: string; arguments?: unknown }) => {
        if (
          m.type === 'request' &&
          [
            'continue',
            'next',
            'stepIn',
            'stepOut',
            'stepBack',
            'reverseContinue',
            'gotoEvent',
            'terminate',
            'disconnect',
          ].includes(m.command ?? '')
        )
          note({ request: m.command, arguments: m.arguments, at: Date.now() });
      },
      onDidSendMessage: (m: { type?: string; event?: string; body?: Record<string, unknown> }) => {
        if (m.type === 'event' && ['stopped', 'terminated', 'exited', 'initialized'].includes(m.event ?? ''))
          note({ event: m.event, body: m.body ?? {}, at: Date.now() });
        if (m.type === 'event' && m.event === 'stopped') this.onStop(session);
      },
      onWillStopSession: () => {
        if (vscode.debug.activeDebugSession === session || !vscode.debug.activeDebugSession) this.status.hide();
        note({ event: 'session-ended', at: Date.now() });
      },
    };
  }
}

export function registerDebugger(
  context: vscode.ExtensionContext,
  onStop: (session: vscode.DebugSession) => void,
): vscode.StatusBarItem {
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.name = 'Suspend Flow';
  status.tooltip = "Virtual time and the host's suspend state of the scenario being debugged";
  const factory = new AdapterFactory(context);
  const provider = new ConfigurationProvider();
  context.subscriptions.push(
    status,
    factory,
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      { provideDebugConfigurations: () => provider.provideDebugConfigurations() },
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, factory),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, new Tracker(status, onStop)),
  );
  return status;
}

/** Updates the status bar from the adapter after a stop: it shows the active session (one of several, perhaps). */
export async function refreshStatus(
  status: vscode.StatusBarItem,
  session: vscode.DebugSession | undefined,
): Promise<void> {
  if (!session || session.type !== DEBUG_TYPE || session !== vscode.debug.activeDebugSession) {
    if (!vscode.debug.activeDebugSession || vscode.debug.activeDebugSession.type !== DEBUG_TYPE) status.hide();
    return;
  }
  try {
    const where = await session.customRequest('where');
    // Another session may have been selected while this one answered: its own refresh shows it.
    if (session !== vscode.debug.activeDebugSession) return;
    status.text = `$(clock) ${where.time} · host ${where.hostState}`;
    status.show();
  } catch {
    status.hide();
  }
}
