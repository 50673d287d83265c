// dist/debugAdapter.js: the debug adapter as an executable. Over stdio by default; with --socket=PATH it listens on
// a Unix socket only its owner can open (in a directory of mode 0700), and with --server=PORT on a loopback TCP port
// (which any local user can reach: for a client that cannot use a socket), serving one session per connection.

import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { AdapterHost, SuspendFlowSession } from './session';
import { readTextFile, REPLAY_MAX_BYTES, SCENARIO_MAX_BYTES } from '../cli/files';

/**
 * Tunes V8 for a process that is only the adapter (never inside the extension host, which is VS Code's):
 * - Replaying history makes many short-lived objects, and V8 answers a high allocation rate by doubling its young
 *   generation, which costs tens of megabytes of resident memory. Keeping it at its starting size trades that for
 *   a few more (cheap) scavenges. The flag is read whenever the heap considers growing, so setting it now works.
 * - `--optimize-for-size` makes the heap grow less eagerly and give pages back sooner: with a million events of
 *   history, RSS right after stepping goes from 61-72 MB to ~58 MB and the peak from ~77 MB to ~65 MB, with the
 *   same step latencies (npm run bench).
 * - A full collection after a long run returns the old-space pages that run's garbage took (about 10 MB of resident
 *   memory after a million events). `global.gc` only exists with --expose-gc; setting the flag and fetching `gc`
 *   from a fresh context gets it without restarting node.
 * Returns the collection to run after long runs.
 */
function tuneForAdapterProcess(): (() => void) | undefined {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString('--optimize-for-size');
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    return typeof gc === 'function' ? gc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * lib/ beside the code: `dist/../lib` for the bundle, `src/adapter/../../lib` when the adapter runs from its sources
 * (an in-process server in the tests), so the prelude's frames open the file on disk either way.
 */
function defaultLibraryDir(): string {
  const candidates = [path.resolve(__dirname, '../lib'), path.resolve(__dirname, '../../lib')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'linux.sflow'))) ?? candidates[0];
}

export function nodeHost(
  libraryDir = defaultLibraryDir(),
  afterLongRun?: () => void,
  libraryUri?: string,
): AdapterHost {
  return {
    // Regular files only, up to a size limit, never quoted in an error (src/cli/files.ts, as the CLI reads them).
    readFile: (p, what) =>
      readTextFile(p, { what, maxBytes: what === 'scenario' ? SCENARIO_MAX_BYTES : REPLAY_MAX_BYTES }),
    fileExists: (p) => fs.existsSync(p),
    resolvePath: (p) => path.resolve(p),
    libraryDir: fs.existsSync(libraryDir) ? libraryDir : undefined,
    libraryUri,
    afterLongRun,
  };
}

/** Starts a loopback TCP server; resolves with it once it listens (its address has the port). */
export function startServer(port: number, host: AdapterHost = nodeHost()): Promise<net.Server> {
  return listen(sessionServer(host), (server) => server.listen(port, '127.0.0.1'));
}

/**
 * Starts a server on a Unix socket (a named pipe on Windows) that only this user can open: the socket is made in a
 * new directory of mode 0700 under the temporary directory, unless a path is given. Resolves with the server and the
 * socket's path; closing the server removes the socket.
 */
export async function startSocketServer(
  host: AdapterHost = nodeHost(),
  socketPath?: string,
): Promise<{ server: net.Server; path: string }> {
  const where =
    socketPath ??
    (process.platform === 'win32'
      ? `\\\\.\\pipe\\suspend-flow-${process.pid}-${Date.now()}`
      : path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-dap-')), 'adapter.sock'));
  const server = await listen(sessionServer(host), (s) => s.listen(where));
  if (process.platform !== 'win32') fs.chmodSync(where, 0o600);
  return { server, path: where };
}

function sessionServer(host: AdapterHost): net.Server {
  return net.createServer((socket) => {
    if (host.onActivity) socket.on('data', host.onActivity);
    const session = new SuspendFlowSession(host);
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('error', () => socket.destroy());
  });
}

function listen(server: net.Server, start: (server: net.Server) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
    start(server);
  });
}

/**
 * A full collection once the client has been quiet for a second: stepping leaves garbage that young-generation
 * scavenges promote, and a debugger waiting for its user is the moment to give it back. Returns the call that
 * marks activity.
 */
function collectWhenIdle(gc: (() => void) | undefined): () => void {
  if (!gc) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  return () => {
    busy = true;
    if (timer) return;
    timer = setInterval(() => {
      if (busy) {
        busy = false;
        return;
      }
      clearInterval(timer);
      timer = undefined;
      gc();
    }, 1000);
    timer.unref();
  };
}

function main(): void {
  const gc = tuneForAdapterProcess();
  // --library-uri=sflow-prelude:/ : the editor shows the prelude read-only under that URI (VS Code's extension does).
  const libraryUri = process.argv.find((a) => a.startsWith('--library-uri='))?.slice('--library-uri='.length);
  const host = nodeHost(undefined, gc, libraryUri);
  const activity = collectWhenIdle(gc);
  const socketArg = process.argv.find((a) => a.startsWith('--socket='));
  if (socketArg) {
    startSocketServer({ ...host, onActivity: activity }, socketArg.slice('--socket='.length) || undefined).then(
      ({ path: where }) => {
        process.stderr.write(`suspend-flow debug adapter listening on ${where}\n`);
      },
      (e: Error) => {
        process.stderr.write(`debugAdapter: ${e.message}\n`);
        process.exit(1);
      },
    );
    return;
  }
  const serverArg = process.argv.find((a) => a.startsWith('--server='));
  if (serverArg) {
    const port = Number(serverArg.slice('--server='.length));
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`debugAdapter: '${serverArg}' needs a port number\n`);
      process.exit(2);
    }
    startServer(port, { ...host, onActivity: activity }).then(
      (server) => {
        const address = server.address() as net.AddressInfo;
        process.stderr.write(`suspend-flow debug adapter listening on 127.0.0.1:${address.port}\n`);
      },
      (e: Error) => {
        process.stderr.write(`debugAdapter: ${e.message}\n`);
        process.exit(1);
      },
    );
    return;
  }
  process.stdin.on('data', activity);
  const session = new SuspendFlowSession(host);
  session.start(process.stdin, process.stdout);
}

if (require.main === module) main();
