// The replay check (src/sim/explore/replay.ts): a replay follows the path explore recorded, stops where explore
// stopped it, and says where it departs from the recording (which decision, what was recorded, what was possible),
// so the CLI and the debugger can never silently follow another path.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Counterexample, explore } from '../../src/sim/explore/explorer';
import {
  parseReplay,
  replayCheck,
  ReplayPath,
  replayScheduler,
  REPLAY_FORMAT,
  startReplay,
} from '../../src/sim/explore/replay';
import { Machine } from '../../src/sim/machine';
import { Program } from '../../src/lang/program';
import { compile, fixture } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');
const RACE = fs
  .readFileSync(path.join(ROOT, 'examples/s2idle-notify-window.sflow'), 'utf8')
  .replace(/^expect violation .*$/m, '');
const ALTERNATIVES = fixture('alternatives.sflow');
const TIE = fixture('tie.sflow');

function pathOf(cex: Counterexample, seed = 0): ReplayPath {
  return {
    seed,
    choices: cex.choices,
    checkpoints: cex.checkpoints,
    steps: cex.steps,
    traceHash: cex.traceHash,
    end: cex.end,
  };
}

/** Replays as `sflow run --replay` does: to the recorded end or the first departure. */
function replay(program: Program, p: ReplayPath) {
  const { machine, check } = startReplay(program, p);
  const stop = machine.run({}, () => check.departed || check.atEnd(machine));
  return { machine, check, stop, report: check.finish(machine) };
}

