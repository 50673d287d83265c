// PSCI conformance, part 3: Xen on Arm's vPSCI (DOMAIN.md 1.4-1.5 for Xen, 3.1-3.3) and the guest SYSTEM_SUSPEND
// series. Xen handles every call in the hypervisor and writes only x0 (PSCI_SET_RESULT); the toolstack's part
// (resuming a suspended domain) is the `on wakeup:` answer.

import * as assert from 'assert';
import { eventsOf, run, runGreen, RunResult } from '../helpers';

function exitKinds(r: RunResult): string[] {
  return eventsOf(r.events, 'vmm.exit').map((e) => e.exit);
}

describe('PSCI on Xen', () => {
  describe('CPU_ON (1.5, do_common_cpu_on)', () => {
    it('a Thumb entry point on a 64-bit domain is INVALID_ADDRESS and the target stays off', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu0 {
  psci CPU_ON target=vcpu1 entry=(secondary + 1) context=0
  expect x0 == INVALID_ADDRESS
  expect vcpu1.power == OFF && vcpu1.mp_state == STOPPED
  psci AFFINITY_INFO target=vcpu1 level=0
  expect x0 == OFF
  halt
secondary:
  expect false, "started at a Thumb entry point"
}
`);
    });

    it('checks in order: no such vCPU (INVALID_PARAMETERS), then Thumb (INVALID_ADDRESS), then already on (ALREADY_ON)', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu0 {
  psci CPU_ON target=5 entry=(never + 1) context=0
  expect x0 == INVALID_PARAMETERS, "no vCPU 5, whatever the entry point"
  psci CPU_ON target=vcpu0 entry=(never + 1) context=0
  expect x0 == INVALID_ADDRESS, "the Thumb check comes before the already-on check"
  psci CPU_ON target=vcpu0 entry=never context=0
  expect x0 == ALREADY_ON
  halt
never:
  expect false
}
`);
    });

    it('finds the target from the MPIDR affinity fields only (vaffinity_to_vcpuid masks MPIDR_HWID_MASK)', () => {
      // Unlike KVM, Xen ignores bits outside the affinity fields, so the raw MPIDR_EL1 value (bit 31 set) works.
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu0 {
  expect vcpu1.mpidr == 0x80000001
  psci CPU_ON target=vcpu1.mpidr entry=secondary context=9
  expect x0 == SUCCESS
  wait signal up
  halt
secondary:
  expect x0 == 9
  signal up
}
`);
    });

    it('the target starts with no pending interrupts (vgic_clear_pending_irqs)', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
host { at 1ms: irq 40 -> guest }
guest.vcpu1 {
  irq enable 40
  psci CPU_OFF
}
guest.vcpu0 {
  wait vcpu1.power == OFF
  delay 2ms
  expect irq 40 pending, "raised while vcpu1 was off"
  psci CPU_ON target=vcpu1 entry=fresh context=0
  expect x0 == SUCCESS
  wait signal checked
  halt
fresh:
  expect !(irq 40 pending), "CPU_ON cleared it"
  signal checked
}
`);
    });
  });

  describe('AFFINITY_INFO (1.4)', () => {
    it('a target that matches no vCPU is OFF, not an error; non-affinity bits are ignored', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu0 {
  psci AFFINITY_INFO target=2 level=0
  expect x0 == OFF, "no vCPU 2"
  psci AFFINITY_INFO target=0x100 level=1
  expect x0 == OFF, "no vCPU with Aff1 = 1"
  psci AFFINITY_INFO target=vcpu0.mpidr level=0
  expect x0 == ON, "bit 31 of the raw MPIDR_EL1 is masked off"
  psci AFFINITY_INFO target=vcpu1.mpidr level=0
  expect x0 == OFF
  psci AFFINITY_INFO target=vcpu0 level=4
  expect x0 == INVALID_PARAMETERS, "past the arm64 mask table (4 levels)"
}
`);
    });
  });

  describe('argument widths (vpsci.c do_vpsci_0_2_call: PSCI_ARG32 and PSCI_ARG_CONV)', () => {
    it('AFFINITY_INFO reads lowest_affinity_level as 32 bits (uint32_t laff = PSCI_ARG32(regs, 2))', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu0 {
  psci AFFINITY_INFO64 target=vcpu1 level=(1 << 32)
  expect x0 == OFF, "level 0x1_0000_0000 is level 0"
  psci AFFINITY_INFO64 target=vcpu1 level=((1 << 32) | 1)
  expect x0 == ON, "level 0x1_0000_0001 is level 1"
  expect x2 == ((1 << 32) | 1), "Xen reads the register, it does not narrow it"
  psci AFFINITY_INFO64 target=vcpu1 level=((1 << 32) | 4)
  expect x0 == INVALID_PARAMETERS, "level 4 is still past the mask table"
}
`);
    });

    it('SMC32 AFFINITY_INFO reads target_affinity as 32 bits, SMC64 as 64 (PSCI_ARG_CONV)', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 1 }
