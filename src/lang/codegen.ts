// Code generation: lowers checked vCPU programs, interrupt handlers and procs to the flat instruction arrays the
// simulator runs (one VM at a time), resolving each statement's arguments through the checker as it goes, and
// patches label, proc and call addresses once everything is laid out.

import * as A from './ast';
import type { Checker } from './checker';
import { ExprContext, ProcEntry, VmBuild } from './check-context';
import { FOREACH_DEVICE_FILTERS } from './domain/devices';
import { lookupField, lookupRegister, registerNames } from './domain/pci';
import { PsciFunctionRef, lookupPsciFunction, psciFunctionNames } from './domain/psci';
import { VCPU_FIELDS, lookupVcpuField } from './domain/vcpu';
import { forEachStatement, mentionsNow } from './ast-walk';
import { foldConst } from './fold';
import * as P from './program';
import { SourceFile, Span } from './source';
import { didYouMean } from './suggest';

export class CodeGen {
  private readonly cfg: P.VmConfig;
  private readonly loops: number[][] = [];

  constructor(
    private readonly checker: Checker,
    private readonly vm: VmBuild,
    /** checking only: generate into a scratch VM config and discard */
    private readonly scratch = false,
  ) {
    this.cfg = scratch ? { ...vm.config, code: [], frames: [], labels: new Map() } : vm.config;
  }

  program(vcpu: number, item: A.ProgramItem, file: SourceFile): void {
    const frame = this.newFrame(`${this.cfg.name}.vcpu${vcpu}`, 'program', [], file, item.span);
    this.cfg.programEntry[vcpu] = this.cfg.code.length;
    const ctx = this.ctx(file, undefined);
    const handlers: A.OnIrqStmt[] = [];
    this.block(item.body, ctx, frame, { handlers, inProgram: true });
    this.emit({ op: 'halt', implicit: true }, file, item.body.closeSpan, frame, false);
    for (const h of handlers) {
      const irq = this.checker.constInt(h.irq, ctx, 'the interrupt number');
      if (irq === undefined) continue;
      if (irq < 0n || irq > 1019n) {
        ctx.diags.add(h.irq.span, 'bad-value', `interrupt ${irq} is out of range (0 to 1019)`);
        continue;
      }
      if (this.cfg.handlers[vcpu].has(Number(irq))) {
        ctx.diags.add(h.irq.span, 'duplicate-handler', `vcpu${vcpu} already has a handler for irq ${irq}`);
        continue;
      }
      const hf = this.newFrame(`${this.cfg.name}.vcpu${vcpu} irq ${irq}`, 'handler', [], file, h.span);
      this.cfg.handlers[vcpu].set(Number(irq), hf);
      this.block(h.body, ctx, hf, { inHandler: true });
      this.emit({ op: 'return', implicit: true }, file, h.body.closeSpan, hf, false);
    }
  }

  proc(name: string, entry: ProcEntry): void {
    const params = entry.item.params.map((p) => p.text);
    const frame = this.newFrame(name, 'proc', params, entry.file, entry.item.span);
    if (!this.scratch) this.vm.procFrames.set(name, frame);
    const ctx = this.ctx(entry.file, params);
    this.block(entry.item.body, ctx, frame, { inProc: true });
    this.emit({ op: 'return', implicit: true }, entry.file, entry.item.body.closeSpan, frame, false);
  }

  /** Patches label and proc addresses and call targets once all code is laid out. */
  finish(): void {
    if (this.scratch) return;
    for (const f of this.vm.labelFixups) {
      const index = this.cfg.labels.get(f.name) ?? -1;
      if (index >= 0) f.expr.value = P.instrAddress(this.cfg, index);
    }
    for (const f of this.vm.procFixups) {
      const frame = this.vm.procFrames.get(f.proc);
      if (frame !== undefined) f.expr.value = P.instrAddress(this.cfg, this.cfg.frames[frame].entry);
    }
    for (const f of this.vm.callFixups) {
      const frame = this.vm.procFrames.get(f.proc);
      if (frame !== undefined) {
        f.instr.callee = frame;
        f.instr.target = this.cfg.frames[frame].entry;
      }
    }
    this.cfg.signals = [...this.vm.signalIndex.keys()];
    for (const w of this.vm.signalWaits) {
      if (!this.vm.signalsRaised.has(w.name))
        w.diags.warn(
          w.span,
          'signal-never-raised',
          `no statement in VM '${this.cfg.name}' raises signal '${w.name}'; this wait never ends`,
        );
    }
    const codeEnd = this.cfg.codeBase + BigInt(this.cfg.code.length) * P.INSTRUCTION_STRIDE;
    if (codeEnd > this.cfg.ramBase + this.cfg.ramSize) {
      this.checker
        .diagnosticsOf(this.vm.file)
        .add(
          this.vm.item.name.span,
          'code-outside-ram',
          `VM '${this.cfg.name}''s code (${this.cfg.code.length} statements from 0x${this.cfg.codeBase.toString(16)}) does not fit in its RAM`,
        );
    }
  }

