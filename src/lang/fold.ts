// The language's integer semantics, shared by the checker (folding constants) and the simulator (evaluating).

import * as A from './ast';
import * as P from './program';

/**
 * Evaluates a resolved expression that depends on nothing at run time. A chain of left operands is followed in a
 * loop, so its length costs no stack; what else nests is bounded by the parser (MAX_EXPRESSION_DEPTH).
 */
export function foldConst(r: P.RExpr): bigint | undefined {
  switch (r.k) {
    case 'const':
      return r.value;
    case 'unary': {
      const v = foldConst(r.operand);
      if (v === undefined) return undefined;
      return r.op === '-' ? -v : r.op === '~' ? ~v : v === 0n ? 1n : 0n;
    }
    case 'binary': {
      const chain: (P.RExpr & { k: 'binary' })[] = [];
      let e: P.RExpr = r;
      while (e.k === 'binary') {
        chain.push(e);
        e = e.left;
      }
      let a = foldConst(e);
      for (let i = chain.length - 1; i >= 0 && a !== undefined; i--) {
        const b = foldConst(chain[i].right);
        a = b === undefined ? undefined : applyBinary(chain[i].op, a, b);
      }
      return a;
    }
    case 'device':
    case 'host':
    case 'irqPending':
    case 'now':
    case 'param':
    case 'reg':
    case 'vcpu':
    case 'vm':
    default:
      return undefined;
  }
}

/** The language's integer semantics: 64-bit two's complement, signed comparison, C precedence and truthiness. */
export function applyBinary(op: A.BinaryOp, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+':
      return BigInt.asIntN(64, a + b);
    case '-':
      return BigInt.asIntN(64, a - b);
    case '*':
      return BigInt.asIntN(64, a * b);
    case '/':
      return b === 0n ? 0n : BigInt.asIntN(64, a / b);
    case '%':
      return b === 0n ? 0n : BigInt.asIntN(64, a % b);
    case '&':
      return BigInt.asIntN(64, a & b);
    case '|':
      return BigInt.asIntN(64, a | b);
    case '^':
      return BigInt.asIntN(64, a ^ b);
    case '<<':
      return BigInt.asIntN(64, a << (b & 63n));
    case '>>':
      return BigInt.asIntN(64, BigInt.asUintN(64, a) >> (b & 63n));
    case '==':
      return BigInt.asIntN(64, a) === BigInt.asIntN(64, b) ? 1n : 0n;
    case '!=':
      return BigInt.asIntN(64, a) !== BigInt.asIntN(64, b) ? 1n : 0n;
    case '<':
      return BigInt.asIntN(64, a) < BigInt.asIntN(64, b) ? 1n : 0n;
    case '<=':
      return BigInt.asIntN(64, a) <= BigInt.asIntN(64, b) ? 1n : 0n;
    case '>':
      return BigInt.asIntN(64, a) > BigInt.asIntN(64, b) ? 1n : 0n;
    case '>=':
      return BigInt.asIntN(64, a) >= BigInt.asIntN(64, b) ? 1n : 0n;
    case '&&':
      return a !== 0n && b !== 0n ? 1n : 0n;
    case '||':
      return a !== 0n || b !== 0n ? 1n : 0n;
  }
}
