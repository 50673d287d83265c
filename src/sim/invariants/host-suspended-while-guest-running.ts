import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/** The s2idle notify race: the host finished suspending while a guest vCPU was executing (it woke after the host
 * decided). */
export const hostSuspendedWhileGuestRunning: Invariant = {
  ...invariantInfo('host-suspended-while-guest-running'),
  kinds: ['host.state'],
  check(m, e) {
    if (e.kind !== 'host.state' || e.to !== 'suspended') return undefined;
    const running: string[] = [];
    m.state.vms.forEach((vm, vi) =>
      vm.vcpus.forEach((_, ci) => {
        if (m.isExecuting(vi, ci)) running.push(m.vcpuName(vi, ci));
      }),
    );
    return running.length
      ? `the host suspended while ${running.join(', ')} ${running.length === 1 ? 'was' : 'were'} running`
      : undefined;
  },
  culprit(m) {
    for (let vi = 0; vi < m.state.vms.length; vi++) {
      for (let ci = 0; ci < m.state.vms[vi].vcpus.length; ci++) if (m.isExecuting(vi, ci)) return { vm: vi, vcpu: ci };
    }
    return undefined;
  },
};
