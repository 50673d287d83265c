// DAP breakpoints turned into probes for the simulator's run engine: line breakpoints (with conditions, hit counts
// and log messages), function breakpoints, data breakpoints and exception filters. Matching what the guest does
// is the simulator's (src/sim/debug); this file only keeps the DAP bookkeeping.

import { DebugProtocol } from '@vscode/debugprotocol';
import { compileExpression } from '../lang/checker';
import { RExpr, Program } from '../lang/program';
import { evaluate, formatDuration, formatValue } from '../sim/eval';
import { Machine, Unit } from '../sim/machine';
import { LineIndex } from '../sim/debug/lines';
import { FunctionMatcher, parseFunctionBreakpoint } from '../sim/debug/function-breakpoints';
import { Hit, Probe } from '../sim/debug/engine';
import { EXCEPTION_FILTERS, enabledExceptions, matchException } from '../sim/debug/exceptions';
import { Watch, WatchAccess, createWatch } from '../sim/debug/watch';
import { Timeline } from '../sim/timeline';

interface Conditional {
  id: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  /**
   * The timeline positions where it was hit, in order. Time travel leaves the ones ahead of the position it goes
   * back to; running forward again drops them as it gets there, so a hit count counts the hits on the timeline up to
   * now (`==3` stops at the same statement however often the user steps back over it), as replay debuggers count.
   */
  hitPositions: number[];
  /** compiled per VM (a proc's line runs in every VM that uses it) */
  compiled: Map<number, RExpr | string>;
}

interface LineBreakpoint extends Conditional {
  path: string;
  line: number;
}

interface FunctionBreakpoint extends Conditional {
  matcher: FunctionMatcher;
}

interface DataBreakpoint {
  id: number;
  watch: Watch;
  access: WatchAccess;
  last: bigint;
}

/** A request as the client sent it, with the ids it was answered with: what a restart applies again. */
interface Requested<T> {
  requested: T[];
  ids: number[];
}

