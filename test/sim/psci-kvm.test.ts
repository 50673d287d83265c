// PSCI conformance, part 2: KVM arm64 (DOMAIN.md 1.4-1.8 for KVM, 2.1-2.6). The scenarios carry the checks as
// `expect` statements; the trace is asserted for what the guest cannot see (exits to the VMM, their flags, MP states
// while nothing runs). Includes the KVM selftest psci_test (2.5) and kvm-unit-tests arm/psci (2.6).
//
// A bare vCPU name (`target=vcpu1`) is that vCPU's MPIDR affinity fields (MPIDR & MPIDR_HWID_BITMASK), as Linux and
// the selftest pass them; `vcpu1.mpidr` is the raw MPIDR_EL1, whose RES1 bit 31 KVM refuses (1.5 step 1).

import * as assert from 'assert';
import { instrAddress } from '../../src/lang/program';
import { Machine } from '../../src/sim/machine';
import { KVM_SYSTEM_EVENT_TYPE, TraceEvent } from '../../src/sim/trace';
import { compile, eventsOf, run, runGreen, RunResult } from '../helpers';

/** KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 and KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2 (uapi kvm.h, both bit 0). */
const FLAG_PSCI_RESET2 = 1;
const FLAG_PSCI_OFF2 = 1;

function exits(r: RunResult): { exit: string; flags: number; vcpu: number }[] {
  return eventsOf(r.events, 'vmm.exit').map((e) => ({ exit: e.exit, flags: e.flags, vcpu: e.vcpu }));
}

function answers(r: RunResult): { exit: string; answer: string; result: string }[] {
  return eventsOf(r.events, 'vmm.answer').map((e) => ({ exit: e.exit, answer: e.answer, result: e.result }));
}

function labelAddress(r: RunResult, label: string, vm = 0): bigint {
  const cfg = r.machine.program.vms[vm];
  const index = cfg.labels.get(label);
  assert.ok(index !== undefined, `no label ${label}`);
  return instrAddress(cfg, index);
}

function hangs(r: RunResult): string[] {
  assert.strictEqual(r.stop.kind, 'outcome');
  const outcome = r.stop.kind === 'outcome' ? r.stop.outcome : undefined;
  assert.ok(outcome && outcome.kind === 'hang', `expected a hang, got ${JSON.stringify(r.stop)}`);
  return outcome.kind === 'hang' ? outcome.waiting : [];
}

