// The rules of statements: where a statement may stand, what its names, arguments and constant values must be, and
// what a VM's code as a whole must satisfy. Every diagnostic about a statement is reported here. Code generation
// (codegen.ts) walks the statements once, resolving their expressions through the checker, and asks these checks at
// the point it reaches each rule, so diagnostics come out in the order of the source walk; it reports nothing itself.

import * as A from './ast';
import type { Checker } from './checker';
import { ExprContext, ProcEntry, VmBuild } from './check-context';
import { DiagnosticBag } from './diagnostics';
import { MAX_INTID } from './domain/constants';
import { FieldDef, RegisterDef, ResolvedRegister, lookupField, lookupRegister, registerNames } from './domain/pci';
import {
  MPIDR_HWID_BITMASK,
  PsciArg,
  PsciFunctionRef,
  lookupPsciFunction,
  mpidrOf,
  psciFunctionNames,
} from './domain/psci';
import { VCPU_FIELDS, VcpuField, lookupVcpuField } from './domain/vcpu';
import { forEachStatement, mentionsNow } from './ast-walk';
import { foldConst } from './fold';
import * as P from './program';
import { didYouMean } from './suggest';
import { SymbolDef } from './symbols';

/** Where a statement stands. */
export interface StatementPlace {
  handlers?: A.OnIrqStmt[];
  inProgram?: boolean;
  inProc?: boolean;
  inHandler?: boolean;
}

// ------------------------------------------------------------------------------------------ placement

/** `return` only in a proc or an interrupt handler. */
export function checkReturn(diags: DiagnosticBag, s: A.Stmt, where: StatementPlace): void {
  if (!where.inProc && !where.inHandler)
    diags.add(
      s.span,
      'return-outside-proc',
      "'return' is for procs and interrupt handlers; a vCPU program ends with 'halt'",
    );
}

/** `break` only in a loop; false outside one. */
export function checkBreak(diags: DiagnosticBag, s: A.Stmt, inLoop: boolean): boolean {
  if (!inLoop) diags.add(s.span, 'break-outside-loop', "'break' outside a loop");
  return inLoop;
}

/** `on irq N { }` only at the top level of a vCPU program; false elsewhere. */
export function checkHandlerPlace(diags: DiagnosticBag, s: A.Stmt, where: StatementPlace): boolean {
  if (!where.handlers)
    diags.add(s.span, 'misplaced-handler', "'on irq N { }' belongs at the top level of a vCPU program");
  return !!where.handlers;
}

/** An interrupt handler's number: in range, and one handler per interrupt and vCPU. False when it cannot be. */
export function checkHandlerIrq(
  diags: DiagnosticBag,
  h: A.OnIrqStmt,
  irq: bigint,
  vcpu: number,
  handlers: ReadonlyMap<number, number>,
): boolean {
  if (irq < 0n || irq > MAX_INTID) {
    diags.add(h.irq.span, 'bad-value', `interrupt ${irq} is out of range (0 to ${MAX_INTID})`);
    return false;
  }
  if (handlers.has(Number(irq))) {
    diags.add(h.irq.span, 'duplicate-handler', `vcpu${vcpu} already has a handler for irq ${irq}`);
    return false;
  }
  return true;
}

// ------------------------------------------------------------------------------------------ PSCI and raw calls

/** The PSCI function a `psci` statement names, or undefined (reported). */
export function psciFunction(c: Checker, diags: DiagnosticBag, s: A.PsciStmt): PsciFunctionRef | undefined {
  const ref = lookupPsciFunction(s.fn.text);
  if (!ref) {
    const names = psciFunctionNames();
    diags.add(
      s.fn.span,
      'unknown-psci-function',
      `unknown PSCI function '${s.fn.text}'${didYouMean(s.fn.text, names)}`,
      c.fixFor(s.fn, names),
    );
  }
  return ref;
}