export class Breakpoints {
  private nextId = 1;
  private readonly lines = new Map<string, LineBreakpoint[]>();
  /** `vm:pc` -> line breakpoints there */
  private sites = new Map<string, LineBreakpoint[]>();
  private functions: FunctionBreakpoint[] = [];
  private data: DataBreakpoint[] = [];
  /** what the exception filters stop on: invariant ids, `expect-failed`, `psci-error` (the default filters until set)
   * */
  exceptionFilters = enabledExceptions(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => ({ filterId: f.id })))
    .enabled;
  /** log messages to print (collected during a run, printed by the session) */
  readonly logs: string[] = [];
  private lineRequests = new Map<
    string,
    Requested<DebugProtocol.SourceBreakpoint> & { toDap: (line: number) => number; fromDap: (line: number) => number }
  >();
  private functionRequests: Requested<DebugProtocol.FunctionBreakpoint> = { requested: [], ids: [] };
  private dataRequests: Requested<DebugProtocol.DataBreakpoint> = { requested: [], ids: [] };

  constructor(
    private readonly program: Program,
    private readonly index: LineIndex,
  ) {}

  // ------------------------------------------------------------------------------------------ line

  /**
   * Applies every breakpoint of an earlier session (a restart) to this one, with the ids the client knows them by:
   * lines, functions and data are resolved again against the new program and machine.
   */
  carryOver(previous: Breakpoints, m: Machine): void {
    this.nextId = Math.max(this.nextId, previous.nextId);
    this.exceptionFilters = previous.exceptionFilters;
    for (const [path, r] of previous.lineRequests)
      this.setLineBreakpoints(path, r.requested, r.toDap, r.fromDap, r.ids);
    this.setFunctionBreakpoints(previous.functionRequests.requested, previous.functionRequests.ids);
    this.setDataBreakpoints(m, previous.dataRequests.requested, previous.dataRequests.ids);
  }

  private allocate(ids: number[] | undefined, i: number): number {
    const id = ids?.[i] ?? this.nextId;
    this.nextId = Math.max(this.nextId, id + 1);
    return id;
  }

  setLineBreakpoints(
    path: string,
    requested: DebugProtocol.SourceBreakpoint[],
    toDap: (line: number) => number,
    fromDap: (line: number) => number,
    ids?: number[],
  ): DebugProtocol.Breakpoint[] {
    const out: DebugProtocol.Breakpoint[] = [];
    const kept: LineBreakpoint[] = [];
    for (const [i, r] of requested.entries()) {
      const id = this.allocate(ids, i);
      const wanted = fromDap(r.line);
      const line = this.index.resolve(path, wanted);
      if (line === undefined) {
        out.push({ id, verified: false, line: r.line, message: 'no statement on or after this line' });
        continue;
      }
      const bp: LineBreakpoint = {
        id,
        path,
        line,
        condition: r.condition,
        hitCondition: r.hitCondition,
        logMessage: r.logMessage,
        hitPositions: [],
        compiled: new Map(),
      };
      const problem = this.checkCondition(
        bp,
        this.index.sites(path, line).map((s) => s.vm),
      );
      out.push({
        id,
        verified: problem === undefined,
        line: toDap(line),
        message: problem ?? (line !== wanted ? `moved to the next statement, line ${toDap(line)}` : undefined),
      });
      if (problem === undefined) kept.push(bp);
    }
    this.lines.set(path, kept);
    this.lineRequests.set(path, { requested, ids: out.map((b) => b.id!), toDap, fromDap });
    this.rebuildSites();
    return out;
  }

  private rebuildSites(): void {
    this.sites = new Map();
    for (const bps of this.lines.values()) {
      for (const bp of bps) {
        for (const s of this.index.sites(bp.path, bp.line)) {
          const key = `${s.vm}:${s.pc}`;
          this.sites.set(key, [...(this.sites.get(key) ?? []), bp]);
        }
      }
    }
  }

  /** Compiles the condition in every VM the breakpoint can stop in; returns the first error, if any. */
  private checkCondition(bp: Conditional, vms: number[]): string | undefined {
    if (
      bp.hitCondition !== undefined &&
      bp.hitCondition.trim() !== '' &&
      !/^\s*(>=|>|==|%)?\s*\d+\s*$/.test(bp.hitCondition)
    ) {
      return `hit count '${bp.hitCondition}' is not a number, >N, >=N, ==N or %N`;
    }
    if (!bp.condition?.trim()) return undefined;
    for (const vm of new Set(vms)) {
      const c = compileExpression(this.program, bp.condition, vm);
      if (!c.expr) return `condition: ${c.diagnostics.map((d) => d.message).join('; ')}`;
      bp.compiled.set(vm, c.expr);
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------------------ functions

  setFunctionBreakpoints(requested: DebugProtocol.FunctionBreakpoint[], ids?: number[]): DebugProtocol.Breakpoint[] {
    this.functions = [];
    const out = requested.map((r, i): DebugProtocol.Breakpoint => {
      const id = this.allocate(ids, i);
      const parsed = parseFunctionBreakpoint(this.program, r.name);
      if ('error' in parsed) return { id, verified: false, message: parsed.error };
      const bp: FunctionBreakpoint = {
        id,
        matcher: parsed.matcher,
        condition: r.condition,
        hitCondition: r.hitCondition,
        hitPositions: [],
        compiled: new Map(),
      };
      const problem = this.checkCondition(
        bp,
        this.program.vms.map((_, i) => i),
      );
      if (problem) return { id, verified: false, message: problem };
      this.functions.push(bp);
      return { id, verified: true, message: `stops on ${parsed.matcher.describe}` };
    });
    this.functionRequests = { requested, ids: out.map((b) => b.id!) };
    return out;
  }

  // ------------------------------------------------------------------------------------------ data

  setDataBreakpoints(
    m: Machine,
    requested: DebugProtocol.DataBreakpoint[],
    ids?: number[],
  ): DebugProtocol.Breakpoint[] {
    this.data = [];
    const out = requested.map((r, i): DebugProtocol.Breakpoint => {
      const id = this.allocate(ids, i);
      const watch = createWatch(m, r.dataId);
      if ('error' in watch) return { id, verified: false, message: watch.error };
      // VS Code calls 'write' "Break on Value Change"; 'readWrite' ("Value Access") stops on every write.
      const access: WatchAccess = r.accessType === 'readWrite' ? 'write' : 'change';
      this.data.push({ id, watch, access, last: watch.read(m) });
      return {
        id,
        verified: true,
        message: `${access === 'change' ? 'on change of' : 'on every write to'} ${watch.label}`,
      };
    });
    this.dataRequests = { requested, ids: out.map((b) => b.id!) };
    return out;
  }

  /** Watched values can change by time travel: read them afresh before every run. */
  resetWatches(m: Machine): void {
    for (const d of this.data) d.last = d.watch.read(m);
  }

  // ------------------------------------------------------------------------------------------ probes

  /** The probes for a run: breakpoints first, then what the caller adds (a step). */
  probes(t: Timeline): Probe[] {
    const m = t.machine;
    const lineProbe: Probe = {
      before: (unit, ctx) => {
        if (unit.kind !== 'vcpu') return undefined;
        const bps = this.sites.get(`${unit.vm}:${unit.pc}`);
        if (!bps) return undefined;
        const hitIds = bps.filter((bp) => this.fires(bp, m, unit, ctx.reverse)).map((bp) => bp.id);
        return hitIds.length
          ? { reason: 'breakpoint', thread: t.threadOfUnit(unit), breakpointIds: hitIds }
          : undefined;
      },
    };
    const functionProbe: Probe = {
      before: (unit, ctx) => {
        const ids = this.functions
          .filter((bp) => bp.matcher.before?.(m, unit) && this.fires(bp, m, unit, ctx.reverse))
          .map((bp) => bp.id);
        return ids.length
          ? {
              reason: 'function breakpoint',
              thread: t.threadOfUnit(unit),
              breakpointIds: ids,
              description: this.describeFunctions(ids),
            }
          : undefined;
      },
      after: (result, ctx) => {
        let thread = result.thread;
        const ids: number[] = [];
        for (const bp of this.functions) {
          const event = bp.matcher.after?.(m, result.unit, result.events);
          if (!event || !this.fires(bp, m, result.unit, ctx.reverse)) continue;
          ids.push(bp.id);
          // Stop on the vCPU the event is about (the one that exited), not the host unit that caused it.
          if (event.vm >= 0 && event.vcpu >= 0) thread = t.threadOf(event.vm, event.vcpu);
        }
        return ids.length
          ? { reason: 'function breakpoint', thread, breakpointIds: ids, description: this.describeFunctions(ids) }
          : undefined;
      },
    };
    const dataProbe: Probe = {
      after: (result) => {
        const ids: number[] = [];
        const changes: string[] = [];
        for (const d of this.data) {
          const now = d.watch.read(m);
          const changed = now !== d.last;
          if (changed || (d.access === 'write' && d.watch.wrote(m, result))) {
            ids.push(d.id);
            changes.push(`${d.watch.label}: ${formatValue(d.last)} -> ${formatValue(now)}`);
          }
          d.last = now;
        }
        return ids.length
          ? { reason: 'data breakpoint', thread: result.thread, breakpointIds: ids, description: changes.join('; ') }
          : undefined;
      },
    };
    const exceptionProbe: Probe = {
      after: (result) => {
        const hit = matchException(m, result.events, this.exceptionFilters);
        if (!hit) return undefined;
        // The vCPU the exception is about: the one whose event it was, or the one a host-caused violation names.
        const event = result.events.find(
          (e) => e.kind === 'violation' || e.kind === 'expect.fail' || e.kind === 'psci.return',
        );
        const about = event && event.vm >= 0 && event.vcpu >= 0 ? event : hit.culprit;
        return {
          reason: 'exception',
          thread: about ? t.threadOf(about.vm, about.vcpu) : result.thread,
          exception: hit,
          description: hit.message,
          vm: event && event.vm >= 0 ? event.vm : undefined,
          cause: result.thread,
        };
      },
    };
    return [lineProbe, functionProbe, dataProbe, exceptionProbe];
  }

  private describeFunctions(ids: number[]): string {
    return this.functions
      .filter((f) => ids.includes(f.id))
      .map((f) => f.matcher.describe)
      .join(', ');
  }

  /** A breakpoint's condition, hit count and log message; counts and logs only when running forward. */
  private fires(bp: Conditional, m: Machine, unit: Unit, reverse: boolean): boolean {
    const vm = unit.kind === 'vcpu' ? unit.vm : 0;
    const scope = {
      ...(unit.kind === 'vcpu' ? m.scope(unit.vm, unit.vcpu) : { vm: 0, vcpu: 0, args: [] }),
      now: unit.time,
    };
    const compiled = bp.compiled.get(vm);
    if (bp.condition?.trim()) {
      if (compiled === undefined || typeof compiled === 'string') return false;
      if (evaluate(m, compiled, scope) === 0n) return false;
    }
    if (reverse) return !bp.logMessage;
    if (bp.hitCondition?.trim()) {
      const hits = countHit(bp.hitPositions, m.state.steps);
      const hc = /^\s*(>=|>|==|%)?\s*(\d+)\s*$/.exec(bp.hitCondition)!;
      const n = Number(hc[2]);
      const ok =
        hc[1] === '>' ? hits > n : hc[1] === '>=' ? hits >= n : hc[1] === '%' ? n > 0 && hits % n === 0 : hits === n;
      if (!ok) return false;
    }
    if (bp.logMessage) {
      this.logs.push(this.renderLog(bp.logMessage, m, unit));
      return false;
    }
    return true;
  }

  /** A log message with `{expr}` holes evaluated in the stopping vCPU's context. */
  private renderLog(message: string, m: Machine, unit: Unit): string {
    const vm = unit.kind === 'vcpu' ? unit.vm : undefined;
    return message.replace(/\{([^}]*)\}/g, (_, text: string) => {
      const c = compileExpression(this.program, text, vm);
      if (!c.expr) return `{${text}: ${c.diagnostics[0]?.message ?? 'error'}}`;
      const v = evaluate(m, c.expr, {
        ...(unit.kind === 'vcpu' ? m.scope(unit.vm, unit.vcpu) : { vm: 0, vcpu: 0, args: [] }),
        now: unit.time,
      });
      // As the language's `log "...{expr}"` renders its holes: times as durations, conditions as true/false.
      return c.type === 'time' ? formatDuration(v) : c.type === 'bool' ? String(v !== 0n) : formatValue(v);
    });
  }

  hasLineBreakpoints(): boolean {
    return this.sites.size > 0;
  }
}

export type { Hit };

/** Records a hit at `position` after forgetting those at or after it (a future time travel left), and counts them. */
function countHit(positions: number[], position: number): number {
  while (positions.length && positions[positions.length - 1] >= position) positions.pop();
  positions.push(position);
  return positions.length;
}
