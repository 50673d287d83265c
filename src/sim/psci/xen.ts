// Xen on Arm's virtual PSCI (xen/arch/arm/vpsci.c) plus the guest SYSTEM_SUSPEND series (Mykola Kvach, based on
// Mirela Simonovic's suspend-to-RAM work); docs/DOMAIN.md 3.1-3.3. Xen writes only x0 (PSCI_SET_RESULT), and reads
// each argument at the width do_vpsci_0_2_call gives it (xargConv, xarg32 below), without narrowing the registers.

import {
  MPIDR_HWID_BITMASK,
  SMCCC_VERSION_1_2,
  SMCCC_VERSION_FID,
  decodePsciFid,
  encodeVersion,
} from '../../lang/domain/psci';
import { MP, POWER } from '../machine';
import {
  AFFINITY,
  HypervisorFlavour,
  PsciCall,
  PsciOutcome,
  RET,
  affinityMask,
  arg,
  matchingVcpus,
  ret,
} from './flavour';
import { xenSystemSuspend } from './xen-host-suspend';

export const xen: HypervisorFlavour = {
  name: 'xen',
  call(c: PsciCall): PsciOutcome {
    // xen/arch/arm/vsmc.c handle_arch: ARM_SMCCC_VERSION_FID answers ARM_SMCCC_VERSION_1_2.
    if (c.fid === SMCCC_VERSION_FID) return ret(SMCCC_VERSION_1_2, false);
    const ref = c.ref;
    if (!ref) return ret(RET.NOT_SUPPORTED, false);
    switch (ref.fn.name) {
      case 'PSCI_VERSION':
        // Xen's vPSCI is 1.1, the only version its row in src/lang/domain/flavours/xen.ts allows a VM.
        return ret(encodeVersion(c.m.vmConfig(c.vm).psciVersion), false);
      case 'CPU_SUSPEND': {
        // "power off requests treated as standby": block unless an event is pending, then SUCCESS.
        const m = c.m;
        m.state.vms[c.vm].vcpus[c.vcpu].regs[0] = 0n;
        if (m.pendingWake(c.vm, c.vcpu) >= 0) return ret(RET.SUCCESS, false);
        m.setPower(
          c.vm,
          c.vcpu,
          // uint32_t pstate = PSCI_ARG32(regs, 1)
          (xarg32(c, 1) >> 16n) & 1n ? POWER.POWERDOWN : POWER.STANDBY,
          MP.RUNNABLE,
          'CPU_SUSPEND (Xen: vcpu_block_unless_event_pending)',
        );
        m.block(c.vm, c.vcpu, 'wfi');
        m.emit(c.vm, c.vcpu, { kind: 'psci.return', fn: 'CPU_SUSPEND', result: 0n, name: 'SUCCESS (on wake-up)' });
        return { kind: 'no-return' };
      }
      case 'CPU_OFF':
        // Sets _VPF_down and deschedules the vCPU; do_vpsci_0_2_call still writes PSCI_SET_RESULT(regs,
        // do_psci_0_2_cpu_off()), i.e. x0 = PSCI_SUCCESS, and leaves x1..x3 alone.
        c.m.state.vms[c.vm].vcpus[c.vcpu].regs[0] = 0n;
        c.m.block(c.vm, c.vcpu, 'off');
        c.m.setPower(c.vm, c.vcpu, POWER.OFF, MP.STOPPED, 'CPU_OFF (_VPF_down)');
        return { kind: 'no-return' };
      case 'CPU_ON':
        return cpuOn(c);
      case 'AFFINITY_INFO': {
        // do_psci_0_2_affinity_info: a level past the mask table is INVALID_PARAMETERS; no match at all is simply
        // OFF. do_vpsci_0_2_call reads `register_t taff = PSCI_ARG_CONV(regs, 1, is_conv_64)` and
        // `uint32_t laff = PSCI_ARG32(regs, 2)`: the level is 32 bits even for SMC64, so 0x1_0000_0000 is level 0.
        const mask = affinityMask(xarg32(c, 2));
        if (mask === undefined) return ret(RET.INVALID_PARAMETERS, false);
        const on = matchingVcpus(c, xargConv(c, 1) & MPIDR_HWID_BITMASK, mask).some(
          (i) => c.m.state.vms[c.vm].vcpus[i].mp !== MP.STOPPED,
        );
        return ret(on ? AFFINITY.ON : AFFINITY.OFF, false);
      }
      case 'MIGRATE_INFO_TYPE':
        return ret(2, false);
      case 'SYSTEM_OFF':
        return domainShutdown(c, 'off', 'SYSTEM_OFF: domain_shutdown(SHUTDOWN_poweroff)');
      case 'SYSTEM_RESET':
        return domainShutdown(c, 'reset', 'SYSTEM_RESET: domain_shutdown(SHUTDOWN_reboot)');
      case 'PSCI_FEATURES':
        // uint32_t psci_func_id = PSCI_ARG32(regs, 1)
        return ret(features(c, Number(xarg32(c, 1))), false);
      case 'SYSTEM_SUSPEND':
        if (!c.m.vmConfig(c.vm).xen.systemSuspend) return ret(RET.NOT_SUPPORTED, false);
        return systemSuspend(c);
      default:
        return ret(RET.NOT_SUPPORTED, false);
    }
  },
};

