import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/**
 * A guest that enters s2idle with an enabled interrupt still pending on the vCPU (one not armed as a wake-up source)
 * has not serviced what woke it: its WFI returns at once, and the loop goes round, notifying again each time. Linux
 * runs the interrupt's handler as soon as s2idle_enter unmasks interrupts (kernel/power/suspend.c s2idle_enter, then
 * the flow handler clears it at the GIC, kernel/irq/chip.c handle_fasteoi_irq), so s2idle re-enters once per wake-up
 * (REAL-GUEST.md).
 */
export const s2idleSpin: Invariant = {
  ...invariantInfo('s2idle-spin'),
  // The notification the VMM saw, or the guest's attempt where the VM has no virtual PMC.
  kinds: ['s2idle.notify', 'device'],
  check(m, e) {
    if (e.vm < 0 || e.vcpu < 0) return undefined;
    if (e.kind === 'device' && e.device !== 's2idle_notify') return undefined;
    if (e.kind !== 'device' && e.kind !== 's2idle.notify') return undefined;
    // Once per vCPU: a spin goes on notifying, thousands of times, and the first is the one to look at.
    if (m.state.violations.some((v) => v.invariant === 's2idle-spin' && v.vm === e.vm && v.vcpu === e.vcpu))
      return undefined;
    // A pending wake-up source is pm_wakeup_pending: the WFI returns and the loop ends, one notification too many at
    // most (the race s2idle_loop accepts). Only an interrupt that is not one brings the loop round again.
    let irq = -1;
    for (const [key, s] of m.state.vms[e.vm].irqs)
      if (s.enabled && s.pending && !s.wake && s.target === e.vcpu) {
        irq = key % 1024;
        break;
      }
    if (irq < 0) return undefined;
    return `${m.vmConfig(e.vm).name}.vcpu${e.vcpu} entered s2idle with irq ${irq} pending and not serviced: its WFI returns at once and the s2idle loop spins instead of sleeping`;
  },
};