describe('PSCI on KVM', () => {
  describe('CPU_ON (1.5)', () => {
    it('a target_cpu with bits outside MPIDR_HWID_BITMASK is INVALID_PARAMETERS', () => {
      runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu0 {
  expect vcpu1.mpidr == 0x80000001 && vcpu1 == 0x1
  psci CPU_ON target=vcpu1.mpidr entry=never context=0
  expect x0 == INVALID_PARAMETERS, "the raw MPIDR_EL1: bit 31 (RES1) is not an affinity field"
  psci CPU_ON target=0x1000001 entry=never context=0
  expect x0 == INVALID_PARAMETERS, "bits 31:24 are not an affinity field"
  psci CPU_ON target=((1 << 40) | 1) entry=never context=0
  expect x0 == INVALID_PARAMETERS, "bits above Aff3"
  expect vcpu1.mp_state == STOPPED
  halt
never:
  expect false, "no vCPU may start here"
}
`);
    });

    it("the reset is visible in the target's registers before it runs (pc = entry, x0 = context, MMU off, DAIF masked)", () => {
      // The target's first statement waits, so pc stays at the entry point while the caller looks.
      runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu0 {
  psci CPU_ON target=vcpu1 entry=secondary context=0xdeadc0de
  expect x0 == SUCCESS
  expect vcpu1.pc == secondary, "pc = entry_point_address"
  expect vcpu1.x0 == 0xdeadc0de, "x0 = context_id"
  expect vcpu1.mmu == 0 && vcpu1.daif == 0xf
  expect vcpu1.mp_state == RUNNABLE
  signal go
  halt
secondary:
  wait signal go
}
`);
    });

    it('SMC32 CPU_ON uses only the low 32 bits of x1..x3', () => {
      runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu0 {
  psci CPU_ON64 target=((1 << 32) | 1) entry=secondary context=7
  expect x0 == INVALID_PARAMETERS, "SMC64: Aff3 = 1 names no vCPU"
  psci CPU_ON32 target=((1 << 32) | 1) entry=secondary context=0xabcdef0012345678
  expect x0 == SUCCESS, "SMC32: the upper half of target_cpu is dropped"
  wait signal up
  halt
secondary:
  expect x0 == 0x12345678, "SMC32: context_id is 32 bits"
  signal up
}
`);
    });

    it('never answers INVALID_ADDRESS: the target is reset to whatever entry it was given', () => {
      const r = run(`
vm guest { hypervisor kvm; vcpus 3 }
guest.vcpu0 {
  psci CPU_ON target=vcpu1 entry=0x1000 context=0
  expect x0 == SUCCESS, "an entry point outside RAM is not checked"
  psci CPU_ON target=vcpu2 entry=(here + 1) context=0
  expect x0 == SUCCESS, "nor is a Thumb bit on an AArch64 guest"
here:
  halt
}
`);
      assert.deepStrictEqual(r.failures, []);
      const faults = eventsOf(r.events, 'fault').map((e) => ({ vcpu: e.vcpu, message: e.message }));
      assert.deepStrictEqual(faults, [
        { vcpu: 1, message: 'no statement at pc 0x1000' },
        { vcpu: 2, message: `no statement at pc 0x${(labelAddress(r, 'here') + 1n).toString(16)}` },
      ]);
    });
  });

  describe('AFFINITY_INFO (1.4)', () => {
    it('stray MPIDR bits and a target that matches no vCPU are INVALID_PARAMETERS', () => {
      runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu0 {
  psci AFFINITY_INFO target=vcpu0.mpidr level=0
  expect x0 == INVALID_PARAMETERS, "bit 31 of the raw MPIDR_EL1 is outside MPIDR_HWID_BITMASK"
  psci AFFINITY_INFO target=0x1000000 level=1
  expect x0 == INVALID_PARAMETERS, "so is bit 24, whatever the level"
  psci AFFINITY_INFO target=2 level=0
  expect x0 == INVALID_PARAMETERS, "no vCPU has Aff0 = 2"
  psci AFFINITY_INFO target=0x100 level=1
  expect x0 == INVALID_PARAMETERS, "no vCPU has Aff1 = 1"
  psci AFFINITY_INFO target=vcpu1 level=0
  expect x0 == OFF
}
`);
    });

    it('SMC32 AFFINITY_INFO uses only the low 32 bits of the target', () => {
      runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu0 {
  psci AFFINITY_INFO64 target=((1 << 32) | 1) level=0
  expect x0 == INVALID_PARAMETERS, "SMC64: Aff3 = 1 matches nothing"
  psci AFFINITY_INFO32 target=((1 << 32) | 1) level=0
  expect x0 == OFF, "SMC32: vcpu1"
}
`);
    });
  });

  describe('return values (1.2, 1.6)', () => {
    it('every returning call writes x1..x3 = 0 (smccc_set_retval(val, 0, 0, 0))', () => {
      runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu0 {
  psci AFFINITY_INFO target=vcpu1 level=1
  expect x0 == ON && x1 == 0 && x2 == 0 && x3 == 0
  psci PSCI_FEATURES function=CPU_ON64
  expect x0 == SUCCESS && x1 == 0
  smc 1337 x1=5 x2=6 x3=7
  expect x0 == NOT_SUPPORTED && x1 == 0 && x2 == 0 && x3 == 0
  psci CPU_ON target=vcpu0 entry=0x40000000 context=9
  expect x0 == ALREADY_ON && x1 == 0 && x2 == 0 && x3 == 0
}
`);
    });

    it('CPU_SUSPEND: WFI, then SUCCESS with x1..x3 zeroed and every other register kept', () => {
      runGreen(`
vm guest { hypervisor kvm; vcpus 1 }
host { at 1ms: irq 40 -> guest }
guest.vcpu0 {
  irq enable 40
  set x4 = 4; set x5 = 5
  psci CPU_SUSPEND power_state=0x10000 entry=elsewhere context=0x55
  expect now >= 1ms
  expect x0 == SUCCESS && x1 == 0 && x2 == 0 && x3 == 0, "KVM clears the arguments"
  expect x4 == 4 && x5 == 5
  halt
elsewhere:
  expect false, "KVM treats CPU_SUSPEND as WFI and returns"
}
`);
    });
  });

  describe('SYSTEM_SUSPEND (2.1-2.4)', () => {
    it('is NOT_SUPPORTED, and not advertised, when the VMM did not enable KVM_CAP_ARM_SYSTEM_SUSPEND', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm { system_suspend_exit off }
  vcpus 1
}
guest.vcpu0 {
  psci PSCI_FEATURES function=SYSTEM_SUSPEND32
  expect x0 == NOT_SUPPORTED
  psci PSCI_FEATURES function=SYSTEM_SUSPEND64
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_SUSPEND entry=back context=1
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_SUSPEND32 entry=back context=1
  expect x0 == NOT_SUPPORTED
  halt
back:
  expect false, "not suspended"
}
`);
      assert.deepStrictEqual(exits(r), []);
    });

    it('exits to the VMM (SUSPEND) with the registers untouched: x0 = function ID, x1 = entry, x2 = context', () => {
      const r = run(`
vm guest {
  hypervisor kvm
  vcpus 1
  on system_suspend: defer
}
guest.vcpu0 {
  psci SYSTEM_SUSPEND entry=back context=0xc0ffee
  expect false, "returned without an answer from the VMM"
back:
  halt
}
`);
      assert.deepStrictEqual(r.failures, []);
      assert.deepStrictEqual(exits(r), [{ exit: 'SUSPEND', flags: 0, vcpu: 0 }]);
      assert.strictEqual(KVM_SYSTEM_EVENT_TYPE.SUSPEND, 5);
      const read = (f: string) => r.machine.readVcpuField(0, 0, f);
      assert.strictEqual(read('x0'), 0xc400000en);
      assert.strictEqual(read('x1'), labelAddress(r, 'back'));
      assert.strictEqual(read('x2'), 0xc0ffeen);
      assert.strictEqual(read('mp_state'), 0n, 'still RUNNABLE: KVM does nothing itself');
      assert.match(hangs(r)[0], /deferred/);
    });

    it('SMC32 SYSTEM_SUSPEND narrows x1..x3 before the exit', () => {
      const r = run(`
vm guest {
  hypervisor kvm
  vcpus 1
  on system_suspend: defer
}
guest.vcpu0 {
  psci SYSTEM_SUSPEND32 entry=(back + 0x100000000) context=0xffffffff00c0ffee
back:
  halt
}
`);
      assert.deepStrictEqual(exits(r), [{ exit: 'SUSPEND', flags: 0, vcpu: 0 }]);
      assert.strictEqual(r.machine.readVcpuField(0, 0, 'x0'), 0x8400000en);
      assert.strictEqual(r.machine.readVcpuField(0, 0, 'x1'), labelAddress(r, 'back'));
      assert.strictEqual(r.machine.readVcpuField(0, 0, 'x2'), 0xc0ffeen);
    });

    it('VMM confirm: DENIED while another vCPU is not STOPPED', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm
  vcpus 2
  on system_suspend: confirm
}
guest.vcpu1 { wait signal done }
guest.vcpu0 {
  psci SYSTEM_SUSPEND entry=back context=1
  expect x0 == DENIED
  expect vcpu1.mp_state == RUNNABLE, "the refused call stopped nothing"
  signal done
  halt
back:
  expect false, "suspended with vcpu1 on"
}
`);
      assert.deepStrictEqual(exits(r), [{ exit: 'SUSPEND', flags: 0, vcpu: 0 }]);
      assert.deepStrictEqual(answers(r), [{ exit: 'SUSPEND', answer: 'confirm', result: 'DENIED' }]);
    });

    it('VMM confirm: INVALID_ADDRESS for an entry point outside RAM or with the Thumb bit', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm
  vcpus 1
  ram 0x40000000 512M
  on system_suspend: confirm
}
guest.vcpu0 {
  psci SYSTEM_SUSPEND entry=0x1000 context=1
  expect x0 == INVALID_ADDRESS, "below RAM"
  psci SYSTEM_SUSPEND entry=0x60000000 context=1
  expect x0 == INVALID_ADDRESS, "just past the end of RAM"
  psci SYSTEM_SUSPEND entry=(back + 1) context=1
  expect x0 == INVALID_ADDRESS, "Thumb bit on an AArch64 guest"
  expect guest.state == vm_running
  halt
back:
  expect false
}
`);
      assert.deepStrictEqual(
        answers(r).map((a) => a.result),
        ['INVALID_ADDRESS', 'INVALID_ADDRESS', 'INVALID_ADDRESS'],
      );
    });

    it('VMM confirm checks the other vCPUs (DENIED) before the entry point (INVALID_ADDRESS)', () => {
      runGreen(`