/** The argument of `ref` a named argument is, or undefined (unknown or given twice: reported). */
export function psciArgument(
  c: Checker,
  diags: DiagnosticBag,
  ref: PsciFunctionRef,
  a: A.NamedArg,
  given: readonly { name: string }[],
): PsciArg | undefined {
  const def = ref.fn.args.find((x) => x.name === a.name.text);
  if (!def) {
    const names = ref.fn.args.map((x) => x.name);
    const takes = names.length ? `it takes ${names.join(', ')}` : 'it takes no arguments';
    diags.add(
      a.name.span,
      'unknown-psci-argument',
      `${ref.fn.name} has no argument '${a.name.text}'; ${takes}${didYouMean(a.name.text, names)}`,
      c.fixFor(a.name, names),
    );
    return undefined;
  }
  if (given.some((x) => x.name === def.name)) {
    diags.add(a.name.span, 'duplicate-argument', `'${def.name}' is given twice`);
    return undefined;
  }
  return def;
}

/** CPU_ON and SYSTEM_SUSPEND without an entry point start at 0: a warning. */
export function checkPsciEntry(
  diags: DiagnosticBag,
  s: A.PsciStmt,
  ref: PsciFunctionRef,
  given: readonly { name: string }[],
): void {
  for (const def of ref.fn.args) {
    if (
      def.kind === 'address' &&
      def.name === 'entry' &&
      !given.some((x) => x.name === 'entry') &&
      ['CPU_ON', 'SYSTEM_SUSPEND'].includes(ref.fn.name)
    ) {
      diags.warn(s.fn.span, 'missing-psci-argument', `${ref.fn.name} without 'entry': the entry point is 0`);
    }
  }
}

/**
 * CPU_ON to a vCPU declared `VM.vcpuN off { ... }`: its code is its own program, so an entry the checker can place
 * (a label) must be one of that program's labels or a proc's, not another vCPU's. KVM starts the target at whatever
 * entry it is given (arch/arm64/kvm/psci.c kvm_psci_vcpu_on: reset_state.pc = the entry); a label of another program
 * runs that program's code on the wrong vCPU. A computed entry or a number is not checked.
 */
export function checkCpuOnEntry(
  vm: VmBuild,
  diags: DiagnosticBag,
  s: A.PsciStmt,
  ref: PsciFunctionRef,
  args: readonly P.PsciArgValue[],
): void {
  if (ref.fn.name !== 'CPU_ON') return;
  const target = args.find((a) => a.name === 'target')?.value;
  const entry = args.find((a) => a.name === 'entry')?.value;
  if (target?.k !== 'const' || !entry) return;
  const cfg = vm.config;
  let index = -1;
  for (let i = 0; i < cfg.vcpuCount && index < 0; i++)
    if ((mpidrOf(i) & MPIDR_HWID_BITMASK) === target.value) index = i;
  const own = vm.programs.find((p) => p.index === index);
  if (!own?.item.off) return;
  const label = vm.labelFixups.find((f) => f.expr === entry)?.name;
  const def = label === undefined ? undefined : vm.labelDefs.get(label);
  if (!def) return;
  const holder = vm.programs.find(
    (p) => p.file === def.file && p.item.span.start <= def.span.start && def.span.end <= p.item.span.end,
  );
  if (!holder || holder.index === index) return;
  const at = s.args.find((a) => a.name.text === 'entry')!;
  diags.add(
    at.value.span,
    'cpu-on-entry-elsewhere',
    `'${label}' is a label of ${cfg.name}.vcpu${holder.index}'s program, but ${cfg.name}.vcpu${index} is declared off with its own program: CPU_ON should enter it at one of its labels`,
    { related: [{ file: own.file, span: own.item.off, message: `${cfg.name}.vcpu${index} declared off here` }] },
  );
}