  private ctx(file: SourceFile, params: string[] | undefined): ExprContext {
    return { vm: this.vm, params, inCode: true, file, diags: this.checker.diagnosticsOf(file) };
  }

  private newFrame(name: string, kind: P.FrameInfo['kind'], params: string[], file: SourceFile, span: Span): number {
    this.cfg.frames.push({ name, kind, params, loc: this.checker.location(file, span), entry: this.cfg.code.length });
    return this.cfg.frames.length - 1;
  }

  private emit(body: P.InstrBody, file: SourceFile, span: Span, frame: number, stmt = true): P.Instr {
    // Every body is a fresh literal at its call site: completing it in place saves a copy per instruction.
    const instr = body as P.Instr;
    instr.loc = this.checker.location(file, span);
    instr.frame = frame;
    instr.stmt = stmt;
    this.cfg.code.push(instr);
    return instr;
  }

  private block(
    block: A.Block,
    ctx: ExprContext,
    frame: number,
    where: { handlers?: A.OnIrqStmt[]; inProgram?: boolean; inProc?: boolean; inHandler?: boolean },
  ): void {
    for (const s of block.statements) this.statement(s, ctx, frame, where);
  }

  private statement(
    s: A.Stmt,
    ctx: ExprContext,
    frame: number,
    where: { handlers?: A.OnIrqStmt[]; inProgram?: boolean; inProc?: boolean; inHandler?: boolean },
  ): void {
    const c = this.checker;
    const file = ctx.file;
    const diags = ctx.diags;
    const emit = (body: P.InstrBody) => this.emit(body, file, s.span, frame);
    const inner = { inProgram: where.inProgram, inProc: where.inProc, inHandler: where.inHandler };
    switch (s.kind) {
      case 'error':
        return;
      case 'label':
        if (
          !this.scratch &&
          this.cfg.labels.get(s.name.text) === undefined &&
          this.vm.labelDefs.get(s.name.text)?.span === s.name.span
        )
          this.cfg.labels.set(s.name.text, this.cfg.code.length);
        return;
      case 'psci':
        this.psci(s, ctx, emit);
        return;
      case 'rawCall': {
        const id = c.expectType(s.id, ctx, 'int', 'the function ID');
        const args: P.PsciArgValue[] = [];
        for (const a of s.args) {
          const m = /^x([1-3])$/.exec(a.name.text);
          if (!m) {
            diags.add(
              a.name.span,
              'unknown-argument',
              `a raw ${s.conduit} takes x1=, x2= and x3=, not '${a.name.text}'`,
            );
            continue;
          }
          if (args.some((x) => x.name === a.name.text))
            diags.add(a.name.span, 'duplicate-argument', `'${a.name.text}' is given twice`);
          args.push({
            register: Number(m[1]) as 1 | 2 | 3,
            name: a.name.text,
            value: c.expectType(a.value, ctx, 'int', a.name.text),
          });
        }
        emit({ op: 'rawCall', conduit: s.conduit, id, args });
        return;
      }
      case 'mmioRead':
        emit({
          op: 'mmioRead',
          address: c.expectType(s.address, ctx, 'int', 'the address'),
          width: this.width(s.width, ctx, [8, 16, 32, 64], 32),
        });
        return;
      case 'mmioWrite':
        emit({
          op: 'mmioWrite',
          address: c.expectType(s.address, ctx, 'int', 'the address'),
          value: c.expectType(s.value, ctx, 'int', 'the value'),
          width: this.width(s.width, ctx, [8, 16, 32, 64], 32),
        });
        return;
      case 's2idleNotify':
        // Without the register the guest's virt_pmc driver does not probe and there is no notification: quietly so
        // for the prelude, with a warning for a scenario that asks for it.
        if (this.cfg.s2idleNotify === undefined && file === this.vm.file)
          diags.warn(
            s.span,
            'missing-s2idle-notify',
            `VM '${this.cfg.name}' has no s2idle notify register ('s2idle_notify at ADDR'): this does nothing`,
          );
        emit({ op: 's2idleNotify' });
        return;
      case 'pciRead':
      case 'pciWrite': {
        const device = this.device(s.device, ctx);
        const target = this.pciTarget(s.reg, s.width, ctx);
        if (device === undefined || target === undefined) return;
        if (s.kind === 'pciRead') emit({ op: 'pciRead', device, target });
        else {
          const value = c.expectType(
            s.value,
            ctx,
            'int',
            'the value',
            target.register?.name === 'pmcsr' && target.field?.name === 'state' ? 'd-state' : undefined,
          );
          this.checkFits(s.value, value, target, ctx);
          emit({ op: 'pciWrite', device, target, value });
        }
        return;
      }
      case 'virtio': {
        const device = this.device(s.device, ctx);
        if (device === undefined) return;
        if (!this.cfg.devices[device].virtio) {
          diags.add(
            s.device.span,
            'not-virtio',
            `'${s.device.text}' is a ${this.cfg.devices[device].model} device, not a virtio one`,
          );
          return;
        }
        const value = s.value ? c.expectType(s.value, ctx, 'int', 'the status', 'virtio-status') : undefined;
        emit({ op: 'virtio', action: s.action, device, value });
        return;
      }
      case 'irq': {
        const irq = c.expectType(s.irq, ctx, 'int', 'the interrupt number');
        const n = foldConst(irq);
        if (n !== undefined && (n < 0n || n > 1019n))
          diags.add(s.irq.span, 'bad-value', `interrupt ${n} is out of range (0 to 1019)`);
        emit({ op: 'irq', action: s.action, irq, wake: s.wake });
        return;
      }
      case 'wfi':
        emit({ op: 'wfi' });
        return;
      case 'delay': {
        const duration = c.expectType(s.duration, ctx, 'time', 'a delay');
        // A constant the clock cannot take is an error here; a computed one is checked when it runs (a vCPU fault).
        const folded = foldConst(duration);
        const ns = folded === undefined ? undefined : BigInt.asIntN(64, folded);
        if (ns !== undefined && ns < 0n)
          diags.add(s.duration.span, 'bad-value', `a delay cannot be negative (${ns}ns)`);
        else if (ns !== undefined && ns > P.MAX_VIRTUAL_TIME)
          diags.add(
            s.duration.span,
            'bad-value',
            `a delay is at most ${P.MAX_VIRTUAL_TIME}ns (${P.MAX_VIRTUAL_TIME_TEXT}), not ${ns}ns`,
          );
        emit({ op: 'delay', duration });
        return;
      }
      case 'signal':
        this.vm.signalsRaised.add(s.name.text);
        emit({ op: 'signal', signal: this.signal(s.name, ctx) });
        return;
      case 'waitSignal':
        this.vm.signalWaits.push({ name: s.name.text, span: s.name.span, file, diags });
        emit({ op: 'waitSignal', signal: this.signal(s.name, ctx) });
        return;
      case 'waitExpr':
        if (mentionsNow(s.condition))
          diags.add(
            s.condition.span,
            'wait-on-time',
            "'wait' re-checks its condition when state changes, and time alone is not a change: use 'delay' to wait for time",
          );
        emit({ op: 'waitExpr', condition: c.expectType(s.condition, ctx, 'bool', 'a wait condition') });
        return;
      case 'call':
        this.call(s, ctx, emit);
        return;
      case 'return':
        if (!where.inProc && !where.inHandler)
          diags.add(
            s.span,
            'return-outside-proc',
            "'return' is for procs and interrupt handlers; a vCPU program ends with 'halt'",
          );
        emit({ op: 'return', implicit: false });
        return;
      case 'halt':
        emit({ op: 'halt', implicit: false });
        return;
      case 'break': {
        const loop = this.loops[this.loops.length - 1];
        if (!loop) {
          diags.add(s.span, 'break-outside-loop', "'break' outside a loop");
          return;
        }
        loop.push(this.cfg.code.length);
        emit({ op: 'jump', target: -1 });
        return;
      }
      case 'loop': {
        const start = this.cfg.code.length;
        this.loops.push([]);
        this.block(s.body, ctx, frame, inner);
        this.emit({ op: 'jump', target: start }, file, s.body.closeSpan, frame, false);
        const breaks = this.loops.pop()!;
        for (const b of breaks) (this.cfg.code[b] as P.Instr & { op: 'jump' }).target = this.cfg.code.length;
        return;
      }
      case 'if':
        this.ifStatement(s, ctx, frame, inner);
        return;
      case 'set': {
        const parts = s.target.parts;
        const field = lookupVcpuField(parts[0].text);
        if (parts.length > 1) {
          diags.add(
            s.target.span,
            'not-writable',
            `'set' writes the running vCPU's own registers; '${parts.map((p) => p.text).join('.')}' is not one (devices are written with 'pci write' or 'mmio write')`,
          );
          return;
        }
        if (!field) {
          const names = VCPU_FIELDS.filter((f) => f.writable).map((f) => f.name);
          diags.add(
            parts[0].span,
            'unknown-register',
            `unknown register '${parts[0].text}'${didYouMean(parts[0].text, names)}`,
            c.fixFor(parts[0], names),
          );
          return;
        }
        if (!field.writable) {
          diags.add(parts[0].span, 'not-writable', `'${field.name}' is read-only (${field.doc})`);
          return;
        }
        // General-purpose registers are untyped 64-bit values: they may hold a time (ns) as well as a number.
        const value =
          field.kind === 'register' && field.name !== 'pc' && field.name !== 'mpidr'
            ? c.resolve(s.value, ctx)
            : undefined;
        if (value && value.type === 'bool')
          ctx.diags.add(
            s.value.span,
            'type-mismatch',
            `the value of ${field.name} must be a number or a time, not a boolean`,
          );
        emit({
          op: 'set',
          field: field.name,
          value: value ? value.r : c.expectType(s.value, ctx, 'int', `the value of ${field.name}`),
        });
        return;
      }
      case 'expect': {
        const condition = c.expectType(s.condition, ctx, 'bool', 'an expectation');
        emit({
          op: 'expect',
          condition,
          text: file.slice(s.condition.span),
          message: s.message ? this.template(s.message, ctx) : undefined,
        });
        return;
      }
      case 'log':
        emit({ op: 'log', message: this.template(s.message, ctx) });
        return;
      case 'foreach':
        this.foreach(s, ctx, frame, inner);
        return;
      case 'clearSignal':
        emit({ op: 'clearSignal', signal: this.signal(s.name, ctx) });
        return;
      case 'context':
        emit({ op: 'context', action: s.action });
        return;
      case 'pciState': {
        const device = this.device(s.device, ctx);
        if (device !== undefined) emit({ op: 'pciState', action: s.action, device });
        return;
      }
      case 'onIrq':
        if (!where.handlers) {
          diags.add(s.span, 'misplaced-handler', "'on irq N { }' belongs at the top level of a vCPU program");
          return;
        }
        where.handlers.push(s);
        return;
    }
  }

