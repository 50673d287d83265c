import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/** PSCI SYSTEM_SUSPEND is only valid when every other core is OFF (DEN0022 5.19; docs/DOMAIN.md 1.7). */
export const suspendWithVcpuOn: Invariant = {
  ...invariantInfo('suspend-with-vcpu-on'),
  check(m, e) {
    if (e.kind !== 'vm.state' || e.to !== 'suspended' || e.vm < 0) return undefined;
    const on = m.state.vms[e.vm].vcpus.map((v, i) => ({ v, i })).filter(({ v }) => v.mp !== 5 && v.mp !== 10 && v.run !== 'halted');
    return on.length ? `${m.vmConfig(e.vm).name} suspended with ${on.map(({ i }) => `vcpu${i}`).join(', ')} still on` : undefined;
  },
};
