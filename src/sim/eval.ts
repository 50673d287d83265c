// Evaluates resolved expressions against the machine state. Values are 64-bit integers (bigint), booleans 0/1,
// times in nanoseconds.

import { applyBinary } from '../lang/checker';
import { RExpr, VmConfig } from '../lang/program';
import type { Machine } from './machine';

export interface EvalScope {
  vm: number;
  vcpu: number;
  /** arguments of the innermost proc frame */
  args: bigint[];
}

export function evaluate(m: Machine, e: RExpr, scope: EvalScope): bigint {
  switch (e.k) {
    case 'const':
      return e.value;
    case 'reg':
      return m.readVcpuField(scope.vm, scope.vcpu, e.field);
    case 'vcpu':
      return m.readVcpuField(e.vm, e.vcpu, e.field);
    case 'vm':
      return m.readVmField(e.vm, e.field);
    case 'host':
      return m.readHostField(e.field);
    case 'device':
      return m.readDevice(e.vm, e.device, e.path);
    case 'param':
      return scope.args[e.index] ?? 0n;
    case 'now':
      return BigInt(m.state.now);
    case 'irqPending':
      return m.irqPending(scope.vm, scope.vcpu, Number(evaluate(m, e.irq, scope))) ? 1n : 0n;
    case 'unary': {
      const v = evaluate(m, e.operand, scope);
      return e.op === '-' ? BigInt.asIntN(64, -v) : e.op === '~' ? BigInt.asIntN(64, ~v) : v === 0n ? 1n : 0n;
    }
    case 'binary': {
      // Short-circuit like C, so `vcpu1.power == OFF && ...` does not read what it need not.
      if (e.op === '&&') return evaluate(m, e.left, scope) !== 0n && evaluate(m, e.right, scope) !== 0n ? 1n : 0n;
      if (e.op === '||') return evaluate(m, e.left, scope) !== 0n || evaluate(m, e.right, scope) !== 0n ? 1n : 0n;
      return applyBinary(e.op, evaluate(m, e.left, scope), evaluate(m, e.right, scope));
    }
  }
}

export function formatValue(v: bigint): string {
  const s = BigInt.asIntN(64, v);
  if (s >= -1024n && s <= 1024n) return s.toString();
  return '0x' + BigInt.asUintN(64, v).toString(16);
}

export function renderTemplate(m: Machine, parts: (string | RExpr)[], scope: EvalScope): string {
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : formatValue(evaluate(m, p, scope));
  return out;
}

export type { VmConfig };
