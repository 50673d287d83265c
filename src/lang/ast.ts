// The syntax tree. Every node has a span; names keep their own spans so that diagnostics, go-to-definition and
// rename can point at exactly the word.

import { Span } from './source';

export interface Node {
  span: Span;
}

export interface Name extends Node {
  text: string;
}

// ---------------------------------------------------------------------------------------------- expressions

export type Expr = NumberLit | BoolLit | PathExpr | UnaryExpr | BinaryExpr | IrqPendingExpr | NowExpr | ErrorExpr;

export type NumberUnit = 'none' | 'time' | 'size' | 'percent';

export interface NumberLit extends Node {
  kind: 'number';
  value: bigint;
  unit: NumberUnit;
  text: string;
}
export interface BoolLit extends Node {
  kind: 'bool';
  value: boolean;
}
/** A dotted name: a register (`x0`), a constant (`DENIED`), a label, or a state path (`vcpu1.power`,
 * `gpu.pmcsr.state`). */
export interface PathExpr extends Node {
  kind: 'path';
  parts: Name[];
}
export interface UnaryExpr extends Node {
  kind: 'unary';
  op: '!' | '-' | '~';
  operand: Expr;
}
export type BinaryOp =
  '||' | '&&' | '|' | '^' | '&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '<<' | '>>' | '+' | '-' | '*' | '/' | '%';
export interface BinaryExpr extends Node {
  kind: 'binary';
  op: BinaryOp;
  opSpan: Span;
  left: Expr;
  right: Expr;
}
export interface IrqPendingExpr extends Node {
  kind: 'irqPending';
  irq: Expr;
}
export interface NowExpr extends Node {
  kind: 'now';
}
/** Stands in for an expression that failed to parse; the diagnostic has already been reported. */
export interface ErrorExpr extends Node {
  kind: 'error';
}

/** A string with `{expr}` holes. */
export interface Template extends Node {
  parts: (string | Expr)[];
}

// ---------------------------------------------------------------------------------------------- statements

export interface NamedArg extends Node {
  name: Name;
  value: Expr;
}

/** A register or field reference in config space: `pmcsr.state`, `bar0`, `0x44`. */
export interface RegRef extends Node {
  /** named register and optional field, or an offset */
  register?: Name;
  field?: Name;
  offset?: Expr;
}

export type Stmt =
  | PsciStmt
  | RawCallStmt
  | MmioReadStmt
  | MmioWriteStmt
  | S2idleNotifyStmt
  | PciReadStmt
  | PciWriteStmt
  | VirtioStmt
  | IrqStmt
  | WfiStmt
  | DelayStmt
  | SignalStmt
  | WaitSignalStmt
  | WaitExprStmt
  | CallStmt
  | ReturnStmt
  | LoopStmt
  | BreakStmt
  | IfStmt
  | HaltStmt
  | SetStmt
  | ExpectStmt
  | LogStmt
  | LabelStmt
  | OnIrqStmt
  | ForeachStmt
  | ClearSignalStmt
  | ContextStmt
  | PciStateStmt
  | ErrorStmt;