  /** Unrolls a `foreach` over this VM's devices or vCPUs: the body is compiled once per item with its name bound. */
  private foreach(
    s: A.ForeachStmt,
    ctx: ExprContext,
    frame: number,
    inner: { inProgram?: boolean; inProc?: boolean; inHandler?: boolean },
  ): void {
    const filters = s.over === 'device' ? FOREACH_DEVICE_FILTERS : ['all', 'secondary'];
    const filter = s.filter?.text ?? 'all';
    if (!filters.includes(filter)) {
      ctx.diags.add(
        s.filter!.span,
        'bad-value',
        `'foreach ${s.over}' takes ${filters.join(', ')}, not '${filter}'${didYouMean(filter, filters)}`,
        this.checker.fixFor(s.filter!, filters),
      );
      return;
    }
    forEachStatement(s.body, (inner2) => {
      if (inner2.kind === 'label')
        ctx.diags.add(
          inner2.name.span,
          'label-in-foreach',
          'a label inside foreach would be defined once per item; put it outside',
        );
    });
    const items =
      s.over === 'device'
        ? this.cfg.devices
            .filter((d) => filter === 'all' || (filter === 'virtio' ? d.virtio : d.model === filter))
            .map((d) => d.name)
        : Array.from({ length: this.cfg.vcpuCount }, (_, i) => i)
            .filter((i) => filter === 'all' || i !== 0)
            .map((i) => `vcpu${i}`);
    for (const item of items) {
      const aliases = new Map(ctx.aliases ?? []);
      aliases.set(s.name.text, item);
      this.block(s.body, { ...ctx, aliases }, frame, inner);
    }
  }

