// Device models and the guest-physical address map: RAM, the s2idle notify register, PCI functions.
// Each device model is one file registered in MODELS.

import { DeviceConfig, DevicePath, PciTarget, VmConfig } from '../../lang/program';
import { Machine } from '../machine';
import { DeviceState, QueueEntry } from '../state';
import { onGuestNotified } from '../hostpm';

export interface DeviceModelImpl {
  create(vm: VmConfig, device: DeviceConfig): DeviceState;
}

const MODELS: Record<string, DeviceModelImpl> = {};

export function registerDeviceModel(name: string, impl: DeviceModelImpl): void {
  MODELS[name] = impl;
}

export function createDevice(vm: VmConfig, device: DeviceConfig): DeviceState {
  const model = MODELS[device.model];
  if (!model) throw new Error(`device model '${device.model}' (${vm.name}.${device.name}) has no simulator model`);
  return model.create(vm, device);
}

export function readDeviceValue(m: Machine, vm: number, device: number, path: DevicePath): bigint {
  void m; void vm; void device; void path;
  return 0n;
}

export function configAccess(m: Machine, vm: number, vcpu: number, device: number, access: 'read' | 'write', target: PciTarget, value: bigint): { value: bigint; delay: number } {
  void m; void vm; void vcpu; void device; void access; void target; void value;
  return { value: 0n, delay: 0 };
}

export function virtioAction(m: Machine, vm: number, vcpu: number, device: number, action: string, value: bigint): number {
  void m; void vm; void vcpu; void device; void action; void value;
  return 0;
}

export function deviceTimer(m: Machine, entry: QueueEntry): void {
  void m; void entry;
}

/** Size of the virtual PMC's MMIO window (crosvm VPMC_VIRT_MMIO_SIZE). */
export const S2IDLE_NOTIFY_SIZE = 0x10n;

/**
 * A guest MMIO access: the s2idle notify register, or unassigned space (reads all ones, writes dropped). Returns
 * extra virtual time the access costs.
 */
export function mmioAccess(m: Machine, vm: number, vcpu: number, access: 'read' | 'write', address: bigint, width: number, value: bigint): number {
  const cfg = m.vmConfig(vm);
  const v = m.state.vms[vm].vcpus[vcpu];
  const notify = cfg.s2idleNotify;
  if (notify !== undefined && address >= notify && address < notify + S2IDLE_NOTIFY_SIZE) {
    // crosvm's VirtualPmc: only a 4-byte write to offset 0 is the notification; anything else is unsupported.
    const offset = address - notify;
    if (access === 'write' && offset === 0n && width === 32) {
      const vmState = m.state.vms[vm];
      vmState.notifications++;
      m.emit(vm, vcpu, { kind: 'mmio', access, address, width, value, target: 's2idle_notify', blocked: false });
      m.emit(vm, vcpu, { kind: 's2idle.notify', count: vmState.notifications });
      onGuestNotified(m, vm);
    } else {
      m.emit(vm, vcpu, { kind: 'mmio', access, address, width, value, target: 's2idle_notify (unsupported access)', blocked: true });
      if (access === 'read') v.regs[0] = 0n;
    }
    return 0;
  }
  const ones = (1n << BigInt(width)) - 1n;
  m.emit(vm, vcpu, { kind: 'mmio', access, address, width, value: access === 'read' ? ones : value, target: 'unassigned', blocked: true });
  if (access === 'read') v.regs[0] = ones;
  return 0;
}
