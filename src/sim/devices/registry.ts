// Device models, registered by name (one file each), and the guest-physical address map: the s2idle notify
// register, PCI functions' BARs, RAM, and unassigned space.

import { DeviceConfig, DevicePath, PciTarget, VmConfig } from '../../lang/program';
import { ECAM_BASE, ECAM_SIZE } from '../../lang/domain/pci';
import { DeviceFieldName, DeviceModelName } from '../../lang/domain/devices';
import { Machine } from '../machine';
import { DeviceState } from '../state';
import { DeviceCall, DeviceModelImpl } from './model';
import { barAccess, guestConfigAccess, pciRestoreState, pciSaveState, readConfig } from './pci';
import { PciFunction, buildMasks } from './pci-function';
import { passthrough } from './passthrough';
import { plainPci } from './plain-pci';
import { s2idleNotifyAccess, s2idleNotifyHit } from './s2idle-notify';
import { virtioFreeze, virtioRestore, writeStatus } from './virtio';
import { virtioBlk } from './virtio-blk';
import { virtioGpio } from './virtio-gpio';
import { virtioNet } from './virtio-net';
import { guestMemoryRead, guestMemoryWrite } from './memory';

/** One implementation per row of DEVICE_MODELS (src/lang/domain/devices.ts): a row without one does not compile. */
export const MODELS: Record<DeviceModelName, DeviceModelImpl> = {
  pci: plainPci,
  passthrough,
  'virtio-net': virtioNet,
  'virtio-blk': virtioBlk,
  'virtio-gpio': virtioGpio,
};

const MASKS = new Map<string, { wmask: Uint8Array; w1cmask: Uint8Array }>();

export function modelOf(device: DeviceConfig): DeviceModelImpl {
  const model = MODELS[device.model];
  if (!model) throw new Error(`device model '${device.model}' is not registered`);
  return model;
}

export function createDevice(vm: VmConfig, device: DeviceConfig): DeviceState {
  const model = modelOf(device);
  const identity = model.identity(device);
  const key = `${device.model}:${identity.barSizes.join(',')}`;
  let masks = MASKS.get(key);
  if (!masks) {
    masks = buildMasks(identity.barSizes);
    MASKS.set(key, masks);
  }
  const fn = new PciFunction(identity, device.options, masks.wmask, masks.w1cmask);
  fn.model = model.boot(fn, device, vm);
  return fn;
}

export function deviceCall(m: Machine, vm: number, vcpu: number, index: number): DeviceCall {
  return { m, vm, vcpu, index, fn: m.state.vms[vm].devices[index] as PciFunction, dev: m.vmConfig(vm).devices[index] };
}

/** A device value as an expression reads it: what the guest would read from config space, or a model field. */
export function readDeviceValue(m: Machine, vm: number, device: number, path: DevicePath): bigint {
  const c = deviceCall(m, vm, -1, device);
  const fn = c.fn;
  if (path.kind === 'config') {
    const raw = readConfig(c, path.offset, path.register.size);
    return BigInt(path.field ? (raw >>> path.field.lsb) & ((1 << path.field.width) - 1) : raw);
  }
  return DEVICE_ACCESSORS[path.field](c, fn);
}

/** One accessor per device value of the catalogue (DEVICE_FIELDS). */
const DEVICE_ACCESSORS: { readonly [K in DeviceFieldName]: (c: DeviceCall, fn: PciFunction) => bigint } = {
  dstate: (_c, fn) => BigInt(fn.dstate),
  decodes: (c, fn) => (fn.decodes && !c.m.deviceModel(c.vm, c.index).mmioRefused?.(c) ? 1n : 0n),
  status: (_c, fn) => BigInt(fn.model.kind === 'virtio' ? fn.model.status : 0),
  features: (_c, fn) => (fn.model.kind === 'virtio' ? fn.model.features : 0n),
  driver_features: (_c, fn) => (fn.model.kind === 'virtio' ? fn.model.driverFeatures : 0n),
  resets: (_c, fn) => BigInt(fn.resets),
  pin_directions: (_c, fn) => BigInt(fn.context[0]),
  pin_levels: (_c, fn) => BigInt(fn.context[1]),
};

export function configAccess(
  m: Machine,
  vm: number,
  vcpu: number,
  device: number,
  access: 'read' | 'write',
  target: PciTarget,
  value: bigint,
): { value: bigint; delay: number } {
  return guestConfigAccess(deviceCall(m, vm, vcpu, device), access, target, value);
}

export function pciStateAction(m: Machine, vm: number, vcpu: number, device: number, action: 'save' | 'restore'): void {
  const c = deviceCall(m, vm, vcpu, device);
  if (action === 'save') pciSaveState(c);
  else pciRestoreState(c);
}

