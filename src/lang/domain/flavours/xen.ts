// Xen on Arm as a flavour: its virtual PSCI (xen/arch/arm/vpsci.c) plus the guest SYSTEM_SUSPEND series (Mykola
// Kvach, based on Mirela Simonovic's suspend-to-RAM work); docs/DOMAIN.md 3.1-3.3. The simulator's side is
// src/sim/psci/xen.ts, src/sim/vmm.ts (the toolstack) and src/sim/hostpm.ts (dom0 suspending the host).

import { Flavour, NOT_IMPLEMENTED, onOffOption } from './flavour';

export const xen: Flavour = {
  name: 'xen',
  label: 'Xen',
  title: 'Xen on Arm (vPSCI; the guest SYSTEM_SUSPEND series)',
  summary: 'Xen on Arm: vPSCI 1.1, the guest SYSTEM_SUSPEND series, dom0 suspends the host',
  psciVersions: ['1.1'],
  defaultPsciVersion: '1.1',
  versionsNote: "Xen's vPSCI implements PSCI 1.1 (xen/arch/arm/vpsci.c)",
  options: [
    onOffOption(
      'system_suspend',
      'Xen has guest SYSTEM_SUSPEND (do_psci_1_0_system_suspend in xen/arch/arm/vpsci.c; on, the default); off: a Xen without it answers NOT_SUPPORTED',
      (cfg, on) => (cfg.xen.systemSuspend = on),
    ),
  ],
  vmm: { wakeup: ['resume', 'defer'], system_off: ['stop'], system_reset: ['stop'] },
  noVmmExit: {
    system_suspend: 'Xen handles SYSTEM_SUSPEND in the hypervisor (vpsci.c); there is no VMM exit to answer',
  },
  psci: {
    PSCI_VERSION: "returns 1.1 (Xen's vPSCI).",
    CPU_SUSPEND:
      'power-down requests are treated as standby: vcpu_block_unless_event_pending, then SUCCESS with the context kept.',
    CPU_OFF:
      'sets _VPF_down and deschedules the vCPU; the call does not return, but x0 = SUCCESS is written first (x1..x3 kept).',
    CPU_ON:
      'do_common_cpu_on: INVALID_PARAMETERS for no such vCPU (Aff0 | Aff1 << 4), INVALID_ADDRESS for a Thumb entry, ALREADY_ON if it is up; otherwise a fresh context at entry with x0 = context and its pending interrupts cleared. CPU_ON32 reads target, entry and context as 32 bits (the registers are left as they were).',
    AFFINITY_INFO:
      'ON if any matching vCPU is up, else OFF (also when nothing matches); a level past 3 is INVALID_PARAMETERS. The level is read as 32 bits even for AFFINITY_INFO64 (0x1_0000_0000 is level 0); AFFINITY_INFO32 reads the target as 32 bits.',
    MIGRATE: NOT_IMPLEMENTED,
    MIGRATE_INFO_TYPE: 'returns 2: the Trusted OS is MP or not present.',
    MIGRATE_INFO_UP_CPU: NOT_IMPLEMENTED,
    SYSTEM_OFF: 'domain_shutdown(SHUTDOWN_poweroff): the VM is off.',
    SYSTEM_RESET: 'domain_shutdown(SHUTDOWN_reboot): the VM is reset.',
    PSCI_FEATURES:
      '0 for the PSCI 0.2 functions and PSCI_FEATURES; SYSTEM_SUSPEND with the guest suspend series (`system_suspend on`); the rest NOT_SUPPORTED.',
    CPU_FREEZE: NOT_IMPLEMENTED,
    CPU_DEFAULT_SUSPEND: NOT_IMPLEMENTED,
    NODE_HW_STATE: NOT_IMPLEMENTED,
    SYSTEM_SUSPEND:
      'the guest SYSTEM_SUSPEND series (`system_suspend on`, the default): INVALID_ADDRESS for a Thumb entry, DENIED while another vCPU is online; then the domain is suspended and resumes at entry with x0 = context (Xen does not check that entry is in RAM; SYSTEM_SUSPEND32 reads entry and context as 32 bits). dom0 (`role hardware-domain`) takes the host down with it. A Xen without guest SYSTEM_SUSPEND (`system_suspend off`): NOT_SUPPORTED.',
    PSCI_SET_SUSPEND_MODE: NOT_IMPLEMENTED,
    PSCI_STAT_RESIDENCY: NOT_IMPLEMENTED,
    PSCI_STAT_COUNT: NOT_IMPLEMENTED,
    SYSTEM_RESET2: 'not implemented: NOT_SUPPORTED.',
    MEM_PROTECT: NOT_IMPLEMENTED,
    MEM_PROTECT_CHECK_RANGE: NOT_IMPLEMENTED,
    SYSTEM_OFF2: 'not implemented: NOT_SUPPORTED.',
  },
};
