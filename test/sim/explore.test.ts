// Explore: open scheduling, the search, the reduction checked against the plain search, sharding, replays.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { enabledUnits } from '../../src/sim/choices';
import { explore } from '../../src/sim/explore/explorer';
import { parseReplay, replayMachine, REPLAY_FORMAT } from '../../src/sim/explore/replay';
import { Machine } from '../../src/sim/machine';
import { Program } from '../../src/lang/program';
import { compile, exploreOutcomes, fixture } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');
const example = (name: string) => fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8');
const withoutExpected = (text: string) => text.replace(/^expect violation .*$/m, '');

/** Runs a replay to the event count explore recorded and returns the trace hash there. */
function replayHash(program: Program, choices: [number, number][], events: number): string {
  const m = replayMachine(program, { seed: 0, choices });
  while (m.state.events < events && m.step());
  return m.traceHash();
}

const RACE = withoutExpected(example('s2idle-notify-window.sflow'));
const FIXED = example('s2idle-notify-window-fixed.sflow');

const TIE = fixture('tie.sflow');

const ALTERNATIVES = fixture('alternatives.sflow');

/** bench/explore-host.sflow with short loops and windows, small enough for the plain search. */
const HOST_BENCH_SMALL = fs
  .readFileSync(path.join(ROOT, 'bench/explore-host.sflow'), 'utf8')
  .replace(/== 160 \{ break \}/g, '== 6 { break }')
  .replace(/0us\.\.320us/g, '0us..12us');

