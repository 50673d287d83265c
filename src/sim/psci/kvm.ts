// KVM arm64's PSCI, as arch/arm64/kvm/psci.c implements it upstream (docs/DOMAIN.md 1.4-1.8, 2.1-2.4).
// KVM writes every result with smccc_set_retval(vcpu, val, 0, 0, 0), so x1..x3 read 0 after a call returns.

import {
  MPIDR_HWID_BITMASK,
  PSCI_OFF2_HIBERNATE_OFF,
  PSCI_RESET2_SYSTEM_WARM_RESET,
  PSCI_RESET2_VENDOR_START,
  SMCCC_VERSION_1_1,
  SMCCC_VERSION_FID,
  decodePsciFid,
  encodeVersion,
  versionAtLeast,
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
  narrowTo32,
  ret,
  vcpuByMpidr,
} from './flavour';
import { exitToVmm, systemSuspendChecks, enterSuspended } from '../vmm';

/** KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 and KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2 (both bit 0). */
export const FLAG_PSCI_RESET2 = 1;
export const FLAG_PSCI_OFF2 = 1;

const NARROWED = new Set(['CPU_ON', 'AFFINITY_INFO', 'SYSTEM_SUSPEND', 'SYSTEM_RESET2', 'SYSTEM_OFF2']);

export const kvm: HypervisorFlavour = {
  name: 'kvm',
  call(c: PsciCall): PsciOutcome {
    const cfg = c.m.vmConfig(c.vm);
    const version = cfg.psciVersion;
    if (c.fid === SMCCC_VERSION_FID) return ret(SMCCC_VERSION_1_1, true);
    const ref = c.ref;
    if (!ref || !versionAtLeast(version, ref.fn.since)) return ret(RET.NOT_SUPPORTED, true);
    if (ref.width === 32 && NARROWED.has(ref.fn.name)) narrowTo32(c);
    switch (ref.fn.name) {
      case 'PSCI_VERSION':
        return ret(encodeVersion(version), true);
      case 'CPU_SUSPEND':
        return cpuSuspend(c);
      case 'CPU_OFF': {
        // kvm_psci_0_2_call: kvm_arm_vcpu_power_off(vcpu); val = PSCI_RET_SUCCESS; then smccc_set_retval(vcpu,
        // val, 0, 0, 0) like every call: the stopped vCPU holds x0..x3 = 0 (DOMAIN.md 2b, observed).
        const regs = c.m.state.vms[c.vm].vcpus[c.vcpu].regs;
        for (let r = 0; r <= 3; r++) regs[r] = 0n;
        c.m.block(c.vm, c.vcpu, 'off');
        c.m.setPower(c.vm, c.vcpu, POWER.OFF, MP.STOPPED, 'CPU_OFF');
        return { kind: 'no-return' };
      }
      case 'CPU_ON':
        return cpuOn(c);
      case 'AFFINITY_INFO':
        return affinityInfo(c);
      case 'MIGRATE_INFO_TYPE':
        return ret(2, true); // PSCI_0_2_TOS_MP: Trusted OS is MP or not present
      case 'SYSTEM_OFF':
        return systemEvent(c, 'SHUTDOWN', 0, 'SYSTEM_OFF');
      case 'SYSTEM_RESET':
        return systemEvent(c, 'RESET', 0, 'SYSTEM_RESET');
      case 'PSCI_FEATURES':
        return ret(features(c, Number(BigInt.asUintN(32, arg(c, 1)))), true);
      case 'SYSTEM_SUSPEND':
        return systemSuspend(c);
      case 'SYSTEM_RESET2': {
        const type = BigInt.asUintN(32, arg(c, 1));
        if (type <= BigInt(PSCI_RESET2_SYSTEM_WARM_RESET) || type >= BigInt(PSCI_RESET2_VENDOR_START)) {
          // KVM sets only x0 here (vcpu_set_reg(vcpu, 0, INTERNAL_FAILURE); return 0): x1..x3 are left alone.
          return systemEvent(c, 'RESET', FLAG_PSCI_RESET2, `SYSTEM_RESET2 type 0x${type.toString(16)}`, false);
        }
        return ret(RET.INVALID_PARAMETERS, true);
      }
      case 'SYSTEM_OFF2': {
        // KVM reads the type as a 32-bit value.
        const type = BigInt.asUintN(32, arg(c, 1));
        // Type 0 is accepted as a synonym of HIBERNATE_OFF (earlier PSCI 1.3 drafts); the cookie must be 0.
        if ((type !== 0n && type !== BigInt(PSCI_OFF2_HIBERNATE_OFF)) || arg(c, 2) !== 0n)
          return ret(RET.INVALID_PARAMETERS, true);
        return systemEvent(c, 'SHUTDOWN', FLAG_PSCI_OFF2, `SYSTEM_OFF2 type ${type}`);
      }
      default:
        // MIGRATE, MIGRATE_INFO_UP_CPU, CPU_FREEZE, CPU_DEFAULT_SUSPEND, NODE_HW_STATE, the stats and MEM_PROTECT.
        return ret(RET.NOT_SUPPORTED, true);
    }
  },
};