vm guest {
  hypervisor kvm
  vcpus 2
  on system_suspend: confirm
}
guest.vcpu1 { wait signal done }
guest.vcpu0 {
  psci SYSTEM_SUSPEND entry=0x1000 context=1
  expect x0 == DENIED
  signal done
}
`);
    });

    it('VMM confirm: reset to entry with x0 = context, MMU off, DAIF masked, MP state SUSPENDED; a wake-up gives WAKEUP, then RUNNABLE', () => {
      // A second VM watches the suspended guest: nothing of the guest itself runs while it is suspended.
      const r = runGreen(`
vm guest {
  hypervisor kvm
  vcpus 1
  on system_suspend: confirm
  on wakeup: resume
}
vm watcher { hypervisor kvm; vcpus 1 }
host { at 2ms: irq 40 -> guest }
watcher.vcpu0 {
  wait guest.vcpu0.mp_state == SUSPENDED
  expect guest.state == vm_suspended
  expect guest.vcpu0.power == POWERDOWN
  expect guest.vcpu0.x0 == 0xc0ffee, "reset before it sleeps: x0 = context"
  expect guest.vcpu0.mmu == 0 && guest.vcpu0.daif == 0xf
  expect now < 2ms
}
guest.vcpu0 {
  irq enable 40 wake
  psci SYSTEM_SUSPEND entry=resume context=0xc0ffee
  expect false, "SYSTEM_SUSPEND returned"
  halt
resume:
  expect pc == resume
  expect x0 == 0xc0ffee
  expect mmu == 0 && daif == 0xf
  expect now >= 2ms, "slept until the interrupt"
  expect vcpu0.mp_state == RUNNABLE && vcpu0.power == ON
  expect guest.state == vm_running
}
`);
      assert.deepStrictEqual(exits(r), [
        { exit: 'SUSPEND', flags: 0, vcpu: 0 },
        { exit: 'WAKEUP', flags: 0, vcpu: 0 },
      ]);
      assert.deepStrictEqual(
        answers(r).map((a) => `${a.exit} ${a.answer}`),
        ['SUSPEND confirm', 'WAKEUP resume'],
      );
      const wakeup = eventsOf(r.events, 'vmm.exit').find((e) => e.exit === 'WAKEUP')!;
      assert.strictEqual(wakeup.t, 2_000_000);
      assert.strictEqual(KVM_SYSTEM_EVENT_TYPE.WAKEUP, 4);
    });

    it('VMM deny: DENIED even when the call is valid', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm
  vcpus 1
  on system_suspend: deny
}
guest.vcpu0 {
  psci SYSTEM_SUSPEND entry=back context=1
  expect x0 == DENIED
  expect vcpu0.mp_state == RUNNABLE
  halt
back:
  expect false
}
`);
      assert.deepStrictEqual(answers(r), [{ exit: 'SUSPEND', answer: 'deny', result: 'DENIED' }]);
    });

    it('VMM defer: the vCPU stays in the exit until the host answers `vmm VM confirm`', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm
  vcpus 1
  on system_suspend: defer
}
host {
  at 5ms: vmm guest confirm
  at 10ms: irq 40 -> guest
}
guest.vcpu0 {
  irq enable 40 wake
  psci SYSTEM_SUSPEND entry=resume context=3
  expect false, "returned while deferred"
  halt
resume:
  expect x0 == 3
  expect now >= 10ms
}
`);
      const a = eventsOf(r.events, 'vmm.answer');
      assert.deepStrictEqual(
        a.map((e) => [e.answer, e.t]),
        [
          ['defer', 1000],
          ['confirm', 5_000_000],
          ['resume', 10_000_000],
        ],
      );
    });

    it('VMM defer, then `vmm VM deny`: the call returns DENIED when the host answers', () => {
      runGreen(`
