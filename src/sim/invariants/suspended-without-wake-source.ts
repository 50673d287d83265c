import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/** A VM suspended to RAM needs an enabled, wake-armed interrupt, or nothing can ever wake it. */
export const suspendedWithoutWakeSource: Invariant = {
  ...invariantInfo('suspended-without-wake-source'),
  kinds: ['vm.state'],
  check(m, e) {
    if (e.kind !== 'vm.state' || e.to !== 'suspended' || e.vm < 0) return undefined;
    const enabled: number[] = [];
    for (const [key, s] of m.state.vms[e.vm].irqs) {
      if (s.enabled && s.wake) return undefined;
      if (s.enabled) enabled.push(key % 1024);
    }
    const name = m.vmConfig(e.vm).name;
    // An enabled interrupt that is not armed still ends KVM's WFI, but the guest did not ask it to: it wakes by
    // accident.
    if (enabled.length)
      return `${name} suspended with no interrupt armed as a wake-up source (irq ${enabled.join(', ')} enabled but not armed: it would wake it by accident)`;
    return `${name} suspended with no enabled wake-up interrupt: nothing can wake it`;
  },
};
