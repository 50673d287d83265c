// The VMM, modelled explicitly: KVM exits to it (KVM_EXIT_SYSTEM_EVENT with SUSPEND, WAKEUP, SHUTDOWN, RESET) and
// it answers as the scenario's `on EVENT:` says, following the userspace flow of docs/DOMAIN.md 2.3-2.4. Xen's
// toolstack plays the same part for a suspended domain. Each exit and each answer is a trace event; the answer
// runs as its own unit on the host thread, so the debugger can stop between them.

import { PSCI_RETURN_CODES } from '../lang/domain/psci';
import { VmmEvent } from '../lang/program';
import { HostVmmAnswer, VmmAnswer } from '../lang/domain/flavours';
import { Machine, MP, POWER } from './machine';
import { QueueEntry } from './state';
import { ExitKind } from './trace';

const RET = PSCI_RETURN_CODES;

const EVENT_OF: Record<Exclude<ExitKind, 'MMIO'>, VmmEvent> = {
  SUSPEND: 'system_suspend',
  WAKEUP: 'wakeup',
  SHUTDOWN: 'system_off',
  RESET: 'system_reset',
};

/** The vCPU traps to the VMM and stays there until the VMM's answer runs. */
export function exitToVmm(m: Machine, vm: number, vcpu: number, kind: ExitKind, flags: number, detail: string): void {
  const v = m.state.vms[vm].vcpus[vcpu];
  v.exit = { kind, flags, deferred: false, repeated: false };
  if (kind !== 'WAKEUP') m.block(vm, vcpu, 'exit');
  // KVM exits to the VMM; for Xen the toolstack (xl) learns of the domain's state and acts on it.
  const via = m.vmConfig(vm).flavour === 'kvm' ? 'KVM_EXIT_SYSTEM_EVENT' : 'Xen toolstack';
  m.emit(vm, vcpu, { kind: 'vmm.exit', exit: kind, flags, detail, via });
  m.schedule(m.state.now, 'vmm', vm, vcpu, 0, kind);
}

/** The VMM's turn: pick its answer for the pending exit and apply it. */
export function handleVmmEntry(m: Machine, entry: QueueEntry): void {
  const v = m.state.vms[entry.vm].vcpus[entry.vcpu];
  if (!v.exit || v.exit.kind !== entry.tag) return;
  const cfg = m.vmConfig(entry.vm);
  if (v.exit.kind === 'MMIO') return;
  const answers = cfg.vmm[EVENT_OF[v.exit.kind]];
  const answer = answers[m.choose(answers.length, `${cfg.name}: VMM answer to ${v.exit.kind}`)];
  applyAnswer(m, entry.vm, entry.vcpu, answer);
}

/** A host action `vmm VM confirm|deny|resume` answers a deferred exit. Returns what it answered, if anything. */
export function answerDeferred(m: Machine, vm: number, answer: HostVmmAnswer): string | undefined {
  const vcpus = m.state.vms[vm].vcpus;
  const wants: ExitKind = answer === 'resume' ? 'WAKEUP' : 'SUSPEND';
  for (let i = 0; i < vcpus.length; i++) {
    const exit = vcpus[i].exit;
    if (exit && exit.deferred && exit.kind === wants) {
      exit.deferred = false;
      applyAnswer(m, vm, i, answer);
      return `${wants} exit of vcpu${i}`;
    }
  }
  // Xen's toolstack can resume a suspended domain at any time (`xl resume`), wake-up or not.
  if (answer === 'resume' && m.vmConfig(vm).flavour === 'xen' && m.state.vms[vm].state === 'suspended') {
    const i = vcpus.findIndex((v) => v.run === 'suspended');
    if (i >= 0) {
      resumeSuspended(m, vm, i, 'the toolstack resumes the domain (xl resume)');
      return 'suspended domain';
    }
  }
  return undefined;
}

