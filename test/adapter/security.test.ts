// What the adapter exposes: the server mode listens on a socket only its owner can open, and a launch reads only
// scenarios, quoting nothing of any other file.

import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { nodeHost, startSocketServer } from '../../src/adapter/main';
import { forEachTransport } from './helpers';

/** One DAP request over a socket, framed as the protocol frames it; resolves with the response. */
function request(
  socketPath: string,
  command: string,
  args: unknown,
): Promise<{ success: boolean; command: string; body?: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      const m = /Content-Length: (\d+)\r\n\r\n/.exec(data);
      if (!m) return;
      const start = m.index + m[0].length;
      if (Buffer.byteLength(data.slice(start)) < Number(m[1])) return;
      socket.end();
      resolve(JSON.parse(data.slice(start, start + Number(m[1]))));
    });
    socket.on('error', reject);
    const body = JSON.stringify({ seq: 1, type: 'request', command, arguments: args });
    socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

describe('the adapter as a server on a private socket', () => {
  it('listens on a socket of mode 0600 in a directory of mode 0700, and answers DAP there', async function () {
    if (process.platform === 'win32') this.skip();
    const { server, path: where } = await startSocketServer(nodeHost());
    try {
      assert.strictEqual(fs.statSync(where).mode & 0o777, 0o600);
      assert.strictEqual(fs.statSync(path.dirname(where)).mode & 0o777, 0o700);
      // pathFormat left out: the protocol's default, 'path'.
      const r = await request(where, 'initialize', { adapterID: 'suspend-flow' });
      assert.deepStrictEqual([r.success, r.command, r.body?.supportsStepBack], [true, 'initialize', true]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.ok(!fs.existsSync(where), 'closing the server removes the socket');
  });
});

forEachTransport('what a launch reads', (adapter) => {
  it('only regular files: a device or a FIFO named .sflow is refused at once, and the adapter goes on', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-files-'));
    const zero = path.join(dir, 'zero.sflow');
    fs.symlinkSync('/dev/zero', zero);
    const fifo = path.join(dir, 'fifo.sflow');
    execFileSync('mkfifo', [fifo]);
    const c = await adapter.open();
    await c.initialize();
    assert.strictEqual(
      await c.fails('launch', { program: zero }),
      `${zero} is a character device, not a scenario file`,
    );
    assert.strictEqual(await c.fails('launch', { program: fifo }), `${fifo} is a FIFO, not a scenario file`);
    assert.strictEqual(await c.fails('launch', { replay: fifo }), `${fifo} is a FIFO, not a replay file`);
    assert.deepStrictEqual(await c.threads(), []);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('only a .sflow scenario: another file is refused without quoting it', async () => {
    const c = await adapter.open();
    await c.initialize();
    const message = await c.fails('launch', { program: '/etc/passwd' });
    assert.strictEqual(message, "/etc/passwd is not a scenario (a scenario's name ends in .sflow)");
  });
});