/** The register (1 to 3) a raw call's named argument sets, or undefined (reported); a repeat is reported too. */
export function rawCallRegister(
  diags: DiagnosticBag,
  s: A.RawCallStmt,
  a: A.NamedArg,
  given: readonly { name: string }[],
): 1 | 2 | 3 | undefined {
  const m = /^x([1-3])$/.exec(a.name.text);
  if (!m) {
    diags.add(a.name.span, 'unknown-argument', `a raw ${s.conduit} takes x1=, x2= and x3=, not '${a.name.text}'`);
    return undefined;
  }
  if (given.some((x) => x.name === a.name.text))
    diags.add(a.name.span, 'duplicate-argument', `'${a.name.text}' is given twice`);
  return Number(m[1]) as 1 | 2 | 3;
}

// ------------------------------------------------------------------------------------------ procs

/** The proc a `call` names, or undefined (reported); a wrong number of arguments is reported too. */
export function callee(c: Checker, ctx: ExprContext, s: A.CallStmt, name: string): ProcEntry | undefined {
  const entry = c.procEntry(name);
  if (!entry) {
    const names = c.procNames();
    ctx.diags.add(
      s.proc.span,
      'unknown-proc',
      `unknown proc '${name}'${didYouMean(name, names)}`,
      c.fixFor({ text: name, span: s.proc.span }, names),
    );
  }
  return entry;
}

export function checkCallArity(ctx: ExprContext, s: A.CallStmt, name: string, entry: ProcEntry): void {
  const params = entry.item.params;
  if (s.args.length !== params.length) {
    ctx.diags.add(
      s.span,
      'wrong-argument-count',
      `proc '${name}' takes ${params.length} argument${params.length === 1 ? '' : 's'} (${params.map((p) => p.text).join(', ') || 'none'}), not ${s.args.length}`,
    );
  }
}

// ------------------------------------------------------------------------------------------ registers and values

/** The vCPU field a `set` writes, or undefined (not a register of the running vCPU, unknown, read-only: reported). */
export function setField(c: Checker, diags: DiagnosticBag, s: A.SetStmt): VcpuField | undefined {
  const parts = s.target.parts;
  const field = lookupVcpuField(parts[0].text);
  if (parts.length > 1) {
    diags.add(
      s.target.span,
      'not-writable',
      `'set' writes the running vCPU's own registers; '${parts.map((p) => p.text).join('.')}' is not one (devices are written with 'pci write' or 'mmio write')`,
    );
    return undefined;
  }
  if (!field) {
    const names = VCPU_FIELDS.filter((f) => f.writable).map((f) => f.name);
    diags.add(
      parts[0].span,
      'unknown-register',
      `unknown register '${parts[0].text}'${didYouMean(parts[0].text, names)}`,
      c.fixFor(parts[0], names),
    );
    return undefined;
  }
  if (!field.writable) {
    diags.add(parts[0].span, 'not-writable', `'${field.name}' is read-only (${field.doc})`);
    return undefined;
  }
  return field;
}

/** A general-purpose register holds a number or a time, not a boolean. */
export function checkRegisterValue(diags: DiagnosticBag, s: A.SetStmt, field: VcpuField, type: string): void {
  if (type === 'bool')
    diags.add(s.value.span, 'type-mismatch', `the value of ${field.name} must be a number or a time, not a boolean`);
}

/** A constant interrupt number is in range. */
export function checkIrqNumber(diags: DiagnosticBag, e: A.Expr, irq: P.RExpr): void {
  const n = foldConst(irq);
  if (n !== undefined && (n < 0n || n > MAX_INTID))
    diags.add(e.span, 'bad-value', `interrupt ${n} is out of range (0 to ${MAX_INTID})`);
}