function applyAnswer(m: Machine, vm: number, vcpu: number, answer: VmmAnswer): void {
  const v = m.state.vms[vm].vcpus[vcpu];
  const exit = v.exit!;
  const report = (result: string) => m.emit(vm, vcpu, { kind: 'vmm.answer', exit: exit.kind, answer, result });
  if (answer === 'defer') {
    exit.deferred = true;
    report('held until a host action answers');
    return;
  }
  switch (exit.kind) {
    case 'SUSPEND':
      answerSuspend(m, vm, vcpu, answer, report);
      return;
    case 'WAKEUP':
      v.exit = undefined;
      if (answer === 'resume') {
        report(
          m.vmConfig(vm).flavour === 'kvm'
            ? 'KVM_SET_MP_STATE(RUNNABLE)'
            : 'domain_resume: the stashed context is applied',
        );
        resumeSuspended(m, vm, vcpu, 'the VMM honoured the wake-up');
      } else {
        report('kept suspended');
        againIfStillPending(m, vm, vcpu, exit.repeated);
      }
      return;
    case 'SHUTDOWN':
    case 'RESET':
      v.exit = undefined;
      if (answer === 'resume') {
        // What the KVM selftest does after a SYSTEM_OFF2 exit: run the vCPU again; it sees INTERNAL_FAILURE.
        report('vCPU made RUNNABLE again');
        m.setPower(vm, vcpu, POWER.ON, MP.RUNNABLE, 'VMM resumed the vCPU');
        m.wake(vm, vcpu);
      } else {
        report(exit.kind === 'SHUTDOWN' ? 'VM powered off' : 'VM reset requested');
        m.block(vm, vcpu, 'off');
        m.setVmState(vm, exit.kind === 'SHUTDOWN' ? 'off' : 'reset', `${exit.kind} exit`);
      }
      return;
    case 'MMIO':
      // Never answered here: an MMIO exit is handled where the access traps (see the check at the top).
      break;
  }
}

/**
 * The VMM ignored a WAKEUP and calls KVM_RUN again with the vCPU still KVM_MP_STATE_SUSPENDED. KVM's
 * kvm_vcpu_suspend (arch/arm64/kvm/arm.c) emulates WFI, finds kvm_arch_vcpu_runnable() true while the wake-up is
 * still pending, and exits WAKEUP again at once (api.rst: "every KVM_RUN exits immediately"; DOMAIN.md 2b, observed
 * with the line still high). The loop would never end, so the simulator shows one repeated exit; if the VMM ignores
 * that one too, the vCPU stays in it (a spinning VMM) and the run ends there.
 */
function againIfStillPending(m: Machine, vm: number, vcpu: number, repeated: boolean): void {
  const irq = m.pendingWake(vm, vcpu);
  if (irq < 0) return;
  if (repeated) {
    m.state.vms[vm].vcpus[vcpu].exit = { kind: 'WAKEUP', flags: 0, deferred: false, repeated: true };
    return;
  }
  exitToVmm(m, vm, vcpu, 'WAKEUP', 0, `irq ${irq} still pending: KVM_RUN exits WAKEUP again at once`);
  m.state.vms[vm].vcpus[vcpu].exit!.repeated = true;
}

/**
 * The VMM's SYSTEM_SUSPEND (docs/DOMAIN.md 2.4): other vCPUs must be STOPPED (DENIED), the entry point must be
 * in RAM and not a Thumb address (INVALID_ADDRESS); then the vCPU is reset to the entry point with x0 = context
 * and put in KVM_MP_STATE_SUSPENDED, where KVM emulates WFI until a wake-up.
 */
