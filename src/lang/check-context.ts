// What the checker and the code generator share while they work: a resolved expression with its type, the context
// an expression is resolved in, a VM being built, a proc waiting to be lowered.

import * as A from './ast';
import { ConstantGroup } from './domain/constants';
import { DiagnosticBag } from './diagnostics';
import * as P from './program';
import { SourceFile, Span } from './source';
import { SymbolDef } from './symbols';

export interface Typed {
  r: P.RExpr;
  type: P.ValueType;
  group?: ConstantGroup;
}

export interface ExprContext {
  vm?: VmBuild;
  /** inside a proc: its parameter names */
  params?: string[];
  /** inside code: registers of the running vCPU are in scope */
  inCode: boolean;
  /**
   * for the debugger (compileExpression): the scenario is running, so `now` and the state of the whole world are
   * known even with no vCPU in scope (the host thread), and names that only one VM declares resolve from anywhere
   */
  running?: boolean;
  file: SourceFile;
  diags: DiagnosticBag;
  /** names bound by an enclosing `foreach` to a device or vCPU name */
  aliases?: Map<string, string>;
}

export interface VmBuild {
  item: A.VmItem;
  file: SourceFile;
  config: P.VmConfig;
  labelDefs: Map<string, SymbolDef>;
  labelFixups: { name: string; expr: { k: 'const'; value: bigint } }[];
  procFrames: Map<string, number>;
  procFixups: { proc: string; expr: { k: 'const'; value: bigint } }[];
  callFixups: { proc: string; instr: P.Instr & { op: 'call' } }[];
  signalIndex: Map<string, number>;
  signalsRaised: Set<string>;
  signalWaits: { name: string; span: Span; file: SourceFile; diags: DiagnosticBag }[];
  deviceDefs: Map<string, SymbolDef>;
  programs: { index: number; item: A.ProgramItem; file: SourceFile }[];
  /** the VM's own symbol, and its signals' */
  def?: SymbolDef;
  signalDefs: Map<string, SymbolDef>;
}

export interface ProcEntry {
  item: A.ProcItem;
  file: SourceFile;
  diags: DiagnosticBag;
  def: SymbolDef;
  /** from a library file such as the Linux prelude: never warned about as unused */
  library: boolean;
}