  /** An `if` and its `else if` chain, in a loop: each branch that is taken jumps past the end of the whole chain. */
  private ifStatement(
    s: A.IfStmt,
    ctx: ExprContext,
    frame: number,
    inner: { inProgram?: boolean; inProc?: boolean; inHandler?: boolean },
  ): void {
    const skips: (P.Instr & { op: 'jump' })[] = [];
    for (let branchIf: A.IfStmt | undefined = s; branchIf;) {
      const condition = this.checker.expectType(branchIf.condition, ctx, 'bool', 'an if condition');
      const branch = this.emit(
        { op: 'branchIfFalse', condition, target: -1 },
        ctx.file,
        { start: branchIf.span.start, end: branchIf.condition.span.end },
        frame,
      ) as P.Instr & { op: 'branchIfFalse' };
      this.block(branchIf.then, ctx, frame, inner);
      const otherwise: A.IfStmt | A.Block | undefined = branchIf.else;
      if (!otherwise) {
        branch.target = this.cfg.code.length;
        break;
      }
      skips.push(
        this.emit({ op: 'jump', target: -1 }, ctx.file, branchIf.then.closeSpan, frame, false) as P.Instr & {
          op: 'jump';
        },
      );
      branch.target = this.cfg.code.length;
      if (otherwise.kind === 'if') branchIf = otherwise;
      else {
        this.block(otherwise, ctx, frame, inner);
        branchIf = undefined;
      }
    }
    for (const skip of skips) skip.target = this.cfg.code.length;
  }

