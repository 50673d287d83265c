// What a vCPU exposes to expressions (`x0`, `vcpu1.power`), to `set`, and to the debugger's variables: one row
// per field, described once.

import { ConstantGroup } from './constants';

export interface VcpuField {
  name: VcpuFieldName;
  doc: string;
  /** `set NAME = ...` may write it (only on the running vCPU, as the guest would) */
  writable: boolean;
  /** names values of this field in the debugger and resolves ambiguous constants compared with it */
  group?: ConstantGroup;
  kind: 'register' | 'pstate' | 'power';
  /** a condition (0 or 1) rather than a number */
  bool?: boolean;
  /** named bare, it holds what was put there, a number or a time (the general-purpose registers, lr and sp) */
  untyped?: boolean;
}

// prettier-ignore
const GPR_INDICES = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
] as const;
/** `x0` .. `x30` */
export type GprName = `x${(typeof GPR_INDICES)[number]}`;

const NAMED_FIELDS = [
  { name: 'lr', doc: 'the link register (x30)', writable: true, kind: 'register', untyped: true },
  { name: 'sp', doc: 'the stack pointer', writable: true, kind: 'register', untyped: true },
  { name: 'pc', doc: 'the address of the next statement; `set pc = LABEL` jumps', writable: true, kind: 'register' },
  { name: 'el', doc: 'PSTATE.EL, the exception level (1 for a guest kernel)', writable: false, kind: 'pstate' },
  {
    name: 'daif',
    doc: 'PSTATE.DAIF mask bits (D=8, A=4, I=2, F=1); reset and resume mask all four',
    writable: true,
    kind: 'pstate',
  },
  {
    name: 'mmu',
    doc: 'SCTLR_EL1.M: 1 when stage-1 translation is on; reset and resume turn it off',
    writable: true,
    kind: 'pstate',
  },
  {
    name: 'mpidr',
    doc: 'MPIDR_EL1 as KVM assigns it: Aff0 = vCPU id[3:0], Aff1 = id[11:4], bit 31 set',
    writable: false,
    kind: 'register',
  },
  {
    name: 'power',
    doc: 'PSCI power state: ON, OFF, ON_PENDING, STANDBY, POWERDOWN',
    writable: false,
    kind: 'power',
    group: 'power',
  },
  {
    name: 'mp_state',
    doc: 'KVM_MP_STATE: RUNNABLE, STOPPED or SUSPENDED',
    writable: false,
    kind: 'power',
    group: 'mp-state',
  },
  {
    name: 'halted',
    doc: 'true when the program has finished (`halt` or the end of its block)',
    writable: false,
    kind: 'power',
    bool: true,
  },
  {
    name: 'wakeup_pending',
    doc: 'true when an enabled wake-up interrupt of this VM is pending (Linux pm_wakeup_pending)',
    writable: false,
    kind: 'power',
    bool: true,
  },
] as const satisfies readonly (Omit<VcpuField, 'name'> & { name: string })[];

/** Every field a vCPU has: the names the simulator's accessors are keyed by. */
export type VcpuFieldName = GprName | (typeof NAMED_FIELDS)[number]['name'];

const fields: VcpuField[] = [
  ...GPR_INDICES.map((i): VcpuField => ({
    name: `x${i}`,
    doc: i === 30 ? 'general-purpose register x30 (the link register)' : `general-purpose register x${i}`,
    writable: true,
    kind: 'register',
    untyped: true,
  })),
  ...NAMED_FIELDS,
];

export const VCPU_FIELDS: readonly VcpuField[] = fields;
const BY_NAME = new Map<string, VcpuField>(fields.map((f) => [f.name, f]));

export function lookupVcpuField(name: string): VcpuField | undefined {
  return BY_NAME.get(name);
}

/** `vcpu3` -> 3 */
/** `VM.vcpuN off { ... }`: what the word means, for hover and completion (KVM_ARM_VCPU_POWER_OFF). */
export const POWERED_OFF_DOC =
  'The vCPU is created powered off (KVM_ARM_VCPU_POWER_OFF, or KVM_SET_MP_STATE STOPPED before it first runs): OFF and STOPPED until a CPU_ON, which enters this program at the entry it names, one of its labels. Without `off` a vCPU with a program starts ON at its first statement, and CPU_ON to it answers ALREADY_ON.';

export function vcpuIndexOf(word: string): number | undefined {
  const m = /^vcpu(\d+)$/.exec(word);
  return m ? Number(m[1]) : undefined;
}

/** Per-VM fields: `guest.state`, `guest.suspended`. */
export interface VmField<Name extends string = string> {
  name: Name;
  doc: string;
  group?: ConstantGroup;
  /** a condition (0 or 1) rather than a number */
  bool?: boolean;
}
const VM_ROWS = [
  { name: 'state', doc: 'vm_running, vm_suspended, vm_off or vm_reset', group: 'vm-state' },
  { name: 'suspended', doc: 'true while the VM is suspended to RAM', bool: true },
] as const satisfies readonly VmField[];
export type VmFieldName = (typeof VM_ROWS)[number]['name'];
export const VM_FIELDS: readonly VmField<VmFieldName>[] = VM_ROWS;

const HOST_ROWS = [
  { name: 'state', doc: 'running, suspending, suspended or resuming', group: 'host-state' },
] as const satisfies readonly VmField[];
export type HostFieldName = (typeof HOST_ROWS)[number]['name'];
export const HOST_FIELDS: readonly VmField<HostFieldName>[] = HOST_ROWS;
