// What each name of a document means: one walk over the syntax tree that resolves names the way the checker does
// (foreach names, procs, parameters, registers, labels, constants, vCPUs, VMs, devices, config registers and
// fields), reading the tables of src/lang/domain. Hover and semantic tokens both read this index; the checker's
// SymbolIndex stays the source for definitions and references.

import { HostPolicyRule, HostSetting, lookupHostPolicyRule, lookupHostSetting } from '../lang/domain/host';
import * as A from '../lang/ast';
import { forEachExpr } from '../lang/ast-walk';
import { Constant, CONSTANTS } from '../lang/domain/constants';
import { DeviceField, DeviceModel, DeviceOption, lookupDeviceModel } from '../lang/domain/devices';
import { ExploreBound, lookupExploreBound } from '../lang/domain/explore';
import { FlavourName, FLAVOURS, isFlavourName, VMM_ANSWER_DOCS, VMM_EVENTS, VmmAnswer } from '../lang/domain/flavours';
import { InvariantInfo, INVARIANT_INFO } from '../lang/domain/invariants';
import { FieldDef, lookupField, lookupRegister, ResolvedRegister } from '../lang/domain/pci';
import { lookupPsciFunction, PsciArg, PsciFunction, PsciFunctionRef } from '../lang/domain/psci';
import { lookupVcpuField, POWERED_OFF_DOC, vcpuIndexOf, VcpuField, VmField } from '../lang/domain/vcpu';
import { DeviceConfig, VmConfig } from '../lang/program';
import { SourceFile, Span } from '../lang/source';
import {
  CONFIG_SPACE_DOC,
  PathResolution,
  resolveDeviceTail,
  resolveStatePath,
  resolveVcpuTail,
  SegmentMeaning,
  StateWorld,
} from '../lang/state-paths';
import type { Analysis } from './analysis';

export type Meaning =
  | { kind: 'psci-function'; ref: PsciFunctionRef; written: string }
  | { kind: 'psci-arg'; fn: PsciFunction; arg: PsciArg }
  | { kind: 'raw-arg'; register: number }
  | { kind: 'config-register'; reg: ResolvedRegister; device?: DeviceConfig }
  | { kind: 'config-field'; reg: ResolvedRegister; field: FieldDef; device?: DeviceConfig }
  | { kind: 'device-value'; field: DeviceField; device?: DeviceConfig }
  | {
      kind: 'device';
      name: string;
      vm?: VmConfig;
      device?: DeviceConfig;
      declaration: boolean;
      alias?: { name: string; decl: Span };
    }
  | { kind: 'vm'; name: string; vm?: VmConfig; declaration: boolean }
  | { kind: 'vcpu'; index: number; vm?: VmConfig; alias?: { name: string; decl: Span } }
  | { kind: 'vcpu-field'; field: VcpuField; vcpu?: number }
  | { kind: 'vm-field'; field: VmField; vm?: VmConfig }
  | { kind: 'host-field'; field: VmField }
  | { kind: 'host' }
  /** `now`, the virtual time */
  | { kind: 'now' }
  | { kind: 'constant'; name: string; constants: Constant[] }
  | { kind: 'label'; name: string; vm?: VmConfig; declaration: boolean }
  | { kind: 'proc'; name: string; declaration: boolean }
  | { kind: 'param'; name: string; proc: string; decl: Span; declaration: boolean }
  | { kind: 'signal'; name: string; vm?: VmConfig }
  | { kind: 'invariant'; info: InvariantInfo }
  | { kind: 'model'; model: DeviceModel }
  | { kind: 'option'; option: DeviceOption; model?: DeviceModel }
  | { kind: 'flavour'; name: string }
  /** the word `explore`, and a bound it knows (`max_states`, `depth`, `until`) */
  | { kind: 'explore' }
  | { kind: 'explore-bound'; bound: ExploreBound }
  /** a host setting (`suspend_latency`, `s2idle_timeout`) or suspend policy (`waits-for`, ...), from its row */
  | { kind: 'host-setting'; setting: HostSetting }
  | { kind: 'host-policy'; rule: HostPolicyRule }
  | { kind: 'word'; text: string; doc?: string }
  | { kind: 'keyword'; text: string; doc?: string };

