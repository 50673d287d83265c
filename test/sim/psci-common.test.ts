// PSCI conformance, part 1: the rules KVM and Xen share (DOMAIN.md 1.1-1.6, 1.8, 3.1). Every scenario runs once per
// flavour; the expectations inside the scenarios are the conformance checks, and the trace is asserted where a
// scenario cannot see (function IDs on the wire, which calls returned).
//
// A bare vCPU name (`target=vcpu1`) is that vCPU's MPIDR affinity fields (MPIDR & MPIDR_HWID_BITMASK), what Linux's
// cpu_logical_map holds and passes to PSCI; `vcpu1.mpidr` is the raw MPIDR_EL1 with its RES1 bit 31.

import * as assert from 'assert';
import { eventsOf, run, runGreen } from '../helpers';

const FLAVOURS = ['kvm', 'xen'] as const;

/** Function IDs as DOMAIN.md 1.1 lists them (copied from the table, not from src/lang/domain/psci.ts). */
const FUNCTION_IDS: [name: string, smc32: number, smc64: number | undefined][] = [
  ['PSCI_VERSION', 0x84000000, undefined],
  ['CPU_SUSPEND', 0x84000001, 0xc4000001],
  ['CPU_OFF', 0x84000002, undefined],
  ['CPU_ON', 0x84000003, 0xc4000003],
  ['AFFINITY_INFO', 0x84000004, 0xc4000004],
  ['MIGRATE', 0x84000005, 0xc4000005],
  ['MIGRATE_INFO_TYPE', 0x84000006, undefined],
  ['MIGRATE_INFO_UP_CPU', 0x84000007, 0xc4000007],
  ['SYSTEM_OFF', 0x84000008, undefined],
  ['SYSTEM_RESET', 0x84000009, undefined],
  ['PSCI_FEATURES', 0x8400000a, undefined],
  ['CPU_FREEZE', 0x8400000b, undefined],
  ['CPU_DEFAULT_SUSPEND', 0x8400000c, 0xc400000c],
  ['NODE_HW_STATE', 0x8400000d, 0xc400000d],
  ['SYSTEM_SUSPEND', 0x8400000e, 0xc400000e],
  ['PSCI_SET_SUSPEND_MODE', 0x8400000f, undefined],
  ['PSCI_STAT_RESIDENCY', 0x84000010, 0xc4000010],
  ['PSCI_STAT_COUNT', 0x84000011, 0xc4000011],
  ['SYSTEM_RESET2', 0x84000012, 0xc4000012],
  ['MEM_PROTECT', 0x84000013, undefined],
  ['MEM_PROTECT_CHECK_RANGE', 0x84000014, 0xc4000014],
  ['SYSTEM_OFF2', 0x84000015, 0xc4000015],
];

const hex = (n: number) => '0x' + n.toString(16);

function callFids(events: ReturnType<typeof run>['events']): number[] {
  return eventsOf(events, 'psci.call').map((e) => e.fid);
}

describe('PSCI common: function IDs (DOMAIN.md 1.1)', () => {
  it('every function name and its 32/64 suffixed names spell the SMC32 and SMC64 IDs of the table', () => {
    const lines: string[] = [];
    for (const [name, smc32, smc64] of FUNCTION_IDS) {
      if (smc64 === undefined) {
        lines.push(`expect ${name} == ${hex(smc32)}, "${name} is SMC32 only"`);
      } else {
        lines.push(`expect ${name}32 == ${hex(smc32)}, "${name}32"`);
        lines.push(`expect ${name}64 == ${hex(smc64)}, "${name}64"`);
        lines.push(`expect ${name} == ${hex(smc64)}, "plain ${name} is the SMC64 ID"`);
        lines.push(`expect (${name}64 - ${name}32) == 0x40000000, "${name}: SMC64 = SMC32 | 0x40000000"`);
      }
    }
    runGreen(`
vm guest { hypervisor kvm; vcpus 1 }
guest.vcpu0 {
${lines.join('\n')}
}
`);
  });
});

