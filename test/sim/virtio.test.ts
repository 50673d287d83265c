// virtio-pci devices and the Linux virtio core's PM path (DOMAIN.md 6.1-6.3; the status writes the captured guest
// made, REAL-GUEST.md "What the devices saw"). A virtio function boots with its driver bound: BAR0 (16 KiB) at
// 0x10000000 + index * 0x100000, Command = Memory | Bus Master, status 15 (ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK).
// virtio-gpio keeps its pin directions in BAR0 word 0 and its levels in word 1 (`pin_directions`, `pin_levels`).

import * as assert from 'assert';
import { diagnosticLines, eventsOf, runGreen, RunResult } from '../helpers';

function world(devices: string): string {
  return `vm g {
  hypervisor kvm
${devices}
}
`;
}

/** The device status after each status write the device saw, in order. */
function statusWrites(r: RunResult, device: string): number[] {
  return eventsOf(r.events, 'device')
    .filter((e) => e.device === device && e.what.startsWith('virtio status '))
    .map((e) => Number(/-> (\d+)/.exec(e.what)![1]));
}

function violations(r: RunResult): string[] {
  return eventsOf(r.events, 'violation').map((e) => e.invariant);
}

/** Sets the pins of a virtio-gpio at index 0 (BAR0 0x10000000): directions 0xff, levels 0x5a. */
const SET_PINS = `
  mmio write 0x10000000 = 0xff
  mmio write 0x10000004 = 0x5a
  expect gpio0.pin_directions == 0xff && gpio0.pin_levels == 0x5a
`;

describe('virtio: device status (DOMAIN.md 6.1)', () => {
  it('a booted device is DRIVER_OK (15) with VERSION_1 negotiated, Memory and Bus Master on', () => {
    runGreen(`${world('  device net virtio-net at 00:01.0\n  device blk virtio-blk at 00:02.0\n  device gpio0 virtio-gpio at 00:03.0')}
g.vcpu0 {
  expect net.status == 15
  expect net.status == (ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK)
  expect ACKNOWLEDGE == 1 && DRIVER == 2 && DRIVER_OK == 4 && FEATURES_OK == 8 && SUSPEND == 16 && DEVICE_NEEDS_RESET == 64 && FAILED == 128
  expect net.features == 1 << 32 && net.driver_features == 1 << 32
  expect net.command == 0x0006
  expect net.vendor_id == 0x1af4 && net.device_id == 0x1041
  expect blk.device_id == 0x1042 && gpio0.device_id == 0x1069
  expect net.bar0 == 0x10000000 && blk.bar0 == 0x10100000 && gpio0.bar0 == 0x10200000
  expect blk.status == 15 && gpio0.status == 15
}
`);
  });

  it('`virtio status DEV = 0` resets the device: status 0, nothing negotiated, the BAR0 context gone', () => {
    const r = runGreen(`${world('  device gpio0 virtio-gpio at 00:01.0')}
g.vcpu0 {
${SET_PINS}
  virtio status gpio0 = 0
  expect gpio0.status == 0
  expect gpio0.driver_features == 0
  expect gpio0.resets == 1
  expect gpio0.pin_directions == 0 && gpio0.pin_levels == 0
  mmio read 0x10000004
  expect x0 == 0
}
`);
    assert.deepStrictEqual(statusWrites(r, 'gpio0'), [0]);
  });

  it('the status bits are added one write at a time; FEATURES_OK accepts the offered features', () => {
    runGreen(`${world('  device net virtio-net at 00:01.0')}
g.vcpu0 {
  virtio status net = 0
  virtio status net = ACKNOWLEDGE
  expect net.status == 1
  virtio status net = ACKNOWLEDGE | DRIVER
  expect net.status == 3 && net.driver_features == 0
  virtio status net = ACKNOWLEDGE | DRIVER | FEATURES_OK
  expect net.status == 11 && net.driver_features == 1 << 32
  virtio status net = ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK
  expect net.status == 15
}
`);
  });
});

