// What KVM and Xen do with each PSCI function, in words, as the simulator's flavours implement it
// (src/sim/psci/kvm.ts after arch/arm64/kvm/psci.c, src/sim/psci/xen.ts after xen/arch/arm/vpsci.c). Hovers and
// completion show it next to the function's row of src/lang/domain/psci.ts.
// (The domain table has no per-flavour column; if one is added there, this file should read it instead.)

export interface FlavourBehaviour {
  kvm: string;
  xen: string;
}

const NOT_IMPLEMENTED: FlavourBehaviour = {
  kvm: 'not implemented: NOT_SUPPORTED.',
  xen: 'not implemented: NOT_SUPPORTED.',
};

export const PSCI_FLAVOUR_BEHAVIOUR: Record<string, FlavourBehaviour> = {
  PSCI_VERSION: {
    kvm: "returns the VM's PSCI version (`hypervisor kvm psci V`, default 1.3).",
    xen: "returns 1.1 (Xen's vPSCI).",
  },
  CPU_SUSPEND: {
    kvm: 'kvm_psci_vcpu_suspend: every request is a WFI whatever power_state says; returns SUCCESS on the wake-up with the context kept (x1..x3 read 0).',
    xen: 'power-down requests are treated as standby: vcpu_block_unless_event_pending, then SUCCESS with the context kept.',
  },
  CPU_OFF: {
    kvm: 'the vCPU stops (KVM_MP_STATE_STOPPED); the call does not return.',
    xen: 'sets _VPF_down and deschedules the vCPU; the call does not return.',
  },
  CPU_ON: {
    kvm: 'kvm_psci_vcpu_on: INVALID_PARAMETERS for bits outside the affinity fields or no such vCPU, ALREADY_ON if the target is not STOPPED; otherwise the target is reset to entry with x0 = context (ON_PENDING until it runs) and the call returns SUCCESS. KVM does not check the entry address.',
    xen: 'do_common_cpu_on: INVALID_PARAMETERS for no such vCPU (Aff0 | Aff1 << 4), INVALID_ADDRESS for a Thumb entry, ALREADY_ON if it is up; otherwise a fresh context at entry with x0 = context and its pending interrupts cleared.',
  },
  AFFINITY_INFO: {
    kvm: 'ON if any matching vCPU is not STOPPED, else OFF; INVALID_PARAMETERS for stray bits, a level past 3, or no matching vCPU. Never reports ON_PENDING.',
    xen: 'ON if any matching vCPU is up, else OFF (also when nothing matches); a level past 3 is INVALID_PARAMETERS.',
  },
  MIGRATE: NOT_IMPLEMENTED,
  MIGRATE_INFO_TYPE: {
    kvm: 'returns 2: the Trusted OS is MP or not present (PSCI_0_2_TOS_MP).',
    xen: 'returns 2: the Trusted OS is MP or not present.',
  },
  MIGRATE_INFO_UP_CPU: NOT_IMPLEMENTED,
  SYSTEM_OFF: {
    kvm: 'kvm_prepare_system_event: every vCPU stops, x0 is preloaded with INTERNAL_FAILURE and the VMM gets a SHUTDOWN exit; `on system_off:` answers stop (the VM is off) or resume.',
    xen: 'domain_shutdown(SHUTDOWN_poweroff): the VM is off.',
  },
  SYSTEM_RESET: {
    kvm: 'kvm_prepare_system_event: every vCPU stops, x0 is preloaded with INTERNAL_FAILURE and the VMM gets a RESET exit; `on system_reset:` answers stop or resume.',
    xen: 'domain_shutdown(SHUTDOWN_reboot): the VM is reset.',
  },
  PSCI_FEATURES: {
    kvm: "0 for each function it implements at the VM's PSCI version; SYSTEM_SUSPEND only with `system_suspend_exit on` (KVM_CAP_ARM_SYSTEM_SUSPEND); SYSTEM_OFF2 reports HIBERNATE_OFF; the rest NOT_SUPPORTED.",
    xen: '0 for the PSCI 0.2 functions and PSCI_FEATURES; SYSTEM_SUSPEND with the guest suspend series (`system_suspend on`); the rest NOT_SUPPORTED.',
  },
  CPU_FREEZE: NOT_IMPLEMENTED,
  CPU_DEFAULT_SUSPEND: NOT_IMPLEMENTED,
  NODE_HW_STATE: NOT_IMPLEMENTED,
  SYSTEM_SUSPEND: {
    kvm: 'with KVM_CAP_ARM_SYSTEM_SUSPEND (`system_suspend_exit on`, the default) KVM exits to the VMM with the registers untouched. The VMM (`on system_suspend:` confirm, deny, defer, confirm-unchecked) checks that every other vCPU is STOPPED (else DENIED) and that entry is in RAM (else INVALID_ADDRESS), then resets the caller to entry with x0 = context and puts it in KVM_MP_STATE_SUSPENDED; a wake-up interrupt gives a WAKEUP exit. `suspend_checks kernel` models the unmerged in-kernel variant. Without the capability: NOT_SUPPORTED.',
    xen: 'the guest SYSTEM_SUSPEND series (`system_suspend on`, the default): INVALID_ADDRESS for a Thumb entry, DENIED while another vCPU is online; then the domain is suspended and resumes at entry with x0 = context (Xen does not check that entry is in RAM). dom0 (`role hardware-domain`) takes the host down with it. Upstream Xen (`system_suspend off`): NOT_SUPPORTED.',
  },
  PSCI_SET_SUSPEND_MODE: NOT_IMPLEMENTED,
  PSCI_STAT_RESIDENCY: NOT_IMPLEMENTED,
  PSCI_STAT_COUNT: NOT_IMPLEMENTED,
  SYSTEM_RESET2: {
    kvm: 'PSCI 1.1: type 0 (SYSTEM_WARM_RESET) or a vendor type (bit 31) stops the VM and exits to the VMM as a reset with the PSCI_RESET2 flag (x0 = INTERNAL_FAILURE if resumed); other types INVALID_PARAMETERS.',
    xen: 'not implemented: NOT_SUPPORTED.',
  },
  MEM_PROTECT: NOT_IMPLEMENTED,
  MEM_PROTECT_CHECK_RANGE: NOT_IMPLEMENTED,
  SYSTEM_OFF2: {
    kvm: 'PSCI 1.3: type HIBERNATE_OFF (or 0) with cookie 0 stops the VM and exits to the VMM as a shutdown with the PSCI_OFF2 flag; anything else INVALID_PARAMETERS.',
    xen: 'not implemented: NOT_SUPPORTED.',
  },
};

/** Said once for every function: what a call newer than the VM's PSCI version gets. */
export const VERSION_NOTE = "KVM answers NOT_SUPPORTED to a function newer than the VM's PSCI version.";