describe('replay check', function () {
  this.timeout(60_000);
  let program: Program;
  let cex: Counterexample;

  before(() => {
    program = compile(RACE);
    cex = explore(program).counterexamples[0];
  });

  it('explore records where the path ends (units, trace) and what it saw at each choice', () => {
    assert.ok(cex.steps > 0);
    assert.strictEqual(cex.end, 'problem');
    assert.strictEqual(cex.checkpoints.length, cex.choices.length);
    cex.checkpoints.forEach(([decision, option, options, hash], i) => {
      assert.deepStrictEqual([decision, option], cex.choices[i]);
      assert.ok(options > option);
      assert.match(hash, /^[0-9a-f]{16}$/);
    });
  });

  it('a faithful replay stops where explore stopped the path, with the trace hash explore recorded', () => {
    const r = replay(program, pathOf(cex));
    assert.deepStrictEqual(r.check.deviations, []);
    assert.strictEqual(r.report.faithful, true, r.report.message);
    assert.strictEqual(r.report.reachedEnd, true);
    assert.strictEqual(r.report.hashChecked, true);
    assert.strictEqual(r.machine.state.steps, cex.steps);
    assert.strictEqual(r.machine.traceHash(), cex.traceHash);
    assert.strictEqual(r.stop.kind, 'predicate');
  });

  it('an option out of range is a departure at that decision, saying what was recorded and what was possible', () => {
    const [d] = cex.choices[0];
    const r = replay(program, { ...pathOf(cex), choices: [[d, 7], ...cex.choices.slice(1)] });
    assert.strictEqual(r.report.faithful, false);
    assert.strictEqual(r.check.deviations[0].decision, d);
    assert.match(
      r.report.message,
      new RegExp(`^decision ${d}: the replay takes option 7, but only options 0 to \\d+ are possible there`),
    );
    // Stopped at the departure, not run on along another path.
    assert.ok(r.machine.state.steps < cex.steps);
  });

  it('an edited decision is a departure at the first decision that differs from the recording', () => {
    const [d, option] = cex.choices[0];
    const r = replay(program, { ...pathOf(cex), choices: [[d - 1, option], ...cex.choices.slice(1)] });
    assert.strictEqual(r.report.faithful, false);
    assert.strictEqual(r.check.deviations[0].decision, d - 1, r.report.message);
    assert.match(r.report.message, new RegExp(`^decision ${d - 1}: the replay takes option ${option}`));
  });

  it('an empty choice list departs where explore took its first choice', () => {
    const [d, option] = cex.choices[0];
    const r = replay(program, { ...pathOf(cex), choices: [] });
    assert.strictEqual(r.report.faithful, false);
    assert.strictEqual(r.check.deviations[0].decision, d);
    assert.match(
      r.report.message,
      new RegExp(`^decision ${d}: explore took option ${option} of \\d+ there, the replay takes option 0`),
    );
  });

  it('without checkpoints, an empty choice list is caught by the trace hash at the end', () => {
    const r = replay(program, { seed: 0, choices: [], steps: cex.steps, traceHash: cex.traceHash });
    assert.strictEqual(r.report.faithful, false);
    assert.match(
      r.report.message,
      new RegExp(`the path ends with trace [0-9a-f]{16}, but explore's ended with ${cex.traceHash}`),
    );
  });

  it('a decision past the path is never reached: a departure', () => {
    const r = replay(program, { ...pathOf(cex), choices: [...cex.choices, [100_000, 1]] });
    assert.strictEqual(r.report.faithful, false);
    assert.strictEqual(r.report.deviations[0].decision, 100_000);
    assert.match(r.report.message, /^decision 100000 \(option 1\) is never reached: the path makes \d+ decisions/);
  });

  it("a path that ends before explore's did is a departure", () => {
    const program2 = compile(TIE);
    const found = explore(program2).counterexamples[0];
    const r = replay(program2, { ...pathOf(found), steps: found.steps + 50 });
    assert.strictEqual(r.report.faithful, false);
    assert.match(
      r.report.message,
      new RegExp(
        `the path ends after ${r.machine.state.steps} units with nothing left to run; explore's went on to ${found.steps + 50}`,
      ),
    );
  });

  it("checks a VMM's alternative picked while its unit runs", () => {
    const p2 = compile(ALTERNATIVES);
    const found = explore(p2, { all: true }).counterexamples[0];
    assert.strictEqual(found.checkpoints.length, 1);
    assert.strictEqual(replay(p2, pathOf(found)).report.faithful, true);
    const [d] = found.choices[0];
    const r = replay(p2, { ...pathOf(found), choices: [[d, 2]] });
    assert.strictEqual(r.report.faithful, false);
    assert.match(
      r.report.message,
      new RegExp(`^decision ${d}: the replay takes option 2, but only options 0 to 1 are possible there`),
    );
  });

  it('records a departure once however often a decision is asked again (peek, time travel)', () => {
    const [d] = cex.choices[0];
    const { machine, check } = startReplay(program, { ...pathOf(cex), choices: [[d, 9]] });
    machine.run({}, () => check.departed);
    machine.peek();
    machine.peek();
    assert.strictEqual(check.deviations.length, 1);
  });

  it('reports each departure to onDeviation as it happens', () => {
    const seen: number[] = [];
    const [d] = cex.choices[0];
    const { machine, check } = startReplay(
      program,
      { ...pathOf(cex), choices: [[d, 9]] },
      { onDeviation: (dev) => seen.push(dev.decision ?? -1) },
    );
    machine.run({}, () => check.atEnd(machine));
    assert.deepStrictEqual(seen.slice(0, 1), [d]);
  });

  it('works without a machine attached (no trace hashes at the decisions)', () => {
    const check = replayCheck(pathOf(cex));
    const m = new Machine(program, { seed: 0, scheduling: 'open', scheduler: check.scheduler });
    m.run({}, () => check.atEnd(m));
    assert.strictEqual(check.finish(m).faithful, true);
  });

  it('a file from an older sflow (no steps) is followed to the end of the run, and says its hash is not checked', () => {
    const r = replay(program, { seed: 0, choices: cex.choices });
    assert.strictEqual(r.report.faithful, true);
    assert.strictEqual(r.report.hashChecked, false);
  });

  it('replayScheduler(choices) is still a plain scheduler', () => {
    const s = replayScheduler([[3, 1]]);
    assert.strictEqual(s.pick(3, 2), 1);
    assert.strictEqual(s.pick(4, 2), 0);
  });

  describe('parseReplay', () => {
    const base = {
      format: REPLAY_FORMAT,
      scenario: 'a.sflow',
      seed: 0,
      choices: [[4, 1]],
      problems: [],
      traceHash: 'ab',
      time: 5,
    };

    it('does not quote text that is not JSON, and says where it breaks', () => {
      const r = parseReplay('root:x:0:0:root:/root:/bin/bash\n') as { error: string };
      assert.match(r.error, /^not JSON \(at line 1, column 1\)$/);
      assert.doesNotMatch(r.error, /root/);
      assert.match(
        (parseReplay('{\n  "format": oops\n}') as { error: string }).error,
        /^not JSON \(at line 2, column 13\)$/,
      );
      assert.match(
        (parseReplay('{"a": 1') as { error: string }).error,
        /^not JSON \(at line 1, column 8: the text ends too early\)$/,
      );
    });

    it('accepts a UTF-8 byte order mark', () => {
      const r = parseReplay('\ufeff' + JSON.stringify(base));
      assert.ok(!('error' in r), JSON.stringify(r));
    });

    it('rejects a decision recorded twice, and checkpoints that are not [decision, option, options, hash]', () => {
      assert.match(
        (
          parseReplay(
            JSON.stringify({
              ...base,
              choices: [
                [4, 1],
                [4, 2],
              ],
            }),
          ) as { error: string }
        ).error,
        /decision 4 appears twice/,
      );
      assert.match(
        (parseReplay(JSON.stringify({ ...base, checkpoints: [[4, 1]] })) as { error: string }).error,
        /checkpoints/,
      );
      assert.match((parseReplay(JSON.stringify({ ...base, steps: -1 })) as { error: string }).error, /steps/);
      assert.match(
        (parseReplay(JSON.stringify({ ...base, traceHash: 'a'.repeat(20000) })) as { error: string }).error,
        /^'traceHash' should be a hash of 16 hexadecimal digits$/,
      );
      assert.match(
        (parseReplay(JSON.stringify({ ...base, checkpoints: [[4, 1, 2, 'x'.repeat(5000)]] })) as { error: string })
          .error,
        /checkpoints/,
      );
      const ok = parseReplay(
        JSON.stringify({ ...base, steps: 10, checkpoints: [[4, 1, 2, '00112233aabbccdd']], end: 'problem' }),
      );
      assert.ok(!('error' in ok));
      assert.deepStrictEqual(ok.checkpoints, [[4, 1, 2, '00112233aabbccdd']]);
      assert.strictEqual(ok.steps, 10);
    });
  });
});
