// PCI config space and the PCI PM capability (DOMAIN.md 4.1-4.2), on the plain `pci` model (BAR0 is 4 KiB, firmware
// leaves BARs unassigned and Command 0; the PM capability sits at 0x40, so PMC is at 0x42 and PMCSR at 0x44).
//
// Where the guest can see a rule the scenario's `expect`s are the check; the trace is asserted for what it cannot
// see (blocked MMIO, device events). Nothing in a scenario can make a function assert PME or latch a bus error, so
// those bits are set from the test: the guest raises a signal (`signal pme`) and the listener sets the bit in the
// function's config space, as the hardware would.

import * as assert from 'assert';
import { compile, eventsOf, run, runGreen, RunResult } from '../helpers';
import { Machine } from '../../src/sim/machine';
import { TraceEvent } from '../../src/sim/trace';
import { PciFunction } from '../../src/sim/devices/pci-function';

const PMCSR_OFF = 0x44;
const STATUS_OFF = 0x06;

/** The first device of the first VM. */
function fnOf(m: Machine): PciFunction {
  return m.state.vms[0].devices[0] as PciFunction;
}

/**
 * Runs a scenario; when the guest raises a signal named in `hardware`, the function sets those bits of a config
 * register itself (the device asserting PME, the bus latching an error).
 */
function runWithHardware(text: string, hardware: Record<string, { offset: number; bits: number }>): RunResult {
  const machine = new Machine(compile(text));
  const events: TraceEvent[] = [];
  machine.onEvent((e) => {
    events.push(e);
    if (e.kind === 'signal' && hardware[e.name]) {
      const { offset, bits } = hardware[e.name];
      const fn = fnOf(machine);
      fn.store(offset, 2, fn.read(offset, 2) | bits);
    }
  });
  const stop = machine.run({ maxSteps: 1_000_000 });
  return {
    machine,
    events,
    stop,
    failures: eventsOf(events, 'expect.fail').map((e) => e.message),
    logs: eventsOf(events, 'log').map((e) => e.text),
  };
}

function green(r: RunResult): RunResult {
  assert.deepStrictEqual(r.failures, [], 'expectations failed');
  assert.deepStrictEqual(eventsOf(r.events, 'fault'), [], 'a vCPU faulted');
  assert.deepStrictEqual(r.stop, { kind: 'outcome', outcome: { kind: 'finished' } });
  return r;
}

const PME = { pme: { offset: PMCSR_OFF, bits: 0x8000 } };

/** A VM with one plain PCI function `dev`. */
function world(options = '', extra = ''): string {
  return `vm g {
  hypervisor kvm
  statement_time 1us
  device dev pci at 00:01.0${options ? ` { ${options} }` : ''}
${extra}}
`;
}

/** Programs BAR0 at 0x20000000 and turns on memory decode. */
const ENABLE = `
  pci write dev bar0 = 0x20000000
  pci write dev command.memory = 1
`;

