// One PCI function: 256 bytes of config space with the PM capability, BARs, and a small register file behind BAR0
// that stands for the device's functional context. Writes go through per-byte masks built from the register table
// in src/lang/domain/pci.ts (as QEMU's config/wmask/w1cmask arrays do), so every field's access type (RO, RW, RW1C,
// reserved) comes from that one description.

import { StateHasher } from '../hasher';
import { CONFIG_HEADER, PM_CAPABILITY, PM_CAP_OFFSET, RegisterDef, lookupRegister } from '../../lang/domain/pci';
import { DeviceConfig } from '../../lang/program';
import { DeviceState } from '../state';
import type { DeviceModelState } from './model';

export const D0 = 0;
export const D1 = 1;
export const D2 = 2;
export const D3HOT = 3;
export const D3COLD = 4;
/** Named once in the domain catalogue; re-exported for the device models that import their PCI vocabulary here. */
export { D_STATE_NAMES } from '../../lang/domain/constants';

/** Offsets of the PM capability registers in this function's config space. */
export const PMC = PM_CAP_OFFSET + 2;
export const PMCSR = PM_CAP_OFFSET + 4;
export const COMMAND = 0x04;
export const BAR0 = 0x10;

export const PMCSR_STATE_MASK = 0x0003;
export const PMCSR_NO_SOFT_RESET = 0x0008;
export const PMCSR_PME_EN = 0x0100;
export const PMCSR_PME_STATUS = 0x8000;
export const COMMAND_MEMORY = 0x0002;
export const COMMAND_BUS_MASTER = 0x0004;

/** The device register file behind BAR0: 16 dwords of functional context, lost on a function reset. */
export const CONTEXT_WORDS = 16;

/** A value of model state as the state hash sees it (one field of a model's state). */
export type ModelField = number | bigint | boolean | Uint8Array | Uint32Array | undefined;

/**
 * What a device model keeps besides config space and the register file. Each model file owns its state type (the
 * `kind` tells them apart: ./virtio.ts, ./passthrough.ts; ./plain-pci.ts has none) and the model's boot creates it.
 */
export interface ModelStateBase {
  readonly kind: DeviceModelState['kind'];
  clone(): DeviceModelState;
  /** a function reset: the fields a reset returns to their power-on values */
  reset(): void;
  /** every field by name, as the state hash reads it (an undefined field is not hashed) */
  fields(): Record<string, ModelField>;
}

/** The state of a model that keeps none (the plain `pci` function). */
export class NoModelState implements ModelStateBase {
  readonly kind = 'none';
  clone(): NoModelState {
    return this;
  }
  reset(): void {}
  fields(): Record<string, ModelField> {
    return {};
  }
}

/** Identity and shape of a function, fixed by its model. */
export interface FunctionIdentity {
  vendorId: number;
  deviceId: number;
  classCode: number;
  subsystemId: number;
  /** BAR sizes in bytes (power of two, >= 16); 0 = BAR not implemented */
  barSizes: number[];
}

export class PciFunction implements DeviceState {
  config: Uint8Array;
  /** D0..D3hot as in PMCSR, or D3COLD when main power is removed */
  dstate: number;
  context: Uint32Array;
  /** soft and fundamental resets so far */
  resets: number;
  /** the context changed since the last reset (a reset then loses something) */
  contextDirty: boolean;
  /** model-specific state (virtio, vfio), typed by the model that owns it; set by the model's boot */
  model: DeviceModelState;
  /** the header Linux pci_save_state kept (in guest memory) for pci_restore_state (./pci.ts) */
  guestSaved: Uint8Array | undefined;

  constructor(
    readonly identity: FunctionIdentity,
    readonly options: DeviceConfig['options'],
    readonly wmask: Uint8Array,
    readonly w1cmask: Uint8Array,
    init = true,
  ) {
    this.config = new Uint8Array(256);
    this.dstate = D0;
    this.context = new Uint32Array(CONTEXT_WORDS);
    this.resets = 0;
    this.contextDirty = false;
    this.model = new NoModelState();
    if (init) this.powerOnDefaults();
  }

