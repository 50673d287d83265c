// `pci`: a plain emulated PCI function with the PM capability and nothing else special. Firmware leaves its BARs
// unassigned and Command at 0; the scenario programs them.

import { DeviceModelImpl } from './model';
import { NoModelState } from './pci-function';

export const plainPci: DeviceModelImpl = {
  name: 'pci',
  identity: () => ({
    vendorId: 0x1b36,
    deviceId: 0x0010,
    classCode: 0xff0000,
    subsystemId: 0x1100,
    barSizes: [0x1000],
  }),
  boot: () => new NoModelState(),
};
