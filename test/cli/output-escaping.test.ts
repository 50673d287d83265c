// Text from a scenario (log strings, expectation messages, anything it names) never makes a line of the CLI's output
// on its own: newlines and control characters are printed as visible escapes, so a scenario cannot forge a
// `replay: ...` line (which the editor's Explore command used to open) or a PASS line. The Explore command reads
// the replay files from `sflow explore --results FILE`, a JSON summary, not from stdout.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { printable } from '../../src/cli/text';
import { sflowInProcess as sflow, show } from './run-cli';

/** A scenario whose log and expectation try to print lines of their own. */
const FORGE = `vm g { hypervisor kvm }
host {
  at 0us..20us: irq 33 -> g
}
g.vcpu0 {
  irq enable 33 wake
  log "a\\nreplay: /tmp/evil.replay.json\\n-- finished at 1 ms: PASS\x1b[2J"
  delay 50us
  expect x2 == 0, "forged\\nreplay: /tmp/evil2.replay.json\\nPASS"
on irq 33 {
  irq ack 33
  set x2 = 1
}
}
`;

/** Every line the timeline prints: an event line or a `-- ` line. */
const TIMELINE_LINE = /^( *\d+\.\d{6} ms {2}\S+ +.*|-- .*)$/;

describe('scenario text in the output', function () {
  this.timeout(60_000);
  let tmp: string;
  let file: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-escape-'));
    file = path.join(tmp, 'forge.sflow');
    fs.writeFileSync(file, FORGE);
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('printable() shows newlines and control characters as escapes and leaves other text alone', () => {
    assert.strictEqual(
      printable('a\nb\r\tc\x1b[2J\x00\x7f\u0085\u2028\u202e'),
      'a\\nb\\r\\tc\\x1b[2J\\x00\\x7f\\x85\\u2028\\u202e',
    );
    assert.strictEqual(printable('plain text: µs, ≥, 日本'), 'plain text: µs, ≥, 日本');
  });

  it('run: a log string and an expectation message cannot start a line', async () => {
    const r = await sflow(['run', file]);
    assert.strictEqual(r.code, 1, show(r));
    for (const line of r.out.trimEnd().split('\n')) assert.match(line, TIMELINE_LINE, line);
    assert.match(r.out, /log: a\\nreplay: \/tmp\/evil\.replay\.json\\n-- finished at 1 ms: PASS\\x1b\[2J$/m);
    assert.match(r.out, /EXPECTATION FAILED: forged\\nreplay: \/tmp\/evil2\.replay\.json\\nPASS$/m);
    assert.match(
      r.out,
      /^-- finished at [\d.]+ ms, \d+ events, trace [0-9a-f]{16}: FAIL: 1 expectation failed \(forged\\nreplay: \/tmp\/evil2\.replay\.json\\nPASS\)$/m,
    );
    assert.doesNotMatch(r.out, /\x1b/);
  });

  it('run --format json keeps the text exact (JSON escapes it)', async () => {
    const doc = JSON.parse((await sflow(['run', file, '--format', 'json'])).out);
    assert.ok(
      doc.events.some(
        (e: { kind: string; text?: string }) =>
          e.kind === 'log' && e.text!.includes('\nreplay: /tmp/evil.replay.json\n'),
      ),
    );
  });

  it('explore: the only replay: lines are the files it wrote, and --results lists them as JSON', async () => {
    const out = path.join(tmp, 'out');
    const results = path.join(tmp, 'results.json');
    const r = await sflow(['explore', file, '--out', out, '--results', results]);
    assert.strictEqual(r.code, 1, show(r));
    const replayLines = r.out.split('\n').filter((l) => l.startsWith('replay: '));
    assert.deepStrictEqual(replayLines, [`replay: ${path.join(out, 'forge.cex1.replay.json')}`]);
    assert.ok(!/^PASS/m.test(r.out), r.out);
    const summary = JSON.parse(fs.readFileSync(results, 'utf8'));
    assert.strictEqual(summary.format, 'sflow-explore-results/1');
    assert.strictEqual(summary.scenario, file);
    assert.strictEqual(summary.result, 'fail');
    assert.strictEqual(summary.exitCode, 1);
    assert.deepStrictEqual(
      summary.replays.map((x: { file: string; kind: string }) => [x.file, x.kind]),
      [[path.join(out, 'forge.cex1.replay.json'), 'counterexample']],
    );
    assert.match(summary.replays[0].problems[0], /forged\nreplay/, 'the JSON keeps the exact text');
    assert.match(summary.verdict, /^FAIL: 1 path with a problem$/);
  });

  it('explore --results on a passing search lists no replay', async () => {
    const results = path.join(tmp, 'fixed.json');
    const r = await sflow([
      'explore',
      path.resolve(__dirname, '../../examples/s2idle-notify-window-fixed.sflow'),
      '--out',
      path.join(tmp, 'fixed-out'),
      '--results',
      results,
    ]);
    assert.strictEqual(r.code, 0, show(r));
    const summary = JSON.parse(fs.readFileSync(results, 'utf8'));
    assert.deepStrictEqual(summary.replays, []);
    assert.strictEqual(summary.result, 'pass');
    assert.strictEqual(summary.complete, true);
  });

  it('sflow test: the failure details are escaped, in the lines and in the JUnit XML', async () => {
    const junit = path.join(tmp, 'junit.xml');
    const r = await sflow(['test', file, '--junit', junit]);
    assert.strictEqual(r.code, 1, show(r));
    for (const line of r.out.trimEnd().split('\n'))
      assert.match(line, /^(PASS|FAIL) |^ {8}|^\d+ passed, \d+ failed$/, line);
    const xml = fs.readFileSync(junit, 'utf8');
    // XML 1.0 allows no control characters but tab, newline and carriage return, even escaped.
    assert.doesNotMatch(xml, /[\x00-\x08\x0b\x0c\x0e-\x1f]/);
  });

  it('a file name with a newline is escaped too', async () => {
    const odd = path.join(tmp, 'odd\nPASS.sflow');
    fs.writeFileSync(odd, 'vm g { hypervisor kvm }\ng.vcpu0 { halt }\n');
    const r = await sflow(['test', odd]);
    assert.strictEqual(r.code, 0, show(r));
    assert.ok(!/^PASS\.sflow/m.test(r.out), r.out);
    assert.match(r.out, /odd\\nPASS\.sflow/);
  });
});
