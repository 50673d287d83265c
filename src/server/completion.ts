// Completion by position: what the grammar allows at the cursor, filled from the checker's view of the scenario
// (VMs, devices, labels, signals, procs including the prelude's) and the domain tables (PSCI functions with their
// arguments, config registers and fields, constants, device models and options, invariants, explore bounds).

import {
  Command,
  CompletionContext,
  CompletionItem,
  CompletionItemKind,
  CompletionList,
  CompletionTriggerKind,
  InsertTextFormat,
  MarkupKind,
  TextEdit,
} from 'vscode-languageserver';
import { CONSTANTS, ConstantGroup } from '../lang/domain/constants';
import { DEVICE_MODELS, DEVICE_MODEL_NAMES, FOREACH_DEVICE_FILTERS, lookupDeviceModel } from '../lang/domain/devices';
import {
  FLAVOUR_NAMES,
  FlavourName,
  FLAVOURS,
  HOST_VMM_ANSWERS,
  lookupFlavour,
  VMM_ANSWER_DOCS,
  VMM_EVENT_NAMES,
  VMM_EVENTS,
} from '../lang/domain/flavours';
import { EXPLORE_BOUNDS } from '../lang/domain/explore';
import { HOST_POLICY_RULES, HOST_SETTINGS } from '../lang/domain/host';
import { INVARIANT_INFO } from '../lang/domain/invariants';
import { configRegisters, lookupRegister } from '../lang/domain/pci';
import { formatVersion, lookupPsciFunction, PSCI_FUNCTIONS, PsciFunction, versionAtLeast } from '../lang/domain/psci';
import { lookupVcpuField, POWERED_OFF_DOC, vcpuIndexOf, VCPU_FIELDS } from '../lang/domain/vcpu';
import { STATEMENT_KEYWORDS, VM_MEMBER_KEYWORDS } from '../lang/parser';
import { DeviceConfig, VmConfig } from '../lang/program';
import { aliasMembers, StateMember, stateMembers } from '../lang/state-paths';
import type { Analysis } from './analysis';
import { CursorContext, cursorContext, lineTokens, pathBeforeCursor } from './context';
import {
  bdfText,
  constantMarkdown,
  deviceMarkdown,
  deviceValueMarkdown,
  exploreBoundMarkdown,
  exploreMarkdown,
  fieldMarkdown,
  hex,
  invariantMarkdown,
  modelMarkdown,
  optionMarkdown,
  psciMarkdown,
  registerMarkdown,
  vcpuFieldMarkdown,
  vmMarkdown,
} from './docs';
import { constantsNamed, leadingComment } from './occurrences';

export interface CompletionOptions {
  snippets: boolean;
}

const TRIGGER_PARAMETER_HINTS: Command = { title: 'Signature help', command: 'editor.action.triggerParameterHints' };
const TRIGGER_SUGGEST: Command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };

const STATEMENT_DOCS: Record<string, string> = {
  psci: 'psci FUNCTION [arg=value ...]: a PSCI call (HVC); the result is in x0',
  smc: 'smc ID [x1=v] [x2=v] [x3=v]: a raw SMC with any function ID',
  hvc: 'hvc ID [x1=v] [x2=v] [x3=v]: a raw HVC with any function ID',
  mmio: 'mmio read ADDR [width W] | mmio write ADDR = VALUE [width W]',
  s2idle: 's2idle notify: the write to the s2idle notify register',
  pci: 'pci read|write DEV REG[.FIELD] [= VALUE], pci save|restore DEV',
  virtio: 'virtio freeze|restore DEV, virtio status DEV = VALUE',
  irq: 'irq enable N [wake] | irq disable N | irq ack N',
  wfi: 'wait for an interrupt',
  delay: 'delay TIME: takes TIME of virtual time',
  signal: 'signal NAME: raises a per-VM signal',
  wait: 'wait signal NAME | wait EXPR',
  call: 'call PROC [args]',
  return: 'returns from a proc or an interrupt handler',
  loop: 'loop { ... }: an endless loop (leave it with break)',
  break: 'leaves the innermost loop',
  if: 'if EXPR { ... } [else { ... }]',
  halt: 'the vCPU stops',
  set: 'set REG = EXPR: writes a register of the running vCPU',
  expect: 'expect EXPR [, "message"]: an assertion',
  log: 'log "text {EXPR}"',
  on: 'on irq N { ... }: an interrupt handler (top level of a program)',
  foreach: 'foreach device|vcpu NAME [FILTER] { ... }: unrolled per item',
  clear: 'clear signal NAME: lowers a signal',
  context: "context save | context restore: arm64 Linux's __cpu_suspend_enter and cpu_resume",
};

const VM_MEMBER_DOCS: Record<string, string> = {
  hypervisor: `hypervisor ${FLAVOUR_NAMES.join('|')} [psci V] [{ options }]`,
  vcpus: 'vcpus N: number of vCPUs (1..512, default 1)',
  ram: 'ram BASE SIZE (default 0x40000000 256M)',
  device: 'device NAME MODEL at BDF [irq N] [{ options }]',
  s2idle_notify: 's2idle_notify at ADDR: the virtual PMC register the guest writes in s2idle',
  watchdog: "watchdog TIME: the VM's watchdog timeout",
  role: 'role hardware-domain: Xen dom0',
  on: "on EVENT: ANSWER [| ANSWER ...]: the VMM's answer to an exit",
  statement_time: 'statement_time TIME: cost of one statement (default 1us)',
  jitter: 'jitter P%: random spread of the statement time',
  code_base: 'code_base ADDR: where the code is laid out',
};

