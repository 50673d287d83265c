// Running and time travel over DAP: continue and pause, next/stepIn/stepOut per vCPU, stepBack restoring the whole
// state exactly, reverseContinue to breakpoints, gotoTargets/goto, and the custom gotoEvent and trace requests.

import * as assert from 'assert';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Client, PRELUDE, countNodes, example, forEachTransport, lineOf, writeScenario } from './helpers';

const KVM = example('kvm-system-suspend.sflow');
const FIXED = example('s2idle-notify-fixed.sflow');
const RACE = example('s2idle-notify-race.sflow');

const SPIN = `vm guest {
  hypervisor kvm
  vcpus 1
}
guest.vcpu0 {
  set x5 = 1
  loop {
    set x6 = x6 + 1
    delay 1us
  }
}
`;

/** Over 2,000 units of history before the interesting part: stepping back there restores a snapshot and replays. */
const LONG = `vm guest {
  hypervisor kvm
  vcpus 2
  device gpu pci at 00:02.0 irq 50
}
guest.vcpu1 {
  loop {
    set x9 = x9 + 3
    if x9 > 3000 { break }
  }
}
guest.vcpu0 {
  pci write gpu bar0 = 0xe0000000
  loop {
    set x1 = x1 + 1
    if x1 == 1000 { break }
  }
  pci write gpu pmcsr.state = D3hot
  set x2 = 7
  pci write gpu pmcsr.state = D0
  halt
}
`;

interface Stop {
  reason: string;
  thread: number;
  at: string;
}

async function stopInfo(c: Client, stop: DebugProtocol.StoppedEvent): Promise<Stop> {
  const top = await c.top(stop.body.threadId!);
  return { reason: stop.body.reason, thread: stop.body.threadId!, at: `${top.name}:${top.line}` };
}

async function step(c: Client, command: string, threadId: number): Promise<Stop> {
  return stopInfo(c, await c.stepAndStop(command, { threadId }));
}

/** The full state: every scope of every thread's top frame, each tree read to its leaves. */
async function everything(c: Client) {
  const out: Record<string, unknown> = {};
  for (const t of await c.threads()) {
    const [top] = await c.frames(t.id);
    out[t.name] = { frame: top, scopes: await c.state(top.id) };
  }
  return out;
}

