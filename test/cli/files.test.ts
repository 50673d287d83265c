// Reading files (src/cli/files.ts): only regular files (after following symlinks), never more than a limit, never
// blocking on a FIFO, never quoting a file that is not a scenario; `sflow test` walks directories without following
// a cycle.

import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readTextFile, SCENARIO_MAX_BYTES } from '../../src/cli/files';
import { ensureBuilt, sflow as sflowProcess, sflowInProcess as sflow, show } from './run-cli';

const GOOD = 'vm g { hypervisor kvm }\ng.vcpu0 { halt }\n';
const posix = process.platform !== 'win32';

describe('reading files', function () {
  this.timeout(60_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-files-'));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function write(name: string, text: string | Buffer): string {
    const file = path.join(tmp, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  }

  function fifo(name: string): string {
    const file = path.join(tmp, name);
    execFileSync('mkfifo', [file]);
    return file;
  }

  describe('readTextFile', () => {
    it('reads a regular file, through a symlink, and drops a UTF-8 byte order mark', () => {
      const file = write('a.sflow', '\ufeffhello');
      assert.strictEqual(readTextFile(file, { what: 'scenario' }), 'hello');
      if (posix) {
        fs.symlinkSync(file, path.join(tmp, 'link.sflow'));
        assert.strictEqual(readTextFile(path.join(tmp, 'link.sflow'), { what: 'scenario' }), 'hello');
      }
    });

    it('says what is wrong, in one line, without the text', () => {
      assert.throws(() => readTextFile(path.join(tmp, 'none.sflow'), { what: 'scenario' }), {
        message: `no such file: ${path.join(tmp, 'none.sflow')}`,
      });
      assert.throws(() => readTextFile(tmp, { what: 'scenario' }), {
        message: `${tmp} is a directory, not a scenario file`,
      });
      const big = write('big.sflow', 'x'.repeat(2000));
      assert.throws(() => readTextFile(big, { what: 'scenario', maxBytes: 1024 }), {
        message: `${big} is too large for a scenario (more than 1 KiB)`,
      });
      assert.strictEqual(SCENARIO_MAX_BYTES, 16 * 1024 * 1024);
      const binary = write('bin.sflow', Buffer.from([0x72, 0x6f, 0xff, 0xfe, 0x00]));
      assert.throws(() => readTextFile(binary, { what: 'scenario' }), {
        message: `${binary} is not UTF-8 text (at byte 2)`,
      });
    });

    it('refuses devices and FIFOs without reading or blocking', function () {
      if (!posix) this.skip();
      assert.throws(() => readTextFile('/dev/zero', { what: 'scenario' }), {
        message: '/dev/zero is a character device, not a scenario file',
      });
      const f = fifo('pipe.sflow');
      assert.throws(() => readTextFile(f, { what: 'replay file' }), { message: `${f} is a FIFO, not a replay file` });
    });

    it('stops reading at the limit a file whose size the system does not report (/proc)', function () {
      if (!fs.existsSync('/proc/self/status')) this.skip();
      assert.throws(
        () => readTextFile('/proc/self/status', { what: 'scenario', maxBytes: 16 }),
        /is too large for a scenario \(more than 16 bytes\)/,
      );
    });
  });

  describe('the commands', () => {
    it('check /dev/zero and a FIFO: exit 2 at once, one line each', async function () {
      if (!posix) this.skip();
      ensureBuilt();
      const f = fifo('check.sflow');
      const zero = path.join(tmp, 'zero.sflow');
      fs.symlinkSync('/dev/zero', zero);
      const started = Date.now();
      // In its own process: a FIFO that blocked would hang this test, not the suite.
      const r = sflowProcess(['check', '/dev/zero', zero, f]);
      assert.strictEqual(r.code, 2, show(r));
      assert.ok(Date.now() - started < 20_000);
      assert.match(r.err, /^sflow: \/dev\/zero is not a scenario \(a scenario's name ends in \.sflow\)$/m);
      assert.ok(r.err.includes(`sflow: ${zero} is a character device, not a scenario file`), r.err);
      assert.ok(r.err.includes(`sflow: ${f} is a FIFO, not a scenario file`), r.err);
    });

    it('a file that does not end in .sflow is not read as a scenario, so it is never quoted', async () => {
      const secret = write('passwd', 'root:x:0:0:root:/root:/bin/bash\n');
      for (const command of ['check', 'run', 'explore', 'export']) {
        const r = await sflow([command, secret]);
        assert.strictEqual(r.code, 2, `${command}: ${show(r)}`);
        assert.doesNotMatch(r.err, /root/, command);
        assert.ok(r.err.includes(`${secret} is not a scenario (a scenario's name ends in .sflow)`), r.err);
        assert.ok(!r.err.includes('usage:'), r.err);
      }
    });

    it('check goes on to the next file after one it cannot read', async () => {
      const good = write('good.sflow', GOOD);
      const r = await sflow(['check', path.join(tmp, 'missing.sflow'), good]);
      assert.strictEqual(r.code, 2, show(r));
      assert.match(r.err, /no such file: .*missing\.sflow/);
      assert.match(r.err, /good\.sflow: 0 errors, 0 warnings/);
    });

    it('sflow test: a *.sflow symlink to /dev/zero fails alone; a symlink cycle is not followed', async function () {
      if (!posix) this.skip();
      const dir = path.join(tmp, 'suite');
      write('suite/ok.sflow', GOOD);
      fs.symlinkSync('/dev/zero', path.join(dir, 'zero.sflow'));
      fs.symlinkSync(dir, path.join(dir, 'loop'));
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.symlinkSync('..', path.join(dir, 'sub', 'up'));
      fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.sflow'));
      const r = await sflow(['test', dir]);
      assert.strictEqual(r.code, 1, show(r));
      assert.match(r.out, /^PASS {2}.*suite\/ok\.sflow /m);
      assert.match(r.out, /^FAIL {2}.*suite\/zero\.sflow +cannot read the file$/m);
      assert.match(r.out, /is a character device, not a scenario file/);
      assert.match(r.out, /^FAIL {2}.*suite\/dangling\.sflow +cannot read the file$/m);
      assert.match(r.out, /^1 passed, 2 failed$/m);
      assert.ok(!r.out.includes('loop/'), 'the cycle is not followed');
      assert.ok(!r.out.includes('sub/up'), 'nor one through a parent');
    });
  });
});
