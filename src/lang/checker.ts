// The checker: resolves every name of a parsed scenario (VMs, vCPUs, devices, registers, labels, procs, signals,
// PSCI functions and their arguments), checks values and units, and has codegen.ts lower the programs to the flat
// instruction arrays the simulator runs. It reports every problem it finds with a precise span and keeps going; a
// program with
// errors is still returned (for the language server) but the simulator refuses it.

import * as A from './ast';
import { ConstantGroup, constantNames, FIRST_SPI, lookupConstant, MAX_INTID } from './domain/constants';
import { DEVICE_MODEL_NAMES, lookupDeviceField, lookupDeviceModel } from './domain/devices';
import {
  FLAVOUR_NAMES,
  FLAVOURS,
  VMM_EVENT_NAMES,
  VMM_EVENTS,
  VmmAnswer,
  HOST_VMM_ANSWERS,
  lookupFlavour,
  parsePsciVersion,
} from './domain/flavours';
import { MPIDR_HWID_BITMASK, PsciVersion, mpidrOf } from './domain/psci';
import { VCPU_FIELDS, VM_FIELDS, VcpuField, lookupVcpuField, vcpuIndexOf } from './domain/vcpu';
import { INVARIANT_INFO } from './domain/invariants';
import { EXPLORE_BOUNDS, exploreValueText, lookupExploreBound } from './domain/explore';
import {
  HOST_POLICY_RULES,
  HOST_SETTINGS,
  lookupHostPolicyRule,
  lookupHostSetting,
  MAX_HOST_SETTING,
} from './domain/host';
import { Diagnostic, DiagnosticBag } from './diagnostics';
import { parse, parseExpression, ParseResult } from './parser';
import { preludeFiles } from './prelude';
import * as P from './program';
import { SourceFile, Span } from './source';
import { closest, didYouMean } from './suggest';
import { SymbolDef, SymbolIndex } from './symbols';
import { ExprContext, ProcEntry, Typed, VmBuild } from './check-context';
import {
  PathResolution,
  resolveDeviceTail,
  resolveHostTail,
  resolveVcpuTail,
  resolveVmField,
  StateWorld,
} from './state-paths';
import { CodeGen } from './codegen';
import { foldConst } from './fold';
import { forEachStatement, walkBlock } from './ast-walk';

export interface CheckResult {
  program: P.Program;
  symbols: SymbolIndex;
  parses: ParseResult[];
  diagnostics: Diagnostic[];
}

export const DEFAULT_RAM_BASE = 0x40000000n;
export const DEFAULT_RAM_SIZE = 256n << 20n;
/** Where code starts in RAM when `code_base` is not given (arm64 Linux's historical TEXT_OFFSET). */
export const DEFAULT_CODE_OFFSET = 0x80000n;
export const DEFAULT_STATEMENT_TIME = 1000n;
export const MAX_VCPUS = 512;
/**
 * What one scenario may declare in all, so that what it costs to simulate is bounded whatever the file says (a file of
 * 16 MiB could otherwise declare thousands of VMs of 512 vCPUs each).
 */
export const MAX_TOTAL_VCPUS = 4096;
export const MAX_TOTAL_DEVICES = 4096;
/** How long the host takes from deciding to suspend to being suspended when `suspend_latency` is not given. */
export const DEFAULT_HOST_SUSPEND_LATENCY = lookupHostSetting('suspend_latency')!.default;
/** The host's settings when the scenario gives none (src/lang/domain/host.ts). */
export function defaultHostConfig(): P.HostConfig {
  const host: P.HostConfig = { policies: [], actions: [], suspendLatency: 0, s2idleTimeout: 0 };
  for (const s of HOST_SETTINGS) host[s.field] = s.default;
  return host;
}
/** The Linux prelude's proc a Linux guest runs for an interrupt with no `on irq` handler (lib/linux.sflow). */
const DEFAULT_IRQ_HANDLER = 'linux.generic_handle_irq';

/**
 * Checks and compiles a scenario. `files[0]` is the scenario; later files are libraries (procs only, e.g. the Linux
 * prelude). `parsed` has parses already made (the language server's incremental ones).
 */
export function check(files: SourceFile[], parsed?: ReadonlyMap<SourceFile, ParseResult>): CheckResult {
  return new Checker(files, parsed).run();
}

export function checkText(path: string, text: string, libraries: SourceFile[] = []): CheckResult {
  return check([new SourceFile(path, text), ...libraries]);
}

export interface CompiledExpression {
  expr?: P.RExpr;
  type: P.ValueType;
  /** names the value's constants (a power state, a D-state) */
  group?: ConstantGroup;
  diagnostics: Diagnostic[];
}

/**
 * Compiles an expression typed against a running program (for the debugger: hovers, watches, conditions, the
 * console), as seen from a vCPU of VM `vm` (its registers, labels and devices in scope) or from no vCPU (`vm`
 * undefined: the host thread). Either way, names that are unambiguous in the world resolve: a device or label that
 * only one VM declares, `vcpuN.FIELD` when there is one VM, a VM (its state), a device alone (its D-state), `now`,
 * `host.state`, VM-qualified paths (`guest.vcpu1.power`, `guest.net0.pmcsr.state`, `guest.LABEL`). A name several
 * VMs declare, or a register with no vCPU, is an error that says what to write instead.
 */
export function compileExpression(
  program: P.Program,
  text: string,
  vm?: number,
  params?: string[],
): CompiledExpression {
  const file = new SourceFile('<expression>', text);
  const diags = new DiagnosticBag(file);
  const ast = parseExpression(file, diags);
  if (!ast) return { type: 'any', diagnostics: diags.items };
  const typed = Checker.forProgram(program).resolveStandalone(ast, file, diags, vm, params);
  const errors = diags.items.filter((d) => d.severity === 'error');
  return { expr: errors.length ? undefined : typed.r, type: typed.type, group: typed.group, diagnostics: diags.items };
}

export class Checker {
  private readonly parses: ParseResult[];
  private readonly symbols = new SymbolIndex();
  private readonly vms: VmBuild[] = [];
  private readonly vmByName = new Map<string, VmBuild>();
  private readonly procs = new Map<string, ProcEntry>();
  private readonly hostItems: { item: A.HostItem; file: SourceFile; diags: DiagnosticBag }[] = [];
  private readonly programs: { item: A.ProgramItem; file: SourceFile; diags: DiagnosticBag }[] = [];
  private readonly expectedViolations: P.Program['expectedViolations'] = [];
  /** the scenario's `explore` declaration (the first one; a second is an error) */
  private explore?: { item: A.ExploreItem; file: SourceFile; declaration: P.ExploreDeclaration };

  constructor(
    private readonly files: SourceFile[],
    parsed?: ReadonlyMap<SourceFile, ParseResult>,
  ) {
    this.parses = files.map((f) => parsed?.get(f) ?? parse(f));
  }

  /**
   * A checker that knows an already compiled program's names (VMs, devices, labels, procs), for expressions typed
   * while the program runs: breakpoint conditions, watches, hovers, the debug console.
   */
  static forProgram(program: P.Program): Checker {
    const c = new Checker([]);
    for (const cfg of program.vms) {
      const build: VmBuild = {
        item: { kind: 'vm', name: { text: cfg.name, span: cfg.loc.span }, members: [], span: cfg.loc.span },
        file: cfg.loc.file,
        config: cfg,
        labelDefs: new Map(),
        labelFixups: [],
        procFrames: new Map(),
        procFixups: [],
        callFixups: [],
        signalIndex: new Map(cfg.signals.map((n, i) => [n, i])),
        signalsRaised: new Set(),
        signalWaits: [],
        deviceDefs: new Map(),
        programs: [],
        signalDefs: new Map(),
      };
      for (const [name, index] of cfg.labels) {
        const loc = cfg.code[index]?.loc ?? cfg.loc;
        build.labelDefs.set(name, {
          kind: 'label',
          name,
          vm: cfg.name,
          file: loc.file,
          span: loc.span,
          fullSpan: loc.span,
        });
      }
      for (const d of cfg.devices)
        build.deviceDefs.set(d.name, {
          kind: 'device',
          name: d.name,
          vm: cfg.name,
          file: d.loc.file,
          span: d.loc.span,
          fullSpan: d.loc.span,
        });
      cfg.frames.forEach((f, i) => {
        if (f.kind !== 'proc') return;
        build.procFrames.set(f.name, i);
        if (!c.procs.has(f.name)) {
          const def: SymbolDef = {
            kind: 'proc',
            name: f.name,
            file: f.loc.file,
            span: f.loc.span,
            fullSpan: f.loc.span,
          };
          c.procs.set(f.name, {
            item: undefined as unknown as A.ProcItem,
            file: f.loc.file,
            diags: new DiagnosticBag(f.loc.file),
            def,
            library: true,
          });
        }
      });
      c.vms.push(build);
      c.vmByName.set(cfg.name, build);
    }
    return c;
  }

  /** Resolves an expression in the context of a VM (or none), patching label and proc addresses at once. */
  resolveStandalone(
    expr: A.Expr,
    file: SourceFile,
    diags: DiagnosticBag,
    vm: number | undefined,
    params?: string[],
  ): Typed {
    const build = vm === undefined ? undefined : this.vms[vm];
    const typed = this.resolve(expr, { vm: build, params, inCode: build !== undefined, running: true, file, diags });
    // A label may be another VM's (one only that VM declares), so every VM's fixups are patched.
    for (const b of this.vms) {
      for (const f of b.labelFixups.splice(0))
        f.expr.value = P.instrAddress(b.config, b.config.labels.get(f.name) ?? 0);
    }
    if (build) {
      for (const f of build.procFixups.splice(0)) {
        const frame = build.procFrames.get(f.proc);
        if (frame === undefined)
          diags.add(
            { start: 0, end: file.text.length },
            'unknown-proc',
            `proc '${f.proc}' is not part of VM '${build.config.name}'`,
          );
        else f.expr.value = P.instrAddress(build.config, build.config.frames[frame].entry);
      }
    }
    return typed;
  }

