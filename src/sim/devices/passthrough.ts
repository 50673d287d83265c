// `passthrough`: a PCI function assigned to the guest with VFIO (drivers/vfio/pci/vfio_pci_config.c and
// vfio_pci_core.c; docs/DOMAIN.md 4.3):
// - PMC's PME_Support is virtualised to 0 and PMCSR's PME_En and PME_Status live in vfio's virtual config only.
// - A guest PMCSR write traps (vfio_pm_config_write): going to D3hot zaps the BAR mappings, so MMIO is refused
//   until D0; a function without No_Soft_Reset has its config saved before D3 and restored after D0
//   (needs_pm_restore), which brings BARs and Command back but not the device's internal state.
// - `d3cold promote` models the RFC that lets vfio take a function on from D3hot to D3cold: main power goes, and on
//   the way back a fundamental reset wipes everything, whatever No_Soft_Reset promised.

import { TIME_UNITS } from '../../lang/lexer';
import { DeviceCall, DeviceModelImpl } from './model';
import { D3COLD_WAIT, applyState, genericConfigWrite, setPowerState } from './pci';
import {
  D0,
  D3COLD,
  D3HOT,
  D_STATE_NAMES,
  PMC,
  PMCSR,
  PMCSR_PME_EN,
  PMCSR_PME_STATUS,
  PMCSR_STATE_MASK,
  ModelField,
  ModelStateBase,
  PciFunction,
} from './pci-function';

const PME_SUPPORT = 0xf800;

/** vfio's own state for an assigned function (what vfio keeps besides the device's config space). */
export class PassthroughState implements ModelStateBase {
  readonly kind = 'passthrough';
  constructor(
    /** needs_pm_restore: the function resets on D3hot -> D0, so vfio saves its config around D3 */
    readonly needsPmRestore: boolean,
    /** PME_En and PME_Status of vfio's virtual PMCSR */
    public vPme = 0,
    /** the BAR mappings are zapped: MMIO refused until D0 */
    public zapped = false,
    /** the config space vfio saved before D3 */
    public pmSave?: Uint8Array,
  ) {}

  clone(): PassthroughState {
    return new PassthroughState(this.needsPmRestore, this.vPme, this.zapped, this.pmSave?.slice());
  }

  /** A function reset leaves vfio's own state as it is. */
  reset(): void {}

  fields(): Record<string, ModelField> {
    return { needsPmRestore: this.needsPmRestore, vPme: this.vPme, zapped: this.zapped, pmSave: this.pmSave };
  }
}

function vfio(fn: PciFunction): PassthroughState {
  if (fn.model.kind !== 'passthrough') throw new Error('not an assigned function');
  return fn.model;
}

export const passthrough: DeviceModelImpl = {
  name: 'passthrough',
  identity: () => ({
    vendorId: 0x10de,
    deviceId: 0x20b5,
    classCode: 0x030200,
    subsystemId: 0x1533,
    barSizes: [0x1000000],
  }),
  boot(fn: PciFunction): PassthroughState {
    // vfio_pci_probe_power_state at open: a function that resets on D3hot -> D0 needs its state saved around D3.
    return new PassthroughState(!fn.noSoftReset);
  },
  configRead(c: DeviceCall, offset: number, size: number, raw: number): number {
    let value = raw;
    value = overlay(value, offset, size, PMC, 0, PME_SUPPORT);
    value = overlay(value, offset, size, PMCSR, vfio(c.fn).vPme, PMCSR_PME_EN | PMCSR_PME_STATUS);
    return value >>> 0;
  },
  configWrite(c: DeviceCall, offset: number, size: number, value: number): number | undefined {
    if (!(offset <= PMCSR && offset + size > PMCSR)) return undefined;
    return vfioPmcsrWrite(c, offset, size, value);
  },
  mmioRefused(c: DeviceCall): string | undefined {
    return vfio(c.fn).zapped ? 'vfio zapped the BAR mappings for D3' : undefined;
  },
};

/** Replaces the bits `mask` of a 16-bit register at `regOffset` inside a config read of `size` bytes at `offset`. */
function overlay(value: number, offset: number, size: number, regOffset: number, bits: number, mask: number): number {
  const shift = 8 * (regOffset - offset);
  if (shift < 0 || regOffset + 2 > offset + size) return value;
  return (value & ~(mask << shift)) | ((bits & mask) << shift);
}

