// The SMCCC entry point: a guest's SMC or HVC with a function ID in x0 and arguments in x1..x3. The call and its
// result are trace events; the flavour decides what happens in between.

import { decodePsciFid, returnCodeName, SMCCC_VERSION_FID, PSCI_FUNCTIONS } from '../../lang/domain/psci';
import { Machine } from '../machine';
import { FLAVOURS } from './flavours';

export function psciCall(m: Machine, vm: number, vcpu: number, fid: number, conduit: 'smc' | 'hvc'): void {
  const cfg = m.vmConfig(vm);
  const v = m.state.vms[vm].vcpus[vcpu];
  const ref = decodePsciFid(fid);
  const fn = ref
    ? ref.width === 32 && ref.fn.smc64 !== undefined
      ? ref.fn.name + '32'
      : ref.fn.name
    : fid === SMCCC_VERSION_FID
      ? 'SMCCC_VERSION'
      : `0x${fid.toString(16)}`;
  m.emit(vm, vcpu, { kind: 'psci.call', fn, fid, conduit, args: [v.regs[1], v.regs[2], v.regs[3]] });
  const outcome = FLAVOURS[cfg.flavour].call({ m, vm, vcpu, fid, ref });
  if (outcome.kind !== 'return') return;
  v.regs[0] = BigInt.asUintN(64, outcome.value);
  if (outcome.zeroArgs) for (let r = 1; r <= 3; r++) v.regs[r] = 0n;
  m.emit(vm, vcpu, { kind: 'psci.return', fn, result: outcome.value, name: resultName(ref?.fn.name, outcome.value) });
}

/** How a result reads: AFFINITY_INFO's states, PSCI_VERSION's major.minor, otherwise the return code's name. */
export function resultName(fn: string | undefined, value: bigint): string {
  const n = Number(BigInt.asIntN(32, value));
  if (fn === 'AFFINITY_INFO' && n >= 0) return ['ON', 'OFF', 'ON_PENDING'][n] ?? String(n);
  if (fn === 'PSCI_VERSION') return `${n >> 16}.${n & 0xffff}`;
  if (fn === 'MIGRATE_INFO_TYPE' && n >= 0) return ['TOS_UP_MIGRATE', 'TOS_UP_NO_MIGRATE', 'TOS_MP'][n] ?? String(n);
  if (fn === undefined && n > 0) return `0x${n.toString(16)}`;
  if (fn === 'PSCI_FEATURES' && n > 0) return `0x${n.toString(16)} (feature flags)`;
  return returnCodeName(n) ?? `0x${BigInt.asUintN(64, value).toString(16)}`;
}

export { PSCI_FUNCTIONS };
