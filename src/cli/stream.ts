// Writing a run as it goes, never holding its trace: memory stays bounded however long the run is.
//
// - LineWriter: the output, in lines, counted against the run's --max-output budget, batched into large writes.
// - JsonRunDocument: `sflow run --format json`'s document (and `sflow export --format json`'s), written member by
//   member: the scenario and seed first, the events as they happen, what is only known at the end (trace hash,
//   end time, result, summary) last. The same JSON as ever; only the order of its members changed.
// - LaneTracker: the lanes' states (src/sim/export/lane-states.ts laneStates) as the events come, each span given
//   out when it closes.
// - ChromeTraceStream: the Perfetto trace (src/sim/export/chrome-trace.ts toChromeTrace) as the run goes. Its
//   instants are toChromeTrace's own, made from batches of events; its slices are the LaneTracker's spans. The
//   events are the same as toChromeTrace's; only their order in the file differs (a slice is written when it ends),
//   which the format allows: viewers sort by timestamp.
// - LaneSpool: the spans of each lane for the JSON document, which lists them lane by lane: kept in memory up to a
//   few MiB, then in a temporary file per lane, removed at the end.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StringDecoder } from 'string_decoder';
import { Program } from '../lang/program';
import { deviceLane, eventVcpuLane, initialLaneStates, toTimelineEvent } from '../sim/debug/timeline-events';
import { describeEvent } from '../sim/describe-event';
import { ChromeTraceEvent, microseconds, toChromeTrace } from '../sim/export/chrome-trace';
import { LaneInfo, laneInfos, StateSpan, virtioStatusChange } from '../sim/export/lane-states';
import { eventToJson, TraceEvent } from '../sim/trace';
import { OutputBudget } from './bounds';

// ------------------------------------------------------------------------------------------ lines

/** Lines out (stdout through Io, or a file), each counted against the budget, written in batches of about 64 KiB. */
export class LineWriter {
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly write: (text: string) => void,
    readonly budget: OutputBudget,
  ) {}

  /** A file to write to, opened now (so a bad path fails before the run). */
  static toFile(file: string, budget: OutputBudget): LineWriter & { close(): void } {
    const fd = fs.openSync(file, 'w');
    const writer = new LineWriter((text) => fs.writeSync(fd, text + '\n'), budget) as LineWriter & { close(): void };
    writer.close = () => {
      writer.flush();
      fs.closeSync(fd);
    };
    return writer;
  }

  /** One line (or several joined by newlines); `charge: false` for what the budget already counted. */
  line(text: string, charge = true): void {
    const bytes = Buffer.byteLength(text) + 1;
    if (charge) this.budget.charge(bytes);
    this.pending.push(text);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= 64 * 1024) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n');
    this.pending = [];
    this.pendingBytes = 0;
    this.write(text);
  }
}

/** JSON.stringify(value, null, 2), every line after the first indented by `indent` (for nesting in a document). */
function pretty(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, '\n' + indent);
}

// ------------------------------------------------------------------------------------------ the run's JSON

/**
 * `{ scenario, seed, ..., events: [...], ..., traceHash, endTime, result, summary }` written as it goes, as
 * JSON.stringify(document, null, 2) would lay it out. The last event is held until the next (for its comma).
 */
export class JsonRunDocument {
  private held?: string;
  private members = 0;

  constructor(
    private readonly out: LineWriter,
    head: Record<string, unknown>,
  ) {
    out.line('{');
    for (const [key, value] of Object.entries(head)) this.member(key, value);
    out.line('  "events": [');
  }

  private member(key: string, value: unknown): void {
    if (value === undefined) return;
    this.out.line(`  ${JSON.stringify(key)}: ${pretty(value, '  ')},`);
    this.members++;
  }

  event(e: TraceEvent): void {
    const text = '    ' + pretty(eventToJson(e), '    ');
    if (this.held !== undefined) this.out.line(this.held + ',');
    this.held = text;
  }

  /** Closes the events; then `section` writes members after them (the lanes), each `"key": value,` line. */
  endEvents(): void {
    if (this.held !== undefined) this.out.line(this.held);
    this.held = undefined;
    this.out.line('  ],');
  }

  /** The members known at the end, and the closing brace. */
  finish(tail: Record<string, unknown>): void {
    const entries = Object.entries(tail).filter(([, v]) => v !== undefined);
    entries.forEach(([key, value], i) =>
      this.out.line(`  ${JSON.stringify(key)}: ${pretty(value, '  ')}${i < entries.length - 1 ? ',' : ''}`, false),
    );
    this.out.line('}', false);
    this.out.flush();
  }
}

// ------------------------------------------------------------------------------------------ lanes

/** A vCPU starts RUNNABLE when it has a program and STOPPED when it has none, as the machine resets it
 * (lane-states.ts). */
function initialMpState(power: string): string {
  return power === 'OFF' ? 'STOPPED' : 'RUNNABLE';
}

/** Spans of a virtio device's lane are held until its first status change says what the status was before it. */
const HELD_SPANS_MAX = 4096;