export interface Occurrence {
  span: Span;
  meaning: Meaning;
  /** set on the names of a value the debugger can read (code only; not on `foreach` names, which it cannot) */
  site?: ValueSite;
}

/**
 * Where a name is one of the names of a value: a state path in code (`vcpu1.power`, `x0`, `net0.pmcsr.state`) or
 * the `DEV REG.FIELD` operand of `pci read|write` (`net0`, `pmcsr`, `state`), and which of them it is. The
 * debugger's hover reads the value up to and including this name (src/server/evaluatable.ts).
 */
export interface ValueSite {
  names: A.Name[];
  index: number;
  /** the one VM this code runs in: a `VM.vcpuN` program, or a proc of the scenario that only that VM reaches */
  owner?: VmConfig;
}

export class OccurrenceIndex {
  constructor(readonly items: Occurrence[]) {}

  /** The innermost occurrence covering the offset (an offset at a name's end still counts, as editors expect). */
  at(offset: number): Occurrence | undefined {
    let best: Occurrence | undefined;
    // Items are sorted by start; walk back from the last one starting at or before the offset.
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].span.start <= offset) lo = mid + 1;
      else hi = mid - 1;
    }
    for (let i = hi; i >= 0 && i >= hi - 8; i--) {
      const o = this.items[i];
      if (o.span.start <= offset && offset <= o.span.end) {
        if (!best || o.span.end - o.span.start < best.span.end - best.span.start) best = o;
      }
    }
    return best;
  }
}

/** What a VMM event (`on EVENT:`) means, from src/lang/domain/flavours. */
export function vmmEventDoc(name: string): string | undefined {
  return Object.hasOwn(VMM_EVENTS, name) ? VMM_EVENTS[name as keyof typeof VMM_EVENTS].doc : undefined;
}

/** What a VMM answer means, from src/lang/domain/flavours. */
export function vmmAnswerDoc(name: string): string | undefined {
  return Object.hasOwn(VMM_ANSWER_DOCS, name) ? VMM_ANSWER_DOCS[name as VmmAnswer] : undefined;
}

const CONSTANTS_BY_NAME = new Map<string, Constant[]>();
for (const c of CONSTANTS) CONSTANTS_BY_NAME.set(c.name, [...(CONSTANTS_BY_NAME.get(c.name) ?? []), c]);

export function constantsNamed(name: string): Constant[] | undefined {
  return CONSTANTS_BY_NAME.get(name);
}

interface Scope {
  /** VM whose code this is (a program's VM; for a proc, the first VM it is compiled into) */
  vm?: VmConfig;
  /** the VM when the code runs in that one only (see ValueSite.owner) */
  owner?: VmConfig;
  params: Map<string, Span>;
  proc?: string;
  aliases: Map<string, { over: 'device' | 'vcpu'; decl: Span }>;
  inCode: boolean;
}