  run(): CheckResult {
    this.collect();
    this.checkSomethingRuns();
    for (const vm of this.vms) this.buildVmConfig(vm);
    this.checkTotals();
    this.attachPrograms();
    for (const vm of this.vms) this.generateCode(vm);
    this.checkUnusedProcs();
    const host = this.buildHost();
    const diagnostics = this.allDiagnostics();
    const program: P.Program = {
      files: this.files,
      vms: this.vms.map((v) => v.config),
      host,
      expectedViolations: this.expectedViolations,
      diagnostics,
    };
    if (this.explore) program.explore = this.explore.declaration;
    return { program, symbols: this.symbols, parses: this.parses, diagnostics };
  }

  private allDiagnostics(): Diagnostic[] {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const p of this.parses) {
      for (const d of p.diagnostics.items) {
        const key = `${d.file.path}:${d.span.start}:${d.span.end}:${d.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(d);
      }
    }
    return out.sort((a, b) =>
      a.file === b.file
        ? a.span.start - b.span.start || a.span.end - b.span.end
        : this.files.indexOf(a.file) - this.files.indexOf(b.file),
    );
  }

  /**
   * A scenario declares a VM and a program for one of its vCPUs; without either nothing would run and the run would
   * pass (an empty file, or one of procs only). The prelude checked on its own is a library, not a scenario.
   */
  private checkSomethingRuns(): void {
    const scenario = this.files[0];
    if (!scenario || isPrelude(scenario) || (this.vms.length > 0 && this.programs.length > 0)) return;
    this.parses[0].diagnostics.add(
      { start: 0, end: 0 },
      'nothing-to-run',
      'the scenario has nothing to run: declare a VM (vm NAME { hypervisor kvm }) and a program for one of its vCPUs (NAME.vcpu0 { ... })',
    );
  }

  // ------------------------------------------------------------------------------------------ collection

  private collect(): void {
    this.parses.forEach((p, fileIndex) => {
      const diags = p.diagnostics;
      const isLibrary = fileIndex > 0;
      for (const item of p.ast.items) {
        switch (item.kind) {
          case 'vm': {
            if (isLibrary) {
              diags.add(item.name.span, 'library-declaration', 'a library file may only declare procs');
              break;
            }
            const existing = this.vmByName.get(item.name.text);
            if (existing) {
              diags.add(item.name.span, 'duplicate-vm', `VM '${item.name.text}' is already declared`, {
                related: [{ file: existing.file, span: existing.item.name.span, message: 'first declared here' }],
              });
              break;
            }
            const vm = this.newVmBuild(item, p.file);
            this.vms.push(vm);
            this.vmByName.set(item.name.text, vm);
            vm.def = this.symbols.define({
              kind: 'vm',
              name: item.name.text,
              file: p.file,
              span: item.name.span,
              fullSpan: item.span,
              detail: 'vm',
            });
            break;
          }
          case 'host':
            if (isLibrary) diags.add(item.span, 'library-declaration', 'a library file may only declare procs');
            else this.hostItems.push({ item, file: p.file, diags });
            break;
          case 'program':
            if (isLibrary) diags.add(item.span, 'library-declaration', 'a library file may only declare procs');
            else this.programs.push({ item, file: p.file, diags });
            break;
          case 'proc': {
            const existing = this.procs.get(item.name.text);
            if (existing) {
              diags.add(item.name.span, 'duplicate-proc', `proc '${item.name.text}' is already declared`, {
                related: [{ file: existing.file, span: existing.item.name.span, message: 'first declared here' }],
              });
              break;
            }
            const def = this.symbols.define({
              kind: 'proc',
              name: item.name.text,
              file: p.file,
              span: item.name.span,
              fullSpan: item.span,
              detail: `proc(${item.params.map((x) => x.text).join(', ')})`,
            });
            this.procs.set(item.name.text, { item, file: p.file, diags, def, library: isLibrary });
            const seenParams = new Set<string>();
            for (const param of item.params) {
              if (seenParams.has(param.text))
                diags.add(param.span, 'duplicate-parameter', `parameter '${param.text}' appears twice`);
              seenParams.add(param.text);
            }
            break;
          }
          case 'expectViolation': {
            const ids = INVARIANT_INFO.map((i) => i.id);
            if (isLibrary) diags.add(item.span, 'library-declaration', 'a library file may only declare procs');
            else if (!ids.includes(item.invariant.text)) {
              diags.add(
                item.invariant.span,
                'unknown-invariant',
                `unknown invariant '${item.invariant.text}'${didYouMean(item.invariant.text, ids)}; the invariants are ${ids.join(', ')}`,
                this.fixFor(item.invariant, ids),
              );
            } else if (this.expectedViolations.some((v) => v.id === item.invariant.text)) {
              diags.add(item.invariant.span, 'duplicate-declaration', `'${item.invariant.text}' is already expected`);
            } else this.expectedViolations.push({ id: item.invariant.text, loc: this.loc(p.file, item.span) });
            break;
          }
          case 'explore':
            // Exploring is what a scenario asks of `sflow test`; the prelude is shared by every scenario.
            if (isLibrary) diags.add(item.keyword, 'library-declaration', 'a library file may only declare procs');
            else this.readExplore(item, p.file, diags);
            break;
          case 'error':
            break;
        }
      }
    });
  }

  /** Fills Program.explore from the first `explore`; each bound once, with a constant value of its kind. */
  private readExplore(item: A.ExploreItem, file: SourceFile, diags: DiagnosticBag): void {
    if (this.explore) {
      diags.add(item.keyword, 'duplicate-explore', "'explore' is already declared; a scenario has one set of bounds", {
        related: [{ file: this.explore.file, span: this.explore.item.keyword, message: 'first declared here' }],
      });
      return;
    }
    const declaration: P.ExploreDeclaration = { loc: this.loc(file, item.keyword) };
    this.explore = { item, file, declaration };
    const ctx: ExprContext = { inCode: false, file, diags };
    const names = EXPLORE_BOUNDS.map((b) => b.name);
    const seen = new Map<string, A.ExploreMember>();
    for (const m of item.members) {
      if (m.kind !== 'bound') continue;
      const bound = lookupExploreBound(m.name.text);
      if (!bound) {
        diags.add(
          m.name.span,
          'unknown-explore-bound',
          `'explore' has no bound '${m.name.text}'; it takes ${names.join(', ')}${didYouMean(m.name.text, names)}`,
          this.fixFor(m.name, names),
        );
        continue;
      }
      const prior = seen.get(bound.name);
      if (prior) {
        diags.add(m.name.span, 'duplicate-declaration', `'${bound.name}' is given twice in 'explore'`, {
          related: [{ file, span: prior.name.span, message: 'first given here' }],
        });
        continue;
      }
      seen.set(bound.name, m);
      const what = `'${bound.name}'`;
      if (!m.value) {
        diags.add(m.name.span, 'missing-value', `${what} needs a value: ${exploreValueText(bound)}`);
        continue;
      }
      if (bound.value === 'time') {
        const t = this.constTime(m.value, ctx, what);
        if (t === undefined) continue;
        if (t <= 0n) diags.add(m.value.span, 'bad-value', `${what} is ${exploreValueText(bound)}, not ${t}ns`);
        else if (bound.field === 'until' || bound.field === 'skew') declaration[bound.field] = t;
        continue;
      }
      // A count: an integer, not a time, and (unlike conditions) not a boolean either.
      const typed = this.resolve(m.value, ctx);
      if (typed.type === 'time' || typed.type === 'bool') {
        diags.add(
          m.value.span,
          'type-mismatch',
          `${what} is ${exploreValueText(bound)}, not ${typed.type === 'time' ? 'a time' : 'a boolean'}`,
        );
        continue;
      }
      const n = this.fold(typed, m.value, ctx, what);
      if (n === undefined) continue;
      if (n <= 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) {
        diags.add(
          m.value.span,
          'bad-value',
          n <= 0n ? `${what} is ${exploreValueText(bound)}, not ${n}` : `${what} is at most ${Number.MAX_SAFE_INTEGER}`,
        );
        continue;
      }
      if (bound.field === 'maxStates') declaration.maxStates = Number(n);
      else if (bound.field === 'depth') declaration.depth = Number(n);
    }
  }

  private newVmBuild(item: A.VmItem, file: SourceFile): VmBuild {
    const config: P.VmConfig = {
      name: item.name.text,
      index: this.vms.length,
      loc: this.loc(file, item.name.span),
      flavour: 'kvm',
      psciVersion: parsePsciVersion(FLAVOURS.kvm.defaultPsciVersion),
      // every field is set below, from the default of its option's row in src/lang/domain/flavours
      kvm: {} as P.KvmOptions,
      xen: {} as P.XenOptions,
      vcpuCount: 1,
      ramBase: DEFAULT_RAM_BASE,
      ramSize: DEFAULT_RAM_SIZE,
      devices: [],
      hardwareDomain: false,
      vmm: Object.fromEntries(VMM_EVENT_NAMES.map((e) => [e, [VMM_EVENTS[e].default]])) as P.VmConfig['vmm'],
      statementTime: DEFAULT_STATEMENT_TIME,
      jitterPercent: 0,
      codeBase: DEFAULT_RAM_BASE + DEFAULT_CODE_OFFSET,
      code: [],
      frames: [],
      programEntry: [],
      poweredOff: [],
      handlers: [],
      labels: new Map(),
      signals: [],
    };
    for (const flavour of FLAVOUR_NAMES)
      for (const option of FLAVOURS[flavour].options) option.set(config, option.default);
    return {
      item,
      file,
      config,
      labelDefs: new Map(),
      labelFixups: [],
      procFrames: new Map(),
      procFixups: [],
      callFixups: [],
      signalIndex: new Map(),
      signalsRaised: new Set(),
      signalWaits: [],
      deviceDefs: new Map(),
      programs: [],
      signalDefs: new Map(),
    };
  }

  private loc(file: SourceFile, span: Span): P.Loc {
    return { file, span, line: file.position(span.start).line };
  }

  private diagsFor(file: SourceFile): DiagnosticBag {
    return this.parses[this.files.indexOf(file)].diagnostics;
  }

  // ------------------------------------------------------------------------------------------ VM declarations

  /** The whole scenario's vCPUs and devices, within what the simulator takes; the VM that goes past says so. */
  private checkTotals(): void {
    let vcpus = 0;
    let devices = 0;
    for (const vm of this.vms) {
      vcpus += vm.config.vcpuCount;
      devices += vm.config.devices.length;
      const diags = this.diagsFor(vm.file);
      if (vcpus > MAX_TOTAL_VCPUS && vcpus - vm.config.vcpuCount <= MAX_TOTAL_VCPUS) {
        diags.add(
          vm.item.name.span,
          'too-many',
          `with VM '${vm.config.name}' the scenario has ${vcpus} vCPUs; a scenario simulates at most ${MAX_TOTAL_VCPUS} (split it into several scenarios)`,
        );
      }
      if (devices > MAX_TOTAL_DEVICES && devices - vm.config.devices.length <= MAX_TOTAL_DEVICES) {
        diags.add(
          vm.item.name.span,
          'too-many',
          `with VM '${vm.config.name}' the scenario has ${devices} devices; a scenario simulates at most ${MAX_TOTAL_DEVICES} (split it into several scenarios)`,
        );
      }
    }
  }

  private buildVmConfig(vm: VmBuild): void {
    const diags = this.diagsFor(vm.file);
    const cfg = vm.config;
    const seen = new Map<string, A.VmMember>();
    const ctx: ExprContext = { inCode: false, file: vm.file, diags };
    let codeBaseSet = false;
    let hypervisorSeen = false;
    const once = (member: A.VmMember, key: string, span: Span): boolean => {
      const prior = seen.get(key);
      if (prior) {
        diags.add(span, 'duplicate-declaration', `'${key}' is declared twice in VM '${cfg.name}'`, {
          related: [{ file: vm.file, span: prior.span, message: 'first declared here' }],
        });
        return false;
      }
      seen.set(key, member);
      return true;
    };

    // The hypervisor decides what the other members mean, so read it first.
    for (const m of vm.item.members) {
      if (m.kind !== 'hypervisor' || !once(m, 'hypervisor', m.span)) continue;
      hypervisorSeen = true;
      this.readHypervisor(m, cfg, diags);
    }
    if (!hypervisorSeen)
      diags.add(
        vm.item.name.span,
        'missing-hypervisor',
        `VM '${cfg.name}' needs a ${FLAVOUR_NAMES.map((f) => `'hypervisor ${f}'`).join(' or ')} declaration`,
      );

    for (const m of vm.item.members) {
      switch (m.kind) {
        case 'hypervisor':
        case 'error':
          break;
        case 'vcpus': {
          if (!once(m, 'vcpus', m.span)) break;
          const n = this.constInt(m.count, ctx, 'the number of vCPUs');
          if (n === undefined) break;
          if (n < 1n || n > BigInt(MAX_VCPUS))
            diags.add(m.count.span, 'bad-value', `a VM has 1 to ${MAX_VCPUS} vCPUs, not ${n}`);
          else cfg.vcpuCount = Number(n);
          break;
        }
        case 'ram': {
          if (!once(m, 'ram', m.span)) break;
          const base = this.constInt(m.base, ctx, 'the RAM base address');
          const size = this.constInt(m.size, ctx, 'the RAM size');
          if (base !== undefined) {
            if (base < 0n) diags.add(m.base.span, 'bad-value', 'the RAM base is an address, not negative');
            else {
              if (base % 4096n !== 0n) diags.add(m.base.span, 'bad-value', 'RAM must start on a 4K page boundary');
              cfg.ramBase = base;
            }
          }
          if (size !== undefined) {
            if (size <= 0n) diags.add(m.size.span, 'bad-value', 'RAM size must be positive');
            else if (base !== undefined && base >= 0n && base + size > 1n << 64n) {
              diags.add(
                m.size.span,
                'bad-value',
                `RAM from 0x${base.toString(16)} of 0x${size.toString(16)} bytes runs past the end of the 64-bit address space`,
              );
            } else cfg.ramSize = size;
          }
          break;
        }
        case 'device':
          this.readDevice(m, vm, ctx);
          break;
        case 's2idleNotify': {
          if (!once(m, 's2idle_notify', m.span)) break;
          const address = this.constInt(m.address, ctx, 'the s2idle notify register address');
          if (address !== undefined) {
            if (address % 4n !== 0n)
              diags.add(m.address.span, 'bad-value', 'the s2idle notify register is 4-byte aligned');
            cfg.s2idleNotify = address;
          }
          break;
        }
        case 'watchdog': {
          if (!once(m, 'watchdog', m.span)) break;
          const t = this.constTime(m.timeout, ctx, 'the watchdog timeout');
          if (t !== undefined && t <= 0n)
            diags.add(m.timeout.span, 'bad-value', 'the watchdog timeout must be positive');
          else if (t !== undefined) cfg.watchdog = t;
          break;
        }
        case 'role':
          if (!once(m, 'role', m.span)) break;
          if (m.role.text !== 'hardware-domain') {
            diags.add(
              m.role.span,
              'bad-value',
              `unknown role '${m.role.text}'; the only role is 'hardware-domain' (Xen dom0)`,
              this.fixFor(m.role, ['hardware-domain']),
            );
          } else if (cfg.flavour !== 'xen') {
            diags.add(m.role.span, 'bad-value', "'role hardware-domain' is a Xen concept (dom0); this VM runs on kvm");
          } else cfg.hardwareDomain = true;
          break;
        case 'on':
          this.readVmmAnswer(m, cfg, diags, once);
          break;
        case 'setting':
          if (!once(m, m.name.text, m.span)) break;
          if (m.name.text === 'statement_time') {
            const t = this.constTime(m.value, ctx, 'the statement time');
            if (t !== undefined) {
              if (t <= 0n) diags.add(m.value.span, 'bad-value', 'statement_time must be positive');
              else cfg.statementTime = t;
            }
          } else if (m.name.text === 'jitter') {
            if (m.value.kind !== 'number' || m.value.unit !== 'percent')
              diags.add(m.value.span, 'type-mismatch', "jitter is a percentage such as '10%'");
            else if (m.value.value > 100n) diags.add(m.value.span, 'bad-value', 'jitter is at most 100%');
            else cfg.jitterPercent = Number(m.value.value);
          } else if (m.name.text === 'code_base') {
            const base = this.constInt(m.value, ctx, 'the code base address');
            if (base !== undefined) {
              if (base % 4n !== 0n) diags.add(m.value.span, 'bad-value', 'code_base must be 4-byte aligned');
              cfg.codeBase = base;
              codeBaseSet = true;
            }
          }
          break;
      }
    }
    if (!codeBaseSet) cfg.codeBase = cfg.ramBase + DEFAULT_CODE_OFFSET;
    else if (cfg.codeBase < cfg.ramBase || cfg.codeBase >= cfg.ramBase + cfg.ramSize) {
      const m = vm.item.members.find((x) => x.kind === 'setting' && x.name.text === 'code_base');
      if (m) diags.add(m.span, 'bad-value', "code_base must lie inside the VM's RAM");
    }
    cfg.programEntry = new Array<number>(cfg.vcpuCount).fill(-1);
    cfg.poweredOff = new Array<boolean>(cfg.vcpuCount).fill(false);
    cfg.handlers = Array.from({ length: cfg.vcpuCount }, () => new Map<number, number>());
  }

  private readHypervisor(m: A.HypervisorDecl, cfg: P.VmConfig, diags: DiagnosticBag): void {
    const flavour = lookupFlavour(m.flavour.text);
    if (!flavour) {
      const names = FLAVOUR_NAMES.map((f) => `'${f}'`);
      diags.add(
        m.flavour.span,
        'unknown-flavour',
        `unknown hypervisor '${m.flavour.text}'; expected ${names.join(' or ')}${didYouMean(m.flavour.text, FLAVOUR_NAMES)}`,
        this.fixFor(m.flavour, FLAVOUR_NAMES),
      );
      return;
    }
    cfg.flavour = flavour.name;
    cfg.psciVersion = parsePsciVersion(flavour.defaultPsciVersion);
    const version = m.psciVersion?.text ?? flavour.defaultPsciVersion;
    if (!flavour.psciVersions.includes(version)) {
      diags.add(
        m.psciVersion?.span ?? m.flavour.span,
        'unsupported-psci-version',
        `PSCI ${version} is not available on ${flavour.name}: ${flavour.versionsNote}`,
      );
    } else {
      cfg.psciVersion = parsePsciVersion(version) satisfies PsciVersion;
    }
    const known = flavour.options.map((o) => o.name);
    for (const option of m.options) {
      const row = flavour.options.find((o) => o.name === option.name.text);
      if (!row) {
        diags.add(
          option.name.span,
          'unknown-option',
          `unknown ${flavour.name} option '${option.name.text}'; expected ${known.join(' or ')}${didYouMean(option.name.text, known)}`,
          this.fixFor(option.name, known),
        );
        continue;
      }
      const word = this.optionWord(option, row.values, diags);
      if (word !== undefined) row.set(cfg, word);
    }
  }

  /** The single word an option takes, checked against its allowed values. */
  private optionWord(option: A.OptionDecl, allowed: string[], diags: DiagnosticBag): string | undefined {
    if (option.values.length !== 1) {
      diags.add(
        option.span,
        'bad-option-value',
        `option '${option.name.text}' takes one value: ${allowed.join(' or ')}`,
      );
      return undefined;
    }
    const word = this.wordOf(option.values[0]);
    if (word === undefined || !allowed.includes(word)) {
      diags.add(
        option.values[0].span,
        'bad-option-value',
        `option '${option.name.text}' is ${allowed.join(' or ')}${word ? didYouMean(word, allowed) : ''}`,
      );
      return undefined;
    }
    return word;
  }

  private wordOf(e: A.Expr): string | undefined {
    if (e.kind === 'path' && e.parts.length === 1) return e.parts[0].text;
    if (e.kind === 'bool') return String(e.value);
    if (e.kind === 'number' && e.unit === 'none') return e.value.toString();
    return undefined;
  }

  private readVmmAnswer(
    m: A.OnEventDecl,
    cfg: P.VmConfig,
    diags: DiagnosticBag,
    once: (m: A.VmMember, key: string, span: Span) => boolean,
  ): void {
    const flavour = FLAVOURS[cfg.flavour];
    const event = m.event.text as P.VmmEvent;
    const all: string[] = VMM_EVENT_NAMES;
    if (!all.includes(event)) {
      diags.add(
        m.event.span,
        'unknown-vmm-event',
        `unknown VMM event '${m.event.text}'; expected ${all.join(', ')}${didYouMean(m.event.text, all)}`,
        this.fixFor(m.event, all),
      );
      return;
    }
    const allowed = flavour.vmm[event];
    if (!allowed) {
      diags.add(
        m.event.span,
        'bad-vmm-event',
        flavour.noVmmExit?.[event] ?? `'on ${event}' does not apply to ${cfg.flavour}`,
      );
      return;
    }
    if (!once(m, `on ${event}`, m.span)) return;
    const answers: VmmAnswer[] = [];
    for (const a of m.answers) {
      const answer = allowed.find((x) => x === a.text);
      if (!answer) {
        diags.add(
          a.span,
          'bad-vmm-answer',
          `the VMM answers '${event}' with ${allowed.join(', ')}, not '${a.text}'${didYouMean(a.text, allowed)}`,
          this.fixFor(a, allowed),
        );
        continue;
      }
      if (answers.includes(answer)) diags.warn(a.span, 'duplicate-answer', `'${a.text}' is listed twice`);
      else answers.push(answer);
    }
    if (answers.length > 0) cfg.vmm[event] = answers;
  }

  private readDevice(m: A.DeviceDecl, vm: VmBuild, ctx: ExprContext): void {
    const diags = ctx.diags;
    const cfg = vm.config;
    if (vm.deviceDefs.has(m.name.text)) {
      diags.add(m.name.span, 'duplicate-device', `device '${m.name.text}' is already declared in VM '${cfg.name}'`, {
        related: [{ file: vm.file, span: vm.deviceDefs.get(m.name.text)!.span, message: 'first declared here' }],
      });
      return;
    }
    const model = lookupDeviceModel(m.model.text);
    if (!model) {
      const names: string[] = DEVICE_MODEL_NAMES;
      diags.add(
        m.model.span,
        'unknown-device-model',
        `unknown device model '${m.model.text}'; expected ${names.join(', ')}${didYouMean(m.model.text, names)}`,
        this.fixFor(m.model, names),
      );
      return;
    }
    const bdf = /^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/.exec(m.bdf.text);
    if (!bdf) return;
    // `BB:DD.F` is in domain 0, as `0000:BB:DD.F` is.
    const [domain, bus, dev, fn] = [
      parseInt(bdf[1] ?? '0', 16),
      parseInt(bdf[2], 16),
      parseInt(bdf[3], 16),
      parseInt(bdf[4], 16),
    ];
    if (dev > 31) diags.add(m.bdf.span, 'bad-value', `PCI device number ${dev} is out of range (0-1f)`);
    const clash = cfg.devices.find((d) => d.domain === domain && d.bus === bus && d.dev === dev && d.fn === fn);
    if (clash) diags.add(m.bdf.span, 'duplicate-bdf', `${m.bdf.text} is already taken by '${clash.name}'`);
    let irq: number | undefined;
    if (m.irq) {
      const n = this.constInt(m.irq, ctx, 'the interrupt number');
      if (n !== undefined) {
        if (n < FIRST_SPI || n > MAX_INTID)
          diags.add(m.irq.span, 'bad-value', `a device interrupt is an SPI, ${FIRST_SPI} to ${MAX_INTID}, not ${n}`);
        else irq = Number(n);
      }
    }
    const options: Record<string, string[]> = {};
    for (const o of m.options) {
      const def = model.options.find((x) => x.name === o.name.text);
      const names = model.options.map((x) => x.name);
      if (!def) {
        diags.add(
          o.name.span,
          'unknown-option',
          `'${model.name}' has no option '${o.name.text}'; it takes ${names.join(', ')}${didYouMean(o.name.text, names)}`,
          this.fixFor(o.name, names),
        );
        continue;
      }
      if (options[def.name]) diags.add(o.name.span, 'duplicate-declaration', `option '${def.name}' is given twice`);
      if (def.kind === 'bool') {
        const w = this.optionWord(o, ['true', 'false'], diags);
        if (w) options[def.name] = [w];
      } else if (def.kind === 'enum') {
        const w = this.optionWord(o, def.values ?? [], diags);
        if (w) options[def.name] = [...(options[def.name] ?? []), w];
      } else {
        const words: string[] = [];
        for (const v of o.values) {
          const w = this.wordOf(v)?.toLowerCase();
          if (!w || !def.values?.includes(w))
            diags.add(v.span, 'bad-option-value', `'${def.name}' lists ${def.values?.join(', ')}`);
          else words.push(w);
        }
        options[def.name] = words;
      }
    }
    // Only the Linux RFC's transport couples VIRTIO_F_SUSPEND to No_Soft_Reset (`suspend_rule rfc`; DOMAIN.md 6.3).
    if (
      options.feature?.includes('suspend') &&
      options.suspend_rule?.[0] === 'rfc' &&
      options.no_soft_reset?.[0] !== 'true'
    ) {
      const o = m.options.find((x) => x.name.text === 'feature')!;
      diags.warn(
        o.span,
        'suspend-needs-no-soft-reset',
        "VIRTIO_F_SUSPEND is only offered with 'no_soft_reset true' under 'suspend_rule rfc' (the Linux RFC's PCI transport requires No_Soft_Reset): this feature is not negotiated",
      );
    }
    const device: P.DeviceConfig = {
      name: m.name.text,
      index: cfg.devices.length,
      model: model.name,
      virtio: model.virtio,
      domain,
      bus,
      dev,
      fn,
      irq,
      options,
      loc: this.loc(vm.file, m.name.span),
    };
    cfg.devices.push(device);
    vm.deviceDefs.set(
      m.name.text,
      this.symbols.define({
        kind: 'device',
        name: m.name.text,
        vm: cfg.name,
        file: vm.file,
        span: m.name.span,
        fullSpan: m.span,
        detail: `${model.name} at ${m.bdf.text}`,
      }),
    );
  }

  // ------------------------------------------------------------------------------------------ programs

  private attachPrograms(): void {
    const seen = new Map<string, A.ProgramItem>();
    for (const { item, file, diags } of this.programs) {
      const vm = this.vmByName.get(item.vm.text);
      if (!vm) {
        diags.add(
          item.vm.span,
          'unknown-vm',
          `unknown VM '${item.vm.text}'${didYouMean(item.vm.text, this.vmByName.keys())}`,
          this.fixFor(item.vm, [...this.vmByName.keys()]),
        );
        continue;
      }
      this.refVm(vm, file, item.vm.span);
      const index = vcpuIndexOf(item.vcpu.text);
      if (index === undefined) {
        diags.add(
          item.vcpu.span,
          'expected-vcpu',
          `expected 'vcpuN' after '${item.vm.text}.', found '${item.vcpu.text}'`,
        );
        continue;
      }
      if (index >= vm.config.vcpuCount) {
        diags.add(
          item.vcpu.span,
          'vcpu-out-of-range',
          `VM '${vm.config.name}' has ${vm.config.vcpuCount} vCPU${vm.config.vcpuCount === 1 ? '' : 's'} (vcpu0..vcpu${vm.config.vcpuCount - 1}); there is no ${item.vcpu.text}`,
        );
        continue;
      }
      const key = `${vm.config.name}.${index}`;
      const prior = seen.get(key);
      if (prior) {
        diags.add(item.vcpu.span, 'duplicate-program', `${vm.config.name}.${item.vcpu.text} already has a program`, {
          related: [{ file, span: prior.span, message: 'first program here' }],
        });
        continue;
      }
      seen.set(key, item);
      this.symbols.define({
        kind: 'vcpu-program',
        name: `${vm.config.name}.${item.vcpu.text}`,
        vm: vm.config.name,
        file,
        span: { start: item.vm.span.start, end: item.vcpu.span.end },
        fullSpan: item.span,
      });
      vm.programs.push({ index, item, file });
    }
  }

  private generateCode(vm: VmBuild): void {
    const programs = vm.programs.sort((a, b) => a.index - b.index);
    const reachable = this.reachableProcs(programs.map((p) => p.item.body));
    // A VM that runs the Linux prelude is a Linux guest: every interrupt it takes is serviced, by the scenario's
    // `on irq` handler or else by the kernel's (lib/linux.sflow, linux.generic_handle_irq).
    const defaultHandler = this.procs.get(DEFAULT_IRQ_HANDLER);
    const linuxGuest = reachable.some((name) => this.procs.get(name)?.library);
    if (linuxGuest && defaultHandler?.library)
      for (const name of this.reachableProcs([defaultHandler.item.body], [DEFAULT_IRQ_HANDLER]))
        if (!reachable.includes(name)) reachable.push(name);
    this.collectLabels(
      vm,
      programs.map((p) => ({ block: p.item.body, file: p.file })),
      reachable,
    );
    const gen = new CodeGen(this, vm);
    for (const p of programs) {
      vm.config.poweredOff[p.index] = p.item.off !== undefined;
      gen.program(p.index, p.item, p.file);
    }
    for (const name of reachable) gen.proc(name, this.procs.get(name)!);
    gen.finish();
    if (linuxGuest) vm.config.defaultHandler = vm.procFrames.get(DEFAULT_IRQ_HANDLER);
  }

  /**
   * Procs a VM's programs call or name as an address, transitively, in a stable order: depth first, each proc where
   * the walk first meets its name. The walk keeps its own stack, so a chain of procs of any length is no recursion.
   */
  private reachableProcs(roots: A.Block[], also: string[] = []): string[] {
    const found: string[] = [...also];
    const seen = new Set<string>(also);
    const namesIn = (block: A.Block) => {
      const names: string[] = [];
      walkBlock(block, (name) => names.push(name));
      return names;
    };
    const stack: { names: string[]; next: number }[] = [];
    for (const root of roots) {
      stack.push({ names: namesIn(root), next: 0 });
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (top.next >= top.names.length) {
          stack.pop();
          continue;
        }
        const name = top.names[top.next++];
        const proc = this.procs.get(name);
        if (!proc || seen.has(name)) continue;
        seen.add(name);
        found.push(name);
        stack.push({ names: namesIn(proc.item.body), next: 0 });
      }
    }
    return found;
  }

  private collectLabels(vm: VmBuild, blocks: { block: A.Block; file: SourceFile }[], procs: string[]): void {
    const all = [
      ...blocks,
      ...procs.map((name) => ({ block: this.procs.get(name)!.item.body, file: this.procs.get(name)!.file })),
    ];
    for (const { block, file } of all) {
      forEachStatement(block, (s) => {
        if (s.kind !== 'label') return;
        const prior = vm.labelDefs.get(s.name.text);
        if (prior) {
          this.diagsFor(file).add(
            s.name.span,
            'duplicate-label',
            `label '${s.name.text}' is already defined in VM '${vm.config.name}'`,
            { related: [{ file: prior.file, span: prior.span, message: 'first defined here' }] },
          );
          return;
        }
        if (lookupVcpuField(s.name.text) || lookupConstant(s.name.text)) {
          this.diagsFor(file).add(
            s.name.span,
            'reserved-name',
            `'${s.name.text}' is a register or constant name and cannot be a label`,
          );
          return;
        }
        vm.labelDefs.set(
          s.name.text,
          this.symbols.define({
            kind: 'label',
            name: s.name.text,
            vm: vm.config.name,
            file,
            span: s.name.span,
            fullSpan: s.span,
          }),
        );
      });
    }
  }

  private checkUnusedProcs(): void {
    const used = new Set<string>();
    for (const vm of this.vms) for (const name of vm.procFrames.keys()) used.add(name);
    for (const [name, proc] of this.procs) {
      if (used.has(name) || proc.library) continue;
      proc.diags.warn(proc.item.name.span, 'unused-proc', `proc '${name}' is never called`);
      // Still check its body, in the context of the first VM, so its errors are not hidden. Its own labels are
      // in scope there (collectLabels only saw reachable procs), or `set pc = again` would be an unknown name.
      const vm = this.vms[0];
      if (!vm) continue;
      const labelDefs = new Map(vm.labelDefs);
      forEachStatement(proc.item.body, (s) => {
        if (s.kind === 'label' && !labelDefs.has(s.name.text)) {
          labelDefs.set(
            s.name.text,
            this.symbols.define({
              kind: 'label',
              name: s.name.text,
              vm: vm.config.name,
              file: proc.file,
              span: s.name.span,
              fullSpan: s.span,
            }),
          );
        }
      });
      new CodeGen(this, { ...vm, labelDefs }, true).proc(name, proc);
    }
  }

  // ------------------------------------------------------------------------------------------ host

  private buildHost(): P.HostConfig {
    const host = defaultHostConfig();
    const settingsGiven = new Set<string>();
    for (const { item, file, diags } of this.hostItems) {
      const ctx: ExprContext = { inCode: false, file, diags };
      for (const m of item.members) {
        if (m.kind === 'policy') this.readPolicy(m, host, file, diags);
        else if (m.kind === 'at') this.readAction(m, host, ctx);
        else if (m.kind === 'setting') {
          const setting = lookupHostSetting(m.name.text);
          if (!setting) continue; // the parser reads only the settings of the table
          if (settingsGiven.has(setting.name))
            diags.add(m.span, 'duplicate-declaration', `'${setting.name}' is already declared`);
          settingsGiven.add(setting.name);
          const t = this.constTime(m.value, ctx, setting.what);
          if (t !== undefined && t < 0n) diags.add(m.value.span, 'bad-value', `${setting.name} cannot be negative`);
          else if (t !== undefined && t > MAX_HOST_SETTING)
            diags.add(m.value.span, 'bad-value', `${setting.name} is at most 1000s`);
          else if (t !== undefined) host[setting.field] = Number(t);
        }
      }
    }
    return host;
  }

  private readPolicy(m: A.PolicyDecl, host: P.HostConfig, file: SourceFile, diags: DiagnosticBag): void {
    if (m.subject.text !== 'suspend') {
      diags.add(
        m.subject.span,
        'unknown-policy',
        `unknown policy subject '${m.subject.text}'; the host has 'policy suspend ...'`,
      );
      return;
    }
    const rules = HOST_POLICY_RULES.map((r) => r.name);
    if (!lookupHostPolicyRule(m.rule.text)) {
      const forms = HOST_POLICY_RULES.map((r) => `'${r.form}'`);
      diags.add(
        m.rule.span,
        'unknown-policy',
        `unknown suspend policy '${m.rule.text}'; expected ${forms.slice(0, -1).join(', ')} or ${forms[forms.length - 1]}${didYouMean(m.rule.text, rules)}`,
        this.fixFor(m.rule, rules),
      );
      return;
    }
    if (m.rule.text === 'abort-on-wake') {
      if (host.policies.some((p) => p.kind === 'abort-on-wake'))
        diags.add(m.span, 'duplicate-declaration', "'abort-on-wake' is already declared");
      host.policies.push({ kind: 'abort-on-wake', vm: -1, loc: this.loc(file, m.span) });
      return;
    }
    if (!m.vm) {
      diags.add(m.rule.span, 'expected-name', `'${m.rule.text}' needs a VM name`);
      return;
    }
    const vm = this.lookupVmName(m.vm, file, diags);
    if (!vm) return;
    if (m.rule.text === 'waits-for') {
      if (!m.qualifier || m.qualifier.text !== 's2idle')
        diags.add(
          m.qualifier?.span ?? m.vm.span,
          'unknown-policy',
          "'waits-for' takes 'VM s2idle': the host waits for the guest's s2idle notification",
        );
      if (vm.config.s2idleNotify === undefined)
        diags.add(
          m.vm.span,
          'missing-s2idle-notify',
          `VM '${vm.config.name}' has no 's2idle_notify at ADDR' register to wait for`,
        );
    } else if (m.qualifier)
      diags.add(m.qualifier.span, 'expected-end', `unexpected '${m.qualifier.text}' after 'privileged ${m.vm.text}'`);
    if (m.rule.text === 'privileged' && vm.config.s2idleNotify === undefined)
      diags.add(
        m.vm.span,
        'missing-s2idle-notify',
        `VM '${vm.config.name}' has no 's2idle_notify at ADDR' register: it can never trigger the host's suspend`,
      );
    if (host.policies.some((p) => p.vm === vm.config.index))
      diags.add(m.span, 'duplicate-declaration', `VM '${vm.config.name}' already has a suspend policy`);
    host.policies.push({
      kind: m.rule.text as 'waits-for' | 'privileged',
      vm: vm.config.index,
      loc: this.loc(file, m.span),
    });
  }