describe('PCI PM: PMCSR field access types (DOMAIN.md 4.1)', () => {
  it('PowerState is written through the transition rules: a D3hot write reads back 3 and dstate follows', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci write dev pmcsr = 3
  pci read dev pmcsr
  expect (x0 & 3) == 3
  expect dev.pmcsr.state == D3hot
  expect dev.dstate == D3hot
  pci write dev pmcsr.state = D0
  expect dev.pmcsr.state == D0
  expect dev.dstate == D0
}
`);
  });

  it('No_Soft_Reset is read-only: writing 1 leaves 0, writing 0 leaves 1', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci write dev pmcsr = 0x0008
  pci read dev pmcsr
  expect x0 == 0
  expect dev.pmcsr.no_soft_reset == 0
}
`);
    runGreen(`${world('no_soft_reset true')}
g.vcpu0 {
  pci read dev pmcsr
  expect x0 == 0x0008
  pci write dev pmcsr = 0
  pci read dev pmcsr
  expect x0 == 0x0008
  expect dev.pmcsr.no_soft_reset == 1
}
`);
  });

  it('PME_En is read-write', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci write dev pmcsr.pme_en = 1
  pci read dev pmcsr
  expect x0 == 0x0100
  pci write dev pmcsr.pme_en = 0
  pci read dev pmcsr
  expect x0 == 0
}
`);
  });

  it('Data_Select is read-write (bits 12:9), Data_Scale is read-only (bits 14:13 stay 0)', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci write dev pmcsr = 0x1a00
  pci read dev pmcsr
  expect x0 == 0x1a00
  expect dev.pmcsr.data_select == 0xd
  pci write dev pmcsr = 0x6000
  pci read dev pmcsr
  expect x0 == 0
  pci write dev pmcsr.data_scale = 3
  expect dev.pmcsr.data_scale == 0
  expect dev.pmcsr == 0
}
`);
  });

  it('PME_Status is RW1C: writing 0 keeps it, writing 1 clears it', () => {
    green(
      runWithHardware(
        `${world('pme d0 d3hot')}
g.vcpu0 {
  signal pme
  expect dev.pmcsr.pme_status == 1, "the function asserted PME"
  pci write dev pmcsr = 0
  expect dev.pmcsr == 0x8000, "writing 0 leaves PME_Status set"
  pci write dev pmcsr = 0x8000
  expect dev.pmcsr == 0, "writing 1 clears it"
}
`,
        PME,
      ),
    );
  });

  it('reserved bits (2, 7:4) read 0 whatever is written', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci write dev pmcsr = 0x00f4
  pci read dev pmcsr
  expect x0 == 0
  pci write dev pmcsr = 0x7fff
  pci read dev pmcsr
  expect x0 == 0x1f03, "PME_En, Data_Select and PowerState take; bits 2, 3, 7:4, 14:13 do not"
}
`);
  });

  it('PME_En and PME_Status survive the D3hot->D0 soft reset when PME from D3cold is supported', () => {
    green(
      runWithHardware(
        `${world('pme d3hot d3cold')}
g.vcpu0 {
  pci write dev pmcsr = 0x0103
  signal pme
  expect dev.pmcsr == 0x8103
  pci write dev pmcsr = 0x0100
  expect dev.resets == 1, "No_Soft_Reset = 0: D3hot -> D0 reset the function"
  expect dev.pmcsr == 0x8100, "PME_En and PME_Status are sticky"
}
`,
        PME,
      ),
    );
  });

  it('PME_En and PME_Status are cleared by the soft reset when PME from D3cold is not supported', () => {
    green(
      runWithHardware(
        `${world('pme d3hot')}
g.vcpu0 {
  pci write dev pmcsr = 0x0103
  signal pme
  expect dev.pmcsr == 0x8103
  pci write dev pmcsr = 0x0100
  expect dev.resets == 1
  expect dev.pmcsr == 0, "not sticky without PME from D3cold"
}
`,
        PME,
      ),
    );
  });
});

describe('PCI PM: PMC (DOMAIN.md 4.1)', () => {
  it('without options PMC is version 3 (PCI PM 1.2), no D1/D2, no PME_Support', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci read dev pmc
  expect x0 == 0x0003
  expect dev.pmc.version == 3
  expect dev.pmc.d1_support == 0 && dev.pmc.d2_support == 0 && dev.pmc.pme_support == 0
  expect dev.pm_cap_id == 0x01
  expect dev.cap_ptr == 0x40
  expect dev.status.capabilities_list == 1
}
`);
  });

  it('`pm d1 d2` sets D1_Support and D2_Support, `pme d3hot d3cold` sets PME_Support bits 14 and 15', () => {
    runGreen(`${world('pm d1 d2; pme d3hot d3cold')}
g.vcpu0 {
  pci read dev pmc
  expect x0 == 0xc603
  expect dev.pmc.d1_support == 1 && dev.pmc.d2_support == 1
  expect dev.pmc.pme_support == 0x18
}
`);
    runGreen(`${world('pm d2; pme d0 d1')}
g.vcpu0 {
  pci read dev pmc
  expect x0 == 0x1c03
}
`);
  });

  it('PMC is read-only', () => {
    runGreen(`${world('pm d1')}
g.vcpu0 {
  pci write dev 0x42 = 0xffff width 16
  pci read dev pmc
  expect x0 == 0x0203
  pci write dev 0x42 = 0 width 16
  pci read dev pmc
  expect x0 == 0x0203
}
`);
  });
});

