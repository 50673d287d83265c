// The host's own suspend state machine: running -> suspending -> suspended -> resuming -> running.
// A requested suspend proceeds at once unless a `waits-for VM s2idle` policy makes it wait for that guest's
// s2idle notification.

import { Machine } from './machine';
import { HostRunState } from './state';

function setHostState(m: Machine, to: HostRunState, why: string): void {
  const from = m.state.host.state;
  if (from === to) return;
  m.state.host.state = to;
  m.emit(-1, -1, { kind: 'host.state', from, to, why });
}

/** The policies a requested suspend waits on: VMs that must notify s2idle first. */
function pendingNotifications(m: Machine): number[] {
  return m.program.host.policies.filter((p) => p.kind === 'waits-for' && m.state.vms[p.vm].notifications === 0).map((p) => p.vm);
}

export function requestHostSuspend(m: Machine, why: string): void {
  if (m.state.host.state !== 'running') return;
  m.state.host.suspendRequested = true;
  const waiting = pendingNotifications(m);
  if (waiting.length > 0) {
    m.emit(-1, -1, { kind: 'host.state', from: 'running', to: 'running', why: `suspend requested (${why}); waiting for the s2idle notification of ${waiting.map((i) => m.vmConfig(i).name).join(', ')}` });
    return;
  }
  suspendHost(m, why);
}

/** Called when a guest notifies s2idle: a suspend waiting for it may now go ahead. */
export function onGuestNotified(m: Machine, vm: number): void {
  const host = m.state.host;
  const privileged = m.program.host.policies.some((p) => p.kind === 'privileged' && p.vm === vm);
  if (privileged && host.state === 'running') {
    host.suspendRequested = true;
    suspendHost(m, `${m.vmConfig(vm).name} (privileged) entered s2idle`);
    return;
  }
  if (host.suspendRequested && host.state === 'running' && pendingNotifications(m).length === 0) suspendHost(m, `${m.vmConfig(vm).name} notified s2idle`);
}

export function suspendHost(m: Machine, why: string): void {
  setHostState(m, 'suspending', why);
  setHostState(m, 'suspended', why);
  m.state.host.suspendRequested = false;
}

export function wakeHost(m: Machine, why: string): void {
  if (m.state.host.state !== 'suspended') return;
  setHostState(m, 'resuming', why);
  setHostState(m, 'running', why);
  for (const vm of m.state.vms) vm.notifications = 0;
}
