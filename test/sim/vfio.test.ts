// VFIO passthrough (`passthrough` model; DOMAIN.md 4.3, with the D3cold rules of 4.2). The function's BAR0 is
// 16 MiB and firmware leaves it unassigned, so every scenario programs it at 0x20000000 and turns on memory decode.
//
// Guest-visible rules are checked by the scenario's `expect`s; what only the physical function holds (the bits vfio
// keeps in its virtual config) is read from the machine after the run, and vfio's own actions from the trace.

import * as assert from 'assert';
import { compile, eventsOf, runGreen, RunResult } from '../helpers';
import { Machine } from '../../src/sim/machine';
import { TraceEvent } from '../../src/sim/trace';
import { PciFunction } from '../../src/sim/devices/pci-function';

const PMC_OFF = 0x42;
const PMCSR_OFF = 0x44;

function fnOf(m: Machine): PciFunction {
  return m.state.vms[0].devices[0] as PciFunction;
}

function world(options: string): string {
  return `vm g {
  hypervisor kvm
  statement_time 1us
  device gpu passthrough at 00:02.0 { ${options} }
}
`;
}

const ENABLE = `
  pci write gpu bar0 = 0x20000000
  pci write gpu command = 0x0006
  mmio write 0x20000000 = 0xcafe
  mmio write 0x20000004 = 0xf00d
`;

/** Runs a scenario; `signal pme` makes the physical function set PME_Status, as it does when it asserts PME. */
function runWithPme(text: string): RunResult {
  const machine = new Machine(compile(text));
  const events: TraceEvent[] = [];
  machine.onEvent((e) => {
    events.push(e);
    if (e.kind === 'signal' && e.name === 'pme') {
      const fn = fnOf(machine);
      fn.store(PMCSR_OFF, 2, fn.read(PMCSR_OFF, 2) | 0x8000);
    }
  });
  const stop = machine.run({ maxSteps: 1_000_000 });
  const failures = eventsOf(events, 'expect.fail').map((e) => e.message);
  assert.deepStrictEqual(failures, [], 'expectations failed');
  assert.deepStrictEqual(stop, { kind: 'outcome', outcome: { kind: 'finished' } });
  return { machine, events, stop, failures, logs: [] };
}

function deviceEvents(r: RunResult): string[] {
  return eventsOf(r.events, 'device').map((e) => e.what);
}

function violations(r: RunResult): string[] {
  return eventsOf(r.events, 'violation').map((e) => e.invariant);
}

describe('VFIO: virtualised PM capability bits (DOMAIN.md 4.3 init_pci_cap_pm_perm)', () => {
  it('PMC PME_Support reads 0 in the guest though the function supports PME', () => {
    const r = runGreen(`${world('pm d1 d2; pme d0 d3hot d3cold')}
g.vcpu0 {
  pci read gpu pmc
  expect x0 == 0x0603, "version 3, D1 and D2 kept, PME_Support cleared"
  expect gpu.pmc.pme_support == 0
  pci read gpu 0x40 width 32
  expect x0 == 0x06030001
}
`);
    assert.strictEqual(
      fnOf(r.machine).read(PMC_OFF, 2),
      0xce03,
      'the physical PMC still advertises PME from D0, D3hot, D3cold',
    );
  });

  it('PME_En is virtualised: the guest reads back what it wrote, the device never sees it', () => {
    const r = runGreen(`${world('pme d3hot')}
g.vcpu0 {
  pci write gpu pmcsr.pme_en = 1
  expect gpu.pmcsr.pme_en == 1
  pci read gpu pmcsr
  expect x0 == 0x0100
}
`);
    assert.strictEqual(fnOf(r.machine).read(PMCSR_OFF, 2), 0x0000, 'physical PMCSR has PME_En clear');
  });

  it("PME_Status is virtualised: the guest does not see the device's PME_Status and its RW1C write does not clear it", () => {
    const r = runWithPme(`${world('pme d3hot')}
g.vcpu0 {
  signal pme
  expect gpu.pmcsr.pme_status == 0, "the guest reads vfio's virtual PME_Status"
  pci write gpu pmcsr = 0x8000
  expect gpu.pmcsr == 0
}
`);
    assert.strictEqual(fnOf(r.machine).read(PMCSR_OFF, 2), 0x8000, 'the physical PME_Status is still set');
  });

  it('the other PMCSR bits write through: Data_Select reaches the device', () => {
    const r = runGreen(`${world('')}
g.vcpu0 {
  pci write gpu pmcsr.data_select = 3
  expect gpu.pmcsr == 0x0600
}
`);
    assert.strictEqual(fnOf(r.machine).read(PMCSR_OFF, 2), 0x0600);
  });
});

