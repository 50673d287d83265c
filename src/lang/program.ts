// What the checker produces and the simulator executes: per VM, a flat array of instructions laid out at
// guest-physical addresses, with every name already resolved. Nothing here refers back to the AST except
// through source locations.

import { ConstantGroup } from './domain/constants';
import { DeviceFieldName } from './domain/devices';
import { FieldDef, RegisterDef } from './domain/pci';
import { PsciFunctionRef, PsciVersion } from './domain/psci';
import { HostFieldName, VcpuFieldName, VmFieldName } from './domain/vcpu';
import { Diagnostic } from './diagnostics';
import { SourceFile, Span } from './source';
import { BinaryOp } from './ast';
import type { FlavourName, HostVmmAnswer, VmmAnswer } from './domain/flavours';
import type { DeviceModelName } from './domain/devices';

export interface Loc {
  file: SourceFile;
  span: Span;
  /** 0-based line of span.start */
  line: number;
}

export type ValueType = 'int' | 'bool' | 'time' | 'any';

/** A resolved expression. Values are 64-bit integers (bigint); booleans are 0 and 1; times are nanoseconds. */
export type RExpr =
  | { k: 'const'; value: bigint }
  | { k: 'reg'; field: VcpuFieldName }
  | { k: 'vcpu'; vm: number; vcpu: number; field: VcpuFieldName }
  | { k: 'vm'; vm: number; field: VmFieldName }
  | { k: 'host'; field: HostFieldName }
  | { k: 'device'; vm: number; device: number; path: DevicePath }
  | { k: 'param'; index: number }
  | { k: 'now' }
  | { k: 'irqPending'; irq: RExpr }
  | { k: 'unary'; op: '!' | '-' | '~'; operand: RExpr }
  | { k: 'binary'; op: BinaryOp; left: RExpr; right: RExpr };

/**
 * Whether some node of a resolved expression satisfies `test`, visiting nodes in order (a node before its operands,
 * left before right) and stopping at the first that does. It keeps its own stack: a chain of operators that cannot
 * be regrouped (`a / b / c ...`, see the checker's balanceChain) is as deep a tree as it is long, and a walk that
 * recursed into left operands would exhaust the stack on a long one.
 */
export function someRExpr(root: RExpr, test: (e: RExpr) => boolean): boolean {
  const stack: RExpr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (test(e)) return true;
    if (e.k === 'unary') stack.push(e.operand);
    else if (e.k === 'binary') stack.push(e.right, e.left);
    else if (e.k === 'irqPending') stack.push(e.irq);
  }
  return false;
}

/** A device value: a config register (optionally one field) or a model-level field such as `status` or `dstate`. */
export type DevicePath =
  | { kind: 'config'; register: RegisterDef; offset: number; field?: FieldDef }
  | { kind: 'model'; field: DeviceFieldName };

/** A string with `{expr}` holes; each hole keeps its type so times print as times and booleans as true/false. */
export interface RTemplate {
  parts: (string | { expr: RExpr; type: ValueType })[];
}

export interface PsciArgValue {
  register: 1 | 2 | 3;
  name: string;
  value: RExpr;
}

interface InstrBase {
  loc: Loc;
  /** index into VmConfig.frames: the program, proc or handler this instruction belongs to */
  frame: number;
  /** a statement a user steps to; false for the jumps and implicit returns the compiler adds */
  stmt: boolean;
}

export type InstrBody =
  | { op: 'psci'; fn: PsciFunctionRef; args: PsciArgValue[] }
  | { op: 'rawCall'; conduit: 'smc' | 'hvc'; id: RExpr; args: PsciArgValue[] }
  | { op: 'mmioRead'; address: RExpr; width: number }
  | { op: 'mmioWrite'; address: RExpr; value: RExpr; width: number }
  | { op: 's2idleNotify' }
  | { op: 'pciRead'; device: number; target: PciTarget }
  | { op: 'pciWrite'; device: number; target: PciTarget; value: RExpr }
  | { op: 'virtio'; action: 'freeze' | 'restore' | 'status'; device: number; value?: RExpr }
  | { op: 'irq'; action: 'enable' | 'disable' | 'ack'; irq: RExpr; wake: boolean }
  | { op: 'wfi' }
  | { op: 'delay'; duration: RExpr }
  | { op: 'signal'; signal: number }
  | { op: 'waitSignal'; signal: number }
  | { op: 'waitExpr'; condition: RExpr }
  /** `callee` is the called proc's frame; `frame` (as on every instruction) is the frame the call sits in */
  | { op: 'call'; target: number; callee: number; args: RExpr[] }
  | { op: 'return'; implicit: boolean }
  | { op: 'jump'; target: number }
  | { op: 'branchIfFalse'; condition: RExpr; target: number }
  | { op: 'halt'; implicit: boolean }
  | { op: 'set'; field: string; value: RExpr }
  | { op: 'expect'; condition: RExpr; text: string; message?: RTemplate }
  | { op: 'log'; message: RTemplate }
  | { op: 'clearSignal'; signal: number }
  | { op: 'context'; action: 'save' | 'restore' }
  | { op: 'pciState'; action: 'save' | 'restore'; device: number };

export type Instr = InstrBase & InstrBody;

/** A config access: a named register (whole or one field) or a raw offset with a width in bytes. */
export interface PciTarget {
  offset: number;
  size: 1 | 2 | 4;
  register?: RegisterDef;
  field?: FieldDef;
}

export interface FrameInfo {
  /** `guest.vcpu0`, `linux.pm_suspend`, `guest.vcpu0 irq 33` */
  name: string;
  kind: 'program' | 'proc' | 'handler';
  params: string[];
  loc: Loc;
  /** index of the first instruction */
  entry: number;
}