describe('virtio: freeze and restore (DOMAIN.md 6.1, REAL-GUEST.md)', () => {
  for (const [model, dev] of [
    ['virtio-net', 'net'],
    ['virtio-blk', 'blk'],
  ] as const) {
    it(`freeze of ${model} resets the device (status 0) and drops Bus Master; Memory stays on`, () => {
      const r = runGreen(`${world(`  device ${dev} ${model} at 00:01.0`)}
g.vcpu0 {
  virtio freeze ${dev}
  expect ${dev}.status == 0
  expect ${dev}.resets == 1
  expect ${dev}.command.bus_master == 0
  expect ${dev}.command.memory == 1
}
`);
      assert.deepStrictEqual(statusWrites(r, dev), [0]);
      const what = eventsOf(r.events, 'device').map((e) => e.what);
      assert.strictEqual(what[0], 'virtio_device_freeze');
    });
  }

  it('freeze of virtio-gpio does not reset it (no freeze callback) but drops Bus Master', () => {
    const r = runGreen(`${world('  device gpio0 virtio-gpio at 00:01.0')}
g.vcpu0 {
  virtio freeze gpio0
  expect gpio0.status == 15
  expect gpio0.resets == 0
  expect gpio0.command.bus_master == 0
}
`);
    assert.deepStrictEqual(statusWrites(r, 'gpio0'), []);
  });

  it('restore writes status 0, 1, 3, 11, 15 in that order and gives Bus Master back', () => {
    const r = runGreen(`${world('  device net virtio-net at 00:01.0')}
g.vcpu0 {
  virtio freeze net
  virtio restore net
  expect net.status == 15
  expect net.command == 0x0006
  expect net.driver_features == 1 << 32
  expect net.resets == 2, "one reset in the freeze, one at the start of the restore"
}
`);
    assert.deepStrictEqual(statusWrites(r, 'net'), [0, 0, 1, 3, 11, 15]);
  });

  it('restore of a device whose driver had FAILED re-adds FAILED after ACKNOWLEDGE, as a write of its own', () => {
    const r = runGreen(`${world('  device net virtio-net at 00:01.0')}
g.vcpu0 {
  virtio status net = 15 | FAILED
  virtio freeze net
  virtio restore net
  expect net.status == 143
}
`);
    assert.deepStrictEqual(statusWrites(r, 'net'), [143, 0, 0, 1, 129, 131, 139, 143]);
  });

  it('virtio-net rebuilds its BAR0 context in its restore callback: nothing is lost', () => {
    const r = runGreen(`${world('  device net virtio-net at 00:01.0')}
g.vcpu0 {
  mmio write 0x10000008 = 0xabcd
  virtio freeze net
  virtio restore net
  mmio read 0x10000008
  expect x0 == 0xabcd
}
`);
    assert.deepStrictEqual(violations(r), []);
  });
});

describe('virtio-gpio pin state across suspend (DOMAIN.md 6.1-6.3)', () => {
  it('freeze/restore loses the pins (BAR0 words 0 and 1) and virtio-reset-loses-context fires', () => {
    const r = runGreen(`${world('  device gpio0 virtio-gpio at 00:01.0')}
g.vcpu0 {
${SET_PINS}
  virtio freeze gpio0
  expect gpio0.pin_levels == 0x5a, "no freeze callback: the pins are still there"
  virtio restore gpio0
  expect gpio0.pin_directions == 0
  expect gpio0.pin_levels == 0
  mmio read 0x10000000
  expect x0 == 0
  mmio read 0x10000004
  expect x0 == 0
  expect gpio0.status == 15
}
`);
    assert.deepStrictEqual(statusWrites(r, 'gpio0'), [0, 1, 3, 11, 15]);
    const lost = eventsOf(r.events, 'context.lost');
    assert.strictEqual(lost.length, 1);
    assert.strictEqual(lost[0].device, 'gpio0');
    assert.deepStrictEqual(violations(r), ['virtio-reset-loses-context']);
  });

  it("in the captured guest's order (freeze, D3hot, D0, restore) the pins are lost too and the invariant still fires", () => {
    const r = runGreen(`${world('  device gpio0 virtio-gpio at 00:01.0')}
g.vcpu0 {
${SET_PINS}
  virtio freeze gpio0
  pci write gpio0 pmcsr.state = D3hot
  pci write gpio0 pmcsr.state = D0
  expect gpio0.resets == 1, "No_Soft_Reset = 0: the function reset on D3hot -> D0"
  virtio restore gpio0
  expect gpio0.pin_directions == 0 && gpio0.pin_levels == 0
  expect gpio0.status == 15
}
`);
    assert.deepStrictEqual(violations(r), ['virtio-reset-loses-context']);
  });

  it('with `no_soft_reset true` (the no-reset PM path) freeze and restore are skipped: pins kept, nothing fires', () => {
    const r = runGreen(`${world('  device gpio0 virtio-gpio at 00:01.0 { no_soft_reset true }')}
g.vcpu0 {
${SET_PINS}
  virtio freeze gpio0
  expect gpio0.status == 15
  expect gpio0.command.bus_master == 1, "virtio_pci_suspend returns before pci_disable_device"
  virtio restore gpio0
  expect gpio0.pin_directions == 0xff && gpio0.pin_levels == 0x5a
  expect gpio0.resets == 0
}
`);
    assert.deepStrictEqual(statusWrites(r, 'gpio0'), []);
    const what = eventsOf(r.events, 'device').map((e) => e.what);
    assert.deepStrictEqual(what, ['virtio_pci_suspend: no freeze', 'virtio_pci_resume: no restore']);
    assert.deepStrictEqual(violations(r), []);
  });

  it('with `feature suspend` the SUSPEND handshake replaces the reset: SUSPEND set and DRIVER_OK clear, then back', () => {
    // The Linux RFC negotiates VIRTIO_F_SUSPEND only when PMCSR has No_Soft_Reset (DOMAIN.md 6.3), so both are on.
    const r = runGreen(`${world('  device gpio0 virtio-gpio at 00:01.0 { no_soft_reset true; feature suspend }')}
g.vcpu0 {
  expect gpio0.features == (1 << 32 | 1 << 43)
  expect gpio0.driver_features == (1 << 32 | 1 << 43)
${SET_PINS}
  virtio freeze gpio0
  expect (gpio0.status & SUSPEND) != 0
  expect (gpio0.status & DRIVER_OK) == 0
  expect gpio0.status == (ACKNOWLEDGE | DRIVER | FEATURES_OK | SUSPEND)
  virtio restore gpio0
  expect gpio0.status == 15, "DRIVER_OK back, SUSPEND clear"
  expect gpio0.pin_directions == 0xff && gpio0.pin_levels == 0x5a
  expect gpio0.resets == 0
}
`);
    assert.deepStrictEqual(statusWrites(r, 'gpio0'), [27, 15]);
    assert.deepStrictEqual(violations(r), []);
  });

  it('SUSPEND is ignored unless the feature was negotiated and the device is DRIVER_OK', () => {
    runGreen(`${world('  device a virtio-gpio at 00:01.0\n  device b virtio-gpio at 00:02.0 { no_soft_reset true; feature suspend }')}
g.vcpu0 {
  virtio status a = 15 | SUSPEND
  expect a.status == 15, "VIRTIO_F_SUSPEND not offered"
  virtio status b = 0
  virtio status b = 11
  virtio status b = 11 | SUSPEND
  expect b.status == 11, "initialisation not complete"
}
`);
  });

  it('with `reset_on_restore false` restore does not reset: status 1, 3, 11, 15 and the pins are kept', () => {
    const r = runGreen(`${world('  device gpio0 virtio-gpio at 00:01.0 { reset_on_restore false }')}
g.vcpu0 {
${SET_PINS}
  virtio freeze gpio0
  virtio restore gpio0
  expect gpio0.pin_directions == 0xff && gpio0.pin_levels == 0x5a
  expect gpio0.resets == 0
  expect gpio0.status == 15
}
`);
    assert.deepStrictEqual(statusWrites(r, 'gpio0'), [1, 3, 11, 15]);
    assert.deepStrictEqual(violations(r), []);
  });
});