/** KVM treats every CPU_SUSPEND as WFI and returns SUCCESS with registers kept (kvm_psci_vcpu_suspend). */
function cpuSuspend(c: PsciCall): PsciOutcome {
  const m = c.m;
  const powerState = arg(c, 1);
  m.state.vms[c.vm].vcpus[c.vcpu].regs[0] = 0n;
  for (let r = 1; r <= 3; r++) m.state.vms[c.vm].vcpus[c.vcpu].regs[r] = 0n;
  if (m.pendingWake(c.vm, c.vcpu) >= 0) return ret(RET.SUCCESS, true);
  // StateType (bit 16, original format) only names the state for the reader; KVM keeps the context either way.
  const power = (powerState >> 16n) & 1n ? POWER.POWERDOWN : POWER.STANDBY;
  m.setPower(c.vm, c.vcpu, power, MP.RUNNABLE, 'CPU_SUSPEND (KVM: WFI)');
  m.block(c.vm, c.vcpu, 'wfi');
  m.emit(c.vm, c.vcpu, { kind: 'psci.return', fn: 'CPU_SUSPEND', result: 0n, name: 'SUCCESS (on wake-up)' });
  return { kind: 'no-return' };
}

/** kvm_psci_vcpu_on: the reset is recorded at once, so the target's pc and x0 read back before it ever runs. */
function cpuOn(c: PsciCall): PsciOutcome {
  const m = c.m;
  const target = arg(c, 1);
  if (target & ~MPIDR_HWID_BITMASK) return ret(RET.INVALID_PARAMETERS, true);
  const t = vcpuByMpidr(c, target);
  if (t === undefined) return ret(RET.INVALID_PARAMETERS, true);
  const tv = m.state.vms[c.vm].vcpus[t];
  if (tv.mp !== MP.STOPPED) return ret(cfgVersionIs01(c) ? RET.INVALID_PARAMETERS : RET.ALREADY_ON, true);
  m.resetVcpu(c.vm, t, arg(c, 2), arg(c, 3));
  tv.run = 'running';
  tv.readyAt = m.state.now;
  tv.exit = undefined;
  m.setPower(c.vm, t, POWER.ON_PENDING, MP.RUNNABLE, `CPU_ON from vcpu${c.vcpu}`);
  return ret(RET.SUCCESS, true);
}

function cfgVersionIs01(c: PsciCall): boolean {
  const v = c.m.vmConfig(c.vm).psciVersion;
  return v.major === 0 && v.minor === 1;
}

/** kvm_psci_vcpu_affinity_info: INVALID_PARAMETERS for stray bits, a level past 3, or no matching vCPU. */
function affinityInfo(c: PsciCall): PsciOutcome {
  const target = arg(c, 1);
  if (target & ~MPIDR_HWID_BITMASK) return ret(RET.INVALID_PARAMETERS, true);
  const mask = affinityMask(arg(c, 2));
  if (mask === undefined) return ret(RET.INVALID_PARAMETERS, true);
  const matches = matchingVcpus(c, target, mask);
  if (matches.length === 0) return ret(RET.INVALID_PARAMETERS, true);
  const on = matches.some((i) => c.m.state.vms[c.vm].vcpus[i].mp !== MP.STOPPED);
  return ret(on ? AFFINITY.ON : AFFINITY.OFF, true);
}

