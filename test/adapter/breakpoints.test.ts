// Breakpoints over DAP: line breakpoints (verified, moved, conditions, hit counts, log messages, in the prelude),
// function breakpoints on what the guest does, data breakpoints on fields, registers and guest memory, and
// exception filters with exceptionInfo. Every stop is checked for its reason, thread and place.

import * as assert from 'assert';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Client, PRELUDE, example, forEachTransport, lineOf, writeScenario } from './helpers';

const KVM = example('kvm-system-suspend.sflow');
const RACE = example('s2idle-notify-race.sflow');
const VFIO_D3HOT = example('vfio-d3hot.sflow');
const D3COLD = example('vfio-d3cold-promotion.sflow');

const LOOP = `vm guest {
  hypervisor kvm
  vcpus 1
}
guest.vcpu0 {
  set x1 = 0
  loop {
    set x1 = x1 + 1
    if x1 == 5 { break }
  }
  halt
}
`;

const DATA = `vm guest {
  hypervisor kvm
  vcpus 2
  device gpu passthrough at 00:02.0 irq 50
}
guest.vcpu1 {
  set x3 = 1
  set x3 = 1
  set x3 = 2
}
guest.vcpu0 {
  mmio write 0x40100000 = 0x1234
  set x1 = 5
  mmio write 0x40100000 = 0x1234
  mmio write 0x40100000 = 0x99
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

/** Where a stop is: reason, thread, hit ids, and the top frame's `name:line`. */
async function where(
  c: Client,
  stop: DebugProtocol.StoppedEvent,
): Promise<[string, number, number[] | undefined, string]> {
  const top = await c.top(stop.body.threadId!);
  return [stop.body.reason, stop.body.threadId!, stop.body.hitBreakpointIds, `${top.name}:${top.line}`];
}

async function cont(c: Client, threadId = 2): Promise<DebugProtocol.StoppedEvent> {
  return c.stepAndStop('continue', { threadId });
}

forEachTransport('breakpoints', (adapter) => {
  describe('line breakpoints', () => {
    it('breakpointLocations lists the lines with statements in a range', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      const r = await c.ok<DebugProtocol.BreakpointLocationsResponse>('breakpointLocations', {
        source: { path: KVM },
        line: 28,
        endLine: 39,
      });
      assert.deepStrictEqual(
        r.body.breakpoints.map((b) => b.line),
        [30, 31, 32, 33, 34, 37, 38],
      );
      const one = await c.ok<DebugProtocol.BreakpointLocationsResponse>('breakpointLocations', {
        source: { path: KVM },
        line: 25,
      });
      assert.deepStrictEqual(one.body.breakpoints, [{ line: 25 }]);
      const none = await c.ok<DebugProtocol.BreakpointLocationsResponse>('breakpointLocations', {
        source: { path: KVM },
        line: 36,
      });
      assert.deepStrictEqual(none.body.breakpoints, []);
    });

    it('are verified on statements, moved to the next statement from comments, blank lines and labels, refused past the end', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      const bps = await c.setLineBreakpoints(KVM, [
        { line: 37 },
        { line: 36 },
        { line: 39 },
        { line: 52 },
        { line: 500 },
      ]);
      assert.deepStrictEqual(
        bps.map((b) => [b.verified, b.line, b.message]),
        [
          [true, 37, undefined],
          [true, 37, 'moved to the next statement, line 37'],
          [true, 40, 'moved to the next statement, line 40'],
          [true, 53, 'moved to the next statement, line 53'],
          [false, 500, 'no statement on or after this line'],
        ],
      );
      assert.strictEqual(new Set(bps.map((b) => b.id)).size, 5);
      assert.strictEqual(bps[0].source?.path, KVM);
      // A file that is not part of the program has no statements.
      const other = await c.setLineBreakpoints(example('xen-system-suspend.sflow'), [{ line: 31 }]);
      assert.deepStrictEqual(
        other.map((b) => b.verified),
        [false],
      );
    });

    it('hit at their line, on the vCPU that runs it, with reason breakpoint and the breakpoint id', async () => {
      const c = await adapter.open();
      let bps: DebugProtocol.Breakpoint[] = [];
      const first = await c.launch({ program: KVM }, async () => {
        bps = await c.setLineBreakpoints(KVM, [{ line: 37 }, { line: 25 }, { line: 53 }]);
      });
      assert.deepStrictEqual(await where(c, first), ['breakpoint', 2, [bps[0].id], 'guest.vcpu0:37']);
      assert.deepStrictEqual(await where(c, await cont(c)), ['breakpoint', 3, [bps[1].id], 'guest.vcpu1:25']);
      // The resume label, run by vcpu0: its frame says so.
      assert.deepStrictEqual(await where(c, await cont(c)), ['breakpoint', 2, [bps[2].id], 'resume · guest.vcpu0:53']);
      // Woken by irq 33 at 30 ms: the resume entry runs with x0 = the context id.
      assert.strictEqual(await c.evaluate('x0', 'watch', 1024), '0xc0ffee');
      const end = await cont(c);
      assert.deepStrictEqual(
        [end.body.reason, end.body.description, end.body.text],
        ['pause', 'End of scenario', 'finished at 40.011000 ms, 47 events, trace fc26c712c9c8ce60: PASS'],
      );
    });

    it('on the first statement stop there when the scenario starts (nothing has run yet)', async () => {
      const c = await adapter.open();
      let bps: DebugProtocol.Breakpoint[] = [];
      const stop = await c.launch({ program: KVM }, async () => {
        bps = await c.setLineBreakpoints(KVM, [{ line: 30 }]);
      });
      assert.deepStrictEqual(await where(c, stop), ['breakpoint', 2, [bps[0].id], 'guest.vcpu0:30']);
      assert.strictEqual(
        await c.evaluate('where', 'repl'),
        'step 0 of 0 recorded, 0.000000 ms, trace hash 811c9dc5050c5d1f',
      );
    });

    it('in the prelude (lib/linux.sflow) stop in the kernel-named proc on the VM that calls it', async () => {
      const c = await adapter.open();
      const line = lineOf(PRELUDE, 's2idle notify');
      let bps: DebugProtocol.Breakpoint[] = [];
      const stop = await c.launch({ program: RACE }, async () => {
        bps = await c.setLineBreakpoints(PRELUDE, [{ line }]);
      });
      assert.deepStrictEqual([bps[0].verified, bps[0].line], [true, line]);
      assert.deepStrictEqual(await where(c, stop), ['breakpoint', 2, [bps[0].id], `linux.s2idle_check:${line}`]);
      assert.strictEqual((await c.top(2)).source?.path, PRELUDE);
      // Stopped before the notification is written, at the moment it is (72.023 ms): the clock reads that moment.
      assert.strictEqual(await c.evaluate('now', 'watch', 1024), '72.023000 ms');
    });

    it('with a condition stop only where it holds', async () => {
      const c = await adapter.open();
      const file = writeScenario('loop.sflow', LOOP);
      const line = lineOf(file, 'set x1 = x1 + 1');
      const stop = await c.launch({ program: file }, async () => {
        await c.setLineBreakpoints(file, [{ line, condition: 'x1 == 3' }]);
      });
      assert.deepStrictEqual((await where(c, stop)).slice(0, 2), ['breakpoint', 2]);
      assert.strictEqual(await c.evaluate('x1', 'watch', 1024), '0x3');
      assert.strictEqual((await cont(c)).body.reason, 'pause');
      assert.strictEqual(await c.evaluate('x1', 'watch', 1024), '0x5');
    });

    it('with a hit count stop on the Nth hit (N, >=N, %N)', async () => {
      const file = writeScenario('loop.sflow', LOOP);
      const line = lineOf(file, 'set x1 = x1 + 1');
      const x1AtStops = async (hitCondition: string) => {
        const c = await adapter.open();
        let stop = await c.launch({ program: file }, async () => {
          await c.setLineBreakpoints(file, [{ line, hitCondition }]);
        });
        const seen: string[] = [];
        while (stop.body.reason === 'breakpoint') {
          seen.push(await c.evaluate('x1', 'watch', 1024));
          stop = await cont(c);
        }
        await c.close();
        return seen;
      };
      assert.deepStrictEqual(await x1AtStops('3'), ['0x2']);
      assert.deepStrictEqual(await x1AtStops('>=4'), ['0x3', '0x4']);
      assert.deepStrictEqual(await x1AtStops('>4'), ['0x4']);
      assert.deepStrictEqual(await x1AtStops('%2'), ['0x1', '0x3']);
      assert.deepStrictEqual(await x1AtStops(''), ['0x0', '0x1', '0x2', '0x3', '0x4']);
    });

    it('count hits on the timeline: stepping back over hits and running forward again stops at the same Nth hit', async () => {
      const file = writeScenario('loop.sflow', LOOP);
      const c = await adapter.open();
      let stop = await c.launch({ program: file }, async () => {
        await c.setLineBreakpoints(file, [{ line: lineOf(file, 'set x1 = x1 + 1'), hitCondition: '3' }]);
      });
      assert.strictEqual(stop.body.reason, 'breakpoint');
      assert.strictEqual(await c.evaluate('x1', 'watch', 1024), '0x2');
      // Back to the first hit, before the second and third.
      for (let i = 0; i < 4; i++) await c.stepAndStop('stepBack', { threadId: 2 });
      assert.strictEqual(await c.evaluate('x1', 'watch', 1024), '0x0');
      stop = await cont(c);
      assert.strictEqual(stop.body.reason, 'breakpoint', 'the third hit on the timeline is the same statement again');
      assert.strictEqual(await c.evaluate('x1', 'watch', 1024), '0x2');
      stop = await cont(c);
      assert.strictEqual(stop.body.reason, 'pause', 'no fourth stop: ==3 is met once');
      await c.close();
    });

    it('with a log message print it with its {expressions} and do not stop', async () => {
      const c = await adapter.open();
      const file = writeScenario('loop.sflow', LOOP);
      const stop = await c.launch({ program: file }, async () => {
        await c.setLineBreakpoints(file, [
          { line: lineOf(file, 'set x1 = x1 + 1'), logMessage: 'x1 is {x1} at {now}' },
        ]);
      });
      assert.deepStrictEqual([stop.body.reason, stop.body.description], ['pause', 'End of scenario']);
      const logs = c.drain<DebugProtocol.OutputEvent>('output').filter((e) => e.body.output.startsWith('x1 is'));
      assert.deepStrictEqual(
        logs.map((e) => [e.body.category, e.body.output]),
        [
          // `now` is the moment the statement runs: the loop's first pass at 1 us, then every 2 us.
          ['console', 'x1 is 0 at 1us\n'],
          ['console', 'x1 is 1 at 3us\n'],
          ['console', 'x1 is 2 at 5us\n'],
          ['console', 'x1 is 3 at 7us\n'],
          ['console', 'x1 is 4 at 9us\n'],
        ],
      );
    });

    it('with a broken condition or hit count are refused with the reason', async () => {
      const c = await adapter.open();
      const file = writeScenario('loop.sflow', LOOP);
      await c.launch({ program: file, stopOnEntry: true });
      const line = lineOf(file, 'set x1 = x1 + 1');
      const bps = await c.setLineBreakpoints(file, [
        { line, condition: 'x1 ==' },
        { line, condition: 'nosuch == 1' },
        { line, hitCondition: 'abc' },
        { line, condition: 'x1 == 1', hitCondition: '==1' },
      ]);
      assert.deepStrictEqual(
        bps.map((b) => b.verified),
        [false, false, false, true],
      );
      assert.match(bps[0].message!, /^condition: /);
      assert.strictEqual(bps[1].message, "condition: unknown name 'nosuch'");
      assert.strictEqual(bps[2].message, "hit count 'abc' is not a number, >N, >=N, ==N or %N");
      const stop = await cont(c);
      assert.deepStrictEqual(stop.body.hitBreakpointIds, [bps[3].id]);
      assert.strictEqual(await c.evaluate('x1', 'watch', 1024), '0x1');
    });

    it('cleared by an empty list', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      await c.setLineBreakpoints(KVM, [{ line: 37 }]);
      assert.deepStrictEqual(await c.setLineBreakpoints(KVM, []), []);
      const end = await cont(c);
      assert.deepStrictEqual(
        [end.body.description, end.body.text],
        ['End of scenario', 'finished at 40.011000 ms, 47 events, trace fc26c712c9c8ce60: PASS'],
      );
    });
  });

  describe('function breakpoints', () => {
    it('SYSTEM_SUSPEND, CPU_OFF and exit:WAKEUP stop on the vCPU concerned', async () => {
      const c = await adapter.open();
      let bps: DebugProtocol.Breakpoint[] = [];
      const first = await c.launch({ program: KVM }, async () => {
        bps = await c.setFunctionBreakpoints(['SYSTEM_SUSPEND', 'CPU_OFF', 'exit:WAKEUP']);
      });
      assert.deepStrictEqual(
        bps.map((b) => [b.verified, b.message]),
        [
          [true, 'stops on PSCI SYSTEM_SUSPEND'],
          [true, 'stops on PSCI CPU_OFF'],
          [true, 'stops on a WAKEUP exit to the VMM'],
        ],
      );
      const [suspend, cpuOff, wakeup] = bps.map((b) => b.id);
      assert.deepStrictEqual(await where(c, first), ['function breakpoint', 2, [suspend], 'guest.vcpu0:37']);
      assert.deepStrictEqual([first.body.description, first.body.text], ['Function breakpoint', 'PSCI SYSTEM_SUSPEND']);
      assert.deepStrictEqual(await where(c, await cont(c)), ['function breakpoint', 3, [cpuOff], 'guest.vcpu1:25']);
      assert.deepStrictEqual(await where(c, await cont(c, 3)), ['function breakpoint', 2, [suspend], 'guest.vcpu0:48']);
      const wake = await cont(c);
      assert.deepStrictEqual(await where(c, wake), ['function breakpoint', 2, [wakeup], 'resume · guest.vcpu0:53']);
      assert.strictEqual(wake.body.text, 'a WAKEUP exit to the VMM');
      assert.strictEqual(await c.evaluate('now', 'watch', 1024), '30.000000 ms');
      assert.strictEqual((await cont(c)).body.reason, 'pause');
    });

    it('psci stops before every PSCI call; a condition narrows it', async () => {
      const c = await adapter.open();
      const first = await c.launch({ program: KVM }, async () => {
        await c.setFunctionBreakpoints(['psci']);
      });
      assert.deepStrictEqual((await where(c, first)).slice(0, 2), ['function breakpoint', 2]);
      assert.strictEqual((await c.top(2)).line, 30);
      assert.strictEqual(first.body.text, 'any PSCI call');
      assert.deepStrictEqual(
        await c
          .setFunctionBreakpoints([{ name: 'psci', condition: 'vcpu1.power == OFF' }])
          .then((b) => b.map((x) => x.verified)),
        [true],
      );
      const off = await cont(c);
      assert.strictEqual((await where(c, off))[3], 'guest.vcpu0:42');
      assert.strictEqual(await c.evaluate('vcpu1.power', 'watch', 1024), 'OFF (1)');
      assert.strictEqual((await where(c, await cont(c)))[3], 'guest.vcpu0:48');
    });

    it('s2idle_notify, pmcsr and a proc name stop in the prelude on the guest vCPU', async () => {
      const c = await adapter.open();
      let bps: DebugProtocol.Breakpoint[] = [];
      const first = await c.launch({ program: RACE }, async () => {
        bps = await c.setFunctionBreakpoints(['s2idle_notify', 'pmcsr', 'linux.dpm_resume']);
      });
      const [notify, pmcsr, proc] = bps.map((b) => b.id);
      assert.deepStrictEqual(
        bps.map((b) => b.message),
        [
          'stops on a write to the s2idle notify register',
          'stops on a PMCSR write',
          'stops on entering proc linux.dpm_resume',
        ],
      );
      assert.deepStrictEqual(await where(c, first), [
        'function breakpoint',
        2,
        [pmcsr],
        `linux.dpm_suspend_noirq:${lineOf(PRELUDE, 'pci write dev pmcsr.state = D3hot')}`,
      ]);
      assert.deepStrictEqual(await where(c, await cont(c)), [
        'function breakpoint',
        2,
        [notify],
        `linux.s2idle_check:${lineOf(PRELUDE, 's2idle notify')}`,
      ]);
      assert.deepStrictEqual(await where(c, await cont(c)), [
        'function breakpoint',
        2,
        [pmcsr],
        `linux.dpm_resume_noirq:${lineOf(PRELUDE, 'pci write dev pmcsr.state = D0')}`,
      ]);
      // The race's violation comes before dpm_resume (exception filters are on by default).
      assert.strictEqual((await cont(c)).body.reason, 'exception');
      assert.deepStrictEqual(await where(c, await cont(c, 1)), [
        'function breakpoint',
        2,
        [proc],
        `linux.dpm_resume:${lineOf(PRELUDE, 'proc linux.dpm_resume {') + 1}`,
      ]);
    });

    it('pmcsr:DEVICE and pmcsr:DEVICE:STATE stop only on that device and that requested state', async () => {
      const c = await adapter.open();
      let bps: DebugProtocol.Breakpoint[] = [];
      const first = await c.launch({ program: VFIO_D3HOT }, async () => {
        bps = await c.setFunctionBreakpoints(['pmcsr:gpu:D0', 'pmcsr:nic', 'pmcsr:gpu:D3hot']);
      });
      const [gpuD0, nic, gpuD3hot] = bps.map((b) => b.id);
      assert.deepStrictEqual(
        bps.map((b) => b.message),
        [
          'stops on a PMCSR write to gpu asking for D0',
          'stops on a PMCSR write to nic',
          'stops on a PMCSR write to gpu asking for D3hot',
        ],
      );
      // `pci write nic pmcsr.pme_en = 1` writes PMCSR without asking for a power state: not a stop.
      assert.deepStrictEqual(await where(c, first), ['function breakpoint', 2, [nic], 'guest.vcpu0:31']);
      const d3hot = await cont(c);
      assert.deepStrictEqual(await where(c, d3hot), ['function breakpoint', 2, [gpuD3hot], 'guest.vcpu0:32']);
      assert.strictEqual(d3hot.body.text, 'a PMCSR write to gpu asking for D3hot');
      assert.strictEqual(await c.evaluate('gpu.pmcsr.state', 'watch', 1024), 'D0 (0)', 'stopped before the write');
      assert.deepStrictEqual(await where(c, await cont(c)), ['function breakpoint', 2, [nic], 'guest.vcpu0:36']);
      assert.deepStrictEqual(await where(c, await cont(c)), ['function breakpoint', 2, [gpuD0], 'guest.vcpu0:37']);
      assert.strictEqual(await c.evaluate('gpu.pmcsr.state', 'watch', 1024), 'D3hot (3)');
      assert.strictEqual((await cont(c)).body.reason, 'pause');
    });

    it('unknown names are unverified with a message that says what exists', async () => {
      const c = await adapter.open();
      await c.launch({ program: RACE, stopOnEntry: true });
      const bps = await c.setFunctionBreakpoints([
        'nosuch',
        'SYSTEM_SUSPNED',
        'pmcsr:gpu0',
        'pmcsr:pt0:D4',
        'exit:FOO',
        { name: 'psci', condition: 'x0 ==' },
      ]);
      assert.deepStrictEqual(
        bps.map((b) => b.verified),
        [false, false, false, false, false, false],
      );
      const [unknown, typo, device, state, exit, condition] = bps.map((b) => b.message!);
      assert.match(
        unknown,
        /^no function breakpoint 'nosuch'; it can be a PSCI function \(SYSTEM_SUSPEND, CPU_OFF, CPU_ON, \.\.\.\), psci, s2idle_notify, pmcsr, pmcsr:pt0 /,
      );
      assert.ok(unknown.includes('exit:SUSPEND, exit:WAKEUP, exit:SHUTDOWN, exit:RESET, exit:MMIO'), unknown);
      assert.ok(unknown.includes('or a proc: linux.pm_suspend, '), unknown);
      assert.ok(unknown.includes('linux.s2idle_enter'), unknown);
      assert.match(typo, /^no function breakpoint 'SYSTEM_SUSPNED' \(did you mean 'SYSTEM_SUSPEND'\?\)/);
      assert.strictEqual(device, "no device 'gpu0'; devices: pt0");
      assert.strictEqual(state, "'D4' is not a PMCSR PowerState: D0, D1, D2 or D3hot");
      assert.strictEqual(exit, "no VMM exit 'FOO'; exits: SUSPEND, WAKEUP, SHUTDOWN, RESET, MMIO");
      assert.match(condition, /^condition: /);
      // None of them stops anything: the race runs to its violation.
      assert.strictEqual((await cont(c, 1)).body.reason, 'exception');
    });
  });

  describe('data breakpoints', () => {
    it('on a PMCSR PowerState field from the variables view stop after each change, on the writing vCPU', async () => {
      const c = await adapter.open();
      await c.launch({ program: VFIO_D3HOT, stopOnEntry: true });
      const devices = await c.scope(1024, 'Devices');
      const pmcsr = await c.variable(devices.variablesReference, 'gpu', 'config space', 'pmcsr');
      const info = await c.ok<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', {
        variablesReference: pmcsr.variablesReference,
        name: 'state',
      });
      assert.deepStrictEqual(info.body, {
        dataId: 'guest.gpu.config.pmcsr.state',
        description: 'guest.gpu.config.pmcsr.state',
        accessTypes: ['write', 'readWrite'],
        canPersist: true,
      });
      const set = await c.ok<DebugProtocol.SetDataBreakpointsResponse>('setDataBreakpoints', {
        breakpoints: [{ dataId: info.body.dataId, accessType: 'write' }],
      });
      assert.deepStrictEqual(
        set.body.breakpoints.map((b) => [b.verified, b.message]),
        [[true, 'on change of guest.gpu.config.pmcsr.state']],
      );
      const id = set.body.breakpoints[0].id!;
      const d3 = await cont(c);
      assert.deepStrictEqual(await where(c, d3), ['data breakpoint', 2, [id], 'guest.vcpu0:33']);
      assert.deepStrictEqual(
        [d3.body.description, d3.body.text],
        ['Data breakpoint', 'guest.gpu.config.pmcsr.state: 0 -> 3'],
      );
      assert.strictEqual(await c.evaluate('gpu.pmcsr.state', 'watch', 1024), 'D3hot (3)');
      const d0 = await cont(c);
      assert.deepStrictEqual(await where(c, d0), ['data breakpoint', 2, [id], 'guest.vcpu0:39']);
      assert.strictEqual(d0.body.text, 'guest.gpu.config.pmcsr.state: 3 -> 0');
      assert.strictEqual((await cont(c)).body.reason, 'pause');
    });

    it('on a vCPU register: write breaks on change, readWrite on every write', async () => {
      const file = writeScenario('data.sflow', DATA);
      const stops = async (accessType: string) => {
        const c = await adapter.open();
        await c.launch({ program: file, stopOnEntry: true });
        const regs = await c.scope(2048, 'Registers');
        const info = await c.ok<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', {
          variablesReference: regs.variablesReference,
          name: 'x3',
        });
        assert.strictEqual(info.body.dataId, 'guest.vcpu1.x3');
        await c.ok('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType }] });
        const seen: string[] = [];
        let stop = await cont(c);
        while (stop.body.reason === 'data breakpoint') {
          assert.strictEqual(stop.body.threadId, 3);
          seen.push(`${stop.body.text} @${(await c.top(3)).line}`);
          stop = await cont(c, 3);
        }
        await c.close();
        return seen;
      };
      const line = (n: number) => lineOf(file, 'set x3 =') + n;
      assert.deepStrictEqual(await stops('write'), [
        `guest.vcpu1.x3: 0 -> 1 @${line(1)}`,
        `guest.vcpu1.x3: 1 -> 2 @${line(3)}`,
      ]);
      assert.deepStrictEqual(await stops('readWrite'), [
        `guest.vcpu1.x3: 0 -> 1 @${line(1)}`,
        `guest.vcpu1.x3: 1 -> 1 @${line(2)}`,
        `guest.vcpu1.x3: 1 -> 2 @${line(3)}`,
      ]);
    });

    it('on guest-physical memory (asAddress, bytes) break on a change of those bytes only', async () => {
      const c = await adapter.open();
      const file = writeScenario('data.sflow', DATA);
      await c.launch({ program: file, stopOnEntry: true });
      const word = await c.ok<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', {
        name: '0x40100000',
        asAddress: true,
        bytes: 4,
      });
      assert.deepStrictEqual(word.body, {
        dataId: 'mem:guest:0x40100000:4',
        description: '4 bytes at 0x40100000',
        accessTypes: ['write', 'readWrite'],
      });
      const high = await c.ok<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', {
        name: '0x40100002',
        asAddress: true,
        bytes: 2,
      });
      assert.strictEqual(high.body.dataId, 'mem:guest:0x40100002:2');
      const set = await c.ok<DebugProtocol.SetDataBreakpointsResponse>('setDataBreakpoints', {
        breakpoints: [
          { dataId: word.body.dataId, accessType: 'write' },
          { dataId: high.body.dataId, accessType: 'write' },
        ],
      });
      assert.deepStrictEqual(
        set.body.breakpoints.map((b) => b.message),
        ['on change of guest 0x40100000 (4 bytes)', 'on change of guest 0x40100002 (2 bytes)'],
      );
      const [wordId] = set.body.breakpoints.map((b) => b.id!);
      const first = await cont(c);
      assert.deepStrictEqual(await where(c, first), [
        'data breakpoint',
        2,
        [wordId],
        `guest.vcpu0:${lineOf(file, 'set x1 = 5')}`,
      ]);
      assert.strictEqual(first.body.text, 'guest 0x40100000 (4 bytes): 0 -> 0x1234');
      // The same value written again is no change; 0x99 changes the low bytes only.
      const second = await cont(c);
      assert.deepStrictEqual(await where(c, second), [
        'data breakpoint',
        2,
        [wordId],
        `guest.vcpu0:${lineOf(file, 'halt')}`,
      ]);
      assert.strictEqual(second.body.text, 'guest 0x40100000 (4 bytes): 0x1234 -> 153');
      assert.strictEqual((await cont(c)).body.reason, 'pause');
    });

    it('an address watch with readWrite stops on every write, also of the same value', async () => {
      const c = await adapter.open();
      const file = writeScenario('data.sflow', DATA);
      await c.launch({ program: file, stopOnEntry: true });
      await c.ok('setDataBreakpoints', {
        breakpoints: [{ dataId: 'mem:guest:0x40100000:4', accessType: 'readWrite' }],
      });
      const lines: number[] = [];
      let stop = await cont(c);
      while (stop.body.reason === 'data breakpoint') {
        lines.push((await c.top(2)).line);
        stop = await cont(c);
      }
      assert.deepStrictEqual(lines, [lineOf(file, 'set x1 = 5'), lineOf(file, 'set x1 = 5') + 2, lineOf(file, 'halt')]);
    });

    it('names that cannot be watched get no dataId; bad dataIds are unverified', async () => {
      const c = await adapter.open();
      await c.launch({ program: VFIO_D3HOT, stopOnEntry: true });
      const power = await c.scope(1024, 'Power');
      const run = await c.ok<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', {
        variablesReference: power.variablesReference,
        name: 'run',
      });
      assert.deepStrictEqual(run.body, { dataId: null, description: "'run' cannot be watched" });
      const notAddress = await c.ok<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', {
        name: 'gpu',
        asAddress: true,
      });
      assert.deepStrictEqual(notAddress.body, { dataId: null, description: "'gpu' is not an address" });
      const byName = await c.ok<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', {
        name: 'guest.gpu.pmcsr.state',
      });
      assert.strictEqual(byName.body.dataId, 'guest.gpu.pmcsr.state');
      const set = await c.ok<DebugProtocol.SetDataBreakpointsResponse>('setDataBreakpoints', {
        breakpoints: [{ dataId: 'x0 +' }, { dataId: 'mem:nosuch:0x10:4' }, { dataId: 'mem:guest:0x10:9' }],
      });
      assert.deepStrictEqual(
        set.body.breakpoints.map((b) => [b.verified, b.message]),
        [
          [false, set.body.breakpoints[0].message],
          [false, "no VM 'nosuch'"],
          [false, 'a memory watch covers 1 to 8 bytes'],
        ],
      );
      assert.ok((set.body.breakpoints[0].message ?? '').length > 0);
    });
  });

  describe('exception breakpoints', () => {
    it('the s2idle notify race stops on the running vCPU it names, with host-suspended-while-guest-running; exceptionInfo tells the story', async () => {
      const c = await adapter.open();
      const stop = await c.launch({ program: RACE });
      const message = 'Host suspended while a guest vCPU is running: the host suspended while vm0.vcpu0 was running';
      // The host's suspend broke the rule, but the thread shown is the vCPU it names; the host's frame names the
      // violation.
      assert.deepStrictEqual(
        [stop.body.reason, stop.body.threadId, stop.body.description, stop.body.text],
        ['exception', 2, 'Violation', message],
      );
      assert.strictEqual((await c.top(1)).name, `host: ${message}`);
      const info = await c.ok<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 2 });
      assert.strictEqual(info.body.exceptionId, 'host-suspended-while-guest-running');
      assert.strictEqual(info.body.description, message);
      assert.strictEqual(info.body.breakMode, 'always');
      const story = info.body.details!.stackTrace!;
      assert.match(story, /^The host completed its suspend while a guest vCPU was executing instead of idle/);
      const led = story
        .split('What led to it:\n')[1]
        .split('\n')
        .map((l) => l.trim());
      assert.deepStrictEqual(led[0], '72.023000 ms  vm0.vcpu0: s2idle notification #1');
      assert.ok(led.includes('72.023000 ms  host: host running -> suspending: vm0 notified s2idle'));
      assert.ok(led.includes('72.500000 ms  vm0.vcpu0: irq 40 wakes the vCPU from WFI'));
      assert.strictEqual(
        led[led.length - 1],
        '73.023000 ms  host: host suspending -> suspended: suspend complete: guests frozen',
      );
      assert.strictEqual(await c.evaluate('explain', 'repl'), `${message}\n\n${story}`);
      assert.strictEqual(await c.evaluate('host.state', 'hover'), 'suspended (2)');
    });

    it('with the filters off the race runs to its end', async () => {
      const c = await adapter.open();
      const stop = await c.launch({ program: RACE }, async () => {
        const r = await c.ok<DebugProtocol.SetExceptionBreakpointsResponse>('setExceptionBreakpoints', { filters: [] });
        assert.deepStrictEqual(r.body!.breakpoints, []);
      });
      assert.deepStrictEqual(
        [stop.body.description, stop.body.text],
        [
          'End of scenario',
          'finished at 501.012000 ms, 40 events, trace 4ae2b8de371e96a4, expected violation host-suspended-while-guest-running shown: PASS',
        ],
      );
      assert.match(await c.fails('exceptionInfo', { threadId: 1 }), /not stopped on an exception/);
    });

    it('D3cold promotion: mmio-to-sleeping-bar, then no-soft-reset-context-lost, each on the guest vCPU', async () => {
      const c = await adapter.open();
      const first = await c.launch({ program: D3COLD }, async () => {
        const r = await c.ok<DebugProtocol.SetExceptionBreakpointsResponse>('setExceptionBreakpoints', {
          filters: ['no-soft-reset-context-lost', 'mmio-to-sleeping-bar', 'bogus'],
        });
        assert.deepStrictEqual(
          r.body!.breakpoints!.map((b) => [b.verified, b.message]),
          [
            [true, undefined],
            [true, undefined],
            [false, "no exception filter 'bogus'"],
          ],
        );
      });
      assert.deepStrictEqual([first.body.reason, first.body.threadId], ['exception', 2]);
      assert.deepStrictEqual(
        [first.body.description, first.body.text],
        ['Violation', 'MMIO to a BAR of a function in D1/D2/D3: read of 0xe0000010 (gpu) while it is in D3cold'],
      );
      const info = await c.ok<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 2 });
      assert.strictEqual(info.body.exceptionId, 'mmio-to-sleeping-bar');
      assert.ok(info.body.details!.stackTrace!.includes('guest: gpu: vfio promotes D3hot to D3cold'));
      assert.ok(
        info.body.details!.stackTrace!.endsWith(
          'guest.vcpu0: MMIO read 32-bit 0xe0000010 -> 0xffffffff [gpu BAR0+0x10 (in D3cold: config space only)] blocked',
        ),
      );
      const second = await cont(c);
      assert.deepStrictEqual([second.body.reason, second.body.threadId], ['exception', 2]);
      assert.match(
        second.body.text!,
        /^Context lost on a function that reports No_Soft_Reset: gpu lost its state \(D3cold promotion/,
      );
      assert.strictEqual(
        (await c.ok<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 2 })).body.exceptionId,
        'no-soft-reset-context-lost',
      );
      assert.strictEqual((await cont(c)).body.reason, 'pause');
    });

    it('expect-failed stops on the failed expectation', async () => {
      const c = await adapter.open();
      const stop = await c.launch({ program: writeScenario('failing.sflow', FAILING) });
      assert.deepStrictEqual(
        [stop.body.reason, stop.body.threadId, stop.body.description, stop.body.text],
        ['exception', 2, 'Expectation failed', 'expectation failed: x1 is three'],
      );
      const info = await c.ok<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 2 });
      assert.strictEqual(info.body.exceptionId, 'expect-failed');
      assert.strictEqual(
        info.body.details!.stackTrace,
        '`expect x1 == 3` did not hold.\n\nWhat led to it:\n     0.001000 ms  guest.vcpu0: EXPECTATION FAILED: x1 is three',
      );
    });

    it('psci-error (off by default) stops when a PSCI call returns an error', async () => {
      const off = await adapter.open();
      assert.strictEqual((await off.launch({ program: KVM })).body.reason, 'pause');
      const c = await adapter.open();
      const stop = await c.launch({ program: KVM }, async () => {
        await c.ok('setExceptionBreakpoints', { filters: ['psci-error'] });
      });
      assert.deepStrictEqual(
        [stop.body.reason, stop.body.threadId, stop.body.description, stop.body.text],
        ['exception', 2, 'PSCI error', 'SYSTEM_SUSPEND returned DENIED'],
      );
      assert.strictEqual((await c.top(2)).line, 38);
      assert.strictEqual(await c.evaluate('x0 == DENIED', 'watch', 1024), 'true');
      const info = await c.ok<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 2 });
      assert.strictEqual(info.body.exceptionId, 'psci-error');
      assert.ok(info.body.details!.stackTrace!.endsWith('guest.vcpu0: SYSTEM_SUSPEND returned DENIED (-3)'));
      assert.ok(info.body.details!.stackTrace!.includes('guest.vcpu0: VMM answers SUSPEND with confirm: DENIED'));
    });
  });
});