export interface PsciStmt extends Node {
  kind: 'psci';
  fn: Name;
  args: NamedArg[];
}
export interface RawCallStmt extends Node {
  kind: 'rawCall';
  conduit: 'smc' | 'hvc';
  id: Expr;
  args: NamedArg[];
}
export interface MmioReadStmt extends Node {
  kind: 'mmioRead';
  address: Expr;
  width?: Expr;
}
export interface MmioWriteStmt extends Node {
  kind: 'mmioWrite';
  address: Expr;
  value: Expr;
  width?: Expr;
}
export interface S2idleNotifyStmt extends Node {
  kind: 's2idleNotify';
}
export interface PciReadStmt extends Node {
  kind: 'pciRead';
  device: Name;
  reg: RegRef;
  width?: Expr;
}
export interface PciWriteStmt extends Node {
  kind: 'pciWrite';
  device: Name;
  reg: RegRef;
  value: Expr;
  width?: Expr;
}
export interface VirtioStmt extends Node {
  kind: 'virtio';
  action: 'freeze' | 'restore' | 'status';
  device: Name;
  value?: Expr;
}
export interface IrqStmt extends Node {
  kind: 'irq';
  action: 'enable' | 'disable' | 'ack';
  irq: Expr;
  wake: boolean;
}
export interface WfiStmt extends Node {
  kind: 'wfi';
}
export interface DelayStmt extends Node {
  kind: 'delay';
  duration: Expr;
}
export interface SignalStmt extends Node {
  kind: 'signal';
  name: Name;
}
export interface WaitSignalStmt extends Node {
  kind: 'waitSignal';
  name: Name;
}
export interface WaitExprStmt extends Node {
  kind: 'waitExpr';
  condition: Expr;
}
export interface CallStmt extends Node {
  kind: 'call';
  proc: PathExpr;
  args: Expr[];
}
export interface ReturnStmt extends Node {
  kind: 'return';
}
export interface LoopStmt extends Node {
  kind: 'loop';
  body: Block;
}
export interface BreakStmt extends Node {
  kind: 'break';
}
export interface IfStmt extends Node {
  kind: 'if';
  condition: Expr;
  then: Block;
  else?: Block | IfStmt;
}
export interface HaltStmt extends Node {
  kind: 'halt';
}
export interface SetStmt extends Node {
  kind: 'set';
  target: PathExpr;
  value: Expr;
}
export interface ExpectStmt extends Node {
  kind: 'expect';
  condition: Expr;
  message?: Template;
}
export interface LogStmt extends Node {
  kind: 'log';
  message: Template;
}
export interface LabelStmt extends Node {
  kind: 'label';
  name: Name;
}
/** `on irq N { ... }`: a handler run when the interrupt is delivered with interrupts unmasked. */
export interface OnIrqStmt extends Node {
  kind: 'onIrq';
  irq: Expr;
  body: Block;
}
/** `foreach device D [virtio|passthrough|pci|all] { }` / `foreach vcpu C [secondary|all] { }`, unrolled per VM. */
export interface ForeachStmt extends Node {
  kind: 'foreach';
  over: 'device' | 'vcpu';
  name: Name;
  filter?: Name;
  body: Block;
}
/** `clear signal NAME`: lowers a raised signal so it can be waited for again. */
export interface ClearSignalStmt extends Node {
  kind: 'clearSignal';
  name: Name;
}
/** `context save` / `context restore`: arm64 Linux's __cpu_suspend_enter and cpu_resume. */
export interface ContextStmt extends Node {
  kind: 'context';
  action: 'save' | 'restore';
}
/** `pci save DEV` / `pci restore DEV`: the kernel's pci_save_state and pci_restore_state. */
export interface PciStateStmt extends Node {
  kind: 'pciState';
  action: 'save' | 'restore';
  device: Name;
}
export interface ErrorStmt extends Node {
  kind: 'error';
}

export interface Block extends Node {
  kind: 'block';
  statements: Stmt[];
  /** span of the closing brace: where a loop jumps back, or where falling off the end stops */
  closeSpan: Span;
}

// ---------------------------------------------------------------------------------------------- declarations

/** `name value value ...` inside a device or hypervisor option block, e.g. `pm d1 d2`, `no_soft_reset true`. */
export interface OptionDecl extends Node {
  name: Name;
  values: Expr[];
}

export type VmMember =
  | HypervisorDecl
  | VcpusDecl
  | RamDecl
  | DeviceDecl
  | S2idleNotifyDecl
  | WatchdogDecl
  | RoleDecl
  | OnEventDecl
  | SettingDecl
  | ErrorMember;