  private readAction(m: A.AtDecl, host: P.HostConfig, ctx: ExprContext): void {
    const diags = ctx.diags;
    const from = this.constTime(m.from, ctx, 'the time of a host action');
    const to = m.to ? this.constTime(m.to, ctx, 'the end of the window') : from;
    let timesOk = from !== undefined && to !== undefined;
    if (from !== undefined && from < 0n)
      diags.add(m.from.span, 'bad-value', 'a host action cannot happen before time 0');
    if (from !== undefined && to !== undefined && to < from) {
      diags.add(m.to!.span, 'bad-value', 'the window ends before it starts');
      timesOk = false;
    }
    let action: P.HostActionConfig | undefined;
    const a = m.action;
    switch (a.kind) {
      case 'irq': {
        const vm = this.lookupVmName(a.vm, ctx.file, diags);
        const n = this.constInt(a.irq, ctx, 'the interrupt number');
        if (n !== undefined && (n < 0n || n > MAX_INTID))
          diags.add(a.irq.span, 'bad-value', `interrupt ${n} is out of range (0 to ${MAX_INTID})`);
        else if (vm && n !== undefined) action = { kind: 'irq', irq: Number(n), vm: vm.config.index };
        break;
      }
      case 'requestSuspend':
        action = { kind: 'requestSuspend' };
        break;
      case 'wake':
        action = { kind: 'wake' };
        break;
      case 'vmm': {
        const vm = this.lookupVmName(a.vm, ctx.file, diags);
        const answers: readonly string[] = HOST_VMM_ANSWERS;
        const answer = HOST_VMM_ANSWERS.find((x) => x === a.answer.text);
        if (!answer)
          diags.add(
            a.answer.span,
            'bad-vmm-answer',
            `'vmm ${a.vm.text}' takes ${answers.slice(0, -1).join(', ')} or ${answers.at(-1)}${didYouMean(a.answer.text, answers)}`,
            this.fixFor(a.answer, answers),
          );
        else if (vm) action = { kind: 'vmm', vm: vm.config.index, answer };
        break;
      }
    }
    if (action && timesOk)
      host.actions.push({ index: host.actions.length, loc: this.loc(ctx.file, m.span), from: from!, to: to!, action });
  }

