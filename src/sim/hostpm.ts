// The host's own suspend: running -> suspending -> suspended -> resuming -> running.
//
// - With no policy, `request suspend` starts suspending at once.
// - `policy suspend waits-for VM s2idle`: a requested suspend waits for that VM's s2idle notification (the crosvm
//   flow: powerd asks, the VMM waits for the guest's virtual PMC write, then the host suspends). As crosvm's
//   trigger_vm_suspend_and_wait_for_entry (src/crosvm/sys/linux.rs) does, the request forgets notifications sent
//   before it (`*guest_suspended = false`) and waits at most the host's `s2idle_timeout` (crosvm: 15 s,
//   `cvar.wait_timeout`), then suspends anyway ("Guest suspension timeout - proceeding anyway").
// - `policy suspend privileged VM`: that VM's notification itself triggers the host's suspend.
// - `policy suspend abort-on-wake`: a guest vCPU that wakes while the host is suspending aborts the suspend (as
//   Linux aborts on pm_wakeup_pending); without it the host completes its suspend regardless, which is the race
//   the s2idle notification RFC leaves open.
// Suspending takes the host's `suspend_latency` of virtual time (1 ms unless the scenario says); while the host is
// suspended no guest vCPU runs. An interrupt for a VM or a `wake` action wakes the host first.
//
// Xen (docs/DOMAIN.md 3.3): when the hardware domain completes SYSTEM_SUSPEND, Xen suspends the host
// (src/sim/psci/xen-host-suspend.ts). On wake it reverses all of it, thaws the domains that were not suspended, and
// always resumes the hardware domain.

import { Machine } from './machine';
import { HostRunState } from './state';
import { resumeSuspended } from './vmm';

export function setHostState(m: Machine, to: HostRunState, why: string): void {
  const from = m.state.host.state;
  if (from === to) return;
  m.state.host.state = to;
  m.emit(-1, -1, { kind: 'host.state', from, to, why });
}

/** A host.state event that changes nothing: a step of the host's own suspend or resume. */
export function note(m: Machine, why: string): void {
  m.emit(-1, -1, { kind: 'host.state', from: m.state.host.state, to: m.state.host.state, why });
}

/** VMs a `waits-for` policy still waits on. */
function pendingNotifications(m: Machine): number[] {
  return m.program.host.policies
    .filter((p) => p.kind === 'waits-for' && m.state.vms[p.vm].notifications === 0)
    .map((p) => p.vm);
}

function abortsOnWake(m: Machine): boolean {
  return m.program.host.policies.some((p) => p.kind === 'abort-on-wake');
}

export function requestHostSuspend(m: Machine, why: string): void {
  const host = m.state.host;
  if (host.state !== 'running') {
    note(m, `suspend requested (${why}) while ${host.state}: ignored`);
    return;
  }
  host.suspendRequested = true;
  // crosvm trigger_vm_suspend_and_wait_for_entry (src/crosvm/sys/linux.rs): `*guest_suspended = false` before the
  // wait, so only a notification sent after the request counts.
  for (const p of m.program.host.policies) if (p.kind === 'waits-for') m.state.vms[p.vm].notifications = 0;
  const waiting = pendingNotifications(m);
  if (waiting.length > 0) {
    note(
      m,
      `suspend requested (${why}); waiting for the s2idle notification of ${waiting.map((i) => m.vmConfig(i).name).join(', ')}`,
    );
    waitWithTimeout(m);
    return;
  }
  beginSuspend(m, why);
}

/**
 * crosvm trigger_vm_suspend_and_wait_for_entry (src/crosvm/sys/linux.rs): `cvar.wait_timeout(guest_suspended,
 * Duration::from_secs(15))`; on timeout it warns "Guest suspension timeout - proceeding anyway" and suspends. The
 * wait here is the host's `s2idle_timeout`.
 */
function waitWithTimeout(m: Machine): void {
  cancelHostSteps(m, 's2idle-timeout');
  m.schedule(m.state.now + m.program.host.s2idleTimeout, 'host-step', -1, -1, 0, 's2idle-timeout');
}