/**
 * do_common_cpu_on: no such vCPU, a Thumb entry on a 64-bit domain, a vCPU already up; then a fresh context.
 * do_vpsci_0_2_call reads vcpuid, epoint and cid with PSCI_ARG_CONV: 32 bits for CPU_ON32, 64 for CPU_ON64.
 */
function cpuOn(c: PsciCall): PsciOutcome {
  const m = c.m;
  const t = xenVcpuId(c, xargConv(c, 1));
  if (t === undefined) return ret(RET.INVALID_PARAMETERS, false);
  const entry = xargConv(c, 2);
  if (entry & 1n) return ret(RET.INVALID_ADDRESS, false);
  const tv = m.state.vms[c.vm].vcpus[t];
  if (tv.mp !== MP.STOPPED) return ret(RET.ALREADY_ON, false);
  m.resetVcpu(c.vm, t, entry, xargConv(c, 3));
  // vgic_clear_pending_irqs: the new context starts with nothing pending.
  for (const [key, s] of m.state.vms[c.vm].irqs)
    if (s.target === t || (key >= t * 1024 && key < (t + 1) * 1024)) s.pending = false;
  tv.run = 'running';
  tv.readyAt = m.state.now;
  m.setPower(c.vm, t, POWER.ON_PENDING, MP.RUNNABLE, `CPU_ON from vcpu${c.vcpu}`);
  return ret(RET.SUCCESS, false);
}

/**
 * vaffinity_to_vcpuid: Xen derives the vCPU number from Aff0 and Aff1 only (Aff0 | Aff1 << 4, 16 vCPUs per
 * cluster), ignoring the higher affinity levels.
 */
function xenVcpuId(c: PsciCall, target: bigint): number | undefined {
  const aff0 = Number(target & 0xffn);
  const aff1 = Number((target >> 8n) & 0xffn);
  const id = aff0 | (aff1 << 4);
  return id < c.m.vmConfig(c.vm).vcpuCount ? id : undefined;
}

function features(c: PsciCall, fid: number): number {
  if (fid === SMCCC_VERSION_FID) return 0;
  const ref = decodePsciFid(fid);
  if (!ref) return RET.NOT_SUPPORTED;
  switch (ref.fn.name) {
    case 'PSCI_VERSION':
    case 'CPU_SUSPEND':
    case 'CPU_OFF':
    case 'CPU_ON':
    case 'AFFINITY_INFO':
    case 'MIGRATE_INFO_TYPE':
    case 'SYSTEM_OFF':
    case 'SYSTEM_RESET':
    case 'PSCI_FEATURES':
      return 0;
    case 'SYSTEM_SUSPEND':
      return c.m.vmConfig(c.vm).xen.systemSuspend ? 0 : RET.NOT_SUPPORTED;
    default:
      return RET.NOT_SUPPORTED;
  }
}

/**
 * do_psci_1_0_system_suspend, in the series' order: a Thumb entry point on a 64-bit domain is INVALID_ADDRESS;
 * another vCPU online is DENIED; then the reset context is stashed and the domain suspended. On resume the guest
 * starts at the entry point with x0 = context. Xen does not check that the entry lies in RAM.
 */
function systemSuspend(c: PsciCall): PsciOutcome {
  // register_t epoint = PSCI_ARG_CONV(regs, 1, is_conv_64), cid = PSCI_ARG_CONV(regs, 2, is_conv_64)
  const entry = xargConv(c, 1);
  if (entry & 1n) return ret(RET.INVALID_ADDRESS, false);
  const vcpus = c.m.state.vms[c.vm].vcpus;
  if (vcpus.some((v, i) => i !== c.vcpu && v.mp !== MP.STOPPED)) return ret(RET.DENIED, false);
  const denied = xenSystemSuspend(c.m, c.vm, c.vcpu, entry, xargConv(c, 2));
  if (denied !== undefined) return ret(denied, false);
  return { kind: 'no-return' };
}

/**
 * An argument as vpsci.c's PSCI_ARG_CONV(regs, n, is_conv_64) reads it on arm64: all 64 bits for an SMC64 function
 * ID, the low 32 for an SMC32 one. Unlike KVM's kvm_psci_narrow_to_32bit, the register itself is not changed.
 */
function xargConv(c: PsciCall, n: 1 | 2 | 3): bigint {
  return c.ref?.width === 32 ? xarg32(c, n) : arg(c, n);
}

/** An argument as vpsci.c's PSCI_ARG32(regs, n) reads it on arm64: (uint32_t)get_user_reg(regs, n). */
function xarg32(c: PsciCall, n: 1 | 2 | 3): bigint {
  return BigInt.asUintN(32, arg(c, n));
}

function domainShutdown(c: PsciCall, state: 'off' | 'reset', why: string): PsciOutcome {
  const m = c.m;
  const vcpus = m.state.vms[c.vm].vcpus;
  m.state.vms[c.vm].vcpus[c.vcpu].regs[0] = BigInt.asUintN(64, BigInt(RET.INTERNAL_FAILURE));
  for (let i = 0; i < vcpus.length; i++) {
    if (vcpus[i].run !== 'halted' && vcpus[i].run !== 'faulted') m.block(c.vm, i, 'off');
    m.setPower(c.vm, i, POWER.OFF, MP.STOPPED, why);
  }
  m.setVmState(c.vm, state, why);
  return { kind: 'no-return' };
}
