// How the simulator reads each value of the state namespace: one accessor per catalogue row, keyed by the row's
// name (src/lang/domain), so a row without an accessor does not compile.

import { HOST_STATE_NAMES } from '../lang/domain/constants';
import { mpidrOf } from '../lang/domain/psci';
import { GprName, HostFieldName, VCPU_FIELDS, VcpuFieldName, VmFieldName } from '../lang/domain/vcpu';
import type { Machine } from './machine';
import type { VcpuState } from './state';

type VcpuRead = (m: Machine, vm: number, vcpu: number, v: VcpuState) => bigint;

/** The named vCPU fields; x0..x30 read the register file. */
const VCPU_ACCESSORS: { readonly [K in Exclude<VcpuFieldName, GprName>]: VcpuRead } = {
  pc: (_m, _vm, _vcpu, v) => v.pcAddress,
  sp: (_m, _vm, _vcpu, v) => v.sp,
  lr: (_m, _vm, _vcpu, v) => v.regs[30],
  el: (_m, _vm, _vcpu, v) => BigInt(v.el),
  daif: (_m, _vm, _vcpu, v) => BigInt(v.daif),
  mmu: (_m, _vm, _vcpu, v) => BigInt(v.mmu),
  mpidr: (_m, _vm, vcpu) => mpidrOf(vcpu),
  power: (_m, _vm, _vcpu, v) => BigInt(v.power),
  mp_state: (_m, _vm, _vcpu, v) => BigInt(v.mp),
  halted: (_m, _vm, _vcpu, v) => (v.run === 'halted' ? 1n : 0n),
  wakeup_pending: (m, vm) => {
    for (const s of m.state.vms[vm].irqs.values()) if (s.enabled && s.wake && s.pending) return 1n;
    return 0n;
  },
};

export function isGpr(field: VcpuFieldName): field is GprName {
  return /^x\d+$/.test(field);
}

/** Every vCPU field's accessor, looked up once per read (x0..x30 index the register file). */
const VCPU_READ: { readonly [K in VcpuFieldName]: VcpuRead } = {
  ...(Object.fromEntries(
    VCPU_FIELDS.filter((f) => isGpr(f.name)).map((f): [string, VcpuRead] => {
      const index = Number(f.name.slice(1));
      return [f.name, (_m, _vm, _vcpu, v) => v.regs[index]];
    }),
  ) as Record<GprName, VcpuRead>),
  ...VCPU_ACCESSORS,
};

export function readVcpuValue(m: Machine, vm: number, vcpu: number, field: VcpuFieldName): bigint {
  return VCPU_READ[field](m, vm, vcpu, m.state.vms[vm].vcpus[vcpu]);
}

const VM_ACCESSORS: { readonly [K in VmFieldName]: (m: Machine, vm: number) => bigint } = {
  state: (m, vm) => BigInt(['running', 'suspended', 'off', 'reset'].indexOf(m.state.vms[vm].state)),
  suspended: (m, vm) => (m.state.vms[vm].state === 'suspended' ? 1n : 0n),
};

export function readVmValue(m: Machine, vm: number, field: VmFieldName): bigint {
  return VM_ACCESSORS[field](m, vm);
}

const HOST_ACCESSORS: { readonly [K in HostFieldName]: (m: Machine) => bigint } = {
  state: (m) => BigInt(HOST_STATE_NAMES.indexOf(m.state.host.state)),
};

export function readHostValue(m: Machine, field: HostFieldName): bigint {
  return HOST_ACCESSORS[field](m);
}
