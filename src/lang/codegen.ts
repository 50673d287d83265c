// Code generation: lowers checked vCPU programs, interrupt handlers and procs to the flat instruction arrays the
// simulator runs (one VM at a time), resolving each statement's arguments through the checker as it goes, and
// patches label, proc and call addresses once everything is laid out. The rules of statements are
// check-statements.ts's: this file asks them where it reaches each one and reports nothing itself.

import * as A from './ast';
import type { Checker } from './checker';
import { ExprContext, ProcEntry, VmBuild } from './check-context';
import { FOREACH_DEVICE_FILTERS } from './domain/devices';
import * as S from './check-statements';
import * as P from './program';
import { SourceFile, Span } from './source';

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
      if (irq === undefined || !S.checkHandlerIrq(ctx.diags, h, irq, vcpu, this.cfg.handlers[vcpu])) continue;
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
    S.checkSignalWaits(this.vm);
    S.checkCodeFits(this.checker, this.vm);
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
          const register = S.rawCallRegister(diags, s, a, args);
          if (register === undefined) continue;
          args.push({
            register,
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
        if (file === this.vm.file) S.checkS2idleNotify(diags, s, this.cfg);
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
          S.checkFits(s.value, value, target, ctx);
          emit({ op: 'pciWrite', device, target, value });
        }
        return;
      }
      case 'virtio': {
        const device = this.device(s.device, ctx);
        if (device === undefined) return;
        if (!S.checkVirtio(diags, s, this.cfg.devices[device])) return;
        const value = s.value ? c.expectType(s.value, ctx, 'int', 'the status', 'virtio-status') : undefined;
        emit({ op: 'virtio', action: s.action, device, value });
        return;
      }
      case 'irq': {
        const irq = c.expectType(s.irq, ctx, 'int', 'the interrupt number');
        S.checkIrqNumber(diags, s.irq, irq);
        emit({ op: 'irq', action: s.action, irq, wake: s.wake });
        return;
      }
      case 'wfi':
        emit({ op: 'wfi' });
        return;
      case 'delay': {
        const duration = c.expectType(s.duration, ctx, 'time', 'a delay');
        S.checkDelay(diags, s.duration, duration);
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
        S.checkWaitCondition(diags, s);
        emit({ op: 'waitExpr', condition: c.expectType(s.condition, ctx, 'bool', 'a wait condition') });
        return;
      case 'call':
        this.call(s, ctx, emit);
        return;
      case 'return':
        S.checkReturn(diags, s, where);
        emit({ op: 'return', implicit: false });
        return;
      case 'halt':
        emit({ op: 'halt', implicit: false });
        return;
      case 'break': {
        const loop = this.loops[this.loops.length - 1];
        if (!S.checkBreak(diags, s, !!loop)) return;
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
        const field = S.setField(c, diags, s);
        if (!field) return;
        // General-purpose registers are untyped 64-bit values: they may hold a time (ns) as well as a number.
        const value =
          field.kind === 'register' && field.name !== 'pc' && field.name !== 'mpidr'
            ? c.resolve(s.value, ctx)
            : undefined;
        if (value) S.checkRegisterValue(diags, s, field, value.type);
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
        if (S.checkHandlerPlace(diags, s, where)) where.handlers!.push(s);
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
    if (!S.checkForeach(this.checker, ctx, s, filters, filter)) return;
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
    const ref = S.psciFunction(c, diags, s);
    if (!ref) return;
    const args: P.PsciArgValue[] = [];
    for (const a of s.args) {
      const def = S.psciArgument(c, diags, ref, a, args);
      if (!def) continue;
      const what = `${ref.fn.name} ${def.name}`;
      args.push({ register: def.register, name: def.name, value: c.expectType(a.value, ctx, 'int', what) });
    }
    S.checkPsciEntry(diags, s, ref, args);
    S.checkCpuOnEntry(this.vm, diags, s, ref, args);
    emit({ op: 'psci', fn: ref, args });
  }

  private call(s: A.CallStmt, ctx: ExprContext, emit: (b: P.InstrBody) => P.Instr): void {
    const c = this.checker;
    const name = s.proc.parts.map((p) => p.text).join('.');
    const entry = S.callee(c, ctx, s, name);
    if (!entry) return;
    c.symbolIndex().reference(entry.def, ctx.file, s.proc.span);
    S.checkCallArity(ctx, s, name, entry);
    const args = s.args.map((a) => c.resolve(a, ctx).r);
    const instr = emit({ op: 'call', target: -1, callee: -1, args }) as P.Instr & { op: 'call' };
    this.vm.callFixups.push({ proc: name, instr });
  }

  private device(written: A.Name, ctx: ExprContext): number | undefined {
    const name = { text: ctx.aliases?.get(written.text) ?? written.text, span: written.span };
    const def = S.deviceDef(this.checker, this.vm, ctx, name);
    if (!def) return undefined;
    this.checker.symbolIndex().reference(def, ctx.file, name.span);
    return this.cfg.devices.findIndex((d) => d.name === name.text);
  }

  private pciTarget(reg: A.RegRef, width: A.Expr | undefined, ctx: ExprContext): P.PciTarget | undefined {
    const diags = ctx.diags;
    if (reg.offset) {
      const offset = this.checker.constInt(reg.offset, ctx, 'the config offset');
      if (offset === undefined) return undefined;
      const bits = this.width(width, ctx, [8, 16, 32], 32);
      if (!S.checkConfigOffset(diags, reg.offset, offset, bits)) return undefined;
      return { offset: Number(offset), size: (bits / 8) as 1 | 2 | 4 };
    }
    const r = S.configRegister(this.checker, diags, reg.register!, width);
    if (!r) return undefined;
    if (!reg.field) return { offset: r.offset, size: r.def.size, register: r.def };
    const field = S.configField(this.checker, diags, r.def, reg.field);
    if (!field) return undefined;
    return { offset: r.offset, size: r.def.size, register: r.def, field };
  }

  private width(e: A.Expr | undefined, ctx: ExprContext, allowed: number[], fallback: number): number {
    if (!e) return fallback;
    const w = this.checker.constInt(e, ctx, 'the access width');
    if (w === undefined) return fallback;
    return S.checkWidth(ctx.diags, e, w, allowed) ?? fallback;
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
