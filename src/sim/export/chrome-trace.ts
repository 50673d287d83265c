// A run as a Chrome trace-event file, which Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// Format: "Trace Event Format" (Google, linked from catapult's docs/trace-event-format.md:
// https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU). The facts this file relies on:
// the JSON Object Format is `{ traceEvents: [...], displayTimeUnit: 'ms' | 'ns', ...other keys kept as metadata }`;
// every event has `name`, `ph` (phase), `ts`, `pid` and `tid`; `ts` and `dur` are in microseconds and may be
// fractional; a complete event (ph 'X') carries its `dur` and, unlike B/E pairs, may appear in any order; an
// instant event (ph 'i') has a scope `s` of 'g' (global), 'p' (process) or 't' (thread, the default); metadata
// events (ph 'M') named `process_name` / `thread_name` take `args.name`, and `process_sort_index` /
// `thread_sort_index` take `args.sort_index` (lower sorts first).
//
// The mapping: a process per VM and one for the host; in a VM a thread per vCPU (its PSCI power state as
// slices) and per device (its D-state); in the host one thread for the host's suspend state. What happens at an
// instant (PSCI calls, VMM exits and answers, interrupts, PMCSR writes, s2idle notifications, virtio status
// writes, violations, failed expectations, faults, logs) is an instant event on the thread it happened on.

import { D_STATE_NAMES } from '../../lang/domain/constants';
import { Program } from '../../lang/program';
import { TIME_UNITS } from '../../lang/lexer';
import { HOST_LANE, deviceLane, eventVcpuLane, toTimelineEvent } from '../debug/timeline-events';
import { describeEvent } from '../describe-event';
import { formatValue } from '../eval';
import { PMCSR_STATE_MASK } from '../devices/pci-function';
import { TraceEvent } from '../trace';
import { LaneInfo, LaneKind, laneInfos, laneStates, virtioStatusChange } from './lane-states';

export type ChromePhase = 'X' | 'i' | 'M';

export interface ChromeTraceEvent {
  name: string;
  cat?: string;
  ph: ChromePhase;
  /** µs */
  ts: number;
  /** µs, complete events only */
  dur?: number;
  pid: number;
  tid: number;
  /** instant events only: 't', the thread the event happened on */
  s?: 't';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ns';
  metadata?: Record<string, unknown>;
}

/** Virtual time is in ns; the format counts µs. */
export function microseconds(ns: number): number {
  return ns / Number(TIME_UNITS.us);
}

interface Track extends LaneInfo {
  pid: number;
  tid: number;
  /** order within its process: declaration order */
  sortIndex: number;
  threadName: string;
}

const HOST_PID = 1;

function vmPid(vm: number): number {
  return vm + 2;
}

/**
 * pids and tids. Thread ids are unique over the whole trace and differ from every pid, so a viewer that keys threads
 * by tid alone, or takes `tid == pid` for a process's main thread, still sees exactly one thread per track.
 */
function tracks(program: Program): Track[] {
  let nextTid = vmPid(program.vms.length);
  const sortIndex = new Map<number, number>();
  return laneInfos(program).map((info) => {
    const pid = info.vm < 0 ? HOST_PID : vmPid(info.vm);
    const index = sortIndex.get(pid) ?? 0;
    sortIndex.set(pid, index + 1);
    return { ...info, pid, tid: nextTid++, sortIndex: index, threadName: threadName(program, info) };
  });
}