guest.vcpu0 {
  psci AFFINITY_INFO64 target=(1 << 32) level=0
  expect x0 == OFF, "SMC64: Aff3 = 1 matches no vCPU"
  psci AFFINITY_INFO32 target=(1 << 32) level=0
  expect x0 == ON, "SMC32: the upper half is dropped, target 0 is vcpu0"
  expect x1 == (1 << 32), "and x1 is left as the guest set it"
}
`);
    });

    it('SMC32 CPU_ON reads target, entry and context as 32 bits; x1..x3 are left as the guest set them', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu0 {
  psci CPU_ON32 target=((1 << 32) | 1) entry=((1 << 32) | secondary) context=0xabcdef0012345678
  expect x0 == SUCCESS, "the upper halves are dropped"
  expect x1 == ((1 << 32) | 1) && x2 == ((1 << 32) | secondary) && x3 == 0xabcdef0012345678
  wait signal up
  halt
secondary:
  expect pc == secondary
  expect x0 == 0x12345678, "context_id is 32 bits"
  signal up
}
`);
    });

    it('SMC64 CPU_ON keeps all 64 bits of entry and context', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu0 {
  psci CPU_ON64 target=vcpu1 entry=secondary context=0xabcdef0012345678
  expect x0 == SUCCESS
  wait signal up
  halt
secondary:
  expect x0 == 0xabcdef0012345678
  signal up
}
`);
    });

    it('SMC32 SYSTEM_SUSPEND reads entry and context as 32 bits', () => {
      runGreen(`
vm guest {
  hypervisor xen
  vcpus 1
  on wakeup: resume
}
host { at 1ms: irq 40 -> guest }
guest.vcpu0 {
  irq enable 40 wake
  psci SYSTEM_SUSPEND32 entry=((1 << 32) | resume) context=0xabcdef0012345678
  expect false, "SYSTEM_SUSPEND returned"
  halt
resume:
  expect pc == resume
  expect x0 == 0x12345678, "context_id is 32 bits"
}
`);
    });
  });

  describe('SMCCC_VERSION (vsmc.c handle_arch)', () => {
    it('is 1.2 (ARM_SMCCC_VERSION_1_2), and PSCI_FEATURES reports it', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 1 }
guest.vcpu0 {
  smc 0x80000000
  expect x0 == 0x10002
  psci PSCI_FEATURES function=0x80000000
  expect x0 == 0
}
`);
    });
  });

  describe('return values (1.2, 3.1): Xen writes only x0', () => {
    it('a returning call leaves x1..x3 as the guest set them', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu0 {
  psci AFFINITY_INFO target=vcpu1 level=1
  expect x0 == ON && x1 == 1 && x2 == 1
  smc 1337 x1=5 x2=6 x3=7
  expect x0 == NOT_SUPPORTED && x1 == 5 && x2 == 6 && x3 == 7
  psci CPU_ON target=vcpu0 entry=0x40000000 context=9
  expect x0 == ALREADY_ON && x1 == vcpu0 && x2 == 0x40000000 && x3 == 9
}
`);
    });

    it('CPU_OFF: x0 = SUCCESS (PSCI_SET_RESULT of do_psci_0_2_cpu_off), x1..x3 kept, though the call never returns', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu1 {
  hvc 0x84000002 x1=5 x3=7
  expect false, "CPU_OFF returned"
}
guest.vcpu0 {
  wait vcpu1.mp_state == STOPPED
  expect vcpu1.x0 == SUCCESS && vcpu1.x1 == 5 && vcpu1.x3 == 7
}
`);
    });

    it('CPU_SUSPEND: blocks until an interrupt, returns SUCCESS in x0 and keeps x1..x3', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 1 }
