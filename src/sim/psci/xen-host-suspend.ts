// Xen's host suspend (docs/DOMAIN.md 3.3): a domain's SYSTEM_SUSPEND, and when the hardware domain (dom0) completes
// it, Xen takes the host down: it freezes the domains, takes the non-boot pCPUs down, stops timers, saves the GIC and
// calls SYSTEM_SUSPEND at EL3. The way back up is the host's wake (src/sim/hostpm.ts).

import { PSCI_RETURN_CODES } from '../../lang/domain/psci';
import { note, setHostState } from '../hostpm';
import { DAIF_ALL, Machine, MP, POWER } from '../machine';

const RET = PSCI_RETURN_CODES;

/**
 * Xen: the checks passed (Thumb bit, other vCPUs); stash the reset context and suspend the domain. A hardware
 * domain may only suspend when no other domain is awake (the series' policy). Returns a PSCI error or undefined.
 */
export function xenSystemSuspend(
  m: Machine,
  vm: number,
  vcpu: number,
  entry: bigint,
  context: bigint,
): number | undefined {
  const cfg = m.vmConfig(vm);
  if (cfg.hardwareDomain) {
    const awake = m.program.vms.filter((o, i) => i !== vm && m.state.vms[i].state === 'running' && o.flavour === 'xen');
    if (awake.length > 0) return RET.DENIED;
  }
  const v = m.state.vms[vm].vcpus[vcpu];
  v.resume = { entry, context };
  v.daif = DAIF_ALL;
  m.setPower(vm, vcpu, POWER.POWERDOWN, MP.SUSPENDED, 'SYSTEM_SUSPEND: domain_shutdown(SHUTDOWN_suspend)');
  m.block(vm, vcpu, 'suspended');
  m.setVmState(vm, 'suspended', 'SYSTEM_SUSPEND');
  if (cfg.hardwareDomain) {
    xenHostSuspend(m, vm);
    return undefined;
  }
  const irq = m.pendingWake(vm, vcpu);
  if (irq >= 0) m.deliverWake(vm, vcpu, irq);
  return undefined;
}

/** Xen's system_suspend tasklet, run when the hardware domain has suspended itself (docs/DOMAIN.md 3.3). */
function xenHostSuspend(m: Machine, dom0: number): void {
  const steps = [
    'freeze_domains: every domain paused',
    'scheduler_disable',
    'disable_nonboot_cpus: secondary pCPUs CPU_OFF to EL3',
    'time_suspend: CNTP/CNTHP timers off, watchdogs paused',
    'iommu_suspend, console_suspend',
    'gic_suspend: GIC state saved',
    'PSCI SYSTEM_SUSPEND at EL3 (entry = hyp_resume)',
  ];
  setHostState(m, 'suspending', `${m.vmConfig(dom0).name} (hardware domain) completed SYSTEM_SUSPEND`);
  for (const s of steps) note(m, `Xen: ${s}`);
  setHostState(m, 'suspended', 'Xen suspended the host');
}
