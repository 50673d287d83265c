// The device models a scenario may declare and the options each accepts. The behaviour of each model lives in
// src/sim/devices (one file per model); this table is what the checker, completion and docs know of them.

export type OptionValueKind = 'bool' | 'states' | 'enum' | 'flag';

export interface DeviceOption {
  name: string;
  kind: OptionValueKind;
  /** for enums and state lists */
  values?: string[];
  doc: string;
}

export interface DeviceModel {
  name: string;
  doc: string;
  virtio: boolean;
  options: DeviceOption[];
}

const PM: DeviceOption = {
  name: 'pm',
  kind: 'states',
  values: ['d1', 'd2'],
  doc: 'optional D-states the function supports (PMC D1_Support, D2_Support)',
};
const NO_SOFT_RESET: DeviceOption = {
  name: 'no_soft_reset',
  kind: 'bool',
  doc: 'PMCSR No_Soft_Reset: D3hot to D0 keeps the function state',
};
const PME: DeviceOption = {
  name: 'pme',
  kind: 'states',
  values: ['d0', 'd1', 'd2', 'd3hot', 'd3cold'],
  doc: 'states the function can signal PME from (PMC PME_Support)',
};

const VIRTIO_OPTIONS: DeviceOption[] = [
  PM,
  NO_SOFT_RESET,
  PME,
  {
    name: 'reset_on_restore',
    kind: 'bool',
    doc: 'the virtio core resets the device on restore (Linux virtio_device_restore); false models the no-reset path',
  },
  {
    name: 'feature',
    kind: 'enum',
    values: ['suspend'],
    doc: 'offer an optional feature: suspend = VIRTIO_F_SUSPEND (bit 43)',
  },
  {
    // virtio-v1.4-cs01 (oasis-tcs/virtio-spec content.tex, "virtio: introduce SUSPEND and RESUME feature") ties
    // VIRTIO_F_SUSPEND to nothing in PCI PM; the coupling to No_Soft_Reset is only in the unmerged Linux RFC
    // (David Stevens, Apr 2024, its virtio_pci transport). docs/DOMAIN.md 6.3.
    name: 'suspend_rule',
    kind: 'enum',
    values: ['spec', 'rfc'],
    doc: "when `feature suspend` is offered: spec (default, virtio 1.4) whatever PCI PM says; rfc (the unmerged Linux RFC's PCI transport) only with PMCSR No_Soft_Reset",
  },
];

/** Keeps each row's name as a literal, so that the model names are a union type (DeviceModelName). */
function models<const Name extends string>(rows: readonly (DeviceModel & { name: Name })[]) {
  return rows;
}

export const DEVICE_MODELS = models([
  { name: 'virtio-net', doc: 'a virtio network device on virtio-pci', virtio: true, options: VIRTIO_OPTIONS },
  { name: 'virtio-blk', doc: 'a virtio block device on virtio-pci', virtio: true, options: VIRTIO_OPTIONS },
  {
    name: 'virtio-gpio',
    doc: 'a virtio GPIO controller on virtio-pci: pin levels and directions that should survive suspend',
    virtio: true,
    options: VIRTIO_OPTIONS,
  },
  {
    name: 'passthrough',
    doc: 'a PCI function assigned to the guest with VFIO',
    virtio: false,
    options: [
      PM,
      NO_SOFT_RESET,
      PME,
      {
        name: 'd3cold',
        kind: 'enum',
        values: ['never', 'promote'],
        doc: 'never: D3hot stays D3hot; promote: vfio takes the function on to D3cold (context lost)',
      },
    ],
  },
  {
    name: 'pci',
    doc: 'a plain emulated PCI function with the PM capability',
    virtio: false,
    options: [PM, NO_SOFT_RESET, PME],
  },
]);

/** A device model's name; the simulator's registry (src/sim/devices/registry.ts) has an implementation for each. */
export type DeviceModelName = (typeof DEVICE_MODELS)[number]['name'];

export const DEVICE_MODEL_NAMES: DeviceModelName[] = DEVICE_MODELS.map((m) => m.name);

export function isDeviceModelName(name: string): name is DeviceModelName {
  return DEVICE_MODELS.some((m) => m.name === name);
}

/**
 * What `foreach device NAME FILTER` may pick: every device, the virtio ones, or the devices of one model that is
 * not virtio (its name).
 */
export const FOREACH_DEVICE_FILTERS: string[] = [
  'all',
  'virtio',
  ...DEVICE_MODELS.filter((m) => !m.virtio).map((m) => m.name),
];

export function lookupDeviceModel(name: string): (DeviceModel & { name: DeviceModelName }) | undefined {
  return DEVICE_MODELS.find((m) => m.name === name);
}

/** Model-level values a device exposes to expressions and the debugger besides its config registers. */
export interface DeviceField<Name extends string = string> {
  name: Name;
  doc: string;
  virtioOnly: boolean;
  /** only these models have the field */
  models?: readonly string[];
  group?: 'd-state' | 'virtio-status';
  /** a condition (0 or 1) rather than a number */
  bool?: boolean;
}

const DEVICE_ROWS = [
  {
    name: 'dstate',
    doc: "the function's power state, D0..D3hot from PMCSR, or D3cold when main power is removed",
    virtioOnly: false,
    group: 'd-state',
  },
  {
    name: 'decodes',
    doc: 'true when the function answers MMIO to its BARs: in D0 with Command.Memory set and, for `passthrough`, its BAR mappings not zapped by vfio',
    virtioOnly: false,
    bool: true,
  },
  {
    name: 'resets',
    doc: 'how many times the device was reset (status written 0 or function reset)',
    virtioOnly: false,
  },
  {
    name: 'status',
    doc: 'virtio device status (ACKNOWLEDGE 1, DRIVER 2, DRIVER_OK 4, FEATURES_OK 8, SUSPEND 16, DEVICE_NEEDS_RESET 64, FAILED 128)',
    virtioOnly: true,
    group: 'virtio-status',
  },
  { name: 'features', doc: 'virtio features the device offers (bit 43 = VIRTIO_F_SUSPEND)', virtioOnly: true },
  { name: 'driver_features', doc: 'virtio features the driver accepted', virtioOnly: true },
  {
    name: 'pin_directions',
    doc: 'virtio-gpio pin directions (BAR0 word 0): lost if the device is reset and nobody restores them',
    virtioOnly: true,
    models: ['virtio-gpio'],
  },
  {
    name: 'pin_levels',
    doc: 'virtio-gpio pin levels (BAR0 word 1): lost if the device is reset and nobody restores them',
    virtioOnly: true,
    models: ['virtio-gpio'],
  },
] as const satisfies readonly DeviceField[];

/** Every model-level value a device may have: the names the simulator's accessors are keyed by. */
export type DeviceFieldName = (typeof DEVICE_ROWS)[number]['name'];
export const DEVICE_FIELDS: readonly DeviceField<DeviceFieldName>[] = DEVICE_ROWS;

/** Whether a device of this model has the field (`status` only on virtio, the pins only on virtio-gpio). */
export function deviceHasField(f: DeviceField, device: { virtio: boolean; model: string }): boolean {
  return (!f.virtioOnly || device.virtio) && (!f.models || f.models.includes(device.model));
}

export function lookupDeviceField(name: string): DeviceField<DeviceFieldName> | undefined {
  return DEVICE_FIELDS.find((f) => f.name === name);
}
