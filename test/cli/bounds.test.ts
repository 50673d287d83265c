// Bounds of a run: wall-clock time (--max-seconds, default 60 s), output (--max-output, default 64 MiB), each named
// in the verdict with how to raise it; memory that stays bounded however long a run is (JSON and exports are
// written as the run goes); explore --workers capped at the CPUs there are.

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_MAX_OUTPUT, DEFAULT_MAX_SECONDS, parseSize } from '../../src/cli/bounds';
import { CLI, ensureBuilt, Result, sflow as sflowProcess, sflowInProcess as sflow } from './run-cli';

const show = (r: Result) => `exit ${r.code}\n--- stdout\n${r.out.slice(-3000)}\n--- stderr\n${r.err}`;

/** Never ends, and prints an event per statement. */
const ENDLESS_LOG = 'vm g { hypervisor kvm }\ng.vcpu0 {\n  loop {\n    log "tick {x0}"\n    set x0 = x0 + 1\n  }\n}\n';
/** Never ends, quietly (no events), with many vCPUs. */
const ENDLESS_QUIET = 'vm g { hypervisor kvm; vcpus 64 }\ng.vcpu0 {\n  loop {\n    set x0 = x0 + 1\n  }\n}\n';
/** Never ends, with power-state changes: lanes grow as well as events. */
const ENDLESS_POWER = `vm g { hypervisor kvm; vcpus 2 }
g.vcpu1 {
secondary:
  psci CPU_OFF
}
g.vcpu0 {
  loop {
    wait vcpu1.power == OFF
    psci CPU_ON target=vcpu1 entry=secondary context=1
  }
}
`;

describe('bounds of a run', function () {
  this.timeout(120_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-bounds-'));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function scenario(name: string, text: string): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  }

  it('the defaults: 60 s and 64 MiB', () => {
    assert.strictEqual(DEFAULT_MAX_SECONDS, 60);
    assert.strictEqual(DEFAULT_MAX_OUTPUT, 64 * 1024 * 1024);
    assert.strictEqual(parseSize('--max-output', '10K'), 10 * 1024);
    assert.strictEqual(parseSize('--max-output', '64MiB'), 64 * 1024 * 1024);
    assert.strictEqual(parseSize('--max-output', '1000'), 1000);
    assert.throws(() => parseSize('--max-output', 'lots'), /--max-output is a size/);
  });

  it('--max-seconds stops an endless run by the wall clock and says how to raise it', async () => {
    const file = scenario('quiet.sflow', ENDLESS_QUIET);
    const started = Date.now();
    const r = await sflow(['run', file, '--max-seconds', '0.5']);
    assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms`);
    assert.strictEqual(r.code, 1, show(r));
    assert.match(
      r.out,
      /^-- stopped at [\d.]+ ms, \d+ events, trace [0-9a-f]{16}: FAIL: did not finish within 0\.5 s of wall-clock time \(raise the bound with --max-seconds N, 0 for none, or stop earlier with --until TIME\)$/m,
    );
  });

  it('--max-output bounds the timeline, and the verdict names it', async () => {
    const file = scenario('log.sflow', ENDLESS_LOG);
    const r = await sflow(['run', file, '--max-output', '10K']);
    assert.strictEqual(r.code, 1, show(r));
    const lines = r.out.trimEnd().split('\n');
    const timeline = Buffer.byteLength(lines.slice(0, -1).join('\n')) + 1;
    assert.ok(timeline <= 10 * 1024 + 200, `${timeline} bytes: at most one unit's lines past the bound`);
    assert.ok(timeline > 9 * 1024, `${timeline} bytes`);
    assert.match(
      lines[lines.length - 1],
      /: FAIL: stopped after 10 KiB of output \(raise the bound with --max-output SIZE, 0 for none, or stop earlier with --until TIME\)$/,
    );
  });

  it('--max-output bounds the JSON too, which stays a JSON document', async () => {
    const file = scenario('log-json.sflow', ENDLESS_LOG);
    const r = await sflow(['run', file, '--max-output', '20K', '--format', 'json']);
    assert.strictEqual(r.code, 1, show(r));
    const doc = JSON.parse(r.out);
    assert.strictEqual(doc.result, 'fail');
    assert.match(doc.summary, /stopped after 20 KiB of output/);
    assert.ok(doc.events.length > 10);
    assert.ok(r.out.length < 24 * 1024, `${r.out.length}`);
  });

  it('bad bound values are usage errors', async () => {
    const file = scenario('bad.sflow', ENDLESS_LOG);
    for (const [args, message] of [
      [['--max-seconds', 'soon'], /--max-seconds needs a number of seconds/],
      [['--max-output', 'x'], /--max-output is a size/],
    ] as const) {
      const r = await sflow(['run', file, ...args]);
      assert.strictEqual(r.code, 2, show(r));
      assert.match(r.err, message);
    }
  });

  describe('memory stays bounded (a 64 MB heap, a run of several seconds)', () => {
    before(() => ensureBuilt());

    const cases: [string, string, string[]][] = [
      ['run --format json', ENDLESS_LOG, ['run', '--format', 'json']],
      ['run (text)', ENDLESS_LOG, ['run']],
      ['export (perfetto)', ENDLESS_LOG, ['export']],
      ['export --format json', ENDLESS_LOG, ['export', '--format', 'json']],
      ['export of power states (lanes)', ENDLESS_POWER, ['export']],
      ['export --format json of power states (lanes)', ENDLESS_POWER, ['export', '--format', 'json']],
    ];
    for (const [name, text, command] of cases) {
      it(name, () => {
        const file = scenario(`${name.replace(/\W+/g, '-')}.sflow`, text);
        const out = path.join(tmp, `${name.replace(/\W+/g, '-')}.out`);
        const fd = fs.openSync(out, 'w');
        try {
          const [sub, ...rest] = command;
          const r = spawnSync(
            process.execPath,
            ['--max-old-space-size=64', CLI, sub, file, ...rest, '--max-seconds', '3', '--max-output', '0'],
            { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 60_000 },
          );
          assert.strictEqual(r.status, 1, r.stderr);
          assert.match(
            r.stderr + fs.readFileSync(out, 'utf8').slice(-2000),
            /did not finish within 3 s of wall-clock time/,
          );
        } finally {
          fs.closeSync(fd);
        }
        if (command.includes('json') || command[0] === 'export') {
          // Still a whole JSON document.
          const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
          assert.ok(doc.events ?? doc.traceEvents);
        }
        fs.rmSync(out);
      });
    }
  });

  it('explore --workers is capped at the CPUs there are, with a note', () => {
    ensureBuilt();
    const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    // In its own process: worker threads run the bundled CLI.
    const r = sflowProcess([
      'explore',
      'examples/s2idle-notify-window-fixed.sflow',
      '--workers',
      '100000',
      '--out',
      path.join(tmp, 'w'),
    ]);
    assert.strictEqual(r.code, 0, show(r));
    assert.ok(
      r.err.includes(
        `sflow: --workers 100000 is more than the ${cpus} CPU${cpus === 1 ? '' : 's'} here: using ${cpus}`,
      ),
      r.err,
    );
    if (cpus > 1) assert.match(r.out, new RegExp(`; ${cpus} workers$`, 'm'));
  });
});
