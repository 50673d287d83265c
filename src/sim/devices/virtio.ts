// virtio-pci devices and the Linux virtio core's PM path (docs/DOMAIN.md 6.1-6.3):
// - freeze: virtio_device_freeze disables config and calls the driver's freeze; virtio-net and virtio-blk reset
//   the device there (status 0, as the captured guest in REAL-GUEST.md shows), and pci_disable_device drops Bus
//   Master.
// - restore: virtio_device_restore resets the device, then ACKNOWLEDGE, DRIVER, FEATURES_OK, the driver's restore,
//   DRIVER_OK (status 0, 1, 3, 11, 15).
// - the no-reset path (Linux 6.8, "virtio: Add support for no-reset virtio PCI PM"): with PMCSR No_Soft_Reset set,
//   virtio_pci_suspend/resume skip freeze and restore altogether.
// - VIRTIO_F_SUSPEND (bit 43, virtio 1.4): the driver sets SUSPEND; the device presents SUSPEND = 1, DRIVER_OK = 0;
//   on resume the driver sets DRIVER_OK and the device clears SUSPEND. Nothing is reset.
// Each device's functional context (the register file behind BAR0; for virtio-gpio its pin directions and levels)
// is lost on a reset; drivers that rebuild it in their restore callback (net, blk) get it back.

import type { DeviceModelName } from '../../lang/domain/devices';
import { DeviceConfig, VmConfig } from '../../lang/program';
import { DeviceCall, DeviceModelImpl } from './model';
import {
  BAR0,
  COMMAND,
  COMMAND_BUS_MASTER,
  COMMAND_MEMORY,
  FunctionIdentity,
  ModelField,
  ModelStateBase,
  PciFunction,
} from './pci-function';

export const STATUS = {
  ACKNOWLEDGE: 1,
  DRIVER: 2,
  DRIVER_OK: 4,
  FEATURES_OK: 8,
  SUSPEND: 16,
  DEVICE_NEEDS_RESET: 64,
  FAILED: 128,
} as const;
export const VIRTIO_F_VERSION_1 = 1n << 32n;
export const VIRTIO_F_SUSPEND = 1n << 43n;
/** Modern virtio-pci: vendor 0x1af4, device 0x1040 + virtio device ID. */
export const VIRTIO_VENDOR = 0x1af4;
export const VIRTIO_BAR0_SIZE = 0x4000;

export interface VirtioKind {
  name: DeviceModelName;
  /** virtio device ID (net 1, blk 2, gpio 41) */
  deviceType: number;
  classCode: number;
  /** the driver resets the device in its freeze callback */
  resetsOnFreeze: boolean;
  /** the driver rebuilds its device context in its restore callback */
  rebuildsContext: boolean;
}

/** A virtio function's own state besides config space: the device status and features, and what its driver kept. */
export class VirtioState implements ModelStateBase {
  readonly kind = 'virtio';
  constructor(
    /** which virtio device this is (its model) */
    readonly device: VirtioKind,
    /** the features the device offers (fixed when it is created) */
    readonly features: bigint,
    /** device_status */
    public status: number,
    /** the features the driver accepted */
    public driverFeatures: bigint,
    /** the driver had failed (FAILED) when it froze */
    public failed: boolean,
    /** what the device held when the guest froze it: on resume it should hold it again */
    public contextAtFreeze?: Uint32Array,
    /** the device context a driver that rebuilds it (net, blk) saved at freeze */
    public savedContext?: Uint32Array,
  ) {}

  clone(): VirtioState {
    return new VirtioState(
      this.device,
      this.features,
      this.status,
      this.driverFeatures,
      this.failed,
      this.contextAtFreeze?.slice(),
      this.savedContext?.slice(),
    );
  }

  /** A function reset: status, accepted features and the failed mark go back to their power-on values. */
  reset(): void {
    this.status = 0;
    this.driverFeatures = 0n;
    this.failed = false;
  }

  fields(): Record<string, ModelField> {
    return {
      features: this.features,
      status: this.status,
      driverFeatures: this.driverFeatures,
      failed: this.failed,
      kind: this.device.deviceType,
      contextAtFreeze: this.contextAtFreeze,
      savedContext: this.savedContext,
    };
  }
}

/** A virtio function's state (every function a virtio model created has one). */
function virtioState(fn: PciFunction): VirtioState {
  if (fn.model.kind !== 'virtio') throw new Error('not a virtio function');
  return fn.model;
}

