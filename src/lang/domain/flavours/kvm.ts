// KVM arm64 as a flavour: PSCI as arch/arm64/kvm/psci.c implements it upstream, SYSTEM_SUSPEND and the system
// events exiting to the VMM (KVM_EXIT_SYSTEM_EVENT; docs/DOMAIN.md 1.4-1.8, 2.1-2.4). The simulator's side is
// src/sim/psci/kvm.ts and src/sim/vmm.ts.

import { Flavour, NOT_IMPLEMENTED, onOffOption } from './flavour';

const PSCI_VERSIONS = ['0.2', '1.0', '1.1', '1.3'];

export const kvm: Flavour = {
  name: 'kvm',
  label: 'KVM',
  title: 'KVM on arm64 (SYSTEM_SUSPEND exits to the VMM)',
  summary: 'KVM on arm64: PSCI 0.2 to 1.3, SYSTEM_SUSPEND exits to the VMM (KVM_CAP_ARM_SYSTEM_SUSPEND)',
  psciVersions: PSCI_VERSIONS,
  defaultPsciVersion: '1.3',
  versionsNote: `KVM offers PSCI ${PSCI_VERSIONS.join(', ')}`,
  options: [
    onOffOption(
      'system_suspend_exit',
      'KVM_CAP_ARM_SYSTEM_SUSPEND: on (default) SYSTEM_SUSPEND exits to the VMM; off answers NOT_SUPPORTED',
      (cfg, on) => (cfg.kvm.systemSuspendExit = on),
    ),
    {
      name: 'suspend_checks',
      kind: 'enum',
      values: ['vmm', 'kernel'],
      default: 'vmm',
      doc: "who checks SYSTEM_SUSPEND's preconditions: the VMM (upstream, default) or the kernel (the unmerged v3 in-kernel variant)",
      set: (cfg, value) => (cfg.kvm.suspendChecks = value === 'kernel' ? 'kernel' : 'vmm'),
    },
  ],
  vmm: {
    system_suspend: ['confirm', 'deny', 'defer', 'confirm-unchecked', 'resume'],
    wakeup: ['resume', 'ignore', 'defer'],
    system_off: ['stop', 'resume'],
    system_reset: ['stop', 'resume'],
  },
  psci: {
    PSCI_VERSION: "returns the VM's PSCI version (`hypervisor kvm psci V`, default 1.3).",
    CPU_SUSPEND:
      'kvm_psci_vcpu_suspend: every request is a WFI whatever power_state says; returns SUCCESS on the wake-up with the context kept (x1..x3 read 0).',
    CPU_OFF:
      'the vCPU stops (KVM_MP_STATE_STOPPED) without an exit to the VMM; the call does not return, but SUCCESS is written first, so the stopped vCPU holds x0..x3 = 0.',
    CPU_ON:
      'kvm_psci_vcpu_on: INVALID_PARAMETERS for bits outside the affinity fields or no such vCPU, ALREADY_ON if the target is not STOPPED; otherwise the target is reset to entry with x0 = context (ON_PENDING until it runs) and the call returns SUCCESS. KVM does not check the entry address.',
    AFFINITY_INFO:
      'ON if any matching vCPU is not STOPPED, else OFF; INVALID_PARAMETERS for stray bits, a level past 3, or no matching vCPU. Never reports ON_PENDING.',
    MIGRATE: NOT_IMPLEMENTED,
    MIGRATE_INFO_TYPE: 'returns 2: the Trusted OS is MP or not present (PSCI_0_2_TOS_MP).',
    MIGRATE_INFO_UP_CPU: NOT_IMPLEMENTED,
    SYSTEM_OFF:
      'kvm_prepare_system_event: every vCPU stops, x0 is preloaded with INTERNAL_FAILURE and the VMM gets a SHUTDOWN exit; `on system_off:` answers stop (the VM is off) or resume.',
    SYSTEM_RESET:
      'kvm_prepare_system_event: every vCPU stops, x0 is preloaded with INTERNAL_FAILURE and the VMM gets a RESET exit; `on system_reset:` answers stop or resume.',
    PSCI_FEATURES:
      "0 for each function it implements at the VM's PSCI version; SYSTEM_SUSPEND only with `system_suspend_exit on` (KVM_CAP_ARM_SYSTEM_SUSPEND); SYSTEM_OFF2 reports HIBERNATE_OFF; the rest NOT_SUPPORTED.",
    CPU_FREEZE: NOT_IMPLEMENTED,
    CPU_DEFAULT_SUSPEND: NOT_IMPLEMENTED,
    NODE_HW_STATE: NOT_IMPLEMENTED,
    SYSTEM_SUSPEND:
      'with KVM_CAP_ARM_SYSTEM_SUSPEND (`system_suspend_exit on`, the default) KVM exits to the VMM with the registers untouched. The VMM (`on system_suspend:` confirm, deny, defer, confirm-unchecked, resume) checks that every other vCPU is STOPPED (else DENIED) and that entry is in RAM (else INVALID_ADDRESS), then resets the caller to entry with x0 = context and puts it in KVM_MP_STATE_SUSPENDED; a wake-up interrupt gives a WAKEUP exit. `suspend_checks kernel` models the unmerged in-kernel variant. Without the capability: NOT_SUPPORTED.',
    PSCI_SET_SUSPEND_MODE: NOT_IMPLEMENTED,
    PSCI_STAT_RESIDENCY: NOT_IMPLEMENTED,
    PSCI_STAT_COUNT: NOT_IMPLEMENTED,
    SYSTEM_RESET2:
      'PSCI 1.1: type 0 (SYSTEM_WARM_RESET) or a vendor type (bit 31) stops the VM and exits to the VMM as a reset with the PSCI_RESET2 flag (x0 = INTERNAL_FAILURE if resumed); other types INVALID_PARAMETERS.',
    MEM_PROTECT: NOT_IMPLEMENTED,
    MEM_PROTECT_CHECK_RANGE: NOT_IMPLEMENTED,
    SYSTEM_OFF2:
      'PSCI 1.3: type HIBERNATE_OFF (or 0) with cookie 0 stops the VM and exits to the VMM as a shutdown with the PSCI_OFF2 flag; anything else INVALID_PARAMETERS.',
  },
};
