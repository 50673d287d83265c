// Which units commute, for explore's partial-order reduction.
//
// A unit is local when it reads and writes nothing but its own vCPU: a statement over its own registers (`set`,
// `expect`, `log`, control flow, `call`/`return`, `context save/restore`) whose expressions name only its own
// registers, parameters, constants and `now`, on a VM whose statements take time. Two local units of different
// vCPUs commute: either order ends in the same state. Everything else (PSCI calls, device and interrupt
// statements, signals, waits, host events, window firings) is treated as touching everything.
//
// The reduction (an ample set of one, in the sense of Peled's and Godefroid's partial-order methods) is used only
// when every option at a decision is local: running one of them first loses nothing, because the others stay
// enabled, are independent of it, and none of them can enable a unit due at the same instant (each takes time,
// and local units raise no events that wake anyone). With a jittered VM every statement draws from the shared
// seed, so nothing commutes and the reduction is off.

import type { Instr, Program, RExpr, RTemplate } from '../../lang/program';
import type { Machine, Unit } from '../machine';

const OWN_REGISTERS = new Set(['sp', 'lr', 'pc', 'el', 'daif', 'mmu', 'mpidr', ...Array.from({ length: 31 }, (_, i) => `x${i}`)]);

export function reductionApplies(program: Program): boolean {
  return program.vms.every((vm) => vm.jitterPercent === 0 && vm.statementTime > 0n);
}

export function isLocal(m: Machine, unit: Unit): boolean {
  if (unit.kind !== 'vcpu') return false;
  const v = m.state.vms[unit.vm].vcpus[unit.vcpu];
  const instr = m.program.vms[unit.vm].code[v.pc];
  return instr !== undefined && localInstr(instr);
}

function localInstr(instr: Instr): boolean {
  switch (instr.op) {
    case 'set':
      return OWN_REGISTERS.has(instr.field) && localExpr(instr.value);
    case 'expect':
      return localExpr(instr.condition) && (!instr.message || localTemplate(instr.message));
    case 'log':
      return localTemplate(instr.message);
    case 'branchIfFalse':
      return localExpr(instr.condition);
    case 'call':
      return instr.args.every(localExpr);
    // A jump or return the compiler added takes no time: the vCPU would be due again at once.
    case 'jump':
    case 'return':
      return instr.stmt;
    case 'context':
      return true;
    default:
      return false;
  }
}

function localTemplate(t: RTemplate): boolean {
  return t.parts.every((p) => typeof p === 'string' || localExpr(p.expr));
}

function localExpr(e: RExpr): boolean {
  switch (e.k) {
    case 'const':
    case 'param':
    case 'now':
      return true;
    case 'reg':
      return OWN_REGISTERS.has(e.field);
    case 'unary':
      return localExpr(e.operand);
    case 'binary':
      return localExpr(e.left) && localExpr(e.right);
    default:
      return false;
  }
}