export function statusName(status: number): string {
  if (status === 0) return '0 (reset)';
  const names = Object.entries(STATUS)
    .filter(([, bit]) => status & bit)
    .map(([n]) => n);
  return `${status} (${names.join('|')})`;
}

export function virtioModel(kind: VirtioKind): DeviceModelImpl {
  return {
    name: kind.name,
    identity(dev: DeviceConfig): FunctionIdentity {
      void dev;
      return {
        vendorId: VIRTIO_VENDOR,
        deviceId: 0x1040 + kind.deviceType,
        classCode: kind.classCode,
        subsystemId: kind.deviceType,
        barSizes: [VIRTIO_BAR0_SIZE],
      };
    },
    boot(fn: PciFunction, dev: DeviceConfig, vm: VmConfig): VirtioState {
      // virtio-v1.4-cs01 (content.tex, VIRTIO_F_SUSPEND) offers the feature whatever PCI PM says (`suspend_rule
      // spec`, the default); the unmerged Linux RFC's PCI transport (David Stevens, Apr 2024) offers it only with
      // PMCSR No_Soft_Reset (`suspend_rule rfc`). docs/DOMAIN.md 6.3.
      const rfc = dev.options.suspend_rule?.[0] === 'rfc';
      const suspendOffered =
        dev.options.feature?.includes('suspend') && (!rfc || dev.options.no_soft_reset?.[0] === 'true');
      const features = VIRTIO_F_VERSION_1 | (suspendOffered ? VIRTIO_F_SUSPEND : 0n);
      // The guest booted with the driver bound: BAR0 assigned, Memory and Bus Master on, status DRIVER_OK.
      fn.store(BAR0, 4, 0x10000000 + dev.index * 0x100000);
      fn.store(COMMAND, 2, COMMAND_MEMORY | COMMAND_BUS_MASTER);
      void vm;
      const status = STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK;
      return new VirtioState(kind, features, status, features, false);
    },
  };
}

function status(fn: PciFunction): number {
  return virtioState(fn).status;
}

function negotiatedSuspend(fn: PciFunction): boolean {
  return (virtioState(fn).driverFeatures & VIRTIO_F_SUSPEND) !== 0n;
}

/** The device side of a status write (virtio spec 2.1, 3.1). Writing 0 resets the device. */
export function writeStatus(c: DeviceCall, value: number, why: string): void {
  const { fn } = c;
  const before = status(fn);
  let next = value & 0xff;
  if (next === 0) {
    resetVirtio(c, why);
    return;
  }
  // SUSPEND only takes when the feature was negotiated and the device is live; the device then drops DRIVER_OK.
  if (next & STATUS.SUSPEND) {
    if (!negotiatedSuspend(fn) || !(before & STATUS.DRIVER_OK)) next &= ~STATUS.SUSPEND;
    else next &= ~STATUS.DRIVER_OK;
  } else if (before & STATUS.SUSPEND && next & STATUS.DRIVER_OK) {
    next &= ~STATUS.SUSPEND;
  }
  const state = virtioState(fn);
  if (next & STATUS.FEATURES_OK && !(before & STATUS.FEATURES_OK)) state.driverFeatures = state.features;
  state.status = next;
  c.m.state.version++;
  c.m.emit(c.vm, c.vcpu, {
    kind: 'device',
    device: c.dev.name,
    what: `virtio status ${statusName(before)} -> ${statusName(next)}`,
    detail: why,
  });
}

function resetVirtio(c: DeviceCall, why: string): void {
  const { fn } = c;
  const before = status(fn);
  const lost = fn.contextDirty;
  const state = virtioState(fn);
  state.status = 0;
  state.driverFeatures = 0n;
  fn.context.fill(0);
  fn.contextDirty = false;
  fn.resets++;
  c.m.state.version++;
  c.m.emit(c.vm, c.vcpu, {
    kind: 'device',
    device: c.dev.name,
    what: `virtio status ${statusName(before)} -> 0 (reset)`,
    detail: `${why}${lost ? '; device context lost' : ''}`,
  });
}