function vfioPmcsrWrite(c: DeviceCall, offset: number, size: number, value: number): number {
  const { fn } = c;
  const state = vfio(fn);
  const shift = 8 * (PMCSR - offset);
  const pmcsr = (value >>> shift) & 0xffff;
  // PME_En is written and PME_Status cleared in vfio's virtual config; the device never sees them.
  let vPme = state.vPme;
  vPme = (vPme & ~PMCSR_PME_EN) | (pmcsr & PMCSR_PME_EN);
  if (pmcsr & PMCSR_PME_STATUS) vPme &= ~PMCSR_PME_STATUS;
  state.vPme = vPme;
  const requested = pmcsr & PMCSR_STATE_MASK;
  const from = fn.dstate;
  c.m.emit(c.vm, c.vcpu, {
    kind: 'device',
    device: c.dev.name,
    what: 'vfio_pm_config_write',
    detail: `guest PMCSR write ${D_STATE_NAMES[from]} -> ${D_STATE_NAMES[requested]} trapped to the VMM`,
  });
  if (requested >= D3HOT && !state.zapped) {
    state.zapped = true;
    c.m.emit(c.vm, -1, {
      kind: 'device',
      device: c.dev.name,
      what: 'vfio zaps BAR mappings',
      detail: 'vfio_pci_zap_and_down_write_memory_lock: MMIO refused until D0',
    });
  }
  if (state.needsPmRestore && from < D3HOT && requested === D3HOT) {
    state.pmSave = fn.config.slice();
    c.m.emit(c.vm, -1, {
      kind: 'device',
      device: c.dev.name,
      what: 'pci_save_state',
      detail: 'vfio saves config before D3 (needs_pm_restore: No_Soft_Reset = 0)',
    });
  }
  let delay: number;
  if (from === D3COLD && requested === D0) {
    delay = powerUpFromD3cold(c);
  } else {
    // Everything but PowerState goes through as the guest wrote it (minus the virtualised PME bits).
    const physical = (value & ~(((PMCSR_PME_EN | PMCSR_PME_STATUS) << shift) >>> 0)) >>> 0;
    delay = genericConfigWrite(c, offset, size, physical, 'pmcsr');
  }
  if (fn.dstate === D0 && from >= D3HOT && state.needsPmRestore && state.pmSave) {
    const saved = state.pmSave;
    const pmcsr0 = fn.read(PMCSR, 2);
    fn.config.set(saved);
    fn.store(PMCSR, 2, pmcsr0);
    state.pmSave = undefined;
    c.m.emit(c.vm, -1, {
      kind: 'device',
      device: c.dev.name,
      what: 'pci_restore_state',
      detail: "vfio restores BARs and Command after D0; the device's own state is not part of config space",
    });
  }
  if (requested === D3HOT && fn.dstate === D3HOT && c.dev.options.d3cold?.includes('promote')) {
    applyState(c, D3COLD);
    c.m.emit(c.vm, -1, {
      kind: 'device',
      device: c.dev.name,
      what: 'vfio promotes D3hot to D3cold',
      detail: 'd3cold promote: the platform removes main power; config space no longer answers',
    });
  }
  if (fn.dstate === D0 && state.zapped) {
    state.zapped = false;
    c.m.emit(c.vm, -1, {
      kind: 'device',
      device: c.dev.name,
      what: 'vfio restores BAR mappings',
      detail: 'back in D0',
    });
  }
  return delay;
}

/** Power comes back: a fundamental reset (PCIe r6.0 5.8) and the D3cold recovery time, whatever No_Soft_Reset said. */
function powerUpFromD3cold(c: DeviceCall): number {
  const { fn } = c;
  const promised = fn.noSoftReset;
  const hadContext = fn.contextDirty;
  fn.reset();
  applyState(c, D0);
  c.m.emit(c.vm, -1, {
    kind: 'device',
    device: c.dev.name,
    what: 'fundamental reset',
    detail: 'leaving D3cold: main power restored, the function starts from scratch',
  });
  if (hadContext) {
    c.m.emit(c.vm, c.vcpu, {
      kind: 'context.lost',
      device: c.dev.name,
      cause: 'D3cold promotion: a fundamental reset the guest did not ask for',
      noSoftReset: promised,
    });
  }
  c.m.emit(c.vm, c.vcpu, {
    kind: 'pci.config',
    access: 'write',
    device: c.dev.name,
    offset: PMCSR,
    size: 2,
    value: 0n,
    register: 'pmcsr',
    note: `PowerState D3cold -> D0, ${D3COLD_WAIT / Number(TIME_UNITS.ms)} ms delay (PCI_PM_D3COLD_WAIT)`,
  });
  return D3COLD_WAIT;
}

export { setPowerState };
