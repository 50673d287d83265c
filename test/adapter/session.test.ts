// Session lifecycle over DAP: initialize, launch (program, seed, stopOnEntry, until), the end of a run, restart,
// terminate and disconnect, threads and stack frames (scenario lines and the prelude's kernel-named frames).

import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { nodeHost, startServer } from '../../src/adapter/main';
import { INVARIANT_INFO } from '../../src/lang/domain/invariants';
import { ADAPTER, Client, PRELUDE, example, forEachTransport, lineOf, writeScenario } from './helpers';

const KVM = example('kvm-system-suspend.sflow');
const RACE = example('s2idle-notify-race.sflow');

/** One vCPU spinning forever: a run that only pause, restart or terminate can end. */
const SPIN = `vm guest {
  hypervisor kvm
  vcpus 1
}
guest.vcpu0 {
  set x5 = 1
  loop { delay 1us }
}
`;

/** Timing drawn from the seed: jitter spreads every statement's cost. */
const JITTER = `vm guest {
  hypervisor kvm
  vcpus 1
  jitter 50%
}
guest.vcpu0 {
  set x1 = 1
  set x1 = 2
  set x1 = 3
  set x1 = 4
  delay 1ms
  set x1 = 5
}
`;

const RESTART = `vm guest {
  hypervisor kvm
  vcpus 1
}
guest.vcpu0 {
  set x5 = 1
  psci PSCI_VERSION
  set x6 = 2
  halt
}
`;

const FAILING = `vm guest {
  hypervisor kvm
  vcpus 1
}
guest.vcpu0 {
  set x1 = 2
  expect x1 == 3, "x1 is three"
}
`;

