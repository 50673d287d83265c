// What the debugger should evaluate when the mouse rests on a word while stopped (VS Code's
// EvaluatableExpressionProvider asks through the custom request below): only words that are values, and for a word
// inside a state path the path up to and including it. It reads the occurrence index, so a word means here what it
// means to the checker: a PSCI argument name, a signal, a proc, a constant or a keyword is not a value (constants
// and the rest have hovers of their own from the server).
//
// Values: vCPU registers and fields (`x0`, `vcpu1.power`), a bare `vcpuN` (its affinity), device registers, fields
// and values (`net0.pmcsr.state`, `net0.status`), a device or VM named in code (the debugger reads a device alone as
// its D-state and a VM as its state), VM and host fields, labels (their address), proc parameters in the proc's
// body, and `now`. Not values: anything outside code (declarations in `vm` and `host` blocks, `explore` bounds),
// names a `foreach` binds (each device or vCPU in turn: the debugger cannot tell which), comments, and strings apart
// from their `{expr}` holes.

import { Position, Range } from 'vscode-languageserver';
import * as A from '../lang/ast';
import { HOST_FIELDS } from '../lang/domain/vcpu';
import { VmConfig } from '../lang/program';
import type { Analysis } from './analysis';
import { Meaning, Occurrence, ValueSite } from './occurrences';

export const EVALUATABLE_EXPRESSION_REQUEST = 'suspendFlow/evaluatableExpression';

export interface EvaluatableExpressionParams {
  textDocument: { uri: string };
  position: Position;
}

export interface EvaluatableExpression {
  /** what is evaluated, as written: from the path's first name to the hovered one */
  range: Range;
  /** the text for the debug adapter's `evaluate` (src/lang/checker.ts compileExpression) */
  expression: string;
}

export function evaluatableExpression(analysis: Analysis, position: Position): EvaluatableExpression | null {
  const offset = analysis.offset(position);
  if (analysis.inComment(offset)) return null;
  const occurrence = analysis.occurrences.at(offset);
  if (!occurrence?.site || !isValue(occurrence.meaning) || !rootIsDeclared(analysis, occurrence.site)) return null;
  const written = namesEvaluated(occurrence);
  if (!written) return null;
  const qualifier = vmQualifier(analysis, occurrence.site, written);
  const expression = [...(qualifier ? [qualifier.name] : []), ...written.map((n) => n.text)].join('.');
  const range = analysis.range({ start: written[0].span.start, end: written[written.length - 1].span.end });
  return { range, expression };
}

function isValue(m: Meaning): boolean {
  switch (m.kind) {
    case 'vcpu-field':
    case 'config-register':
    case 'config-field':
    case 'device-value':
    case 'vm-field':
    case 'host':
    case 'host-field':
    case 'now':
      return true;
    case 'device':
    case 'vcpu':
      return !m.alias;
    case 'vm':
    case 'label':
    case 'param':
      return !m.declaration;
    case 'constant':
    case 'explore-bound':
    case 'explore':
    case 'host-setting':
    case 'host-policy':
    case 'flavour':
    case 'invariant':
    case 'keyword':
    case 'model':
    case 'option':
    case 'proc':
    case 'psci-arg':
    case 'psci-function':
    case 'raw-arg':
    case 'signal':
    case 'word':
    default:
      return false;
  }
}

/** The names read: up to the hovered one; `host` alone is no value, so on it the whole `host.FIELD`. */
function namesEvaluated(o: Occurrence): A.Name[] | undefined {
  const { names, index } = o.site!;
  if (o.meaning.kind !== 'host') return names.slice(0, index + 1);
  return names.length === 2 && HOST_FIELDS.some((f) => f.name === names[1].text) ? names : undefined;
}

/** A device the VM does not declare (a typo the checker reports) has nothing to read. */
function rootIsDeclared(analysis: Analysis, site: ValueSite): boolean {
  const root = rootMeaning(analysis, site);
  return root?.kind !== 'device' || root.device !== undefined;
}

function rootMeaning(analysis: Analysis, site: ValueSite): Meaning | undefined {
  const first = site.names[0].span;
  const o = analysis.occurrences.at(first.start);
  return o && o.span.start === first.start && o.span.end === first.end ? o.meaning : undefined;
}

/**
 * When to write the VM in front of a path. The debugger evaluates a hover in the focused thread's VM (the host
 * thread has none), which need not be the VM of the code under the mouse. So where the code runs in one VM only (a
 * `VM.vcpuN` program, a scenario proc that only that VM reaches) and the scenario has several VMs, a path that
 * another VM could read differently is qualified with the code's VM:
 * - a device path, when more than one VM declares a device of that name (a name one VM has resolves from anywhere);
 * - a vCPU path (`vcpu1.power`): every VM has its vcpu0, vcpu1...; a bare `vcpuN` is an affinity, the same number
 *   in every VM, and stays as written (`guest.vcpu1` would be the whole MPIDR);
 * - a label, when more than one VM defines one of that name.
 * Registers and parameters are the focused vCPU's and frame's, as a C debugger's locals are; `now`, `host.state`
 * and paths that start with a VM need nothing. The prelude's procs and procs several VMs reach run in whichever VM
 * is focused, so their paths stay as written too.
 */
function vmQualifier(analysis: Analysis, site: ValueSite, written: A.Name[]): VmConfig | undefined {
  const owner = site.owner;
  const vms = analysis.result.program.vms;
  if (!owner || vms.length < 2) return undefined;
  const root = rootMeaning(analysis, site);
  const name = written[0].text;
  switch (root?.kind) {
    case 'device':
      return vms.filter((v) => v.devices.some((d) => d.name === name)).length > 1 ? owner : undefined;
    case 'vcpu':
      return written.length > 1 ? owner : undefined;
    case 'label':
      return vms.filter((v) => v.labels.has(name)).length > 1 ? owner : undefined;
    case 'config-field':
    case 'config-register':
    case 'constant':
    case 'device-value':
    case 'explore-bound':
    case 'explore':
    case 'host-setting':
    case 'host-policy':
    case 'flavour':
    case 'host-field':
    case 'host':
    case 'invariant':
    case 'keyword':
    case 'model':
    case 'now':
    case 'option':
    case 'param':
    case 'proc':
    case 'psci-arg':
    case 'psci-function':
    case 'raw-arg':
    case 'signal':
    case 'vcpu-field':
    case 'vm-field':
    case 'vm':
    case 'word':
    case undefined:
    default:
      return undefined;
  }
}
