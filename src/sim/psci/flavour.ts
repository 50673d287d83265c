// What a hypervisor flavour implements, and the helpers both flavours share. A flavour is one file that handles
// every PSCI function the way that hypervisor does; it is registered in ./flavours.ts.

import { PsciFunctionRef, PSCI_RETURN_CODES, MPIDR_HWID_BITMASK, mpidrOf } from '../../lang/domain/psci';
import { Machine } from '../machine';
import { FlavourName } from '../../lang/domain/flavours';

/** What a PSCI call does to the caller. */
export type PsciOutcome =
  /** returns to the caller with x0 = value; `zeroArgs` clears x1..x3 as KVM's smccc_set_retval(val, 0, 0, 0) does */
  | { kind: 'return'; value: bigint; zeroArgs: boolean }
  /** the caller does not return (CPU_OFF, a successful suspend, an exit to the VMM); the flavour set its state */
  | { kind: 'no-return' };

export interface PsciCall {
  m: Machine;
  vm: number;
  vcpu: number;
  fid: number;
  /** undefined for an ID that is not a PSCI function */
  ref: PsciFunctionRef | undefined;
}

export interface HypervisorFlavour {
  name: FlavourName;
  call(c: PsciCall): PsciOutcome;
}

export const RET = PSCI_RETURN_CODES;

export function ret(code: number, zeroArgs: boolean): PsciOutcome {
  return { kind: 'return', value: BigInt(code), zeroArgs };
}

export function arg(c: PsciCall, n: 1 | 2 | 3): bigint {
  return c.m.state.vms[c.vm].vcpus[c.vcpu].regs[n];
}

/** SMC32 calls take 32-bit arguments: KVM clears the upper halves of x1..x3 first (kvm_psci_narrow_to_32bit). */
export function narrowTo32(c: PsciCall): void {
  const regs = c.m.state.vms[c.vm].vcpus[c.vcpu].regs;
  for (let r = 1; r <= 3; r++) regs[r] = BigInt.asUintN(32, regs[r]);
}

/**
 * Affinity mask for a level (KVM psci_affinity_mask, Xen's mask table): level L keeps the MPIDR affinity fields
 * above L*8 bits; undefined for levels past 3.
 */
export function affinityMask(level: bigint): bigint | undefined {
  if (level < 0n || level > 3n) return undefined;
  return MPIDR_HWID_BITMASK & ~((1n << (level * 8n)) - 1n);
}

/** vCPUs whose MPIDR affinity matches the target under the mask. */
export function matchingVcpus(c: PsciCall, target: bigint, mask: bigint): number[] {
  const out: number[] = [];
  const n = c.m.vmConfig(c.vm).vcpuCount;
  for (let i = 0; i < n; i++) if ((mpidrOf(i) & mask) === (target & mask)) out.push(i);
  return out;
}

export function vcpuByMpidr(c: PsciCall, target: bigint): number | undefined {
  const n = c.m.vmConfig(c.vm).vcpuCount;
  for (let i = 0; i < n; i++) if ((mpidrOf(i) & MPIDR_HWID_BITMASK) === (target & MPIDR_HWID_BITMASK)) return i;
  return undefined;
}

/** AFFINITY_INFO results (Linux uapi PSCI_0_2_AFFINITY_LEVEL_*). */
export const AFFINITY = { ON: 0, OFF: 1, ON_PENDING: 2 } as const;
