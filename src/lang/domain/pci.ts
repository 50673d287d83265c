// PCI configuration space of a type-0 function and its Power Management capability, as a register table: each
// register with its offset, width, access and fields. The simulator's config space, the debugger's variables, the
// hovers and the docs all read these rows. Layout from PCI Local Bus 3.0 and PCI PM 1.2 as Linux's
// include/uapi/linux/pci_regs.h encodes it (docs/DOMAIN.md 4.1).

export type Access = 'RO' | 'RW' | 'RW1C' | 'HwInit';

export interface FieldDef {
  name: string;
  /** lowest bit */
  lsb: number;
  width: number;
  access: Access;
  doc: string;
  /** names for values (PowerState 3 = D3hot) */
  values?: Record<number, string>;
  /** sticky across soft reset (PME context) */
  sticky?: boolean;
}

export interface RegisterDef {
  name: string;
  /** byte offset; for capability registers, relative to the capability */
  offset: number;
  /** bytes */
  size: 1 | 2 | 4;
  doc: string;
  /** register-wide access when it has no fields */
  access: Access;
  fields: FieldDef[];
  /** bits that read as zero and ignore writes */
  reservedMask?: number;
}

const f = (
  name: string,
  lsb: number,
  width: number,
  access: Access,
  doc: string,
  extra?: Partial<FieldDef>,
): FieldDef => ({ name, lsb, width, access, doc, ...extra });

export const CONFIG_HEADER: readonly RegisterDef[] = [
  { name: 'vendor_id', offset: 0x00, size: 2, access: 'RO', doc: 'Vendor ID', fields: [] },
  { name: 'device_id', offset: 0x02, size: 2, access: 'RO', doc: 'Device ID', fields: [] },
  {
    name: 'command',
    offset: 0x04,
    size: 2,
    access: 'RW',
    doc: 'Command register: what the function decodes and may do on the bus',
    fields: [
      f('io', 0, 1, 'RW', 'I/O Space enable: decode I/O BARs'),
      f('memory', 1, 1, 'RW', 'Memory Space enable: decode memory BARs'),
      f('bus_master', 2, 1, 'RW', 'Bus Master enable: the function may issue DMA and MSI'),
      f('special_cycles', 3, 1, 'RO', 'Special Cycles (hardwired 0 on PCIe)'),
      f('mwi', 4, 1, 'RO', 'Memory Write and Invalidate (hardwired 0 on PCIe)'),
      f('vga_snoop', 5, 1, 'RO', 'VGA Palette Snoop (hardwired 0 on PCIe)'),
      f('parity', 6, 1, 'RW', 'Parity Error Response'),
      f('serr', 8, 1, 'RW', 'SERR# enable'),
      f('fast_b2b', 9, 1, 'RO', 'Fast Back-to-Back (hardwired 0 on PCIe)'),
      f('intx_disable', 10, 1, 'RW', 'Interrupt Disable: no INTx assertion'),
    ],
    reservedMask: 0xf880,
  },
  {
    name: 'status',
    offset: 0x06,
    size: 2,
    access: 'RO',
    doc: 'Status register',
    fields: [
      f('interrupt_status', 3, 1, 'RO', 'an INTx interrupt is pending'),
      f('capabilities_list', 4, 1, 'RO', 'the capability list at 0x34 is valid'),
      f('master_data_parity_error', 8, 1, 'RW1C', 'Master Data Parity Error'),
      f('signaled_target_abort', 11, 1, 'RW1C', 'Signaled Target Abort'),
      f('received_target_abort', 12, 1, 'RW1C', 'Received Target Abort'),
      f('received_master_abort', 13, 1, 'RW1C', 'Received Master Abort'),
      f('signaled_system_error', 14, 1, 'RW1C', 'Signaled System Error'),
      f('detected_parity_error', 15, 1, 'RW1C', 'Detected Parity Error'),
    ],
  },
  { name: 'revision', offset: 0x08, size: 1, access: 'RO', doc: 'Revision ID', fields: [] },
  { name: 'prog_if', offset: 0x09, size: 1, access: 'RO', doc: 'Programming interface', fields: [] },
  { name: 'subclass', offset: 0x0a, size: 1, access: 'RO', doc: 'Sub-class code', fields: [] },
  { name: 'class', offset: 0x0b, size: 1, access: 'RO', doc: 'Base class code', fields: [] },
  { name: 'cache_line_size', offset: 0x0c, size: 1, access: 'RW', doc: 'Cache Line Size', fields: [] },
  { name: 'latency_timer', offset: 0x0d, size: 1, access: 'RO', doc: 'Latency Timer', fields: [] },
  { name: 'header_type', offset: 0x0e, size: 1, access: 'RO', doc: 'Header Type (0: endpoint)', fields: [] },
  { name: 'bist', offset: 0x0f, size: 1, access: 'RO', doc: 'BIST', fields: [] },
  ...[0, 1, 2, 3, 4, 5].map((i): RegisterDef => ({
    name: `bar${i}`,
    offset: 0x10 + 4 * i,
    size: 4,
    access: 'RW',
    doc: `Base Address Register ${i}: writing all ones reads back the size mask; bits [3:0] are type bits`,
    fields: [],
  })),
  { name: 'subsystem_vendor_id', offset: 0x2c, size: 2, access: 'RO', doc: 'Subsystem Vendor ID', fields: [] },
  { name: 'subsystem_id', offset: 0x2e, size: 2, access: 'RO', doc: 'Subsystem ID', fields: [] },
  { name: 'rom', offset: 0x30, size: 4, access: 'RW', doc: 'Expansion ROM base address', fields: [] },
  {
    name: 'cap_ptr',
    offset: 0x34,
    size: 1,
    access: 'RO',
    doc: 'Capabilities pointer: offset of the first capability',
    fields: [],
  },
  {
    name: 'interrupt_line',
    offset: 0x3c,
    size: 1,
    access: 'RW',
    doc: 'Interrupt Line (for the OS; no effect on the device)',
    fields: [],
  },
  { name: 'interrupt_pin', offset: 0x3d, size: 1, access: 'RO', doc: 'Interrupt Pin: 1 = INTA#', fields: [] },
];

