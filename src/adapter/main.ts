// dist/debugAdapter.js: the debug adapter as an executable. Over stdio by default; with --server=PORT it listens on
// loopback only and serves one session per connection.

import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { AdapterHost, SuspendFlowSession } from './session';

export function nodeHost(libraryDir = path.resolve(__dirname, '../lib')): AdapterHost {
  return {
    readFile: (p) => fs.readFileSync(p, 'utf8'),
    fileExists: (p) => fs.existsSync(p),
    resolvePath: (p) => path.resolve(p),
    libraryDir: fs.existsSync(libraryDir) ? libraryDir : undefined,
  };
}

/** Starts a loopback server; resolves with the port it listens on. */
export function startServer(port: number, host: AdapterHost = nodeHost()): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      const session = new SuspendFlowSession(host);
      session.setRunAsServer(true);
      session.start(socket, socket);
      socket.on('error', () => socket.destroy());
    });
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function main(): void {
  const serverArg = process.argv.find((a) => a.startsWith('--server='));
  if (serverArg) {
    const port = Number(serverArg.slice('--server='.length));
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`debugAdapter: '${serverArg}' needs a port number\n`);
      process.exit(2);
    }
    startServer(port).then((server) => {
      const address = server.address() as net.AddressInfo;
      process.stderr.write(`suspend-flow debug adapter listening on 127.0.0.1:${address.port}\n`);
    }, (e: Error) => {
      process.stderr.write(`debugAdapter: ${e.message}\n`);
      process.exit(1);
    });
    return;
  }
  const session = new SuspendFlowSession(nodeHost());
  session.start(process.stdin, process.stdout);
}

if (require.main === module) main();
