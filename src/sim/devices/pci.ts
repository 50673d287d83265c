// Generic PCI behaviour shared by every model: config reads and writes through the register table, PMCSR
// PowerState transitions with the PCI PM 1.2 rules and Linux's delays (docs/DOMAIN.md 4.2), and MMIO to BARs.

import { PciTarget } from '../../lang/program';
import { TIME_UNITS } from '../../lang/lexer';
import { DeviceCall } from './model';
import {
  D0,
  D1,
  D2,
  D3COLD,
  D3HOT,
  D_STATE_NAMES,
  PMC,
  PMCSR,
  PMCSR_STATE_MASK,
  registerAt,
  CONTEXT_WORDS,
  BAR0,
  COMMAND,
} from './pci-function';

/** Linux drivers/pci/pci.h: PCI_PM_D2_DELAY, PCI_PM_D3HOT_WAIT, PCI_PM_D3COLD_WAIT (ns). */
export const D2_DELAY = 200_000;
export const D3HOT_WAIT = 10_000_000;
export const D3COLD_WAIT = 100_000_000;

export function describeTarget(target: PciTarget): string {
  if (target.register && target.field) return `${target.register.name}.${target.field.name}`;
  if (target.register) return target.register.name;
  return registerAt(target.offset);
}

/** A guest config access. Field targets are read-modify-write of their register, as a driver does it. */
export function guestConfigAccess(
  c: DeviceCall,
  access: 'read' | 'write',
  target: PciTarget,
  value: bigint,
): { value: bigint; delay: number } {
  const { fn } = c;
  const name = describeTarget(target);
  if (access === 'read') {
    const raw = readConfig(c, target.offset, target.size);
    const v = target.field ? (raw >>> target.field.lsb) & ((1 << target.field.width) - 1) : raw;
    c.m.emit(c.vm, c.vcpu, {
      kind: 'pci.config',
      access,
      device: c.dev.name,
      offset: target.offset,
      size: target.size,
      value: BigInt(v),
      register: name,
      note: fn.dstate === D3COLD ? 'D3cold: no response, all ones' : '',
    });
    return { value: BigInt(v), delay: 0 };
  }
  let word = Number(BigInt.asUintN(target.size * 8, value));
  if (target.field) {
    const mask = ((1 << target.field.width) - 1) << target.field.lsb;
    const current = readConfig(c, target.offset, target.size);
    word = ((current & ~mask) | ((word << target.field.lsb) & mask)) >>> 0;
  }
  return { value: 0n, delay: writeConfig(c, target.offset, target.size, word, name) };
}

export function readConfig(c: DeviceCall, offset: number, size: number): number {
  const { fn } = c;
  // In D3cold the function is unpowered: config reads complete with all ones (Linux: PCI_POSSIBLE_ERROR).
  if (fn.dstate === D3COLD) return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
  const raw = fn.read(offset, size);
  return c.m.deviceModel(c.vm, c.index).configRead?.(c, offset, size, raw) ?? raw;
}

/** A config write as it reaches the function; returns the delay the writer must wait. */
export function writeConfig(c: DeviceCall, offset: number, size: number, value: number, name: string): number {
  const model = c.m.deviceModel(c.vm, c.index);
  const trapped = model.configWrite?.(c, offset, size, value);
  if (trapped !== undefined) return trapped;
  return genericConfigWrite(c, offset, size, value, name);
}

export function genericConfigWrite(c: DeviceCall, offset: number, size: number, value: number, name: string): number {
  const { fn } = c;
  const emit = (note: string) =>
    c.m.emit(c.vm, c.vcpu, {
      kind: 'pci.config',
      access: 'write',
      device: c.dev.name,
      offset,
      size,
      value: BigInt(value),
      register: name,
      note,
    });
  if (fn.dstate === D3COLD) {
    emit('D3cold: no response, write dropped');
    return 0;
  }
  const touchesState = offset <= PMCSR && offset + size > PMCSR;
  fn.maskedWrite(offset, size, value);
  if (!touchesState) {
    emit('');
    c.m.state.version++;
    return 0;
  }
  const requested = (value >>> (8 * (PMCSR - offset))) & PMCSR_STATE_MASK;
  const result = setPowerState(c, requested);
  emit(result.note);
  return result.delay;
}