  lookupVmName(name: A.Name, file: SourceFile, diags: DiagnosticBag): VmBuild | undefined {
    const vm = this.vmByName.get(name.text);
    if (!vm) {
      diags.add(
        name.span,
        'unknown-vm',
        `unknown VM '${name.text}'${didYouMean(name.text, this.vmByName.keys())}`,
        this.fixFor(name, [...this.vmByName.keys()]),
      );
      return undefined;
    }
    this.refVm(vm, file, name.span);
    return vm;
  }

  private refVm(vm: VmBuild, file: SourceFile, span: Span): void {
    if (vm.def) this.symbols.reference(vm.def, file, span);
  }

  // ------------------------------------------------------------------------------------------ expressions

  fixFor(
    name: A.Name,
    candidates: Iterable<string>,
  ): { fixes: { title: string; span: Span; newText: string }[] } | undefined {
    const guess = closest(name.text, candidates);
    return guess ? { fixes: [{ title: `Change to '${guess}'`, span: name.span, newText: guess }] } : undefined;
  }

  constInt(e: A.Expr, ctx: ExprContext, what: string): bigint | undefined {
    const t = this.resolve(e, ctx);
    if (t.type === 'time') {
      ctx.diags.add(e.span, 'type-mismatch', `${what} is a number, not a time`);
      return undefined;
    }
    return this.fold(t, e, ctx, what);
  }

