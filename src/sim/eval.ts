// Evaluates resolved expressions against the machine state. Values are 64-bit integers (bigint), booleans 0/1,
// times in nanoseconds.

import { applyBinary } from '../lang/fold';
import { RExpr, RTemplate } from '../lang/program';
import { readHostValue, readVcpuValue, readVmValue } from './fields';
import type { Machine } from './machine';

export interface EvalScope {
  vm: number;
  vcpu: number;
  /** arguments of the innermost proc frame */
  args: bigint[];
  /**
   * What `now` reads when it is not the machine's clock: the debugger, stopped before a statement, evaluates at the
   * moment that statement executes (the machine's clock still shows the unit before it).
   */
  now?: number;
}

export function evaluate(m: Machine, e: RExpr, scope: EvalScope): bigint {
  switch (e.k) {
    case 'const':
      return e.value;
    case 'reg':
      return readVcpuValue(m, scope.vm, scope.vcpu, e.field);
    case 'vcpu':
      return readVcpuValue(m, e.vm, e.vcpu, e.field);
    case 'vm':
      return readVmValue(m, e.vm, e.field);
    case 'host':
      return readHostValue(m, e.field);
    case 'device':
      return m.readDevice(e.vm, e.device, e.path);
    case 'param':
      return scope.args[e.index] ?? 0n;
    case 'now':
      return BigInt(scope.now ?? m.state.now);
    case 'irqPending':
      return m.irqPending(scope.vm, scope.vcpu, Number(evaluate(m, e.irq, scope))) ? 1n : 0n;
    case 'unary': {
      const v = evaluate(m, e.operand, scope);
      return e.op === '-' ? BigInt.asIntN(64, -v) : e.op === '~' ? BigInt.asIntN(64, ~v) : v === 0n ? 1n : 0n;
    }
    case 'binary': {
      // A long chain of operators (a left operand that is an operator, and so on) is followed in a loop.
      if (e.left.k === 'binary' && longChain(e.left)) return evaluateChain(m, e, scope);
      // Short-circuit like C, so `vcpu1.power == OFF && ...` does not read what it need not.
      if (e.op === '&&') return evaluate(m, e.left, scope) !== 0n && evaluate(m, e.right, scope) !== 0n ? 1n : 0n;
      if (e.op === '||') return evaluate(m, e.left, scope) !== 0n || evaluate(m, e.right, scope) !== 0n ? 1n : 0n;
      return applyBinary(e.op, evaluate(m, e.left, scope), evaluate(m, e.right, scope));
    }
  }
}

/** Whether more than a few operators hang off each other's left operands (what people write is short). */
function longChain(e: RExpr): boolean {
  let n = 0;
  for (let x = e; x.k === 'binary'; x = x.left) if (++n > 16) return true;
  return false;
}

/**
 * `((a op b) op c) op ...` from the innermost operator out, in a loop: the values, the order and the short-circuits
 * of the recursive evaluation, at a constant depth of stack however long the chain (the checker balances the long
 * chains it can, the others are as deep as they are long). Right operands nest no deeper than MAX_EXPRESSION_DEPTH.
 */
function evaluateChain(m: Machine, top: RExpr & { k: 'binary' }, scope: EvalScope): bigint {
  const chain: (RExpr & { k: 'binary' })[] = [];
  let e: RExpr = top;
  while (e.k === 'binary') {
    chain.push(e);
    e = e.left;
  }
  let value = evaluate(m, e, scope);
  for (let i = chain.length - 1; i >= 0; i--) {
    const b = chain[i];
    if (b.op === '&&') value = value !== 0n && evaluate(m, b.right, scope) !== 0n ? 1n : 0n;
    else if (b.op === '||') value = value !== 0n || evaluate(m, b.right, scope) !== 0n ? 1n : 0n;
    else value = applyBinary(b.op, value, evaluate(m, b.right, scope));
  }
  return value;
}

export function formatValue(v: bigint): string {
  const s = BigInt.asIntN(64, v);
  if (s >= -1024n && s <= 1024n) return s.toString();
  return '0x' + BigInt.asUintN(64, v).toString(16);
}

export function renderTemplate(m: Machine, parts: RTemplate['parts'], scope: EvalScope): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else {
      const v = evaluate(m, p.expr, scope);
      out += p.type === 'time' ? formatDuration(v) : p.type === 'bool' ? String(v !== 0n) : formatValue(v);
    }
  }
  return out;
}

/** A time in the largest unit that keeps it exact: `30ms`, `30.004ms`, `1500ns`. */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0ns';
  for (const [unit, scale] of [
    ['s', 1_000_000_000n],
    ['ms', 1_000_000n],
    ['us', 1_000n],
  ] as const) {
    if (ns >= scale) {
      const whole = ns / scale;
      const frac = ns % scale;
      if (frac === 0n) return `${whole}${unit}`;
      const digits = scale.toString().length - 1;
      return `${whole}.${frac.toString().padStart(digits, '0').replace(/0+$/, '')}${unit}`;
    }
  }
  return `${ns}ns`;
}