/**
 * PowerState transition rules (PCI PM 1.2; Linux pci_set_low_power_state and pci_power_up):
 * - D1/D2 only where PMC says they are supported; otherwise the write completes and the state does not change.
 * - From a low-power state only deeper or back to D0.
 * - Delays: to or from D3hot 10 ms, to or from D2 200 us.
 * - D3hot -> D0 with No_Soft_Reset = 0 resets the function to "D0 uninitialized".
 */
export function setPowerState(c: DeviceCall, requested: number): { delay: number; note: string } {
  const { fn } = c;
  const current = fn.powerState;
  const pmc = fn.read(PMC, 2);
  if (requested === current) return { delay: 0, note: `already ${D_STATE_NAMES[current]}` };
  if ((requested === D1 && !(pmc & 0x0200)) || (requested === D2 && !(pmc & 0x0400))) {
    return {
      delay: 0,
      note: `${D_STATE_NAMES[requested]} is not supported (PMC): write discarded, still ${D_STATE_NAMES[current]}`,
    };
  }
  if (current !== D0 && requested !== D0 && requested < current) {
    return {
      delay: 0,
      note: `${D_STATE_NAMES[current]} -> ${D_STATE_NAMES[requested]} is not a legal transition: only deeper or back to D0`,
    };
  }
  const delay =
    requested === D3HOT || current === D3HOT ? D3HOT_WAIT : requested === D2 || current === D2 ? D2_DELAY : 0;
  const softReset = current === D3HOT && requested === D0 && !fn.noSoftReset;
  applyState(c, requested);
  let note = `PowerState ${D_STATE_NAMES[current]} -> ${D_STATE_NAMES[requested]}${delay ? `, ${delay / Number(TIME_UNITS.ms)} ms delay` : ''}`;
  if (softReset) {
    softResetFunction(c, 'D3hot -> D0 with No_Soft_Reset = 0: internal reset to D0 uninitialized');
    note += ', function reset (No_Soft_Reset = 0)';
  }
  return { delay, note };
}

export function applyState(c: DeviceCall, state: number): void {
  const { fn } = c;
  const from = fn.dstate;
  fn.store(PMCSR, 2, (fn.read(PMCSR, 2) & ~PMCSR_STATE_MASK) | (state & PMCSR_STATE_MASK));
  fn.dstate = state;
  c.m.state.version++;
  if (from !== state)
    c.m.emit(c.vm, -1, {
      kind: 'device',
      device: c.dev.name,
      what: `${D_STATE_NAMES[from]} -> ${D_STATE_NAMES[state]}`,
      detail: 'power state',
    });
}

/** Resets the function, reporting what was lost (the invariants read these events). */
export function softResetFunction(c: DeviceCall, why: string): void {
  const lost = c.fn.contextDirty;
  const promised = c.fn.noSoftReset;
  c.fn.reset();
  c.m.emit(c.vm, -1, { kind: 'device', device: c.dev.name, what: 'function reset', detail: why });
  // Expected for a function without No_Soft_Reset: the OS must restore it. Reported so a reader sees what went.
  if (lost)
    c.m.emit(c.vm, c.vcpu, {
      kind: 'context.lost',
      device: c.dev.name,
      cause: 'soft reset on D3hot -> D0',
      noSoftReset: promised,
    });
}