/** PSCI_FEATURES as kvm_psci_1_x_call answers it. */
function features(c: PsciCall, fid: number): number {
  const cfg = c.m.vmConfig(c.vm);
  if (fid === SMCCC_VERSION_FID) return 0;
  const ref = decodePsciFid(fid);
  if (!ref || !versionAtLeast(cfg.psciVersion, ref.fn.since)) return RET.NOT_SUPPORTED;
  switch (ref.fn.name) {
    case 'PSCI_VERSION':
    case 'CPU_SUSPEND': // 0: original power_state format, platform-coordinated mode
    case 'CPU_OFF':
    case 'CPU_ON':
    case 'AFFINITY_INFO':
    case 'MIGRATE_INFO_TYPE':
    case 'SYSTEM_OFF':
    case 'SYSTEM_RESET':
    case 'PSCI_FEATURES':
      return 0;
    case 'SYSTEM_SUSPEND':
      return cfg.kvm.systemSuspendExit ? 0 : RET.NOT_SUPPORTED;
    case 'SYSTEM_RESET2':
      return 0;
    case 'SYSTEM_OFF2':
      return PSCI_OFF2_HIBERNATE_OFF;
    default:
      return RET.NOT_SUPPORTED;
  }
}

/**
 * SYSTEM_SUSPEND. Upstream KVM exits to the VMM with the registers untouched when the VMM enabled
 * KVM_CAP_ARM_SYSTEM_SUSPEND, and answers NOT_SUPPORTED otherwise; `suspend_checks kernel` models the unmerged
 * in-kernel variant (v3 of the series), which checks and suspends without an exit.
 */
function systemSuspend(c: PsciCall): PsciOutcome {
  const cfg = c.m.vmConfig(c.vm);
  if (!cfg.kvm.systemSuspendExit) return ret(RET.NOT_SUPPORTED, true);
  if (cfg.kvm.suspendChecks === 'kernel') {
    const entry = arg(c, 1);
    const context = arg(c, 2);
    // v3 order: the entry point first (INVALID_ADDRESS), then the other vCPUs (DENIED).
    if (!c.m.inRam(c.vm, entry)) return ret(RET.INVALID_ADDRESS, true);
    if (systemSuspendChecks(c.m, c.vm, c.vcpu, entry) === RET.DENIED) return ret(RET.DENIED, true);
    c.m.resetVcpu(c.vm, c.vcpu, entry, context);
    enterSuspended(c.m, c.vm, c.vcpu, 'SYSTEM_SUSPEND (in-kernel)', false);
    return { kind: 'no-return' };
  }
  exitToVmm(c.m, c.vm, c.vcpu, 'SUSPEND', 0, `entry=0x${arg(c, 1).toString(16)} context=0x${arg(c, 2).toString(16)}`);
  return { kind: 'no-return' };
}

/**
 * kvm_prepare_system_event: every vCPU of the VM is stopped, x0 is preloaded with INTERNAL_FAILURE (so a guest
 * resumed by its VMM sees the call fail), and the caller exits to the VMM.
 */
function systemEvent(
  c: PsciCall,
  kind: 'SHUTDOWN' | 'RESET',
  flags: number,
  detail: string,
  zeroArgs = true,
): PsciOutcome {
  const m = c.m;
  const vcpus = m.state.vms[c.vm].vcpus;
  for (let i = 0; i < vcpus.length; i++) {
    if (i === c.vcpu) continue;
    if (vcpus[i].run !== 'halted' && vcpus[i].run !== 'faulted') m.block(c.vm, i, 'off');
    m.setPower(c.vm, i, POWER.OFF, MP.STOPPED, `${detail} from vcpu${c.vcpu}`);
  }
  const regs = vcpus[c.vcpu].regs;
  regs[0] = BigInt.asUintN(64, BigInt(RET.INTERNAL_FAILURE));
  if (zeroArgs) for (let r = 1; r <= 3; r++) regs[r] = 0n;
  m.setPower(c.vm, c.vcpu, POWER.OFF, MP.STOPPED, detail);
  exitToVmm(m, c.vm, c.vcpu, kind, flags, detail);
  return { kind: 'no-return' };
}
