// Executes one instruction of a vCPU. Each case is what the statement does to the simulated hardware; traps go to
// the hypervisor flavour (PSCI), the device models (MMIO, config space) or the VMM at the instant they happen.

import { Instr, VmConfig } from '../lang/program';
import { evaluate, formatDuration, renderTemplate } from './eval';
import { MAX_CALL_DEPTH, MAX_TIME, Machine, PAST_THE_END } from './machine';
import { psciCall } from './psci/dispatch';
import { configAccess, mmioAccess, pciStateAction, virtioAction } from './devices/registry';
import { VcpuState } from './state';

export function executeInstruction(m: Machine, vm: number, vcpu: number, instr: Instr): void {
  const cfg = m.vmConfig(vm);
  const v = m.state.vms[vm].vcpus[vcpu];
  const scope = m.scope(vm, vcpu);
  const cost = m.statementCost(vm);
  switch (instr.op) {
    case 'psci':
    case 'rawCall': {
      const fid = instr.op === 'psci' ? instr.fn.fid : Number(BigInt.asUintN(32, evaluate(m, instr.id, scope)));
      v.regs[0] = BigInt(fid);
      for (let r = 1; r <= 3; r++) v.regs[r] = 0n;
      for (const a of instr.args) v.regs[a.register] = BigInt.asUintN(64, evaluate(m, a.value, scope));
      // The call returns to the next statement unless the flavour says otherwise (CPU_OFF, a suspend, an exit).
      m.advance(v, cfg, cost);
      psciCall(m, vm, vcpu, fid, instr.op === 'rawCall' ? instr.conduit : 'hvc');
      return;
    }
    case 'mmioRead':
    case 'mmioWrite': {
      const address = BigInt.asUintN(64, evaluate(m, instr.address, scope));
      const value = instr.op === 'mmioWrite' ? BigInt.asUintN(instr.width, evaluate(m, instr.value, scope)) : 0n;
      m.advance(v, cfg, cost);
      const extra = mmioAccess(m, vm, vcpu, instr.op === 'mmioRead' ? 'read' : 'write', address, instr.width, value);
      v.readyAt += extra;
      return;
    }
    case 's2idleNotify': {
      // The virtual PMC's _DSM function 1 stores 3 into its first dword (crosvm devices/src/pmc_virt.rs).
      m.advance(v, cfg, cost);
      if (cfg.s2idleNotify !== undefined) v.readyAt += mmioAccess(m, vm, vcpu, 'write', cfg.s2idleNotify, 32, 3n);
      else
        m.emit(vm, vcpu, {
          kind: 'device',
          device: 's2idle_notify',
          what: 'no notification',
          detail: 'the VM has no virtual PMC, so virt_pmc did not probe',
        });
      return;
    }
    case 'pciRead':
    case 'pciWrite': {
      const value = instr.op === 'pciWrite' ? BigInt.asUintN(64, evaluate(m, instr.value, scope)) : 0n;
      m.advance(v, cfg, cost);
      const result = configAccess(
        m,
        vm,
        vcpu,
        instr.device,
        instr.op === 'pciRead' ? 'read' : 'write',
        instr.target,
        value,
      );
      if (instr.op === 'pciRead') v.regs[0] = result.value;
      v.readyAt += result.delay;
      return;
    }
    case 'virtio': {
      const value = instr.value ? BigInt.asUintN(8, evaluate(m, instr.value, scope)) : 0n;
      m.advance(v, cfg, cost);
      v.readyAt += virtioAction(m, vm, vcpu, instr.device, instr.action, value);
      return;
    }
    case 'irq': {
      const irq = Number(evaluate(m, instr.irq, scope));
      const s = m.irqState(vm, irq, vcpu);
      if (instr.action === 'ack') s.pending = false;
      else {
        s.enabled = instr.action === 'enable';
        s.wake = instr.action === 'enable' && instr.wake;
        // Enabling routes an SPI to the vCPU that enables it; PPIs and SGIs are the vCPU's own.
        if (instr.action === 'enable') s.target = vcpu;
        m.emit(vm, vcpu, { kind: 'irq.config', irq, enabled: s.enabled, wake: s.wake });
      }
      m.state.version++;
      m.advance(v, cfg, cost);
      return;
    }
    case 'wfi':
      m.advance(v, cfg, cost);
      // WFI completes at once if a wake-up is already pending (even with PSTATE.I set, as on hardware). To a host
      // that is suspending, a vCPU whose idle ended as it began has woken like any other.
      if (m.pendingWake(vm, vcpu) < 0) m.block(vm, vcpu, 'wfi');
      else m.guestWoke(vm, vcpu);
      return;
    case 'delay': {
      // A register may hold any 64-bit value: read as signed, a negative delay or one past the longest virtual time
      // is this vCPU's fault, not a wrap of the clock.
      const ns = BigInt.asIntN(64, evaluate(m, instr.duration, scope));
      if (ns < 0n) {
        m.fault(vm, vcpu, `delay of -${formatDuration(-ns)}: a delay cannot be negative`);
        return;
      }
      // Exact: a delay up to 2^53 converts exactly, and one beyond is past the end whatever its rounding.
      const duration = Number(ns);
      if (duration > MAX_TIME - m.state.now) {
        m.fault(vm, vcpu, `delay of ${formatDuration(ns)}: ${PAST_THE_END}`);
        return;
      }
      m.advance(v, cfg, 0);
      v.readyAt += duration;
      return;
    }
    case 'signal': {
      const signals = m.state.vms[vm].signals;
      if (!signals[instr.signal]) {
        signals[instr.signal] = 1;
        m.emit(vm, vcpu, { kind: 'signal', name: cfg.signals[instr.signal], raised: true });
      }
      m.advance(v, cfg, cost);
      return;
    }
    case 'waitSignal':
      // A waiting vCPU stays on its wait statement until the condition holds; Machine.finishWait moves it on.
      if (m.state.vms[vm].signals[instr.signal]) m.advance(v, cfg, cost);
      else {
        v.waitSignal = instr.signal;
        m.block(vm, vcpu, 'wait-signal');
      }
      return;
    case 'waitExpr':
      if (evaluate(m, instr.condition, scope) !== 0n) m.advance(v, cfg, cost);
      else m.block(vm, vcpu, 'wait-expr');
      return;
    case 'call': {
      if (v.stack.length >= MAX_CALL_DEPTH) {
        // A proc already on the stack is recursion; otherwise a chain of calls that deep (p0 calls p1 calls p2 ...).
        const callee = cfg.frames[instr.callee].name;
        const recursion = v.stack.some((f) => f.frame === instr.callee);
        m.fault(
          vm,
          vcpu,
          `call depth over ${MAX_CALL_DEPTH}: ${recursion ? `runaway recursion into ${callee}` : `a chain of calls too deep to call ${callee}`}`,
        );
        return;
      }
      const args = instr.args.map((a) => evaluate(m, a, scope));
      v.stack.push({ frame: instr.callee, returnPc: v.pc + 1, args, irq: -1, savedDaif: 0 });
      m.jump(v, cfg, instr.target);
      v.readyAt = m.state.now + cost;
      return;
    }
    case 'return':
      doReturn(m, vm, vcpu, v, cfg, instr.stmt ? cost : 0);
      return;
    case 'jump':
      m.jump(v, cfg, instr.target);
      v.readyAt = m.state.now + (instr.stmt ? cost : 0);
      return;
    case 'branchIfFalse':
      if (evaluate(m, instr.condition, scope) === 0n) m.jump(v, cfg, instr.target);
      else m.jump(v, cfg, v.pc + 1);
      v.readyAt = m.state.now + cost;
      return;
    case 'halt':
      v.run = 'halted';
      m.emit(vm, vcpu, { kind: 'halt', implicit: instr.implicit });
      return;
    case 'set': {
      const value = evaluate(m, instr.value, scope);
      if (instr.field === 'pc') {
        m.writeVcpuField(vm, vcpu, 'pc', value);
        v.readyAt = m.state.now + cost;
      } else {
        m.writeVcpuField(vm, vcpu, instr.field, value);
        m.advance(v, cfg, cost);
      }
      return;
    }
    case 'expect':
      if (evaluate(m, instr.condition, scope) === 0n) {
        m.state.expectFailures++;
        const message = instr.message ? renderTemplate(m, instr.message.parts, scope) : `expected ${instr.text}`;
        m.emit(vm, vcpu, { kind: 'expect.fail', text: instr.text, message });
      }
      m.advance(v, cfg, cost);
      return;
    case 'log':
      m.emit(vm, vcpu, { kind: 'log', text: renderTemplate(m, instr.message.parts, scope) });
      m.advance(v, cfg, cost);
      return;
    case 'clearSignal': {
      const signals = m.state.vms[vm].signals;
      if (signals[instr.signal]) {
        signals[instr.signal] = 0;
        m.emit(vm, vcpu, { kind: 'signal', name: cfg.signals[instr.signal], raised: false });
      }
      m.advance(v, cfg, cost);
      return;
    }
    case 'context':
      if (instr.action === 'save') {
        contextSave(v);
        m.advance(v, cfg, cost);
      } else if (!contextRestore(m, vm, v, cfg, cost)) {
        m.fault(vm, vcpu, 'context restore with no saved context');
      }
      return;
    case 'pciState':
      m.advance(v, cfg, cost);
      pciStateAction(m, vm, vcpu, instr.device, instr.action);
      return;
  }
}