type OpenSpan = Omit<StateSpan, 'end'>;

/**
 * laneStates, incrementally: `event` for each event in order, `finish(endTime)` at the end; `emit(lane, span)` gets
 * every span once it has ended, in order within each lane. The same spans as laneStates(program, events, endTime):
 * a virtio device's status before its first change is that change's `from`, so its lane's spans wait for that
 * change (or the end, or HELD_SPANS_MAX of them: then they go without it).
 */
export class LaneTracker {
  readonly lanes: LaneInfo[];
  private readonly current: OpenSpan[];
  private readonly held: (StateSpan[] | undefined)[];
  private readonly byName: Map<string, number>;

  constructor(
    private readonly program: Program,
    private readonly emit: (lane: number, span: StateSpan) => void,
  ) {
    this.lanes = laneInfos(program);
    this.byName = new Map(this.lanes.map((l, i) => [l.lane, i]));
    const initial = initialLaneStates(program);
    this.current = this.lanes.map((l): OpenSpan => {
      const state = initial[l.lane];
      const attributes: Record<string, string> = l.kind === 'vcpu' ? { mp_state: initialMpState(state) } : {};
      return { state, start: 0, seq: -1, cause: '', attributes };
    });
    this.held = this.lanes.map((l) =>
      l.kind === 'device' && /^virtio/.test(program.vms[l.vm].devices[l.index].model) ? [] : undefined,
    );
  }

  private give(lane: number, span: StateSpan): void {
    const held = this.held[lane];
    if (!held) return this.emit(lane, span);
    held.push(span);
    if (held.length >= HELD_SPANS_MAX) this.release(lane);
  }

  private release(lane: number): void {
    const held = this.held[lane];
    this.held[lane] = undefined;
    for (const span of held ?? []) this.emit(lane, span);
  }

  private open(lane: number, e: TraceEvent, state: string, cause: string, attributes: Record<string, string>): void {
    const current = this.current[lane];
    this.give(lane, { ...current, end: e.t });
    this.current[lane] = { state, start: e.t, seq: e.seq, cause, attributes };
  }

  event(e: TraceEvent): void {
    const change = virtioStatusChange(e);
    if (change) {
      const vm = this.program.vms[e.vm];
      const lane = vm && e.kind === 'device' ? this.byName.get(deviceLane(vm, e.device)) : undefined;
      if (lane === undefined) return;
      const held = this.held[lane];
      if (held) {
        // The first change: every span so far had the status it changes from.
        for (const span of held) span.attributes = { ...span.attributes, virtio_status: change.from };
        this.current[lane].attributes = { ...this.current[lane].attributes, virtio_status: change.from };
        this.release(lane);
      }
      const current = this.current[lane];
      const attributes = { ...current.attributes, virtio_status: change.to };
      if (current.start === e.t) current.attributes = attributes;
      else this.open(lane, e, current.state, describeEvent(e), attributes);
      return;
    }
    const te = toTimelineEvent(this.program, e);
    if (te?.kind !== 'state' || te.state === undefined) return;
    const lane = this.byName.get(te.lane);
    if (lane === undefined) return;
    const attributes = e.kind === 'power' ? { mp_state: e.mp } : { ...this.current[lane].attributes };
    this.open(lane, e, te.state, te.text, attributes);
  }

  /** Ends every open span at `endTime`. */
  finish(endTime: number): void {
    this.lanes.forEach((_, lane) => {
      this.give(lane, { ...this.current[lane], end: endTime });
      this.release(lane);
    });
  }
}

// ------------------------------------------------------------------------------------------ Perfetto

/** Events per batch turned into instants. */
const INSTANT_BATCH = 1024;

/**
 * The Chrome trace-event file as the run goes: `{"traceEvents":[` and the metadata events first, then one event a
 * line, then `],"displayTimeUnit":"ns","metadata":{...}}`, as chromeTraceText lays it out.
 */
export class ChromeTraceStream {
  private readonly tracker: LaneTracker;
  private readonly slice: { pid: number; tid: number; cat?: string }[];
  private batch: TraceEvent[] = [];
  /** PSCI calls whose return has not come yet: their instant gets the result, so it waits for it */
  private waiting: TraceEvent[] = [];
  /** the last event line, held until the next (for its comma) */
  private held?: string;

  constructor(
    private readonly program: Program,
    private readonly out: LineWriter,
  ) {
    // pids, tids and categories as toChromeTrace gives them: its trace of no events has the metadata and, in lane
    // order, one slice per lane.
    const empty = toChromeTrace(program, [], 0).traceEvents;
    this.slice = empty.filter((e) => e.ph === 'X').map((e) => ({ pid: e.pid, tid: e.tid, cat: e.cat }));
    out.line('{"traceEvents":[');
    for (const e of empty) if (e.ph === 'M') this.write(e);
    this.tracker = new LaneTracker(program, (lane, span) =>
      this.write({
        name: span.state,
        cat: this.slice[lane].cat,
        ph: 'X',
        ts: microseconds(span.start),
        dur: microseconds(span.end - span.start),
        pid: this.slice[lane].pid,
        tid: this.slice[lane].tid,
        args: {
          ...span.attributes,
          ...(span.cause ? { since: span.cause } : {}),
          ...(span.seq >= 0 ? { seq: span.seq } : {}),
        },
      }),
    );
  }