forEachTransport('session', (adapter) => {
  it('initialize announces the capabilities and one exception filter per invariant, expect-failed and psci-error', async () => {
    const c = await adapter.open();
    const caps = await c.initialize();
    for (const flag of [
      'supportsConfigurationDoneRequest',
      'supportsConditionalBreakpoints',
      'supportsHitConditionalBreakpoints',
      'supportsLogPoints',
      'supportsFunctionBreakpoints',
      'supportsDataBreakpoints',
      'supportsDataBreakpointBytes',
      'supportsBreakpointLocationsRequest',
      'supportsStepBack',
      'supportsRestartRequest',
      'supportsTerminateRequest',
      'supportsGotoTargetsRequest',
      'supportsSetVariable',
      'supportsEvaluateForHovers',
      'supportsCompletionsRequest',
      'supportsExceptionInfoRequest',
      'supportsReadMemoryRequest',
      'supportsWriteMemoryRequest',
      'supportsLoadedSourcesRequest',
    ] as const) {
      assert.strictEqual(caps[flag], true, flag);
    }
    // A short list, so that the Breakpoints view keeps room for the user's breakpoints: invariants are one filter
    // whose condition can name some of them.
    const filters = caps.exceptionBreakpointFilters!;
    assert.deepStrictEqual(
      filters.map((f) => f.filter),
      ['invariant', 'expect-failed', 'psci-error'],
    );
    assert.strictEqual(caps.supportsExceptionFilterOptions, true);
    for (const f of filters) {
      assert.ok(f.label.length > 5, `${f.filter} has a label`);
      assert.ok((f.description ?? '').length > 20, `${f.filter} has a description`);
    }
    assert.deepStrictEqual(
      filters.filter((f) => f.supportsCondition).map((f) => f.filter),
      ['invariant'],
    );
    for (const i of INVARIANT_INFO) assert.ok(filters[0].conditionDescription!.includes(i.id), i.id);
    assert.deepStrictEqual(
      filters.filter((f) => !f.default).map((f) => f.filter),
      ['psci-error'],
    );
  });

  it('launch with stopOnEntry stops at entry on the vCPU that runs first, at its first statement', async () => {
    const c = await adapter.open();
    const stop = await c.launch({ program: KVM, stopOnEntry: true });
    assert.strictEqual(stop.body.reason, 'entry');
    assert.strictEqual(stop.body.threadId, await c.threadId('guest.vcpu0'));
    assert.strictEqual(stop.body.allThreadsStopped, true);
    const [top] = await c.frames(stop.body.threadId!);
    assert.strictEqual(top.name, 'guest.vcpu0');
    assert.strictEqual(top.source?.path, KVM);
    assert.strictEqual(top.source?.name, 'kvm-system-suspend.sflow');
    assert.deepStrictEqual([top.line, top.column, top.endLine, top.endColumn], [30, 3, 30, 47]);
    assert.strictEqual(top.instructionPointerReference, '0x40080000');
    assert.strictEqual((await c.top(await c.threadId('guest.vcpu1'))).line, lineOf(KVM, 'wait signal cpu_down'));
    assert.strictEqual(
      await c.evaluate('where', 'repl'),
      'step 0 of 0 recorded, 0.000000 ms, trace hash 811c9dc5050c5d1f',
    );
  });

  it('launch stops at entry on the first vCPU with code even when a host action comes first; the host frame shows that action', async () => {
    const c = await adapter.open();
    const stop = await c.launch({ program: RACE, stopOnEntry: true });
    assert.deepStrictEqual([stop.body.reason, stop.body.threadId, stop.body.description], ['entry', 2, 'Entry']);
    assert.strictEqual((await c.top(2)).source?.path, RACE);
    const frames = await c.frames(1);
    assert.strictEqual(frames.length, 1);
    assert.strictEqual(frames[0].name, 'host: next host-action requestSuspend at 0.000000 ms');
    assert.strictEqual(frames[0].source?.path, RACE);
    assert.strictEqual(frames[0].line, lineOf(RACE, 'at 0ms: request suspend'));
  });

  it('without stopOnEntry the scenario runs to its end and stops there; continue then ends the session with its exit code', async () => {
    const c = await adapter.open();
    const stop = await c.launch({ program: KVM });
    assert.deepStrictEqual(
      [stop.body.reason, stop.body.description, stop.body.text],
      ['pause', 'End of scenario', 'finished at 40.011000 ms, 47 events, trace fc26c712c9c8ce60: PASS'],
    );
    const outputs = c.drain<DebugProtocol.OutputEvent>('output').map((e) => e.body.output);
    assert.ok(outputs.includes('guest.vcpu1: CPU_OFF returned: 0\n') === false, 'CPU_OFF does not return');
    assert.ok(outputs.includes('guest.vcpu0: resumed at 40.007ms: bringing vcpu1 back\n'), outputs.join(''));
    assert.ok(outputs.includes('guest.vcpu1: vcpu1 is back\n'));
    assert.ok(outputs.includes('-- finished at 40.011000 ms, 47 events, trace fc26c712c9c8ce60: PASS\n'));
    await c.ok('continue', { threadId: stop.body.threadId });
    const exited = await c.event<DebugProtocol.ExitedEvent>('exited');
    assert.strictEqual(exited.body.exitCode, 0);
    await c.event('terminated');
  });

  it('a failed expectation makes the exit code 1 (with the expect-failed filter off)', async () => {
    const c = await adapter.open();
    const file = writeScenario('failing.sflow', FAILING);
    const stop = await c.launch({ program: file }, async () => {
      await c.ok('setExceptionBreakpoints', { filters: [] });
    });
    assert.strictEqual(stop.body.description, 'End of scenario: FAIL');
    assert.match(stop.body.text!, /^finished at .*: FAIL: 1 expectation failed \(x1 is three\)$/);
    assert.ok(
      c
        .drain<DebugProtocol.OutputEvent>('output')
        .some((e) => e.body.category === 'stderr' && e.body.output.includes('x1 is three')),
    );
    await c.ok('continue', { threadId: 2 });
    assert.strictEqual((await c.event<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 1);
  });

  it('stopAtEnd false ends the session at the end of the scenario', async () => {
    const c = await adapter.open();
    await c.initialize();
    await c.ok('launch', { program: KVM, stopAtEnd: false });
    await c.event('initialized');
    await c.ok('configurationDone');
    assert.strictEqual((await c.event<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 0);
    await c.event('terminated');
    assert.deepStrictEqual(c.drain('stopped'), []);
  });

  it('until stops the run before virtual time reaches it, and only once', async () => {
    const c = await adapter.open();
    const stop = await c.launch({ program: KVM, until: '20ms' });
    assert.deepStrictEqual(
      [stop.body.reason, stop.body.description, stop.body.text],
      ['pause', 'Reached until', "reached 'until' at 20.000000 ms"],
    );
    // vcpu0 is suspended (reset to its resume entry), the wake-up interrupt at 30 ms has not come yet; the clock
    // reads 'until' (nothing happens between the VMM's answer at 10.024 ms and the interrupt).
    assert.strictEqual(await c.evaluate('now', 'watch', 1024), '20.000000 ms');
    assert.strictEqual(await c.evaluate('guest.state', 'watch', 1024), 'vm_suspended (1)');
    assert.strictEqual((await c.top(2)).line, lineOf(KVM, 'expect x0 == 0xc0ffee'));
    // Continuing goes on past 'until'.
    const end = await c.stepAndStop('continue', { threadId: 2 });
    assert.strictEqual(end.body.text, 'finished at 40.011000 ms, 47 events, trace fc26c712c9c8ce60: PASS');
  });

  it('until also takes a number of nanoseconds', async () => {
    const c = await adapter.open();
    const stop = await c.launch({ program: KVM, until: 5_000 });
    assert.strictEqual(stop.body.text, "reached 'until' at 0.005000 ms");
    // The D3hot write ran at 4 us and takes 10 ms (PCI_PM_D3HOT_WAIT): vcpu0 is at its next statement.
    assert.strictEqual((await c.top(2)).line, lineOf(KVM, 'psci SYSTEM_SUSPEND entry=resume'));
    assert.strictEqual(await c.evaluate('net0.pmcsr.state', 'watch', 1024), 'D3hot (3)');
  });

  it('seed: the same seed gives the same run, another seed another timing', async () => {
    const file = writeScenario('jitter.sflow', JITTER);
    const endOf = async (seed: number) => {
      const c = await adapter.open();
      const stop = await c.launch({ program: file, seed });
      const where = await c.evaluate('where', 'repl');
      await c.close();
      return `${stop.body.text} ${where.replace(/^step \d+ of \d+ recorded, /, '')}`;
    };
    const a = await endOf(1);
    assert.match(a, /^finished at 1\.\d+ ms, \d+ events, trace [0-9a-f]{16}: PASS/);
    assert.strictEqual(await endOf(1), a);
    const others = new Set([await endOf(2), await endOf(3)]);
    assert.ok(!others.has(a), `seeds 2 and 3 should time the run differently from seed 1: ${a}`);
  });

  it('restart goes back to the start with every breakpoint kept (same ids) and the scenario read again', async () => {
    const c = await adapter.open();
    const file = writeScenario('restart.sflow', RESTART);
    let fb: DebugProtocol.Breakpoint[] = [];
    let lb: DebugProtocol.Breakpoint[] = [];
    const first = await c.launch({ program: file }, async () => {
      lb = await c.setLineBreakpoints(file, [{ line: lineOf(file, 'set x6 = 2') }]);
      fb = await c.setFunctionBreakpoints(['PSCI_VERSION']);
    });
    assert.deepStrictEqual([first.body.reason, first.body.hitBreakpointIds], ['function breakpoint', [fb[0].id]]);
    assert.strictEqual(await c.evaluate('x5', 'watch', 1024), '0x1');
    const line = await c.stepAndStop('continue', { threadId: 2 });
    assert.deepStrictEqual([line.body.reason, line.body.hitBreakpointIds], ['breakpoint', [lb[0].id]]);
    assert.notStrictEqual(lb[0].id, fb[0].id);

    fs.writeFileSync(file, RESTART.replace('set x5 = 1', 'set x5 = 11'));
    await c.ok('restart', {});
    const again = await c.stopped();
    assert.deepStrictEqual([again.body.reason, again.body.hitBreakpointIds], ['function breakpoint', [fb[0].id]]);
    assert.strictEqual(await c.evaluate('x5', 'watch', 1024), '0xb');
    // Stopped before the PSCI call, which runs at 1 us: the clock reads that moment.
    assert.strictEqual(
      await c.evaluate('where', 'repl'),
      'step 1 of 1 recorded, 0.001000 ms, trace hash ' + (await c.ok('trace')).body.hash,
    );
    const line2 = await c.stepAndStop('continue', { threadId: 2 });
    assert.deepStrictEqual([line2.body.reason, line2.body.hitBreakpointIds], ['breakpoint', [lb[0].id]]);
  });

  it('restart with stopOnEntry stops at entry; a restart whose scenario now has errors fails with them', async () => {
    const c = await adapter.open();
    const file = writeScenario('restart2.sflow', RESTART);
    await c.launch({ program: file, stopOnEntry: true });
    await c.stepAndStop('next', { threadId: 2 });
    await c.ok('restart', {});
    const entry = await c.stopped();
    assert.deepStrictEqual([entry.body.reason, entry.body.threadId], ['entry', 2]);
    assert.strictEqual((await c.top(2)).line, lineOf(file, 'set x5 = 1'));
    fs.writeFileSync(file, RESTART.replace('set x5 = 1', 'set x5 = nosuch'));
    const message = await c.fails('restart', {});
    assert.strictEqual(message, "restart2.sflow:6:12: unknown name 'nosuch'");
  });

  it('restart while running abandons that run: one stop afterwards, and pause stops the new run for good', async () => {
    const c = await adapter.open();
    const file = writeScenario('spin.sflow', SPIN);
    await c.initialize();
    await c.ok('launch', { program: file });
    await c.event('initialized');
    await c.ok('configurationDone');
    await new Promise((r) => setTimeout(r, 30));
    await c.ok('restart', {});
    await new Promise((r) => setTimeout(r, 30));
    await c.ok('pause', { threadId: 2 });
    const paused = await c.stopped();
    assert.strictEqual(paused.body.reason, 'pause');
    const where1 = await c.evaluate('where', 'repl');
    await new Promise((r) => setTimeout(r, 100));
    assert.strictEqual(await c.evaluate('where', 'repl'), where1, 'nothing runs after the pause');
    assert.deepStrictEqual(c.drain('stopped'), []);
  });

  it('terminate is answered and sends terminated, also while running (and the run stops without a stopped event)', async () => {
    const c = await adapter.open();
    await c.launch({ program: writeScenario('spin.sflow', SPIN), stopOnEntry: true });
    await c.ok('continue', { threadId: 2 });
    await c.ok('terminate');
    await c.event('terminated');
    const where = await c.evaluate('where', 'repl');
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(await c.evaluate('where', 'repl'), where);
    assert.deepStrictEqual(c.drain('stopped'), []);
    await c.ok('disconnect', { terminateDebuggee: true });
  });

  it('disconnect is answered before launch, while stopped and while running', async () => {
    const fresh = await adapter.open();
    await fresh.ok('disconnect');
    const stopped = await adapter.open();
    await stopped.launch({ program: KVM, stopOnEntry: true });
    await stopped.ok('disconnect', { restart: false });
    const running = await adapter.open();
    await running.launch({ program: writeScenario('spin.sflow', SPIN), stopOnEntry: true });
    await running.ok('continue', { threadId: 2 });
    await running.ok('disconnect');
  });

  it('threads are the host and VM.vcpuN for every vCPU of every VM', async () => {
    const c = await adapter.open();
    await c.launch({ program: example('s2idle-privileged.sflow'), stopOnEntry: true });
    assert.deepStrictEqual(
      (await c.threads()).map((t) => [t.id, t.name]),
      [
        [1, 'host'],
        [2, 'ctrl.vcpu0'],
        [3, 'ctrl.vcpu1'],
        [4, 'worker.vcpu0'],
      ],
    );
  });

  it('stack frames on a vCPU in the prelude are named after the kernel functions, with lib/linux.sflow as their source', async () => {
    const c = await adapter.open();
    const stop = await c.launch({ program: RACE }, async () => {
      await c.setFunctionBreakpoints(['linux.s2idle_enter']);
    });
    assert.deepStrictEqual([stop.body.reason, stop.body.threadId], ['function breakpoint', 2]);
    const frames = await c.frames(2);
    assert.deepStrictEqual(
      frames.map((f) => [f.name, f.source?.name, f.source?.path, f.line]),
      [
        ['linux.s2idle_enter', 'linux.sflow', PRELUDE, lineOf(PRELUDE, 'proc linux.s2idle_enter') + 1],
        ['linux.s2idle_loop', 'linux.sflow', PRELUDE, lineOf(PRELUDE, 'call linux.s2idle_enter')],
        ['linux.suspend_enter', 'linux.sflow', PRELUDE, lineOf(PRELUDE, 'call linux.s2idle_loop')],
        ['linux.suspend_devices_and_enter', 'linux.sflow', PRELUDE, lineOf(PRELUDE, 'call linux.suspend_enter(state)')],
        ['linux.enter_state', 'linux.sflow', PRELUDE, lineOf(PRELUDE, 'call linux.suspend_devices_and_enter(state)')],
        ['linux.pm_suspend', 'linux.sflow', PRELUDE, lineOf(PRELUDE, 'call linux.enter_state(x20)')],
        ['vm0.vcpu0', 's2idle-notify-race.sflow', RACE, lineOf(RACE, 'call linux.pm_suspend s2idle')],
      ],
    );
    // Each frame has its range: `wfi` in the top one, the whole call in the scenario's.
    assert.deepStrictEqual([frames[0].column, frames[0].endLine, frames[0].endColumn], [3, frames[0].line, 6]);
    assert.deepStrictEqual([frames[6].column, frames[6].endColumn], [3, 31]);
    assert.ok(frames.every((f) => /^0x4008[0-9a-f]{4}$/.test(f.instructionPointerReference ?? '')));
    assert.strictEqual(new Set(frames.map((f) => f.id)).size, 7);
    // The prelude on disk is the file the frames point at.
    const text = fs.readFileSync(PRELUDE, 'utf8').split('\n');
    assert.strictEqual(text[frames[0].line - 1].trim(), 'wfi');
  });

  it("with `call linux.pm_suspend mem` the stack at SYSTEM_SUSPEND reads like the kernel's suspend-to-RAM path", async () => {
    const c = await adapter.open();
    const gpio = example('virtio-gpio-pins.sflow');
    const stop = await c.launch({ program: gpio }, async () => {
      await c.setFunctionBreakpoints(['SYSTEM_SUSPEND']);
    });
    assert.deepStrictEqual([stop.body.reason, stop.body.threadId], ['function breakpoint', 2]);
    const frames = await c.frames(2);
    assert.deepStrictEqual(
      frames.map((f) => [f.name, f.source?.path, f.line]),
      [
        ['linux.psci_system_suspend_enter', PRELUDE, lineOf(PRELUDE, 'psci SYSTEM_SUSPEND entry=linux.cpu_resume')],
        ['linux.suspend_enter', PRELUDE, lineOf(PRELUDE, 'call linux.psci_system_suspend_enter')],
        ['linux.suspend_devices_and_enter', PRELUDE, lineOf(PRELUDE, 'call linux.suspend_enter(state)')],
        ['linux.enter_state', PRELUDE, lineOf(PRELUDE, 'call linux.suspend_devices_and_enter(state)')],
        ['linux.pm_suspend', PRELUDE, lineOf(PRELUDE, 'call linux.enter_state(x20)')],
        ['guest.vcpu0', gpio, lineOf(gpio, 'call linux.pm_suspend mem')],
      ],
    );
    // Each caller frame's range is its call statement.
    const text = fs.readFileSync(PRELUDE, 'utf8').split('\n');
    for (const f of frames.slice(1, 5))
      assert.strictEqual(text[f.line - 1].slice(f.column - 1, f.endColumn! - 1).split(' ')[0], 'call');
  });

  it('stackTrace pages with startFrame and levels, and gives totalFrames', async () => {
    const c = await adapter.open();
    await c.launch({ program: RACE }, async () => {
      await c.setFunctionBreakpoints(['linux.s2idle_enter']);
    });
    const r = await c.ok<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 2, startFrame: 2, levels: 2 });
    assert.deepStrictEqual(
      r.body.stackFrames.map((f) => f.name),
      ['linux.suspend_enter', 'linux.suspend_devices_and_enter'],
    );
    assert.strictEqual(r.body.totalFrames, 7);
  });

  it('a powered-off vCPU shows one label frame; the host shows its next action', async () => {
    const c = await adapter.open();
    await c.launch({ program: KVM }, async () => {
      await c.setLineBreakpoints(KVM, [{ line: lineOf(KVM, 'log "SYSTEM_SUSPEND failed') - 1 }]);
    });
    const off = await c.frames(3);
    assert.deepStrictEqual(
      off.map((f) => [f.name, f.line, f.presentationHint]),
      [['guest.vcpu1 (powered off)', 0, 'label']],
    );
    const host = await c.frames(1);
    assert.deepStrictEqual(
      host.map((f) => [f.name, f.line, f.source?.path]),
      [['host: next host-action irq at 30.000000 ms', lineOf(KVM, 'at 30ms: irq 33'), KVM]],
    );
  });

  it('loadedSources lists the scenario and the prelude on disk', async () => {
    const c = await adapter.open();
    await c.launch({ program: RACE, stopOnEntry: true });
    const r = await c.ok<DebugProtocol.LoadedSourcesResponse>('loadedSources');
    assert.deepStrictEqual(
      r.body.sources.map((s) => [s.name, s.path]),
      [
        ['s2idle-notify-race.sflow', RACE],
        ['linux.sflow', PRELUDE],
      ],
    );
  });
});

