// Shared helpers for the debug adapter tests: a DebugClient (from @vscode/debugadapter-testsupport) over stdio
// against the built adapter or over TCP against an in-process loopback server, with an event queue (so no event is
// lost between two awaits), raw requests that resolve with the response whatever its outcome, and readers for
// stacks and whole variable trees.

import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { startServer } from '../../src/adapter/main';

export const ROOT = path.resolve(__dirname, '../..');
export const ADAPTER = path.join(ROOT, 'dist', 'debugAdapter.js');
/** The prelude as the adapter shows it: lib/ next to dist/. */
export const PRELUDE = path.join(ROOT, 'lib', 'linux.sflow');

export function example(name: string): string {
  return path.join(ROOT, 'examples', name);
}

export type Transport = 'stdio' | 'tcp';
export const TRANSPORTS: readonly Transport[] = ['stdio', 'tcp'];

/** How long to wait for a response or an event before failing the test with a clear message. */
const WAIT_MS = 10_000;

// ------------------------------------------------------------------------------------------ building

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

let built = false;

/**
 * Builds dist/debugAdapter.js with `node build.mjs` if it is missing, or older than the sources it bundles (adapter,
 * simulator, language), so the stdio tests run the code under test. If a rebuild fails while a bundle exists (another
 * part of the tree half-edited), the existing bundle is used and the failure is reported.
 */
export function ensureBuilt(): void {
  if (built) return;
  const sources = ['src/adapter', 'src/sim', 'src/lang'].map((d) => newestMtime(path.join(ROOT, d)));
  const exists = fs.existsSync(ADAPTER);
  if (!exists || fs.statSync(ADAPTER).mtimeMs < Math.max(...sources)) {
    try {
      execFileSync(process.execPath, ['build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    } catch (e) {
      if (!exists) throw e;
      console.warn(
        `node build.mjs failed; testing the existing dist/debugAdapter.js:\n${String((e as { stderr?: unknown }).stderr ?? e)}`,
      );
    }
  }
  assert.ok(fs.existsSync(ADAPTER), 'dist/debugAdapter.js was not built');
  built = true;
}

// ------------------------------------------------------------------------------------------ scenarios on disk

let scratch: string | undefined;

/** Writes a scenario into a temporary directory; returns its absolute path. */
export function writeScenario(name: string, text: string): string {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-adapter-'));
  const file = path.join(scratch, name);
  fs.writeFileSync(file, text);
  return file;
}

/** 1-based line of the first line of `file` containing `marker` (so tests name lines by their text, not numbers). */
export function lineOf(file: string, marker: string, from = 1): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = from - 1; i < lines.length; i++) if (lines[i].includes(marker)) return i + 1;
  throw new Error(`'${marker}' is not in ${file}`);
}

// ------------------------------------------------------------------------------------------ the client

export type LaunchArgs = {
  program?: unknown;
  seed?: unknown;
  stopOnEntry?: boolean;
  until?: unknown;
  stopAtEnd?: boolean;
  [k: string]: unknown;
};

interface VariableNode {
  name: string;
  value: string;
  evaluateName?: string;
  type?: string;
  children?: VariableNode[];
}

export class Client {
  /** every event received, in order */
  readonly events: DebugProtocol.Event[] = [];
  private readonly queues = new Map<string, DebugProtocol.Event[]>();
  private readonly waiters = new Map<string, ((e: DebugProtocol.Event) => void)[]>();
  capabilities: DebugProtocol.Capabilities = {};

  constructor(
    readonly dc: DebugClient,
    readonly transport: Transport,
  ) {
    const emit = dc.emit.bind(dc);
    dc.emit = (name: string | symbol, ...args: unknown[]): boolean => {
      const e = args[0] as DebugProtocol.Event | undefined;
      if (typeof name === 'string' && e && e.type === 'event') this.record(name, e);
      return emit(name, ...args);
    };
  }

  private record(name: string, e: DebugProtocol.Event): void {
    this.events.push(e);
    const waiting = this.waiters.get(name);
    if (waiting?.length) {
      waiting.shift()!(e);
      return;
    }
    const q = this.queues.get(name) ?? [];
    q.push(e);
    this.queues.set(name, q);
  }

