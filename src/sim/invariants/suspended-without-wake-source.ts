import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/** A VM suspended to RAM needs an enabled, wake-armed interrupt, or nothing can ever wake it. */
export const suspendedWithoutWakeSource: Invariant = {
  ...invariantInfo('suspended-without-wake-source'),
  check(m, e) {
    if (e.kind !== 'vm.state' || e.to !== 'suspended' || e.vm < 0) return undefined;
    for (const s of m.state.vms[e.vm].irqs.values()) if (s.enabled && s.wake) return undefined;
    return `${m.vmConfig(e.vm).name} suspended with no enabled wake-up interrupt: it can never wake`;
  },
};