describe('VFIO: D3hot and BAR access (DOMAIN.md 4.3 vfio_pm_config_write)', () => {
  it('a PMCSR write traps to vfio; D3hot zaps the BAR mappings until D0', () => {
    const r = runGreen(`${world('no_soft_reset true')}
g.vcpu0 {
${ENABLE}
  expect gpu.decodes == 1
  pci write gpu pmcsr.state = D3hot
  expect gpu.dstate == D3hot
  expect gpu.decodes == 0
  mmio read 0x20000000
  expect x0 == 0xffffffff
  mmio write 0x20000000 = 0x1111
  pci write gpu pmcsr.state = D0
  expect gpu.decodes == 1
  mmio read 0x20000000
  expect x0 == 0xcafe, "the write while zapped went nowhere; No_Soft_Reset kept the rest"
}
`);
    assert.deepStrictEqual(deviceEvents(r), [
      'vfio_pm_config_write',
      'vfio zaps BAR mappings',
      'D0 -> D3hot',
      'vfio_pm_config_write',
      'D3hot -> D0',
      'vfio restores BAR mappings',
    ]);
    const mmio = eventsOf(r.events, 'mmio');
    assert.deepStrictEqual(
      mmio.map((e) => [e.access, e.blocked]),
      [
        ['write', false],
        ['write', false],
        ['read', true],
        ['write', true],
        ['read', false],
      ],
    );
  });

  it('needs_pm_restore (No_Soft_Reset = 0): vfio saves config before D3 and restores BARs and Command after D0; BAR0 context is lost', () => {
    const r = runGreen(`${world('')}
g.vcpu0 {
${ENABLE}
  pci write gpu interrupt_line = 0x33
  pci write gpu pmcsr.state = D3hot
  pci write gpu pmcsr.state = D0
  expect gpu.resets == 1, "the function did its soft reset"
  expect gpu.bar0 == 0x20000000, "BAR0 restored by vfio"
  expect gpu.command == 0x0006, "Memory and Bus Master restored by vfio"
  expect gpu.interrupt_line == 0x33
  expect gpu.decodes == 1
  mmio read 0x20000000
  expect x0 == 0, "the device's own state is not config space: lost"
  mmio read 0x20000004
  expect x0 == 0
}
`);
    const events = deviceEvents(r);
    assert.ok(
      events.indexOf('pci_save_state') >= 0 && events.indexOf('pci_save_state') < events.indexOf('D0 -> D3hot'),
      events.join(', '),
    );
    assert.ok(events.indexOf('function reset') < events.indexOf('pci_restore_state'), events.join(', '));
    const lost = eventsOf(r.events, 'context.lost');
    assert.deepStrictEqual(
      lost.map((e) => e.noSoftReset),
      [false],
    );
    assert.deepStrictEqual(violations(r), [], 'No_Soft_Reset = 0 promised nothing');
  });

  it('No_Soft_Reset = 1: nothing is saved or reset; BARs, Command and BAR0 context are kept', () => {
    const r = runGreen(`${world('no_soft_reset true')}
g.vcpu0 {
${ENABLE}
  pci write gpu pmcsr.state = D3hot
  pci write gpu pmcsr.state = D0
  expect gpu.resets == 0
  expect gpu.bar0 == 0x20000000
  expect gpu.command == 0x0006
  mmio read 0x20000000
  expect x0 == 0xcafe
  mmio read 0x20000004
  expect x0 == 0xf00d
}
`);
    const events = deviceEvents(r);
    assert.ok(
      !events.includes('pci_save_state') && !events.includes('pci_restore_state') && !events.includes('function reset'),
      events.join(', '),
    );
    assert.deepStrictEqual(eventsOf(r.events, 'context.lost'), []);
  });
});