export interface DeviceConfig {
  name: string;
  index: number;
  model: DeviceModelName;
  virtio: boolean;
  /** the PCI domain (segment) of `dddd:bb:dd.f`; 0 when the address has none */
  domain: number;
  bus: number;
  dev: number;
  fn: number;
  irq?: number;
  /** option name -> values as written (lower case words, numbers as decimal strings, booleans as 'true'/'false') */
  options: Record<string, string[]>;
  loc: Loc;
}

export type VmmEvent = 'system_suspend' | 'wakeup' | 'system_off' | 'system_reset';

export interface KvmOptions {
  /** KVM_CAP_ARM_SYSTEM_SUSPEND enabled by the VMM (upstream: SYSTEM_SUSPEND exits to the VMM) */
  systemSuspendExit: boolean;
  /** who checks SYSTEM_SUSPEND's preconditions: the VMM (upstream) or the kernel (the unmerged v3 variant) */
  suspendChecks: 'vmm' | 'kernel';
}

export interface XenOptions {
  /** Xen has guest SYSTEM_SUSPEND (vpsci.c do_psci_1_0_system_suspend); without it the call is NOT_SUPPORTED */
  systemSuspend: boolean;
}

export interface VmConfig {
  name: string;
  index: number;
  loc: Loc;
  flavour: FlavourName;
  psciVersion: PsciVersion;
  kvm: KvmOptions;
  xen: XenOptions;
  vcpuCount: number;
  ramBase: bigint;
  ramSize: bigint;
  devices: DeviceConfig[];
  s2idleNotify?: bigint;
  watchdog?: bigint;
  hardwareDomain: boolean;
  /** VMM answers per exit kind; more than one is a choice (`confirm | deny`) */
  vmm: Record<VmmEvent, VmmAnswer[]>;
  statementTime: bigint;
  jitterPercent: number;
  codeBase: bigint;
  code: Instr[];
  frames: FrameInfo[];
  /** instruction index where vCPU i starts, or -1 for a vCPU with no program (it starts OFF) */
  programEntry: number[];
  /** per vCPU: declared `VM.vcpuN off { ... }`, created powered off (KVM_ARM_VCPU_POWER_OFF) with its program laid
   * out, for CPU_ON to enter at one of its labels */
  poweredOff: boolean[];
  /** per vCPU: irq number -> frame index of its `on irq` handler */
  handlers: Map<number, number>[];
  /** frame of the Linux prelude's linux.generic_handle_irq, for a VM that uses the prelude: what its vCPUs run for
   * an enabled interrupt with no `on irq` handler (a Linux guest always services what it takes) */
  defaultHandler?: number;
  labels: Map<string, number>;
  signals: string[];
}

export type HostActionConfig =
  | { kind: 'irq'; irq: number; vm: number }
  | { kind: 'requestSuspend' }
  | { kind: 'wake' }
  | { kind: 'vmm'; vm: number; answer: HostVmmAnswer };

export interface TimedAction {
  index: number;
  loc: Loc;
  from: bigint;
  /** inclusive end of a window; equal to from for a fixed instant */
  to: bigint;
  action: HostActionConfig;
}

export interface HostPolicy {
  kind: 'waits-for' | 'privileged' | 'abort-on-wake';
  /** -1 for abort-on-wake, which is about every guest */
  vm: number;
  loc: Loc;
}

export interface HostConfig {
  policies: HostPolicy[];
  actions: TimedAction[];
  /** virtual time from the host deciding to suspend to being suspended (`suspend_latency`), ns */
  suspendLatency: number;
  /** how long a requested suspend waits for a `waits-for` notification before going ahead (`s2idle_timeout`), ns */
  s2idleTimeout: number;
}

export interface Program {
  files: SourceFile[];
  vms: VmConfig[];
  host: HostConfig;
  /** invariants the scenario says it breaks on purpose (`expect violation ID`) */
  expectedViolations: { id: string; loc: Loc }[];
  /** `explore { ... }`: `sflow test` explores this scenario's interleavings instead of running it once */
  explore?: ExploreDeclaration;
  diagnostics: Diagnostic[];
}

/** The bounds a scenario gives its own exploration; each is optional and the CLI's flags override it. */
export interface ExploreDeclaration {
  loc: Loc;
  /** stop after this many distinct states */
  maxStates?: number;
  /** branch at most this many times along one path; deeper, a path follows the default schedule */
  depth?: number;
  /** end each path at this virtual time (ns) */
  until?: bigint;
  /** how far (ns) a vCPU may run ahead of another that is due first: vCPU interleavings beyond exact ties */
  skew?: bigint;
}

/**
 * The longest virtual time, in ns: the simulator's clock is a double, exact up to 2^53 - 1 (about 104 days). A delay
 * that would take a vCPU past it is a fault of that vCPU; a constant time beyond it is a checker error.
 */
export const MAX_VIRTUAL_TIME = BigInt(Number.MAX_SAFE_INTEGER);
export const MAX_VIRTUAL_TIME_TEXT = '2^53 - 1 ns, about 104 days';

/** Statements sit 4 bytes apart, like A64 instructions. */
export const INSTRUCTION_STRIDE = 4n;

export function instrAddress(vm: VmConfig, index: number): bigint {
  return vm.codeBase + BigInt(index) * INSTRUCTION_STRIDE;
}

export function instrIndexAt(vm: VmConfig, address: bigint): number | undefined {
  const delta = address - vm.codeBase;
  if (delta < 0n || delta % INSTRUCTION_STRIDE !== 0n) return undefined;
  const index = Number(delta / INSTRUCTION_STRIDE);
  return index < vm.code.length ? index : undefined;
}

export type { ConstantGroup };