  private psci(s: A.PsciStmt, ctx: ExprContext, emit: (b: P.InstrBody) => P.Instr): void {
    const c = this.checker;
    const diags = ctx.diags;
    const ref: PsciFunctionRef | undefined = lookupPsciFunction(s.fn.text);
    if (!ref) {
      const names = psciFunctionNames();
      diags.add(
        s.fn.span,
        'unknown-psci-function',
        `unknown PSCI function '${s.fn.text}'${didYouMean(s.fn.text, names)}`,
        c.fixFor(s.fn, names),
      );
      return;
    }
    const args: P.PsciArgValue[] = [];
    for (const a of s.args) {
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
        continue;
      }
      if (args.some((x) => x.name === def.name)) {
        diags.add(a.name.span, 'duplicate-argument', `'${def.name}' is given twice`);
        continue;
      }
      const what = `${ref.fn.name} ${def.name}`;
      args.push({ register: def.register, name: def.name, value: c.expectType(a.value, ctx, 'int', what) });
    }
    for (const def of ref.fn.args) {
      if (
        def.kind === 'address' &&
        def.name === 'entry' &&
        !args.some((x) => x.name === 'entry') &&
        ['CPU_ON', 'SYSTEM_SUSPEND'].includes(ref.fn.name)
      ) {
        diags.warn(s.fn.span, 'missing-psci-argument', `${ref.fn.name} without 'entry': the entry point is 0`);
      }
    }
    emit({ op: 'psci', fn: ref, args });
  }

  private call(s: A.CallStmt, ctx: ExprContext, emit: (b: P.InstrBody) => P.Instr): void {
    const c = this.checker;
    const name = s.proc.parts.map((p) => p.text).join('.');
    const entry = c.procEntry(name);
    if (!entry) {
      const names = c.procNames();
      ctx.diags.add(
        s.proc.span,
        'unknown-proc',
        `unknown proc '${name}'${didYouMean(name, names)}`,
        c.fixFor({ text: name, span: s.proc.span }, names),
      );
      return;
    }
    c.symbolIndex().reference(entry.def, ctx.file, s.proc.span);
    if (s.args.length !== entry.item.params.length) {
      ctx.diags.add(
        s.span,
        'wrong-argument-count',
        `proc '${name}' takes ${entry.item.params.length} argument${entry.item.params.length === 1 ? '' : 's'} (${entry.item.params.map((p) => p.text).join(', ') || 'none'}), not ${s.args.length}`,
      );
    }
    const args = s.args.map((a) => c.resolve(a, ctx).r);
    const instr = emit({ op: 'call', target: -1, callee: -1, args }) as P.Instr & { op: 'call' };
    this.vm.callFixups.push({ proc: name, instr });
  }

  private device(written: A.Name, ctx: ExprContext): number | undefined {
    const name = { text: ctx.aliases?.get(written.text) ?? written.text, span: written.span };
    const def = this.vm.deviceDefs.get(name.text);
    if (!def) {
      const names = [...this.vm.deviceDefs.keys()];
      ctx.diags.add(
        name.span,
        'unknown-device',
        `VM '${this.cfg.name}' has no device '${name.text}'${didYouMean(name.text, names)}`,
        this.checker.fixFor(name, names),
      );
      return undefined;
    }
    this.checker.symbolIndex().reference(def, ctx.file, name.span);
    return this.cfg.devices.findIndex((d) => d.name === name.text);
  }

  private pciTarget(reg: A.RegRef, width: A.Expr | undefined, ctx: ExprContext): P.PciTarget | undefined {
    const diags = ctx.diags;
    if (reg.offset) {
      const offset = this.checker.constInt(reg.offset, ctx, 'the config offset');
      if (offset === undefined) return undefined;
      const bits = this.width(width, ctx, [8, 16, 32], 32);
      const size = (bits / 8) as 1 | 2 | 4;
      if (offset < 0n || offset + BigInt(size) > 256n) {
        diags.add(
          reg.offset.span,
          'bad-value',
          `config offset 0x${offset.toString(16)} is outside the 256-byte config space`,
        );
        return undefined;
      }
      if (offset % BigInt(size) !== 0n)
        diags.add(reg.offset.span, 'bad-value', `a ${bits}-bit config access must be ${size}-byte aligned`);
      return { offset: Number(offset), size };
    }
    const name = reg.register!;
    const r = lookupRegister(name.text);
    if (!r) {
      const names = registerNames();
      diags.add(
        name.span,
        'unknown-register',
        `unknown config register '${name.text}'${didYouMean(name.text, names)}`,
        this.checker.fixFor(name, names),
      );
      return undefined;
    }
    if (width)
      diags.add(
        width.span,
        'bad-value',
        `'${name.text}' is ${r.def.size * 8} bits wide; 'width' is only for raw offsets`,
      );
    if (!reg.field) return { offset: r.offset, size: r.def.size, register: r.def };
    const field = lookupField(r.def, reg.field.text);
    if (!field) {
      const names = r.def.fields.map((f) => f.name);
      diags.add(
        reg.field.span,
        'unknown-field',
        names.length
          ? `${r.def.name} has no field '${reg.field.text}'; its fields are ${names.join(', ')}${didYouMean(reg.field.text, names)}`
          : `${r.def.name} has no fields`,
        this.checker.fixFor(reg.field, names),
      );
      return undefined;
    }
    return { offset: r.offset, size: r.def.size, register: r.def, field };
  }

  private checkFits(e: A.Expr, value: P.RExpr, target: P.PciTarget, ctx: ExprContext): void {
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

  private width(e: A.Expr | undefined, ctx: ExprContext, allowed: number[], fallback: number): number {
    if (!e) return fallback;
    const w = this.checker.constInt(e, ctx, 'the access width');
    if (w === undefined) return fallback;
    if (!allowed.includes(Number(w))) {
      ctx.diags.add(e.span, 'bad-value', `width is ${allowed.join(', ')} bits, not ${w}`);
      return fallback;
    }
    return Number(w);
  }

  private signal(name: A.Name, ctx: ExprContext): number {
    let index = this.vm.signalIndex.get(name.text);
    if (index === undefined) {
      index = this.vm.signalIndex.size;
      this.vm.signalIndex.set(name.text, index);
      this.vm.signalDefs.set(
        name.text,
        this.checker.symbolIndex().define({
          kind: 'signal',
          name: name.text,
          vm: this.cfg.name,
          file: ctx.file,
          span: name.span,
          fullSpan: name.span,
        }),
      );
    } else {
      const def = this.vm.signalDefs.get(name.text);
      if (def) this.checker.symbolIndex().reference(def, ctx.file, name.span);
    }
    return index;
  }

  private template(t: A.Template, ctx: ExprContext): P.RTemplate {
    return {
      parts: t.parts.map((p) => {
        if (typeof p === 'string') return p;
        const typed = this.checker.resolve(p, ctx);
        return { expr: typed.r, type: typed.type };
      }),
    };
  }
}