  clone(): PciFunction {
    const c = new PciFunction(this.identity, this.options, this.wmask, this.w1cmask, false);
    c.config = this.config.slice();
    c.dstate = this.dstate;
    c.context = this.context.slice();
    c.resets = this.resets;
    c.contextDirty = this.contextDirty;
    c.model = this.model.clone();
    c.guestSaved = this.guestSaved?.slice();
    return c;
  }

  hash(h: StateHasher): void {
    const c = this.config;
    h.words(
      c.byteOffset % 4 === 0
        ? new Uint32Array(c.buffer, c.byteOffset, c.length >> 2)
        : new Uint32Array(c.slice().buffer),
    );
    h.int(this.dstate);
    h.words(this.context);
    h.int(this.resets);
    h.bool(this.contextDirty);
    // Each field of the model's state (and the saved header) by name, in no order: an unordered sum of (name, value).
    const fields: Record<string, ModelField> = { ...this.model.fields(), guestSaved: this.guestSaved };
    for (const key in fields) {
      const v = fields[key];
      if (v === undefined) continue;
      const e = new StateHasher();
      e.str(key);
      if (typeof v === 'number') e.num(v);
      else if (typeof v === 'bigint') e.big(v);
      else if (typeof v === 'boolean') e.bool(v);
      else if (v instanceof Uint8Array) e.bytes(v);
      else e.words(v);
      h.addUnordered(e);
    }
  }

  // ------------------------------------------------------------------------------------------ raw access

  read(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.config[offset + i];
    return v >>> 0;
  }

  /** Stores without masks: for the function's own initialisation and side effects. */
  store(offset: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) this.config[offset + i] = (value >>> (8 * i)) & 0xff;
  }

  /** A write as the bus delivers it: only writable bits change, RW1C bits clear where a 1 is written. */
  maskedWrite(offset: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      const b = (value >>> (8 * i)) & 0xff;
      const wm = this.wmask[o];
      const w1c = this.w1cmask[o];
      this.config[o] = ((this.config[o] & ~wm) | (b & wm)) & ~(b & w1c) & 0xff;
    }
  }

  // ------------------------------------------------------------------------------------------ state

  get powerState(): number {
    return this.read(PMCSR, 2) & PMCSR_STATE_MASK;
  }

  get noSoftReset(): boolean {
    return (this.read(PMCSR, 2) & PMCSR_NO_SOFT_RESET) !== 0;
  }

  get memoryEnabled(): boolean {
    return (this.read(COMMAND, 2) & COMMAND_MEMORY) !== 0;
  }

  /** MMIO to the BARs is decoded only in D0 with Command.Memory set. */
  get decodes(): boolean {
    return this.dstate === D0 && this.memoryEnabled;
  }

  barAddress(index: number): number {
    return (this.read(BAR0 + 4 * index, 4) & ~0xf) >>> 0;
  }

  /** Index and offset of the BAR this address falls in, if the BAR is programmed. */
  barHit(address: bigint): { bar: number; offset: number } | undefined {
    for (let i = 0; i < 6; i++) {
      const size = this.identity.barSizes[i] ?? 0;
      if (!size) continue;
      const base = BigInt(this.barAddress(i));
      if (base === 0n) continue;
      if (address >= base && address < base + BigInt(size)) return { bar: i, offset: Number(address - base) };
    }
    return undefined;
  }

  /** Power-on state: identity, BARs unprogrammed, Command 0, PM capability per the device's options. */
  powerOnDefaults(): void {
    const id = this.identity;
    const pme = this.options.pme ?? [];
    const pm = this.options.pm ?? [];
    const sticky = this.read(PMCSR, 2) & (PMCSR_PME_EN | PMCSR_PME_STATUS);
    this.config.fill(0);
    this.store(0x00, 2, id.vendorId);
    this.store(0x02, 2, id.deviceId);
    this.store(0x06, 2, 0x0010); // capabilities list present
    this.store(0x09, 3, id.classCode);
    this.store(0x2c, 2, id.vendorId);
    this.store(0x2e, 2, id.subsystemId);
    this.store(0x34, 1, PM_CAP_OFFSET);
    this.store(0x3d, 1, 1); // INTA#
    for (let i = 0; i < 6; i++) this.store(BAR0 + 4 * i, 4, 0);
    this.store(PM_CAP_OFFSET, 1, 0x01);
    this.store(PM_CAP_OFFSET + 1, 1, 0x00);
    let pmc = 0x0003; // PCI PM 1.2
    if (pm.includes('d1')) pmc |= 0x0200;
    if (pm.includes('d2')) pmc |= 0x0400;
    const pmeBits: Record<string, number> = { d0: 11, d1: 12, d2: 13, d3hot: 14, d3cold: 15 };
    for (const s of pme) pmc |= 1 << pmeBits[s];
    this.store(PMC, 2, pmc);
    const pmeFromD3cold = (pmc & 0x8000) !== 0;
    // PME_En and PME_Status are sticky when the function can signal PME from D3cold (PCI PM 1.2).
    this.store(
      PMCSR,
      2,
      (this.options.no_soft_reset?.[0] === 'true' ? PMCSR_NO_SOFT_RESET : 0) | (pmeFromD3cold ? sticky : 0),
    );
    this.dstate = D0;
  }

  /**
   * The reset a function performs internally (soft reset on D3hot->D0 without No_Soft_Reset) or the fundamental
   * reset on leaving D3cold: config space back to defaults (sticky PME bits kept where they are sticky) and the
   * functional context gone.
   */
  reset(): void {
    this.powerOnDefaults();
    // Model state that a reset returns to its power-on value (a virtio device's status, features, ...).
    this.model.reset();
    this.context.fill(0);
    this.contextDirty = false;
    this.resets++;
  }
}

