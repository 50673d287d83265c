// The debugger's VS Code side: debug configurations (including debugging the open .sflow file with no launch.json),
// the adapter in one of three modes (inline, loopback server, executable), a status bar item with virtual time and
// the host's state, and the trust check.

import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as vscode from 'vscode';
import { SuspendFlowSession } from '../adapter/session';
import { nodeHost, startServer } from '../adapter/main';

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
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Running a suspend-flow scenario needs a trusted workspace (Restricted Mode keeps the language features only).', 'Manage Workspace Trust').then((choice) => {
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
      config = { type: DEBUG_TYPE, request: 'launch', name: `Debug ${path.basename(file.fsPath)}`, program: file.fsPath, stopOnEntry: true };
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

  /** The dynamic configurations: one per open scenario. */
  provideDebugConfigurations(): vscode.ProviderResult<vscode.DebugConfiguration[]> {
    const docs = vscode.workspace.textDocuments.filter((d) => d.languageId === 'suspend-flow' && d.uri.scheme === 'file');
    return docs.map((d) => ({ type: DEBUG_TYPE, request: 'launch', name: `Debug ${path.basename(d.uri.fsPath)}`, program: d.uri.fsPath, stopOnEntry: true }));
  }
}

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  private server?: net.Server;

  constructor(private readonly context: vscode.ExtensionContext) {}

  async createDebugAdapterDescriptor(): Promise<vscode.DebugAdapterDescriptor> {
    const libraryDir = this.context.asAbsolutePath('lib');
    switch (settings().get<string>('adapter.mode', 'inline')) {
      case 'server': {
        if (!this.server) this.server = await startServer(settings().get<number>('adapter.port', 0), nodeHost(libraryDir));
        return new vscode.DebugAdapterServer((this.server.address() as net.AddressInfo).port, '127.0.0.1');
      }
      case 'executable':
        // The extension host's own runtime, run as plain node.
        return new vscode.DebugAdapterExecutable(process.execPath, [this.context.asAbsolutePath('dist/debugAdapter.js')], { env: { ELECTRON_RUN_AS_NODE: '1' } });
      default:
        return new vscode.DebugAdapterInlineImplementation(new SuspendFlowSession(nodeHost(libraryDir)));
    }
  }

  dispose(): void {
    this.server?.close();
  }
}

/** Listens to the adapter's messages: the status bar, and (for tests) a marker file of what the session did. */
class Tracker implements vscode.DebugAdapterTrackerFactory {
  constructor(private readonly status: vscode.StatusBarItem, private readonly onStop: (session: vscode.DebugSession) => void) {}

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const marker = settings().get<string>('test.markerFile', '');
    const note = (what: unknown) => {
      if (marker) fs.appendFileSync(marker, JSON.stringify(what) + '\n');
    };
    return {
      // Requests that move the session are noted too, so a test can tell a lost keypress from a slow adapter.
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (m.type === 'request' && ['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue'].includes(m.command ?? '')) note({ request: m.command });
      },
      onDidSendMessage: (m: { type?: string; event?: string; body?: Record<string, unknown> }) => {
        if (m.type === 'event' && ['stopped', 'terminated', 'exited', 'initialized'].includes(m.event ?? '')) note({ event: m.event, body: m.body ?? {} });
        if (m.type === 'event' && m.event === 'stopped') this.onStop(session);
      },
      onWillStopSession: () => {
        this.status.hide();
        note({ event: 'session-ended' });
      },
    };
  }
}

export function registerDebugger(context: vscode.ExtensionContext, onStop: (session: vscode.DebugSession) => void): vscode.StatusBarItem {
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.name = 'Suspend Flow';
  status.tooltip = 'Virtual time and the host\'s suspend state of the scenario being debugged';
  const factory = new AdapterFactory(context);
  const provider = new ConfigurationProvider();
  context.subscriptions.push(
    status,
    factory,
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: () => provider.provideDebugConfigurations() }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, factory),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, new Tracker(status, onStop)),
  );
  return status;
}

/** Updates the status bar from the adapter after a stop. */
export async function refreshStatus(status: vscode.StatusBarItem, session: vscode.DebugSession): Promise<void> {
  try {
    const where = await session.customRequest('where');
    status.text = `$(clock) ${where.time} · host ${where.hostState}`;
    status.show();
  } catch {
    status.hide();
  }
}