for (const hv of FLAVOURS) {
  describe(`PSCI common on ${hv}`, () => {
    it('1.1: a call by name puts the SMC32 or SMC64 ID in x0; plain names use SMC64 where it exists', () => {
      const r = runGreen(`
vm guest { hypervisor ${hv}; vcpus 1 }
guest.vcpu0 {
  psci AFFINITY_INFO32 target=vcpu0 level=0
  expect x0 == ON
  psci AFFINITY_INFO64 target=vcpu0 level=0
  expect x0 == ON
  psci AFFINITY_INFO target=vcpu0 level=0
  expect x0 == ON
  smc 0x84000004 x1=0 x2=0
  expect x0 == ON, "a raw SMC32 AFFINITY_INFO is the same call"
  smc 0xc4000004 x1=0 x2=0
  expect x0 == ON, "a raw SMC64 AFFINITY_INFO is the same call"
  psci PSCI_VERSION
  psci CPU_ON32 target=vcpu0
  expect x0 == ALREADY_ON
  psci CPU_ON target=vcpu0
  expect x0 == ALREADY_ON
  psci MIGRATE_INFO_TYPE
}
`);
      assert.deepStrictEqual(
        callFids(r.events),
        [0x84000004, 0xc4000004, 0xc4000004, 0x84000004, 0xc4000004, 0x84000000, 0x84000003, 0xc4000003, 0x84000006],
      );
    });

    it('1.3: PSCI_VERSION is major in bits[31:16], minor in bits[15:0]', () => {
      // KVM's default here is PSCI 1.3; Xen's vPSCI always reports 1.1.
      const [major, minor] = hv === 'kvm' ? [1, 3] : [1, 1];
      const r = runGreen(`
vm guest { hypervisor ${hv}; vcpus 1 }
guest.vcpu0 {
  psci PSCI_VERSION
  expect (x0 >> 16) == ${major} && (x0 & 0xffff) == ${minor}
  expect x0 == ${hex((major << 16) | minor)}
}
`);
      assert.strictEqual(eventsOf(r.events, 'psci.return')[0].name, `${major}.${minor}`);
    });

    it('1.8/3.1: PSCI_FEATURES is 0 for the base functions and NOT_SUPPORTED for the rest', () => {
      const supported = [
        'PSCI_VERSION',
        'CPU_SUSPEND32',
        'CPU_SUSPEND64',
        'CPU_OFF',
        'CPU_ON32',
        'CPU_ON64',
        'AFFINITY_INFO32',
        'AFFINITY_INFO64',
        'MIGRATE_INFO_TYPE',
        'SYSTEM_OFF',
        'SYSTEM_RESET',
        'PSCI_FEATURES',
        '0x80000000',
      ];
      const unsupported = [
        'MIGRATE32',
        'MIGRATE64',
        'MIGRATE_INFO_UP_CPU32',
        'MIGRATE_INFO_UP_CPU64',
        'CPU_FREEZE',
        'CPU_DEFAULT_SUSPEND32',
        'CPU_DEFAULT_SUSPEND64',
        'NODE_HW_STATE64',
        'PSCI_SET_SUSPEND_MODE',
        'PSCI_STAT_RESIDENCY64',
        'PSCI_STAT_COUNT64',
        'MEM_PROTECT',
        'MEM_PROTECT_CHECK_RANGE64',
        '1337',
        '0xc4000000',
        '0xc4000002',
        '0x84000016',
      ];
      runGreen(`
vm guest { hypervisor ${hv}; vcpus 1 }
guest.vcpu0 {
${supported.map((f) => `  psci PSCI_FEATURES function=${f}\n  expect x0 == 0, "PSCI_FEATURES(${f}) == 0"`).join('\n')}
${unsupported.map((f) => `  psci PSCI_FEATURES function=${f}\n  expect x0 == NOT_SUPPORTED, "PSCI_FEATURES(${f}) == NOT_SUPPORTED"`).join('\n')}
}
`);
    });

    it('1.8/3.1: an unknown function ID is NOT_SUPPORTED and changes nothing else', () => {
      // 1337 (kvm-unit-tests), an unassigned PSCI number, and SMC64 IDs of functions that only have an SMC32 ID.
      const r = runGreen(`
vm guest { hypervisor ${hv}; vcpus 1 }
guest.vcpu0 {
  smc 1337
  expect x0 == NOT_SUPPORTED
  hvc 1337
  expect x0 == NOT_SUPPORTED
  smc 0x84000016
  expect x0 == NOT_SUPPORTED, "PSCI function 22 does not exist"
  smc 0xc4000000
  expect x0 == NOT_SUPPORTED, "PSCI_VERSION has no SMC64 ID"
  smc 0xc4000002
  expect x0 == NOT_SUPPORTED, "CPU_OFF has no SMC64 ID"
  expect vcpu0.power == ON && vcpu0.mp_state == RUNNABLE, "the 64-bit CPU_OFF lookalike did not power the core off"
  smc 0xc4000008
  expect x0 == NOT_SUPPORTED, "SYSTEM_OFF has no SMC64 ID"
  expect guest.state == vm_running
}
`);
      const returns = eventsOf(r.events, 'psci.return');
      assert.strictEqual(returns.length, 6);
      assert.ok(
        returns.every((e) => e.name === 'NOT_SUPPORTED'),
        JSON.stringify(returns.map((e) => e.name)),
      );
      assert.strictEqual(eventsOf(r.events, 'power').length, 0);
    });

    it('1.2: return codes are 32-bit signed values sign-extended into x0', () => {
      const r = runGreen(`
vm guest { hypervisor ${hv}; vcpus 2 }
guest.vcpu1 { wait signal done }
guest.vcpu0 {
  smc 1337
  expect x0 == NOT_SUPPORTED && x0 == 0xffffffffffffffff && x0 != 0xffffffff
  psci AFFINITY_INFO target=vcpu0 level=4
  expect x0 == INVALID_PARAMETERS && x0 == 0xfffffffffffffffe && x0 != 0xfffffffe
  psci SYSTEM_SUSPEND entry=never context=0
  expect x0 == DENIED, "vcpu1 is still on"
  expect x0 == 0xfffffffffffffffd && (x0 >> 32) == 0xffffffff && (x0 & 0xffffffff) == 0xfffffffd
  psci CPU_ON target=vcpu1 entry=never context=0
  expect x0 == ALREADY_ON && x0 == 0xfffffffffffffffc
  signal done
  halt
never:
  expect false, "nothing may start here"
}
`);
      assert.strictEqual(r.machine.readVcpuField(0, 0, 'x0'), 0xfffffffffffffffcn);
    });

    it('1.8/3.1: MIGRATE_INFO_TYPE is 2 (Trusted OS MP or not present); MIGRATE and MIGRATE_INFO_UP_CPU are NOT_SUPPORTED', () => {
      const r = runGreen(`
vm guest { hypervisor ${hv}; vcpus 1 }
guest.vcpu0 {
  psci MIGRATE_INFO_TYPE
  expect x0 == 2
  psci MIGRATE target=vcpu0
  expect x0 == NOT_SUPPORTED
  psci MIGRATE32 target=vcpu0
  expect x0 == NOT_SUPPORTED
  psci MIGRATE_INFO_UP_CPU
  expect x0 == NOT_SUPPORTED
}
`);
      assert.strictEqual(eventsOf(r.events, 'psci.return')[0].name, 'TOS_MP');
    });

    it('1.5: CPU_ON SUCCESS starts the target at entry with x0 = context, MMU off, DAIF masked, at EL1', () => {
      const r = runGreen(`
vm guest { hypervisor ${hv}; vcpus 2 }
guest.vcpu0 {
  expect vcpu1.power == OFF && vcpu1.mp_state == STOPPED, "a vCPU without a program starts off"
  psci CPU_ON target=vcpu1 entry=secondary context=0xdeadc0de
  expect x0 == SUCCESS
  wait signal started
  expect vcpu1.power == ON
  halt
secondary:
  expect pc == secondary, "starts at entry_point_address"
  expect x0 == 0xdeadc0de, "x0 = context_id"
  expect mmu == 0, "MMU off"
  expect daif == 0xf, "D, A, I and F masked"
  expect el == 1, "at the caller's exception level"
  expect x1 == 0 && x2 == 0 && x3 == 0 && x30 == 0 && sp == 0, "a fresh context"
  expect vcpu1.mp_state == RUNNABLE
  signal started
}
`);
      const ret = eventsOf(r.events, 'psci.return').find((e) => e.fn === 'CPU_ON');
      assert.ok(ret && ret.vcpu === 0 && ret.result === 0n);
    });

    it('1.5: CPU_ON of a vCPU that is already on is ALREADY_ON and leaves the target alone', () => {
      runGreen(`
vm guest { hypervisor ${hv}; vcpus 2 }
guest.vcpu1 {
  set x7 = 77
  wait signal done
  expect x7 == 77, "not reset by the refused CPU_ON"
}
guest.vcpu0 {
  wait vcpu1.x7 == 77
  psci CPU_ON target=vcpu1 entry=never context=1
  expect x0 == ALREADY_ON, "vcpu1 runs its program"
  psci CPU_ON target=vcpu0 entry=never context=1
  expect x0 == ALREADY_ON, "the caller itself is on"
  signal done
  halt
never:
  expect false, "no vCPU may start here"
}
`);
    });

    it('1.5: CPU_ON of an MPIDR that names no vCPU is INVALID_PARAMETERS', () => {
      runGreen(`
vm guest { hypervisor ${hv}; vcpus 2 }
guest.vcpu0 {
  psci CPU_ON target=2 entry=never context=0
  expect x0 == INVALID_PARAMETERS, "Aff0 = 2: there are only two vCPUs"
  psci CPU_ON target=0x101 entry=never context=0
  expect x0 == INVALID_PARAMETERS, "Aff1 = 1"
  expect vcpu1.mp_state == STOPPED
  halt
never:
  expect false, "no vCPU may start here"
}
`);
    });

    it('1.5/3.1: CPU_OFF does not return; the core reads OFF and a later CPU_ON starts it at the new entry', () => {
      const r = runGreen(`
vm guest { hypervisor ${hv}; vcpus 2 }
guest.vcpu1 {
  set x5 = 5
  psci CPU_OFF
  expect false, "CPU_OFF returned"
}
guest.vcpu0 {
  wait vcpu1.power == OFF
  expect vcpu1.mp_state == STOPPED
  psci AFFINITY_INFO target=vcpu1 level=0
  expect x0 == OFF
  psci CPU_ON target=vcpu1 entry=again context=2
  expect x0 == SUCCESS
  wait signal back
  halt
again:
  expect x0 == 2 && x5 == 0, "a fresh start, not a return from CPU_OFF"
  signal back
}
`);
      assert.ok(!eventsOf(r.events, 'psci.return').some((e) => e.fn === 'CPU_OFF'), 'CPU_OFF produced a return');
    });

    it('1.4: AFFINITY_INFO is ON for the caller and for a core in CPU_SUSPEND, OFF for a core never started', () => {
      runGreen(`
vm guest { hypervisor ${hv}; vcpus 3 }
host { at 1ms: irq 40 -> guest }
guest.vcpu2 {
  irq enable 40
  psci CPU_SUSPEND power_state=0x10000
  expect x0 == SUCCESS
}
guest.vcpu0 {
  wait vcpu2.power == POWERDOWN
  psci AFFINITY_INFO target=vcpu0 level=0
  expect x0 == ON, "the caller"
  psci AFFINITY_INFO target=vcpu1 level=0
  expect x0 == OFF, "never started"
  psci AFFINITY_INFO target=vcpu2 level=0
  expect x0 == ON, "a suspended core is not off"
  expect now < 1ms
}
`);
    });

    it('1.4: AFFINITY_INFO levels 0-3 compare the affinity fields above 8*level bits; level 4 is INVALID_PARAMETERS', () => {
      // vcpu16 is the only vCPU with Aff1 = 1 (KVM's layout: Aff0 = id[3:0], Aff1 = id[11:4]).
      runGreen(`
vm guest { hypervisor ${hv}; vcpus 17 }
guest.vcpu0 {
  expect vcpu16.mpidr == 0x80000100
  psci AFFINITY_INFO target=vcpu1 level=0
  expect x0 == OFF, "level 0: only vcpu1"
  psci AFFINITY_INFO target=vcpu1 level=1
  expect x0 == ON, "level 1: every vCPU with Aff1..3 = 0, including the caller"
  psci AFFINITY_INFO target=0x100 level=0
  expect x0 == OFF, "level 0: vcpu16"
  psci AFFINITY_INFO target=0x1ff level=1
  expect x0 == OFF, "level 1: Aff0 ignored, only vcpu16 has Aff1 = 1"
  psci AFFINITY_INFO target=0x100 level=2
  expect x0 == ON, "level 2: Aff1 ignored too, all vCPUs match"
  psci AFFINITY_INFO target=0xffff level=3
  expect x0 == ON, "level 3: only Aff3 compared"
  psci AFFINITY_INFO target=vcpu0 level=4
  expect x0 == INVALID_PARAMETERS
  psci AFFINITY_INFO target=vcpu0 level=0xffffffff
  expect x0 == INVALID_PARAMETERS
}
`);
    });

    it('1.6: CPU_SUSPEND waits for an interrupt (WFI), returns SUCCESS to the next statement and keeps the context', () => {
      const r = runGreen(`
vm guest { hypervisor ${hv}; vcpus 1 }
host { at 2ms: irq 40 -> guest }
guest.vcpu0 {
  irq enable 40
  set x4 = 0x44; set x19 = 0x1919; set x30 = 0x3030; set sp = 0x8000
  psci CPU_SUSPEND power_state=0x10000 entry=elsewhere context=0x55
  expect x0 == SUCCESS
  expect now >= 2ms, "blocked until the interrupt"
  expect x4 == 0x44 && x19 == 0x1919 && x30 == 0x3030 && sp == 0x8000, "registers kept"
  expect mmu == 1, "no reset: the MMU is still on"
  halt
elsewhere:
  expect false, "CPU_SUSPEND resumed at entry_point instead of returning"
}
`);
      const powers = eventsOf(r.events, 'power').map((e) => e.to);
      assert.deepStrictEqual(powers, ['POWERDOWN', 'ON']);
    });

    it('1.6: CPU_SUSPEND with a wake-up already pending returns SUCCESS at once', () => {
      const r = runGreen(`
vm guest { hypervisor ${hv}; vcpus 1 }
host { at 0ms: irq 40 -> guest }
guest.vcpu0 {
  irq enable 40
  expect irq 40 pending
  psci CPU_SUSPEND power_state=0
  expect x0 == SUCCESS
  expect now < 10us
}
`);
      assert.strictEqual(eventsOf(r.events, 'power').length, 0);
    });
  });
}