host { at 1ms: irq 40 -> guest }
guest.vcpu0 {
  irq enable 40
  psci CPU_SUSPEND power_state=0x10000 entry=elsewhere context=0x55
  expect now >= 1ms
  expect x0 == SUCCESS
  expect x1 == 0x10000 && x2 == elsewhere && x3 == 0x55, "only x0 is written"
  halt
elsewhere:
  expect false, "Xen treats CPU_SUSPEND as standby and returns"
}
`);
    });
  });

  describe('SYSTEM_SUSPEND (3.2)', () => {
    it('is advertised by PSCI_FEATURES with the series, and NOT_SUPPORTED without it (upstream vpsci.c)', () => {
      runGreen(`
vm with { hypervisor xen; vcpus 1 }
vm without {
  hypervisor xen { system_suspend off }
  vcpus 1
}
with.vcpu0 {
  psci PSCI_FEATURES function=SYSTEM_SUSPEND32
  expect x0 == 0
  psci PSCI_FEATURES function=SYSTEM_SUSPEND64
  expect x0 == 0
}
without.vcpu0 {
  psci PSCI_FEATURES function=SYSTEM_SUSPEND32
  expect x0 == NOT_SUPPORTED
  psci PSCI_FEATURES function=SYSTEM_SUSPEND64
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_SUSPEND entry=back context=1
  expect x0 == NOT_SUPPORTED
  expect without.state == vm_running
  halt
back:
  expect false
}
`);
    });

    it('a Thumb entry point is INVALID_ADDRESS, checked before the other vCPUs (DENIED)', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
guest.vcpu1 { wait signal done }
guest.vcpu0 {
  psci SYSTEM_SUSPEND entry=(back + 1) context=1
  expect x0 == INVALID_ADDRESS, "vcpu1 is on too, but the entry point is checked first"
  psci SYSTEM_SUSPEND entry=back context=1
  expect x0 == DENIED
  signal done
  halt
back:
  expect false
}
`);
    });

    it('is DENIED while another vCPU is online, including one in CPU_SUSPEND', () => {
      runGreen(`
vm guest { hypervisor xen; vcpus 2 }
host { at 1ms: irq 41 -> guest }
guest.vcpu1 {
  irq enable 41
  psci CPU_SUSPEND power_state=0x10000
}
guest.vcpu0 {
  wait vcpu1.power == POWERDOWN
  psci SYSTEM_SUSPEND entry=back context=1
  expect x0 == DENIED, "a suspended core is not down"
  expect guest.state == vm_running
  halt
back:
  expect false
}
`);
    });

    it('suspends the domain; on resume the caller starts at entry with x0 = context, MMU off, DAIF masked', () => {
      const r = runGreen(`
vm guest {
  hypervisor xen
  vcpus 2
  on wakeup: resume
}
vm watcher { hypervisor xen; vcpus 1 }
host { at 3ms: irq 40 -> guest }
watcher.vcpu0 {
  wait guest.state == vm_suspended
  expect guest.vcpu0.power == POWERDOWN && guest.vcpu1.power == OFF
  expect now < 3ms
}
guest.vcpu1 { psci CPU_OFF }
guest.vcpu0 {
  irq enable 40 wake
  wait vcpu1.mp_state == STOPPED
  set x5 = 5
  psci SYSTEM_SUSPEND entry=resume context=0x5eed
  expect false, "SYSTEM_SUSPEND returned"
  halt
resume:
  expect pc == resume
  expect x0 == 0x5eed, "x0 = context_id"
  expect x5 == 0, "a reset context, not the old registers"
  expect mmu == 0 && daif == 0xf
  expect now >= 3ms
  expect guest.state == vm_running
}
`);
      assert.deepStrictEqual(exitKinds(r), ['WAKEUP'], 'no SUSPEND exit: Xen decides in the hypervisor');
    });

    it('with a wake-up already pending the domain resumes at once, at the entry point', () => {
      // The 2018 design's vcpu_block_unless_event_pending: a pending event means an immediate resume.
      runGreen(`
vm guest { hypervisor xen; vcpus 1 }
host { at 0ms: irq 40 -> guest }
guest.vcpu0 {
  irq enable 40 wake
  expect irq 40 pending
  psci SYSTEM_SUSPEND entry=resume context=6
  expect false, "SYSTEM_SUSPEND returned"
  halt
resume:
  expect x0 == 6 && mmu == 0
  expect now < 10us
}
`);
    });

    it('a hardware domain is DENIED while another domain is awake', () => {
      runGreen(`
vm dom0 {
  hypervisor xen
  vcpus 1
  role hardware-domain
}
vm domu { hypervisor xen; vcpus 1 }
domu.vcpu0 {
  wait dom0.vcpu0.x19 == 1
}
dom0.vcpu0 {
  psci SYSTEM_SUSPEND entry=back context=1
  expect x0 == DENIED, "domU is still running"
  set x19 = 1
  halt
back:
  expect false
}
`);
    });

    it("3.3: the hardware domain's SYSTEM_SUSPEND, with every other domain suspended, suspends the host; the wake-up resumes both", () => {
      const r = runGreen(`
vm dom0 {
  hypervisor xen
  vcpus 1
  role hardware-domain
}
vm domu { hypervisor xen; vcpus 1 }
host {
  at 5ms: irq 40 -> dom0
  at 8ms: irq 41 -> domu              // the toolstack resumes domU later (3.3: only dom0 is resumed with the host)
}
domu.vcpu0 {
  irq enable 41 wake
  psci SYSTEM_SUSPEND entry=domu_resume context=2
  halt
domu_resume:
  expect now >= 8ms
}
dom0.vcpu0 {
  irq enable 40 wake
  wait domu.state == vm_suspended
  expect host.state == running
  psci SYSTEM_SUSPEND entry=resume context=1
  expect false, "SYSTEM_SUSPEND returned"
  halt
resume:
  expect x0 == 1
  expect host.state == running, "the host resumed before dom0"
}
`);
      const host = eventsOf(r.events, 'host.state')
        .filter((e) => e.from !== e.to)
        .map((e) => e.to);
      assert.deepStrictEqual(host, ['suspending', 'suspended', 'resuming', 'running']);
      const suspended = eventsOf(r.events, 'host.state').find((e) => e.to === 'suspended')!;
      const dom0Down = eventsOf(r.events, 'vm.state').find((e) => e.vm === 0 && e.to === 'suspended')!;
      assert.ok(suspended.seq > dom0Down.seq, 'the host suspends after dom0 does');
    });
  });

  describe('SYSTEM_OFF, SYSTEM_RESET (3.1: domain_shutdown)', () => {
    it('SYSTEM_OFF shuts the domain down: every vCPU off, x0 = INTERNAL_FAILURE, no exit to a VMM', () => {
      const r = runGreen(`
vm guest { hypervisor xen; vcpus 2 }
vm watcher { hypervisor xen; vcpus 1 }
watcher.vcpu0 {
  wait guest.state == vm_off
  expect guest.vcpu0.x0 == INTERNAL_FAILURE
  expect guest.vcpu0.power == OFF && guest.vcpu1.power == OFF
}
guest.vcpu1 { wait signal never_raised }
guest.vcpu0 {
  wait vcpu1.power == ON
  psci SYSTEM_OFF
  expect false, "SYSTEM_OFF returned"
}
`);
      assert.deepStrictEqual(exitKinds(r), []);
    });

    it('SYSTEM_RESET asks for a reboot: the domain is vm_reset', () => {
      const r = runGreen(`
vm guest { hypervisor xen; vcpus 1 }
vm watcher { hypervisor xen; vcpus 1 }
watcher.vcpu0 {
  wait guest.state == vm_reset
  expect guest.vcpu0.x0 == INTERNAL_FAILURE && guest.vcpu0.power == OFF
}
guest.vcpu0 {
  psci SYSTEM_RESET
  expect false, "SYSTEM_RESET returned"
}
`);
      assert.deepStrictEqual(exitKinds(r), []);
    });

    it('SYSTEM_RESET2 and SYSTEM_OFF2 are not in vpsci.c: NOT_SUPPORTED, and not advertised', () => {
      const r = runGreen(`
vm guest { hypervisor xen; vcpus 1 }
guest.vcpu0 {
  psci PSCI_FEATURES function=SYSTEM_RESET2
  expect x0 == NOT_SUPPORTED
  psci PSCI_FEATURES function=SYSTEM_OFF2
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_RESET2 type=0 cookie=0
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_OFF2 type=HIBERNATE_OFF cookie=0
  expect x0 == NOT_SUPPORTED
  expect guest.state == vm_running && vcpu0.power == ON
}
`);
      assert.strictEqual(eventsOf(r.events, 'vm.state').length, 0);
    });
  });

  it('run() sanity: a scenario that breaks a rule is reported (the suite can fail)', () => {
    const r = run(`
vm guest { hypervisor xen; vcpus 1 }
guest.vcpu0 {
  psci PSCI_VERSION
  expect x0 == 0x10003, "Xen is not PSCI 1.3"
}
`);
    assert.deepStrictEqual(r.failures, ['Xen is not PSCI 1.3']);
  });
});
