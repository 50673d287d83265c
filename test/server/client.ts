// A language client for the tests: bundles src/server/main.ts with esbuild (once per test run), starts it as its
// own process over stdio, and drives it through the protocol. No VS Code involved.

import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as esbuild from 'esbuild';
import {
  ClientCapabilities,
  createProtocolConnection,
  Diagnostic,
  ExitNotification,
  InitializeRequest,
  InitializeResult,
  ProtocolConnection,
  PublishDiagnosticsParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';

const ROOT = path.resolve(__dirname, '..', '..');

let bundled: Promise<string> | undefined;

/** dist-like bundle of the server in a temporary directory, built once per test run. */
export function serverBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-server-'));
    const outfile = path.join(dir, 'server.js');
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'src/server/main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'warning',
    });
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    return outfile;
  })();
  return bundled;
}

export const CAPABILITIES: ClientCapabilities = {
  textDocument: {
    synchronization: { dynamicRegistration: false },
    completion: { completionItem: { snippetSupport: true, labelDetailsSupport: true } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    signatureHelp: { signatureInformation: { parameterInformation: { labelOffsetSupport: true } } },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      dataSupport: true,
    },
    rename: { prepareSupport: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    semanticTokens: { requests: { full: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, dataSupport: true },
  },
  workspace: { textDocumentContent: { dynamicRegistration: false } },
};

export class LspClient {
  readonly connection: ProtocolConnection;
  initializeResult?: InitializeResult;
  private readonly published = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: { uri: string; version: number; resolve: (d: Diagnostic[]) => void }[] = [];
  private readonly versions = new Map<string, number>();
  private readonly listeners = new Set<(p: PublishDiagnosticsParams) => void>();
  stderr = '';

  private constructor(readonly process: ChildProcess) {
    this.connection = createProtocolConnection(
      new StreamMessageReader(process.stdout!),
      new StreamMessageWriter(process.stdin!),
    );
    process.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const list = this.published.get(p.uri) ?? [];
      list.push(p);
      this.published.set(p.uri, list);
      for (const l of [...this.listeners]) l(p);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w.uri === p.uri && p.version !== undefined && p.version >= w.version) {
          this.waiters.splice(i, 1);
          w.resolve(p.diagnostics);
        }
      }
    });
    this.connection.listen();
  }

  /** Starts the bundled server as its own process and initializes it. */
  /** Starts a server process: the test bundle, or a given one (the benchmark uses dist/server.js). */
  static async start(capabilities: ClientCapabilities = CAPABILITIES, serverPath?: string): Promise<LspClient> {
    const server = serverPath ?? (await serverBundle());
    const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new LspClient(child);
    client.initializeResult = await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities,
      workspaceFolders: null,
    });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  /** Diagnostics published for a version of a document (or a later one). */
  diagnostics(uri: string, version: number): Promise<Diagnostic[]> {
    const done = (this.published.get(uri) ?? []).find((p) => p.version !== undefined && p.version >= version);
    if (done) return Promise.resolve(done.diagnostics);
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  /** The next diagnostics published for a document, whatever their version. */
  nextDiagnostics(uri: string): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => {
      const listener = (p: PublishDiagnosticsParams) => {
        if (p.uri !== uri) return;
        this.listeners.delete(listener);
        resolve(p);
      };
      this.listeners.add(listener);
    });
  }

  /** Opens a document (closing it first if it is open) and waits for its diagnostics. */
  async open(uri: string, text: string): Promise<Diagnostic[]> {
    if (this.versions.has(uri)) await this.closeDocument(uri);
    this.versions.set(uri, 1);
    this.published.delete(uri);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'suspend-flow', version: 1, text },
    });
    return this.diagnostics(uri, 1);
  }

  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<Diagnostic[]> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return this.diagnostics(uri, version);
  }

  async closeDocument(uri: string): Promise<void> {
    this.versions.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // the server may already be gone
    }
    const exited = new Promise<void>((resolve) => {
      if (this.process.exitCode !== null) resolve();
      else this.process.once('exit', () => resolve());
    });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    if (this.process.exitCode === null) this.process.kill();
    this.connection.dispose();
  }
}

/** `text` with a `¦` marking the cursor: the text without it and the position of the mark. */
export function cursor(marked: string): { text: string; position: { line: number; character: number } } {
  const at = marked.indexOf('¦');
  if (at < 0) throw new Error('no ¦ in the text');
  const text = marked.slice(0, at) + marked.slice(at + 1);
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  const character = at - (before.lastIndexOf('\n') + 1);
  return { text, position: { line, character } };
}

/** Position of the nth occurrence (0-based) of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, nth = 0, delta = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' occurs fewer than ${nth + 1} times`);
  }
  at += delta;
  const before = text.slice(0, at);
  return { line: before.split('\n').length - 1, character: at - (before.lastIndexOf('\n') + 1) };
}