export function virtioAction(
  m: Machine,
  vm: number,
  vcpu: number,
  device: number,
  action: 'freeze' | 'restore' | 'status',
  value: bigint,
): number {
  const c = deviceCall(m, vm, vcpu, device);
  if (action === 'freeze') return virtioFreeze(c);
  if (action === 'restore') return virtioRestore(c);
  writeStatus(c, Number(value), `the guest writes device_status = ${value}`);
  return 0;
}

/**
 * A guest MMIO access, routed by address: the s2idle notify register, a BAR of a PCI function, RAM, or unassigned
 * space (reads all ones, writes dropped). Returns extra virtual time the access costs.
 */
export function mmioAccess(
  m: Machine,
  vm: number,
  vcpu: number,
  access: 'read' | 'write',
  address: bigint,
  width: number,
  value: bigint,
): number {
  if (s2idleNotifyHit(m, vm, address)) {
    s2idleNotifyAccess(m, vm, vcpu, access, address, width, value);
    return 0;
  }
  const devices = m.state.vms[vm].devices;
  for (let i = 0; i < devices.length; i++) {
    const fn = devices[i] as PciFunction;
    // A function out of D0 still owns the addresses its BARs were programmed with; barAccess reports the access
    // refused, as the master abort a driver would see.
    const hit = fn.barHit(address);
    if (hit) {
      barAccess(deviceCall(m, vm, vcpu, i), hit.bar, hit.offset, access, address, width, value);
      return 0;
    }
  }
  const v = m.state.vms[vm].vcpus[vcpu];
  if (m.inRam(vm, address)) {
    if (access === 'write') guestMemoryWrite(m.state.vms[vm], address, width, value);
    else v.regs[0] = guestMemoryRead(m.state.vms[vm], address, width);
    m.emit(vm, vcpu, {
      kind: 'mmio',
      access,
      address,
      width,
      value: access === 'read' ? v.regs[0] : value,
      target: 'RAM',
      blocked: false,
      device: '',
    });
    return 0;
  }
  const ones = width === 64 ? 0xffffffffffffffffn : (1n << BigInt(width)) - 1n;
  if (access === 'read') v.regs[0] = ones;
  m.emit(vm, vcpu, {
    kind: 'mmio',
    access,
    address,
    width,
    value: access === 'read' ? ones : value,
    target: 'unassigned',
    blocked: true,
    device: '',
  });
  return 0;
}

/**
 * What the debugger shows at a guest-physical address, without the side effects a guest access would have:
 * RAM bytes, a decoding function's register file, or undefined for anything else (unreadable).
 */
export function peekPhysical(m: Machine, vm: number, address: bigint): number | undefined {
  if (m.inRam(vm, address)) return m.state.vms[vm].memory.get(address) ?? 0;
  if (address >= ECAM_BASE && address < ECAM_BASE + ECAM_SIZE) {
    // Config space through the ECAM window; an absent function reads all ones, as on a real bus.
    const offset = address - ECAM_BASE;
    const fn = Number(offset >> 12n) & 7;
    const dev = Number(offset >> 15n) & 31;
    const bus = Number(offset >> 20n) & 0xff;
    const index = m.vmConfig(vm).devices.findIndex((d) => d.bus === bus && d.dev === dev && d.fn === fn);
    const reg = Number(offset & 0xfffn);
    if (index < 0 || reg >= 256) return 0xff;
    return configBytes(m, vm, index)[reg];
  }
  const devices = m.state.vms[vm].devices;
  for (let i = 0; i < devices.length; i++) {
    const fn = devices[i] as PciFunction;
    const hit = fn.barHit(address);
    if (!hit) continue;
    if (!fn.decodes) return undefined;
    const word = hit.offset >> 2;
    if (hit.bar !== 0 || word >= fn.context.length) return 0;
    return (fn.context[word] >>> (8 * (hit.offset & 3))) & 0xff;
  }
  return undefined;
}

/** A debugger write to guest RAM (not to devices: their registers are changed through their variables). */
export function pokeRam(m: Machine, vm: number, address: bigint, byte: number): boolean {
  if (!m.inRam(vm, address)) return false;
  if (byte === 0) m.state.vms[vm].memory.delete(address);
  else m.state.vms[vm].memory.set(address, byte);
  m.state.version++;
  return true;
}

/** A function's config space as the guest reads it, byte by byte. */
export function configBytes(m: Machine, vm: number, device: number): Uint8Array {
  const c = deviceCall(m, vm, -1, device);
  const out = new Uint8Array(256);
  for (let o = 0; o < 256; o += 4) {
    const v = readConfig(c, o, 4);
    for (let b = 0; b < 4; b++) out[o + b] = (v >>> (8 * b)) & 0xff;
  }
  return out;
}