describe('explore', function () {
  this.timeout(60_000);

  describe('open scheduling', () => {
    it('leaves a window open and offers firing it next to the unit the seeded order would run', () => {
      const m = new Machine(compile(RACE), { scheduling: 'open' });
      assert.deepStrictEqual(
        m.state.actionTimes.map((t) => t >= 0),
        [true, false, true],
        'only the window waits',
      );
      const options = enabledUnits(m);
      assert.ok(options.length >= 2);
      assert.strictEqual(options[0].kind, 'host', 'option 0 is what the seeded order runs first: the action at 0 ms');
      assert.ok(
        options.some((u) => u.kind === 'host' && u.window),
        'firing the window is an option',
      );
      assert.ok(
        options.every((u) => u.decision),
        'each is marked as a decision',
      );
    });

    it('with no choices recorded, follows the documented order of ties', () => {
      const seeded = new Machine(compile(TIE));
      seeded.run();
      const open = new Machine(compile(TIE), { scheduling: 'open' });
      open.run();
      assert.strictEqual(open.traceHash(), seeded.traceHash());
      assert.strictEqual(open.state.expectFailures, 0);
    });
  });

  describe('the search', () => {
    it('finds the s2idle notification race from a window, and the replay is faithful', () => {
      const program = compile(RACE);
      const r = explore(program);
      assert.strictEqual(r.counterexamples.length, 1);
      const cex = r.counterexamples[0];
      assert.match(cex.problems[0], /host-suspended-while-guest-running/);
      assert.ok(cex.choices.length > 0, 'a window firing had to be chosen');
      assert.strictEqual(r.stoppedBy, 'first-problem');
      assert.strictEqual(replayHash(program, cex.choices, cex.events), cex.traceHash);
      const m = replayMachine(program, { seed: 0, choices: cex.choices });
      m.run();
      assert.ok(m.state.violations.some((v) => v.invariant === 'host-suspended-while-guest-running'));
    });

    it('passes the fixed policy exhaustively', () => {
      const r = explore(compile(FIXED), { all: true });
      assert.strictEqual(r.complete, true);
      assert.deepStrictEqual(r.counterexamples, []);
      assert.ok(r.paths >= 3, `${r.paths} paths: early, racing and late interrupts`);
    });

    it('counts an expected violation as reachable, not as a problem', () => {
      const r = explore(compile(example('s2idle-notify-window.sflow')));
      assert.deepStrictEqual(r.counterexamples, []);
      assert.ok(r.expectedSeen.has('host-suspended-while-guest-running'));
      assert.deepStrictEqual(r.expectedMissing, []);
      const fixed = explore(
        compile(FIXED.replace(/^explore$/m, 'explore\nexpect violation host-suspended-while-guest-running')),
      );
      assert.deepStrictEqual(fixed.expectedMissing, ['host-suspended-while-guest-running']);
    });

    it('tries both orders of vCPUs due at the same instant', () => {
      const program = compile(TIE);
      const r = explore(program);
      assert.strictEqual(r.counterexamples.length, 1, 'the seeded order passes, the other fails');
      assert.match(r.counterexamples[0].problems[0], /1 expectation failed/);
      assert.strictEqual(
        replayHash(program, r.counterexamples[0].choices, r.counterexamples[0].events),
        r.counterexamples[0].traceHash,
      );
    });

    it("branches on a VMM's alternative answers while its unit runs, and replays the pick", () => {
      const program = compile(ALTERNATIVES);
      const r = explore(program, { all: true });
      assert.strictEqual(r.counterexamples.length, 1);
      const cex = r.counterexamples[0];
      assert.deepStrictEqual(
        cex.choices.map(([, pick]) => pick),
        [1],
        'deny is alternative 1',
      );
      const m = replayMachine(program, { seed: 0, choices: cex.choices });
      const answers: string[] = [];
      m.onEvent((e) => {
        if (e.kind === 'vmm.answer') answers.push(e.answer);
      });
      m.run();
      assert.deepStrictEqual(answers, ['deny']);
    });

    it('with a skew, lets a vCPU run ahead of one due first and finds races exact ties miss', () => {
      // vcpu1 does one statement before CPU_ON, so CPU_ON comes a statement after AFFINITY_INFO: no tie.
      const program = compile(TIE.replace(/^g\.vcpu1 \{/m, 'g.vcpu1 {\n  set x5 = 1'));
      assert.deepStrictEqual(explore(program, { all: true }).counterexamples, [], 'without skew the order is fixed');
      const skewed = explore(program, { skew: 1000 });
      assert.strictEqual(skewed.reduction, false, 'the reduction is off with a skew');
      assert.strictEqual(skewed.counterexamples.length, 1);
      const cex = skewed.counterexamples[0];
      assert.match(cex.problems[0], /vcpu2 still off/);
      const m = replayMachine(program, { seed: 0, choices: cex.choices, skew: 1000 });
      while (m.state.events < cex.events && m.step());
      assert.strictEqual(m.traceHash(), cex.traceHash, 'the replay with the same skew is faithful');
      // Without the skew the same choices are not the same path.
      assert.notStrictEqual(replayHash(program, cex.choices, cex.events), cex.traceHash);
      // A skew never lets a vCPU overtake a host event: the timed interrupt still comes at 5 ms.
      const alternatives = explore(compile(ALTERNATIVES), { all: true, skew: 10_000_000 });
      assert.ok(alternatives.complete);
    });

    it('stops at its bounds and says so', () => {
      const program = compile(FIXED);
      const bounded = explore(program, { all: true, maxStates: 20 });
      assert.strictEqual(bounded.complete, false);
      assert.strictEqual(bounded.stoppedBy, 'max-states');
      assert.strictEqual(bounded.states, 20);
      const shallow = explore(program, { all: true, depth: 2 });
      assert.strictEqual(shallow.depthLimited, true);
      assert.ok(shallow.states < explore(program, { all: true }).states);
      let calls = 0;
      const stopped = explore(compile(fs.readFileSync(path.join(ROOT, 'bench/explore.sflow'), 'utf8')), {
        all: true,
        shouldStop: () => ++calls > 1,
      });
      assert.strictEqual(stopped.stoppedBy, 'stop');
    });
  });

  describe('partial-order reduction against the plain search', () => {
    const cases: [string, string][] = [
      [
        'two isolated guests with windows (bench/explore.sflow)',
        fs
          .readFileSync(path.join(ROOT, 'bench/explore.sflow'), 'utf8')
          .replace(/== 160 \{ break \}/g, '== 6 { break }')
          .replace(/0us\.\.320us/g, '0us..12us'),
      ],
      ['the s2idle race', RACE],
      ['the fixed policy', FIXED],
      [
        'guests tied to the host: notify registers, waits-for, abort-on-wake, a watchdog, a handler that notifies',
        fixture('host-tied.sflow'),
      ],
      ['the benchmark guests tied to the host (bench/explore-host.sflow)', HOST_BENCH_SMALL],
      [
        'Xen: dom0 suspends the host, domUs in windows',
        example('xen-dom0-domu-suspend.sflow')
          .replace('at 100ms: irq 48 -> domu1', 'at 0ms..8ms: irq 48 -> domu1')
          .replace('at 200ms: vmm domu2 resume', 'at 150ms..210ms: vmm domu2 resume'),
      ],
      ['a vCPU tie', TIE],
      ['VMM alternatives', ALTERNATIVES],
      [
        "a guest reading another guest's registers",
        `
vm a {
  hypervisor kvm
  vcpus 2
}
vm b {
  hypervisor kvm
  vcpus 1
}
host {
  at 0us..6us: irq 33 -> a
}
a.vcpu0 {
  set x1 = 1
  set x1 = 2
  set x1 = 3
}
a.vcpu1 {
  set x2 = 5
  set x2 = 6
}
b.vcpu0 {
  set x3 = 0
  set x3 = 1
  if a.vcpu0.x1 == 2 { set x4 = 1 }
  expect a.vcpu1.x2 != 6 || x3 == 1
}
`,
      ],
    ];
    for (const [name, text] of cases) {
      it(`${name}: the same end states and problems, no more states`, () => {
        const program = compile(text);
        const reduced = exploreOutcomes(program, { reduction: true });
        const plain = exploreOutcomes(program, { reduction: false });
        assert.deepStrictEqual([...reduced.problems].sort(), [...plain.problems].sort(), 'same problems');
        assert.deepStrictEqual([...reduced.ends].sort(), [...plain.ends].sort(), 'same end states');
        assert.ok(reduced.r.states <= plain.r.states, `${reduced.r.states} <= ${plain.r.states}`);
      });
    }

    it('visits several times fewer states on the benchmark scenarios, isolated guests and guests tied to the host', () => {
      for (const text of [cases[0][1], HOST_BENCH_SMALL]) {
        const program = compile(text);
        const reduced = explore(program, { all: true, reduction: true });
        const plain = explore(program, { all: true, reduction: false });
        assert.ok(plain.states >= 3 * reduced.states, `${plain.states} vs ${reduced.states}`);
      }
    });
  });

  describe('sharding', () => {
    it('covers together what one search covers', () => {
      for (const text of [
        RACE,
        fs
          .readFileSync(path.join(ROOT, 'bench/explore.sflow'), 'utf8')
          .replace(/== 160 \{ break \}/g, '== 5 { break }')
          .replace(/0us\.\.320us/g, '0us..10us'),
      ]) {
        const program = compile(text);
        const whole = exploreOutcomes(program, {});
        for (const count of [2, 3]) {
          const ends = new Set<number>();
          const problems = new Set<string>();
          for (let index = 0; index < count; index++) {
            const part = exploreOutcomes(program, { shard: { index, count } });
            for (const e of part.ends) ends.add(e);
            for (const c of part.r.counterexamples) problems.add(c.problems.join('; '));
          }
          assert.deepStrictEqual([...ends].sort(), [...whole.ends].sort(), `${count} shards reach every end state`);
          // The paths may differ (each shard deduplicates on its own), the states they end in may not.
          assert.deepStrictEqual(
            [...problems].sort(),
            [...whole.problems].sort(),
            `${count} shards find every problem`,
          );
        }
      }
    });
  });

  describe('replay files', () => {
    it('are checked field by field', () => {
      assert.match((parseReplay('{') as { error: string }).error, /not JSON/);
      assert.match((parseReplay('{"format":"x"}') as { error: string }).error, /not a replay file/);
      assert.match(
        (parseReplay(JSON.stringify({ format: REPLAY_FORMAT, seed: 0, choices: [] })) as { error: string }).error,
        /scenario/,
      );
      assert.match(
        (
          parseReplay(JSON.stringify({ format: REPLAY_FORMAT, scenario: 'a.sflow', seed: -1, choices: [] })) as {
            error: string;
          }
        ).error,
        /seed/,
      );
      assert.match(
        (
          parseReplay(JSON.stringify({ format: REPLAY_FORMAT, scenario: 'a.sflow', seed: 0, choices: [[1]] })) as {
            error: string;
          }
        ).error,
        /choices/,
      );
      const ok = parseReplay(
        JSON.stringify({
          format: REPLAY_FORMAT,
          scenario: 'a.sflow',
          seed: 3,
          choices: [[4, 1]],
          problems: ['x'],
          traceHash: 'ab',
          time: 5,
        }),
      );
      assert.ok(!('error' in ok));
      assert.deepStrictEqual(ok.choices, [[4, 1]]);
    });
  });
});
