// The trace as the timeline view draws it: which lane (the host, a vCPU, a device) each event belongs to, the state
// a lane enters (a vCPU's power state, a device's D-state, the host's suspend state), and the marks (PSCI calls,
// VMM exits, interrupts, PMCSR writes, notifications, violations).

import { Program, VmConfig } from '../../lang/program';
import { describeEvent, eventSource } from '../describe-event';
import { TraceEvent } from '../trace';

export type MarkKind = 'psci' | 'vmm' | 'irq' | 'pmcsr' | 'notify' | 'violation';

export interface TimelineEvent {
  seq: number;
  t: number;
  kind: MarkKind | 'state';
  lane: string;
  source: string;
  text: string;
  /** set for state changes: the state the lane enters */
  state?: string;
}

export const HOST_LANE = 'host';

export function vcpuLane(vm: VmConfig, vcpu: number): string {
  return `${vm.name}.vcpu${vcpu}`;
}

export function deviceLane(vm: VmConfig, device: string): string {
  return `${vm.name}.${device}`;
}

/** The lane of an event a vCPU caused: that vCPU's; VM-wide and host events go to the host's lane. */
export function eventVcpuLane(program: Program, e: TraceEvent): string {
  const vm = program.vms[e.vm];
  return vm && e.vcpu >= 0 ? vcpuLane(vm, e.vcpu) : HOST_LANE;
}

export function timelineLanes(program: Program): string[] {
  return [
    HOST_LANE,
    ...program.vms.flatMap((vm) => Array.from({ length: vm.vcpuCount }, (_, i) => vcpuLane(vm, i))),
    ...program.vms.flatMap((vm) => vm.devices.map((d) => deviceLane(vm, d.name))),
  ];
}

/**
 * The state each lane starts in at time 0: vCPUs with a program ON (unless declared `off`), the others OFF,
 * devices D0, the host running.
 */
export function initialLaneStates(program: Program): Record<string, string> {
  const states: Record<string, string> = { [HOST_LANE]: 'running' };
  for (const vm of program.vms) {
    for (let i = 0; i < vm.vcpuCount; i++)
      states[vcpuLane(vm, i)] = vm.programEntry[i] >= 0 && !vm.poweredOff[i] ? 'ON' : 'OFF';
    for (const d of vm.devices) states[deviceLane(vm, d.name)] = 'D0';
  }
  return states;
}

export function toTimelineEvent(program: Program, e: TraceEvent): TimelineEvent | undefined {
  const vm = program.vms[e.vm];
  const ownLane = eventVcpuLane(program, e);
  const base = { seq: e.seq, t: e.t, source: eventSource(program, e), text: describeEvent(e) };
  switch (e.kind) {
    case 'power':
      return { ...base, kind: 'state', lane: ownLane, state: e.to };
    case 'host.state':
      return e.from === e.to ? undefined : { ...base, kind: 'state', lane: HOST_LANE, state: e.to };
    case 'device': {
      const m = /^(D0|D1|D2|D3hot|D3cold) -> (D0|D1|D2|D3hot|D3cold)$/.exec(e.what);
      return m && vm ? { ...base, kind: 'state', lane: deviceLane(vm, e.device), state: m[2] } : undefined;
    }
    case 'psci.call':
      return { ...base, kind: 'psci', lane: ownLane };
    case 'vmm.exit':
      return { ...base, kind: 'vmm', lane: ownLane };
    case 'irq.raise':
      return { ...base, kind: 'irq', lane: vm ? vcpuLane(vm, e.target) : HOST_LANE };
    case 'pci.config':
      return e.access === 'write' && e.register.startsWith('pmcsr') && vm
        ? { ...base, kind: 'pmcsr', lane: deviceLane(vm, e.device) }
        : undefined;
    case 's2idle.notify':
      return { ...base, kind: 'notify', lane: ownLane };
    case 'violation':
    case 'expect.fail':
      return { ...base, kind: 'violation', lane: ownLane };
    case 'context.lost':
    case 'fault':
    case 'halt':
    case 'host.action':
    case 'irq.config':
    case 'irq.deliver':
    case 'irq.masked':
    case 'irq.wake':
    case 'log':
    case 'mmio':
    case 'psci.return':
    case 'signal':
    case 'vm.state':
    case 'vmm.answer':
    default:
      return undefined;
  }
}