export function completion(
  analysis: Analysis,
  position: { line: number; character: number },
  context: CompletionContext | undefined,
  options: CompletionOptions,
): CompletionList {
  const offset = analysis.offset(position);
  const ctx = cursorContext(analysis, offset);
  const c = new Completer(analysis, ctx, options);
  if (!ctx.inert) {
    const bySpace = context?.triggerKind === CompletionTriggerKind.TriggerCharacter && context.triggerCharacter === ' ';
    c.run(bySpace);
  }
  return { isIncomplete: false, items: c.items };
}

class Completer {
  readonly items: CompletionItem[] = [];
  private readonly seen = new Set<string>();
  /** set by a slot that only makes sense after a space (a word that the statement requires next) */
  private wordSlot = false;

  constructor(
    private readonly analysis: Analysis,
    private readonly ctx: CursorContext,
    private readonly options: CompletionOptions,
  ) {}

  private get tokens() {
    return this.ctx.tokens;
  }
  private w(i: number): string | undefined {
    const t = this.tokens[i];
    return t ? t.text : undefined;
  }
  private get n(): number {
    return this.tokens.length;
  }

  run(bySpace: boolean): void {
    const ctx = this.ctx;
    const path = pathBeforeCursor(ctx);
    if (path) return this.path(path);
    if (ctx.inHole) return this.values();
    switch (ctx.block) {
      case 'top':
        this.top();
        break;
      case 'vm':
        this.vm();
        break;
      case 'host':
        this.host();
        break;
      case 'options':
        this.optionBlock();
        break;
      case 'explore':
        this.exploreBlock();
        break;
      case 'code':
        this.code();
        break;
    }
    // Typing a space pops the list only where the statement needs a word from a known set next.
    if (bySpace && !this.wordSlot) this.items.length = 0;
  }

  // ------------------------------------------------------------------------------------ item builders