/** `virtio freeze DEV`: Linux's dev_pm_ops .suspend for virtio-pci. Returns the virtual time it takes. */
export function virtioFreeze(c: DeviceCall): number {
  const { fn } = c;
  const note = (what: string, detail: string) =>
    c.m.emit(c.vm, c.vcpu, { kind: 'device', device: c.dev.name, what, detail });
  if (negotiatedSuspend(fn) && status(fn) & STATUS.DRIVER_OK) {
    // Kept so that restore can tell if a reset in between (D3hot -> D0 without No_Soft_Reset, which the spec rule
    // allows) took the device state with it.
    virtioState(fn).contextAtFreeze = fn.contextDirty ? fn.context.slice() : undefined;
    writeStatus(c, status(fn) | STATUS.SUSPEND, 'VIRTIO_F_SUSPEND: the driver suspends the device');
    return 0;
  }
  if (fn.noSoftReset) {
    note('virtio_pci_suspend: no freeze', 'PMCSR No_Soft_Reset is set: the no-reset PM path keeps the device as it is');
    return 0;
  }
  const state = virtioState(fn);
  const kind = state.device;
  state.failed = (status(fn) & STATUS.FAILED) !== 0;
  // What the device held when the guest suspended it: on resume it should hold it again.
  state.contextAtFreeze = fn.contextDirty ? fn.context.slice() : undefined;
  note('virtio_device_freeze', 'config change notifications disabled; the driver freezes');
  if (kind.rebuildsContext) state.savedContext = fn.context.slice();
  if (kind.resetsOnFreeze) resetVirtio(c, `the ${kind.name} driver's freeze resets the device`);
  // virtio_pci_freeze: pci_disable_device clears Bus Master.
  fn.store(COMMAND, 2, fn.read(COMMAND, 2) & ~COMMAND_BUS_MASTER);
  return 0;
}

/** `virtio restore DEV`: Linux's dev_pm_ops .resume for virtio-pci. */
export function virtioRestore(c: DeviceCall): number {
  const { fn } = c;
  if (status(fn) & STATUS.SUSPEND) {
    virtioState(fn).contextAtFreeze = undefined;
    writeStatus(c, status(fn) | STATUS.DRIVER_OK, 'VIRTIO_F_SUSPEND: the driver resumes the device');
    return 0;
  }
  if (fn.noSoftReset) {
    c.m.emit(c.vm, c.vcpu, {
      kind: 'device',
      device: c.dev.name,
      what: 'virtio_pci_resume: no restore',
      detail: 'PMCSR No_Soft_Reset is set: nothing to re-initialise',
    });
    return 0;
  }
  const state = virtioState(fn);
  const kind = state.device;
  const atFreeze = state.contextAtFreeze;
  const had = atFreeze ?? (fn.contextDirty ? fn.context.slice() : undefined);
  state.contextAtFreeze = undefined;
  fn.store(COMMAND, 2, fn.read(COMMAND, 2) | COMMAND_BUS_MASTER);
  if (c.dev.options.reset_on_restore?.[0] !== 'false') resetVirtio(c, 'virtio_device_restore resets the device');
  // virtio_add_status(ACKNOWLEDGE), then, as a write of its own, virtio_add_status(FAILED) if the driver had failed.
  writeStatus(c, STATUS.ACKNOWLEDGE, 'virtio_device_restore');
  if (state.failed)
    writeStatus(c, status(fn) | STATUS.FAILED, 'virtio_device_restore: the driver had failed before freeze');
  writeStatus(c, status(fn) | STATUS.DRIVER, 'virtio_device_restore');
  writeStatus(c, status(fn) | STATUS.FEATURES_OK, 'virtio_features_ok');
  if (kind.rebuildsContext && state.savedContext) {
    fn.context.set(state.savedContext);
    fn.contextDirty = fn.context.some((w) => w !== 0);
    c.m.emit(c.vm, c.vcpu, {
      kind: 'device',
      device: c.dev.name,
      what: 'driver restore',
      detail: `the ${kind.name} driver rebuilds its device state`,
    });
  }
  state.savedContext = undefined;
  writeStatus(c, status(fn) | STATUS.DRIVER_OK, 'virtio_device_restore: DRIVER_OK');
  if (had && had.some((w, i) => fn.context[i] !== w)) {
    c.m.emit(c.vm, c.vcpu, {
      kind: 'context.lost',
      device: c.dev.name,
      cause: `virtio reset on resume; the ${kind.name} driver does not rebuild it`,
      noSoftReset: fn.noSoftReset,
    });
  }
  return 0;
}