function threadName(program: Program, info: LaneInfo): string {
  if (info.kind === 'host') return 'suspend state';
  const vm = program.vms[info.vm];
  if (info.kind === 'vcpu') return `vcpu${info.index}`;
  const d = vm.devices[info.index];
  const bdf = `${hex2(d.bus)}:${hex2(d.dev)}.${d.fn}`;
  return `${d.name} (${d.model} ${bdf})`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function hex(v: bigint | number): string {
  return '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
}

const SLICE_CATEGORY: Record<LaneKind, string> = { host: 'host', vcpu: 'power', device: 'dstate' };

interface Instant {
  name: string;
  cat: string;
  lane: string;
  args: Record<string, unknown>;
}

/** The PSCI argument registers, x1 to x3, as the SMC calling convention passes them. */
const PSCI_ARG_REGISTERS = ['x1', 'x2', 'x3'];

/**
 * What the trace shows for one event at its instant, or undefined for an event it leaves out (signals, halts,
 * MMIO, other config accesses: the JSON export has them all). Lanes come from the timeline view's own mapping
 * where it has the event, so both put a mark in the same place.
 */
function instantOf(program: Program, e: TraceEvent): Instant | undefined {
  const mark = toTimelineEvent(program, e);
  const lane = mark?.lane ?? eventVcpuLane(program, e);
  switch (e.kind) {
    case 'psci.call': {
      const args: Record<string, unknown> = { function: e.fn, id: hex(e.fid), conduit: e.conduit };
      e.args.forEach((a, i) => (args[PSCI_ARG_REGISTERS[i] ?? `arg${i + 1}`] = hex(a)));
      return { name: `PSCI ${e.fn}`, cat: 'psci', lane, args };
    }
    case 'vmm.exit':
      return {
        name: `exit ${e.exit}`,
        cat: 'vmm',
        lane,
        args: { exit: e.exit, via: e.via, flags: hex(e.flags), detail: e.detail },
      };
    case 'vmm.answer':
      return {
        name: `VMM answers ${e.exit}`,
        cat: 'vmm',
        lane,
        args: { exit: e.exit, answer: e.answer, result: e.result },
      };
    case 'irq.raise':
      return { name: `irq ${e.irq} raised`, cat: 'irq', lane, args: { irq: e.irq, target: `vcpu${e.target}` } };
    case 'irq.wake':
      return { name: `irq ${e.irq} wakes`, cat: 'irq', lane, args: { irq: e.irq, from: e.from } };
    case 'irq.deliver':
      return { name: `irq ${e.irq} delivered`, cat: 'irq', lane, args: { irq: e.irq } };
    case 'irq.masked':
      return { name: `irq ${e.irq} masked`, cat: 'irq', lane, args: { irq: e.irq, why: e.why } };
    case 'pci.config': {
      if (mark?.kind !== 'pmcsr') return undefined;
      // PMCSR bits 1:0 are PowerState (PCI Bus Power Management Interface Specification); the write's value is
      // the whole register, so the state it asks for is there even when a single field was written.
      const state = D_STATE_NAMES[Number(e.value & BigInt(PMCSR_STATE_MASK))];
      return {
        name: `PMCSR write ${state}`,
        cat: 'pmcsr',
        lane,
        args: { device: e.device, state, register: e.register, value: hex(e.value), effect: e.note },
      };
    }
    case 's2idle.notify':
      return { name: `s2idle notify #${e.count}`, cat: 'notify', lane, args: { count: e.count } };
    case 'device': {
      const change = virtioStatusChange(e);
      const vm = program.vms[e.vm];
      if (!change || !vm) return undefined;
      return {
        name: `virtio status ${change.to}`,
        cat: 'virtio',
        lane: deviceLane(vm, e.device),
        args: { device: e.device, from: change.from, to: change.to, why: e.detail },
      };
    }
    case 'violation':
      return {
        name: `VIOLATION ${e.invariant}`,
        cat: 'violation',
        lane,
        args: { invariant: e.invariant, title: e.title, message: e.message },
      };
    case 'expect.fail':
      return { name: 'expectation failed', cat: 'violation', lane, args: { expect: e.text, message: e.message } };
    case 'fault':
      return { name: 'fault', cat: 'violation', lane, args: { message: e.message } };
    case 'log':
      return { name: `log: ${e.text}`, cat: 'log', lane, args: { message: e.text } };
    case 'context.lost':
    case 'halt':
    case 'host.action':
    case 'host.state':
    case 'irq.config':
    case 'mmio':
    case 'power':
    case 'psci.return':
    case 'signal':
    case 'vm.state':
    default:
      return undefined;
  }
}

/**
 * The run as a trace-event object. `events` is the whole trace in order, `endTime` the virtual time the run ended
 * at (where the states still open end), `metadata` whatever describes the run (scenario, seed, trace hash).
 */
export function toChromeTrace(
  program: Program,
  events: readonly TraceEvent[],
  endTime: number,
  metadata?: Record<string, unknown>,
): ChromeTrace {
  const all = tracks(program);
  const byLane = new Map(all.map((t) => [t.lane, t]));
  const hostTrack = byLane.get(HOST_LANE)!;

  const out: ChromeTraceEvent[] = [];
  const meta = (name: string, pid: number, tid: number, args: Record<string, unknown>) =>
    out.push({ name, ph: 'M', ts: 0, pid, tid, args });
  // Process-wide metadata names the process's main thread (tid == pid), which has no events of its own.
  meta('process_name', HOST_PID, HOST_PID, { name: 'host' });
  meta('process_sort_index', HOST_PID, HOST_PID, { sort_index: 0 });
  for (const vm of program.vms) {
    meta('process_name', vmPid(vm.index), vmPid(vm.index), { name: `${vm.name} (${vm.flavour})` });
    meta('process_sort_index', vmPid(vm.index), vmPid(vm.index), { sort_index: vm.index + 1 });
  }
  for (const t of all) {
    meta('thread_name', t.pid, t.tid, { name: t.threadName });
    meta('thread_sort_index', t.pid, t.tid, { sort_index: t.sortIndex });
  }

  // Each with the trace position it comes from (-1 for a state a lane starts in), to order events of one instant.
  const timed: { event: ChromeTraceEvent; seq: number }[] = [];
  for (const lane of laneStates(program, events, endTime)) {
    const track = byLane.get(lane.lane)!;
    for (const span of lane.spans) {
      const slice: ChromeTraceEvent = {
        name: span.state,
        cat: SLICE_CATEGORY[lane.kind],
        ph: 'X',
        ts: microseconds(span.start),
        // From the ns difference rather than two µs floats, so it is exact and never negative.
        dur: microseconds(span.end - span.start),
        pid: track.pid,
        tid: track.tid,
        args: {
          ...span.attributes,
          ...(span.cause ? { since: span.cause } : {}),
          ...(span.seq >= 0 ? { seq: span.seq } : {}),
        },
      };
      timed.push({ seq: span.seq, event: slice });
    }
  }

  // A PSCI call's result is on its return, which comes later or never (a CPU_OFF or SYSTEM_SUSPEND that
  // succeeded); the call's instant gets it so one mark says what was asked and what came back.
  const callsAwaitingReturn = new Map<string, { t: number; args: Record<string, unknown> }>();
  for (const e of events) {
    if (e.kind === 'psci.return') {
      const lane = eventVcpuLane(program, e);
      const call = callsAwaitingReturn.get(lane);
      callsAwaitingReturn.delete(lane);
      if (call && call.args.function === e.fn) {
        call.args.result = e.name;
        call.args.result_value = formatValue(e.result);
        if (e.t !== call.t) call.args.returned_at_us = microseconds(e.t);
      }
      continue;
    }
    const instant = instantOf(program, e);
    if (!instant) continue;
    const track = byLane.get(instant.lane) ?? hostTrack;
    const args: Record<string, unknown> = { ...instant.args, text: describeEvent(e), seq: e.seq };
    if (e.kind === 'psci.call') {
      args.result = 'did not return';
      callsAwaitingReturn.set(eventVcpuLane(program, e), { t: e.t, args });
    }
    timed.push({
      seq: e.seq,
      event: {
        name: instant.name,
        cat: instant.cat,
        ph: 'i',
        s: 't',
        ts: microseconds(e.t),
        pid: track.pid,
        tid: track.tid,
        args,
      },
    });
  }

  timed.sort((a, b) => a.event.ts - b.event.ts || a.seq - b.seq);
  for (const { event } of timed) out.push(event);
  const trace: ChromeTrace = { traceEvents: out, displayTimeUnit: 'ns' };
  if (metadata) trace.metadata = metadata;
  return trace;
}

/** The trace as JSON text with one event per line, so two exports diff line by line. */
export function chromeTraceText(trace: ChromeTrace): string {
  const { traceEvents, ...rest } = trace;
  const head = JSON.stringify(rest);
  return `{"traceEvents":[\n${traceEvents.map((e) => JSON.stringify(e)).join(',\n')}\n],${head.slice(1)}\n`;
}