  private add(item: CompletionItem, key = `${item.kind}:${item.label}`): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const range = {
      start: this.analysis.file.position(this.ctx.wordStart),
      end: this.analysis.file.position(this.ctx.offset),
    };
    if (!item.textEdit) {
      item.textEdit = TextEdit.replace(range, item.insertText ?? item.label);
      delete item.insertText;
    }
    this.items.push(item);
  }

  private md(value: string) {
    return { kind: MarkupKind.Markdown, value };
  }

  private keyword(word: string, doc?: string, sort = '1'): void {
    this.add({ label: word, kind: CompletionItemKind.Keyword, detail: doc, sortText: sort + word });
  }

  private words(
    words: Iterable<string>,
    kind: CompletionItemKind = CompletionItemKind.EnumMember,
    docs?: Record<string, string>,
  ): void {
    for (const w of words) this.add({ label: w, kind, documentation: docs?.[w] ? this.md(docs[w]) : undefined });
  }

  private snippet(label: string, snippet: string, plain: string, item: Partial<CompletionItem>): void {
    if (this.options.snippets)
      this.add({ label, insertText: snippet, insertTextFormat: InsertTextFormat.Snippet, ...item });
    else this.add({ label, insertText: plain, ...item });
  }

  private slot(): void {
    this.wordSlot = true;
  }

  // ------------------------------------------------------------------------------------ names in scope

  private get vms(): VmConfig[] {
    return this.ctx.vms;
  }

  private allVms(): VmConfig[] {
    return this.analysis.result.program.vms.filter((v) => v.name !== 'library_view');
  }

  private devices(filter?: (d: DeviceConfig) => boolean): void {
    for (const vm of this.vms) {
      for (const d of vm.devices) {
        if (filter && !filter(d)) continue;
        this.add({
          label: d.name,
          kind: CompletionItemKind.Variable,
          detail: `${d.model} at ${bdfText(d)}`,
          documentation: this.md(deviceMarkdown(d.name, d, lookupDeviceModel(d.model), vm)),
        });
      }
    }
    for (const [name, over] of this.ctx.aliases)
      if (over === 'device') this.add({ label: name, kind: CompletionItemKind.Variable, detail: 'foreach device' });
  }

  private labels(): void {
    const vmNames = new Set(this.vms.map((v) => v.name));
    for (const d of this.analysis.result.symbols.defs) {
      if (d.kind === 'label' && d.vm && vmNames.has(d.vm))
        this.add({ label: d.name, kind: CompletionItemKind.Reference, detail: `label in ${d.vm}` });
    }
  }

  private signals(): void {
    const vmNames = new Set(this.vms.map((v) => v.name));
    for (const d of this.analysis.result.symbols.defs) {
      if (d.kind === 'signal' && d.vm && vmNames.has(d.vm))
        this.add({ label: d.name, kind: CompletionItemKind.Event, detail: `signal of ${d.vm}` });
    }
    // Signals the checker has not met yet (code it did not compile): any `signal NAME` in the document.
    for (const m of this.analysis.text.matchAll(/\bsignal[ \t]+([A-Za-z_][\w-]*)/g))
      if (m[1] !== 'signal') this.add({ label: m[1], kind: CompletionItemKind.Event, detail: 'signal' });
  }

  private procs(withArgs: boolean, prefix = ''): void {
    for (const d of this.analysis.result.symbols.defs) {
      if (d.kind !== 'proc' || !d.name.startsWith(prefix)) continue;
      const params = /^proc\((.*)\)$/.exec(d.detail ?? '')?.[1] ?? '';
      const names = params ? params.split(', ') : [];
      const library = d.file !== this.analysis.file || this.analysis.library;
      const doc = leadingComment(d.file, d.fullSpan.start);
      const item: CompletionItem = {
        label: d.name,
        kind: CompletionItemKind.Function,
        detail: `proc ${d.name}(${params})${library ? ' · Linux prelude' : ''}`,
        documentation: doc ? this.md(doc) : undefined,
        sortText: (library ? '2' : '1') + d.name,
        filterText: d.name,
      };
      if (prefix)
        item.textEdit = TextEdit.replace(
          {
            start: this.analysis.file.position(this.ctx.wordStart - prefix.length),
            end: this.analysis.file.position(this.ctx.offset),
          },
          d.name,
        );
      if (withArgs && names.length && !prefix && this.options.snippets) {
        item.insertText = `${d.name}(${names.map((p, i) => `\${${i + 1}:${p}}`).join(', ')})`;
        item.insertTextFormat = InsertTextFormat.Snippet;
      }
      this.add(item);
    }
  }

  private vmNames(): void {
    for (const vm of this.allVms())
      this.add({
        label: vm.name,
        kind: CompletionItemKind.Module,
        detail: `VM (${vm.flavour})`,
        documentation: this.md(vmMarkdown(vm)),
      });
  }

  private vcpus(): void {
    const count = Math.max(0, ...this.vms.map((v) => v.vcpuCount));
    for (let i = 0; i < count; i++)
      this.add({ label: `vcpu${i}`, kind: CompletionItemKind.Variable, detail: `vCPU ${i}: its MPIDR affinity` });
    for (const [name, over] of this.ctx.aliases)
      if (over === 'vcpu') this.add({ label: name, kind: CompletionItemKind.Variable, detail: 'foreach vcpu' });
  }

  private registers(writable = false): void {
    for (const f of VCPU_FIELDS) {
      if (writable && !f.writable) continue;
      this.add({
        label: f.name,
        kind: CompletionItemKind.Field,
        detail: f.doc,
        documentation: this.md(vcpuFieldMarkdown(f)),
        sortText: '3' + (/^x\d+$/.test(f.name) ? f.name.slice(1).padStart(2, '0') : f.name),
      });
    }
  }

  private constants(first?: ConstantGroup[], only?: ConstantGroup[]): void {
    for (const c of CONSTANTS) {
      if (only && !only.includes(c.group)) continue;
      const preferred = first?.includes(c.group);
      const all = constantsNamed(c.name) ?? [c];
      const value = c.group === 'psci-function' ? hex(c.value, 8) : c.value.toString();
      this.add(
        {
          label: c.name,
          kind: CompletionItemKind.Constant,
          detail: `${value} · ${c.group}`,
          documentation: this.md(constantMarkdown(c.name, all)),
          sortText: (preferred ? '0' : c.group === 'psci-function' ? '6' : '4') + c.name,
        },
        `const:${c.name}`,
      );
    }
  }

  /** Everything an expression may name here. */
  private values(hint?: ConstantGroup[]): void {
    const inCode = this.ctx.block === 'code' || this.ctx.inHole;
    for (const p of this.ctx.params)
      this.add({ label: p, kind: CompletionItemKind.Variable, detail: 'parameter', sortText: '0' + p });
    if (inCode) {
      this.registers();
      this.labels();
      this.devices();
      this.vcpus();
      this.add({ label: 'now', kind: CompletionItemKind.Keyword, detail: 'the virtual time', sortText: '5now' });
      this.add({ label: 'irq', kind: CompletionItemKind.Keyword, detail: 'irq N pending', sortText: '5irq' });
    }
    this.add({ label: 'true', kind: CompletionItemKind.Keyword, sortText: '5true' });
    this.add({ label: 'false', kind: CompletionItemKind.Keyword, sortText: '5false' });
    if (inCode) {
      this.add({ label: 'host', kind: CompletionItemKind.Module, detail: 'host.state', sortText: '5host' });
      this.vmNames();
    }
    this.constants(hint);
  }

  // ------------------------------------------------------------------------------------ paths

  private path(p: { parts: string[]; start: number; tokenIndex: number }): void {
    const prefix = p.parts.join('.') + '.';
    const stmt = this.w(0);
    // `pci write DEV pmcsr.` names a field of the register.
    if (
      stmt === 'pci' &&
      (this.w(1) === 'read' || this.w(1) === 'write') &&
      p.tokenIndex === 3 &&
      p.parts.length === 1
    ) {
      const reg = lookupRegister(p.parts[0]);
      const device = this.findDevice(this.w(2));
      if (reg)
        for (const f of reg.def.fields)
          this.add({
            label: f.name,
            kind: CompletionItemKind.Field,
            detail: `[${f.lsb + f.width - 1 === f.lsb ? f.lsb : `${f.lsb + f.width - 1}:${f.lsb}`}] ${f.access}`,
            documentation: this.md(fieldMarkdown(reg, f, device)),
          });
      return;
    }
    if (this.ctx.block === 'top') {
      const vm = this.analysis.vm(p.parts[0]);
      if (vm && p.parts.length === 1) this.programHeaders(vm, false);
      return;
    }
    // Proc names: `call linux.` or `entry=linux.`.
    const procs = this.analysis.result.symbols.defs.some((d) => d.kind === 'proc' && d.name.startsWith(prefix));
    if (procs) this.procs(false, prefix);
    if (stmt === 'call' && p.tokenIndex === 1) return;
    this.memberPath(p.parts);
  }

  private findDevice(name: string | undefined): DeviceConfig | undefined {
    if (!name) return undefined;
    for (const vm of this.vms) {
      const d = vm.devices.find((x) => x.name === name);
      if (d) return d;
    }
    return undefined;
  }

  /** What may follow a written path (`net0.`, `guest.vcpu1.`, `gpu.config.pmcsr.`), from src/lang/state-paths. */
  private memberPath(parts: string[]): void {
    const program = this.analysis.result.program;
    const alias = this.ctx.aliases.get(parts[0]);
    // The VM the path is read in: the code's one VM, or else the first VM in scope that has a device of that name.
    const scoped =
      this.vms.length === 1 ? this.vms[0] : this.vms.find((v) => v.devices.some((d) => d.name === parts[0]));
    const vm = scoped ? program.vms.indexOf(scoped) : -1;
    const members = alias
      ? aliasMembers(alias, parts.slice(1))
      : stateMembers(program, parts, { vm: vm >= 0 ? vm : undefined });
    for (const m of members) this.member(m);
  }

  private member(m: StateMember): void {
    const program = this.analysis.result.program;
    const t = m.target;
    const deviceOf = (at: { vm?: number; device?: number }): DeviceConfig | undefined =>
      at.vm === undefined || at.device === undefined ? undefined : program.vms[at.vm]?.devices[at.device];
    if (!t) {
      const kind = m.kind === 'vcpu' || m.kind === 'device' ? CompletionItemKind.Variable : CompletionItemKind.Module;
      const device = m.device && deviceOf(m.device);
      this.add({ label: m.name, kind, detail: device ? `${device.model} at ${bdfText(device)}` : m.doc });
      return;
    }
    switch (t.kind) {
      case 'vcpu-field':
        this.add({
          label: m.name,
          kind: CompletionItemKind.Field,
          detail: t.row.doc,
          documentation: this.md(vcpuFieldMarkdown(t.row)),
          sortText: '3' + (/^x\d+$/.test(m.name) ? m.name.slice(1).padStart(2, '0') : m.name),
        });
        return;
      case 'host-field':
      case 'vm-field':
        this.add({ label: m.name, kind: CompletionItemKind.Property, detail: t.row.doc });
        return;
      case 'device-field':
        this.add(
          {
            label: m.name,
            kind: CompletionItemKind.Property,
            detail: 'device value',
            documentation: this.md(deviceValueMarkdown(t.row, deviceOf(t))),
            sortText: '0' + m.name,
          },
          `member:${m.name}`,
        );
        return;
      case 'config-register':
        this.add(
          {
            label: m.name,
            kind: CompletionItemKind.Field,
            detail: `config ${hex(t.register.offset)}, ${t.register.def.size * 8} bits`,
            documentation: this.md(registerMarkdown(t.register, deviceOf(t))),
            sortText: '1' + hex(t.register.offset),
          },
          `member:${m.name}`,
        );
        return;
      case 'config-field':
        this.add({
          label: m.name,
          kind: CompletionItemKind.Field,
          detail: t.field.access,
          documentation: this.md(fieldMarkdown(t.register, t.field, deviceOf(t))),
        });
        return;
    }
  }

  // ------------------------------------------------------------------------------------ top level

  private programHeaders(vm: VmConfig, full: boolean): void {
    const taken = new Set(vm.programEntry.map((e, i) => (e >= 0 ? i : -1)));
    for (const item of this.analysis.ast.items)
      if (item.kind === 'program' && item.vm.text === vm.name) taken.add(vcpuIndexOf(item.vcpu.text) ?? -1);
    for (let i = 0; i < vm.vcpuCount; i++) {
      if (taken.has(i)) continue;
      const label = full ? `${vm.name}.vcpu${i}` : `vcpu${i}`;
      this.snippet(label, `${label} {\n\t$0\n}`, label, {
        kind: CompletionItemKind.Module,
        detail: `the program of vCPU ${i} of ${vm.name}`,
        sortText: '0' + label,
      });
    }
  }

  private top(): void {
    const n = this.n;
    if (n === 0) {
      this.snippet(
        'vm',
        'vm ${1:guest} {\n\thypervisor ${2|' + FLAVOUR_NAMES.join(',') + '|}\n\tvcpus ${3:1}\n}',
        'vm',
        {
          kind: CompletionItemKind.Keyword,
          detail: 'vm NAME { ... }',
        },
      );
      this.snippet('host', 'host {\n\t$0\n}', 'host', {
        kind: CompletionItemKind.Keyword,
        detail: "host { ... }: the host's policies and timed actions",
      });
      this.snippet('proc', 'proc ${1:name} {\n\t$0\n}', 'proc', {
        kind: CompletionItemKind.Keyword,
        detail: 'proc NAME [params] { ... }',
      });
      this.add({
        label: 'expect violation',
        kind: CompletionItemKind.Keyword,
        detail: 'expect violation INVARIANT',
        command: TRIGGER_SUGGEST,
        insertText: 'expect violation ',
      });
      // One per scenario: not offered again once the document has one (other than the word being typed).
      if (!this.analysis.ast.items.some((i) => i.kind === 'explore' && i.keyword.start !== this.ctx.wordStart)) {
        this.snippet('explore', 'explore {\n\t$0\n}', 'explore', {
          kind: CompletionItemKind.Keyword,
          detail: 'explore [{ bounds }]: sflow test explores the interleavings',
          documentation: this.md(exploreMarkdown()),
          // Inside the inserted block the bounds are what comes next.
          command: this.options.snippets ? TRIGGER_SUGGEST : undefined,
        });
      }
      for (const vm of this.allVms()) this.programHeaders(vm, true);
      return;
    }
    // `guest.vcpu1 ¦`: the program may be declared powered off at creation.
    if (n === 3 && this.w(1) === '.' && vcpuIndexOf(this.w(2) ?? '') !== undefined) {
      this.add({
        label: 'off',
        kind: CompletionItemKind.Keyword,
        detail: 'created powered off: CPU_ON enters it at one of its labels',
        documentation: this.md(POWERED_OFF_DOC),
      });
      return;
    }
    if (this.w(0) === 'expect') {
      this.slot();
      if (n === 1) this.keyword('violation');
      else if (n === 2 && this.w(1) === 'violation') {
        for (const i of INVARIANT_INFO)
          this.add({
            label: i.id,
            kind: CompletionItemKind.EnumMember,
            detail: i.title,
            documentation: this.md(invariantMarkdown(i)),
          });
      }
    }
  }

  // ------------------------------------------------------------------------------------ vm

  private flavour(): FlavourName {
    const item = this.ctx.vmItem;
    const declared = item?.members.find((m) => m.kind === 'hypervisor');
    const text = declared?.kind === 'hypervisor' ? declared.flavour.text : undefined;
    return lookupFlavour(text ?? '')?.name ?? this.vms[0]?.flavour ?? 'kvm';
  }

  private vm(): void {
    const n = this.n;
    const first = this.w(0);
    if (n === 0) {
      for (const k of VM_MEMBER_KEYWORDS) this.keyword(k, VM_MEMBER_DOCS[k]);
      this.snippet(
        'device …',
        'device ${1:name} ${2|' + DEVICE_MODEL_NAMES.join(',') + '|} at ${3:' + this.freeBdf() + '}',
        'device',
        {
          kind: CompletionItemKind.Snippet,
          detail: 'device NAME MODEL at BDF',
          filterText: 'device',
          sortText: '0device',
        },
      );
      return;
    }
    this.slot();
    switch (first) {
      case 'hypervisor':
        if (n === 1)
          this.words(
            FLAVOUR_NAMES,
            CompletionItemKind.EnumMember,
            Object.fromEntries(FLAVOUR_NAMES.map((f) => [f, FLAVOURS[f].title])),
          );
        else if (n === 2) this.keyword('psci');
        else if (n === 3 && this.w(2) === 'psci')
          this.words((lookupFlavour(this.w(1) ?? '') ?? FLAVOURS.kvm).psciVersions, CompletionItemKind.Value);
        return;
      case 'device':
        if (n === 2)
          for (const m of DEVICE_MODELS)
            this.add({
              label: m.name,
              kind: CompletionItemKind.Class,
              detail: m.doc,
              documentation: this.md(modelMarkdown(m)),
            });
        else if (n === 3) this.keyword('at');
        else if (n === 4 && this.w(3) === 'at')
          this.add({ label: this.freeBdf(), kind: CompletionItemKind.Value, detail: 'the next free PCI address' });
        else if (n === 5) this.keyword('irq');
        return;
      case 'role':
        if (n === 1)
          this.words(['hardware-domain'], CompletionItemKind.EnumMember, {
            'hardware-domain': 'Xen dom0: its suspend suspends the host',
          });
        return;
      case 's2idle_notify':
        if (n === 1) this.keyword('at');
        return;
      case 'on': {
        const flavour = this.flavour();
        if (n === 1) {
          this.words(
            VMM_EVENT_NAMES.filter((e) => FLAVOURS[flavour].vmm[e]),
            CompletionItemKind.Event,
            Object.fromEntries(VMM_EVENT_NAMES.map((e) => [e, VMM_EVENTS[e].doc])),
          );
          return;
        }
        const last = this.w(n - 1);
        if (last === ':' || last === '|') {
          const event = VMM_EVENT_NAMES.find((e) => e === this.w(1));
          const answers = (event && FLAVOURS[flavour].vmm[event]) ?? [];
          this.words(answers, CompletionItemKind.EnumMember, VMM_ANSWER_DOCS);
        }
        return;
      }
      case undefined:
      default:
        this.wordSlot = false;
    }
  }

  /** The first PCI address on bus 0 no device of the VM uses. */
  private freeBdf(): string {
    const vm = this.vms[0];
    for (let dev = 1; dev < 32; dev++) {
      if (!vm || !vm.devices.some((d) => d.bus === 0 && d.dev === dev && d.fn === 0))
        return `00:${hex(dev).slice(2)}.0`;
    }
    return '00:01.0';
  }

  private optionBlock(): void {
    const owner = this.ctx.optionsOf;
    if (!owner) return;
    const options =
      owner.kind === 'device'
        ? (lookupDeviceModel(owner.model.text)?.options ?? [])
        : (lookupFlavour(owner.flavour.text) ?? FLAVOURS.kvm).options;
    if (this.n === 0) {
      const given = new Set(owner.options.map((o) => o.name.text));
      for (const o of options)
        if (!given.has(o.name) || o.kind === 'enum')
          this.add({
            label: o.name,
            kind: CompletionItemKind.Property,
            detail: o.doc,
            documentation: this.md(optionMarkdown(o)),
          });
      return;
    }
    const option = options.find((o) => o.name === this.w(0));
    if (!option) return;
    this.slot();
    const given = new Set(this.tokens.slice(1).map((t) => t.text.toLowerCase()));
    if (option.kind === 'bool') this.words(['true', 'false'], CompletionItemKind.Value);
    else if (option.kind === 'states')
      this.words(
        (option.values ?? []).filter((v) => !given.has(v)),
        CompletionItemKind.Value,
      );
    else if (this.n === 1) this.words(option.values ?? [], CompletionItemKind.Value);
  }

  // ------------------------------------------------------------------------------------ explore

  /** At the start of a member: the bounds not given yet. Their values are numbers and times: nothing to offer. */
  private exploreBlock(): void {
    if (this.n !== 0) return;
    const given = this.exploreBoundsGiven();
    for (const b of EXPLORE_BOUNDS) {
      if (given.has(b.name)) continue;
      this.snippet(b.name, `${b.name} \${1:${b.example}}`, `${b.name} `, {
        kind: CompletionItemKind.Property,
        detail: b.doc,
        documentation: this.md(exploreBoundMarkdown(b)),
      });
    }
  }

  /**
   * The first word of each member of the explore block around the cursor, read from the tokens: a block still
   * being written has no `}` yet, and the parser then keeps no members. The word being typed does not count.
   */
  private exploreBoundsGiven(): Set<string> {
    const given = new Set<string>();
    const item = this.analysis.ast.items.filter((i) => i.span.start < this.ctx.offset).pop();
    if (!item) return given;
    const text = this.analysis.text;
    const end = item.kind === 'explore' ? item.span.end : text.length;
    let memberStart = false;
    for (const t of lineTokens(text.slice(item.span.start, end), item.span.start)) {
      if (t.kind === 'newline' || (t.kind === 'punct' && (t.text === '{' || t.text === ';'))) {
        memberStart = true;
        continue;
      }
      if (memberStart && t.kind === 'ident' && t.span.start !== this.ctx.wordStart) given.add(t.text);
      memberStart = false;
    }
    return given;
  }

  // ------------------------------------------------------------------------------------ host

  private host(): void {
    const n = this.n;
    if (n === 0) {
      this.keyword('policy', `policy suspend ${HOST_POLICY_RULES.map((r) => r.form).join(' | ')}`);
      this.snippet('at', 'at ${1:10ms}: $0', 'at', {
        kind: CompletionItemKind.Keyword,
        detail: 'at TIME[..TIME]: ACTION',
        command: TRIGGER_SUGGEST,
      });
      for (const s of HOST_SETTINGS) this.keyword(s.name, `${s.name} TIME: ${s.doc} (default ${s.defaultText})`);
      return;
    }
    this.slot();
    if (this.w(0) === 'policy') {
      if (n === 1) this.keyword('suspend');
      else if (n === 2)
        this.words(
          HOST_POLICY_RULES.map((r) => r.name),
          CompletionItemKind.EnumMember,
          Object.fromEntries(HOST_POLICY_RULES.map((r) => [r.name, r.form === r.name ? r.doc : `${r.form}: ${r.doc}`])),
        );
      else if (n === 3 && (this.w(2) === 'waits-for' || this.w(2) === 'privileged')) this.vmNames();
      else if (n === 4 && this.w(2) === 'waits-for') this.keyword('s2idle');
      return;
    }
    if (this.w(0) === 'at') {
      const colon = this.tokens.findIndex((t) => t.kind === 'punct' && t.text === ':');
      if (colon < 0) {
        this.wordSlot = false;
        return;
      }
      const rest = this.tokens.slice(colon + 1).map((t) => t.text);
      if (rest.length === 0) {
        this.keyword('irq', 'irq N -> VM: raises an interrupt for a VM');
        this.keyword('request', 'request suspend: asks the host to suspend');
        this.keyword('wake', 'wakes the host');
        this.keyword('vmm', "vmm VM confirm|deny|resume: answers the VM's deferred exit");
      } else if (rest[0] === 'irq' && rest[rest.length - 1] === '->') this.vmNames();
      else if (rest[0] === 'request' && rest.length === 1) this.keyword('suspend');
      else if (rest[0] === 'vmm' && rest.length === 1) this.vmNames();
      else if (rest[0] === 'vmm' && rest.length === 2)
        this.words(HOST_VMM_ANSWERS, CompletionItemKind.EnumMember, VMM_ANSWER_DOCS);
      else this.wordSlot = false;
    }
  }

  // ------------------------------------------------------------------------------------ code

  private statementKeywords(): void {
    for (const k of STATEMENT_KEYWORDS) this.keyword(k, STATEMENT_DOCS[k]);
    // `else` after the `}` of an if on an earlier line.
    const before = this.analysis.text.slice(Math.max(0, this.ctx.wordStart - 200), this.ctx.wordStart).trimEnd();
    if (before.endsWith('}')) this.keyword('else');
  }

  private afterOperand(): boolean {
    const last = this.tokens[this.n - 1];
    if (!last) return false;
    if (
      last.kind === 'ident' ||
      last.kind === 'number' ||
      last.kind === 'time' ||
      last.kind === 'percent' ||
      last.kind === 'bdf' ||
      last.kind === 'string'
    )
      return true;
    return last.kind === 'punct' && last.text === ')';
  }

  private code(): void {
    const n = this.n;
    if (n === 0) return this.statementKeywords();
    const w0 = this.w(0)!;
    const last = this.w(n - 1)!;
    switch (w0) {
      case 'psci':
        return this.psci();
      case 'smc':
      case 'hvc':
        if (last === '=') return this.values();
        if (n >= 2 && !this.afterOperand()) return;
        if (n >= 2) {
          this.slot();
          const given = new Set(this.tokens.map((t) => t.text));
          for (const r of ['x1', 'x2', 'x3'])
            if (!given.has(r))
              this.snippet(`${r}=`, `${r}=$1`, `${r}=`, {
                kind: CompletionItemKind.Field,
                detail: `argument register ${r}`,
              });
        }
        return;
      case 'call':
        if (n === 1) {
          this.slot();
          return this.procs(true);
        }
        return this.afterOperand() ? undefined : this.values();
      case 'pci':
        this.slot();
        if (n === 1) return this.words(['read', 'write', 'save', 'restore'], CompletionItemKind.Keyword);
        if (n === 2) return this.devices();
        if (n === 3 && (this.w(1) === 'read' || this.w(1) === 'write')) {
          const device = this.findDevice(this.w(2));
          for (const r of configRegisters())
            this.add({
              label: r.def.name,
              kind: CompletionItemKind.Field,
              detail: `config ${hex(r.offset)}, ${r.def.size * 8} bits${r.def.fields.length ? ', fields: ' + r.def.fields.map((f) => f.name).join(' ') : ''}`,
              documentation: this.md(registerMarkdown(r, device)),
              sortText: (r.def.name === 'pmcsr' ? '0' : '1') + hex(r.offset),
            });
          return;
        }
        this.wordSlot = false;
        if (last === '=') {
          const field = this.w(4) === '.' ? this.w(5) : undefined;
          return this.values(this.w(3) === 'pmcsr' && field === 'state' ? ['d-state'] : undefined);
        }
        if (last === 'width') return this.words(['8', '16', '32'], CompletionItemKind.Value);
        return;
      case 'virtio':
        this.slot();
        if (n === 1) return this.words(['freeze', 'restore', 'status'], CompletionItemKind.Keyword);
        if (n === 2) return this.devices((d) => d.virtio);
        this.wordSlot = false;
        if (last === '=') return this.values(['virtio-status']);
        return;
      case 'irq':
        this.slot();
        if (n === 1) return this.words(['enable', 'disable', 'ack'], CompletionItemKind.Keyword);
        if (n === 3 && this.w(1) === 'enable') return this.keyword('wake');
        this.wordSlot = false;
        return;
      case 'signal':
        this.slot();
        if (n === 1) this.signals();
        return;
      case 'clear':
        this.slot();
        if (n === 1) return this.keyword('signal');
        if (n === 2 && this.w(1) === 'signal') this.signals();
        return;
      case 'wait':
        if (n === 1) {
          this.slot();
          this.keyword('signal', 'wait signal NAME', '0');
          return this.values();
        }
        if (n === 2 && this.w(1) === 'signal') {
          this.slot();
          return this.signals();
        }
        return this.afterOperand() ? undefined : this.values();
      case 'context':
        this.slot();
        if (n === 1) this.words(['save', 'restore'], CompletionItemKind.Keyword);
        return;
      case 's2idle':
        this.slot();
        if (n === 1) this.keyword('notify');
        return;
      case 'mmio':
        if (n === 1) {
          this.slot();
          return this.words(['read', 'write'], CompletionItemKind.Keyword);
        }
        if (last === 'width') {
          this.slot();
          return this.words(['8', '16', '32', '64'], CompletionItemKind.Value);
        }
        if (this.afterOperand() && n >= 3) return this.keyword('width');
        return this.afterOperand() ? undefined : this.values();
      case 'foreach':
        this.slot();
        if (n === 1) return this.words(['device', 'vcpu'], CompletionItemKind.Keyword);
        if (n === 3)
          return this.words(
            this.w(1) === 'device'
              ? [...FOREACH_DEVICE_FILTERS.filter((f) => f !== 'all'), 'all']
              : ['secondary', 'all'],
            CompletionItemKind.Keyword,
          );
        return;
      case 'on':
        this.slot();
        if (n === 1) this.keyword('irq');
        return;
      case 'set':
        if (n === 1) {
          this.slot();
          return this.registers(true);
        }
        if (last === '=') return this.values();
        return this.afterOperand() ? undefined : this.values();
      case 'expect':
      case 'if':
      case 'delay':
        // The statement's keyword is no operand: `expect ¦` and `if x¦` take a value.
        if (this.n > 1 && this.afterOperand()) return;
        return this.values(this.comparisonHint());
      default:
        return;
    }
  }

  /** After `x == `, the constants of the left side's group come first. */
  private comparisonHint(): ConstantGroup[] | undefined {
    const t = this.tokens;
    const op = t[t.length - 1];
    if (!op || op.kind !== 'punct' || !['==', '!=', '<', '<=', '>', '>='].includes(op.text)) return undefined;
    const left = t[t.length - 2]?.text;
    const base = t[t.length - 4]?.text;
    if (!left) return undefined;
    if (left === 'x0') return ['psci-return', 'power'];
    if (left === 'power' || left === 'mp_state') return [lookupVcpuField(left)!.group!];
    if (left === 'dstate') return ['d-state'];
    if (left === 'state') return base === 'pmcsr' ? ['d-state'] : base === 'host' ? ['host-state'] : ['vm-state'];
    if (left === 'status') return ['virtio-status'];
    return undefined;
  }

  private psci(): void {
    const n = this.n;
    if (n === 1) {
      this.slot();
      return this.psciFunctions();
    }
    const ref = lookupPsciFunction(this.w(1)!);
    if (!ref) return;
    const last = this.w(n - 1)!;
    if (last === '=') {
      const argName = this.w(n - 2)!;
      return this.psciValue(ref.fn, argName);
    }
    // After the function name or a complete name=value: the arguments not given yet.
    if (n === 2 || (n >= 5 && this.tokens[n - 2].text === '=')) {
      this.slot();
      const given = new Set<string>();
      for (let i = 2; i + 1 < n; i++) if (this.tokens[i + 1].text === '=') given.add(this.tokens[i].text);
      for (const a of ref.fn.args) {
        if (given.has(a.name)) continue;
        this.snippet(`${a.name}=`, `${a.name}=$1`, `${a.name}=`, {
          kind: CompletionItemKind.Field,
          detail: `x${a.register}: ${a.doc}`,
          sortText: String(a.register),
          command: TRIGGER_SUGGEST,
        });
      }
    }
  }

  private psciFunctions(): void {
    const version = this.vms[0]?.psciVersion;
    const entry = this.labelNames()[0];
    for (const fn of PSCI_FUNCTIONS) {
      const available = !version || versionAtLeast(version, fn.since);
      const id = hex(fn.smc64 ?? fn.smc32, 8);
      const placeholder = (name: string, i: number) =>
        `\${${i}:${name === 'entry' && entry ? entry : name === 'target' ? 'vcpu1' : name === 'context' ? '0' : name}}`;
      const snippet = [fn.name, ...fn.args.map((a, i) => `${a.name}=${placeholder(a.name, i + 1)}`)].join(' ');
      const item: Partial<CompletionItem> = {
        kind: CompletionItemKind.Function,
        labelDetails: {
          detail: fn.args.length ? ' ' + fn.args.map((a) => `${a.name}=`).join(' ') : '',
          description: `PSCI ${formatVersion(fn.since)} · ${id}`,
        },
        detail: `${id}${available ? '' : ` · not in PSCI ${formatVersion(version!)}`}`,
        documentation: this.md(psciMarkdown(fn)),
        sortText: (available ? '0' : '1') + String(fn.n).padStart(2, '0'),
        filterText: fn.name,
        command: fn.args.length ? TRIGGER_PARAMETER_HINTS : undefined,
      };
      this.snippet(fn.name, snippet, fn.name, item);
      if (fn.smc64 !== undefined) {
        for (const width of ['32', '64']) {
          const name = fn.name + width;
          const wid = hex(width === '32' ? fn.smc32 : fn.smc64, 8);
          this.add({
            label: name,
            kind: CompletionItemKind.Function,
            labelDetails: { description: `SMC${width} · ${wid}` },
            detail: `${wid}: ${fn.name} with the SMC${width} calling convention`,
            documentation: this.md(psciMarkdown(fn, name)),
            sortText: '2' + name,
          });
        }
      }
    }
  }

  private labelNames(): string[] {
    const vmNames = new Set(this.vms.map((v) => v.name));
    return this.analysis.result.symbols.defs
      .filter((d) => d.kind === 'label' && d.vm && vmNames.has(d.vm))
      .map((d) => d.name);
  }

  /** Values for `psci FN arg=`: labels and procs for entry, vCPUs for target, function IDs for function... */
  private psciValue(fn: PsciFunction, argName: string): void {
    const arg = fn.args.find((a) => a.name === argName);
    if (!arg) return this.values();
    switch (arg.kind) {
      case 'address':
        if (arg.name === 'entry') {
          this.labels();
          this.procs(false);
          return;
        }
        return this.values();
      case 'mpidr':
        this.vcpus();
        this.registers();
        return;
      case 'fid':
        return this.constants(undefined, ['psci-function']);
      case 'type':
        return this.values(fn.name === 'SYSTEM_RESET2' || fn.name === 'SYSTEM_OFF2' ? ['psci-type'] : undefined);
      case 'context':
      case 'cookie':
      case 'level':
      case 'power_state':
      default:
        return this.values();
    }
  }
}