function answerSuspend(
  m: Machine,
  vm: number,
  vcpu: number,
  answer: VmmAnswer,
  report: (result: string) => void,
): void {
  const v = m.state.vms[vm].vcpus[vcpu];
  v.exit = undefined;
  const fail = (code: number, name: string) => {
    v.regs[0] = BigInt.asUintN(64, BigInt(code));
    report(name);
    m.emit(vm, vcpu, { kind: 'psci.return', fn: 'SYSTEM_SUSPEND', result: BigInt(code), name });
    m.wake(vm, vcpu);
  };
  if (answer === 'deny') return fail(RET.DENIED, 'DENIED');
  if (answer === 'resume') {
    // KVM_RUN again without writing a result: KVM left the registers as the guest called (kvm_psci_system_suspend
    // only fills run->system_event), so the guest sees x0 = its own function ID (DOMAIN.md 2b, psci_probe B and F).
    report('re-entered without an answer: x0 is still the function ID');
    m.emit(vm, vcpu, {
      kind: 'psci.return',
      fn: 'SYSTEM_SUSPEND',
      result: v.regs[0],
      name: 'no answer (x0 unchanged)',
    });
    m.wake(vm, vcpu);
    return;
  }
  const entry = v.regs[1];
  const context = v.regs[2];
  // `confirm-unchecked` is a VMM that honours the call without the checks api.rst makes its job.
  const checked = answer !== 'confirm-unchecked';
  if (checked && systemSuspendChecks(m, vm, vcpu, entry) === RET.DENIED) return fail(RET.DENIED, 'DENIED');
  if (checked && (!m.inRam(vm, entry) || entry & 1n)) return fail(RET.INVALID_ADDRESS, 'INVALID_ADDRESS');
  report(
    checked
      ? 'KVM_SET_MP_STATE(SUSPENDED)'
      : 'KVM_SET_MP_STATE(SUSPENDED) without checking the other vCPUs or the entry point',
  );
  m.resetVcpu(vm, vcpu, entry, context);
  enterSuspended(m, vm, vcpu, 'SYSTEM_SUSPEND honoured by the VMM', true);
}

/** DENIED if any other vCPU of the VM is not powered off (KVM_MP_STATE_STOPPED), else 0. */
export function systemSuspendChecks(m: Machine, vm: number, vcpu: number, entry: bigint): number {
  void entry;
  const vcpus = m.state.vms[vm].vcpus;
  return vcpus.some((v, i) => i !== vcpu && v.mp !== MP.STOPPED) ? RET.DENIED : 0;
}

/**
 * The vCPU (already reset to its entry point) is now suspended: with `mpSuspended` it is in KVM_MP_STATE_SUSPENDED
 * (KVM exits WAKEUP on a wake-up); without, it is in WFI (the in-kernel variant) and simply wakes.
 */
export function enterSuspended(m: Machine, vm: number, vcpu: number, why: string, mpSuspended: boolean): void {
  m.setPower(vm, vcpu, POWER.POWERDOWN, mpSuspended ? MP.SUSPENDED : MP.RUNNABLE, why);
  m.block(vm, vcpu, mpSuspended ? 'suspended' : 'wfi');
  m.setVmState(vm, 'suspended', why);
  const irq = m.pendingWake(vm, vcpu);
  if (irq >= 0) m.deliverWake(vm, vcpu, irq);
}

/** A wake-up reached a suspended vCPU: KVM exits WAKEUP to the VMM; for Xen the toolstack resumes the domain. */
export function handleSuspendedWake(m: Machine, vm: number, vcpu: number, irq: number): void {
  const v = m.state.vms[vm].vcpus[vcpu];
  if (v.exit) return;
  const cfg = m.vmConfig(vm);
  const detail =
    cfg.flavour === 'kvm'
      ? `irq ${irq} pending: KVM's emulated WFI ends`
      : `irq ${irq} pending for a suspended domain: the toolstack is told`;
  exitToVmm(m, vm, vcpu, 'WAKEUP', 0, detail);
}

/** Out of SYSTEM_SUSPEND: the vCPU runs from its entry point (set when it suspended). */
export function resumeSuspended(m: Machine, vm: number, vcpu: number, why: string): void {
  const v = m.state.vms[vm].vcpus[vcpu];
  const cfg = m.vmConfig(vm);
  if (cfg.flavour === 'xen' && v.resume) {
    // arch_domain_resume applies the context stashed at SYSTEM_SUSPEND.
    m.resetVcpu(vm, vcpu, v.resume.entry, v.resume.context);
    v.resume = undefined;
  }
  m.setPower(vm, vcpu, POWER.ON, MP.RUNNABLE, why);
  m.wake(vm, vcpu);
  m.setVmState(vm, 'running', why);
  m.guestWoke(vm, vcpu);
}
