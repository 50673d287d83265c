// `sflow run --replay` checks that it follows the recorded path: it stops where explore stopped the path, compares
// the trace hash there, and a replay that departs from its recording (an edited decision, an option out of range,
// an empty choice list, a decision past the path) is a one-line error naming the decision, never a PASS.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { USAGE } from '../../src/cli/main';
import { Result, sflowInProcess as sflow, show } from './run-cli';

const ROOT = path.resolve(__dirname, '../..');
const RACE = fs
  .readFileSync(path.join(ROOT, 'examples/s2idle-notify-window.sflow'), 'utf8')
  .replace(/^expect violation .*\n/m, '');

describe('sflow run --replay checks the path', function () {
  this.timeout(60_000);
  let tmp: string;
  let replayFile: string;
  let replay: {
    choices: [number, number][];
    traceHash: string;
    steps: number;
    events: number;
    time: number;
    checkpoints: unknown[];
    end: string;
  };
  let explored: Result;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-replay-'));
    const scenario = path.join(tmp, 'race.sflow');
    fs.writeFileSync(scenario, RACE);
    explored = await sflow(['explore', scenario, '--out', tmp]);
    replayFile = path.join(tmp, 'race.cex1.replay.json');
    replay = JSON.parse(fs.readFileSync(replayFile, 'utf8'));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A copy of the replay file with some fields changed. */
  function edited(name: string, change: Record<string, unknown>): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, JSON.stringify({ ...replay, ...change }, null, 2));
    return file;
  }

  it('the replay file records where the path ends: units, events and the trace hash there', () => {
    assert.strictEqual(explored.code, 1, show(explored));
    assert.ok(Number.isInteger(replay.steps) && replay.steps > 0);
    assert.ok(Number.isInteger(replay.events) && replay.events > 0);
    assert.strictEqual(replay.end, 'problem');
    assert.strictEqual(replay.checkpoints.length, replay.choices.length);
  });

  it("a faithful replay stops at the end of explore's path and prints the hash explore recorded and printed", async () => {
    const r = await sflow(['run', '--replay', replayFile]);
    assert.strictEqual(r.code, 1, show(r));
    const lines = r.out.trimEnd().split('\n');
    assert.match(
      lines[lines.length - 1],
      new RegExp(
        `^-- stopped at [\\d.]+ ms, ${replay.events} events, trace ${replay.traceHash}: FAIL: invariant violated: host-suspended-while-guest-running`,
      ),
    );
    assert.strictEqual(
      lines[lines.length - 2],
      `-- the replay follows its recording to the end of explore's path: trace ${replay.traceHash}, as recorded`,
    );
    assert.match(explored.out, new RegExp(`path ends at [\\d.]+ ms, trace ${replay.traceHash}$`, 'm'));
    assert.strictEqual(r.err, '');
  });

  const departures: [string, (r: typeof replay) => Record<string, unknown>, RegExp][] = [
    [
      'an edited decision',
      (r) => ({ choices: [[r.choices[0][0] - 1, r.choices[0][1]], ...r.choices.slice(1)] }),
      /recording: decision \d+: the replay takes option \d/,
    ],
    [
      'an option out of range',
      (r) => ({ choices: [[r.choices[0][0], 5], ...r.choices.slice(1)] }),
      /recording: decision \d+: the replay takes option 5, but only options 0 to \d+ are possible there/,
    ],
    [
      'an empty choice list',
      () => ({ choices: [] }),
      /recording: decision \d+: explore took option \d+ of \d+ there, the replay takes option 0/,
    ],
    [
      'a decision index past the path',
      (r) => ({ choices: [...r.choices, [999_999, 1]] }),
      /recording: decision 999999 \(option 1\) is never reached: the path makes \d+ decisions/,
    ],
    [
      'an empty choice list without checkpoints',
      () => ({ choices: [], checkpoints: undefined }),
      /recording: the path ends with trace [0-9a-f]{16}, but explore's ended with [0-9a-f]{16}/,
    ],
  ];
  for (const [what, change, message] of departures) {
    it(`${what}: a one-line error saying where, exit 2, no PASS and no usage`, async () => {
      const file = edited(`${what.replace(/ /g, '-')}.replay.json`, change(replay));
      const r = await sflow(['run', '--replay', file]);
      assert.strictEqual(r.code, 2, show(r));
      const errLines = r.err.trimEnd().split('\n');
      assert.strictEqual(errLines.length, 1, r.err);
      assert.ok(errLines[0].startsWith(`sflow: ${file}: the replay departs from its recording`), r.err);
      assert.match(errLines[0], message);
      assert.doesNotMatch(r.out, /PASS|FAIL/);
      assert.match(r.out, /^-- stopped at [\d.]+ ms, \d+ events, trace [0-9a-f]{16}: not the recorded path$/m);
      assert.ok(!r.err.includes(USAGE.split('\n')[0]));
    });
  }

  it('a replay that records no end of its path (an older file, or a field deleted) is refused: it cannot be checked', async () => {
    for (const key of ['steps', 'traceHash', 'end']) {
      const file = edited(`no-${key}.replay.json`, { [key]: undefined });
      const r = await sflow(['run', '--replay', file]);
      assert.strictEqual(r.code, 2, show(r));
      assert.strictEqual(
        r.err.trim(),
        `sflow: ${file}: the replay records no end of its path ('${key}'), so a run cannot be checked to follow it (an older sflow wrote it, or it was edited): explore the scenario again`,
      );
      assert.strictEqual(r.out, '');
    }
  });

  it('a replay file nested a million deep is one line, not a stack overflow', async () => {
    const file = path.join(tmp, 'deep.replay.json');
    fs.writeFileSync(file, '['.repeat(1_000_000));
    const r = await sflow(['run', '--replay', file]);
    assert.strictEqual(r.code, 2, show(r));
    assert.strictEqual(r.err.trim(), `sflow: ${file}: not JSON (at line 1, column 1000001: the text ends too early)`);
  });

  it('with --format json: the document says the replay departed, and is still JSON', async () => {
    const file = edited('json.replay.json', { choices: [] });
    const r = await sflow(['run', '--replay', file, '--format', 'json']);
    assert.strictEqual(r.code, 2, show(r));
    const doc = JSON.parse(r.out);
    assert.strictEqual(doc.result, 'error');
    assert.strictEqual(doc.replay.faithful, false);
    assert.match(doc.replay.departure, /explore took option/);
    const ok = JSON.parse((await sflow(['run', '--replay', replayFile, '--format', 'json'])).out);
    assert.strictEqual(ok.traceHash, replay.traceHash);
    assert.strictEqual(ok.replay.faithful, true);
  });

  it('a replay problem is one line, not the usage text', async () => {
    const bad = edited('bad.replay.json', { format: 'other' });
    for (const file of [bad, path.join(tmp, 'nosuch.replay.json')]) {
      const r = await sflow(['run', '--replay', file]);
      assert.strictEqual(r.code, 2, show(r));
      assert.strictEqual(r.err.trimEnd().split('\n').length, 1, r.err);
      assert.ok(!r.err.includes('usage:'), r.err);
    }
  });

  it('a replay file that is not JSON: where it breaks, without quoting it', async () => {
    const file = path.join(tmp, 'passwd.replay.json');
    fs.writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\n');
    const r = await sflow(['run', '--replay', file]);
    assert.strictEqual(r.code, 2, show(r));
    assert.strictEqual(r.err.trim(), `sflow: ${file}: not JSON (at line 1, column 1)`);
  });

  it('messages stay short: a long path is shortened, a long hash refused', async () => {
    const longName = edited('long.replay.json', { scenario: '/nonexistent/' + 'a'.repeat(20_000) + '.sflow' });
    const r = await sflow(['run', '--replay', longName]);
    assert.strictEqual(r.code, 2, show(r));
    assert.ok(r.err.length < 600, `${r.err.length} characters`);
    const longHash = edited('long-hash.replay.json', { traceHash: 'a'.repeat(12_000) });
    const h = await sflow(['run', '--replay', longHash]);
    assert.strictEqual(h.code, 2, show(h));
    assert.strictEqual(h.err.trim(), `sflow: ${longHash}: 'traceHash' should be a hash of 16 hexadecimal digits`);
  });

  it('a replay file with a UTF-8 byte order mark is read', async () => {
    const file = path.join(tmp, 'bom.replay.json');
    fs.writeFileSync(file, '\ufeff' + fs.readFileSync(replayFile, 'utf8'));
    const r = await sflow(['run', '--replay', file]);
    assert.strictEqual(r.code, 1, show(r));
    assert.match(r.out, new RegExp(`trace ${replay.traceHash}: FAIL`));
  });

  it('a replay naming a file that is not a scenario does not show its text', async () => {
    const secret = path.join(tmp, 'secret.txt');
    fs.writeFileSync(secret, 'root:x:0:0:hunter2\n');
    const file = edited('passwd-scenario.replay.json', { scenario: secret });
    const r = await sflow(['run', '--replay', file]);
    assert.strictEqual(r.code, 2, show(r));
    assert.doesNotMatch(r.err, /root|hunter2/);
    assert.match(r.err, /not a scenario/);
  });
});
