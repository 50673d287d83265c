// A language client at the wire: JSON-RPC frames written byte for byte to the bundled server (test/server/client.ts
// serverBundle) over stdio, so params can be anything JSON allows (null, lists, missing) and bodies need not be JSON
// at all; vscode-jsonrpc's own client would normalise those. Responses are matched by id; every notification the
// server sends (diagnostics, log messages) is kept, so a test can look for internal text that reached the client.

import { ChildProcess, spawn } from 'child_process';
import { serverBundle } from '../server/client';

export interface WireResponse {
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export interface WireNotification {
  method: string;
  params?: unknown;
}

export class WireClient {
  readonly notifications: WireNotification[] = [];
  stderr = '';
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<
    number | string,
    { resolve: (r: WireResponse) => void; reject: (e: Error) => void }
  >();
  private exited = false;

  private constructor(readonly process: ChildProcess) {
    process.stdout!.on('data', (d: Buffer) => this.receive(d));
    process.stderr!.on('data', (d) => (this.stderr += String(d)));
    process.once('exit', () => {
      this.exited = true;
      for (const [, p] of this.pending)
        p.reject(
          new Error(`the server exited (code ${process.exitCode}, signal ${process.signalCode}) before answering`),
        );
      this.pending.clear();
    });
    // A write to a server that died must not take the test process down with EPIPE.
    process.stdin!.on('error', () => undefined);
  }

  /** Starts the bundled server; `initialize` (with the given params, or a good one) and `initialized` are sent. */
  static async start(initialize: unknown = GOOD_INITIALIZE, serverPath?: string): Promise<WireClient> {
    const server = serverPath ?? (await serverBundle());
    const client = new WireClient(spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    if (initialize !== undefined) {
      const r = await client.request('initialize', initialize);
      if (r.error) throw new Error(`initialize failed: ${r.error.message}`);
      client.notify('initialized', {});
    }
    return client;
  }

  get alive(): boolean {
    return !this.exited && this.process.exitCode === null;
  }

  private receive(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = this.buffer.subarray(0, end).toString('ascii');
      const m = /Content-Length: *(\d+)/i.exec(header);
      if (!m) throw new Error(`bad header from the server: ${header}`);
      const length = Number(m[1]);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.dispatch(JSON.parse(body));
    }
  }

  private dispatch(message: {
    id?: number | string | null;
    method?: string;
    params?: unknown;
    result?: unknown;
    error?: WireResponse['error'];
  }): void {
    if (message.method !== undefined && message.id !== undefined) {
      // A request from the server (registrations, refreshes): answer it with nothing.
      this.writeRaw(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: null }));
    } else if (message.method !== undefined) {
      this.notifications.push({ method: message.method, params: message.params });
    } else if (message.id !== undefined && message.id !== null && this.pending.has(message.id)) {
      const waiter = this.pending.get(message.id)!;
      this.pending.delete(message.id);
      waiter.resolve(message as WireResponse);
    }
  }

  /** Writes one frame with any body: JSON or not, a request or anything else. */
  writeRaw(body: string): void {
    if (!this.alive) return;
    this.process.stdin!.write(`Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`);
  }

  /** Writes bytes as they are (headers included): broken framing. */
  writeBytes(bytes: string | Buffer): void {
    if (!this.alive) return;
    this.process.stdin!.write(bytes);
  }

  /**
   * Sends a request with exactly these params (`omit` leaves the field out) and resolves with the response, or
   * rejects when none comes within `timeout` ms or the server exits.
   */
  request(method: string, params: unknown, options: { omit?: boolean; timeout?: number } = {}): Promise<WireResponse> {
    const id = this.nextId++;
    const message: Record<string, unknown> = { jsonrpc: '2.0', id, method };
    if (!options.omit) message.params = params;
    const timeout = options.timeout ?? 10_000;
    return new Promise((resolve, reject) => {
      if (!this.alive)
        return reject(new Error(`the server exited (code ${this.process.exitCode}) before ${method} was sent`));
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no response to ${method} within ${timeout} ms`));
      }, timeout);
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(new Error(`${e.message} ${method}`));
        },
      });
      this.writeRaw(JSON.stringify(message));
    });
  }

  notify(method: string, params: unknown, options: { omit?: boolean } = {}): void {
    const message: Record<string, unknown> = { jsonrpc: '2.0', method };
    if (!options.omit) message.params = params;
    this.writeRaw(JSON.stringify(message));
  }

  /** Opens a document and resolves when its diagnostics for that version are published. */
  async open(uri: string, text: string, version = 1, timeout = 10_000): Promise<unknown[]> {
    const seen = this.notifications.length;
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'suspend-flow', version, text } });
    const deadline = Date.now() + timeout;
    for (;;) {
      const published = this.notifications.slice(seen).find((n) => {
        const p = n.params as { uri?: string; version?: number } | undefined;
        return n.method === 'textDocument/publishDiagnostics' && p?.uri === uri && p.version === version;
      });
      if (published) return (published.params as { diagnostics: unknown[] }).diagnostics;
      if (!this.alive) throw new Error('the server exited');
      if (Date.now() > deadline) throw new Error(`no diagnostics for ${uri} within ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Log messages the server sent (window/logMessage), as text. */
  logs(): string[] {
    return this.notifications
      .filter((n) => n.method === 'window/logMessage')
      .map((n) => String((n.params as { message?: unknown })?.message));
  }

  async stop(): Promise<void> {
    if (this.alive) {
      try {
        await this.request('shutdown', undefined, { omit: true, timeout: 2000 });
        this.notify('exit', undefined, { omit: true });
      } catch {
        // already gone, or hung: killed below
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (this.alive) {
      const gone = new Promise((r) => this.process.once('exit', r));
      this.process.kill();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
    }
  }
}

export const GOOD_INITIALIZE = { processId: null, rootUri: null, capabilities: {}, workspaceFolders: null };

/** Text a user must never see in an answer: a stack trace or the engine's own error messages. */
export const INTERNAL_TEXT =
  /\n\s+at |\bat [\w.<>]+ \(|TypeError|RangeError|ReferenceError|SyntaxError|URIError|Cannot read properties|is not a function|is not iterable|Maximum call stack|undefined \(reading/;