describe('PCI config header (DOMAIN.md 4.1, PCI 3.0)', () => {
  it('Command: the RW bits (io, memory, bus_master, parity, serr, intx_disable) take, the RO and reserved ones read 0', () => {
    runGreen(`${world()}
g.vcpu0 {
  expect dev.command == 0
  pci write dev command = 0xffff
  pci read dev command
  expect x0 == 0x0547
  expect dev.command.special_cycles == 0 && dev.command.mwi == 0 && dev.command.vga_snoop == 0 && dev.command.fast_b2b == 0
  pci write dev command = 0
  expect dev.command == 0
}
`);
  });

  it('Status: capabilities_list and interrupt_status are read-only, the error bits are RW1C', () => {
    green(
      runWithHardware(
        `${world()}
g.vcpu0 {
  pci write dev status = 0
  expect dev.status == 0x0010, "capabilities_list stays set"
  pci write dev status = 0xffff
  expect dev.status == 0x0010, "RO bits cannot be set"
  signal errors
  expect dev.status == 0xf910
  pci write dev status = 0
  expect dev.status == 0xf910, "writing 0 keeps the errors"
  pci write dev status = 0x2000
  expect dev.status == 0xd910, "writing 1 clears only received_master_abort"
  expect dev.status.received_master_abort == 0 && dev.status.detected_parity_error == 1
  pci write dev status = 0xffff
  expect dev.status == 0x0010
}
`,
        { errors: { offset: STATUS_OFF, bits: 0xf900 } },
      ),
    );
  });

  it('BAR sizing: writing all ones reads back ~(size-1) with the low type bits 0; unimplemented BARs read 0', () => {
    runGreen(`${world()}
g.vcpu0 {
  expect dev.bar0 == 0
  pci write dev bar0 = 0xffffffff
  pci read dev bar0
  expect x0 == 0xfffff000, "a 4 KiB memory BAR"
  expect (x0 & 0xf) == 0
  pci write dev bar1 = 0xffffffff
  pci read dev bar1
  expect x0 == 0
  pci write dev bar5 = 0xffffffff
  expect dev.bar5 == 0
  pci write dev bar0 = 0x20000fff
  expect dev.bar0 == 0x20000000, "address bits below the size are not writable"
}
`);
  });

  it('interrupt_line is read-write, interrupt_pin is read-only (INTA#)', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci write dev interrupt_line = 0x2a
  pci read dev interrupt_line
  expect x0 == 0x2a
  pci read dev interrupt_pin
  expect x0 == 1
  pci write dev 0x3d = 5 width 8
  expect dev.interrupt_pin == 1
}
`);
  });

  it('identity registers are read-only; unimplemented offsets and the expansion ROM read 0 and ignore writes', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci read dev 0 width 32
  expect x0 == 0x00101b36, "vendor 0x1b36, device 0x0010"
  pci write dev 0 = 0xffffffff
  expect dev.vendor_id == 0x1b36 && dev.device_id == 0x0010
  pci write dev 0x48 = 0xffffffff
  pci read dev 0x48
  expect x0 == 0
  pci write dev 0xfc = 0xffffffff
  pci read dev 0xfc
  expect x0 == 0
  pci write dev 0x28 = 0xffffffff
  pci read dev 0x28
  expect x0 == 0
  pci write dev rom = 0xffffffff
  expect dev.rom == 0
  pci write dev 0x46 = 0xffff width 16
  pci read dev 0x46 width 16
  expect x0 == 0, "PMCSR_BSE and the Data register are read-only 0"
}
`);
  });
});