describe('VIRTIO_F_SUSPEND and No_Soft_Reset: the virtio 1.4 rule by default, the Linux RFC as `suspend_rule rfc` (DOMAIN.md 6.3)', () => {
  it('by default (`suspend_rule spec`) `feature suspend` is offered without No_Soft_Reset, and no warning', () => {
    // virtio-v1.4-cs01 (VIRTIO_F_SUSPEND, device status SUSPEND) ties the feature to nothing in PCI PM.
    const text = `${world('  device gpio0 virtio-gpio at 00:01.0 { feature suspend }')}
g.vcpu0 {
  expect gpio0.features == (1 << 32 | 1 << 43)
  expect gpio0.driver_features == (1 << 32 | 1 << 43)
${SET_PINS}
  virtio freeze gpio0
  expect gpio0.status == (ACKNOWLEDGE | DRIVER | FEATURES_OK | SUSPEND)
  virtio restore gpio0
  expect gpio0.status == 15
  expect gpio0.pin_directions == 0xff && gpio0.pin_levels == 0x5a
  expect gpio0.resets == 0
}
`;
    assert.deepStrictEqual(diagnosticLines(text), []);
    const r = runGreen(text);
    assert.deepStrictEqual(statusWrites(r, 'gpio0'), [27, 15]);
    assert.deepStrictEqual(violations(r), []);
  });

  it('`suspend_rule rfc`: the transport offers VIRTIO_F_SUSPEND only with No_Soft_Reset (a warning without it)', () => {
    const text = `${world('  device a virtio-gpio at 00:01.0 { feature suspend; suspend_rule rfc }\n  device b virtio-gpio at 00:02.0 { feature suspend; suspend_rule rfc; no_soft_reset true }')}
g.vcpu0 {
  expect a.features == (1 << 32), "not offered without No_Soft_Reset"
  expect b.features == (1 << 32 | 1 << 43)
  virtio status a = 15 | SUSPEND
  expect a.status == 15
}
`;
    assert.deepStrictEqual(diagnosticLines(text), [
      "3:37 warning VIRTIO_F_SUSPEND is only offered with 'no_soft_reset true' under 'suspend_rule rfc' (the Linux RFC's PCI transport requires No_Soft_Reset): this feature is not negotiated",
    ]);
    runGreen(text);
  });

  it('spec rule, D3hot without No_Soft_Reset: the function reset drops SUSPEND and the pins; restore re-initialises and the loss is reported', () => {
    const r = runGreen(`${world('  device gpio0 virtio-gpio at 00:01.0 { feature suspend }')}
g.vcpu0 {
${SET_PINS}
  virtio freeze gpio0
  expect gpio0.status == (ACKNOWLEDGE | DRIVER | FEATURES_OK | SUSPEND)
  pci write gpio0 pmcsr.state = D3hot
  pci write gpio0 pmcsr.state = D0
  expect gpio0.status == 0, "No_Soft_Reset = 0: the function reset on D3hot -> D0"
  virtio restore gpio0
  expect gpio0.status == 15
  expect gpio0.pin_directions == 0 && gpio0.pin_levels == 0
}
`);
    assert.deepStrictEqual(violations(r), ['virtio-reset-loses-context']);
  });
});