export function buildOccurrences(analysis: Analysis): OccurrenceIndex {
  const out: Occurrence[] = [];
  const program = analysis.result.program;
  const procNames = new Set(analysis.result.symbols.defs.filter((d) => d.kind === 'proc').map((d) => d.name));
  const labelsByVm = new Map<string, Set<string>>();
  for (const d of analysis.result.symbols.defs) {
    if (d.kind !== 'label' || !d.vm) continue;
    let set = labelsByVm.get(d.vm);
    if (!set) labelsByVm.set(d.vm, (set = new Set()));
    set.add(d.name);
  }
  const vmByName = (name: string) => analysis.vm(name);
  const add = (span: Span, meaning: Meaning) => out.push({ span, meaning });

  const world: StateWorld = program;
  const procVm = (name: string): VmConfig | undefined =>
    program.vms.find((v) => v.frames.some((f) => f.kind === 'proc' && f.name === name)) ??
    program.vms.find((v) => v.name !== 'library_view') ??
    program.vms[0];
  /** A library's procs run in every VM that calls them; a scenario's proc belongs to a VM when only that one reaches
   * it. */
  const procOwner = (name: string): VmConfig | undefined => {
    if (analysis.library) return undefined;
    const reaching = program.vms.filter((v) => v.frames.some((f) => f.kind === 'proc' && f.name === name));
    return reaching.length === 1 ? reaching[0] : undefined;
  };

  /** Marks the occurrences added since `from` that are among `names` as parts of that value. */
  const markValue = (from: number, names: A.Name[], scope: Scope) => {
    if (!scope.inCode) return;
    for (const o of out.slice(from)) {
      const index = names.findIndex((n) => n.span.start === o.span.start && n.span.end === o.span.end);
      if (index >= 0) o.site = { names, index, owner: scope.owner };
    }
  };

  // ------------------------------------------------------------------------------------ expressions

  const deviceIn = (vm: VmConfig | undefined, name: string) => vm?.devices.find((d) => d.name === name);

  /** The meanings of the names of a state path, as src/lang/state-paths resolves them. */
  const stateNames = (names: readonly A.Name[], resolution: PathResolution, head?: VmConfig) => {
    resolution.segments.forEach((seg, i) => {
      const name = names[i];
      if (name) add(name.span, segmentMeaning(seg, name.text, head));
    });
  };

  const segmentMeaning = (seg: SegmentMeaning, text: string, head: VmConfig | undefined): Meaning => {
    const vmAt = (vm: number | undefined) => (vm === undefined ? undefined : program.vms[vm]);
    const deviceAt = (vm: number | undefined, device: number | undefined) =>
      device === undefined ? undefined : vmAt(vm)?.devices[device];
    switch (seg.kind) {
      case 'host':
        return { kind: 'host' };
      case 'vm':
        return { kind: 'vm', name: text, vm: vmAt(seg.vm), declaration: false };
      case 'vcpu':
        return { kind: 'vcpu', index: seg.vcpu, vm: head ?? vmAt(seg.vm) };
      case 'device':
        return {
          kind: 'device',
          name: text,
          vm: vmAt(seg.vm),
          device: deviceAt(seg.vm, seg.device),
          declaration: false,
        };
      case 'config':
        return { kind: 'word', text, doc: CONFIG_SPACE_DOC };
      case 'value': {
        const t = seg.target;
        switch (t.kind) {
          case 'host-field':
            return { kind: 'host-field', field: t.row };
          case 'vm-field':
            return { kind: 'vm-field', field: t.row, vm: vmAt(t.vm) };
          case 'vcpu-field':
            return { kind: 'vcpu-field', field: t.row, vcpu: t.vcpu ?? -1 };
          case 'device-field':
            return { kind: 'device-value', field: t.row, device: deviceAt(t.vm, t.device) };
          case 'config-register':
            return { kind: 'config-register', reg: t.register, device: deviceAt(t.vm, t.device) };
          case 'config-field':
            return { kind: 'config-field', reg: t.register, field: t.field, device: deviceAt(t.vm, t.device) };
        }
      }
    }
  };

  const path = (e: A.PathExpr, scope: Scope) => {
    const from = out.length;
    namesOfPath(e, scope);
    // A foreach name stands for each device or vCPU in turn: the debugger cannot tell which one is meant.
    if (!scope.aliases.has(e.parts[0].text)) markValue(from, e.parts, scope);
  };

  const namesOfPath = (e: A.PathExpr, scope: Scope) => {
    const parts = e.parts;
    const first = parts[0];
    const alias = scope.aliases.get(first.text);
    if (alias) {
      if (alias.over === 'device') {
        add(first.span, {
          kind: 'device',
          name: first.text,
          vm: scope.vm,
          declaration: false,
          alias: { name: first.text, decl: alias.decl },
        });
        stateNames(parts.slice(1), resolveDeviceTail({}, first.text, parts.slice(1)));
      } else {
        add(first.span, { kind: 'vcpu', index: -1, vm: scope.vm, alias: { name: first.text, decl: alias.decl } });
        stateNames(parts.slice(1), resolveVcpuTail(world, undefined, -1, first, parts.slice(1)));
      }
      return;
    }
    const dotted = parts.map((p) => p.text).join('.');
    if (procNames.has(dotted) && scope.inCode) {
      add(e.span, { kind: 'proc', name: dotted, declaration: false });
      return;
    }
    const vm = scope.vm;
    if (parts.length === 1) {
      const w = first.text;
      const param = scope.params.get(w);
      if (param)
        return add(first.span, { kind: 'param', name: w, proc: scope.proc ?? '', decl: param, declaration: false });
      const field = lookupVcpuField(w);
      if (field) return add(first.span, { kind: 'vcpu-field', field });
      if (vm && labelsByVm.get(vm.name)?.has(w))
        return add(first.span, { kind: 'label', name: w, vm, declaration: false });
      const constants = constantsNamed(w);
      if (constants) return add(first.span, { kind: 'constant', name: w, constants });
      const vcpu = vcpuIndexOf(w);
      if (vcpu !== undefined) return add(first.span, { kind: 'vcpu', index: vcpu, vm });
      const otherVm = vmByName(w);
      if (otherVm) return add(first.span, { kind: 'vm', name: w, vm: otherVm, declaration: false });
      const device = deviceIn(vm, w);
      if (device) return add(first.span, { kind: 'device', name: w, vm, device, declaration: false });
      return;
    }
    const vmIndex = vm ? program.vms.indexOf(vm) : -1;
    const resolution = resolveStatePath(world, parts, { vm: vmIndex >= 0 ? vmIndex : undefined });
    // A vCPU named first is the vCPU of the code's VM, whichever that is.
    stateNames(parts, resolution, vcpuIndexOf(first.text) !== undefined ? vm : undefined);
  };

  // Every node of the expression in order, with its own stack (a chain of operators is as deep as it is long).
  const expr = (e: A.Expr | undefined, scope: Scope): void => {
    if (!e) return;
    forEachExpr(e, (x) => {
      if (x.kind === 'path') path(x, scope);
      else if (x.kind === 'now') {
        const from = out.length;
        const name = { text: 'now', span: x.span };
        add(x.span, { kind: 'now' });
        markValue(from, [name], scope);
      }
    });
  };

  const template = (t: A.Template | undefined, scope: Scope) => {
    if (!t) return;
    for (const p of t.parts) if (typeof p !== 'string') expr(p, scope);
  };

  const word = (name: A.Name | undefined, doc?: string) => {
    if (name) add(name.span, { kind: 'word', text: name.text, doc });
  };

  // ------------------------------------------------------------------------------------ statements

  const deviceName = (name: A.Name, scope: Scope) => {
    const alias = scope.aliases.get(name.text);
    if (alias?.over === 'device') {
      add(name.span, {
        kind: 'device',
        name: name.text,
        vm: scope.vm,
        declaration: false,
        alias: { name: name.text, decl: alias.decl },
      });
      return;
    }
    add(name.span, {
      kind: 'device',
      name: name.text,
      vm: scope.vm,
      device: deviceIn(scope.vm, name.text),
      declaration: false,
    });
  };

  /** The device operand of a statement (`pci write net0 pmcsr.state`, `virtio freeze net0`) as a value. */
  const deviceOperand = (from: number, names: A.Name[], scope: Scope) => {
    if (!scope.aliases.has(names[0].text)) markValue(from, names, scope);
  };

  const block = (b: A.Block, scope: Scope) => {
    for (const s of b.statements) statement(s, scope);
  };

  const statement = (s: A.Stmt, scope: Scope): void => {
    switch (s.kind) {
      case 'psci': {
        const ref = lookupPsciFunction(s.fn.text);
        if (ref) add(s.fn.span, { kind: 'psci-function', ref, written: s.fn.text });
        for (const a of s.args) {
          const def = ref?.fn.args.find((x) => x.name === a.name.text);
          if (ref && def) add(a.name.span, { kind: 'psci-arg', fn: ref.fn, arg: def });
          expr(a.value, scope);
        }
        return;
      }
      case 'rawCall':
        expr(s.id, scope);
        for (const a of s.args) {
          const m = /^x([1-3])$/.exec(a.name.text);
          if (m) add(a.name.span, { kind: 'raw-arg', register: Number(m[1]) });
          expr(a.value, scope);
        }
        return;
      case 'mmioRead':
        expr(s.address, scope);
        expr(s.width, scope);
        return;
      case 'mmioWrite':
        expr(s.address, scope);
        expr(s.value, scope);
        expr(s.width, scope);
        return;
      case 'pciRead':
      case 'pciWrite': {
        const from = out.length;
        deviceName(s.device, scope);
        const device = scope.aliases.has(s.device.text) ? undefined : deviceIn(scope.vm, s.device.text);
        if (s.reg.register) {
          const reg = lookupRegister(s.reg.register.text);
          if (reg) {
            add(s.reg.register.span, { kind: 'config-register', reg, device });
            const field = s.reg.field && lookupField(reg.def, s.reg.field.text);
            if (field && s.reg.field) add(s.reg.field.span, { kind: 'config-field', reg, field, device });
          }
        }
        deviceOperand(
          from,
          [s.device, ...(s.reg.register ? [s.reg.register] : []), ...(s.reg.field ? [s.reg.field] : [])],
          scope,
        );
        expr(s.reg.offset, scope);
        if (s.kind === 'pciWrite') expr(s.value, scope);
        expr(s.width, scope);
        return;
      }
      case 'pciState':
      case 'virtio': {
        const from = out.length;
        deviceName(s.device, scope);
        deviceOperand(from, [s.device], scope);
        if (s.kind === 'virtio') expr(s.value, scope);
        return;
      }
      case 'irq':
        expr(s.irq, scope);
        return;
      case 'delay':
        expr(s.duration, scope);
        return;
      case 'signal':
      case 'waitSignal':
      case 'clearSignal':
        add(s.name.span, { kind: 'signal', name: s.name.text, vm: scope.vm });
        return;
      case 'waitExpr':
        expr(s.condition, scope);
        return;
      case 'call': {
        const name = s.proc.parts.map((p) => p.text).join('.');
        if (procNames.has(name)) add(s.proc.span, { kind: 'proc', name, declaration: false });
        for (const a of s.args) expr(a, scope);
        return;
      }
      case 'loop':
        block(s.body, scope);
        return;
      case 'if': {
        let e: A.IfStmt | A.Block | undefined = s;
        while (e) {
          if (e.kind === 'if') {
            expr(e.condition, scope);
            block(e.then, scope);
            e = e.else;
          } else {
            block(e, scope);
            e = undefined;
          }
        }
        return;
      }
      case 'set': {
        const field = s.target.parts.length === 1 ? lookupVcpuField(s.target.parts[0].text) : undefined;
        if (field) {
          const from = out.length;
          add(s.target.parts[0].span, { kind: 'vcpu-field', field });
          markValue(from, s.target.parts, scope);
        } else expr(s.target, scope);
        expr(s.value, scope);
        return;
      }
      case 'expect':
        expr(s.condition, scope);
        template(s.message, scope);
        return;
      case 'log':
        template(s.message, scope);
        return;
      case 'label':
        add(s.name.span, { kind: 'label', name: s.name.text, vm: scope.vm, declaration: true });
        return;
      case 'onIrq':
        expr(s.irq, scope);
        block(s.body, scope);
        return;
      case 'foreach': {
        if (s.over === 'device')
          add(s.name.span, {
            kind: 'device',
            name: s.name.text,
            vm: scope.vm,
            declaration: true,
            alias: { name: s.name.text, decl: s.name.span },
          });
        else
          add(s.name.span, { kind: 'vcpu', index: -1, vm: scope.vm, alias: { name: s.name.text, decl: s.name.span } });
        if (s.filter) add(s.filter.span, { kind: 'keyword', text: s.filter.text });
        const aliases = new Map(scope.aliases);
        aliases.set(s.name.text, { over: s.over, decl: s.name.span });
        block(s.body, { ...scope, aliases });
        return;
      }
      case 'break':
      case 'context':
      case 'error':
      case 'halt':
      case 'return':
      case 's2idleNotify':
      case 'wfi':
      default:
        return;
    }
  };

  // ------------------------------------------------------------------------------------ items

  for (const item of analysis.ast.items) {
    switch (item.kind) {
      case 'vm': {
        const vm = vmByName(item.name.text);
        add(item.name.span, { kind: 'vm', name: item.name.text, vm, declaration: true });
        const scope: Scope = { vm, params: new Map(), aliases: new Map(), inCode: false };
        let flavour: FlavourName = vm?.flavour ?? 'kvm';
        for (const m of item.members) {
          switch (m.kind) {
            case 'hypervisor':
              add(m.flavour.span, { kind: 'flavour', name: m.flavour.text });
              if (isFlavourName(m.flavour.text)) flavour = m.flavour.text;
              for (const o of m.options) {
                const option = FLAVOURS[flavour].options.find((x) => x.name === o.name.text);
                if (option) add(o.name.span, { kind: 'option', option });
                for (const v of o.values) if (v.kind === 'path') word(v.parts[0]);
              }
              break;
            case 'device': {
              const device = deviceIn(vm, m.name.text);
              add(m.name.span, { kind: 'device', name: m.name.text, vm, device, declaration: true });
              const model = lookupDeviceModel(m.model.text);
              if (model) add(m.model.span, { kind: 'model', model });
              expr(m.irq, scope);
              for (const o of m.options) {
                const option = model?.options.find((x) => x.name === o.name.text);
                if (option) add(o.name.span, { kind: 'option', option, model });
                for (const v of o.values) if (v.kind === 'path' && v.parts.length === 1) word(v.parts[0]);
              }
              break;
            }
            case 'vcpus':
              expr(m.count, scope);
              break;
            case 'ram':
              expr(m.base, scope);
              expr(m.size, scope);
              break;
            case 's2idleNotify':
              expr(m.address, scope);
              break;
            case 'watchdog':
              expr(m.timeout, scope);
              break;
            case 'role':
              word(m.role, m.role.text === 'hardware-domain' ? 'Xen dom0: its suspend suspends the host' : undefined);
              break;
            case 'on':
              word(m.event, vmmEventDoc(m.event.text));
              for (const a of m.answers) word(a, vmmAnswerDoc(a.text));
              break;
            case 'setting':
              add(m.name.span, { kind: 'keyword', text: m.name.text });
              expr(m.value, scope);
              break;
            case 'error':
              // nothing to do for the others (listed so that a new kind is a question here)
              break;
          }
        }
        break;
      }
      case 'host': {
        const scope: Scope = { params: new Map(), aliases: new Map(), inCode: false };
        for (const m of item.members) {
          if (m.kind === 'policy') {
            add(m.subject.span, { kind: 'keyword', text: m.subject.text });
            const rule = lookupHostPolicyRule(m.rule.text);
            add(m.rule.span, rule ? { kind: 'host-policy', rule } : { kind: 'keyword', text: m.rule.text });
            if (m.vm) add(m.vm.span, { kind: 'vm', name: m.vm.text, vm: vmByName(m.vm.text), declaration: false });
            if (m.qualifier) add(m.qualifier.span, { kind: 'keyword', text: m.qualifier.text });
          } else if (m.kind === 'setting') {
            const setting = lookupHostSetting(m.name.text);
            if (setting) add(m.name.span, { kind: 'host-setting', setting });
            expr(m.value, scope);
          } else if (m.kind === 'at') {
            expr(m.from, scope);
            expr(m.to, scope);
            const a = m.action;
            if (a.kind === 'irq') {
              expr(a.irq, scope);
              add(a.vm.span, { kind: 'vm', name: a.vm.text, vm: vmByName(a.vm.text), declaration: false });
            } else if (a.kind === 'vmm') {
              add(a.vm.span, { kind: 'vm', name: a.vm.text, vm: vmByName(a.vm.text), declaration: false });
              word(a.answer, vmmAnswerDoc(a.answer.text));
            }
          }
        }
        break;
      }
      case 'program': {
        const vm = vmByName(item.vm.text);
        add(item.vm.span, { kind: 'vm', name: item.vm.text, vm, declaration: false });
        const index = vcpuIndexOf(item.vcpu.text);
        if (index !== undefined) add(item.vcpu.span, { kind: 'vcpu', index, vm });
        if (item.off) add(item.off, { kind: 'keyword', text: 'off', doc: POWERED_OFF_DOC });
        block(item.body, { vm, owner: vm, params: new Map(), aliases: new Map(), inCode: true });
        break;
      }
      case 'proc': {
        add(item.name.span, { kind: 'proc', name: item.name.text, declaration: true });
        const params = new Map<string, Span>();
        for (const p of item.params) {
          if (!params.has(p.text)) params.set(p.text, p.span);
          add(p.span, { kind: 'param', name: p.text, proc: item.name.text, decl: p.span, declaration: true });
        }
        block(item.body, {
          vm: procVm(item.name.text),
          owner: procOwner(item.name.text),
          params,
          proc: item.name.text,
          aliases: new Map(),
          inCode: true,
        });
        break;
      }
      case 'expectViolation': {
        const info = INVARIANT_INFO.find((i) => i.id === item.invariant.text);
        if (info) add(item.invariant.span, { kind: 'invariant', info });
        break;
      }
      case 'explore': {
        add(item.keyword, { kind: 'explore' });
        const scope: Scope = { params: new Map(), aliases: new Map(), inCode: false };
        for (const m of item.members) {
          if (m.kind !== 'bound') continue;
          const bound = lookupExploreBound(m.name.text);
          if (bound) add(m.name.span, { kind: 'explore-bound', bound });
          expr(m.value, scope);
        }
        break;
      }
      case 'error':
      default:
        break;
    }
  }
  out.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  return new OccurrenceIndex(out);
}

/** The leading comment of a declaration (`/** ... *\/` or `//` lines right above it), as plain text. */
export function leadingComment(file: SourceFile, start: number): string | undefined {
  const text = file.text;
  let end = start;
  while (end > 0 && /[ \t\r\n]/.test(text[end - 1])) end--;
  // Only a comment that ends on the line just above the declaration (lines as the source file counts them).
  const endLine = file.position(end).line;
  if (file.position(start).line - endLine > 1) return undefined;
  if (text.startsWith('*/', end - 2)) {
    const open = text.lastIndexOf('/*', end - 2);
    if (open < 0) return undefined;
    return text
      .slice(open + 2, end - 2)
      .replace(/^\*+/, '')
      .split(/\r\n|\r|\n/)
      .map((l) => l.replace(/^\s*\*?\s?/, '').trimEnd())
      .join('\n')
      .trim();
  }
  const lines: string[] = [];
  for (let line = endLine; line >= 0; line--) {
    const content = text.slice(file.lineStart(line), line === endLine ? end : file.lineEnd(line)).trim();
    if (!content.startsWith('//')) break;
    lines.unshift(content.replace(/^\/\/\s?/, ''));
  }
  return lines.length ? lines.join('\n') : undefined;
}
