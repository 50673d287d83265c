// Replaying a path `sflow explore` found, over DAP: a launch with `replay` (and no `program`) follows the recorded
// choices through the scenario the replay names, stops at the problem explore found with the state it had there,
// steps back through how it happened, warns when the scenario changed since, and answers a bad replay file with
// an error while the session goes on working.

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Client, ROOT, example, useAdapter } from './helpers';
import { fixture } from '../helpers';
import type { ReplayFile as Replay } from '../../src/sim/explore/replay';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const KVM = example('kvm-system-suspend.sflow');
const INVARIANT = 'host-suspended-while-guest-running';
const MESSAGE = 'Host suspended while a guest vCPU is running: the host suspended while vm0.vcpu0 was running';

/** The s2idle window example without its `expect violation`: the race it finds is a problem. */
function raceVariant(): string {
  return fs.readFileSync(example('s2idle-notify-window.sflow'), 'utf8').replace(/^expect violation .*\n/m, '');
}

const TIE = fixture('tie.sflow');

/** Writes `text` as DIR/NAME.sflow, runs `sflow explore` on it with --out DIR, and returns the replay it wrote. */
function explored(dir: string, name: string, text: string): { scenario: string; file: string; replay: Replay } {
  const scenario = path.join(dir, `${name}.sflow`);
  fs.writeFileSync(scenario, text);
  const r = spawnSync(process.execPath, [CLI, 'explore', scenario, '--out', dir], { cwd: dir, encoding: 'utf8' });
  assert.strictEqual(r.status, 1, r.stdout + r.stderr);
  const m = /^replay: (.+)$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  return { scenario, file: m[1], replay: JSON.parse(fs.readFileSync(m[1], 'utf8')) as Replay };
}

/** The custom `where` request: position in history, virtual time, host state and trace hash. */
async function where(
  c: Client,
): Promise<{ position: number; head: number; now: number; hostState: string; hash: string }> {
  return (await c.ok('where')).body;
}

function outputs(c: Client, category: string): string[] {
  return c.events
    .filter((e): e is DebugProtocol.OutputEvent => e.event === 'output' && e.body.category === category)
    .map((e) => e.body.output);
}