describe('VFIO: d3cold promote (DOMAIN.md 4.2 D3cold, 4.3)', () => {
  it('after D3hot the function is in D3cold: config reads return all ones, config writes are dropped, MMIO refused', () => {
    const r = runGreen(`${world('no_soft_reset true; d3cold promote')}
g.vcpu0 {
${ENABLE}
  pci write gpu pmcsr.state = D3hot
  expect gpu.dstate == D3cold
  pci read gpu vendor_id
  expect x0 == 0xffff
  pci read gpu 0 width 32
  expect x0 == 0xffffffff
  pci read gpu pmcsr
  expect x0 == 0xffff, "Linux reads PMCSR 0xffff as inaccessible"
  pci write gpu interrupt_line = 0x33
  mmio read 0x20000000
  expect x0 == 0xffffffff
}
`);
    const write = eventsOf(r.events, 'pci.config').filter(
      (e) => e.access === 'write' && e.register === 'interrupt_line',
    );
    assert.strictEqual(write.length, 1);
    assert.strictEqual(write[0].note, 'D3cold: no response, write dropped');
    assert.strictEqual(fnOf(r.machine).read(0x3c, 1), 0, 'the dropped write did not reach the function');
    assert.strictEqual(eventsOf(r.events, 'mmio').filter((e) => e.blocked).length, 1);
  });

  it('the D0 write takes 100 ms (PCI_PM_D3COLD_WAIT) and does a fundamental reset; the context is lost and the no-soft-reset invariant fires', () => {
    const r = runGreen(`${world('no_soft_reset true; d3cold promote')}
g.vcpu0 {
${ENABLE}
  pci write gpu pmcsr.state = D3hot
  set x20 = now
  pci write gpu pmcsr = 0
  expect now - x20 == 2us + 100ms, "D3cold -> D0: {now - x20}"
  expect gpu.dstate == D0
  expect gpu.resets == 1
  expect gpu.bar0 == 0 && gpu.command == 0, "a fundamental reset: config back to defaults"
  expect gpu.pmcsr.no_soft_reset == 1
${ENABLE.split('\n').slice(0, 3).join('\n')}
  mmio read 0x20000000
  expect x0 == 0, "BAR0 context lost"
}
`);
    assert.ok(deviceEvents(r).includes('fundamental reset'));
    const lost = eventsOf(r.events, 'context.lost');
    assert.strictEqual(lost.length, 1);
    assert.strictEqual(lost[0].noSoftReset, true);
    assert.deepStrictEqual(violations(r), ['no-soft-reset-context-lost']);
  });

  it('with `d3cold never` the function stays in D3hot, D0 takes 10 ms, the context survives and nothing fires', () => {
    const r = runGreen(`${world('no_soft_reset true; d3cold never')}
g.vcpu0 {
${ENABLE}
  pci write gpu pmcsr.state = D3hot
  expect gpu.dstate == D3hot
  pci read gpu vendor_id
  expect x0 == 0x10de
  set x20 = now
  pci write gpu pmcsr = 0
  expect now - x20 == 2us + 10ms, "D3hot -> D0: {now - x20}"
  expect gpu.resets == 0
  mmio read 0x20000000
  expect x0 == 0xcafe
}
`);
    assert.ok(!deviceEvents(r).includes('vfio promotes D3hot to D3cold'));
    assert.deepStrictEqual(eventsOf(r.events, 'context.lost'), []);
    assert.deepStrictEqual(violations(r), []);
  });

  it('d3cold promote without No_Soft_Reset: vfio still restores BARs and Command, the context is lost, no violation', () => {
    const r = runGreen(`${world('d3cold promote')}
g.vcpu0 {
${ENABLE}
  pci write gpu pmcsr.state = D3hot
  expect gpu.dstate == D3cold
  pci write gpu pmcsr = 0
  expect gpu.resets == 1
  expect gpu.bar0 == 0x20000000 && gpu.command == 0x0006
  mmio read 0x20000000
  expect x0 == 0
}
`);
    assert.deepStrictEqual(
      eventsOf(r.events, 'context.lost').map((e) => e.noSoftReset),
      [false],
    );
    assert.deepStrictEqual(violations(r), []);
  });
});
