// What real KVM was observed to do (DOMAIN.md 2b: Linux 6.1.192 and 6.12.118, arm64, VHE and nVHE; the raw capture
// of 6.12 VHE is /work/shared/captures/kvm-6.12-vhe, psci_probe.out.txt cases A-G). One test per fact of that list,
// each named after it. Those kernels default to PSCI 1.1 (KVM_ARM_PSCI_1_1); the simulator's KVM defaults to 1.3
// (KVM_ARM_PSCI_LATEST since Linux 6.13), so the scenarios that depend on the version say `psci 1.1`.

import * as assert from 'assert';
import { instrAddress } from '../../src/lang/program';
import { KVM_SYSTEM_EVENT_TYPE } from '../../src/sim/trace';
import { eventsOf, run, runGreen, RunResult } from '../helpers';

function exits(r: RunResult): string[] {
  return eventsOf(r.events, 'vmm.exit').map((e) => e.exit);
}

function labelAddress(r: RunResult, label: string, vm = 0): bigint {
  const cfg = r.machine.program.vms[vm];
  const index = cfg.labels.get(label);
  assert.ok(index !== undefined, `no label ${label}`);
  return instrAddress(cfg, index);
}

/** A one-vCPU guest as on those kernels (PSCI 1.1) whose VMM confirms SYSTEM_SUSPEND and answers a wake-up as told. */
function suspendingGuest(wakeup: 'resume' | 'ignore'): string {
  return `vm guest {
  hypervisor kvm psci 1.1
  vcpus 1
  on system_suspend: confirm
  on wakeup: ${wakeup}
}`;
}

/** A second VM to look at the suspended guest from: nothing of the guest itself runs while it is suspended. */
const WATCHER = 'vm watcher { hypervisor kvm; vcpus 1 }';

