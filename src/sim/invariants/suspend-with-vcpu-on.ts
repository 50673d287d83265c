import { invariantInfo } from '../../lang/domain/invariants';
import type { Machine } from '../machine';
import type { TraceEvent } from '../trace';
import { Invariant } from './invariant';

/** KVM_MP_STATE_STOPPED and KVM_MP_STATE_SUSPENDED (machine.ts MP; not imported, machine.ts imports this file). */
const MP_STOPPED = 5;
const MP_SUSPENDED = 10;

/**
 * The vCPU that called SYSTEM_SUSPEND: every suspend path (the KVM VMM's, KVM's in-kernel variant, Xen's) powers
 * the caller down to POWERDOWN just before the VM becomes suspended. The in-kernel variant leaves it RUNNABLE (in
 * WFI), so its mp state alone does not tell it from another vCPU.
 */
function suspendingVcpu(m: Machine, e: TraceEvent): number {
  const recent = m.state.recent;
  for (let i = recent.length - 1; i >= 0; i--) {
    const r = recent[i];
    if (r.seq >= e.seq || r.vm !== e.vm || r.vcpu < 0) continue;
    if (r.t !== e.t) break;
    if (r.kind === 'power' && r.to === 'POWERDOWN') return r.vcpu;
  }
  return m.state.vms[e.vm].vcpus.findIndex((v) => v.mp === MP_SUSPENDED);
}

/**
 * PSCI SYSTEM_SUSPEND is only valid when every other core is OFF (DEN0022 5.19; docs/DOMAIN.md 1.7): the same
 * test the checked paths make (any other vCPU not KVM_MP_STATE_STOPPED is DENIED). A halted program leaves its
 * vCPU ON, so it counts as on.
 */
export const suspendWithVcpuOn: Invariant = {
  ...invariantInfo('suspend-with-vcpu-on'),
  kinds: ['vm.state'],
  check(m, e) {
    if (e.kind !== 'vm.state' || e.to !== 'suspended' || e.vm < 0) return undefined;
    const caller = suspendingVcpu(m, e);
    const on = m.state.vms[e.vm].vcpus
      .map((v, i) => ({ v, i }))
      .filter(({ v, i }) => i !== caller && v.mp !== MP_STOPPED);
    return on.length
      ? `${m.vmConfig(e.vm).name} suspended with ${on.map(({ i }) => `vcpu${i}`).join(', ')} still on`
      : undefined;
  },
};