describe('session: the prelude served by reference when lib/ is not on disk (tcp)', () => {
  let server: net.Server;
  let client: Client;
  before(async () => {
    server = await startServer(0, nodeHost('/nonexistent/lib'));
  });
  after(async () => {
    await client?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('frames carry a sourceReference and the source request returns the prelude text', async () => {
    const dc = new DebugClient('node', ADAPTER, 'suspend-flow');
    client = new Client(dc, 'tcp');
    await dc.start((server.address() as net.AddressInfo).port);
    await client.launch({ program: RACE }, async () => {
      await client.setFunctionBreakpoints(['linux.s2idle_check']);
    });
    const [top] = await client.frames(2);
    assert.strictEqual(top.name, 'linux.s2idle_check');
    assert.strictEqual(top.source?.path, undefined);
    assert.strictEqual(top.source?.name, 'linux.sflow');
    const ref = top.source!.sourceReference!;
    assert.ok(ref > 0);
    const r = await client.ok<DebugProtocol.SourceResponse>('source', { source: top.source, sourceReference: ref });
    assert.strictEqual(r.body.content, fs.readFileSync(PRELUDE, 'utf8'));
    assert.strictEqual(r.body.mimeType, 'text/x-suspend-flow');
    assert.match(await client.fails('source', { sourceReference: 99 }), /no source 99/);
    // A line breakpoint by reference works as well.
    const bps = (
      await client.ok<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', {
        source: { sourceReference: ref },
        breakpoints: [{ line: lineOf(PRELUDE, 'proc linux.s2idle_enter') + 1 }],
      })
    ).body.breakpoints;
    assert.strictEqual(bps[0].verified, true);
    const hit = await client.stepAndStop('continue', { threadId: 2 });
    assert.deepStrictEqual([hit.body.reason, hit.body.hitBreakpointIds], ['breakpoint', [bps[0].id]]);
    assert.strictEqual((await client.top(2)).name, 'linux.s2idle_enter');
  });
});