describe('KVM as observed on Linux 6.1 and 6.12 (DOMAIN.md 2b)', () => {
  it('"PSCI version register 0x10001 (PSCI 1.1); SMCCC_VERSION 0x10001; MIGRATE_INFO_TYPE 2; an unassigned function ID (0xc400001f) is NOT_SUPPORTED (-1, all 64 bits set)"', () => {
    const r = runGreen(`
vm guest { hypervisor kvm psci 1.1; vcpus 1 }
guest.vcpu0 {
  psci PSCI_VERSION
  expect x0 == 0x10001
  smc 0x80000000
  expect x0 == 0x10001, "SMCCC_VERSION 1.1"
  psci MIGRATE_INFO_TYPE
  expect x0 == 2
  hvc 0xc400001f
  expect x0 == 0xffffffffffffffff
}
`);
    assert.deepStrictEqual(exits(r), []);
  });

  it('"PSCI_FEATURES: CPU_ON64, CPU_OFF, AFFINITY_INFO64, CPU_SUSPEND64 (no flags), SYSTEM_RESET2_64, PSCI_FEATURES itself are 0; MIGRATE64 and SYSTEM_OFF2_64 are NOT_SUPPORTED; SYSTEM_SUSPEND (32 and 64) is NOT_SUPPORTED without KVM_CAP_ARM_SYSTEM_SUSPEND and 0 with it"', () => {
    runGreen(`
vm with { hypervisor kvm psci 1.1; vcpus 1 }
vm without {
  hypervisor kvm psci 1.1 { system_suspend_exit off }
  vcpus 1
}
with.vcpu0 {
  psci PSCI_FEATURES function=0xc4000003
  expect x0 == 0, "CPU_ON64"
  psci PSCI_FEATURES function=0x84000002
  expect x0 == 0, "CPU_OFF"
  psci PSCI_FEATURES function=0xc4000004
  expect x0 == 0, "AFFINITY_INFO64"
  psci PSCI_FEATURES function=0xc4000001
  expect x0 == 0, "CPU_SUSPEND64, no flags"
  psci PSCI_FEATURES function=0xc4000012
  expect x0 == 0, "SYSTEM_RESET2_64"
  psci PSCI_FEATURES function=0x8400000a
  expect x0 == 0, "PSCI_FEATURES"
  psci PSCI_FEATURES function=0xc4000005
  expect x0 == NOT_SUPPORTED, "MIGRATE64"
  psci PSCI_FEATURES function=0xc4000015
  expect x0 == NOT_SUPPORTED, "SYSTEM_OFF2_64 (PSCI 1.3)"
  psci PSCI_FEATURES function=0x8400000e
  expect x0 == 0, "SYSTEM_SUSPEND32 with the capability"
  psci PSCI_FEATURES function=0xc400000e
  expect x0 == 0, "SYSTEM_SUSPEND64 with the capability"
}
without.vcpu0 {
  psci PSCI_FEATURES function=0x8400000e
  expect x0 == NOT_SUPPORTED
  psci PSCI_FEATURES function=0xc400000e
  expect x0 == NOT_SUPPORTED
}
`);
  });

  it('"With the PSCI version register set to 0.2, SYSTEM_SUSPEND is NOT_SUPPORTED even with the capability (no exit); with 1.0 it exits, and SYSTEM_RESET2 is NOT_SUPPORTED"', () => {
    const v02 = runGreen(`
vm guest { hypervisor kvm psci 0.2; vcpus 1 }
guest.vcpu0 {
  psci PSCI_VERSION
  expect x0 == 2
  psci PSCI_FEATURES function=0xc400000e
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_SUSPEND entry=never context=0xdeadc0de
  expect x0 == NOT_SUPPORTED && x1 == 0 && x2 == 0 && x3 == 0
  halt
never:
  expect false
}
`);
    assert.deepStrictEqual(exits(v02), []);
    const v10 = run(`
vm guest {
  hypervisor kvm psci 1.0
  vcpus 1
  on system_suspend: defer
}
guest.vcpu0 {
  psci PSCI_VERSION
  expect x0 == 0x10000
  psci PSCI_FEATURES function=0xc400000e
  expect x0 == 0
  psci PSCI_FEATURES function=0xc4000012
  expect x0 == NOT_SUPPORTED, "SYSTEM_RESET2 is PSCI 1.1"
  psci SYSTEM_SUSPEND entry=never context=0xdeadc0de
never:
  halt
}
`);
    assert.deepStrictEqual(v10.failures, []);
    assert.deepStrictEqual(exits(v10), ['SUSPEND']);
  });

  it('"Without the capability, SYSTEM_SUSPEND is completed in the kernel with NOT_SUPPORTED, no exit"', () => {
    const r = runGreen(`
vm guest {
  hypervisor kvm psci 1.1 { system_suspend_exit off }
  vcpus 2
}
guest.vcpu0 {
  psci SYSTEM_SUSPEND64 entry=never context=0xdeadc0de
  expect x0 == NOT_SUPPORTED && x1 == 0 && x2 == 0 && x3 == 0
  psci SYSTEM_SUSPEND32 entry=never context=0xdeadc0de
  expect x0 == NOT_SUPPORTED && x1 == 0 && x2 == 0 && x3 == 0
  halt
never:
  expect false
}
`);
    assert.deepStrictEqual(exits(r), []);
  });

  it('"Every call KVM completes in the kernel leaves x1-x3 = 0 in the caller"', () => {
    runGreen(`
vm guest { hypervisor kvm psci 1.1; vcpus 2 }
guest.vcpu1 { psci CPU_OFF }
guest.vcpu0 {
  wait vcpu1.mp_state == STOPPED
  psci PSCI_VERSION
  expect x1 == 0 && x2 == 0 && x3 == 0
  smc 0x80000000 x1=5 x2=6 x3=7
  expect x1 == 0 && x2 == 0 && x3 == 0, "SMCCC_VERSION"
  psci PSCI_FEATURES function=0xc4000003
  expect x1 == 0 && x2 == 0 && x3 == 0
  psci MIGRATE_INFO_TYPE
  expect x1 == 0 && x2 == 0 && x3 == 0
  psci AFFINITY_INFO target=vcpu1 level=0
  expect x0 == OFF && x1 == 0 && x2 == 0 && x3 == 0
  psci AFFINITY_INFO target=vcpu1 level=4
  expect x0 == INVALID_PARAMETERS && x1 == 0 && x2 == 0 && x3 == 0
  psci CPU_ON target=0xff entry=secondary context=9
  expect x0 == INVALID_PARAMETERS && x1 == 0 && x2 == 0 && x3 == 0
  psci CPU_ON target=vcpu0 entry=secondary context=9
  expect x0 == ALREADY_ON && x1 == 0 && x2 == 0 && x3 == 0
  psci CPU_ON target=vcpu1 entry=secondary context=9
  expect x0 == SUCCESS && x1 == 0 && x2 == 0 && x3 == 0
  hvc 0xc400001f x1=5 x2=6 x3=7
  expect x0 == NOT_SUPPORTED && x1 == 0 && x2 == 0 && x3 == 0
  halt
secondary:
  halt
}
`);
  });

  it('"With the capability, SYSTEM_SUSPEND always exits to the VMM (type 5 SUSPEND), even while another vCPU is ON; the caller\'s registers are untouched (x0 = the function ID, x1 = entry, x2 = context, pc after the HVC), SYSTEM_SUSPEND32 narrowed; its MP state is still RUNNABLE"', () => {
    const r = run(`
vm guest {
  hypervisor kvm psci 1.1
  vcpus 2
  on system_suspend: defer
}
guest.vcpu1 {
  delay 10ms
}
guest.vcpu0 {
  expect vcpu1.mp_state == RUNNABLE
  psci SYSTEM_SUSPEND64 entry=0xfeedf00d context=0xdeadc0de
after:
  expect false, "returned without an answer from the VMM"
}
`);
    assert.deepStrictEqual(r.failures, []);
    assert.deepStrictEqual(exits(r), ['SUSPEND']);
    assert.strictEqual(eventsOf(r.events, 'vmm.exit')[0].flags, 0, 'ndata 0');
    assert.strictEqual(KVM_SYSTEM_EVENT_TYPE.SUSPEND, 5);
    const read = (f: string) => r.machine.readVcpuField(0, 0, f);
    assert.strictEqual(read('x0'), 0xc400000en);
    assert.strictEqual(read('x1'), 0xfeedf00dn);
    assert.strictEqual(read('x2'), 0xdeadc0den);
    assert.strictEqual(read('pc'), labelAddress(r, 'after'));
    assert.strictEqual(read('mp_state'), 0n, 'RUNNABLE');
    assert.ok(!eventsOf(r.events, 'psci.return').some((e) => e.fn === 'SYSTEM_SUSPEND'), 'KVM never answers DENIED');

    const narrow = run(`
vm guest {
  hypervisor kvm psci 1.1
  vcpus 1
  on system_suspend: defer
}
guest.vcpu0 {
  psci SYSTEM_SUSPEND32 entry=0x123456789 context=0xffffffffcafef00d
  halt
}
`);
    assert.deepStrictEqual(exits(narrow), ['SUSPEND']);
    assert.strictEqual(narrow.machine.readVcpuField(0, 0, 'x0'), 0x8400000en);
    assert.strictEqual(narrow.machine.readVcpuField(0, 0, 'x1'), 0x23456789n);
    assert.strictEqual(narrow.machine.readVcpuField(0, 0, 'x2'), 0xcafef00dn);
  });

  it('"A VMM that re-enters without answering leaves the guest seeing x0 = its own function ID"', () => {
    // psci_probe cases B and F: \`on system_suspend: resume\` is that VMM.
    const r = runGreen(`
vm guest {
  hypervisor kvm psci 1.1
  vcpus 1
  on system_suspend: resume
}
guest.vcpu0 {
  psci SYSTEM_SUSPEND64 entry=0xfeedf00d context=0xdeadc0de
  expect x0 == 0xc400000e && x1 == 0xfeedf00d && x2 == 0xdeadc0de
  psci SYSTEM_SUSPEND32 entry=0x123456789 context=0xcafef00d
  expect x0 == 0x8400000e && x1 == 0x23456789 && x2 == 0xcafef00d
  expect vcpu0.mp_state == RUNNABLE
}
`);
    assert.deepStrictEqual(exits(r), ['SUSPEND', 'SUSPEND']);
  });

  it('"After the VMM sets KVM_MP_STATE_SUSPENDED, KVM_RUN blocks. A raised interrupt gives a WAKEUP exit (type 4) even with PSTATE.I masked"', () => {
    const r = runGreen(`
${suspendingGuest('resume')}
${WATCHER}
host { at 2ms: irq 40 -> guest }
watcher.vcpu0 {
  wait guest.vcpu0.mp_state == SUSPENDED
  expect (guest.vcpu0.daif & 2) != 0, "PSTATE.I masked while suspended"
}
guest.vcpu0 {
  irq enable 40 wake
  set daif = 0xf
  psci SYSTEM_SUSPEND entry=resume context=1
  halt
resume:
  expect now >= 2ms
}
`);
    assert.deepStrictEqual(exits(r), ['SUSPEND', 'WAKEUP']);
    assert.strictEqual(KVM_SYSTEM_EVENT_TYPE.WAKEUP, 4);
    assert.strictEqual(eventsOf(r.events, 'vmm.exit')[1].t, 2_000_000);
  });

  it('"the MP state stays SUSPENDED after that exit until the VMM sets RUNNABLE, and running again with the line still high gives another WAKEUP at once"', () => {
    const r = run(`
${suspendingGuest('ignore')}
${WATCHER}
host { at 1ms: irq 40 -> guest }
watcher.vcpu0 {
  wait guest.vcpu0.mp_state == SUSPENDED
  delay 2ms
  expect guest.vcpu0.mp_state == SUSPENDED, "after the WAKEUP exits: the VMM never set RUNNABLE"
}
guest.vcpu0 {
  irq enable 40 wake
  psci SYSTEM_SUSPEND entry=back context=3
back:
  expect false, "resumed although the VMM never set RUNNABLE"
}
`);
    assert.deepStrictEqual(r.failures, []);
    const wakeups = eventsOf(r.events, 'vmm.exit').filter((e) => e.exit === 'WAKEUP');
    assert.strictEqual(wakeups.length, 2, 'another WAKEUP after the ignored one (then the VMM spins)');
    assert.strictEqual(wakeups[1].t, wakeups[0].t, 'at once');
    assert.strictEqual(r.machine.readVcpuField(0, 0, 'mp_state'), 10n, 'still SUSPENDED');
    assert.strictEqual(r.stop.kind, 'outcome');
    assert.ok(r.stop.kind === 'outcome' && r.stop.outcome.kind === 'hang');
    assert.match(r.stop.outcome.waiting.join('\n'), /guest\.vcpu0 .*VMM ignores the WAKEUP exit/);
  });

  it('"With the in-kernel vGICv3, an SPI the guest disabled in the distributor does not wake the vCPU; an enabled one does, and after resuming the guest acknowledges it"', () => {
    const r = runGreen(`
${suspendingGuest('resume')}
host {
  at 1ms: irq 41 -> guest
  at 3ms: irq 40 -> guest
}
guest.vcpu0 {
  irq enable 40 wake
  psci SYSTEM_SUSPEND entry=resume context=1
  halt
resume:
  expect now >= 3ms, "SPI 41 (disabled) did not wake it"
  expect irq 40 pending, "the enabled SPI is still there for the guest to acknowledge"
}
`);
    const wakeups = eventsOf(r.events, 'vmm.exit').filter((e) => e.exit === 'WAKEUP');
    assert.deepStrictEqual(
      wakeups.map((e) => e.t),
      [3_000_000],
    );
  });

  it('"On resume (VMM sets RUNNABLE) KVM writes no return value and does not move pc to the entry point: resetting the vCPU to entry with x0 = context is the VMM\'s job"', () => {
    // The modelled VMM resets the vCPU when it confirms (DOMAIN.md 2.4): at the WAKEUP exit pc and x0 are already the
    // entry point and the context, and the resume itself returns nothing.
    const r = runGreen(`
${suspendingGuest('resume')}
${WATCHER}
host { at 1ms: irq 40 -> guest }
watcher.vcpu0 {
  wait guest.vcpu0.mp_state == SUSPENDED
  expect guest.vcpu0.x0 == 0x5eed, "set by the VMM before KVM_SET_MP_STATE"
  set x5 = guest.vcpu0.pc
}
guest.vcpu0 {
  irq enable 40 wake
  psci SYSTEM_SUSPEND entry=resume context=0x5eed
  halt
resume:
  expect x0 == 0x5eed
}
`);
    assert.ok(!eventsOf(r.events, 'psci.return').some((e) => e.fn === 'SYSTEM_SUSPEND'), 'no return value written');
    assert.strictEqual(r.machine.readVcpuField(1, 0, 'x5'), labelAddress(r, 'resume'), 'pc = entry while suspended');
  });

  it('"CPU_ON: to a STOPPED vCPU 0; to a vCPU that is ON, or that was CPU_ON\'d and has not run yet, ALREADY_ON, never ON_PENDING; to an unknown MPIDR INVALID_PARAMETERS. Before the target runs: pc = entry, x0 = context, x1-x3 = 0, PSTATE EL1h with DAIF masked, MMU off, MP state RUNNABLE"', () => {
    // The target's first statement waits, so its pc stays at the entry point while the caller looks.
    runGreen(`
vm guest { hypervisor kvm psci 1.1; vcpus 3 }
guest.vcpu1 { psci CPU_OFF }
guest.vcpu2 { psci CPU_OFF }
guest.vcpu0 {
  wait vcpu1.mp_state == STOPPED && vcpu2.mp_state == STOPPED
  psci CPU_ON target=0xff entry=secondary context=0xdeadc0de
  expect x0 == INVALID_PARAMETERS
  psci CPU_ON target=vcpu0 entry=secondary context=0xdeadc0de
  expect x0 == ALREADY_ON
  psci CPU_ON target=vcpu1 entry=secondary context=0xdeadc0de
  expect x0 == SUCCESS
  expect vcpu1.pc == secondary && vcpu1.x0 == 0xdeadc0de
  expect vcpu1.x1 == 0 && vcpu1.x2 == 0 && vcpu1.x3 == 0
  expect vcpu1.el == 1 && vcpu1.daif == 0xf && vcpu1.mmu == 0
  expect vcpu1.mp_state == RUNNABLE
  psci CPU_ON target=vcpu1 entry=secondary context=0
  expect x0 == ALREADY_ON, "CPU_ON'd and not run yet: not ON_PENDING"
  signal go
  halt
secondary:
  wait signal go
}
`);
  });

  it('"AFFINITY_INFO: OFF (1) for a STOPPED target, ON (0) for a running one; at level 1, ON while any vCPU of that affinity group is on; level 4 or an unknown target INVALID_PARAMETERS"', () => {
    runGreen(`
vm guest { hypervisor kvm psci 1.1; vcpus 2 }
guest.vcpu1 { psci CPU_OFF }
guest.vcpu0 {
  wait vcpu1.mp_state == STOPPED
  psci AFFINITY_INFO target=vcpu1 level=0
  expect x0 == OFF
  psci AFFINITY_INFO target=vcpu0 level=0
  expect x0 == ON
  psci AFFINITY_INFO target=vcpu1 level=1
  expect x0 == ON, "vcpu0 is in the same Aff1 group"
  psci AFFINITY_INFO target=vcpu1 level=4
  expect x0 == INVALID_PARAMETERS
  psci AFFINITY_INFO target=0xff level=0
  expect x0 == INVALID_PARAMETERS
}
`);
  });

  it('"CPU_OFF makes no exit: the vCPU blocks inside KVM_RUN, its MP state STOPPED, pc after the HVC, x0-x3 = 0"', () => {
    const r = runGreen(`
vm guest { hypervisor kvm psci 1.1; vcpus 2 }
guest.vcpu1 {
  hvc 0x84000002 x1=5 x3=7
after:
  expect false, "CPU_OFF returned"
}
guest.vcpu0 {
  wait vcpu1.mp_state == STOPPED
  expect vcpu1.pc == after
  expect vcpu1.x0 == 0 && vcpu1.x1 == 0 && vcpu1.x2 == 0 && vcpu1.x3 == 0
  expect vcpu1.power == OFF
}
`);
    assert.deepStrictEqual(exits(r), []);
  });
});