  /** The next event of this type not yet taken (one already received, or the next to come). */
  event<T extends DebugProtocol.Event = DebugProtocol.Event>(type: string, timeout = WAIT_MS): Promise<T> {
    const q = this.queues.get(type);
    if (q?.length) return Promise.resolve(q.shift() as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(type) ?? [];
        const i = list.indexOf(take);
        if (i >= 0) list.splice(i, 1);
        reject(
          new Error(
            `no '${type}' event within ${timeout} ms; events so far: ${this.events.map((x) => x.event).join(', ')}`,
          ),
        );
      }, timeout);
      const take = (e: DebugProtocol.Event) => {
        clearTimeout(timer);
        resolve(e as T);
      };
      const list = this.waiters.get(type) ?? [];
      list.push(take);
      this.waiters.set(type, list);
    });
  }

  /** Takes every queued event of this type (received so far and not yet taken). */
  drain<T extends DebugProtocol.Event = DebugProtocol.Event>(type: string): T[] {
    const q = this.queues.get(type) ?? [];
    this.queues.set(type, []);
    return q as T[];
  }

  stopped(timeout = WAIT_MS): Promise<DebugProtocol.StoppedEvent> {
    return this.event<DebugProtocol.StoppedEvent>('stopped', timeout);
  }

  /** Waits until the adapter has answered everything sent so far (a cheap request round trip). */
  async settle(): Promise<void> {
    await this.raw('threads');
  }

  /**
   * Sends any request, exactly as given (arguments of any JSON type, or none), and resolves with the response
   * whether it succeeded or not. Rejects only if no response arrives.
   */
  raw(command: string, args?: unknown, options: { omitArguments?: boolean } = {}): Promise<DebugProtocol.Response> {
    const inner = this.dc as unknown as {
      sequence: number;
      pendingRequests: Map<number, (r: DebugProtocol.Response) => void>;
      outputStream: { write(data: string, encoding: string): void };
    };
    return new Promise((resolve, reject) => {
      const seq = inner.sequence++;
      const request: Record<string, unknown> = { type: 'request', seq, command };
      if (!options.omitArguments && args !== undefined) request.arguments = args;
      const timer = setTimeout(() => {
        inner.pendingRequests.delete(seq);
        reject(new Error(`no response to '${command}' ${JSON.stringify(args)} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      inner.pendingRequests.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      const json = JSON.stringify(request);
      inner.outputStream.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`, 'utf8');
    });
  }

  /** A request that must succeed; its response. */
  async ok<R extends DebugProtocol.Response = DebugProtocol.Response>(command: string, args?: unknown): Promise<R> {
    const r = await this.raw(command, args);
    assert.strictEqual(r.success, true, `'${command}' ${JSON.stringify(args)} failed: ${r.message}`);
    assert.strictEqual(r.command, command);
    return r as R;
  }

  /** A request that must fail; its error message. */
  async fails(command: string, args?: unknown): Promise<string> {
    const r = await this.raw(command, args);
    assert.strictEqual(
      r.success,
      false,
      `'${command}' ${JSON.stringify(args)} should have failed but answered ${JSON.stringify(r.body)}`,
    );
    assert.strictEqual(typeof r.message, 'string');
    return r.message!;
  }

  async initialize(extra: Partial<DebugProtocol.InitializeRequestArguments> = {}): Promise<DebugProtocol.Capabilities> {
    const r = await this.ok<DebugProtocol.InitializeResponse>('initialize', {
      adapterID: 'suspend-flow',
      clientID: 'mocha',
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: 'path',
      supportsInvalidatedEvent: true,
      supportsMemoryEvent: true,
      supportsVariableType: true,
      ...extra,
    });
    this.capabilities = r.body ?? {};
    return this.capabilities;
  }

  /**
   * initialize, launch, (the caller's breakpoints), configurationDone; resolves with the first stopped event (entry,
   * a breakpoint, or the end of the scenario). `waitMs` is for launches that run far before their first stop.
   */
  async launch(
    args: LaunchArgs,
    configure?: () => Promise<void>,
    init: Partial<DebugProtocol.InitializeRequestArguments> = {},
    waitMs = WAIT_MS,
  ): Promise<DebugProtocol.StoppedEvent> {
    await this.initialize(init);
    await this.ok('launch', args);
    await this.event('initialized');
    if (configure) await configure();
    await this.ok('configurationDone');
    return this.stopped(waitMs);
  }

  private closed = false;

  /** Disconnects and stops the adapter (once: the fixture closes every client after each test). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dc.stop();
  }

  // ---------------------------------------------------------------------------------------- requests

  async threads(): Promise<DebugProtocol.Thread[]> {
    return (await this.ok<DebugProtocol.ThreadsResponse>('threads')).body.threads;
  }

  /** The DAP thread id of a thread by name (`host`, `guest.vcpu0`). */
  async threadId(name: string): Promise<number> {
    const t = (await this.threads()).find((x) => x.name === name);
    assert.ok(t, `no thread '${name}'`);
    return t.id;
  }

  async frames(threadId: number): Promise<DebugProtocol.StackFrame[]> {
    return (await this.ok<DebugProtocol.StackTraceResponse>('stackTrace', { threadId })).body.stackFrames;
  }

  async top(threadId: number): Promise<DebugProtocol.StackFrame> {
    return (await this.frames(threadId))[0];
  }

  async setLineBreakpoints(file: string, bps: DebugProtocol.SourceBreakpoint[]): Promise<DebugProtocol.Breakpoint[]> {
    return (
      await this.ok<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', {
        source: { path: file },
        breakpoints: bps,
      })
    ).body.breakpoints;
  }

  async setFunctionBreakpoints(
    names: (string | DebugProtocol.FunctionBreakpoint)[],
  ): Promise<DebugProtocol.Breakpoint[]> {
    const breakpoints = names.map((n) => (typeof n === 'string' ? { name: n } : n));
    return (await this.ok<DebugProtocol.SetFunctionBreakpointsResponse>('setFunctionBreakpoints', { breakpoints })).body
      .breakpoints;
  }

  async scopes(frameId: number): Promise<DebugProtocol.Scope[]> {
    return (await this.ok<DebugProtocol.ScopesResponse>('scopes', { frameId })).body.scopes;
  }

  async scope(frameId: number, name: string): Promise<DebugProtocol.Scope> {
    const s = (await this.scopes(frameId)).find((x) => x.name === name);
    assert.ok(s, `no scope '${name}'`);
    return s;
  }

  async variables(variablesReference: number): Promise<DebugProtocol.Variable[]> {
    return (await this.ok<DebugProtocol.VariablesResponse>('variables', { variablesReference })).body.variables;
  }

  /** A variable by its path of names below a reference: `variable(ref, 'gpu', 'config space', 'pmcsr', 'state')`. */
  async variable(ref: number, ...names: string[]): Promise<DebugProtocol.Variable> {
    let current: DebugProtocol.Variable | undefined;
    for (const name of names) {
      const list = await this.variables(current ? current.variablesReference : ref);
      current = list.find((v) => v.name === name);
      assert.ok(current, `no variable '${name}' among ${list.map((v) => v.name).join(', ')}`);
    }
    return current!;
  }

  /** The whole tree below a reference, every child fetched (references themselves left out: they change). */
  async tree(ref: number): Promise<VariableNode[]> {
    const out: VariableNode[] = [];
    for (const v of await this.variables(ref)) {
      const node: VariableNode = { name: v.name, value: v.value };
      if (v.evaluateName !== undefined) node.evaluateName = v.evaluateName;
      if (v.type !== undefined) node.type = v.type;
      if (v.variablesReference > 0) node.children = await this.tree(v.variablesReference);
      out.push(node);
    }
    return out;
  }

  /** Every scope of a frame with its full tree. */
  async state(frameId: number): Promise<{ scope: string; tree: VariableNode[] }[]> {
    const out: { scope: string; tree: VariableNode[] }[] = [];
    for (const s of await this.scopes(frameId))
      out.push({ scope: s.name, tree: await this.tree(s.variablesReference) });
    return out;
  }

  async evaluate(expression: string, context: string = 'watch', frameId?: number): Promise<string> {
    const r = await this.ok<DebugProtocol.EvaluateResponse>('evaluate', { expression, context, frameId });
    return r.body.result;
  }

  /** Sends a stepping request and returns the stop it leads to. */
  async stepAndStop(command: string, args: unknown): Promise<DebugProtocol.StoppedEvent> {
    await this.ok(command, args);
    return this.stopped();
  }
}