vm guest {
  hypervisor kvm
  vcpus 1
  on system_suspend: defer
}
host { at 5ms: vmm guest deny }
guest.vcpu0 {
  psci SYSTEM_SUSPEND entry=back context=3
  expect x0 == DENIED
  expect now >= 5ms
  halt
back:
  expect false
}
`);
    });

    it('a WAKEUP the VMM ignores leaves the vCPU SUSPENDED; a deferred one is honoured by `vmm VM resume`', () => {
      const ignored = run(`
vm guest {
  hypervisor kvm
  vcpus 1
  on wakeup: ignore
}
host { at 1ms: irq 40 -> guest }
guest.vcpu0 {
  irq enable 40 wake
  psci SYSTEM_SUSPEND entry=resume context=3
resume:
  expect false, "resumed although the VMM ignored the wake-up"
}
`);
      assert.deepStrictEqual(ignored.failures, []);
      // The line is still high, so the next KVM_RUN exits WAKEUP again at once (DOMAIN.md 2b); ignored again, the
      // VMM would spin, and the run ends there.
      assert.deepStrictEqual(
        exits(ignored).map((e) => e.exit),
        ['SUSPEND', 'WAKEUP', 'WAKEUP'],
      );
      assert.strictEqual(ignored.machine.readVcpuField(0, 0, 'mp_state'), 10n);
      assert.strictEqual(ignored.machine.readVmField(0, 'state'), 1n);
      assert.match(hangs(ignored)[0], /suspended/);

      const deferred = runGreen(`