  /** A constant time; one the virtual clock cannot reach (MAX_VIRTUAL_TIME) is an error here rather than a wrap later.
   * */
  constTime(e: A.Expr, ctx: ExprContext, what: string): bigint | undefined {
    const t = this.resolve(e, ctx);
    if (t.type !== 'time' && t.type !== 'any') {
      ctx.diags.add(e.span, 'type-mismatch', `${what} is a time such as 10ms (units: ns, us, ms, s)`);
      return undefined;
    }
    const value = this.fold(t, e, ctx, what);
    if (value !== undefined && value > P.MAX_VIRTUAL_TIME) {
      ctx.diags.add(
        e.span,
        'bad-value',
        `${what} is at most ${P.MAX_VIRTUAL_TIME}ns (${P.MAX_VIRTUAL_TIME_TEXT}), not ${value}ns`,
      );
      return undefined;
    }
    return value;
  }

  private fold(t: Typed, e: A.Expr, ctx: ExprContext, what: string): bigint | undefined {
    if (t.type === 'any') return undefined;
    const value = foldConst(t.r);
    if (value === undefined) ctx.diags.add(e.span, 'not-constant', `${what} must be a constant`);
    return value;
  }

  resolve(e: A.Expr, ctx: ExprContext, hint?: ConstantGroup): Typed {
    switch (e.kind) {
      case 'number':
        return { r: { k: 'const', value: e.value }, type: e.unit === 'time' ? 'time' : 'int' };
      case 'bool':
        return { r: { k: 'const', value: e.value ? 1n : 0n }, type: 'bool' };
      case 'now':
        if (!ctx.inCode && !ctx.running)
          ctx.diags.add(e.span, 'not-constant', "'now' is only known while the scenario runs");
        return { r: { k: 'now' }, type: 'time' };
      case 'error':
        return { r: { k: 'const', value: 0n }, type: 'any' };
      case 'irqPending': {
        if (ctx.running && !ctx.inCode)
          ctx.diags.add(
            e.span,
            'needs-vcpu',
            "'irq N pending' reads a vCPU's interrupts: select a vCPU in the Call Stack",
          );
        else if (!ctx.inCode)
          ctx.diags.add(e.span, 'not-constant', "'irq N pending' is only known while the scenario runs");
        const irq = this.expectType(e.irq, ctx, 'int', 'an interrupt number');
        return { r: { k: 'irqPending', irq }, type: 'bool' };
      }
      case 'unary': {
        const operand = this.resolve(e.operand, ctx, hint);
        if (e.op === '!') return { r: { k: 'unary', op: '!', operand: operand.r }, type: 'bool' };
        if (operand.type === 'bool') ctx.diags.add(e.operand.span, 'type-mismatch', `'${e.op}' needs a number`);
        if (e.op === '~' && operand.type === 'time')
          ctx.diags.add(e.operand.span, 'type-mismatch', "'~' needs an integer, not a time");
        return {
          r: { k: 'unary', op: e.op, operand: operand.r },
          type: operand.type === 'bool' ? 'any' : operand.type,
        };
      }
      case 'binary':
        return this.resolveChain(e, ctx);
      case 'path':
        return this.resolvePath(e, ctx, hint);
    }
  }

