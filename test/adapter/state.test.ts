// State over DAP: scopes per frame, the variables tree (registers, power, interrupts, devices decoded field by
// field, host, trace), setVariable through the simulator's rules, readMemory/writeMemory, evaluate in every context
// with the console commands, completions, and the invalidated and memory events.

import * as assert from 'assert';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Client, example, forEachTransport, lineOf, writeScenario } from './helpers';
import { VCPU_FIELDS } from '../../src/lang/domain/vcpu';

const KVM = example('kvm-system-suspend.sflow');

const DEVICES = `vm guest {
  hypervisor kvm
  vcpus 2
  device gpu pci at 00:02.0 irq 50
  device keep pci at 00:03.0 irq 51 { no_soft_reset true }
  device net0 virtio-net at 00:01.0 irq 33
}
guest.vcpu1 {
  set x3 = 1
}
guest.vcpu0 {
  pci write gpu bar0 = 0xe0000000
  pci write gpu command.memory = 1
  pci write keep bar0 = 0xe1000000
  pci write keep command.memory = 1
  mmio write 0xe0000010 = 0xabcd
  mmio write 0x40100000 = 0x1234
  set x1 = 5
  halt
}
`;

function b64(bytes: number[]): string {
  return Buffer.from(bytes).toString('base64');
}

function bytesOf(r: DebugProtocol.ReadMemoryResponse): number[] {
  return [...Buffer.from(r.body?.data ?? '', 'base64')];
}

/** Stops the DEVICES scenario at `set x1 = 5` (everything before it done). */
async function atDevices(c: Client): Promise<string> {
  const file = writeScenario('devices.sflow', DEVICES);
  const stop = await c.launch({ program: file }, async () => {
    await c.setLineBreakpoints(file, [{ line: lineOf(file, 'set x1 = 5') }]);
  });
  assert.deepStrictEqual([stop.body.reason, stop.body.threadId], ['breakpoint', 2]);
  return file;
}