const PME_SUPPORT_VALUES = undefined;

/** The PM capability's registers, offsets relative to the capability (cap ID 0x01, length 8). */
export const PM_CAPABILITY: readonly RegisterDef[] = [
  { name: 'pm_cap_id', offset: 0, size: 1, access: 'RO', doc: 'Capability ID 0x01 (Power Management)', fields: [] },
  { name: 'pm_next', offset: 1, size: 1, access: 'RO', doc: 'Next capability pointer', fields: [] },
  {
    name: 'pmc',
    offset: 2,
    size: 2,
    access: 'RO',
    doc: 'Power Management Capabilities (read-only)',
    fields: [
      f('version', 0, 3, 'RO', 'PM spec version: 3 = PCI PM 1.2'),
      f('pme_clock', 3, 1, 'RO', 'PME Clock (PCI only)'),
      f('immediate_readiness', 4, 1, 'RO', 'reserved; PCIe 4.0+: Immediate_Readiness_on_Return_to_D0'),
      f('dsi', 5, 1, 'RO', 'Device Specific Initialization needed after D0'),
      f('aux_current', 6, 3, 'RO', '3.3Vaux current needed for PME from D3cold'),
      f('d1_support', 9, 1, 'RO', 'D1 is supported'),
      f('d2_support', 10, 1, 'RO', 'D2 is supported'),
      f(
        'pme_support',
        11,
        5,
        'RO',
        'states the function can signal PME from: bit 11 D0, 12 D1, 13 D2, 14 D3hot, 15 D3cold',
        { values: PME_SUPPORT_VALUES },
      ),
    ],
  },
  {
    name: 'pmcsr',
    offset: 4,
    size: 2,
    access: 'RW',
    doc: 'Power Management Control/Status',
    fields: [
      f('state', 0, 2, 'RW', 'PowerState: 00 D0, 01 D1, 10 D2, 11 D3hot. An unsupported D1/D2 write is discarded', {
        values: { 0: 'D0', 1: 'D1', 2: 'D2', 3: 'D3hot' },
      }),
      f(
        'no_soft_reset',
        3,
        1,
        'RO',
        'No_Soft_Reset: 1 = D3hot to D0 keeps the function state; 0 = it resets to D0 uninitialized',
      ),
      f('pme_en', 8, 1, 'RW', 'PME_En: the function may assert PME (sticky if PME from D3cold is supported)', {
        sticky: true,
      }),
      f('data_select', 9, 4, 'RW', 'Data_Select: which value the Data register reports'),
      f('data_scale', 13, 2, 'RO', 'Data_Scale for the Data register'),
      f('pme_status', 15, 1, 'RW1C', 'PME_Status: set when the function asserts PME; write 1 to clear (sticky)', {
        sticky: true,
      }),
    ],
    reservedMask: 0x00f4,
  },
  {
    name: 'pmcsr_bse',
    offset: 6,
    size: 1,
    access: 'RO',
    doc: 'PMCSR bridge support extensions (B2_B3#, BPCC_En)',
    fields: [],
  },
  { name: 'pm_data', offset: 7, size: 1, access: 'RO', doc: 'Data register (selected by Data_Select)', fields: [] },
];

/** Where the PM capability sits in the simulated function (QEMU's root-port children place it at 0x7c; any offset
 * works). */
export const PM_CAP_OFFSET = 0x40;

export interface ResolvedRegister {
  def: RegisterDef;
  /** absolute config-space offset */
  offset: number;
}

export function configRegisters(): ResolvedRegister[] {
  return [
    ...CONFIG_HEADER.map((def) => ({ def, offset: def.offset })),
    ...PM_CAPABILITY.map((def) => ({ def, offset: PM_CAP_OFFSET + def.offset })),
  ];
}

const REGISTERS = configRegisters();
const REGISTER_BY_NAME = new Map(REGISTERS.map((r) => [r.def.name, r]));

export function lookupRegister(name: string): ResolvedRegister | undefined {
  return REGISTER_BY_NAME.get(name);
}

export function lookupField(register: RegisterDef, name: string): FieldDef | undefined {
  return register.fields.find((x) => x.name === name);
}

export function registerNames(): string[] {
  return REGISTERS.map((r) => r.def.name);
}

export function fieldMask(field: FieldDef): number {
  return ((1 << field.width) - 1) << field.lsb;
}

/**
 * Where config space appears in guest-physical memory for tools that read registers by address (the Peripheral
 * Viewer): an ECAM window at QEMU virt's high PCIe ECAM base (VIRT_HIGH_PCIE_ECAM), function BB:DD.F at
 * base + (bus << 20 | dev << 15 | fn << 12).
 */
export const ECAM_BASE = 0x4010000000n;
export const ECAM_SIZE = 256n << 20n;

export function ecamAddress(bus: number, dev: number, fn: number): bigint {
  return ECAM_BASE + BigInt((bus << 20) | (dev << 15) | (fn << 12));
}
