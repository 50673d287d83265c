// Walks over statements and expressions of the syntax tree that the checker, the code generator and the language
// server share.

import * as A from './ast';

/**
 * Visits every node of an expression, in order (a node before its operands, left before right), with its own stack:
 * a chain of thousands of operators is as deep a tree as it is long.
 */
export function forEachExpr(root: A.Expr, visit: (e: A.Expr) => void): void {
  const stack: A.Expr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    visit(e);
    if (e.kind === 'unary') stack.push(e.operand);
    else if (e.kind === 'binary') stack.push(e.right, e.left);
    else if (e.kind === 'irqPending') stack.push(e.irq);
  }
}

/** Whether `now` is an operand of the expression (the interrupt number of `irq N pending` aside). */
export function mentionsNow(root: A.Expr): boolean {
  const stack: A.Expr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.kind === 'now') return true;
    if (e.kind === 'unary') stack.push(e.operand);
    else if (e.kind === 'binary') stack.push(e.right, e.left);
  }
  return false;
}

/** Calls `onName` with every dotted name a block mentions in `call` and in expressions (to find reachable procs). */
export function walkBlock(block: A.Block, onName: (name: string) => void): void {
  const expr = (e: A.Expr | undefined): void => {
    if (!e) return;
    forEachExpr(e, (x) => {
      if (x.kind === 'path') onName(x.parts.map((p) => p.text).join('.'));
    });
  };
  forEachStatement(block, (s) => {
    switch (s.kind) {
      case 'call':
        onName(s.proc.parts.map((p) => p.text).join('.'));
        s.args.forEach(expr);
        break;
      case 'psci':
      case 'rawCall':
        s.args.forEach((a) => expr(a.value));
        break;
      case 'set':
        expr(s.value);
        break;
      case 'if':
      case 'waitExpr':
      case 'expect':
        expr(s.condition);
        break;
      case 'break':
      case 'clearSignal':
      case 'context':
      case 'delay':
      case 'error':
      case 'foreach':
      case 'halt':
      case 'irq':
      case 'label':
      case 'log':
      case 'loop':
      case 'mmioRead':
      case 'mmioWrite':
      case 'onIrq':
      case 'pciRead':
      case 'pciState':
      case 'pciWrite':
      case 'return':
      case 's2idleNotify':
      case 'signal':
      case 'virtio':
      case 'waitSignal':
      case 'wfi':
        // nothing to do for the others (listed so that a new kind is a question here)
        break;
    }
  });
}

/** Visits every statement of a block, nested blocks included. */
export function forEachStatement(block: A.Block, visit: (s: A.Stmt) => void): void {
  for (const s of block.statements) {
    visit(s);
    if (s.kind === 'loop' || s.kind === 'onIrq' || s.kind === 'foreach') forEachStatement(s.body, visit);
    if (s.kind === 'if') {
      forEachStatement(s.then, visit);
      let e = s.else;
      while (e) {
        if (e.kind === 'if') {
          visit(e);
          forEachStatement(e.then, visit);
          e = e.else;
        } else {
          forEachStatement(e, visit);
          e = undefined;
        }
      }
    }
  }
}
