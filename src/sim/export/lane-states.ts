// A run's lanes as intervals of state: each vCPU's PSCI power state (with its KVM MP state), each device's D-state
// (with its virtio status once that is known), the host's suspend state. The timeline view draws the same lanes
// from the same state changes (debug/timeline-events.ts); exports need them as closed intervals instead.

import { Program, VmConfig } from '../../lang/program';
import { HOST_LANE, deviceLane, initialLaneStates, toTimelineEvent, vcpuLane } from '../debug/timeline-events';
import { describeEvent } from '../describe-event';
import { TraceEvent } from '../trace';

export type LaneKind = 'host' | 'vcpu' | 'device';

export interface LaneInfo {
  /** the timeline's lane name: `host`, `guest.vcpu0`, `guest.net0` */
  lane: string;
  kind: LaneKind;
  /** VM index, -1 for the host */
  vm: number;
  /** the vCPU index, or the device's index in its VM; 0 for the host */
  index: number;
}

export interface StateSpan {
  state: string;
  /** virtual time, ns; the span covers [start, end] */
  start: number;
  end: number;
  /** the event that entered this state, or -1 for the state the lane starts in */
  seq: number;
  /** why the lane entered it (the event's description), '' at the start */
  cause: string;
  /** what qualifies the state: `mp_state` for vCPUs, `virtio_status` for virtio devices */
  attributes: Record<string, string>;
}

export interface LaneStates extends LaneInfo {
  spans: StateSpan[];
}

/** Every lane in declaration order: the host, then per VM its vCPUs and its devices. */
export function laneInfos(program: Program): LaneInfo[] {
  const lanes: LaneInfo[] = [{ lane: HOST_LANE, kind: 'host', vm: -1, index: 0 }];
  for (const vm of program.vms) {
    for (let i = 0; i < vm.vcpuCount; i++) lanes.push({ lane: vcpuLane(vm, i), kind: 'vcpu', vm: vm.index, index: i });
    vm.devices.forEach((d, i) => lanes.push({ lane: deviceLane(vm, d.name), kind: 'device', vm: vm.index, index: i }));
  }
  return lanes;
}

/** `virtio status 15 (ACKNOWLEDGE|DRIVER|DRIVER_OK|FEATURES_OK) -> 0 (reset)` (devices/virtio.ts) as its two ends. */
export function virtioStatusChange(e: TraceEvent): { from: string; to: string } | undefined {
  if (e.kind !== 'device') return undefined;
  const m = /^virtio status (.+) -> (.+)$/.exec(e.what);
  return m ? { from: m[1], to: m[2] } : undefined;
}

/** A vCPU starts RUNNABLE when it has a program and STOPPED when it has none, as the machine resets it. */
function initialMpState(power: string): string {
  return power === 'OFF' ? 'STOPPED' : 'RUNNABLE';
}

function deviceLaneOf(program: Program, e: TraceEvent): string | undefined {
  const vm: VmConfig | undefined = program.vms[e.vm];
  return vm && e.kind === 'device' ? deviceLane(vm, e.device) : undefined;
}

/**
 * Splits each lane into the states it was in from time 0 to `endTime` (the run's last instant, where the open
 * spans close). A power event always starts a span, even one that lasts no time (CPU_ON's ON_PENDING), so the
 * spans of a vCPU are its power events one to one. A virtio status change is an attribute of the device's state:
 * it starts a span only when time has passed since the last one began, so a driver's burst of status writes in one
 * instant leaves one span with the status it ended on.
 */
export function laneStates(program: Program, events: readonly TraceEvent[], endTime: number): LaneStates[] {
  const lanes = laneInfos(program).map((info): LaneStates => ({ ...info, spans: [] }));
  const byName = new Map(lanes.map((l) => [l.lane, l]));
  const initial = initialLaneStates(program);

  // The status a virtio device had before its first change is that change's `from`; nothing else reports it.
  const initialVirtio = new Map<string, string>();
  for (const e of events) {
    const change = virtioStatusChange(e);
    const lane = deviceLaneOf(program, e);
    if (change && lane && !initialVirtio.has(lane)) initialVirtio.set(lane, change.from);
  }

  for (const lane of lanes) {
    const state = initial[lane.lane];
    const attributes: Record<string, string> = {};
    if (lane.kind === 'vcpu') attributes.mp_state = initialMpState(state);
    const virtio = initialVirtio.get(lane.lane);
    if (virtio !== undefined) attributes.virtio_status = virtio;
    lane.spans.push({ state, start: 0, end: endTime, seq: -1, cause: '', attributes });
  }

  const open = (lane: LaneStates, e: TraceEvent, state: string, cause: string, attributes: Record<string, string>) => {
    const current = lane.spans[lane.spans.length - 1];
    current.end = e.t;
    lane.spans.push({ state, start: e.t, end: endTime, seq: e.seq, cause, attributes });
  };

  for (const e of events) {
    const change = virtioStatusChange(e);
    if (change) {
      const lane = byName.get(deviceLaneOf(program, e) ?? '');
      if (!lane) continue;
      const current = lane.spans[lane.spans.length - 1];
      const attributes = { ...current.attributes, virtio_status: change.to };
      if (current.start === e.t) current.attributes = attributes;
      else open(lane, e, current.state, describeEvent(e), attributes);
      continue;
    }
    const te = toTimelineEvent(program, e);
    if (te?.kind !== 'state' || te.state === undefined) continue;
    const lane = byName.get(te.lane);
    if (!lane) continue;
    const current = lane.spans[lane.spans.length - 1];
    const attributes = e.kind === 'power' ? { mp_state: e.mp } : { ...current.attributes };
    open(lane, e, te.state, te.text, attributes);
  }
  return lanes;
}
