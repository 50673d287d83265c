// Values in and out of the debugger: evaluation results shown with their meaning, and writes from the variables
// view done the way the guest would do them (a config write goes through the function's access rules).

import { CompiledExpression, compileExpression } from '../lang/checker';
import { constantName } from '../lang/domain/constants';
import { resolveStatePath } from '../lang/state-paths';
import { EvalScope, evaluate } from '../sim/eval';
import { formatTime } from '../sim/describe-event';
import { registerValue } from '../sim/inspect';
import { Machine } from '../sim/machine';
import { configAccess, virtioAction } from '../sim/devices/registry';

/**
 * A value as the Variables view shows it, so a hover, a watch and the console agree with it: conditions as
 * true/false, times as times, named constants as `D3hot (3)`, numbers in hex (with the PSCI code a negative one
 * spells).
 */
export function formatResult(m: Machine, compiled: CompiledExpression, scope: EvalScope): string {
  const v = evaluate(m, compiled.expr!, scope);
  if (compiled.type === 'bool') return String(v !== 0n);
  if (compiled.type === 'time') return formatTime(Number(v));
  const name = compiled.group ? constantName(compiled.group, v) : undefined;
  if (name) return `${name} (${v})`;
  return registerValue(v);
}

export function parseNumber(text: string): bigint | undefined {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t) || /^\d+$/.test(t)) return BigInt(t);
  return undefined;
}

/** How a variables-view path is written, or why it cannot be: the rules Set Value and the view's read-only marks share.
 * */
export function stateWriter(m: Machine, path: string): { write(value: bigint): void } | { error: string } {
  const span = { start: 0, end: 0 };
  const parts = path.split('.').map((text) => ({ text, span }));
  const vm = m.program.vms.findIndex((v) => v.name === parts[0].text);
  if (vm < 0) return { error: `'${path}' cannot be set` };
  const resolution = resolveStatePath(m.program, parts);
  const head = resolution.segments[1];
  const t = resolution.target;
  if (head?.kind === 'vcpu') {
    if (t?.kind !== 'vcpu-field' || !t.row.writable || t.vcpu === undefined) return { error: `${path} is read-only` };
    const { vcpu, row } = t;
    return { write: (value) => m.writeVcpuField(vm, vcpu, row.name, value) };
  }
  if (head?.kind !== 'device' || head.device === undefined) return { error: `'${path}' cannot be set` };
  const device = head.device;
  // `VM.DEV.config.REG[.FIELD]` (the variables view's form) or `VM.DEV.REG[.FIELD]`.
  if (resolution.error?.code === 'unknown-field' && resolution.error.segment) {
    const register = resolution.segments[resolution.segments.length - 1];
    const name =
      register.kind === 'value' && register.target.kind === 'config-register' ? register.target.register : undefined;
    if (name) return { error: `${name.def.name} has no field '${resolution.error.segment.text}'` };
  }
  if (t?.kind === 'device-field' && t.row.name === 'status')
    return { write: (value) => virtioAction(m, vm, -1, device, 'status', value) };
  if (t?.kind !== 'config-register' && t?.kind !== 'config-field')
    return { error: `${path} is read-only: change a device through its config registers or MMIO` };
  const register = t.register;
  const field = t.kind === 'config-field' ? t.field : undefined;
  // A write the function ignores would change nothing but still discard the recorded future: refuse it.
  const writable = field
    ? WRITABLE.has(field.access)
    : register.def.fields.length
      ? register.def.fields.some((f) => WRITABLE.has(f.access))
      : WRITABLE.has(register.def.access);
  if (!writable) return { error: `${path} is read-only (${field?.access ?? register.def.access})` };
  return {
    write: (value) =>
      configAccess(
        m,
        vm,
        -1,
        device,
        'write',
        { offset: register.offset, size: register.def.size, register: register.def, field },
        value,
      ),
  };
}

const WRITABLE = new Set(['RW', 'RW1C']);

/** Writes a value named by a variables-view path: a vCPU register, a config register or field, a virtio status. */
export function setStateValue(m: Machine, path: string, valueText: string): { ok: true } | { error: string } {
  const writer = stateWriter(m, path);
  if ('error' in writer) return writer;
  const vm = m.program.vms.findIndex((v) => v.name === path.split('.')[0]);
  const compiled = compileExpression(m.program, valueText, vm);
  if (!compiled.expr)
    return { error: compiled.diagnostics.map((d) => d.message).join('; ') || `'${valueText}' is not a value` };
  writer.write(evaluate(m, compiled.expr, { vm, vcpu: 0, args: [] }));
  return { ok: true };
}