forEachTransport('stepping', (adapter) => {
  describe('continue and pause', () => {
    it('pause stops a running scenario; continue runs it on from there', async () => {
      const c = await adapter.open();
      const file = writeScenario('spin.sflow', SPIN);
      await c.initialize();
      await c.ok('launch', { program: file });
      await c.event('initialized');
      await c.ok('configurationDone');
      await new Promise((r) => setTimeout(r, 20));
      // While it runs, threads are answered; what needs a stopped machine says so.
      assert.deepStrictEqual(
        (await c.threads()).map((t) => t.name),
        ['host', 'guest.vcpu0'],
      );
      assert.strictEqual(
        await c.fails('next', { threadId: 2 }),
        "'next' needs the scenario stopped; it is running (send pause)",
      );
      assert.strictEqual(
        await c.fails('stackTrace', { threadId: 2 }),
        "'stackTrace' needs the scenario stopped; it is running (send pause)",
      );
      await c.ok('pause', { threadId: 2 });
      const paused = await c.stopped();
      assert.strictEqual(paused.body.reason, 'pause');
      assert.strictEqual(await c.evaluate('x5', 'watch', 1024), '0x1');
      const x6 = BigInt((await c.evaluate('x6', 'watch', 1024)).split(' ')[0]);
      assert.ok(x6 > 0n);
      const r = await c.ok<DebugProtocol.ContinueResponse>('continue', { threadId: 2 });
      assert.strictEqual(r.body.allThreadsContinued, true);
      await new Promise((res) => setTimeout(res, 20));
      await c.ok('pause', { threadId: 2 });
      assert.strictEqual((await c.stopped()).body.reason, 'pause');
      const later = BigInt((await c.evaluate('x6', 'watch', 1024)).split(' ')[0]);
      assert.ok(later > x6, `${later} > ${x6}`);
      assert.strictEqual((await c.top(2)).name, 'guest.vcpu0');
    });

    it('a long run reports progress to a client that supports it, ended when the run stops', async () => {
      const c = await adapter.open();
      const file = writeScenario('spin.sflow', SPIN);
      await c.initialize({ supportsProgressReporting: true });
      await c.ok('launch', { program: file });
      await c.event('initialized');
      await c.ok('configurationDone');
      const start = await c.event<DebugProtocol.ProgressStartEvent>('progressStart');
      assert.strictEqual(start.body.title, 'Running the scenario');
      assert.match(start.body.message!, /^at \d+\.\d{6} ms$/);
      await c.ok('pause', { threadId: 2 });
      assert.strictEqual((await c.stopped()).body.reason, 'pause');
      assert.strictEqual(
        (await c.event<DebugProtocol.ProgressEndEvent>('progressEnd')).body.progressId,
        start.body.progressId,
      );
    });

    it('pause while stopped answers and stops again where it is', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      await c.ok('pause', { threadId: 2 });
      const again = await c.stopped();
      assert.deepStrictEqual([again.body.reason, again.body.threadId], ['pause', 2]);
      assert.strictEqual((await c.top(2)).line, 30);
    });
  });

  describe('next, stepIn, stepOut', () => {
    it('next steps over the whole Linux suspend path on its vCPU while the host runs on', async () => {
      const c = await adapter.open();
      const entry = await c.launch({ program: FIXED, stopOnEntry: true });
      // The host acts first (at 0 ms), but the stop shows the guest's vCPU, at its first line; the host frame is at its
      // action.
      assert.deepStrictEqual(await stopInfo(c, entry), { reason: 'entry', thread: 2, at: 'vm0.vcpu0:24' });
      assert.strictEqual((await c.top(1)).line, lineOf(FIXED, 'at 0ms: request suspend'));
      assert.deepStrictEqual(await step(c, 'next', 2), { reason: 'step', thread: 2, at: 'vm0.vcpu0:25' });
      assert.deepStrictEqual(await step(c, 'next', 2), { reason: 'step', thread: 2, at: 'vm0.vcpu0:26' });
      assert.strictEqual(await c.evaluate('now', 'watch', 1024), '83.516000 ms');
      assert.strictEqual(await c.evaluate('host.state', 'watch', 1024), 'running (0)');
      assert.strictEqual((await c.top(1)).name, 'host: next host-action irq at 400.000000 ms');
      assert.strictEqual((await c.top(1)).line, lineOf(FIXED, 'at 400ms: irq 40'));
    });

    it('stepIn enters the prelude proc, stepOut returns to the line after the call', async () => {
      const c = await adapter.open();
      await c.launch({ program: FIXED, stopOnEntry: true });
      await step(c, 'next', 2);
      assert.deepStrictEqual(await step(c, 'stepIn', 2), {
        reason: 'step',
        thread: 2,
        at: `linux.pm_suspend:${lineOf(PRELUDE, 'set x20 = state')}`,
      });
      const frames = await c.frames(2);
      assert.deepStrictEqual(
        frames.map((f) => `${f.name}:${f.line}`),
        [`linux.pm_suspend:${lineOf(PRELUDE, 'set x20 = state')}`, 'vm0.vcpu0:25'],
      );
      assert.deepStrictEqual(await step(c, 'stepIn', 2), {
        reason: 'step',
        thread: 2,
        at: `linux.pm_suspend:${lineOf(PRELUDE, 'if state == mem')}`,
      });
      // `state` is s2idle: the mem branch is skipped.
      assert.deepStrictEqual(await step(c, 'next', 2), {
        reason: 'step',
        thread: 2,
        at: `linux.pm_suspend:${lineOf(PRELUDE, 'call linux.enter_state(x20)')}`,
      });
      assert.deepStrictEqual(await step(c, 'stepIn', 2), {
        reason: 'step',
        thread: 2,
        at: `linux.enter_state:${lineOf(PRELUDE, 'log "linux: suspend_enter"')}`,
      });
      assert.strictEqual((await c.frames(2)).length, 3);
      assert.deepStrictEqual(await step(c, 'next', 2), {
        reason: 'step',
        thread: 2,
        at: `linux.enter_state:${lineOf(PRELUDE, 'call linux.suspend_prepare')}`,
      });
      assert.deepStrictEqual(await step(c, 'stepIn', 2), {
        reason: 'step',
        thread: 2,
        at: `linux.suspend_prepare:${lineOf(PRELUDE, 'log "linux: sync_filesystems')}`,
      });
      assert.strictEqual((await c.frames(2)).length, 4);
      // Out of suspend_prepare: the caller's next statement.
      assert.deepStrictEqual(await step(c, 'stepOut', 2), {
        reason: 'step',
        thread: 2,
        at: `linux.enter_state:${lineOf(PRELUDE, 'call linux.suspend_devices_and_enter(state)')}`,
      });
      // Out of enter_state: pm_suspend has nothing left after the call, so the step lands in the scenario.
      assert.deepStrictEqual(await step(c, 'stepOut', 2), { reason: 'step', thread: 2, at: 'vm0.vcpu0:26' });
    });

    it('stepping one vCPU completes its statement while the other vCPU advances', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      assert.strictEqual((await c.top(3)).line, lineOf(KVM, 'wait signal cpu_down'));
      // vcpu1 waits for vcpu0's `signal cpu_down`: its next line comes once vcpu0 has got that far.
      assert.deepStrictEqual(await step(c, 'next', 3), { reason: 'step', thread: 3, at: 'guest.vcpu1:25' });
      assert.ok((await c.top(2)).line > lineOf(KVM, 'signal cpu_down'));
      assert.strictEqual(await c.evaluate('now', 'watch', 2048), '10.008000 ms');
      // The host thread steps from host event to host event, each at the line of the scenario that says what it does:
      // the timed action, then the VMM's answer to the WAKEUP exit (the VM's declaration).
      assert.deepStrictEqual(await step(c, 'next', 1), {
        reason: 'step',
        thread: 1,
        at: `host: next host-action irq at 30.000000 ms:${lineOf(KVM, 'at 30ms: irq 33')}`,
      });
      assert.deepStrictEqual(await step(c, 'next', 1), {
        reason: 'step',
        thread: 1,
        at: `host: next vmm WAKEUP at 30.000000 ms:${lineOf(KVM, 'vm guest {')}`,
      });
      // Into, from the host, is into the guest: the next statement a vCPU runs, on that vCPU.
      assert.deepStrictEqual(await step(c, 'stepIn', 1), {
        reason: 'step',
        thread: 2,
        at: `resume · guest.vcpu0:${lineOf(KVM, 'expect x0 == 0xc0ffee')}`,
      });
    });

    it('at the end of the scenario a step stays there', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM });
      const stop = await c.stepAndStop('next', { threadId: 2 });
      assert.deepStrictEqual([stop.body.reason, stop.body.description], ['pause', 'End of scenario']);
      assert.strictEqual(
        await c.evaluate('where', 'repl'),
        'step 38 of 38 recorded, 40.011000 ms, trace hash fc26c712c9c8ce60',
      );
    });

    it('a step on an unknown thread is an error', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      assert.strictEqual(await c.fails('next', { threadId: 9 }), 'no thread 9');
      assert.strictEqual(await c.fails('stepBack', { threadId: 0 }), 'no thread 0');
    });
  });

  describe('stepBack', () => {
    it('next then stepBack restores every register, device field, host value and the trace exactly, at several points', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      await c.setLineBreakpoints(KVM, [{ line: 38 }, { line: 53 }]);
      // At entry, after the first statement, after DENIED, and after the wake-up in the resume path.
      const moves = ['next', 'continue', 'continue'];
      const points: Stop[] = [];
      for (let i = 0; i < 4; i++) {
        const before = await everything(c);
        const where = await c.evaluate('where', 'repl');
        const stepped = await step(c, 'next', 2);
        assert.strictEqual(stepped.reason, 'step');
        assert.notDeepStrictEqual(await everything(c), before, 'next changed something');
        const back = await step(c, 'stepBack', 2);
        assert.strictEqual(back.reason, 'step');
        const after = await everything(c);
        assert.ok(
          countNodes(
            (after['guest.vcpu0'] as { scopes: { tree: { children?: unknown[] }[] }[] }).scopes.flatMap((s) => s.tree),
          ) > 100,
        );
        assert.deepStrictEqual(after, before, `state after next+stepBack at ${back.at}`);
        assert.strictEqual(
          (await c.evaluate('where', 'repl')).replace(/ of \d+ recorded/, ''),
          where.replace(/ of \d+ recorded/, ''),
        );
        points.push(back);
        if (moves[i]) await c.stepAndStop(moves[i], { threadId: 2 });
      }
      assert.deepStrictEqual(
        points.map((p) => p.at),
        ['guest.vcpu0:30', 'guest.vcpu0:31', 'guest.vcpu0:38', 'resume · guest.vcpu0:53'],
      );
    });

    it('restores exactly deep in history (a snapshot restored and replayed), on both vCPUs', async () => {
      const c = await adapter.open();
      const file = writeScenario('long.sflow', LONG);
      const stop = await c.launch({ program: file }, async () => {
        await c.setLineBreakpoints(file, [{ line: lineOf(file, 'pci write gpu pmcsr.state = D3hot') }]);
      });
      assert.strictEqual(stop.body.reason, 'breakpoint');
      assert.match(await c.evaluate('where', 'repl'), /^step 6003 of 6003 recorded/);
      for (const [command, thread] of [
        ['next', 2],
        ['next', 2],
        ['stepIn', 2],
      ] as const) {
        const before = await everything(c);
        await step(c, command, thread);
        await step(c, 'stepBack', thread);
        assert.deepStrictEqual(await everything(c), before);
        await step(c, 'next', thread);
      }
      assert.strictEqual(await c.evaluate('gpu.pmcsr.state', 'watch', 1024), 'D0 (0)');
      assert.strictEqual(
        await c.evaluate('gpu.bar0', 'watch', 1024),
        '0x0',
        'D3hot -> D0 without No_Soft_Reset reset the BAR',
      );
      // Back over the D0 write: the BAR and the power state are as they were.
      await step(c, 'stepBack', 2);
      assert.strictEqual(await c.evaluate('gpu.pmcsr.state', 'watch', 1024), 'D3hot (3)');
      assert.strictEqual(await c.evaluate('gpu.bar0', 'watch', 1024), '0xe0000000');
      assert.strictEqual(await c.evaluate('x2', 'watch', 1024), '0x7');
      await step(c, 'stepBack', 2);
      assert.strictEqual(await c.evaluate('x2', 'watch', 1024), '0x0');
    });

    it('two steps forward and two back come back to the same state; stepping back from the start stops at entry', async () => {
      const c = await adapter.open();
      await c.launch({ program: RACE }, async () => {
        await c.ok('setExceptionBreakpoints', { filters: [] });
        await c.setLineBreakpoints(RACE, [{ line: lineOf(RACE, 'call linux.pm_suspend s2idle') }]);
      });
      const before = await everything(c);
      // Over the whole suspend (the race, and the host's suspend and wake-up) and one more line, then back.
      assert.deepStrictEqual(await step(c, 'next', 2), {
        reason: 'step',
        thread: 2,
        at: `vm0.vcpu0:${lineOf(RACE, 'expect pt0.dstate == D0')}`,
      });
      assert.deepStrictEqual(await step(c, 'next', 2), {
        reason: 'step',
        thread: 2,
        at: `vm0.vcpu0:${lineOf(RACE, 'log "guest resumed')}`,
      });
      assert.strictEqual(await c.evaluate('host.state', 'watch', 1024), 'running (0)');
      assert.deepStrictEqual(await step(c, 'stepBack', 2), {
        reason: 'step',
        thread: 2,
        at: `vm0.vcpu0:${lineOf(RACE, 'expect pt0.dstate == D0')}`,
      });
      assert.deepStrictEqual(await step(c, 'stepBack', 2), {
        reason: 'step',
        thread: 2,
        at: `vm0.vcpu0:${lineOf(RACE, 'call linux.pm_suspend s2idle')}`,
      });
      assert.deepStrictEqual(await everything(c), before);

      const fresh = await adapter.open();
      await fresh.launch({ program: KVM, stopOnEntry: true });
      const back = await fresh.stepAndStop('stepBack', { threadId: 2 });
      assert.deepStrictEqual([back.body.reason, back.body.description], ['entry', 'Start of scenario']);
      assert.strictEqual(
        await fresh.evaluate('where', 'repl'),
        'step 0 of 0 recorded, 0.000000 ms, trace hash 811c9dc5050c5d1f',
      );
    });

    it('after stepping back, running forward again reproduces the same history', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM });
      const end = await c.evaluate('where', 'repl');
      for (let i = 0; i < 5; i++) await step(c, 'stepBack', 2);
      assert.notStrictEqual(await c.evaluate('where', 'repl'), end);
      await c.stepAndStop('continue', { threadId: 2 });
      assert.strictEqual(await c.evaluate('where', 'repl'), end);
    });
  });

  describe('reverseContinue', () => {
    it('stops at the latest breakpoint hit on the way back, then earlier ones, then at the start', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM });
      const bps = await c.setLineBreakpoints(KVM, [{ line: 42 }]);
      const positions: string[] = [];
      let stop = await c.stepAndStop('reverseContinue', { threadId: 2 });
      while (stop.body.reason === 'breakpoint') {
        assert.deepStrictEqual([stop.body.threadId, stop.body.hitBreakpointIds], [2, [bps[0].id]]);
        assert.strictEqual((await c.top(2)).line, 42);
        positions.push(await c.evaluate('where', 'repl'));
        stop = await c.stepAndStop('reverseContinue', { threadId: 2 });
      }
      assert.deepStrictEqual([stop.body.reason, stop.body.description], ['entry', 'Start of scenario']);
      assert.strictEqual(positions.length, 2, positions.join('\n'));
      assert.match(positions[0], /^step 15 of 38 recorded/);
      assert.match(positions[1], /^step 10 of 38 recorded/);
      // The state there is the state a forward run reaches at the same breakpoint.
      const forward = await adapter.open();
      await forward.launch({ program: KVM }, async () => {
        await forward.setLineBreakpoints(KVM, [{ line: 42 }]);
      });
      assert.strictEqual(
        await forward.evaluate('where', 'repl'),
        'step 10 of 10 recorded' + positions[1].slice('step 10 of 38 recorded'.length),
      );
      const back = await adapter.open();
      await back.launch({ program: KVM });
      await back.setLineBreakpoints(KVM, [{ line: 42 }]);
      await back.stepAndStop('reverseContinue', { threadId: 2 });
      await back.stepAndStop('reverseContinue', { threadId: 2 });
      assert.deepStrictEqual(await everything(back), await everything(forward));
    });

    it('stops at function breakpoints and exceptions on the way back too', async () => {
      const c = await adapter.open();
      await c.launch({ program: RACE }, async () => {
        await c.ok('setExceptionBreakpoints', { filters: [] });
      });
      await c.setFunctionBreakpoints(['s2idle_notify']);
      const notify = await c.stepAndStop('reverseContinue', { threadId: 2 });
      assert.deepStrictEqual(await stopInfo(c, notify), {
        reason: 'function breakpoint',
        thread: 2,
        at: `linux.s2idle_check:${lineOf(PRELUDE, 's2idle notify')}`,
      });
      // Forward from there the exception (now switched on) comes next.
      await c.setFunctionBreakpoints([]);
      await c.ok('setExceptionBreakpoints', { filters: ['host-suspended-while-guest-running'] });
      const forward = await c.stepAndStop('continue', { threadId: 2 });
      assert.deepStrictEqual([forward.body.reason, forward.body.threadId], ['exception', 2]);
      const atViolation = await c.evaluate('where', 'repl');
      // From the end, reverse continue finds the same violation on the way back.
      await c.stepAndStop('continue', { threadId: 1 });
      const back = await c.stepAndStop('reverseContinue', { threadId: 1 });
      assert.deepStrictEqual(
        [back.body.reason, back.body.threadId, back.body.text],
        ['exception', 2, forward.body.text],
      );
      assert.strictEqual(
        (await c.evaluate('where', 'repl')).replace(/ of \d+ /, ' '),
        atViolation.replace(/ of \d+ /, ' '),
      );
    });
  });

  describe('long scans back through history', () => {
    it('reverse continue over millions of units answers pause, with progress, and the session goes on', async function () {
      this.timeout(120_000);
      const c = await adapter.open();
      const file = writeScenario('spin.sflow', SPIN);
      // Running 8 s of simulated time takes a few seconds of wall clock; a loaded machine takes longer.
      const stop = await c.launch(
        { program: file, until: '8s' },
        undefined,
        { supportsProgressReporting: true },
        60_000,
      );
      assert.strictEqual(stop.body.description, 'Reached until');
      const head = Number(/^step (\d+) of/.exec(await c.evaluate('where', 'repl'))![1]);
      assert.ok(head > 2_000_000, `${head} units of history`);
      c.drain('progressStart');
      c.drain('progressEnd');
      // No breakpoint behind: the scan would go all the way back to the start.
      await c.ok('reverseContinue', { threadId: 2 });
      const start = await c.event<DebugProtocol.ProgressStartEvent>('progressStart', 30_000);
      assert.strictEqual(start.body.title, 'Going back through history');
      assert.strictEqual(
        await c.fails('stackTrace', { threadId: 2 }),
        "'stackTrace' needs the scenario stopped; it is running (send pause)",
      );
      await c.ok('pause', { threadId: 2 });
      const paused = await c.stopped();
      assert.deepStrictEqual(
        [paused.body.reason, paused.body.description, paused.body.text],
        ['pause', 'Paused', 'paused while going back through history'],
      );
      assert.strictEqual(
        (await c.event<DebugProtocol.ProgressEndEvent>('progressEnd')).body.progressId,
        start.body.progressId,
      );
      const at = Number(/^step (\d+) of/.exec(await c.evaluate('where', 'repl'))![1]);
      assert.ok(at > 0 && at < head, `paused at ${at} of ${head}`);
      // The session goes on from there.
      const next = await c.stepAndStop('next', { threadId: 2 });
      assert.strictEqual(next.body.reason, 'step');
    });
  });

  describe('goto', () => {
    it('gotoTargets lists the earlier executions of a line, newest first; goto travels there', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM });
      const r = await c.ok<DebugProtocol.GotoTargetsResponse>('gotoTargets', { source: { path: KVM }, line: 42 });
      assert.deepStrictEqual(
        r.body.targets.map((t) => [t.label, t.line]),
        [
          ['guest.vcpu0, step 15', 42],
          ['guest.vcpu0, step 10', 42],
        ],
      );
      const stop = await c.stepAndStop('goto', { threadId: 2, targetId: r.body.targets[1].id });
      assert.deepStrictEqual(await stopInfo(c, stop), { reason: 'goto', thread: 2, at: 'guest.vcpu0:42' });
      assert.match(await c.evaluate('where', 'repl'), /^step 10 of 38 recorded, 10\.008000 ms/);
      // History is kept: going to the later target is going forward in it.
      await c.stepAndStop('goto', { threadId: 2, targetId: r.body.targets[0].id });
      assert.match(await c.evaluate('where', 'repl'), /^step 15 of 38 recorded/);
      const none = await c.ok<DebugProtocol.GotoTargetsResponse>('gotoTargets', { source: { path: KVM }, line: 36 });
      assert.deepStrictEqual(none.body.targets, []);
      assert.strictEqual(await c.fails('goto', { threadId: 2, targetId: 1000 }), 'no goto target 1000');
    });

    it('gotoEvent travels to just before the unit that emitted a trace event; trace lists the recent events, the position and the hash', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      const empty = await c.ok('trace');
      assert.deepStrictEqual(empty.body, { events: [], position: 0, hash: '811c9dc5050c5d1f' });
      await c.stepAndStop('continue', { threadId: 2 });
      const trace = await c.ok('trace');
      assert.strictEqual(trace.body.position, 38);
      assert.strictEqual(trace.body.hash, 'fc26c712c9c8ce60');
      const events = trace.body.events as { seq: number; t: number; source: string; text: string }[];
      assert.ok(events.length > 10);
      events.forEach((e, i) => i > 0 && assert.strictEqual(e.seq, events[i - 1].seq + 1));
      const denied = events.find((e) => e.text === 'SYSTEM_SUSPEND returned DENIED (-3)');
      assert.ok(denied, events.map((e) => e.text).join('\n'));
      assert.deepStrictEqual([denied.t, denied.source], [10_005_000, 'guest.vcpu0']);

      // The HVC is the first SYSTEM_SUSPEND call's, on line 37: the stop is on that line, before it runs, at the moment
      // it runs; the stop's text names the event.
      const hvc = events.find((e) => e.text.startsWith('HVC SYSTEM_SUSPEND'))!;
      const stop = await c.stepAndStop('gotoEvent', { seq: hvc.seq });
      assert.deepStrictEqual(await stopInfo(c, stop), { reason: 'goto', thread: 2, at: 'guest.vcpu0:37' });
      assert.deepStrictEqual(
        [stop.body.description, stop.body.text],
        ['Event', `#${hvc.seq} at 10.005000 ms guest.vcpu0: ${hvc.text}`],
      );
      assert.strictEqual(await c.evaluate('now', 'watch', 1024), '10.005000 ms');
      const there = await c.ok('trace');
      assert.strictEqual(there.body.events[there.body.events.length - 1].seq, hvc.seq - 1);
      assert.ok(there.body.position < 38);
      // Running that statement emits the event.
      await c.stepAndStop('next', { threadId: 2 });
      assert.ok((await c.ok('trace')).body.events.some((e: { seq: number }) => e.seq === hvc.seq));
      // The VMM's DENIED answer is the host's unit: before it, vcpu0 is in its exit, past the HVC, x0 not yet written.
      const answer = await c.stepAndStop('gotoEvent', { seq: denied.seq });
      assert.deepStrictEqual(await stopInfo(c, answer), { reason: 'goto', thread: 2, at: 'guest.vcpu0:38' });
      assert.strictEqual(await c.evaluate('x0 == DENIED', 'watch', 1024), 'false');
      // A lane names the thread to show: the irq that woke vcpu0, clicked on vcpu1's lane, shows vcpu1.
      const wake = events.find((e) => e.text.startsWith('irq 33 wakes'))!;
      const onLane = await c.stepAndStop('gotoEvent', { seq: wake.seq, lane: 'guest.vcpu1' });
      assert.strictEqual(onLane.body.threadId, 3);
      const own = await c.stepAndStop('gotoEvent', { seq: wake.seq, lane: 'guest.net0' });
      assert.strictEqual(own.body.threadId, 2, 'a device lane shows the vCPU the event is about');
      assert.strictEqual(await c.fails('gotoEvent', { seq: 100000 }), 'no trace event 100000');
      assert.strictEqual(await c.fails('gotoEvent', {}), "gotoEvent: 'seq' is missing");
    });
  });
});
