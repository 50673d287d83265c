// The virtual PMC register a guest writes as the very last step before s2idle (the s2idle notification RFC by
// Grzegorz Jaszczyk, and crosvm devices/src/pmc_virt.rs, docs/DOMAIN.md 5.2-5.3). A 16-byte MMIO window; a 4-byte
// write to offset 0 is the notification (the _DSM stores 3 into RSV1); any other access is recorded as unsupported.
// The write exits to the VMM, which counts it and tells the host's suspend logic; the s2idle loop notifies again
// after every spurious wake-up, so repeated notifications are normal.

import { Machine } from '../machine';
import { onGuestNotified } from '../hostpm';

/** VPMC_VIRT_MMIO_SIZE */
export const S2IDLE_NOTIFY_SIZE = 0x10n;

export function s2idleNotifyHit(m: Machine, vm: number, address: bigint): boolean {
  const base = m.vmConfig(vm).s2idleNotify;
  return base !== undefined && address >= base && address < base + S2IDLE_NOTIFY_SIZE;
}

export function s2idleNotifyAccess(
  m: Machine,
  vm: number,
  vcpu: number,
  access: 'read' | 'write',
  address: bigint,
  width: number,
  value: bigint,
): void {
  const base = m.vmConfig(vm).s2idleNotify!;
  const v = m.state.vms[vm].vcpus[vcpu];
  if (access === 'write' && address === base && width === 32) {
    const vmState = m.state.vms[vm];
    vmState.notifications++;
    m.emit(vm, vcpu, {
      kind: 'mmio',
      access,
      address,
      width,
      value,
      target: 's2idle_notify',
      blocked: false,
      device: '',
    });
    m.emit(vm, vcpu, {
      kind: 'vmm.exit',
      exit: 'MMIO',
      flags: 0,
      detail: `s2idle notification #${vmState.notifications} (VirtualPmc: guest_suspended = true, notify_one)`,
      via: 'KVM_EXIT_MMIO',
    });
    m.emit(vm, vcpu, { kind: 's2idle.notify', count: vmState.notifications });
    onGuestNotified(m, vm);
    return;
  }
  // VirtualPmc only handles 4-byte writes to offset 0; reads log "unsupported" and return 0.
  if (access === 'read') v.regs[0] = 0n;
  m.emit(vm, vcpu, {
    kind: 'mmio',
    access,
    address,
    width,
    value: access === 'read' ? 0n : value,
    target: 's2idle_notify (unsupported access)',
    blocked: true,
    device: '',
  });
}