/** Guest MMIO that hit one of the function's BARs. */
export function barAccess(
  c: DeviceCall,
  bar: number,
  offset: number,
  access: 'read' | 'write',
  address: bigint,
  width: number,
  value: bigint,
): void {
  const { fn } = c;
  const v = c.m.state.vms[c.vm].vcpus[c.vcpu];
  const target = `${c.dev.name} BAR${bar}+0x${offset.toString(16)}`;
  const refused = refusal(c);
  if (refused) {
    // No decode: reads complete with all ones (master abort), writes go nowhere.
    const ones = width === 64 ? 0xffffffffffffffffn : (1n << BigInt(width)) - 1n;
    if (access === 'read') v.regs[0] = ones;
    c.m.emit(c.vm, c.vcpu, {
      kind: 'mmio',
      access,
      address,
      width,
      value: access === 'read' ? ones : value,
      target: `${target} (${refused})`,
      blocked: true,
      device: c.dev.name,
    });
    return;
  }
  const word = offset >> 2;
  if (bar === 0 && word < CONTEXT_WORDS) {
    if (access === 'write') {
      fn.context[word] = Number(BigInt.asUintN(32, value));
      fn.contextDirty = true;
      c.m.state.version++;
    } else v.regs[0] = BigInt(fn.context[word]);
  } else if (access === 'read') v.regs[0] = 0n;
  c.m.emit(c.vm, c.vcpu, {
    kind: 'mmio',
    access,
    address,
    width,
    value: access === 'read' ? v.regs[0] : value,
    target,
    blocked: false,
    device: c.dev.name,
  });
}

function refusal(c: DeviceCall): string | undefined {
  const { fn } = c;
  if (fn.dstate !== D0) return `in ${D_STATE_NAMES[fn.dstate]}: config space only`;
  const model = c.m.deviceModel(c.vm, c.index).mmioRefused?.(c);
  if (model) return model;
  if (!fn.memoryEnabled) return 'Command.Memory is 0';
  return undefined;
}

/** Linux pci_save_state: the kernel keeps a copy of the header (in guest memory) to write back after D3. */
export function pciSaveState(c: DeviceCall): void {
  const copy = new Uint8Array(64);
  for (let o = 0; o < 64; o += 4) {
    const v = readConfig(c, o, 4);
    for (let b = 0; b < 4; b++) copy[o + b] = (v >>> (8 * b)) & 0xff;
  }
  c.fn.guestSaved = copy;
  c.m.emit(c.vm, c.vcpu, {
    kind: 'device',
    device: c.dev.name,
    what: 'pci_save_state',
    detail: `BAR0 0x${readConfig(c, BAR0, 4).toString(16)}, Command 0x${readConfig(c, COMMAND, 2).toString(16)}`,
  });
}

/**
 * Linux pci_restore_state (pci_restore_config_space): writes back each header dword whose current value differs,
 * from the top down, through the normal write path.
 */
export function pciRestoreState(c: DeviceCall): void {
  const saved = c.fn.guestSaved;
  if (!saved) {
    c.m.emit(c.vm, c.vcpu, {
      kind: 'device',
      device: c.dev.name,
      what: 'pci_restore_state',
      detail: 'nothing saved: no writes',
    });
    return;
  }
  let writes = 0;
  for (let o = 0x3c; o >= 0x04; o -= 4) {
    const want = (saved[o] | (saved[o + 1] << 8) | (saved[o + 2] << 16) | (saved[o + 3] << 24)) >>> 0;
    if (readConfig(c, o, 4) === want) continue;
    c.fn.maskedWrite(o, 4, want);
    writes++;
  }
  c.m.state.version++;
  c.m.emit(c.vm, c.vcpu, {
    kind: 'device',
    device: c.dev.name,
    what: 'pci_restore_state',
    detail: `${writes} header dword${writes === 1 ? '' : 's'} written back${writes ? `; BAR0 0x${readConfig(c, BAR0, 4).toString(16)}, Command 0x${readConfig(c, COMMAND, 2).toString(16)}` : ''}`,
  });
}