// One replay file, written by the CLI, shared by the tests on both transports.
describe('replay', () => {
  let dir: string;
  let race: ReturnType<typeof explored>;

  before(function () {
    this.timeout(60_000);
    if (!fs.existsSync(CLI)) {
      const r = spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-replay-'));
    race = explored(dir, 'race', raceVariant());
    assert.strictEqual(race.replay.scenario, race.scenario);
    assert.ok(race.replay.choices.length > 0);
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('replay (stdio)', () => {
    const adapter = useAdapter('stdio');

    it('launch with only `replay` follows the path to the violation explore found and stops there as an exception', async () => {
      const c = await adapter.open();
      const stop = await c.launch({ replay: race.file });
      // Shown on the vCPU the violation names (the host's suspend broke the rule; its frame says so below).
      assert.deepStrictEqual(
        [stop.body.reason, stop.body.threadId, stop.body.description, stop.body.text],
        ['exception', 2, 'Violation', MESSAGE],
      );
      const info = await c.ok<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 2 });
      assert.strictEqual(info.body.exceptionId, INVARIANT);
      assert.strictEqual(info.body.description, MESSAGE);
      assert.ok(info.body.details!.stackTrace!.includes('host suspending -> suspended'), info.body.details!.stackTrace);
      // The console says what is being replayed and what explore found.
      const console = outputs(c, 'console').join('');
      assert.ok(console.includes(`replaying ${race.replay.choices.length} choice`), console);
      assert.ok(console.includes(`it found: ${race.replay.problems[0]}`), console);
      // Where explore stopped the path, the check says the replay followed it (src/sim/explore/replay.ts).
      assert.ok(
        console.includes(
          `replay: the replay follows its recording to the end of explore's path: trace ${race.replay.traceHash}, as recorded`,
        ),
        console,
      );
      assert.deepStrictEqual(
        outputs(c, 'stderr').filter((o) => o.includes('changed since')),
        [],
        'the scenario has not changed',
      );

      // Stopped where explore's path ended: the same trace hash, the same virtual time.
      const here = await where(c);
      assert.strictEqual(here.hash, race.replay.traceHash, 'the replay is faithful');
      assert.strictEqual(here.now, race.replay.time);
      assert.strictEqual(here.hostState, 'suspended');
      assert.strictEqual(await c.evaluate('host.state', 'hover'), 'suspended (2)');
      // Names unambiguous in the world evaluate in a replay session from every frame, the host's included.
      for (const frameId of [0, 1024, undefined])
        assert.match(await c.evaluate('pt0.pmcsr.state', 'hover', frameId), /^D\w+ \(\d\)$/);
      // The host suspended over a guest vCPU that the interrupt had woken: it is running, not in WFI.
      const threads = (await c.threads()).map((t) => t.name);
      assert.deepStrictEqual(threads, ['host', 'vm0.vcpu0']);
      const vcpu = await c.threadId('vm0.vcpu0');
      const [frame] = await c.frames(vcpu);
      const power = await c.tree((await c.scope(frame.id, 'Power')).variablesReference);
      assert.strictEqual(power.find((v) => v.name === 'run')?.value, 'running');
      assert.strictEqual(power.find((v) => v.name === 'power')?.value, 'ON (0)');
      // The host's frame names the violation and points at the suspend policy that let it happen.
      const [host] = await c.frames(1);
      assert.strictEqual(host.source?.path, race.scenario);
      assert.strictEqual(host.name, `host: ${MESSAGE}`);
      const policyLine =
        fs
          .readFileSync(race.scenario, 'utf8')
          .split('\n')
          .findIndex((l) => /^\s*policy suspend waits-for/.test(l)) + 1;
      assert.strictEqual(host.line, policyLine);
    });

    it('steps back from the violation through how it happened', async () => {
      const c = await adapter.open();
      await c.launch({ replay: race.file });
      const atViolation = await where(c);
      const back = await c.stepAndStop('stepBack', { threadId: 1 });
      assert.strictEqual(back.body.reason, 'step');
      const before = await where(c);
      assert.ok(before.position < atViolation.position, `${before.position} < ${atViolation.position}`);
      assert.ok(before.now <= atViolation.now);
      assert.notStrictEqual(before.hash, atViolation.hash);
      assert.strictEqual(await c.evaluate('host.state', 'hover'), 'suspending (1)');
      // Back on the guest's thread: before the interrupt woke it, then forward again to the same violation.
      const vcpu = await c.threadId('vm0.vcpu0');
      for (let i = 0; i < 3; i++) {
        const s = await c.stepAndStop('stepBack', { threadId: vcpu });
        assert.strictEqual(s.body.reason, 'step');
      }
      assert.ok((await where(c)).position < before.position);
      const again = await c.stepAndStop('continue', { threadId: 1 });
      assert.deepStrictEqual([again.body.reason, again.body.text], ['exception', MESSAGE]);
      assert.deepStrictEqual(await where(c), atViolation, 'forward again reaches the very same state');
    });

    it('the same scenario without the replay takes the default order and finishes without the violation', async () => {
      const c = await adapter.open();
      const stop = await c.launch({ program: race.scenario });
      assert.deepStrictEqual([stop.body.reason, stop.body.description], ['pause', 'End of scenario']);
      assert.match(stop.body.text!, /^finished at .*: PASS$/);
      assert.notStrictEqual((await where(c)).hash, race.replay.traceHash);
    });

    it('a replay of a scenario changed since still launches, with a warning on stderr', async () => {
      const changedDir = fs.mkdtempSync(path.join(dir, 'changed-'));
      const changed = explored(changedDir, 'race', raceVariant());
      fs.appendFileSync(changed.scenario, '// edited after explore wrote the replay\n');
      const c = await adapter.open();
      const stop = await c.launch({ replay: changed.file });
      assert.strictEqual(stop.body.reason, 'exception', 'a comment does not change the path');
      const warnings = outputs(c, 'stderr').filter((o) => o.includes('changed since'));
      assert.strictEqual(warnings.length, 1, outputs(c, 'stderr').join(''));
      assert.ok(warnings[0].includes(changed.scenario), warnings[0]);
      assert.match(warnings[0], /changed since the replay was written/);
    });

    it('`program` given with `replay` is the scenario replayed', async () => {
      const copy = path.join(dir, 'copy-of-race.sflow');
      fs.writeFileSync(copy, raceVariant());
      const c = await adapter.open();
      const stop = await c.launch({ program: copy, replay: race.file });
      assert.strictEqual(stop.body.reason, 'exception');
      assert.strictEqual((await c.frames(1))[0].source?.path, copy);
      assert.deepStrictEqual(
        outputs(c, 'stderr').filter((o) => o.includes('changed since')),
        [],
        'the same text',
      );
    });

    it('a malformed replay file is an error response, and the adapter keeps answering', async () => {
      const c = await adapter.open();
      await c.initialize();
      const notJson = path.join(dir, 'broken.replay.json');
      fs.writeFileSync(notJson, '{"format": "suspend-flow-replay/1", ');
      const m1 = await c.fails('launch', { replay: notJson });
      assert.ok(m1.includes(notJson), m1);
      assert.match(m1, /not JSON/);
      const wrongFormat = path.join(dir, 'wrong-format.replay.json');
      fs.writeFileSync(wrongFormat, JSON.stringify({ ...race.replay, format: 'something-else/2' }));
      assert.match(
        await c.fails('launch', { replay: wrongFormat }),
        /not a replay file \(format should be 'suspend-flow-replay\/1'\)/,
      );
      const badChoices = path.join(dir, 'bad-choices.replay.json');
      fs.writeFileSync(badChoices, JSON.stringify({ ...race.replay, choices: [[1, -1]] }));
      assert.match(
        await c.fails('launch', { replay: badChoices }),
        /'choices' should be a list of \[decision, option\] pairs/,
      );
      assert.match(await c.fails('launch', { replay: 42 }), /^launch: 'replay' should be a string$/);
      // Still answering, and a good launch works in the same session.
      assert.deepStrictEqual(await c.threads(), []);
      await c.ok('launch', { program: KVM });
      await c.event('initialized');
      await c.ok('configurationDone');
      const stop = await c.stopped();
      assert.deepStrictEqual(
        [stop.body.description, stop.body.text],
        ['End of scenario', 'finished at 40.011000 ms, 47 events, trace fc26c712c9c8ce60: PASS'],
      );
    });

    it('a replay that departs from its recording stops where it departs and says so; one that records no end is refused', async () => {
      const c = await adapter.open();
      const [decision, option] = race.replay.choices[0];
      const edited = path.join(dir, 'edited.replay.json');
      fs.writeFileSync(
        edited,
        JSON.stringify({ ...race.replay, choices: [[decision, option + 7], ...race.replay.choices.slice(1)] }),
      );
      const stop = await c.launch({ replay: edited });
      assert.deepStrictEqual([stop.body.reason, stop.body.description], ['pause', 'Left the recording']);
      assert.match(
        stop.body.text!,
        new RegExp(
          `^decision ${decision}: the replay takes option ${option + 7}, but only options 0 to \\d+ are possible there$`,
        ),
      );
      assert.ok(
        outputs(c, 'stderr').some((o) => o.startsWith(`the replay leaves its recording: decision ${decision}:`)),
        outputs(c, 'stderr').join(''),
      );
      // Continuing from there runs on, not the recorded path any more; no second stop for the recording.
      const next = await c.stepAndStop('continue', { threadId: 2 });
      assert.notStrictEqual(next.body.description, 'Left the recording');

      const old = path.join(dir, 'old.replay.json');
      const { steps: _s, end: _e, ...without } = race.replay as unknown as Record<string, unknown>;
      fs.writeFileSync(old, JSON.stringify(without));
      const refused = await (await adapter.open()).fails('launch', { replay: old });
      assert.match(
        refused,
        /the replay records no end of its path \('steps', 'end'\), so a run cannot be checked to follow it/,
      );
    });

    it('a replay file that does not exist is an error response naming its path', async () => {
      const c = await adapter.open();
      await c.initialize();
      const missing = path.join(dir, 'nosuch.replay.json');
      const message = await c.fails('launch', { replay: missing });
      assert.ok(message.includes(missing), message);
      assert.strictEqual(message, `no such file: ${missing}`);
      assert.strictEqual(c.events.filter((e) => e.event === 'initialized').length, 0, 'no session started');
      assert.ok(Array.isArray(await c.threads()));
    });

    it('a replay whose scenario is gone is an error response naming the scenario', async () => {
      const goneDir = fs.mkdtempSync(path.join(dir, 'gone-'));
      const gone = explored(goneDir, 'race', raceVariant());
      fs.rmSync(gone.scenario);
      const c = await adapter.open();
      await c.initialize();
      const message = await c.fails('launch', { replay: gone.file });
      assert.ok(message.includes(gone.scenario), message);
    });

    it('restart replays the path again (the launch configuration without `program`)', async () => {
      const c = await adapter.open();
      await c.launch({ replay: race.file });
      const first = await where(c);
      await c.stepAndStop('stepBack', { threadId: 1 });
      await c.ok('restart', {
        arguments: { type: 'suspend-flow', request: 'launch', name: 'Replay', replay: race.file },
      });
      const stop = await c.stopped();
      assert.deepStrictEqual([stop.body.reason, stop.body.text], ['exception', MESSAGE]);
      assert.deepStrictEqual(await where(c), first);
    });
    it('restart with another replay in its launch configuration follows that one', async () => {
      const tie = explored(fs.mkdtempSync(path.join(dir, 'tie-')), 'tie', TIE);
      const c = await adapter.open();
      await c.launch({ replay: race.file });
      await c.ok('restart', {
        arguments: { type: 'suspend-flow', request: 'launch', name: 'Replay', replay: tie.file },
      });
      const stop = await c.stopped();
      assert.deepStrictEqual(
        [stop.body.reason, stop.body.description, stop.body.text],
        ['exception', 'Expectation failed', 'expectation failed: vcpu2 still off'],
      );
      assert.deepStrictEqual(
        (await c.threads()).map((t) => t.name),
        ['host', 'g.vcpu0', 'g.vcpu1', 'g.vcpu2'],
      );
      assert.strictEqual((await where(c)).hash, tie.replay.traceHash);
    });
  });

  describe('replay (tcp)', () => {
    const adapter = useAdapter('tcp');

    it('launch with only `replay` stops at the violation; stepBack goes to just before it', async () => {
      const c = await adapter.open();
      const stop = await c.launch({ replay: race.file });
      assert.deepStrictEqual([stop.body.reason, stop.body.threadId], ['exception', 2]);
      assert.strictEqual(
        (await c.ok<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 2 })).body.exceptionId,
        INVARIANT,
      );
      assert.strictEqual((await where(c)).hash, race.replay.traceHash);
      assert.strictEqual(await c.evaluate('host.state', 'hover'), 'suspended (2)');
      const back = await c.stepAndStop('stepBack', { threadId: 1 });
      assert.strictEqual(back.body.reason, 'step');
      assert.strictEqual(await c.evaluate('host.state', 'hover'), 'suspending (1)');
      // Just before it: the host's next step is completing the suspend the guest's notification started.
      const [host] = await c.frames(1);
      assert.strictEqual(
        host.name,
        `host: next host-step suspend-complete at ${(race.replay.time / 1e6).toFixed(6)} ms`,
      );
    });

    it('a missing replay file is an error response naming it', async () => {
      const c = await adapter.open();
      await c.initialize();
      const missing = path.join(dir, 'missing-over-tcp.replay.json');
      assert.ok((await c.fails('launch', { replay: missing })).includes(missing));
    });
  });
});