vm guest {
  hypervisor kvm
  vcpus 1
  on wakeup: defer
}
host {
  at 1ms: irq 40 -> guest
  at 3ms: vmm guest resume
}
guest.vcpu0 {
  irq enable 40 wake
  psci SYSTEM_SUSPEND entry=resume context=3
resume:
  expect x0 == 3
  expect now >= 3ms, "runs only once the VMM made it RUNNABLE"
}
`);
      assert.deepStrictEqual(
        answers(deferred).map((a) => `${a.exit} ${a.answer}`),
        ['SUSPEND confirm', 'WAKEUP defer', 'WAKEUP resume'],
      );
    });

    it('suspend_checks kernel: INVALID_ADDRESS before DENIED, then reset and WFI in the kernel with no exit at all', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm { suspend_checks kernel }
  vcpus 2
}
host { at 2ms: irq 40 -> guest }
guest.vcpu1 {
  wait signal try_again
  psci CPU_OFF
}
guest.vcpu0 {
  irq enable 40 wake
  psci SYSTEM_SUSPEND entry=0x1000 context=1
  expect x0 == INVALID_ADDRESS, "the entry point is checked first (v3 order)"
  psci SYSTEM_SUSPEND entry=resume context=1
  expect x0 == DENIED, "vcpu1 is on"
  signal try_again
  wait vcpu1.mp_state == STOPPED
  psci SYSTEM_SUSPEND entry=resume context=0xabc
  expect false, "SYSTEM_SUSPEND returned"
  halt
resume:
  expect x0 == 0xabc && mmu == 0 && daif == 0xf
  expect now >= 2ms
}
`);
      assert.deepStrictEqual(exits(r), []);
      const sleep = eventsOf(r.events, 'power').find((e) => e.vcpu === 0 && e.to === 'POWERDOWN');
      assert.ok(sleep, 'vcpu0 never powered down');
      assert.strictEqual(sleep.mp, 'RUNNABLE', 'in-kernel suspend is a WFI, not KVM_MP_STATE_SUSPENDED');
    });
  });

  describe('SYSTEM_OFF, SYSTEM_RESET, SYSTEM_RESET2, SYSTEM_OFF2 (1.8)', () => {
    it('SYSTEM_OFF: SHUTDOWN exit without flags, every vCPU STOPPED, x0 preloaded with INTERNAL_FAILURE', () => {
      const r = runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu1 { wait signal never_raised }
guest.vcpu0 {
  wait vcpu1.power == ON
  psci SYSTEM_OFF
  expect false, "SYSTEM_OFF returned"
}
`);
      assert.deepStrictEqual(exits(r), [{ exit: 'SHUTDOWN', flags: 0, vcpu: 0 }]);
      assert.strictEqual(KVM_SYSTEM_EVENT_TYPE.SHUTDOWN, 1);
      assert.strictEqual(r.machine.readVcpuField(0, 0, 'x0'), 0xfffffffffffffffan);
      assert.strictEqual(r.machine.readVcpuField(0, 0, 'mp_state'), 5n);
      assert.strictEqual(r.machine.readVcpuField(0, 1, 'mp_state'), 5n);
      assert.strictEqual(r.machine.readVmField(0, 'state'), 2n, 'vm_off');
    });

    it('`on system_off: resume` runs the caller again: it sees INTERNAL_FAILURE and the other vCPUs stay STOPPED', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm
  vcpus 2
  on system_off: resume
}
guest.vcpu1 { wait signal never_raised }
guest.vcpu0 {
  wait vcpu1.power == ON
  psci SYSTEM_OFF
  expect x0 == INTERNAL_FAILURE && x1 == 0 && x2 == 0 && x3 == 0
  expect vcpu1.mp_state == STOPPED && vcpu1.power == OFF
  expect vcpu0.mp_state == RUNNABLE
  expect guest.state == vm_running
}
`);
      assert.deepStrictEqual(answers(r), [{ exit: 'SHUTDOWN', answer: 'resume', result: 'vCPU made RUNNABLE again' }]);
    });

    it('SYSTEM_RESET: RESET exit without flags; resumed, the caller sees INTERNAL_FAILURE; stopped, the VM is vm_reset', () => {
      const resumed = runGreen(`
vm guest {
  hypervisor kvm
  vcpus 2
  on system_reset: resume
}
guest.vcpu0 {
  psci SYSTEM_RESET
  expect x0 == INTERNAL_FAILURE
  expect vcpu1.mp_state == STOPPED
}
`);
      assert.deepStrictEqual(exits(resumed), [{ exit: 'RESET', flags: 0, vcpu: 0 }]);
      assert.strictEqual(KVM_SYSTEM_EVENT_TYPE.RESET, 2);

      const stopped = runGreen(`
vm guest { hypervisor kvm; vcpus 1 }
guest.vcpu0 {
  psci SYSTEM_RESET
  expect false, "SYSTEM_RESET returned"
}
`);
      assert.deepStrictEqual(exits(stopped), [{ exit: 'RESET', flags: 0, vcpu: 0 }]);
      assert.strictEqual(stopped.machine.readVmField(0, 'state'), 3n, 'vm_reset');
    });

    it('SYSTEM_RESET2: warm (0) and vendor (bit 31) types exit RESET with the PSCI_RESET2 flag; other types are INVALID_PARAMETERS', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm psci 1.1
  vcpus 1
  on system_reset: resume
}
guest.vcpu0 {
  psci SYSTEM_RESET2 type=1 cookie=0
  expect x0 == INVALID_PARAMETERS, "type 1 is reserved"
  psci SYSTEM_RESET2 type=0x7fffffff cookie=0
  expect x0 == INVALID_PARAMETERS, "the last architectural type below the vendor range"
  psci SYSTEM_RESET2 type=SYSTEM_WARM_RESET cookie=0
  expect x0 == INTERNAL_FAILURE
  psci SYSTEM_RESET2 type=0x80000000 cookie=5
  expect x0 == INTERNAL_FAILURE
  psci SYSTEM_RESET232 type=0x100000001 cookie=0
  expect x0 == INVALID_PARAMETERS, "SMC32: the type is 32 bits, so this is type 1"
  psci SYSTEM_RESET264 type=0x100000001 cookie=0
  expect x0 == INVALID_PARAMETERS, "reset_type is a 32-bit parameter for SMC64 too (KVM reads it as u32)"
}
`);
      assert.deepStrictEqual(exits(r), [
        { exit: 'RESET', flags: FLAG_PSCI_RESET2, vcpu: 0 },
        { exit: 'RESET', flags: FLAG_PSCI_RESET2, vcpu: 0 },
      ]);
    });
  });

  describe('PSCI version gating (1.1 "Since", 1.8)', () => {
    const versions: [string, number][] = [
      ['0.2', 0x2],
      ['1.0', 0x10000],
      ['1.1', 0x10001],
      ['1.3', 0x10003],
    ];
    for (const [version, encoded] of versions) {
      it(`psci ${version}: PSCI_VERSION reads ${'0x' + encoded.toString(16)}`, () => {
        runGreen(`
vm guest { hypervisor kvm psci ${version}; vcpus 1 }
guest.vcpu0 {
  psci PSCI_VERSION
  expect x0 == ${'0x' + encoded.toString(16)}
}
`);
      });
    }

    it('psci 0.2: no PSCI_FEATURES, SYSTEM_SUSPEND (even with the capability), SYSTEM_RESET2 or SYSTEM_OFF2', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm psci 0.2 { system_suspend_exit on }
  vcpus 1
}
guest.vcpu0 {
  psci PSCI_FEATURES function=CPU_ON64
  expect x0 == NOT_SUPPORTED, "PSCI_FEATURES is 1.0"
  psci SYSTEM_SUSPEND entry=back context=1
  expect x0 == NOT_SUPPORTED, "SYSTEM_SUSPEND is 1.0"
  psci SYSTEM_RESET2 type=0 cookie=0
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_OFF2 type=HIBERNATE_OFF cookie=0
  expect x0 == NOT_SUPPORTED
  psci CPU_ON target=vcpu0 entry=back context=0
  expect x0 == ALREADY_ON, "0.2 functions work"
  halt
back:
  expect false
}
`);
      assert.deepStrictEqual(exits(r), []);
    });

    it('psci 1.0: PSCI_FEATURES and SYSTEM_SUSPEND, but no SYSTEM_RESET2', () => {
      const r = runGreen(`
vm guest {
  hypervisor kvm psci 1.0
  vcpus 1
  on system_suspend: deny
}
guest.vcpu0 {
  psci PSCI_FEATURES function=SYSTEM_SUSPEND64
  expect x0 == 0
  psci PSCI_FEATURES function=SYSTEM_RESET2
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_RESET2 type=0 cookie=0
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_SUSPEND entry=0x40000000 context=0
  expect x0 == DENIED, "reached the VMM"
}
`);
      assert.deepStrictEqual(
        exits(r).map((e) => e.exit),
        ['SUSPEND'],
      );
    });

    it('psci 1.1: SYSTEM_RESET2 but no SYSTEM_OFF2', () => {
      const r = runGreen(`
vm guest { hypervisor kvm psci 1.1; vcpus 1 }
guest.vcpu0 {
  psci PSCI_FEATURES function=SYSTEM_RESET232
  expect x0 == 0
  psci PSCI_FEATURES function=SYSTEM_RESET264
  expect x0 == 0
  psci PSCI_FEATURES function=SYSTEM_OFF232
  expect x0 == NOT_SUPPORTED
  psci PSCI_FEATURES function=SYSTEM_OFF264
  expect x0 == NOT_SUPPORTED
  psci SYSTEM_OFF2 type=HIBERNATE_OFF cookie=0
  expect x0 == NOT_SUPPORTED, "SYSTEM_OFF2 is 1.3"
}
`);
      assert.deepStrictEqual(exits(r), []);
    });

    it('psci 1.3: PSCI_FEATURES(SYSTEM_OFF2) reports the HIBERNATE_OFF type bit', () => {
      runGreen(`
vm guest { hypervisor kvm psci 1.3; vcpus 1 }
guest.vcpu0 {
  psci PSCI_FEATURES function=SYSTEM_OFF232
  expect x0 == HIBERNATE_OFF
  psci PSCI_FEATURES function=SYSTEM_OFF264
  expect x0 == HIBERNATE_OFF
  psci PSCI_FEATURES function=SYSTEM_RESET2
  expect x0 == 0
  psci PSCI_FEATURES function=SYSTEM_SUSPEND32
  expect x0 == 0, "the VMM enabled KVM_CAP_ARM_SYSTEM_SUSPEND (the default)"
}
`);
    });
  });

  describe('KVM selftest psci_test (2.5)', () => {
    it("host_test_cpu_on: CPU_ON's reset is visible to register reads before the target ever runs", () => {
      // PSCI 0.2 feature set; the target is stopped; the source powers it on at 0xfeedf00d with 0xdeadc0de, then
      // polls AFFINITY_INFO until ON (each result must be ON or OFF). The host stops before the target's first
      // instruction and reads its PC and X0, as the selftest does with KVM_GET_ONE_REG.
      const text = `
vm vm0 { hypervisor kvm psci 0.2; vcpus 2 }
vm0.vcpu0 {
  psci CPU_ON64 target=vcpu1 entry=0xfeedf00d context=0xdeadc0de
  expect x0 == SUCCESS
  loop {
    psci AFFINITY_INFO64 target=vcpu1 level=0
    expect x0 == ON || x0 == OFF, "AFFINITY_INFO: only ON or OFF"
    if x0 == ON { break }
  }
}
`;
      const m = new Machine(compile(text));
      const events: TraceEvent[] = [];
      m.onEvent((e) => events.push(e));
      const stop = m.run({ maxSteps: 10_000 }, (u) => u.kind === 'vcpu' && u.vm === 0 && u.vcpu === 1);
      assert.deepStrictEqual(stop, { kind: 'predicate' });
      assert.strictEqual(m.state.vms[0].vcpus[1].executed, 0, 'the target has not run');
      assert.strictEqual(m.readVcpuField(0, 0, 'x0'), 0n, 'CPU_ON returned SUCCESS');
      assert.strictEqual(m.readVcpuField(0, 1, 'pc'), 0xfeedf00dn);
      assert.strictEqual(m.readVcpuField(0, 1, 'x0'), 0xdeadc0den);
      assert.strictEqual(m.readVcpuField(0, 1, 'mp_state'), 0n, 'RUNNABLE');

      // The guest side as a green scenario with a real entry point: the source's loop sees only ON/OFF.
      const r = runGreen(`
vm vm0 { hypervisor kvm psci 0.2; vcpus 2 }
vm0.vcpu0 {
  psci CPU_ON64 target=vcpu1 entry=target context=0xdeadc0de
  expect x0 == SUCCESS
  loop {
    psci AFFINITY_INFO64 target=vcpu1 level=0
    expect x0 == ON || x0 == OFF, "AFFINITY_INFO: only ON or OFF"
    if x0 == ON { break }
  }
  halt
target:
  expect x0 == 0xdeadc0de
}
`);
      const affinity = eventsOf(r.events, 'psci.return').filter((e) => e.fn === 'AFFINITY_INFO');
      assert.ok(affinity.length >= 1 && affinity.every((e) => e.name === 'ON' || e.name === 'OFF'));
    });

    it('host_test_system_suspend: PSCI_FEATURES(0x8400000E) == 0 and (0xC400000E) == 0, then SYSTEM_SUSPEND64 exits SUSPEND', () => {
      const r = run(`
vm vm0 {
  hypervisor kvm
  vcpus 2
  on system_suspend: defer
}
vm0.vcpu0 {
  psci PSCI_FEATURES function=0x8400000E
  expect x0 == 0
  psci PSCI_FEATURES function=0xC400000E
  expect x0 == 0
  psci SYSTEM_SUSPEND64 entry=0xfeedf00d context=0xdeadc0de
  expect false, "GUEST_SYNC(ret): SYSTEM_SUSPEND returned"
}
`);
      assert.deepStrictEqual(r.failures, []);
      const e = eventsOf(r.events, 'vmm.exit');
      assert.strictEqual(e.length, 1);
      assert.strictEqual(e[0].exit, 'SUSPEND');
      assert.strictEqual(e[0].via, 'KVM_EXIT_SYSTEM_EVENT');
      assert.strictEqual(KVM_SYSTEM_EVENT_TYPE[e[0].exit], 5);
    });

    it('host_test_system_suspend_fails (v2 of the series): SYSTEM_SUSPEND with the target on returns DENIED', () => {
      runGreen(`
vm vm0 { hypervisor kvm; vcpus 2 }
vm0.vcpu1 { wait signal synced }
vm0.vcpu0 {
  psci SYSTEM_SUSPEND64 entry=0x40000000 context=0xdeadc0de
  expect x0 == DENIED
  signal synced
}
`);
    });

    it('host_test_system_off2: cookie rules, and exactly two SHUTDOWN exits with the PSCI_OFF2 flag when the VMM resumes', () => {
      const r = runGreen(`
vm vm0 {
  hypervisor kvm psci 1.3
  vcpus 2
  on system_off: resume
}
vm0.vcpu0 {
  psci PSCI_FEATURES function=SYSTEM_OFF232
  expect (x0 & HIBERNATE_OFF) != 0
  psci PSCI_FEATURES function=SYSTEM_OFF264
  expect (x0 & HIBERNATE_OFF) != 0
  psci SYSTEM_OFF2 type=HIBERNATE_OFF cookie=1
  expect x0 == INVALID_PARAMETERS, "the cookie must be 0"
  psci SYSTEM_OFF2 type=HIBERNATE_OFF cookie=0
  expect x0 == INTERNAL_FAILURE, "resumed after the shutdown"
  psci SYSTEM_OFF2 type=0 cookie=1
  expect x0 == INVALID_PARAMETERS
  psci SYSTEM_OFF2 type=0 cookie=0
  expect x0 == INTERNAL_FAILURE, "type 0 means HIBERNATE_OFF too"
  psci SYSTEM_OFF2 type=2 cookie=0
  expect x0 == INVALID_PARAMETERS, "no other off type"
}
`);
      const shutdowns = exits(r);
      assert.strictEqual(shutdowns.length, 2);
      for (const e of shutdowns) {
        assert.strictEqual(e.exit, 'SHUTDOWN');
        assert.ok(e.flags & FLAG_PSCI_OFF2, 'data[0] & KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2');
      }
    });
  });

  describe('kvm-unit-tests arm/psci (2.6)', () => {
    it('invalid-function: psci_invoke(1337) is NOT_SUPPORTED', () => {
      runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu0 {
  smc 1337
  expect x0 == NOT_SUPPORTED
  hvc 1337
  expect x0 == NOT_SUPPORTED
}
`);
    });

    it('affinity-info-on: AFFINITY_INFO(cpus[0], 0) is ON on CPU0', () => {
      runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu0 {
  psci AFFINITY_INFO target=vcpu0 level=0
  expect x0 == ON
}
`);
    });

    it('affinity-info-off: AFFINITY_INFO(cpus[1], 0) is OFF for the never-started CPU1', () => {
      runGreen(`
vm guest { hypervisor kvm; vcpus 2 }
guest.vcpu0 {
  psci AFFINITY_INFO target=vcpu1 level=0
  expect x0 == OFF
}
`);
    });

    it('cpu-on: CPU0 and CPUs 2-3 CPU_ON CPU1 at the same instant: exactly one SUCCESS, the rest ALREADY_ON, CPU1 comes online', () => {
      const racer = (n: number) => `
guest.vcpu${n} {
  psci CPU_ON target=vcpu1 entry=cpu_on_target context=${n}
  set x19 = x0
  signal done${n}
}`;
      const one = (winner: number) =>
        [0, 2, 3].map((n) => `vcpu${n}.x19 == ${n === winner ? 'SUCCESS' : 'ALREADY_ON'}`).join(' && ');
      const r = runGreen(`
vm guest { hypervisor kvm; vcpus 4 }
${racer(2)}
${racer(3)}
guest.vcpu0 {
  psci CPU_ON target=vcpu1 entry=cpu_on_target context=0
  set x19 = x0
  wait signal done2
  wait signal done3
  expect (${one(0)}) || (${one(2)}) || (${one(3)}), "exactly one SUCCESS, every other caller ALREADY_ON"
  wait signal cpu1_online
  halt
cpu_on_target:
  signal cpu1_online
}
`);
      const calls = eventsOf(r.events, 'psci.call').filter((e) => e.fn === 'CPU_ON');
      assert.deepStrictEqual(new Set(calls.map((e) => e.t)), new Set([0]), 'all three calls at the same instant');
      const results = eventsOf(r.events, 'psci.return')
        .filter((e) => e.fn === 'CPU_ON')
        .map((e) => e.name)
        .sort();
      assert.deepStrictEqual(results, ['ALREADY_ON', 'ALREADY_ON', 'SUCCESS']);
    });

    it('cpu-off: every CPU but CPU0 calls CPU_OFF; CPU0 polls AFFINITY_INFO until all are OFF and none comes back', () => {
      const secondary = (n: number) => `
guest.vcpu${n} {
  psci CPU_OFF
  expect false, "cpu${n} came back from CPU_OFF"
}`;
      const r = runGreen(`
vm guest { hypervisor kvm; vcpus 4 }
${secondary(1)}
${secondary(2)}
${secondary(3)}
guest.vcpu0 {
  set x20 = 0
  loop {
    set x21 = 0
    psci AFFINITY_INFO target=vcpu1 level=0
    if x0 == OFF { set x21 = x21 + 1 }
    psci AFFINITY_INFO target=vcpu2 level=0
    if x0 == OFF { set x21 = x21 + 1 }
    psci AFFINITY_INFO target=vcpu3 level=0
    if x0 == OFF { set x21 = x21 + 1 }
    if x21 == 3 { break }
    set x20 = x20 + 1
    expect x20 < 100, "CPUs still on after 100 polls"
    delay 10ms
  }
  delay 100ms
  expect vcpu1.power == OFF && vcpu2.power == OFF && vcpu3.power == OFF, "a CPU came back"
  expect !vcpu1.halted && !vcpu2.halted && !vcpu3.halted, "a CPU ran on after CPU_OFF"
}
`);
      assert.ok(!eventsOf(r.events, 'psci.return').some((e) => e.fn === 'CPU_OFF'));
    });
  });
});
