// What a person meets in the debugger, through the protocol: no notification for a failed hover or watch, the stop
// shown on a vCPU with code, the world at the moment a stopped statement runs, expressions that work from any frame,
// short stop badges, frame names, a short list of exception filters, and the prelude served read-only.

import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { nodeHost, startServer } from '../../src/adapter/main';
import { ADAPTER, Client, PRELUDE, example, forEachTransport, lineOf } from './helpers';

const KVM = example('kvm-system-suspend.sflow');
const RACE = example('s2idle-notify-race.sflow');
const FIXED = example('s2idle-notify-fixed.sflow');

/** The error object of a failed response: whether it asks the client to show a notification. */
async function errorOf(c: Client, command: string, args: unknown): Promise<DebugProtocol.Message | undefined> {
  const r = await c.raw(command, args);
  assert.strictEqual(r.success, false, `${command} should fail`);
  return (r.body as { error?: DebugProtocol.Message } | undefined)?.error;
}

forEachTransport('the debugger as a person meets it', (adapter) => {
  describe('failed evaluations never ask for a notification', () => {
    it('in hovers, watches and the console, and for Set Value; a failed launch still does', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      for (const context of ['hover', 'watch', 'repl', 'clipboard']) {
        const error = await errorOf(c, 'evaluate', { expression: 'nosuch', context, frameId: 1024 });
        assert.deepStrictEqual([error?.format, error?.showUser], ["unknown name 'nosuch'", false], context);
      }
      const regs = (await c.scope(1024, 'Registers')).variablesReference;
      assert.strictEqual(
        (await errorOf(c, 'setVariable', { variablesReference: regs, name: 'mpidr', value: '1' }))?.showUser,
        false,
      );
      const other = await adapter.open();
      await other.initialize();
      assert.strictEqual((await errorOf(other, 'launch', { program: '/nonexistent.sflow' }))?.showUser, true);
    });
  });

  describe('the thread a stop shows', () => {
    it('is a vCPU with code: on entry when the host acts first, after stepping back on the host, at the start of history', async () => {
      const c = await adapter.open();
      const entry = await c.launch({ program: FIXED, stopOnEntry: true });
      assert.deepStrictEqual([entry.body.reason, entry.body.threadId], ['entry', 2]);
      assert.strictEqual((await c.top(2)).line, lineOf(FIXED, 'irq enable 40 wake'));
      // Stepping into from the host enters the guest.
      const into = await c.stepAndStop('stepIn', { threadId: 1 });
      assert.deepStrictEqual([into.body.reason, into.body.threadId], ['step', 2]);
      await c.stepAndStop('next', { threadId: 2 });
      const back = await c.stepAndStop('stepBack', { threadId: 1 });
      assert.strictEqual(back.body.threadId, 2, 'a step back on the host shows the guest');
      const start = await c.stepAndStop('reverseContinue', { threadId: 1 });
      assert.deepStrictEqual(
        [start.body.reason, start.body.threadId, start.body.description],
        ['entry', 2, 'Start of scenario'],
      );
    });

    it('steps over on the host stay on the host, whose frame is the scenario line of its next action', async () => {
      const c = await adapter.open();
      await c.launch({ program: FIXED, stopOnEntry: true });
      const host = await c.stepAndStop('next', { threadId: 1 });
      assert.deepStrictEqual([host.body.reason, host.body.threadId], ['step', 1]);
      const [frame] = await c.frames(1);
      assert.deepStrictEqual([frame.source?.path, frame.line], [FIXED, lineOf(FIXED, 'at 72.5ms: irq 40')]);
    });

    it('a host with nothing queued has a frame presented as a label, not an unknown source at line 0', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM });
      const [frame] = await c.frames(1);
      assert.deepStrictEqual([frame.name, frame.source, frame.presentationHint], ['host: idle', undefined, 'label']);
    });

    it('every step, step back and jump says all threads moved, so a client drops the reasons the others stopped for', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      for (const [command, args] of [
        ['next', { threadId: 2 }],
        ['stepIn', { threadId: 3 }],
        ['stepBack', { threadId: 2 }],
        ['reverseContinue', { threadId: 2 }],
      ] as const) {
        c.drain('continued');
        await c.stepAndStop(command, args);
        const continued = c.drain<DebugProtocol.ContinuedEvent>('continued');
        assert.deepStrictEqual(
          continued.map((e) => e.body.allThreadsContinued),
          [true],
          command,
        );
      }
    });
  });

  describe('the world at a stop is the world when the stopped statement runs', () => {
    it('at SYSTEM_SUSPEND after the 10 ms D3hot wait: now, where and a condition on now agree', async () => {
      const c = await adapter.open();
      const stop = await c.launch({ program: KVM }, async () => {
        await c.setFunctionBreakpoints([{ name: 'SYSTEM_SUSPEND', condition: 'now >= 10ms' }]);
      });
      assert.deepStrictEqual(
        [stop.body.reason, (await c.top(2)).line],
        ['function breakpoint', lineOf(KVM, 'psci SYSTEM_SUSPEND entry=resume')],
      );
      assert.strictEqual(await c.evaluate('now', 'watch', 1024), '10.005000 ms');
      assert.strictEqual(await c.evaluate('now', 'watch', 2048), '10.005000 ms', 'the same for every thread');
      assert.strictEqual((await c.ok('where')).body.time, '10.005000 ms');
      const host = await c.tree((await c.scope(1024, 'Host')).variablesReference);
      assert.strictEqual(host.find((v) => v.name === 'time')?.value, '10.005000 ms');
    });
  });

  describe('expressions work from any frame', () => {
    it('names unambiguous in the world evaluate from the host frame and with no frame; registers say they need a vCPU', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM }, async () => {
        await c.setFunctionBreakpoints(['SYSTEM_SUSPEND']);
      });
      for (const frameId of [0, undefined]) {
        assert.strictEqual(await c.evaluate('net0.pmcsr.state', 'hover', frameId), 'D3hot (3)');
        assert.strictEqual(await c.evaluate('vcpu1.power', 'watch', frameId), 'ON (0)');
        assert.strictEqual(await c.evaluate('now', 'repl', frameId), '10.005000 ms');
        assert.strictEqual(await c.evaluate('host.state', 'hover', frameId), 'running (0)');
      }
      assert.match(
        await c.fails('evaluate', { expression: 'x0', context: 'hover', frameId: 0 }),
        /^x0 is a register of a vCPU: select a vCPU in the Call Stack, or write guest\.vcpu0\.x0/,
      );
    });

    it('a device, a VM or the host alone is its Variables-view node, expandable', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM }, async () => {
        await c.setFunctionBreakpoints(['SYSTEM_SUSPEND']);
      });
      const net0 = await c.ok<DebugProtocol.EvaluateResponse>('evaluate', {
        expression: 'net0',
        context: 'hover',
        frameId: 0,
      });
      assert.strictEqual(net0.body.result, 'virtio-net at 00:01.0, D3hot, BARs not decoded');
      const children = await c.variables(net0.body.variablesReference);
      assert.deepStrictEqual(
        children.slice(0, 2).map((v) => [v.name, v.value]),
        [
          ['power state', 'D3hot (3)'],
          ['BARs decode', 'false'],
        ],
      );
      const vm = await c.ok<DebugProtocol.EvaluateResponse>('evaluate', {
        expression: 'guest',
        context: 'watch',
        frameId: 1024,
      });
      assert.ok((await c.variables(vm.body.variablesReference)).some((v) => v.name === 'vcpu1'));
      const host = await c.ok<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'host', context: 'repl' });
      assert.ok(host.body.variablesReference > 0);
    });
  });

  describe('labels in the Call Stack', () => {
    it("frames are named after the label and the vCPU running it: vcpu1 started in vcpu0's block is not called guest.vcpu0", async () => {
      const c = await adapter.open();
      const stop = await c.launch({ program: KVM }, async () => {
        await c.setLineBreakpoints(KVM, [{ line: lineOf(KVM, 'expect x0 == 1') }]);
      });
      assert.deepStrictEqual([stop.body.threadId, stop.body.description], [3, 'Breakpoint']);
      assert.strictEqual((await c.top(3)).name, 'secondary · guest.vcpu1');
      assert.strictEqual((await c.top(2)).name, 'resume · guest.vcpu0');
    });
  });

  describe('exception filters', () => {
    it('invariants are one filter; its condition names the ones to stop on, an unknown name is refused with a suggestion', async () => {
      const only = async (condition: string) => {
        const c = await adapter.open();
        let result: DebugProtocol.Breakpoint[] = [];
        const stop = await c.launch({ program: RACE }, async () => {
          result = (
            await c.ok<DebugProtocol.SetExceptionBreakpointsResponse>('setExceptionBreakpoints', {
              filters: [],
              filterOptions: [{ filterId: 'invariant', condition }, { filterId: 'expect-failed' }],
            })
          ).body!.breakpoints!;
        });
        await c.close();
        return {
          verified: result.map((b) => b.verified),
          message: result[0].message,
          stop: [stop.body.reason, stop.body.description],
        };
      };
      assert.deepStrictEqual(await only(''), {
        verified: [true, true],
        message: undefined,
        stop: ['exception', 'Violation'],
      });
      assert.deepStrictEqual(await only('host-suspended-while-guest-running'), {
        verified: [true, true],
        message: undefined,
        stop: ['exception', 'Violation'],
      });
      assert.deepStrictEqual(await only('mmio-to-sleeping-bar, suspend-with-vcpu-on'), {
        verified: [true, true],
        message: undefined,
        stop: ['pause', 'End of scenario'],
      });
      const typo = await only('host-suspended-while-guest-runing');
      assert.deepStrictEqual(typo.verified, [false, true]);
      assert.strictEqual(
        typo.message,
        "no invariant 'host-suspended-while-guest-runing'; did you mean 'host-suspended-while-guest-running'?",
      );
    });
  });
});