/** A constant delay the clock can take: an error here; a computed one is checked when it runs (a vCPU fault). */
export function checkDelay(diags: DiagnosticBag, e: A.Expr, duration: P.RExpr): void {
  const folded = foldConst(duration);
  const ns = folded === undefined ? undefined : BigInt.asIntN(64, folded);
  if (ns !== undefined && ns < 0n) diags.add(e.span, 'bad-value', `a delay cannot be negative (${ns}ns)`);
  else if (ns !== undefined && ns > P.MAX_VIRTUAL_TIME)
    diags.add(
      e.span,
      'bad-value',
      `a delay is at most ${P.MAX_VIRTUAL_TIME}ns (${P.MAX_VIRTUAL_TIME_TEXT}), not ${ns}ns`,
    );
}

/** `wait` on time alone never wakes: time passing is not a change of state. */
export function checkWaitCondition(diags: DiagnosticBag, s: A.WaitExprStmt): void {
  if (mentionsNow(s.condition))
    diags.add(
      s.condition.span,
      'wait-on-time',
      "'wait' re-checks its condition when state changes, and time alone is not a change: use 'delay' to wait for time",
    );
}

/** An access width among `allowed`, or undefined (reported). */
export function checkWidth(diags: DiagnosticBag, e: A.Expr, w: bigint, allowed: number[]): number | undefined {
  if (!allowed.includes(Number(w))) {
    diags.add(e.span, 'bad-value', `width is ${allowed.join(', ')} bits, not ${w}`);
    return undefined;
  }
  return Number(w);
}

// ------------------------------------------------------------------------------------------ devices

/** The device a statement names (through a `foreach` alias), or undefined (reported). */
export function deviceDef(c: Checker, vm: VmBuild, ctx: ExprContext, name: A.Name): SymbolDef | undefined {
  const def = vm.deviceDefs.get(name.text);
  if (!def) {
    const names = [...vm.deviceDefs.keys()];
    ctx.diags.add(
      name.span,
      'unknown-device',
      `VM '${vm.config.name}' has no device '${name.text}'${didYouMean(name.text, names)}`,
      c.fixFor(name, names),
    );
  }
  return def;
}

/** `virtio` statements only on virtio devices. */
export function checkVirtio(diags: DiagnosticBag, s: A.VirtioStmt, device: P.DeviceConfig): boolean {
  if (!device.virtio)
    diags.add(s.device.span, 'not-virtio', `'${s.device.text}' is a ${device.model} device, not a virtio one`);
  return !!device.virtio;
}

/** Without the register the guest's virt_pmc driver does not probe: a warning for a scenario that asks for it. */
export function checkS2idleNotify(diags: DiagnosticBag, s: A.Stmt, cfg: P.VmConfig): void {
  if (cfg.s2idleNotify === undefined)
    diags.warn(
      s.span,
      'missing-s2idle-notify',
      `VM '${cfg.name}' has no s2idle notify register ('s2idle_notify at ADDR'): this does nothing`,
    );
}

/** A raw config offset inside the 256-byte config space (false: reported) and aligned to its size (a warning). */
export function checkConfigOffset(diags: DiagnosticBag, e: A.Expr, offset: bigint, bits: number): boolean {
  const size = BigInt(bits / 8);
  if (offset < 0n || offset + size > 256n) {
    diags.add(e.span, 'bad-value', `config offset 0x${offset.toString(16)} is outside the 256-byte config space`);
    return false;
  }
  if (offset % size !== 0n) diags.add(e.span, 'bad-value', `a ${bits}-bit config access must be ${size}-byte aligned`);
  return true;
}

/** The config register a name is, or undefined (reported); `width` is only for raw offsets. */
export function configRegister(
  c: Checker,
  diags: DiagnosticBag,
  name: A.Name,
  width: A.Expr | undefined,
): ResolvedRegister | undefined {
  const r = lookupRegister(name.text);
  if (!r) {
    const names = registerNames();
    diags.add(
      name.span,
      'unknown-register',
      `unknown config register '${name.text}'${didYouMean(name.text, names)}`,
      c.fixFor(name, names),
    );
    return undefined;
  }
  if (width)
    diags.add(
      width.span,
      'bad-value',
      `'${name.text}' is ${r.def.size * 8} bits wide; 'width' is only for raw offsets`,
    );
  return r;
}