  /**
   * A binary expression with the chain of left operands under it (`1 + 2 + 3 ...` is a tree as deep as the chain is
   * long), resolved in a loop from the innermost operator out: the order, types and diagnostics of resolving each
   * left operand first, without a recursion per operator. The code of a long chain is balanced where that keeps
   * every value (balanceChain), so what walks it later does not go as deep as the chain is long either.
   */
  private resolveChain(top: A.BinaryExpr, ctx: ExprContext): Typed {
    const chain: A.BinaryExpr[] = [];
    let e: A.Expr = top;
    while (e.kind === 'binary') {
      chain.push(e);
      e = e.left;
    }
    let typed = this.resolve(e, ctx);
    for (let i = chain.length - 1; i >= 0; i--) typed = this.resolveBinary(chain[i], typed, ctx);
    if (chain.length >= BALANCE_FROM) typed.r = balanceChain(typed.r, chain.length);
    return typed;
  }

  /** One operator of a chain, its left operand already resolved. */
  private resolveBinary(e: A.BinaryExpr, resolvedLeft: Typed, ctx: ExprContext): Typed {
    warnComparisonInBitwise(e, ctx);
    let left = resolvedLeft;
    const right = this.resolve(e.right, ctx, left.group);
    // A constant on the left takes the right side's group too: `ON_PENDING == vcpu1.power` reads as
    // `vcpu1.power == ON_PENDING` (power state 2), not as the return code -5.
    if (right.group && left.group !== right.group && e.left.kind === 'path')
      left = this.resolve(e.left, ctx, right.group);
    const r: P.RExpr = { k: 'binary', op: e.op, left: left.r, right: right.r };
    const lt = left.type;
    const rt = right.type;
    const any = lt === 'any' || rt === 'any';
    const mismatch = (msg: string): Typed => {
      if (!any) ctx.diags.add(e.opSpan, 'type-mismatch', msg);
      return { r, type: 'any' };
    };
    const describe = (t: P.ValueType) => (t === 'time' ? 'a time' : t === 'bool' ? 'a boolean' : 'an integer');
    switch (e.op) {
      case '&&':
      case '||':
        if (lt === 'time' || rt === 'time') return mismatch(`'${e.op}' needs booleans or integers, not a time`);
        return { r, type: 'bool' };
      case '==':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (!any && lt !== rt && !(lt === 'bool' && rt === 'int') && !(lt === 'int' && rt === 'bool')) {
          mismatch(`cannot compare ${describe(lt)} with ${describe(rt)}`);
        }
        return { r, type: 'bool' };
      case '+':
      case '-':
        if (any) return { r, type: lt === 'any' ? rt : lt };
        if (lt === 'bool' || rt === 'bool') return mismatch(`'${e.op}' needs numbers, not booleans`);
        if (lt !== rt)
          return mismatch(
            `cannot ${e.op === '+' ? 'add' : 'subtract'} ${describe(rt)} ${e.op === '+' ? 'to' : 'from'} ${describe(lt)}`,
          );
        return { r, type: lt };
      case '*':
        if (any) return { r, type: lt === 'time' || rt === 'time' ? 'time' : 'any' };
        if (lt === 'time' && rt === 'time') return mismatch('cannot multiply two times');
        if (lt === 'bool' || rt === 'bool') return mismatch("'*' needs numbers, not booleans");
        return { r, type: lt === 'time' || rt === 'time' ? 'time' : 'int' };
      case '/':
      case '%':
        if (any) return { r, type: 'any' };
        if (rt === 'time' && lt !== 'time') return mismatch(`cannot divide ${describe(lt)} by a time`);
        if (lt === 'bool' || rt === 'bool') return mismatch(`'${e.op}' needs numbers, not booleans`);
        return { r, type: lt === 'time' && rt === 'time' ? (e.op === '/' ? 'int' : 'time') : lt };
      case '&':
      case '^':
      case '<<':
      case '>>':
      case '|':
      default:
        if (lt === 'time' || rt === 'time') return mismatch(`'${e.op}' works on integers, not times`);
        return { r, type: 'int' };
    }
  }

