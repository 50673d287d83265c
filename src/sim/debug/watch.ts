// Data breakpoints: a value of the machine (a register, a config field, a virtio status, a VM or host state) named
// by an expression of the language, or a range of guest-physical memory. A watch stops after a unit that changed
// its value ('change'), or that wrote it at all, even with the same value ('write').

import { compileExpression } from '../../lang/checker';
import { Instr, RExpr, someRExpr } from '../../lang/program';
import { evaluate } from '../eval';
import { Machine } from '../machine';
import { UnitResult } from '../timeline';
import { guestMemoryRead } from '../devices/memory';

export type WatchAccess = 'write' | 'change';

export interface Watch {
  /** what it watches, as shown to the user */
  label: string;
  read(m: Machine): bigint;
  /** the unit wrote the watched thing (whether or not the value changed) */
  wrote(m: Machine, result: UnitResult): boolean;
}

/** `mem:VM:0xADDRESS:LENGTH`: guest-physical bytes of a VM. */
export function memoryDataId(vm: string, address: bigint, length: number): string {
  return `mem:${vm}:0x${address.toString(16)}:${length}`;
}

export function createWatch(m: Machine, dataId: string): Watch | { error: string } {
  const mem = /^mem:([^:]+):(0x[0-9a-f]+):(\d+)$/i.exec(dataId);
  if (mem) return memoryWatch(m, mem[1], BigInt(mem[2]), Number(mem[3]));
  const compiled = compileExpression(m.program, dataId);
  if (!compiled.expr)
    return { error: compiled.diagnostics.map((d) => d.message).join('; ') || `cannot watch '${dataId}'` };
  return expressionWatch(dataId, compiled.expr);
}

function memoryWatch(m: Machine, vmName: string, address: bigint, length: number): Watch | { error: string } {
  const vm = m.program.vms.findIndex((v) => v.name === vmName);
  if (vm < 0) return { error: `no VM '${vmName}'` };
  if (length < 1 || length > 8) return { error: 'a memory watch covers 1 to 8 bytes' };
  const end = address + BigInt(length);
  return {
    label: `${vmName} 0x${address.toString(16)} (${length} byte${length === 1 ? '' : 's'})`,
    read: (mm) => guestMemoryRead(mm.state.vms[vm], address, length * 8),
    wrote: (_mm, r) =>
      r.events.some(
        (e) =>
          e.kind === 'mmio' &&
          e.vm === vm &&
          e.access === 'write' &&
          e.address < end &&
          e.address + BigInt(e.width / 8) > address,
      ),
  };
}

function expressionWatch(label: string, expr: RExpr): Watch {
  return {
    label,
    read: (m) => evaluate(m, expr, { vm: 0, vcpu: 0, args: [] }),
    wrote: (m, r) => writesTo(m, expr, r),
  };
}

/**
 * Whether a unit wrote what an expression reads: a register by `set` or a call's results, a config register. Each
 * part of the expression is looked at in turn, iteratively (a chain of operators is as deep a tree as it is long).
 */
function writesTo(m: Machine, expr: RExpr, r: UnitResult): boolean {
  return someRExpr(expr, (part) => partWritten(m, part, r));
}

function partWritten(m: Machine, expr: RExpr, r: UnitResult): boolean {
  switch (expr.k) {
    case 'vcpu': {
      if (r.unit.kind !== 'vcpu' || r.unit.vm !== expr.vm || r.unit.vcpu !== expr.vcpu || r.pc < 0) return false;
      const instr: Instr = m.vmConfig(expr.vm).code[r.pc];
      if (instr.op === 'set') return instr.field === expr.field;
      const reg = /^x(\d+)$/.exec(expr.field);
      if (!reg) return false;
      const n = Number(reg[1]);
      if (instr.op === 'psci' || instr.op === 'rawCall') return n <= 3;
      return n === 0 && (instr.op === 'mmioRead' || instr.op === 'pciRead');
    }
    case 'device': {
      const name = m.vmConfig(expr.vm).devices[expr.device].name;
      if (expr.path.kind === 'model') {
        return r.events.some((e) => e.kind === 'device' && e.vm === expr.vm && e.device === name);
      }
      const { offset, register } = expr.path;
      return r.events.some(
        (e) =>
          e.kind === 'pci.config' &&
          e.vm === expr.vm &&
          e.device === name &&
          e.access === 'write' &&
          e.offset < offset + register.size &&
          e.offset + e.size > offset,
      );
    }
    case 'binary':
    case 'const':
    case 'host':
    case 'irqPending':
    case 'now':
    case 'param':
    case 'reg':
    case 'unary':
    case 'vm':
    default:
      return false;
  }
}
