// The invariants the simulator checks, described once: the checker validates `expect violation ID` against this
// table, the debugger offers one exception filter per row, and the docs list them. Their checks live in
// src/sim/invariants (one file each).

export interface InvariantInfo {
  id: string;
  title: string;
  description: string;
}

export const INVARIANT_INFO: readonly InvariantInfo[] = [
  {
    id: 'host-suspended-while-guest-running',
    title: 'Host suspended while a guest vCPU is running',
    description:
      'The host completed its suspend while a guest vCPU was executing instead of idle: the guest woke after the host decided to suspend (the s2idle notification race).',
  },
  {
    id: 'suspend-with-vcpu-on',
    title: 'SYSTEM_SUSPEND honoured with another vCPU on',
    description:
      'A VM was suspended by SYSTEM_SUSPEND although another of its vCPUs was not OFF: the VMM (or hypervisor) skipped the check that must answer DENIED.',
  },
  {
    id: 'mmio-to-sleeping-bar',
    title: 'MMIO to a BAR of a function in D1/D2/D3',
    description:
      'The guest accessed a BAR of a PCI function that was not in D0: reads return all ones, writes are lost.',
  },
  {
    id: 'no-soft-reset-context-lost',
    title: 'Context lost on a function that reports No_Soft_Reset',
    description:
      'A function whose PMCSR says No_Soft_Reset came back from D3 without its state, e.g. because vfio promoted D3hot to D3cold: the driver skips re-initialisation and works on a reset device.',
  },
  {
    id: 'virtio-reset-loses-context',
    title: 'virtio reset on resume lost device context',
    description:
      'virtio_device_restore reset a device whose driver does not rebuild what the device held (e.g. virtio-gpio pin state); the no-reset PM path or VIRTIO_F_SUSPEND would keep it.',
  },
  {
    id: 'suspended-without-wake-source',
    title: 'Guest suspended with no wake-up source',
    description:
      'A VM suspended itself while none of its interrupts was enabled as a wake-up source (irq enable N wake): it can never wake.',
  },
  {
    id: 'watchdog-expired-while-suspended',
    title: 'Watchdog expired while its VM was suspended',
    description:
      "A VM's watchdog kept counting while the VM was suspended and expired: a guest that did nothing wrong would be reset.",
  },
  {
    id: 'resumed-outside-ram',
    title: 'vCPU resumed at an entry point outside RAM',
    description:
      "A vCPU was started or resumed at an address outside its VM's RAM: the hypervisor or VMM accepted an entry point it should have refused with INVALID_ADDRESS.",
  },
  {
    id: 's2idle-spin',
    title: 'Guest entered s2idle with an interrupt it did not service',
    description:
      "A vCPU entered s2idle (its notification) while an enabled interrupt not armed as a wake-up source was still pending on it: its WFI returns at once and the s2idle loop spins, notifying again and again, instead of sleeping until the next wake-up. A Linux guest runs the handler first (the scenario's `on irq`, or the prelude's linux.generic_handle_irq), so it re-enters once per wake-up.",
  },
];

export function invariantInfo(id: string): InvariantInfo {
  const info = INVARIANT_INFO.find((i) => i.id === id);
  if (!info) throw new Error(`no invariant '${id}'`);
  return info;
}