  expectType(e: A.Expr, ctx: ExprContext, want: 'int' | 'time' | 'bool', what: string, hint?: ConstantGroup): P.RExpr {
    const t = this.resolve(e, ctx, hint);
    const ok =
      t.type === 'any' ||
      t.type === want ||
      (want === 'bool' && t.type === 'int') ||
      (want === 'int' && t.type === 'bool');
    if (!ok) {
      const got = t.type === 'time' ? 'a time' : t.type === 'bool' ? 'a boolean' : 'an integer';
      const wanted = want === 'time' ? 'a time such as 10us' : want === 'bool' ? 'a condition' : 'an integer';
      ctx.diags.add(e.span, 'type-mismatch', `${what} must be ${wanted}, not ${got}`);
    }
    return t.r;
  }

  private resolvePath(e: A.PathExpr, ctx: ExprContext, hint?: ConstantGroup): Typed {
    const alias = ctx.aliases?.get(e.parts[0].text);
    const parts = alias ? [{ text: alias, span: e.parts[0].span }, ...e.parts.slice(1)] : e.parts;
    const words = parts.map((p) => p.text);
    const vm = ctx.vm;
    const fail: Typed = { r: { k: 'const', value: 0n }, type: 'any' };
    const unknown = (span: Span, message: string, candidates: string[], name?: A.Name): Typed => {
      ctx.diags.add(
        span,
        'unknown-name',
        message + didYouMean(name?.text ?? words.join('.'), candidates),
        name ? this.fixFor(name, candidates) : undefined,
      );
      return fail;
    };

    // A dotted proc name is an address (`entry=linux.cpu_resume`).
    const dotted = words.join('.');
    const proc = this.procs.get(dotted);
    if (proc && vm) {
      this.symbols.reference(proc.def, ctx.file, e.span);
      const expr = { k: 'const' as const, value: 0n };
      vm.procFixups.push({ proc: dotted, expr });
      return { r: expr, type: 'int' };
    }

    if (parts.length === 1) {
      const w = words[0];
      const paramIndex = ctx.params?.indexOf(w) ?? -1;
      if (paramIndex >= 0) return { r: { k: 'param', index: paramIndex }, type: 'any' };
      const field = lookupVcpuField(w);
      if (field) {
        if (!ctx.inCode) {
          ctx.diags.add(
            e.span,
            'not-constant',
            ctx.running ? this.registerWithoutVcpu(w) : `register '${w}' is only known while a vCPU runs`,
          );
          return fail;
        }
        return { r: { k: 'reg', field: field.name }, type: registerType(field), group: field.group };
      }
      const labelVm = this.ownerOf(parts[0], ctx, (v) => v.labelDefs.has(w), 'a label', words);
      if (labelVm === 'ambiguous') return fail;
      if (labelVm) return this.labelAddress(labelVm, w, ctx, e.span);
      const constant = lookupConstant(w, hint);
      if (constant) return { r: { k: 'const', value: constant.value }, type: 'int', group: constant.group };
      const vcpu = vcpuIndexOf(w);
      if (vcpu !== undefined && vm) {
        if (vcpu >= vm.config.vcpuCount) return unknown(e.span, `VM '${vm.config.name}' has no ${w}`, [], undefined);
        return vcpuAffinity(vcpu);
      }
      // The affinity depends on the index alone, so with no VM in context any VM that has the vCPU will do.
      if (vcpu !== undefined && ctx.running && this.vms.some((v) => vcpu < v.config.vcpuCount))
        return vcpuAffinity(vcpu);
      const namedVm = this.vmByName.get(w);
      if (namedVm) {
        if (ctx.running) return this.vmState(namedVm, ctx, e.span);
        ctx.diags.add(e.span, 'not-a-value', `'${w}' is a VM, not a value; use ${w}.state or ${w}.vcpuN.FIELD`);
        return fail;
      }
      const deviceVm = this.ownerOf(parts[0], ctx, (v) => v.deviceDefs.has(w), 'a device', words);
      if (deviceVm === 'ambiguous') return fail;
      if (deviceVm) {
        if (ctx.running) return this.resolveDevicePath(deviceVm, parts[0], [], ctx);
        ctx.diags.add(
          e.span,
          'not-a-value',
          `'${w}' is a device, not a value; use ${w}.dstate, ${w}.status or ${w}.REGISTER`,
        );
        return fail;
      }
      const candidates = [
        ...(ctx.params ?? []),
        ...(ctx.inCode ? VCPU_FIELDS.map((f) => f.name) : []),
        ...(vm ? vm.labelDefs.keys() : []),
        ...constantNames(),
      ];
      return unknown(e.span, `unknown name '${w}'`, candidates, parts[0]);
    }

    const [first, ...rest] = parts;
    if (first.text === 'host') return this.stateTyped(resolveHostTail(rest), ctx);
    const vcpu = vcpuIndexOf(first.text);
    if (vcpu !== undefined) {
      const owner = vm ?? (ctx.running && this.vms.length === 1 ? this.vms[0] : undefined);
      if (owner) return this.resolveVcpuPath(owner, vcpu, first, rest, ctx);
      const having = ctx.running ? this.vms.filter((v) => vcpu < v.config.vcpuCount) : [];
      if (having.length === 0)
        return unknown(first.span, `'${first.text}' needs a VM here: write VM.${words.join('.')}`, []);
      ctx.diags.add(
        first.span,
        'ambiguous-name',
        `${first.text} is a vCPU of ${vmList(having)}: write ${qualifiedPaths(having, words)}`,
      );
      return fail;
    }
    const otherVm = this.vmByName.get(first.text);
    if (otherVm) {
      this.refVm(otherVm, ctx.file, first.span);
      const [second, ...tail] = rest;
      const vcpu2 = vcpuIndexOf(second.text);
      if (vcpu2 !== undefined) return this.resolveVcpuPath(otherVm, vcpu2, second, tail, ctx);
      if (otherVm.deviceDefs.has(second.text)) return this.resolveDevicePath(otherVm, second, tail, ctx);
      if (tail.length > 0) return unknown(tail[0].span, `unexpected '.${tail[0].text}'`, []);
      const vmField = resolveVmField(otherVm.config.index, [second]);
      if (vmField) return this.stateTyped(vmField, ctx);
      // `guest.resume`: how the debugger names a label that several VMs define (code has no use for it).
      if (ctx.running && otherVm.labelDefs.has(second.text))
        return this.labelAddress(otherVm, second.text, ctx, second.span);
      return unknown(
        second.span,
        `VM '${otherVm.config.name}' has no '${second.text}'`,
        [
          ...VM_FIELDS.map((f) => f.name),
          ...otherVm.deviceDefs.keys(),
          ...Array.from({ length: otherVm.config.vcpuCount }, (_, i) => `vcpu${i}`),
        ],
        second,
      );
    }
    const deviceVm = this.ownerOf(first, ctx, (v) => v.deviceDefs.has(first.text), 'a device', words);
    if (deviceVm === 'ambiguous') return fail;
    if (deviceVm) return this.resolveDevicePath(deviceVm, first, rest, ctx);
    const devices = vm
      ? [...vm.deviceDefs.keys()]
      : ctx.running
        ? this.vms.flatMap((v) => [...v.deviceDefs.keys()])
        : [];
    const candidates = [
      'host',
      ...this.vmByName.keys(),
      ...devices,
      ...(vm ? Array.from({ length: vm.config.vcpuCount }, (_, i) => `vcpu${i}`) : []),
    ];
    return unknown(first.span, `unknown name '${first.text}'`, candidates, first);
  }

  /**
   * The VM a device or label name belongs to: the VM in context, or for the debugger (ctx.running) the one VM of
   * the world that declares it. When several do, the diagnostic says which VM-qualified paths to write instead.
   */
  private ownerOf(
    name: A.Name,
    ctx: ExprContext,
    declares: (vm: VmBuild) => boolean,
    what: string,
    path: string[],
  ): VmBuild | 'ambiguous' | undefined {
    if (ctx.vm && declares(ctx.vm)) return ctx.vm;
    if (!ctx.running) return undefined;
    const owners = this.vms.filter(declares);
    if (owners.length <= 1) return owners[0];
    ctx.diags.add(
      name.span,
      'ambiguous-name',
      `${name.text} is ${what} of ${vmList(owners)}: write ${qualifiedPaths(owners, path)}`,
    );
    return 'ambiguous';
  }

  /** A label's address in its VM's code, patched once the code is laid out (or at once for a running program). */
  private labelAddress(vm: VmBuild, name: string, ctx: ExprContext, span: Span): Typed {
    this.symbols.reference(vm.labelDefs.get(name)!, ctx.file, span);
    const expr = { k: 'const' as const, value: 0n };
    vm.labelFixups.push({ name, expr });
    return { r: expr, type: 'int' };
  }

  /** A VM named alone in the debugger (a hover on its name) reads as its state. */
  private vmState(vm: VmBuild, ctx: ExprContext, span: Span): Typed {
    this.refVm(vm, ctx.file, span);
    const field = VM_FIELDS.find((f) => f.name === 'state')!;
    return { r: { k: 'vm', vm: vm.config.index, field: field.name }, type: 'int', group: field.group };
  }

  /** With no vCPU in context (the host thread) a register has no value: say how to name one. */
  private registerWithoutVcpu(register: string): string {
    return `${register} is a register of a vCPU: select a vCPU in the Call Stack, or write ${this.vms[0]?.config.name ?? 'VM'}.vcpu0.${register}`;
  }

