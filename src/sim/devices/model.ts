// What a device model file provides. Every model is a PCI function (src/sim/devices/pci-function.ts) with the
// generic config-space and power-state behaviour of ./pci.ts; a model adds its identity and overrides the few
// places where its real counterpart differs (vfio traps PMCSR writes, virtio has a device status).

import { DeviceConfig, VmConfig } from '../../lang/program';
import type { DeviceModelName } from '../../lang/domain/devices';
import type { Machine } from '../machine';
import { FunctionIdentity, NoModelState, PciFunction } from './pci-function';
import type { PassthroughState } from './passthrough';
import type { VirtioState } from './virtio';

/** A function's model state: one type per model file that keeps any (told apart by `kind`). */
export type DeviceModelState = NoModelState | VirtioState | PassthroughState;

export interface DeviceCall {
  m: Machine;
  vm: number;
  /** the vCPU doing the access, or -1 for the host */
  vcpu: number;
  /** device index in its VM */
  index: number;
  fn: PciFunction;
  dev: DeviceConfig;
}

export interface DeviceModelImpl {
  name: DeviceModelName;
  identity(dev: DeviceConfig): FunctionIdentity;
  /**
   * the state firmware and the booted guest left the function in (a probed virtio driver, ...): sets up config
   * space and returns the model's own state
   */
  boot(fn: PciFunction, dev: DeviceConfig, vm: VmConfig): DeviceModelState;
  /** a guest config write the model handles itself (vfio's trap); returns the delay, or undefined for the generic path
   * */
  configWrite?(c: DeviceCall, offset: number, size: number, value: number): number | undefined;
  /** the value a guest config read returns, given what the function holds (vfio virtualises PME bits) */
  configRead?(c: DeviceCall, offset: number, size: number, raw: number): number;
  /** why MMIO to the BARs is refused even in D0 (vfio zapped the mappings), if it is */
  mmioRefused?(c: DeviceCall): string | undefined;
}