describe('PCI PM: transition rules (DOMAIN.md 4.2)', () => {
  it('a write of an unsupported D1 or D2 completes but is discarded: PowerState does not change', () => {
    const r = runGreen(`${world()}
g.vcpu0 {
  pci write dev pmcsr.state = D1
  expect dev.pmcsr.state == D0
  pci write dev pmcsr.state = D2
  expect dev.pmcsr.state == D0
  expect dev.dstate == D0
}
`);
    const notes = eventsOf(r.events, 'pci.config')
      .filter((e) => e.access === 'write')
      .map((e) => e.note);
    assert.deepStrictEqual(notes, [
      'D1 is not supported (PMC): write discarded, still D0',
      'D2 is not supported (PMC): write discarded, still D0',
    ]);
    assert.deepStrictEqual(eventsOf(r.events, 'device'), [], 'no power state change');
  });

  it('D1 and D2 are entered when PMC advertises them', () => {
    runGreen(`${world('pm d1 d2')}
g.vcpu0 {
  pci write dev pmcsr.state = D1
  expect dev.pmcsr.state == D1
  pci write dev pmcsr.state = D2
  expect dev.pmcsr.state == D2
}
`);
  });

  it('from a low-power state only deeper or back to D0: D2->D1 and D3hot->D2 are refused', () => {
    runGreen(`${world('pm d1 d2')}
g.vcpu0 {
  pci write dev pmcsr.state = D2
  pci write dev pmcsr.state = D1
  expect dev.pmcsr.state == D2, "D2 -> D1 is shallower"
  pci write dev pmcsr.state = D3hot
  expect dev.pmcsr.state == D3hot, "D2 -> D3hot is deeper"
  pci write dev pmcsr.state = D2
  expect dev.pmcsr.state == D3hot, "D3hot -> D2 is shallower"
  pci write dev pmcsr.state = D0
  expect dev.pmcsr.state == D0, "back to D0 is always allowed"
  pci write dev pmcsr.state = D1
  expect dev.pmcsr.state == D1, "D0 -> D1"
  pci write dev pmcsr.state = D0
  expect dev.pmcsr.state == D0, "D1 -> D0"
}
`);
  });

  it('D3hot->D1 is refused (Linux: "Invalid power transition")', () => {
    const r = runGreen(`${world('pm d1 d2')}
g.vcpu0 {
  pci write dev pmcsr.state = D3hot
  set x20 = now
  pci write dev pmcsr.state = D1
  expect now - x20 == 2us, "a refused write costs no PM delay"
  expect dev.pmcsr.state == D3hot
  expect dev.dstate == D3hot
}
`);
    const refused = eventsOf(r.events, 'pci.config').filter((e) => e.access === 'write')[1];
    assert.strictEqual(refused.note, 'D3hot -> D1 is not a legal transition: only deeper or back to D0');
  });

  it('writing the current state is a no-op: no delay, no reset', () => {
    const r = runGreen(`${world()}
g.vcpu0 {
  pci write dev pmcsr.state = D3hot
  set x20 = now
  pci write dev pmcsr.state = D3hot
  expect now - x20 == 2us, "D3hot -> D3hot takes no 10 ms"
  expect dev.pmcsr.state == D3hot
  set x20 = now
  pci write dev pmcsr.state = D0
  expect now - x20 == 2us + 10ms
  set x20 = now
  pci write dev pmcsr.state = D0
  expect now - x20 == 2us, "D0 -> D0 takes nothing"
  expect dev.resets == 1, "only the real D3hot -> D0 reset the function"
}
`);
    const changes = eventsOf(r.events, 'device')
      .filter((e) => e.detail === 'power state')
      .map((e) => e.what);
    assert.deepStrictEqual(changes, ['D0 -> D3hot', 'D3hot -> D0']);
  });
});

