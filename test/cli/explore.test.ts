// `sflow explore` as a user runs it: the bundled dist/cli.js in its own process, on scenarios written into a temporary
// directory, with the replay files it writes (--out) read back and followed by `sflow run --replay`.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fixture } from '../helpers';
import { ensureBuilt, Result, ROOT, sflow, show } from './run-cli';
import type { ReplayFile as Replay } from '../../src/sim/explore/replay';

const INVARIANT = 'host-suspended-while-guest-running';

/** What explore printed for one problem: its header, the decisions it took, where the path ended, its replay file. */
interface Printed {
  header: string;
  decisions: string[];
  endTime: string;
  endHash: string;
  replayFile: string;
}

function printedProblems(out: string): Printed[] {
  const blocks = out.split(/\n(?=counterexample \d+: |expected violation \S+ is reachable:)/).slice(1);
  return blocks.map((block) => {
    const lines = block.split('\n');
    const end = /^ {2}path ends at (.+), trace ([0-9a-f]{16})$/m.exec(block);
    const replay = /^replay: (.+)$/m.exec(block);
    assert.ok(end && replay, block);
    return {
      header: lines[0],
      decisions: lines.filter((l) => /^ {2}decision \d+ at /.test(l)),
      endTime: end[1],
      endHash: end[2],
      replayFile: replay[1],
    };
  });
}

function readReplay(file: string): Replay {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Replay;
}