export interface HypervisorDecl extends Node {
  kind: 'hypervisor';
  flavour: Name;
  psciVersion?: Name;
  options: OptionDecl[];
}
export interface VcpusDecl extends Node {
  kind: 'vcpus';
  count: Expr;
}
export interface RamDecl extends Node {
  kind: 'ram';
  base: Expr;
  size: Expr;
}
export interface DeviceDecl extends Node {
  kind: 'device';
  name: Name;
  model: Name;
  bdf: Name;
  irq?: Expr;
  options: OptionDecl[];
}
export interface S2idleNotifyDecl extends Node {
  kind: 's2idleNotify';
  address: Expr;
}
export interface WatchdogDecl extends Node {
  kind: 'watchdog';
  timeout: Expr;
}
export interface RoleDecl extends Node {
  kind: 'role';
  role: Name;
}
/** `on system_suspend: confirm | deny`: the VMM's answer; several alternatives are choices for `explore`. */
export interface OnEventDecl extends Node {
  kind: 'on';
  event: Name;
  answers: Name[];
}
/** `statement_time 2us`, `jitter 10%`, `code_base 0x40080000`: per-VM execution settings. */
export interface SettingDecl extends Node {
  kind: 'setting';
  name: Name;
  value: Expr;
}
export interface ErrorMember extends Node {
  kind: 'error';
}

export interface VmItem extends Node {
  kind: 'vm';
  name: Name;
  members: VmMember[];
}

export type HostMember = PolicyDecl | AtDecl | SettingDecl | ErrorMember;

export interface PolicyDecl extends Node {
  kind: 'policy';
  /** `suspend waits-for VM s2idle`, `suspend privileged VM` or `suspend abort-on-wake` */
  subject: Name;
  rule: Name;
  vm?: Name;
  qualifier?: Name;
}

export type HostAction =
  | { kind: 'irq'; span: Span; irq: Expr; vm: Name }
  | { kind: 'requestSuspend'; span: Span }
  | { kind: 'wake'; span: Span }
  | { kind: 'vmm'; span: Span; vm: Name; answer: Name };

export interface AtDecl extends Node {
  kind: 'at';
  from: Expr;
  to?: Expr;
  action: HostAction;
}

export interface HostItem extends Node {
  kind: 'host';
  members: HostMember[];
}

/** `VM.vcpuN { ... }`: what vCPU N runs from reset. */
export interface ProgramItem extends Node {
  kind: 'program';
  vm: Name;
  vcpu: Name;
  /** the word `off` (`VM.vcpuN off { ... }`): the vCPU is created powered off, its code entered by CPU_ON */
  off?: Span;
  body: Block;
}

export interface ProcItem extends Node {
  kind: 'proc';
  name: Name;
  params: Name[];
  body: Block;
}

export interface ErrorItem extends Node {
  kind: 'error';
}

/** `expect violation ID`: the scenario demonstrates that invariant breaking; the run passes only if it does. */
export interface ExpectViolationItem extends Node {
  kind: 'expectViolation';
  invariant: Name;
}

/** `max_states 200000`, `depth 40`, `until 600ms`: one bound in an `explore` block; the checker knows the names. */
export interface ExploreMember extends Node {
  kind: 'bound';
  name: Name;
  /** undefined when the line ends after the name (the checker reports it) */
  value?: Expr;
}

/** `explore` or `explore { ... }`: `sflow test` explores this scenario's interleavings, within these bounds. */
export interface ExploreItem extends Node {
  kind: 'explore';
  /** the word `explore`: where the declaration is reported, hovered and outlined */
  keyword: Span;
  /** empty for a bare `explore` */
  members: (ExploreMember | ErrorMember)[];
  /** whether a `{ }` block follows (a bare `explore` has none) */
  block: boolean;
}

export type Item = VmItem | HostItem | ProgramItem | ProcItem | ExpectViolationItem | ExploreItem | ErrorItem;

export interface ScenarioFile extends Node {
  items: Item[];
}