/** The field of a config register a name is, or undefined (reported). */
export function configField(c: Checker, diags: DiagnosticBag, def: RegisterDef, name: A.Name): FieldDef | undefined {
  const field = lookupField(def, name.text);
  if (!field) {
    const names = def.fields.map((f) => f.name);
    diags.add(
      name.span,
      'unknown-field',
      names.length
        ? `${def.name} has no field '${name.text}'; its fields are ${names.join(', ')}${didYouMean(name.text, names)}`
        : `${def.name} has no fields`,
      c.fixFor(name, names),
    );
  }
  return field;
}

/** A constant written to config space fits its register or field; a read-only field is a warning. */
export function checkFits(e: A.Expr, value: P.RExpr, target: P.PciTarget, ctx: ExprContext): void {
  const v = foldConst(value);
  if (v === undefined) return;
  const bits = target.field ? target.field.width : target.size * 8;
  if (v < 0n || v >= 1n << BigInt(bits)) {
    const what = target.field
      ? `${target.register!.name}.${target.field.name}`
      : (target.register?.name ?? `offset 0x${target.offset.toString(16)}`);
    const extra =
      target.field?.name === 'state' && v === 4n
        ? ': D3cold is not a PowerState value; it is reached by removing power (d3cold promote)'
        : '';
    ctx.diags.add(
      e.span,
      'value-too-wide',
      `${v} does not fit in ${what} (${bits} bit${bits === 1 ? '' : 's'})${extra}`,
    );
  }
  if (target.field && target.field.access === 'RO')
    ctx.diags.warn(
      e.span,
      'read-only-field',
      `${target.register!.name}.${target.field.name} is read-only; the write has no effect`,
    );
}

// ------------------------------------------------------------------------------------------ foreach

/** A `foreach` filter the statement knows (false: reported), and no label in its body (it would repeat). */
export function checkForeach(
  c: Checker,
  ctx: ExprContext,
  s: A.ForeachStmt,
  filters: string[],
  filter: string,
): boolean {
  if (!filters.includes(filter)) {
    ctx.diags.add(
      s.filter!.span,
      'bad-value',
      `'foreach ${s.over}' takes ${filters.join(', ')}, not '${filter}'${didYouMean(filter, filters)}`,
      c.fixFor(s.filter!, filters),
    );
    return false;
  }
  forEachStatement(s.body, (inner) => {
    if (inner.kind === 'label')
      ctx.diags.add(
        inner.name.span,
        'label-in-foreach',
        'a label inside foreach would be defined once per item; put it outside',
      );
  });
  return true;
}

// ------------------------------------------------------------------------------------------ a VM's code as a whole

/** A wait for a signal no statement of the VM raises never ends: a warning. */
export function checkSignalWaits(vm: VmBuild): void {
  for (const w of vm.signalWaits) {
    if (!vm.signalsRaised.has(w.name))
      w.diags.warn(
        w.span,
        'signal-never-raised',
        `no statement in VM '${vm.config.name}' raises signal '${w.name}'; this wait never ends`,
      );
  }
}

/** The VM's code, laid out from its code base, fits in its RAM. */
export function checkCodeFits(c: Checker, vm: VmBuild): void {
  const cfg = vm.config;
  const codeEnd = cfg.codeBase + BigInt(cfg.code.length) * P.INSTRUCTION_STRIDE;
  if (codeEnd > cfg.ramBase + cfg.ramSize) {
    c.diagnosticsOf(vm.file).add(
      vm.item.name.span,
      'code-outside-ram',
      `VM '${cfg.name}''s code (${cfg.code.length} statements from 0x${cfg.codeBase.toString(16)}) does not fit in its RAM`,
    );
  }
}