/** `-- explored N states (...)`: N. */
function statesOf(out: string): number {
  const m = /^-- explored ([\d,]+) states \(/m.exec(out);
  assert.ok(m, out);
  return Number(m[1].replace(/,/g, ''));
}

/** The closing verdict line, `-- complete: ...`. */
function verdictOf(out: string): string {
  const lines = out.trimEnd().split('\n');
  return lines[lines.length - 1];
}

function example(name: string): string {
  return fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8');
}

/** The window example without `expect violation`: the race it finds is a problem. */
const RACE = example('s2idle-notify-window.sflow').replace(/^expect violation .*\n/m, '');

/** A window over a count: an interrupt during it leaves x2 at 1, 2 or 3, three distinct states that fail. */
const COUNT = `vm g {
  hypervisor kvm
}
host {
  at 0us..20us: irq 33 -> g
}
g.vcpu0 {
  irq enable 33 wake
  set x1 = 0
  loop {
    set x1 = x1 + 1
    if x1 == 4 { break }
  }
  delay 50us
  expect x2 == 0 || x2 == 4, "the interrupt came during the count: x2 = {x2}"
on irq 33 {
  irq ack 33
  set x2 = x1
}
}
`;

const ALTERNATIVES = fixture('alternatives.sflow');

const TIE = fixture('tie.sflow');

const BROKEN = `vm g {
  hypervisor kvm
}
g.vcpu0 {
  psci SYSTEM_SUSPNED entry=0
}
explore
`;

describe('sflow explore', function () {
  this.timeout(60_000);
  let tmp: string;

  /** Writes a scenario into the temporary directory; its absolute path. */
  function scenario(name: string, text: string): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  }

  /** A fresh output directory for replay files. */
  function outDir(): string {
    return fs.mkdtempSync(path.join(tmp, 'out-'));
  }

  /** The EXPECTATION FAILED line `sflow run --replay` prints for a replay file. */
  function replayedFailure(file: string): string {
    const r = sflow(['run', '--replay', file]);
    assert.strictEqual(r.code, 1, show(r));
    const m = /EXPECTATION FAILED: (.*)$/m.exec(r.out);
    assert.ok(m, r.out);
    return m[1];
  }

  before(() => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-explore-'));
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('the s2idle window race', () => {
    let race: string;
    let out: string;
    let explored: Result;
    let printed: Printed;
    let replay: Replay;

    before(() => {
      race = scenario('race.sflow', RACE);
      out = outDir();
      // The scenario named relative to the working directory: the replay records its absolute path.
      explored = sflow(['explore', 'race.sflow', '--out', out], tmp);
      [printed] = printedProblems(explored.out);
      replay = readReplay(printed.replayFile);
    });

    it('finds the race, prints the path and the decision that left the default order, exit 1', () => {
      assert.strictEqual(explored.code, 1, show(explored));
      assert.match(
        explored.out,
        /^counterexample 1: invariant violated: host-suspended-while-guest-running \(the host suspended while vm0\.vcpu0 was running\)$/m,
      );
      assert.strictEqual(printedProblems(explored.out).length, 1);
      assert.ok(printed.decisions.length >= 1, explored.out);
      assert.match(
        printed.decisions.join('\n'),
        /^ {2}decision \d+ at [\d.]+ ms: `at 0ms\.\.100ms: irq 40 -> vm0` \(line 26\) fires first$/m,
      );
      assert.match(
        explored.out,
        / host +VIOLATION Host suspended while a guest vCPU is running: the host suspended while vm0\.vcpu0 was running\n {2}path ends at/,
      );
      assert.doesNotMatch(explored.out, /the replay differs/);
      assert.match(
        explored.out,
        /^-- explored [\d,]+ states \([\d,]+ transitions, [\d,]+ paths, [\d,]+ revisits, depth \d+\) in [\d.]+ s, [\d,]+ states\/s; reduction on$/m,
      );
      assert.strictEqual(
        verdictOf(explored.out),
        '-- stopped at the first problem (--all looks for every one): FAIL: 1 path with a problem',
      );
      assert.strictEqual(explored.err, '');
    });

    it('writes a replay file into --out that names the scenario by its absolute path', () => {
      assert.strictEqual(path.dirname(printed.replayFile), out);
      assert.strictEqual(path.basename(printed.replayFile), 'race.cex1.replay.json');
      assert.ok(fs.existsSync(printed.replayFile));
      assert.deepStrictEqual(fs.readdirSync(out), ['race.cex1.replay.json']);
      assert.strictEqual(replay.format, 'suspend-flow-replay/1');
      assert.strictEqual(replay.scenario, race);
      assert.ok(path.isAbsolute(replay.scenario));
      assert.strictEqual(replay.seed, 0);
      assert.ok(Array.isArray(replay.choices) && replay.choices.length > 0, JSON.stringify(replay.choices));
      for (const c of replay.choices)
        assert.ok(c.length === 2 && c.every((n) => Number.isInteger(n) && n >= 0), JSON.stringify(c));
      // The decisions printed are the ones recorded.
      assert.deepStrictEqual(
        printed.decisions.map((d) => Number(/decision (\d+)/.exec(d)![1])),
        replay.choices.map(([d]) => d),
      );
      assert.deepStrictEqual(replay.problems, [
        'invariant violated: host-suspended-while-guest-running (the host suspended while vm0.vcpu0 was running)',
      ]);
      assert.match(replay.traceHash, /^[0-9a-f]{16}$/);
      assert.match(replay.scenarioHash, /^[0-9a-f]{16}$/);
      assert.strictEqual(printed.endTime, `${(replay.time / 1e6).toFixed(6)} ms`);
    });

    it('the path explore printed is the one it recorded: the same trace hash', () => {
      assert.strictEqual(printed.endHash, replay.traceHash);
    });

    it('`sflow run --replay` follows the path to the violation and stops there, as explore did, exit 1', () => {
      const r = sflow(['run', '--replay', printed.replayFile]);
      assert.strictEqual(r.code, 1, show(r));
      assert.match(
        r.out,
        / host +VIOLATION Host suspended while a guest vCPU is running: the host suspended while vm0\.vcpu0 was running$/m,
      );
      assert.match(
        verdictOf(r.out),
        new RegExp(
          `^-- stopped at [\\d.]+ ms, \\d+ events, trace ${replay.traceHash}: FAIL: invariant violated: host-suspended-while-guest-running`,
        ),
      );
      assert.strictEqual(r.err, '', 'no warning: the scenario is unchanged');
      // Run without the replay, the same scenario takes the default order and passes.
      const plain = sflow(['run', race]);
      assert.strictEqual(plain.code, 0, show(plain));
      assert.doesNotMatch(plain.out, /VIOLATION/);
    });

    it('the replay reaches the very state explore recorded: stopped right after the violation, the same trace hash', () => {
      // Nothing happens between the violation and the wake at 500 ms: stop 1 ns after it.
      const r = sflow(['run', '--replay', printed.replayFile, '--until', String(replay.time + 1)]);
      assert.strictEqual(r.code, 1, show(r));
      const m =
        /^-- stopped at --until at [\d.]+ ms, \d+ events, trace ([0-9a-f]{16}): FAIL: invariant violated: host-suspended-while-guest-running/m.exec(
          r.out,
        );
      assert.ok(m, r.out);
      assert.strictEqual(m[1], replay.traceHash);
      assert.strictEqual(m[1], printed.endHash);
      // The JSON run names the scenario from the replay and ends as the text run does.
      const json = sflow(['run', '--replay', printed.replayFile, '--format', 'json']);
      const doc = JSON.parse(json.out);
      assert.strictEqual(doc.scenario, race);
      assert.strictEqual(doc.result, 'fail');
      assert.ok(
        doc.events.some(
          (e: { kind: string; invariant?: string }) => e.kind === 'violation' && e.invariant === INVARIANT,
        ),
        'a violation event',
      );
    });

    it('explore is deterministic: the same path and the same replay again', () => {
      const again = outDir();
      const r = sflow(['explore', race, '--out', again]);
      assert.strictEqual(r.code, 1);
      const [p] = printedProblems(r.out);
      assert.deepStrictEqual(readReplay(p.replayFile), replay);
      assert.deepStrictEqual(p.decisions, printed.decisions);
    });

    it('`sflow run --replay` of a scenario changed since warns on stderr', () => {
      const edited = scenario('edited.sflow', RACE);
      const dir = outDir();
      const r = sflow(['explore', edited, '--out', dir]);
      const [p] = printedProblems(r.out);
      fs.appendFileSync(edited, '// edited\n');
      const run = sflow(['run', '--replay', p.replayFile]);
      assert.strictEqual(run.code, 1, show(run));
      assert.strictEqual(
        run.err.trim(),
        `sflow: warning: ${edited} changed since ${p.replayFile} was written; the replay may take another path`,
      );
    });

    it('`sflow run --replay` with a bad replay file exits 2 naming it', () => {
      const bad = path.join(tmp, 'bad.replay.json');
      fs.writeFileSync(bad, '{"format": "other"}');
      for (const [file, message] of [
        [bad, `sflow: ${bad}: not a replay file (format should be 'suspend-flow-replay/1')`],
        [path.join(tmp, 'nosuch.json'), `sflow: no such file: ${path.join(tmp, 'nosuch.json')}`],
      ]) {
        const r = sflow(['run', '--replay', file]);
        assert.strictEqual(r.code, 2, show(r));
        assert.ok(r.err.startsWith(message), r.err);
        assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
      }
    });
  });

  describe('the examples', () => {
    it('the window example, which expects the violation, passes: the violation is reachable', () => {
      const out = outDir();
      const r = sflow(['explore', 'examples/s2idle-notify-window.sflow', '--out', out]);
      assert.strictEqual(r.code, 0, show(r));
      assert.doesNotMatch(r.out, /^counterexample/m);
      assert.match(r.out, /^expected violation host-suspended-while-guest-running is reachable:$/m);
      assert.strictEqual(
        verdictOf(r.out),
        '-- complete: PASS: the expected violation host-suspended-while-guest-running is reachable, and no path breaks anything else',
      );
      const [p] = printedProblems(r.out);
      assert.strictEqual(
        path.basename(p.replayFile),
        's2idle-notify-window.host-suspended-while-guest-running.replay.json',
      );
      const replay = readReplay(p.replayFile);
      assert.strictEqual(replay.scenario, path.join(ROOT, 'examples/s2idle-notify-window.sflow'));
      assert.strictEqual(replay.traceHash, p.endHash);
      // Replayed, the expected violation is shown and the run passes.
      const run = sflow(['run', '--replay', p.replayFile]);
      assert.strictEqual(run.code, 0, show(run));
      assert.match(run.out, /VIOLATION Host suspended while a guest vCPU is running/);
    });

    it('the fixed example passes on every path and writes no replay', () => {
      const out = path.join(tmp, 'fixed-out');
      const r = sflow(['explore', 'examples/s2idle-notify-window-fixed.sflow', '--out', out]);
      assert.strictEqual(r.code, 0, show(r));
      assert.strictEqual(verdictOf(r.out), '-- complete: PASS: every path keeps every rule');
      assert.match(r.out, /complete: PASS/);
      assert.doesNotMatch(r.out, /^(counterexample|replay:)/m);
      assert.ok(!fs.existsSync(out) || fs.readdirSync(out).length === 0);
    });
  });

  describe('--all, --shard and --workers', () => {
    let count: string;
    let all: Result;
    /** x2 at each problem the single search found (from the replays), sorted */
    let allFailures: string[];

    before(() => {
      count = scenario('count.sflow', COUNT);
      all = sflow(['explore', count, '--all', '--out', outDir()]);
      allFailures = printedProblems(all.out)
        .map((p) => replayedFailure(p.replayFile))
        .sort();
    });

    it('--all finds several counterexamples, each with its own replay', () => {
      assert.strictEqual(all.code, 1, show(all));
      const printed = printedProblems(all.out);
      assert.strictEqual(printed.length, 3, all.out);
      for (const [i, p] of printed.entries())
        assert.match(
          p.header,
          new RegExp(
            `^counterexample ${i + 1}: 1 expectation failed \\(the interrupt came during the count: x2 = [123]\\)$`,
          ),
        );
      assert.deepStrictEqual(
        printed.map((p) => path.basename(p.replayFile)),
        [1, 2, 3].map((i) => `count.cex${i}.replay.json`),
      );
      for (const p of printed) {
        assert.strictEqual(p.decisions.length, 1, p.decisions.join('\n'));
        assert.match(p.decisions[0], /fires first$/);
        assert.strictEqual(readReplay(p.replayFile).traceHash, p.endHash);
      }
      assert.strictEqual(
        new Set(printed.map((p) => JSON.stringify(readReplay(p.replayFile).choices))).size,
        3,
        'three different paths',
      );
      assert.strictEqual(verdictOf(all.out), '-- complete: FAIL: 3 paths with a problem');
      assert.deepStrictEqual(
        allFailures,
        [1, 2, 3].map((x) => `the interrupt came during the count: x2 = ${x}`),
      );
      // Without --all the search stops at the first.
      const first = sflow(['explore', count, '--out', outDir()]);
      assert.strictEqual(first.code, 1);
      assert.strictEqual(printedProblems(first.out).length, 1);
      assert.strictEqual(
        verdictOf(first.out),
        '-- stopped at the first problem (--all looks for every one): FAIL: 1 path with a problem',
      );
    });

    it('--shard 1/3, 2/3 and 3/3 together find every problem the single search finds, and nothing else', () => {
      const failures = new Set<string>();
      const problems = new Set<string>();
      for (const i of [1, 2, 3]) {
        const out = outDir();
        const r = sflow(['explore', count, '--all', '--shard', `${i}/3`, '--out', out]);
        assert.strictEqual(r.code, 1, show(r));
        assert.match(r.out, new RegExp(`^-- explored .*; reduction on; shard ${i}/3$`, 'm'));
        const printed = printedProblems(r.out);
        assert.ok(printed.length >= 1, `shard ${i} finds a problem`);
        for (const p of printed) {
          assert.match(path.basename(p.replayFile), new RegExp(`^count\\.cex\\d+\\.shard${i}\\.replay\\.json$`));
          const replay = readReplay(p.replayFile);
          assert.strictEqual(replay.traceHash, p.endHash, "each shard's replay is faithful");
          problems.add(replay.problems.join('; '));
          failures.add(replayedFailure(p.replayFile));
        }
      }
      // Each shard deduplicates states on its own, so it may reach a problem state by another path than the single
      // search (its choice lists differ); the problem states themselves are the same.
      assert.deepStrictEqual([...failures].sort(), allFailures);
      assert.deepStrictEqual(
        [...problems].sort(),
        [1, 2, 3].map((n) => `1 expectation failed (the interrupt came during the count: x2 = ${n})`).sort(),
      );
    });

    it('--shard 1/1 is the single search', () => {
      const r = sflow(['explore', count, '--all', '--shard', '1/1', '--out', outDir()]);
      assert.strictEqual(r.code, 1);
      assert.deepStrictEqual(
        printedProblems(r.out).map((p) => readReplay(p.replayFile).choices),
        printedProblems(all.out).map((p) => readReplay(p.replayFile).choices),
      );
      assert.strictEqual(statesOf(r.out), statesOf(all.out));
    });

    it('--workers 2 gives the verdict and the count of the single search', () => {
      for (const [file, extra] of [
        [count, ['--all']],
        [scenario('race-workers.sflow', RACE), ['--all']],
        [scenario('race-workers-first.sflow', RACE), []],
      ] as const) {
        const single = sflow(['explore', file, ...extra, '--out', outDir()]);
        const workers = sflow(['explore', file, ...extra, '--workers', '2', '--out', outDir()]);
        assert.strictEqual(workers.code, single.code, show(workers));
        assert.strictEqual(verdictOf(workers.out), verdictOf(single.out), `${path.basename(file)} ${extra.join(' ')}`);
        assert.strictEqual(printedProblems(workers.out).length, printedProblems(single.out).length);
        assert.match(workers.out, /^-- explored .*; 2 workers$/m);
        if (file === count)
          assert.deepStrictEqual(
            printedProblems(workers.out)
              .map((p) => replayedFailure(p.replayFile))
              .sort(),
            allFailures,
          );
      }
    });
  });

  describe('the reduction', () => {
    it('--no-reduction on bench/explore.sflow: the same verdict, more states', () => {
      const reduced = sflow(['explore', 'bench/explore.sflow', '--all', '--out', outDir()]);
      const plain = sflow(['explore', 'bench/explore.sflow', '--all', '--no-reduction', '--out', outDir()]);
      assert.strictEqual(reduced.code, 0, show(reduced));
      assert.strictEqual(plain.code, 0, show(plain));
      assert.strictEqual(verdictOf(plain.out), verdictOf(reduced.out));
      assert.strictEqual(verdictOf(plain.out), '-- complete: PASS: every path keeps every rule');
      assert.match(reduced.out, /; reduction on$/m);
      assert.match(plain.out, /; reduction off$/m);
      assert.ok(statesOf(plain.out) > statesOf(reduced.out), `${statesOf(plain.out)} > ${statesOf(reduced.out)}`);
    });
  });

  describe('what explore branches on', () => {
    it("a VMM's alternative answers: the deny path of `on system_suspend: confirm | deny`", () => {
      const file = scenario('alternatives.sflow', ALTERNATIVES);
      assert.strictEqual(sflow(['check', file]).code, 0);
      const run = sflow(['run', file]);
      assert.strictEqual(run.code, 0, 'the default answer, confirm, passes: ' + show(run));
      const r = sflow(['explore', file, '--out', outDir()]);
      assert.strictEqual(r.code, 1, show(r));
      const [p] = printedProblems(r.out);
      assert.strictEqual(p.header, 'counterexample 1: 1 expectation failed (the VMM confirmed)');
      assert.deepStrictEqual(p.decisions, [
        `  decision ${readReplay(p.replayFile).choices[0][0]} at 0.002000 ms: g's VMM, answering SUSPEND, takes alternative 2 of 2`,
      ]);
      assert.match(p.decisions[0], /takes alternative 2 of 2$/);
      assert.match(r.out, /VMM answers SUSPEND with deny: DENIED/);
      assert.deepStrictEqual(
        readReplay(p.replayFile).choices.map(([, option]) => option),
        [1],
      );
      const replayed = sflow(['run', '--replay', p.replayFile]);
      assert.strictEqual(replayed.code, 1);
      assert.match(replayed.out, /VMM answers SUSPEND with deny: DENIED/);
      assert.match(replayed.out, /EXPECTATION FAILED: the VMM confirmed/);
    });

    it('two vCPUs at the same instant: run takes the documented order and passes, explore finds the other', () => {
      const file = scenario('tie.sflow', TIE);
      const check = sflow(['check', file]);
      assert.strictEqual(check.code, 0, show(check));
      assert.strictEqual(check.out, '');
      const run = sflow(['run', file]);
      assert.strictEqual(run.code, 0, show(run));
      assert.match(run.out, /AFFINITY_INFO returned OFF/);
      const r = sflow(['explore', file, '--out', outDir()]);
      assert.strictEqual(r.code, 1, show(r));
      const [p] = printedProblems(r.out);
      assert.strictEqual(p.header, 'counterexample 1: 1 expectation failed (vcpu2 still off)');
      assert.deepStrictEqual(p.decisions, ['  decision 0 at 0.000000 ms: g.vcpu1 (line 8) first']);
      const replayed = sflow(['run', '--replay', p.replayFile]);
      assert.strictEqual(replayed.code, 1, show(replayed));
      assert.match(
        replayed.out,
        /CPU_ON returned SUCCESS[\s\S]*AFFINITY_INFO returned ON \(0\)[\s\S]*EXPECTATION FAILED: vcpu2 still off/,
      );
    });

    it('--skew lets a vCPU run ahead of one due first; the replay records the skew and follows it', () => {
      // One statement more on vcpu1: CPU_ON comes a statement after AFFINITY_INFO, never at the same instant.
      const file = scenario('offset.sflow', TIE.replace(/^g\.vcpu1 \{/m, 'g.vcpu1 {\n  set x5 = 1'));
      const exact = sflow(['explore', file, '--out', outDir()]);
      assert.strictEqual(exact.code, 0, show(exact));
      const out = outDir();
      const skewed = sflow(['explore', file, '--skew', '1us', '--out', out]);
      assert.strictEqual(skewed.code, 1, show(skewed));
      assert.match(skewed.out, /reduction off; skew 0\.001000 ms$/m);
      const [p] = printedProblems(skewed.out);
      assert.strictEqual(p.header, 'counterexample 1: 1 expectation failed (vcpu2 still off)');
      assert.strictEqual(JSON.parse(fs.readFileSync(p.replayFile, 'utf8')).skew, 1000);
      const replayed = sflow(['run', '--replay', p.replayFile]);
      assert.strictEqual(replayed.code, 1, show(replayed));
      assert.match(replayed.out, /EXPECTATION FAILED: vcpu2 still off/);
      // The scenario can ask for the skew itself.
      const declared = scenario(
        'declared.sflow',
        `${TIE.replace(/^g\.vcpu1 \{/m, 'g.vcpu1 {\n  set x5 = 1')}explore { skew 1us }\n`,
      );
      assert.strictEqual(sflow(['explore', declared, '--out', outDir()]).code, 1);
    });
  });

  describe('bounds', () => {
    it('--max-states stops the search and says it is incomplete', () => {
      const r = sflow([
        'explore',
        'examples/s2idle-notify-window-fixed.sflow',
        '--max-states',
        '10',
        '--out',
        outDir(),
      ]);
      assert.strictEqual(r.code, 0, show(r));
      assert.strictEqual(statesOf(r.out), 10);
      assert.strictEqual(
        verdictOf(r.out),
        '-- incomplete (--max-states reached): PASS so far: no problem in what was explored',
      );
      // An expected violation not found within the bound is unknown, which is not a pass.
      const expecting = sflow([
        'explore',
        'examples/s2idle-notify-window.sflow',
        '--max-states',
        '10',
        '--out',
        outDir(),
      ]);
      assert.strictEqual(expecting.code, 1, show(expecting));
      assert.match(
        verdictOf(expecting.out),
        /^-- incomplete \(--max-states reached\): .*expected violation host-suspended-while-guest-running not found yet$/,
      );
    });

    it('--depth limits the branching and says so', () => {
      const r = sflow(['explore', scenario('race-depth.sflow', RACE), '--depth', '1', '--out', outDir()]);
      assert.strictEqual(r.code, 0, show(r));
      assert.match(verdictOf(r.out), /\(paths deeper than --depth followed the default order\)/);
      assert.match(verdictOf(r.out), /within the bounds/);
    });

    it('--time bounds the wall-clock time', () => {
      const r = sflow([
        'explore',
        'bench/explore.sflow',
        '--all',
        '--no-reduction',
        '--time',
        '1us',
        '--out',
        outDir(),
      ]);
      assert.strictEqual(r.code, 0, show(r));
      assert.match(verdictOf(r.out), /^-- incomplete \(--time ran out\): PASS so far/);
    });

    it("the scenario's own `explore { max_states 50 }` bounds the search unless the command line overrides it", () => {
      const file = scenario(
        'bounded.sflow',
        example('s2idle-notify-window-fixed.sflow').replace(/^explore$/m, 'explore { max_states 50 }'),
      );
      assert.strictEqual(sflow(['check', file]).code, 0);
      const own = sflow(['explore', file, '--out', outDir()]);
      assert.strictEqual(own.code, 0, show(own));
      assert.strictEqual(statesOf(own.out), 50);
      assert.match(verdictOf(own.out), /^-- incomplete \(--max-states reached\)/);
      const wider = sflow(['explore', file, '--max-states', '100000', '--out', outDir()]);
      assert.strictEqual(wider.code, 0, show(wider));
      assert.ok(statesOf(wider.out) > 50);
      assert.strictEqual(verdictOf(wider.out), '-- complete: PASS: every path keeps every rule');
      const narrower = sflow(['explore', file, '--max-states', '20', '--out', outDir()]);
      assert.strictEqual(statesOf(narrower.out), 20);
    });

    it('--progress writes a progress line to stderr; without it stderr stays empty off a terminal', () => {
      // Bounded: progress comes every 1,024 states, the first at once.
      const r = sflow([
        'explore',
        'bench/explore.sflow',
        '--all',
        '--no-reduction',
        '--max-states',
        '5000',
        '--progress',
        '--out',
        outDir(),
      ]);
      assert.strictEqual(r.code, 0, show(r));
      assert.match(r.err, /states [\d,]+ +[\d,]+\/s +depth \d+ +paths [\d,]+ +problems 0/);
      assert.doesNotMatch(r.out, /\/s +depth/, 'progress is not on stdout');
      const quiet = sflow([
        'explore',
        'bench/explore.sflow',
        '--all',
        '--no-reduction',
        '--max-states',
        '5000',
        '--out',
        outDir(),
      ]);
      assert.strictEqual(quiet.err, '');
    });
  });

  describe('errors', () => {
    it('a bad --shard, and other bad options, exit 2 with a message and no stack trace', () => {
      const race = scenario('race-usage.sflow', RACE);
      const cases: [string[], RegExp][] = [
        [['--shard', '0/2'], /^sflow: --shard is I\/N with 1 <= I <= N \(for example 2\/4\)$/m],
        [['--shard', 'x'], /^sflow: --shard is I\/N with 1 <= I <= N/m],
        [['--shard', '3/2'], /^sflow: --shard is I\/N/m],
        [['--shard', '1/0'], /^sflow: --shard is I\/N/m],
        [['--shard'], /^sflow: --shard needs I\/N$/m],
        [['--workers', '0'], /^sflow: --workers needs a positive integer$/m],
        [['--max-states', 'many'], /^sflow: --max-states needs a non-negative integer$/m],
        [['--until', 'soon'], /^sflow: 'soon' is not a time/m],
        [['--frobnicate'], /^sflow: unknown option --frobnicate$/m],
        [[race], /^sflow: explore takes one scenario file/m],
      ];
      for (const [args, message] of cases) {
        const r = sflow(['explore', race, '--out', outDir(), ...args]);
        assert.strictEqual(r.code, 2, `${args.join(' ')}: ${show(r)}`);
        assert.match(r.err, message, args.join(' '));
        assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
        assert.strictEqual(r.out, '');
      }
      const none = sflow(['explore']);
      assert.strictEqual(none.code, 2);
      assert.match(none.err, /^sflow: explore needs a scenario file/);
      const missing = sflow(['explore', path.join(tmp, 'nosuch.sflow')]);
      assert.strictEqual(missing.code, 2);
      assert.match(missing.err, /^sflow: no such file: /);
    });

    it('a scenario with errors exits 2 with file:line:col diagnostics and explores nothing', () => {
      const file = scenario('broken.sflow', BROKEN);
      const out = path.join(tmp, 'broken-out');
      const r = sflow(['explore', file, '--out', out]);
      assert.strictEqual(r.code, 2, show(r));
      assert.ok(
        r.err.includes(`${file}:5:8: error: unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?`),
        r.err,
      );
      assert.strictEqual(r.out, '');
      assert.ok(!fs.existsSync(out));
    });
  });
});