/** Builds the per-byte write masks of a function from the register table; BAR masks also encode BAR sizes. */
export function buildMasks(barSizes: number[]): { wmask: Uint8Array; w1cmask: Uint8Array } {
  const wmask = new Uint8Array(256);
  const w1cmask = new Uint8Array(256);
  const apply = (def: RegisterDef, base: number) => {
    let w = 0;
    let c = 0;
    if (def.fields.length === 0) {
      if (def.access === 'RW') w = def.size === 4 ? 0xffffffff : (1 << (8 * def.size)) - 1;
    } else {
      for (const f of def.fields) {
        const mask = ((1 << f.width) - 1) << f.lsb;
        if (f.access === 'RW') w |= mask;
        if (f.access === 'RW1C') c |= mask;
      }
    }
    if (def.reservedMask) w &= ~def.reservedMask;
    for (let i = 0; i < def.size; i++) {
      wmask[base + i] = (w >>> (8 * i)) & 0xff;
      w1cmask[base + i] = (c >>> (8 * i)) & 0xff;
    }
  };
  for (const def of CONFIG_HEADER) apply(def, def.offset);
  for (const def of PM_CAPABILITY) apply(def, PM_CAP_OFFSET + def.offset);
  // BARs: the address bits above the size are writable, the low type bits are not (sizing reads back ~(size-1)).
  for (let i = 0; i < 6; i++) {
    const size = barSizes[i] ?? 0;
    const mask = size ? (~(size - 1) & ~0xf) >>> 0 : 0;
    for (let b = 0; b < 4; b++) wmask[BAR0 + 4 * i + b] = (mask >>> (8 * b)) & 0xff;
  }
  // PowerState is written through the transition rules (pci.ts), never as plain bits.
  wmask[PMCSR] &= ~PMCSR_STATE_MASK;
  // The expansion ROM is not implemented: reads 0.
  for (let b = 0; b < 4; b++) wmask[0x30 + b] = 0;
  return { wmask, w1cmask };
}

export function registerAt(offset: number): string {
  for (const name of [
    'vendor_id',
    'device_id',
    'command',
    'status',
    'pmc',
    'pmcsr',
    'cap_ptr',
    'interrupt_line',
    'interrupt_pin',
  ]) {
    const r = lookupRegister(name)!;
    if (offset >= r.offset && offset < r.offset + r.def.size) return name;
  }
  if (offset >= BAR0 && offset < BAR0 + 24) return `bar${(offset - BAR0) >> 2}`;
  const hit = [
    ...CONFIG_HEADER.map((d) => ({ d, o: d.offset })),
    ...PM_CAPABILITY.map((d) => ({ d, o: PM_CAP_OFFSET + d.offset })),
  ].find((x) => offset >= x.o && offset < x.o + x.d.size);
  return hit ? hit.d.name : `0x${offset.toString(16)}`;
}