/** A guest wrote its s2idle notification register. */
export function onGuestNotified(m: Machine, vm: number): void {
  const host = m.state.host;
  if (host.state !== 'running') return;
  const name = m.vmConfig(vm).name;
  if (m.program.host.policies.some((p) => p.kind === 'privileged' && p.vm === vm)) {
    beginSuspend(m, `${name} (privileged) entered s2idle`);
    return;
  }
  if (host.suspendRequested && pendingNotifications(m).length === 0) beginSuspend(m, `${name} notified s2idle`);
}

function beginSuspend(m: Machine, why: string): void {
  m.state.host.suspendRequested = false;
  // The wait is over (notified, timed out or privileged): its timeout must not start a later suspend.
  cancelHostSteps(m, 's2idle-timeout');
  setHostState(m, 'suspending', why);
  m.schedule(m.state.now + m.program.host.suspendLatency, 'host-step', -1, -1, 0, 'suspend-complete');
}

/** Drops the queued host steps with this tag: what an abandoned attempt had scheduled. */
function cancelHostSteps(m: Machine, tag: string): void {
  const q = m.state.queue;
  for (let i = q.length - 1; i >= 0; i--) if (q[i].kind === 'host-step' && q[i].tag === tag) q.splice(i, 1);
}

/** Host-side steps queued in virtual time. */
export function hostStep(m: Machine, tag: string): void {
  if (tag === 'suspend-complete') {
    if (m.state.host.state !== 'suspending') return;
    setHostState(m, 'suspended', 'suspend complete: guests frozen');
    return;
  }
  if (tag === 's2idle-timeout') {
    const host = m.state.host;
    if (host.state !== 'running' || !host.suspendRequested) return;
    const waiting = pendingNotifications(m).map((i) => m.vmConfig(i).name);
    beginSuspend(
      m,
      `no s2idle notification from ${waiting.join(', ')} within s2idle_timeout: Guest suspension timeout - proceeding anyway (crosvm)`,
    );
    return;
  }
  if (tag === 'wake') wakeHost(m, 'wake');
}

/** While the host is suspending, a guest vCPU came back to life. With abort-on-wake the suspend is abandoned. */
export function onGuestWake(m: Machine, vm: number, vcpu: number): void {
  if (m.state.host.state !== 'suspending' || !abortsOnWake(m)) return;
  setHostState(m, 'running', `suspend aborted: ${m.vcpuName(vm, vcpu)} woke while the host was suspending`);
  // An aborted attempt unwinds completely (Linux kernel/power/suspend.c: suspend_enter() sees pm_wakeup_pending(),
  // returns with the error and suspend_devices_and_enter()/enter_state() undo every step; the next pm_suspend() starts
  // from the beginning): its completion must not finish a later suspend early.
  cancelHostSteps(m, 'suspend-complete');
  // The guest will notify again when it re-enters s2idle; wait for that.
  for (const s of m.state.vms) s.notifications = 0;
  m.state.host.suspendRequested = true;
  // powerd tries again: a new request, a new bounded wait (crosvm trigger_vm_suspend_and_wait_for_entry).
  if (pendingNotifications(m).length > 0) waitWithTimeout(m);
}

export function wakeHost(m: Machine, why: string): void {
  if (m.state.host.state !== 'suspended') return;
  setHostState(m, 'resuming', why);
  const xen = m.program.vms.some((v) => v.hardwareDomain);
  if (xen) xenHostResume(m);
  setHostState(m, 'running', why);
  for (const vm of m.state.vms) vm.notifications = 0;
  if (xen)
    xenResumeHardwareDomain(m, (vm, vcpu) =>
      resumeSuspended(m, vm, vcpu, 'Xen resumes the hardware domain (domain_resume)'),
    );
}

function xenHostResume(m: Machine): void {
  for (const s of [
    'hyp_resume: context restored',
    'gic_resume',
    'time_resume',
    'enable_nonboot_cpus',
    'scheduler_enable',
    'thaw_domains: domains that were not suspended run again',
  ]) {
    note(m, `Xen: ${s}`);
  }
}

/** Xen always resumes the hardware domain when the host comes back (domain_resume(hardware_domain)). */
function xenResumeHardwareDomain(m: Machine, resume: (vm: number, vcpu: number) => void): void {
  m.program.vms.forEach((cfg, vm) => {
    if (!cfg.hardwareDomain || m.state.vms[vm].state !== 'suspended') return;
    m.state.vms[vm].vcpus.forEach((v, i) => {
      if (v.run === 'suspended') resume(vm, i);
    });
  });
}