describe('the prelude shown read-only under a URI the editor serves (tcp)', () => {
  let server: net.Server;
  let client: Client;
  before(async () => {
    server = await startServer(0, nodeHost(undefined, undefined, 'sflow-prelude:/'));
  });
  after(async () => {
    await client?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('frames in the prelude point at sflow-prelude:/linux.sflow, and breakpoints set there are hit', async () => {
    const dc = new DebugClient('node', ADAPTER, 'suspend-flow');
    client = new Client(dc, 'tcp');
    await dc.start((server.address() as net.AddressInfo).port);
    const line = lineOf(PRELUDE, 's2idle notify');
    let bps: DebugProtocol.Breakpoint[] = [];
    const stop = await client.launch({ program: RACE }, async () => {
      bps = (
        await client.ok<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', {
          source: { path: 'sflow-prelude:/linux.sflow' },
          breakpoints: [{ line }],
        })
      ).body.breakpoints;
    });
    assert.deepStrictEqual(
      [bps[0].verified, stop.body.reason, stop.body.hitBreakpointIds],
      [true, 'breakpoint', [bps[0].id]],
    );
    const [top] = await client.frames(2);
    assert.deepStrictEqual(
      [top.name, top.source?.name, top.source?.path, !top.source?.sourceReference, top.line],
      ['linux.s2idle_check', 'linux.sflow', 'sflow-prelude:/linux.sflow', true, line],
    );
    assert.ok(fs.existsSync(PRELUDE));
  });
});
