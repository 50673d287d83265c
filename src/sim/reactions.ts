// The machine's reactions, filled in: what src/sim/machine.ts leaves to the modules that drive it (statements, the
// host's queue, device models, host power management, the VMM, the watchdog). Every module that builds a machine
// imports this file; the machine itself imports none of them, so they can import it without a circle.

import { createDevice, modelOf, readDeviceValue } from './devices/registry';
import { executeInstruction } from './exec';
import { handleQueueEntry, initialActionTimes } from './host';
import { onGuestWake, wakeHost } from './hostpm';
import { installMachineReactions } from './machine';
import { handleSuspendedWake } from './vmm';
import { onVmStateChange } from './watchdog';

installMachineReactions({
  initialActionTimes,
  handleQueueEntry,
  executeInstruction,
  createDevice,
  deviceModel: modelOf,
  readDevice: readDeviceValue,
  vmStateChanged: onVmStateChange,
  wakeHost,
  guestWoke: onGuestWake,
  suspendedWake: handleSuspendedWake,
});