/** arm64 __cpu_suspend_enter: saves the callee-saved registers, the stack and PSTATE; returns 0 in x0. */
function contextSave(v: VcpuState): void {
  v.saved = {
    stack: v.stack.map((f) => ({ ...f, args: f.args.slice() })),
    sp: v.sp,
    calleeSaved: v.regs.slice(19, 31),
    daif: v.daif,
    mmu: v.mmu,
    pc: v.pc + 1,
  };
  v.regs[0] = 0n;
}

/** arm64 cpu_resume: puts back what was saved and returns from the saving statement with x0 = 1. */
function contextRestore(m: Machine, vm: number, v: VcpuState, cfg: VmConfig, cost: number): boolean {
  const saved = v.saved;
  if (!saved) return false;
  v.stack = saved.stack.map((f) => ({ ...f, args: f.args.slice() }));
  v.sp = saved.sp;
  for (let i = 0; i < 12; i++) v.regs[19 + i] = saved.calleeSaved[i];
  v.daif = saved.daif;
  v.mmu = saved.mmu;
  v.regs[0] = 1n;
  m.jump(v, cfg, saved.pc);
  v.readyAt = m.state.now + cost;
  m.state.version++;
  void vm;
  return true;
}

function doReturn(m: Machine, vm: number, vcpu: number, v: VcpuState, cfg: VmConfig, cost: number): void {
  const frame = v.stack.pop();
  if (!frame || frame.returnPc < 0 || v.stack.length === 0) {
    v.run = 'halted';
    m.emit(vm, vcpu, { kind: 'halt', implicit: true });
    return;
  }
  if (frame.irq >= 0) v.daif = frame.savedDaif;
  m.jump(v, cfg, frame.returnPc);
  v.readyAt = m.state.now + cost;
}