forEachTransport('state', (adapter) => {
  describe('scopes and variables', () => {
    it('a vCPU frame has Registers, Power, Interrupts, Devices, Host and Trace; the host frame has Host, each VM and Trace', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM }, async () => {
        await c.setLineBreakpoints(KVM, [{ line: 38 }]);
      });
      const scopes = await c.scopes(1024);
      assert.deepStrictEqual(
        scopes.map((s) => [s.name, s.expensive, s.presentationHint]),
        [
          ['Registers', false, 'registers'],
          ['Power', false, undefined],
          ['Interrupts', false, undefined],
          ['Devices', true, undefined],
          ['Host', false, undefined],
          ['Trace', true, undefined],
        ],
      );
      assert.strictEqual(new Set(scopes.map((s) => s.variablesReference)).size, 6);
      const host = await c.scopes(0);
      assert.deepStrictEqual(
        host.map((s) => s.name),
        ['Host', 'guest', 'Trace'],
      );
      const guest = await c.variables(host[1].variablesReference);
      assert.deepStrictEqual(
        guest.map((v) => [v.name, v.value]),
        [
          ['state', 'running'],
          ['vcpu0', 'ON running'],
          ['vcpu1', 'ON wait-signal'],
          ['Interrupts', '0 pending'],
          ['Devices', '1 function'],
          ['signals', '1'],
        ],
      );
      assert.strictEqual(guest[1].type, `pc 0x40080018 (${KVM}:38)`);
      assert.match(await c.fails('scopes', { frameId: 99 * 1024 }), /^no frame 101376/);
    });

    it('Registers: x0..x30, sp, pc, pstate decoded, mpidr; PSCI return codes named; evaluateName and memoryReference', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM }, async () => {
        await c.setLineBreakpoints(KVM, [{ line: 38 }]);
      });
      const regs = await c.variables((await c.scope(1024, 'Registers')).variablesReference);
      assert.deepStrictEqual(
        regs.map((r) => r.name),
        [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'pstate', 'mpidr'],
      );
      const byName = Object.fromEntries(regs.map((r) => [r.name, r]));
      assert.strictEqual(byName.x0.value, '0xfffffffffffffffd (DENIED)');
      assert.strictEqual(byName.x0.evaluateName, 'guest.vcpu0.x0');
      assert.strictEqual(byName.x1.value, '0x40080044', 'SYSTEM_SUSPEND entry');
      assert.strictEqual(byName.x2.value, '0xc0ffee', 'SYSTEM_SUSPEND context id');
      assert.strictEqual(byName.x2.memoryReference, 'guest:0xc0ffee');
      assert.strictEqual(byName.pc.value, '0x40080018');
      assert.strictEqual(byName.x30.type, 'general-purpose register x30 (the link register)');
      assert.strictEqual(byName.pstate.value, 'EL1h DAIF=- MMU on');
      const pstate = await c.variables(byName.pstate.variablesReference);
      assert.deepStrictEqual(
        pstate.map((v) => [v.name, v.value, v.evaluateName]),
        [
          ['el', '1', 'guest.vcpu0.el'],
          ['daif', '0x0 (-)', 'guest.vcpu0.daif'],
          ['mmu', '1 (on)', 'guest.vcpu0.mmu'],
        ],
      );
      assert.strictEqual(byName.mpidr.value, '0x80000000');
      const regs1 = await c.variables((await c.scope(2048, 'Registers')).variablesReference);
      assert.strictEqual(regs1.find((r) => r.name === 'mpidr')!.value, '0x80000001');
      assert.strictEqual(regs1[0].evaluateName, 'guest.vcpu1.x0');
    });

    it('Power, Interrupts, Host and Trace show the machine at the stop', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM }, async () => {
        await c.setLineBreakpoints(KVM, [{ line: 38 }]);
      });
      const power = await c.tree((await c.scope(1024, 'Power')).variablesReference);
      assert.deepStrictEqual(
        power.map((v) => [v.name, v.value]),
        [
          ['power', 'ON (0)'],
          ['mp_state', 'RUNNABLE (0)'],
          ['run', 'running'],
          ['ready at', '10.006000 ms'],
          ['pending exit', 'none'],
          ['pending wake-ups', 'none'],
          ['statements executed', '6'],
          ['call stack', '1'],
        ],
      );
      const power1 = await c.tree((await c.scope(2048, 'Power')).variablesReference);
      assert.strictEqual(power1.find((v) => v.name === 'run')?.value, 'wait-signal');
      const irqs = await c.tree((await c.scope(1024, 'Interrupts')).variablesReference);
      assert.deepStrictEqual(irqs, [
        {
          name: 'irq 33',
          value: 'enabled, wake-armed',
          children: [
            { name: 'enabled', value: 'true' },
            { name: 'pending', value: 'false' },
            { name: 'wake-armed', value: 'true', type: 'enable_irq_wake: stays armed across suspend' },
            { name: 'target', value: 'vcpu0' },
          ],
        },
      ]);
      const host = await c.tree((await c.scope(1024, 'Host')).variablesReference);
      assert.deepStrictEqual(
        host.map((v) => [v.name, v.value, v.evaluateName]),
        [
          // The time the statement at the breakpoint runs (the SYSTEM_SUSPEND before it ran at 10.005 ms).
          ['state', 'running', 'host.state'],
          ['suspend requested', 'false', undefined],
          ['time', '10.006000 ms', 'now'],
          ['queued', '1 event', undefined],
          ['policies', '0', undefined],
        ],
      );
      assert.deepStrictEqual(host[3].children, [{ name: '[0]', value: '30.000000 ms host-action irq' }]);
      const trace = await c.tree((await c.scope(1024, 'Trace')).variablesReference);
      assert.strictEqual(trace.length, 11);
      assert.deepStrictEqual(trace[0], {
        name: '#10',
        value: '10.005000 ms guest.vcpu0: SYSTEM_SUSPEND returned DENIED (-3)',
      });
      assert.deepStrictEqual(trace[10], {
        name: '#0',
        value: '0.000000 ms guest.vcpu0: HVC PSCI_FEATURES (0x8400000a) x1=0xc400000e',
      });
    });

    it('Devices decode config space register by register and field by field, with the device model state', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM }, async () => {
        await c.setLineBreakpoints(KVM, [{ line: 38 }]);
      });
      const devices = await c.variables((await c.scope(1024, 'Devices')).variablesReference);
      assert.deepStrictEqual(
        devices.map((d) => [d.name, d.value]),
        [['net0', 'virtio-net at 00:01.0, D3hot, BARs not decoded']],
      );
      const net0 = await c.variables(devices[0].variablesReference);
      assert.deepStrictEqual(
        net0.map((v) => [v.name, v.value]),
        [
          ['power state', 'D3hot (3)'],
          ['BARs decode', 'false'],
          ['resets', '1'],
          ['virtio status', '0x0 (reset)'],
          ['features', '0x100000000'],
          ['driver features', '0x0'],
          ['config space', '256 bytes'],
        ],
      );
      const config = await c.variables(net0[6].variablesReference);
      const reg = (name: string) => config.find((v) => v.name === name)!;
      assert.deepStrictEqual(
        config.slice(0, 4).map((v) => [v.name, v.value]),
        [
          ['vendor_id', '0x1af4'],
          ['device_id', '0x1041'],
          ['command', '0x0002'],
          ['status', '0x0010'],
        ],
      );
      assert.strictEqual(reg('vendor_id').type, 'Vendor ID (offset 0x0, 16 bits, RO)');
      assert.strictEqual(reg('pmcsr').value, '0x0003');
      assert.strictEqual(reg('pmcsr').evaluateName, 'guest.net0.config.pmcsr');
      const pmcsr = await c.variables(reg('pmcsr').variablesReference);
      assert.deepStrictEqual(
        pmcsr.map((v) => [v.name, v.value, v.evaluateName]),
        [
          ['state', 'D3hot (3)', 'guest.net0.config.pmcsr.state'],
          ['no_soft_reset', '0x0', 'guest.net0.config.pmcsr.no_soft_reset'],
          ['pme_en', '0x0', 'guest.net0.config.pmcsr.pme_en'],
          ['data_select', '0x0', 'guest.net0.config.pmcsr.data_select'],
          ['data_scale', '0x0', 'guest.net0.config.pmcsr.data_scale'],
          ['pme_status', '0x0', 'guest.net0.config.pmcsr.pme_status'],
        ],
      );
      assert.match(pmcsr[0].type!, /^\[1:0\] RW: PowerState: 00 D0, 01 D1, 10 D2, 11 D3hot/);
      const command = await c.variables(reg('command').variablesReference);
      assert.deepStrictEqual(
        command.filter((v) => v.value !== '0x0').map((v) => [v.name, v.value]),
        [['memory', '0x1']],
      );
    });

    it('a variables reference shows the machine as it is when it is read; unknown references are errors', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      const devices = (await c.scope(1024, 'Devices')).variablesReference;
      const pmcsr = await c.variable(devices, 'net0', 'config space', 'pmcsr');
      assert.strictEqual((await c.variables(pmcsr.variablesReference))[0].value, 'D0 (0)');
      await c.setLineBreakpoints(KVM, [{ line: 37 }]);
      await c.stepAndStop('continue', { threadId: 2 });
      // The same reference, read again after the D3hot write.
      assert.strictEqual((await c.variables(pmcsr.variablesReference))[0].value, 'D3hot (3)');
      assert.strictEqual((await c.variable(devices, 'net0')).value, 'virtio-net at 00:01.0, D3hot, BARs not decoded');
      assert.match(await c.fails('variables', { variablesReference: 987654 }), /^no variables reference 987654/);
    });
  });

  describe('setVariable', () => {
    it('writes a register; the value, an invalidated event and a forked history follow', async () => {
      const c = await adapter.open();
      await atDevices(c);
      const regs = (await c.scope(1024, 'Registers')).variablesReference;
      const r = await c.ok<DebugProtocol.SetVariableResponse>('setVariable', {
        variablesReference: regs,
        name: 'x7',
        value: '0x42',
      });
      assert.strictEqual(r.body.value, '0x42');
      assert.deepStrictEqual((await c.event<DebugProtocol.InvalidatedEvent>('invalidated')).body.areas, ['variables']);
      // Hovers, watches and the console show numbers as the Variables view does.
      assert.strictEqual(await c.evaluate('x7', 'watch', 1024), '0x42');
      assert.strictEqual((await c.variable(regs, 'x7')).value, '0x42');
      // An expression of the language is a value too.
      const e = await c.ok<DebugProtocol.SetVariableResponse>('setVariable', {
        variablesReference: regs,
        name: 'x8',
        value: 'x7 * 2 + DENIED',
      });
      assert.strictEqual(e.body.value, '0x81');
      assert.match(await c.evaluate('where', 'repl'), /^step (\d+) of \1 recorded/);
      // The future is recomputed from the edited state: the run still finishes.
      const end = await c.stepAndStop('continue', { threadId: 2 });
      assert.deepStrictEqual([end.body.description, end.body.text?.startsWith('finished')], ['End of scenario', true]);
      assert.strictEqual(await c.evaluate('x7', 'watch', 1024), '0x42');
    });

    it('writes PMCSR PowerState as the guest would: D3hot then D0 resets a function without No_Soft_Reset, not one with it', async () => {
      const c = await adapter.open();
      await atDevices(c);
      const devices = (await c.scope(1024, 'Devices')).variablesReference;
      for (const name of ['gpu', 'keep']) {
        const pmcsr = await c.variable(devices, name, 'config space', 'pmcsr');
        const d3 = await c.ok<DebugProtocol.SetVariableResponse>('setVariable', {
          variablesReference: pmcsr.variablesReference,
          name: 'state',
          value: 'D3hot',
        });
        assert.strictEqual(d3.body.value, 'D3hot (3)');
        assert.strictEqual(await c.evaluate(`${name}.dstate`, 'watch', 1024), 'D3hot (3)');
        assert.strictEqual(await c.evaluate(`${name}.decodes`, 'watch', 1024), 'false');
        const d0 = await c.ok<DebugProtocol.SetVariableResponse>('setVariable', {
          variablesReference: pmcsr.variablesReference,
          name: 'state',
          value: 'D0',
        });
        assert.strictEqual(d0.body.value, 'D0 (0)');
      }
      assert.strictEqual(await c.evaluate('gpu.bar0', 'watch', 1024), '0x0');
      assert.strictEqual(await c.evaluate('gpu.command.memory', 'watch', 1024), '0x0');
      assert.strictEqual(await c.evaluate('gpu.resets', 'watch', 1024), '0x1');
      assert.strictEqual(await c.evaluate('keep.bar0', 'watch', 1024), '0xe1000000');
      assert.strictEqual(await c.evaluate('keep.resets', 'watch', 1024), '0x0');
      assert.strictEqual(await c.evaluate('keep.decodes', 'watch', 1024), 'true');
      // The variables view shows the reset too.
      const gpuConfig = await c.variable(devices, 'gpu', 'config space');
      assert.strictEqual((await c.variable(gpuConfig.variablesReference, 'bar0')).value, '0x00000000');
      // A read-only field is marked so in the view and refused (writing it would change nothing but still discard
      // the recorded future); the writable ones are not marked.
      const pmcsr = await c.variable(devices, 'gpu', 'config space', 'pmcsr');
      const fields = (
        await c.ok<DebugProtocol.VariablesResponse>('variables', { variablesReference: pmcsr.variablesReference })
      ).body.variables;
      const readOnly = (name: string) =>
        fields.find((f) => f.name === name)?.presentationHint?.attributes?.includes('readOnly') ?? false;
      assert.deepStrictEqual(['no_soft_reset', 'state', 'pme_en', 'pme_status'].map(readOnly), [
        true,
        false,
        false,
        false,
      ]);
      const before = await c.evaluate('where', 'repl');
      assert.strictEqual(
        await c.fails('setVariable', {
          variablesReference: pmcsr.variablesReference,
          name: 'no_soft_reset',
          value: '1',
        }),
        'guest.gpu.config.pmcsr.no_soft_reset is read-only (RO)',
      );
      assert.strictEqual(await c.evaluate('where', 'repl'), before, 'history is kept');
    });

    it('a virtio status written through the variables view runs the device model', async () => {
      const c = await adapter.open();
      await atDevices(c);
      const net0 = await c.variable((await c.scope(1024, 'Devices')).variablesReference, 'net0');
      assert.strictEqual(
        (await c.variable(net0.variablesReference, 'virtio status')).value,
        '0xf (ACKNOWLEDGE|DRIVER|DRIVER_OK|FEATURES_OK)',
      );
      const r = await c.ok<DebugProtocol.SetVariableResponse>('setVariable', {
        variablesReference: net0.variablesReference,
        name: 'virtio status',
        value: '0',
      });
      assert.strictEqual(r.body.value, '0x0 (reset)');
      assert.strictEqual(await c.evaluate('net0.status', 'watch', 1024), '0x0');
      assert.strictEqual(await c.evaluate('net0.driver_features', 'watch', 1024), '0x0');
    });

    it('refuses what cannot be set, with the reason', async () => {
      const c = await adapter.open();
      await atDevices(c);
      const regs = (await c.scope(1024, 'Registers')).variablesReference;
      assert.strictEqual(
        await c.fails('setVariable', { variablesReference: regs, name: 'mpidr', value: '1' }),
        'guest.vcpu0.mpidr is read-only',
      );
      assert.strictEqual(
        await c.fails('setVariable', { variablesReference: regs, name: 'x3', value: 'nosuch' }),
        "unknown name 'nosuch'",
      );
      assert.strictEqual(
        await c.fails('setVariable', { variablesReference: regs, name: 'x99', value: '1' }),
        "'x99' cannot be set",
      );
      const power = (await c.scope(1024, 'Power')).variablesReference;
      assert.strictEqual(
        await c.fails('setVariable', { variablesReference: power, name: 'run', value: '1' }),
        "'run' cannot be set",
      );
      const net0 = await c.variable((await c.scope(1024, 'Devices')).variablesReference, 'net0');
      assert.strictEqual(
        await c.fails('setVariable', { variablesReference: net0.variablesReference, name: 'resets', value: '0' }),
        'guest.net0.resets is read-only: change a device through its config registers or MMIO',
      );
      assert.strictEqual(await c.evaluate('x3', 'watch', 1024), '0x0');
      // None of those asks the client to notify the user: the Variables view shows the message where it was typed.
      const raw = await c.raw('setVariable', { variablesReference: regs, name: 'mpidr', value: '1' });
      assert.strictEqual((raw.body as { error?: DebugProtocol.Message }).error?.showUser, false);
    });
  });

  describe('memory', () => {
    it('readMemory reads guest RAM by 0xADDR and VM:0xADDR, a BAR, and config space by config:VM:DEVICE', async () => {
      const c = await adapter.open();
      await atDevices(c);
      const ram = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: '0x40100000',
        count: 8,
      });
      assert.deepStrictEqual(
        [ram.body!.address, bytesOf(ram), ram.body!.unreadableBytes],
        ['0x40100000', [0x34, 0x12, 0, 0, 0, 0, 0, 0], 0],
      );
      const qualified = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: 'guest:0x40100000',
        offset: 1,
        count: 2,
      });
      assert.deepStrictEqual([qualified.body!.address, bytesOf(qualified)], ['0x40100001', [0x12, 0]]);
      const bar = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: '0xe0000010',
        count: 4,
      });
      assert.deepStrictEqual(bytesOf(bar), [0xcd, 0xab, 0, 0]);
      const config = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: 'config:guest:net0',
        count: 4,
      });
      assert.deepStrictEqual([config.body!.address, bytesOf(config)], ['0x0', [0xf4, 0x1a, 0x41, 0x10]]);
      const pm = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: 'config:guest:gpu',
        offset: 0x40,
        count: 6,
      });
      assert.deepStrictEqual([pm.body!.address, bytesOf(pm)], ['0x40', [0x01, 0x00, 0x03, 0x00, 0x00, 0x00]]);
      // Config space through the ECAM window at its guest-physical address (what a memory view or SVD reads).
      const ecam = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: `0x${(0x4010000000 + (2 << 15)).toString(16)}`,
        offset: 0x40,
        count: 6,
      });
      assert.deepStrictEqual(bytesOf(ecam), bytesOf(pm));
      const absent = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: `0x${(0x4010000000 + (9 << 15)).toString(16)}`,
        count: 2,
      });
      assert.deepStrictEqual(bytesOf(absent), [0xff, 0xff], 'no function at 00:09.0: all ones');
      // Past the end of config space and outside anything mapped: unreadable.
      const tail = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: 'config:guest:gpu',
        offset: 0xfe,
        count: 4,
      });
      assert.deepStrictEqual([bytesOf(tail).length, tail.body!.unreadableBytes], [2, 2]);
      const nowhere = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: '0x1000',
        count: 4,
      });
      assert.deepStrictEqual([bytesOf(nowhere), nowhere.body!.unreadableBytes], [[], 4]);
      assert.strictEqual(
        await c.fails('readMemory', { memoryReference: 'config:guest:nosuch', count: 4 }),
        "'config:guest:nosuch' is not a memory reference (0xADDR, VM:0xADDR or config:VM:DEVICE)",
      );
    });

    it('writeMemory writes guest RAM, sends memory and invalidated events, and can be read back', async () => {
      const c = await adapter.open();
      await atDevices(c);
      c.drain('invalidated');
      const w = await c.ok<DebugProtocol.WriteMemoryResponse>('writeMemory', {
        memoryReference: 'guest:0x40100004',
        offset: 2,
        data: b64([1, 2, 3]),
      });
      assert.strictEqual(w.body!.bytesWritten, 3);
      const memory = await c.event<DebugProtocol.MemoryEvent>('memory');
      assert.deepStrictEqual(memory.body, { memoryReference: 'guest:0x40100004', offset: 2, count: 3 });
      assert.deepStrictEqual((await c.event<DebugProtocol.InvalidatedEvent>('invalidated')).body.areas, ['variables']);
      const back = await c.ok<DebugProtocol.ReadMemoryResponse>('readMemory', {
        memoryReference: '0x40100000',
        count: 10,
      });
      assert.deepStrictEqual(bytesOf(back), [0x34, 0x12, 0, 0, 0, 0, 1, 2, 3, 0]);
      // The guest sees it: an MMIO read of RAM.
      assert.strictEqual(await c.evaluate('where', 'repl').then((s) => /^step (\d+) of \1 /.test(s)), true);
      assert.strictEqual(
        await c.fails('writeMemory', { memoryReference: 'config:guest:gpu', data: b64([0]) }),
        'writeMemory writes guest RAM (0xADDR or VM:0xADDR); change device registers through their variables',
      );
      assert.strictEqual(
        await c.fails('writeMemory', { memoryReference: '0x1000', data: b64([0]) }),
        '0x1000 is not RAM of guest',
      );
    });

    it('without supportsMemoryEvent/supportsInvalidatedEvent the adapter sends neither', async () => {
      const c = await adapter.open();
      const file = writeScenario('devices.sflow', DEVICES);
      await c.launch({ program: file, stopOnEntry: true }, undefined, {
        supportsInvalidatedEvent: false,
        supportsMemoryEvent: false,
      });
      await c.ok('writeMemory', { memoryReference: '0x40100000', data: b64([9]) });
      await c.ok('setVariable', {
        variablesReference: (await c.scope(1024, 'Registers')).variablesReference,
        name: 'x4',
        value: '4',
      });
      await c.settle();
      assert.deepStrictEqual([c.drain('memory'), c.drain('invalidated')], [[], []]);
      assert.strictEqual(await c.evaluate('x4', 'watch', 1024), '0x4');
    });
  });

  describe('evaluate and completions', () => {
    it('evaluates expressions of the language for hover, watch and the console, in the frame given', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM }, async () => {
        await c.setLineBreakpoints(KVM, [{ line: 38 }, { line: 46 }]);
      });
      assert.strictEqual(await c.evaluate('net0.pmcsr.state', 'hover', 1024), 'D3hot (3)');
      assert.strictEqual(await c.evaluate('vcpu1.power', 'watch', 1024), 'ON (0)');
      assert.strictEqual(await c.evaluate('x0 == SUCCESS', 'repl', 1024), 'false');
      assert.strictEqual(await c.evaluate('x0 == DENIED', 'repl', 1024), 'true');
      assert.strictEqual(await c.evaluate('x2', 'hover', 1024), '0xc0ffee');
      // Stopped before line 38, which runs at 10.006 ms (after SYSTEM_SUSPEND at 10.005 ms).
      assert.strictEqual(await c.evaluate('now', 'watch', 1024), '10.006000 ms');
      assert.strictEqual(await c.evaluate('guest.vcpu1.mp_state', 'watch'), 'RUNNABLE (0)');
      // In vcpu1's frame, bare registers are vcpu1's.
      assert.strictEqual(await c.evaluate('mpidr', 'watch', 2048), '0x80000001');
      await c.stepAndStop('continue', { threadId: 2 });
      assert.strictEqual(await c.evaluate('vcpu1.mp_state == STOPPED', 'watch', 1024), 'true');
      assert.strictEqual(await c.evaluate('vcpu1.power', 'watch', 1024), 'OFF (1)');
      assert.strictEqual(
        await c.fails('evaluate', { expression: 'nosuch', context: 'hover', frameId: 1024 }),
        "unknown name 'nosuch'",
      );
      assert.match(await c.fails('evaluate', { expression: 'x0 ==', context: 'watch', frameId: 1024 }), /./);
    });

    it('a proc parameter evaluates in its own frame', async () => {
      const c = await adapter.open();
      await c.launch({ program: example('virtio-gpio-pins.sflow') }, async () => {
        await c.setFunctionBreakpoints(['linux.suspend_prepare']);
      });
      const frames = await c.frames(2);
      assert.deepStrictEqual(
        frames.map((f) => f.name),
        ['linux.suspend_prepare', 'linux.enter_state', 'linux.pm_suspend', 'guest.vcpu0'],
      );
      // `call linux.pm_suspend mem` and KVM offers SYSTEM_SUSPEND: state is mem (1) in both procs that take it.
      assert.strictEqual(await c.evaluate('state', 'hover', frames[1].id), '0x1');
      assert.strictEqual(await c.evaluate('state == mem', 'hover', frames[2].id), 'true');
      assert.strictEqual(
        await c.fails('evaluate', { expression: 'state', context: 'hover', frameId: frames[0].id }),
        "unknown name 'state'",
      );
      assert.strictEqual(
        await c.fails('evaluate', { expression: 'state', context: 'hover', frameId: frames[3].id }),
        "unknown name 'state'",
      );
    });

    it('console commands: trace N, explain, where, help', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM }, async () => {
        await c.setLineBreakpoints(KVM, [{ line: 38 }]);
      });
      const trace = (await c.evaluate('trace 5', 'repl')).split('\n');
      assert.deepStrictEqual(trace, [
        '   0.004000 ms  guest.vcpu0: config write net0 pmcsr.state @0x44 = 0x3 (PowerState D0 -> D3hot, 10 ms delay)',
        '  10.005000 ms  guest.vcpu0: HVC SYSTEM_SUSPEND (0xc400000e) x1=0x40080044 x2=0xc0ffee',
        '  10.005000 ms  guest.vcpu0: exit to VMM: KVM_EXIT_SYSTEM_EVENT SUSPEND (entry=0x40080044 context=0xc0ffee)',
        '  10.005000 ms  guest.vcpu0: VMM answers SUSPEND with confirm: DENIED',
        '  10.005000 ms  guest.vcpu0: SYSTEM_SUSPEND returned DENIED (-3)',
      ]);
      assert.strictEqual((await c.evaluate('trace', 'repl')).split('\n').length, 11);
      assert.strictEqual(await c.evaluate('explain', 'repl'), 'nothing to explain: no exception or violation so far');
      assert.strictEqual(
        await c.evaluate('where', 'repl'),
        'step 8 of 8 recorded, 10.006000 ms, trace hash ' + (await c.ok('trace')).body.hash,
      );
      assert.match(
        await c.evaluate('help', 'repl'),
        /^commands: trace \[N\] \(the last N events\), explain \(the last exception\), where \(position in history\)/,
      );
      // Outside the console the words are names of the language.
      assert.strictEqual(
        await c.fails('evaluate', { expression: 'where', context: 'watch', frameId: 1024 }),
        "unknown name 'where'",
      );
    });

    it('completions offer console commands, names of the machine and constants', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      const complete = async (text: string, column = text.length + 1) =>
        (await c.ok<DebugProtocol.CompletionsResponse>('completions', { text, column, frameId: 1024 })).body.targets;
      // Every path of the state namespace, a segment at a time (src/lang/state-paths).
      assert.deepStrictEqual(
        (await complete('net0.pm')).map((t) => [t.label, t.start, t.length]),
        ['net0.pm_cap_id', 'net0.pm_data', 'net0.pm_next', 'net0.pmc', 'net0.pmcsr', 'net0.pmcsr_bse'].map((l) => [
          l,
          0,
          7,
        ]),
      );
      assert.deepStrictEqual(
        (await complete('net0.pmcsr.')).map((t) => t.label),
        ['data_scale', 'data_select', 'no_soft_reset', 'pme_en', 'pme_status', 'state'].map((f) => `net0.pmcsr.${f}`),
      );
      assert.deepStrictEqual(
        (await complete('x0 == DEN')).map((t) => [t.label, t.start, t.length]),
        [['DENIED', 6, 3]],
      );
      assert.deepStrictEqual(
        (await complete('tr')).map((t) => t.label),
        ['trace'],
      );
      const vcpu1 = (await complete('guest.vcpu1.')).map((t) => t.label);
      // All the vCPU's fields (VCPU_FIELDS), not a hand-picked few.
      assert.deepStrictEqual(vcpu1, VCPU_FIELDS.map((f) => `guest.vcpu1.${f.name}`).sort());
      assert.deepStrictEqual(await complete('zzz'), []);
      // The column limits what is completed.
      assert.deepStrictEqual(
        (await complete('net0.status == 1', 7)).map((t) => t.label),
        ['net0.status', 'net0.subclass', 'net0.subsystem_id', 'net0.subsystem_vendor_id'],
      );
    });
  });
});