  private write(e: ChromeTraceEvent): void {
    if (this.held !== undefined) this.out.line(this.held + ',');
    this.held = JSON.stringify(e);
  }

  event(e: TraceEvent): void {
    this.tracker.event(e);
    this.batch.push(e);
    if (this.batch.length >= INSTANT_BATCH) this.instants(false);
  }

  /** toChromeTrace's instants for the batch (and the calls still waiting from before); calls still waiting wait on. */
  private instants(final: boolean): void {
    const events = this.waiting.length ? [...this.waiting, ...this.batch] : this.batch;
    this.batch = [];
    if (events.length === 0) return;
    // As toChromeTrace pairs them: a call waits on its vCPU's lane until a return there (or the next call) comes.
    const waiting = new Map<string, TraceEvent>();
    for (const e of events) {
      if (e.kind === 'psci.return') waiting.delete(eventVcpuLane(this.program, e));
      else if (e.kind === 'psci.call') waiting.set(eventVcpuLane(this.program, e), e);
    }
    this.waiting = final ? [] : [...waiting.values()].sort((a, b) => a.seq - b.seq);
    const keep = new Set(this.waiting.map((e) => e.seq));
    for (const e of toChromeTrace(this.program, events, 0).traceEvents) {
      if (e.ph === 'i' && !keep.has(e.args?.seq as number)) this.write(e);
    }
  }

  finish(endTime: number, metadata: Record<string, unknown>): void {
    this.instants(true);
    this.tracker.finish(endTime);
    if (this.held !== undefined) this.out.line(this.held);
    // The closing line is written whatever the budget: the file stays a JSON document.
    this.out.line(`],${JSON.stringify({ displayTimeUnit: 'ns', metadata }).slice(1)}`, false);
    this.out.flush();
  }
}

// ------------------------------------------------------------------------------------------ lanes in JSON

/** In memory up to this many bytes of spans; beyond, each lane's go to a temporary file. */
const SPOOL_MEMORY = 4 * 1024 * 1024;

/**
 * The lanes' spans for `sflow export --format json`, which lists them lane by lane while they end interleaved. Each
 * span is charged to the budget when it comes (so a long run stops in time), written at the end.
 */
export class LaneSpool {
  private readonly tracker: LaneTracker;
  private readonly memory: string[][];
  private memoryBytes = 0;
  private dir?: string;

  constructor(
    program: Program,
    private readonly budget: OutputBudget,
  ) {
    this.tracker = new LaneTracker(program, (lane, span) => this.add(lane, span));
    this.memory = this.tracker.lanes.map(() => []);
  }

  event(e: TraceEvent): void {
    this.tracker.event(e);
  }

  private add(lane: number, span: StateSpan): void {
    const text = JSON.stringify({
      state: span.state,
      start: span.start,
      end: span.end,
      seq: span.seq,
      cause: span.cause,
      ...span.attributes,
    });
    this.budget.charge(Buffer.byteLength(text) + 12);
    this.memory[lane].push(text);
    this.memoryBytes += text.length;
    if (this.memoryBytes > SPOOL_MEMORY) this.spill();
  }

  private file(lane: number): string {
    return path.join(this.dir!, `lane${lane}.jsonl`);
  }

  private spill(): void {
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-lanes-'));
    this.memory.forEach((spans, lane) => {
      if (spans.length) fs.appendFileSync(this.file(lane), spans.join('\n') + '\n');
      this.memory[lane] = [];
    });
    this.memoryBytes = 0;
  }

  /** `"lanes": [...],` into the document, lane by lane; the temporary files are removed. */
  write(out: LineWriter, endTime: number): void {
    this.tracker.finish(endTime);
    try {
      out.line('  "lanes": [', false);
      const lanes = this.tracker.lanes;
      lanes.forEach((info, lane) => {
        out.line(
          `    {\n      "lane": ${JSON.stringify(info.lane)},\n      "kind": ${JSON.stringify(info.kind)},\n      "states": [`,
          false,
        );
        let held: string | undefined;
        const span = (text: string) => {
          if (held !== undefined) out.line(held + ',', false);
          held = '        ' + pretty(JSON.parse(text), '        ');
        };
        if (this.dir && fs.existsSync(this.file(lane))) forEachLine(this.file(lane), span);
        for (const text of this.memory[lane]) span(text);
        if (held !== undefined) out.line(held, false);
        out.line(`      ]\n    }${lane < lanes.length - 1 ? ',' : ''}`, false);
      });
      out.line('  ],', false);
    } finally {
      if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Calls `each` with every line of a file, reading it a MiB at a time. */
function forEachLine(file: string, each: (line: string) => void): void {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const lines = (rest + decoder.write(buffer.subarray(0, n))).split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line) each(line);
    }
    if (rest) each(rest);
  } finally {
    fs.closeSync(fd);
  }
}