describe('PCI PM: transition delays (DOMAIN.md 4.2, Linux drivers/pci/pci.h)', () => {
  // `set x20 = now` and the write each cost one statement (1 us); the rest is the PM delay.
  const measure = (options: string, from: string[], to: string, expected: string) => `${world(options)}
g.vcpu0 {
${from.map((s) => `  pci write dev pmcsr.state = ${s}`).join('\n')}
  set x20 = now
  pci write dev pmcsr.state = ${to}
  expect now - x20 == 2us + ${expected}, "${from[from.length - 1] ?? 'D0'} -> ${to}: {now - x20}"
}
`;

  it('D0 -> D3hot waits 10 ms (PCI_PM_D3HOT_WAIT)', () => {
    runGreen(measure('', [], 'D3hot', '10ms'));
  });

  it('D3hot -> D0 waits 10 ms', () => {
    runGreen(measure('', ['D3hot'], 'D0', '10ms'));
  });

  it('D0 -> D2 and D2 -> D0 wait 200 us (PCI_PM_D2_DELAY)', () => {
    runGreen(measure('pm d2', [], 'D2', '200us'));
    runGreen(measure('pm d2', ['D2'], 'D0', '200us'));
  });

  it('D2 -> D3hot waits 10 ms, D1 -> D2 waits 200 us', () => {
    runGreen(measure('pm d1 d2', ['D2'], 'D3hot', '10ms'));
    runGreen(measure('pm d1 d2', ['D1'], 'D2', '200us'));
  });

  it('D0 -> D1 and D1 -> D0 take no delay', () => {
    runGreen(measure('pm d1', [], 'D1', '0ms'));
    runGreen(measure('pm d1', ['D1'], 'D0', '0ms'));
  });
});

describe('PCI PM: soft reset on D3hot -> D0 (DOMAIN.md 4.2)', () => {
  it('No_Soft_Reset = 0: BARs, Command and interrupt_line go back to defaults and the BAR0 context is lost', () => {
    const r = runGreen(`${world()}
g.vcpu0 {
${ENABLE}
  pci write dev interrupt_line = 0x2a
  mmio write 0x20000000 = 0x1234
  mmio write 0x20000004 = 0x5678
  mmio read 0x20000000
  expect x0 == 0x1234
  pci write dev pmcsr.state = D3hot
  pci write dev pmcsr.state = D0
  expect dev.resets == 1
  expect dev.bar0 == 0, "BAR0 unprogrammed"
  expect dev.command == 0, "Memory, Bus Master off"
  expect dev.interrupt_line == 0
  expect dev.decodes == 0
${ENABLE}
  mmio read 0x20000000
  expect x0 == 0, "BAR0 word 0 lost"
  mmio read 0x20000004
  expect x0 == 0, "BAR0 word 1 lost"
}
`);
    const lost = eventsOf(r.events, 'context.lost');
    assert.strictEqual(lost.length, 1);
    assert.strictEqual(lost[0].noSoftReset, false);
    assert.deepStrictEqual(eventsOf(r.events, 'violation'), [], 'a reset the function announced is not a violation');
  });

  it('No_Soft_Reset = 1: BARs, Command and the BAR0 context are kept', () => {
    const r = runGreen(`${world('no_soft_reset true')}
g.vcpu0 {
${ENABLE}
  mmio write 0x20000000 = 0x1234
  pci write dev pmcsr.state = D3hot
  pci write dev pmcsr.state = D0
  expect dev.resets == 0
  expect dev.bar0 == 0x20000000
  expect dev.command.memory == 1
  expect dev.decodes == 1
  mmio read 0x20000000
  expect x0 == 0x1234
}
`);
    assert.deepStrictEqual(eventsOf(r.events, 'context.lost'), []);
  });

  it('D1 -> D0 does not reset the function even with No_Soft_Reset = 0', () => {
    runGreen(`${world('pm d1')}
g.vcpu0 {
${ENABLE}
  mmio write 0x20000000 = 0x1234
  pci write dev pmcsr.state = D1
  pci write dev pmcsr.state = D0
  expect dev.resets == 0
  mmio read 0x20000000
  expect x0 == 0x1234
}
`);
  });
});

