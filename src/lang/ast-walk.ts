// Walks over statements and expressions of the syntax tree that the checker, the code generator and the language
// server share.

import * as A from './ast';

export function mentionsNow(e: A.Expr): boolean {
  switch (e.kind) {
    case 'now':
      return true;
    case 'unary':
      return mentionsNow(e.operand);
    case 'binary':
      return mentionsNow(e.left) || mentionsNow(e.right);
    default:
      return false;
  }
}

/** Calls `onName` with every dotted name a block mentions in `call` and in expressions (to find reachable procs). */
export function walkBlock(block: A.Block, onName: (name: string) => void): void {
  const expr = (e: A.Expr | undefined): void => {
    if (!e) return;
    if (e.kind === 'path') onName(e.parts.map((p) => p.text).join('.'));
    else if (e.kind === 'unary') expr(e.operand);
    else if (e.kind === 'binary') {
      expr(e.left);
      expr(e.right);
    } else if (e.kind === 'irqPending') expr(e.irq);
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