/** Counts the nodes of a tree (to check a comparison compared something). */
export function countNodes(tree: { children?: unknown[] }[]): number {
  let n = 0;
  for (const node of tree) n += 1 + countNodes((node.children ?? []) as { children?: unknown[] }[]);
  return n;
}

// ------------------------------------------------------------------------------------------ transports

export interface AdapterFixture {
  /** a new client connected to a fresh adapter session (closed after the test) */
  open(): Promise<Client>;
}

/**
 * Registers the hooks for one transport in the current `describe`: stdio spawns dist/debugAdapter.js per session
 * (built first if needed); tcp starts an in-process server on a loopback port, closed in `after`.
 */
export function useAdapter(transport: Transport): AdapterFixture {
  let server: net.Server | undefined;
  let port = 0;
  const clients: Client[] = [];

  before(async function () {
    this.timeout(60_000);
    if (transport === 'stdio') ensureBuilt();
    else {
      server = await startServer(0);
      port = (server.address() as net.AddressInfo).port;
      assert.strictEqual((server.address() as net.AddressInfo).address, '127.0.0.1');
    }
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });

  after(async () => {
    if (!server) return;
    const s = server;
    server = undefined;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  return {
    async open() {
      const dc = new DebugClient('node', ADAPTER, 'suspend-flow', { cwd: ROOT });
      dc.defaultTimeout = WAIT_MS;
      const client = new Client(dc, transport);
      if (transport === 'stdio') await dc.start();
      else await dc.start(port);
      clients.push(client);
      return client;
    },
  };
}

/** Defines the same tests once per transport. */
export function forEachTransport(title: string, body: (fixture: AdapterFixture, transport: Transport) => void): void {
  for (const transport of TRANSPORTS) {
    describe(`${title} (${transport})`, () => {
      const fixture = useAdapter(transport);
      body(fixture, transport);
    });
  }
}