describe('PCI PM: MMIO in low-power states (DOMAIN.md 4.2)', () => {
  for (const [state, options] of [
    ['D1', 'pm d1'],
    ['D2', 'pm d2'],
    ['D3hot', 'no_soft_reset true'],
  ] as const) {
    it(`in ${state} BAR reads return all ones and writes are dropped, recorded as blocked`, () => {
      const r = run(`${world(options)}
g.vcpu0 {
${ENABLE}
  mmio write 0x20000000 = 0x1234
  pci write dev pmcsr.state = ${state}
  expect dev.decodes == 0
  mmio read 0x20000000
  expect x0 == 0xffffffff
  mmio read 0x20000000 width 16
  expect x0 == 0xffff
  mmio read 0x20000000 width 64
  expect x0 == -1
  mmio write 0x20000000 = 0x9999
  pci write dev pmcsr.state = D0
  mmio read 0x20000000
  expect x0 == 0x1234, "the write in ${state} did not reach the device"
}
`);
      assert.deepStrictEqual(r.failures, []);
      const mmio = eventsOf(r.events, 'mmio');
      assert.deepStrictEqual(
        mmio.map((e) => [e.access, e.width, e.blocked, e.device]),
        [
          ['write', 32, false, 'dev'],
          ['read', 32, true, 'dev'],
          ['read', 16, true, 'dev'],
          ['read', 64, true, 'dev'],
          ['write', 32, true, 'dev'],
          ['read', 32, false, 'dev'],
        ],
      );
      assert.ok(mmio[1].target.includes(`in ${state}`), mmio[1].target);
      assert.strictEqual(mmio[4].value, 0x9999n);
      const violations = eventsOf(r.events, 'violation').map((e) => e.invariant);
      assert.deepStrictEqual(violations, [
        'mmio-to-sleeping-bar',
        'mmio-to-sleeping-bar',
        'mmio-to-sleeping-bar',
        'mmio-to-sleeping-bar',
      ]);
    });
  }

  it('in D0 with Command.Memory = 0 MMIO is refused (all ones, write dropped) without a sleeping-BAR violation', () => {
    const r = runGreen(`${world()}
g.vcpu0 {
${ENABLE}
  mmio write 0x20000000 = 0x1234
  pci write dev command.memory = 0
  expect dev.decodes == 0
  mmio read 0x20000000
  expect x0 == 0xffffffff
  mmio write 0x20000000 = 0x9999
  pci write dev command.memory = 1
  mmio read 0x20000000
  expect x0 == 0x1234
}
`);
    const blocked = eventsOf(r.events, 'mmio').filter((e) => e.blocked);
    assert.strictEqual(blocked.length, 2);
    assert.ok(blocked[0].target.includes('Command.Memory is 0'), blocked[0].target);
    assert.deepStrictEqual(eventsOf(r.events, 'violation'), []);
  });
});

describe('PCI config accesses: widths and read-modify-write', () => {
  it('raw offset accesses honour the width: bytes, words and dwords of PMCSR', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci write dev 0x45 = 0x01 width 8
  expect dev.pmcsr == 0x0100, "a byte write to PMCSR's upper half sets PME_En without touching PowerState"
  pci write dev 0x44 = 0x03 width 8
  expect dev.pmcsr == 0x0103
  pci read dev 0x44 width 8
  expect x0 == 0x03
  pci read dev 0x44 width 16
  expect x0 == 0x0103
  pci read dev 0x42 width 16
  expect x0 == 0x0003
  pci read dev 0x40 width 32
  expect x0 == 0x00030001, "cap ID 0x01, next 0, PMC 0x0003"
  pci read dev 0x40 width 8
  expect x0 == 0x01
  pci write dev 0x44 = 0x0000 width 32
  expect dev.pmcsr == 0, "a dword write at 0x44 reaches PMCSR"
  expect dev.dstate == D0
}
`);
  });

  it('field writes are read-modify-write of their register', () => {
    runGreen(`${world()}
g.vcpu0 {
  pci write dev command.bus_master = 1
  pci write dev command.memory = 1
  expect dev.command == 0x0006
  pci write dev command.bus_master = 0
  expect dev.command == 0x0002
  pci write dev pmcsr.data_select = 5
  pci write dev pmcsr.pme_en = 1
  expect dev.pmcsr == 0x0b00
}
`);
  });

  it('writing pmcsr.state writes back a set PME_Status and so clears it (as Linux pci_set_power_state does)', () => {
    green(
      runWithHardware(
        `${world('pme d0 d3hot')}
g.vcpu0 {
  pci write dev pmcsr.pme_en = 1
  signal pme
  expect dev.pmcsr == 0x8100
  pci write dev pmcsr.state = D3hot
  expect dev.pmcsr == 0x0103, "PME_Status cleared by the read-modify-write, PME_En kept"
}
`,
        PME,
      ),
    );
  });
});