  private resolveVcpuPath(vm: VmBuild, vcpu: number, vcpuName: A.Name, rest: A.Name[], ctx: ExprContext): Typed {
    if (rest.length === 0 && vcpu < vm.config.vcpuCount)
      return { r: { k: 'vcpu', vm: vm.config.index, vcpu, field: 'mpidr' }, type: 'int' };
    return this.stateTyped(resolveVcpuTail(this.world, vm.config.index, vcpu, vcpuName, rest), ctx);
  }

  /** The scenario's VMs, vCPUs and devices as the state namespace sees them. */
  private get world(): StateWorld {
    return { vms: this.vms.map((v) => v.config) };
  }

  /** What a resolved state path reads, as an expression; or its error reported. */
  private stateTyped(resolution: PathResolution, ctx: ExprContext): Typed {
    const fail: Typed = { r: { k: 'const', value: 0n }, type: 'any' };
    const err = resolution.error;
    if (err) {
      ctx.diags.add(
        err.span,
        err.code,
        err.message,
        err.segment ? this.fixFor(err.segment, err.candidates) : undefined,
      );
      return fail;
    }
    const t = resolution.target;
    if (!t) return fail;
    switch (t.kind) {
      case 'host-field':
        return { r: { k: 'host', field: t.row.name }, type: 'int', group: t.row.group };
      case 'vm-field':
        return {
          r: { k: 'vm', vm: t.vm, field: t.row.name },
          type: t.row.bool ? 'bool' : 'int',
          group: t.row.group,
        };
      case 'vcpu-field':
        if (t.vm === undefined || t.vcpu === undefined)
          return { r: { k: 'reg', field: t.row.name }, type: registerType(t.row), group: t.row.group };
        return {
          r: { k: 'vcpu', vm: t.vm, vcpu: t.vcpu, field: t.row.name },
          type: t.row.bool ? 'bool' : 'int',
          group: t.row.group,
        };
      case 'device-field':
        return {
          r: { k: 'device', vm: t.vm!, device: t.device!, path: { kind: 'model', field: t.row.name } },
          type: t.row.bool ? 'bool' : 'int',
          group: t.row.group,
        };
      case 'config-register':
        return {
          r: {
            k: 'device',
            vm: t.vm!,
            device: t.device!,
            path: { kind: 'config', register: t.register.def, offset: t.register.offset },
          },
          type: 'int',
        };
      case 'config-field': {
        const { register, field } = t;
        const group =
          field.values && register.def.name === 'pmcsr' && field.name === 'state' ? ('d-state' as const) : undefined;
        return {
          r: {
            k: 'device',
            vm: t.vm!,
            device: t.device!,
            path: { kind: 'config', register: register.def, offset: register.offset, field },
          },
          type: 'int',
          group,
        };
      }
    }
  }

  resolveDevicePath(vm: VmBuild, deviceName: A.Name, rest: A.Name[], ctx: ExprContext): Typed {
    const device = vm.config.devices.find((d) => d.name === deviceName.text)!;
    this.symbols.reference(vm.deviceDefs.get(deviceName.text)!, ctx.file, deviceName.span);
    const fail: Typed = { r: { k: 'const', value: 0n }, type: 'any' };
    if (rest.length === 0) {
      // In the debugger a device alone (a hover on its name) reads as its power state, which every model has.
      if (ctx.running) {
        const dstate = lookupDeviceField('dstate')!;
        return {
          r: { k: 'device', vm: vm.config.index, device: device.index, path: { kind: 'model', field: dstate.name } },
          type: 'int',
          group: dstate.group,
        };
      }
      ctx.diags.add(
        deviceName.span,
        'not-a-value',
        `'${deviceName.text}' is a device, not a value; use ${deviceName.text}.dstate, ${deviceName.text}.status or ${deviceName.text}.REGISTER`,
      );
      return fail;
    }
    const resolution = resolveDeviceTail(
      { vm: vm.config.index, device: device.index, config: device },
      deviceName.text,
      rest,
    );
    return this.stateTyped(resolution, ctx);
  }

  // exposed to CodeGen
  procEntry(name: string): ProcEntry | undefined {
    return this.procs.get(name);
  }
  procNames(): string[] {
    return [...this.procs.keys()];
  }
  symbolIndex(): SymbolIndex {
    return this.symbols;
  }
  location(file: SourceFile, span: Span): P.Loc {
    return this.loc(file, span);
  }
  diagnosticsOf(file: SourceFile): DiagnosticBag {
    return this.diagsFor(file);
  }
}

/** The prelude (lib/linux.sflow), embedded or read from a workspace, which is a library even when checked alone. */
function isPrelude(file: SourceFile): boolean {
  return preludeFiles().some((p) => p === file || file.path === p.path || file.path.endsWith('/' + p.path));
}

/** Chains of at least this many operators are balanced; shorter ones (what people write) keep their shape. */
const BALANCE_FROM = 64;

/** Operators whose runs can be regrouped without changing a value: 64-bit `+` (with `-` as `+ -x`), `*`, bitwise,
 * logical. */
function regroupAs(op: A.BinaryOp): A.BinaryOp | undefined {
  switch (op) {
    case '+':
    case '-':
      return '+';
    case '*':
    case '&':
    case '|':
    case '^':
    case '&&':
    case '||':
      return op;
    case '!=':
    case '/':
    case '%':
    case '<':
    case '<<':
    case '<=':
    case '==':
    case '>':
    case '>=':
    case '>>':
    default:
      return undefined;
  }
}

/**
 * The resolved code of a chain of `length` left-associative operators, with each run of operators that regroup
 * (regroupAs) turned into a balanced tree of the same operands in the same order: the same value (arithmetic is
 * modulo 2^64, so `a - b` is `a + -b`), the same operands evaluated in the same order, the same short-circuits of
 * `&&` and `||`, and a depth of log2 of the run instead of its length.
 */
function balanceChain(r: P.RExpr, length: number): P.RExpr {
  const ops: A.BinaryOp[] = [];
  const rights: P.RExpr[] = [];
  let leaf = r;
  for (let i = 0; i < length && leaf.k === 'binary'; i++) {
    ops.push(leaf.op);
    rights.push(leaf.right);
    leaf = leaf.left;
  }
  ops.reverse();
  rights.reverse();
  let acc = leaf;
  for (let i = 0; i < ops.length;) {
    const op = regroupAs(ops[i]);
    if (!op) {
      acc = { k: 'binary', op: ops[i], left: acc, right: rights[i] };
      i++;
      continue;
    }
    let terms: P.RExpr[] = [acc];
    for (; i < ops.length && regroupAs(ops[i]) === op; i++)
      terms.push(ops[i] === '-' ? { k: 'unary', op: '-', operand: rights[i] } : rights[i]);
    while (terms.length > 1) {
      const next: P.RExpr[] = [];
      for (let t = 0; t + 1 < terms.length; t += 2) next.push({ k: 'binary', op, left: terms[t], right: terms[t + 1] });
      if (terms.length % 2 === 1) next.push(terms[terms.length - 1]);
      terms = next;
    }
    acc = terms[0];
  }
  return acc;
}

/** A bare vCPU name is its hardware ID, MPIDR & MPIDR_HWID_BITMASK: what Linux passes as a PSCI target. */
function vcpuAffinity(vcpu: number): Typed {
  return { r: { k: 'const', value: mpidrOf(vcpu) & MPIDR_HWID_BITMASK }, type: 'int' };
}

/** `VM a`, `VMs a and b`, `VMs a, b and c` */
function vmList(vms: VmBuild[]): string {
  const names = vms.map((v) => v.config.name);
  if (names.length === 1) return `VM ${names[0]}`;
  return `VMs ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** `a.net0.pmcsr or b.net0.pmcsr`: the path qualified with each VM. */
function qualifiedPaths(vms: VmBuild[], path: string[]): string {
  const paths = vms.map((v) => [v.config.name, ...path].join('.'));
  return paths.length === 1 ? paths[0] : `${paths.slice(0, -1).join(', ')} or ${paths[paths.length - 1]}`;
}

/** Named bare, a register (`x0`, `lr`, `sp`) holds anything, a number or a time; other fields have their row's type. */
function registerType(field: VcpuField): P.ValueType {
  return field.untyped ? 'any' : field.bool ? 'bool' : 'int';
}

const COMPARISONS: ReadonlySet<A.BinaryOp> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const BITWISE: ReadonlySet<A.BinaryOp> = new Set(['|', '^', '&']);

/**
 * `x == A | B` is `(x == A) | B`, as in C (the comparison binds tighter), which is never 0 when B is not: an
 * expectation that cannot fail. GCC's -Wparentheses warns the same way; parentheses say which was meant.
 */
function warnComparisonInBitwise(e: A.BinaryExpr, ctx: ExprContext): void {
  if (!BITWISE.has(e.op)) return;
  for (const operand of [e.left, e.right]) {
    if (operand.kind !== 'binary' || !COMPARISONS.has(operand.op)) continue;
    // A parenthesised comparison's span covers its parentheses, so it reaches past its own operands.
    if (operand.span.start < operand.left.span.start || operand.span.end > operand.right.span.end) continue;
    ctx.diags.warn(
      operand.opSpan,
      'comparison-in-bitwise',
      `'${operand.op}' binds tighter than '${e.op}' (as in C), so this compares first and then applies '${e.op}'; ` +
        `add parentheses: 'x ${operand.op} (A ${e.op} B)' or '(x ${operand.op} A) ${e.op} B'`,
    );
  }
}
