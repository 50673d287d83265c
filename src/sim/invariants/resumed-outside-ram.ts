import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/** An entry point (CPU_ON, SYSTEM_SUSPEND) must be a valid address in the guest's RAM (PSCI INVALID_ADDRESS). */
export const resumedOutsideRam: Invariant = {
  ...invariantInfo('resumed-outside-ram'),
  kinds: ['power'],
  check(m, e) {
    if (e.kind !== 'power' || (e.to !== 'ON' && e.to !== 'ON_PENDING') || e.vcpu < 0) return undefined;
    const v = m.state.vms[e.vm].vcpus[e.vcpu];
    if (m.inRam(e.vm, v.pcAddress)) return undefined;
    return `${m.vcpuName(e.vm, e.vcpu)} runs from 0x${v.pcAddress.toString(16)}, outside RAM`;
  },
};
