// `host { ... }`: the host's suspend policies and its settings. One row each: the checker reads the names (and the
// settings' bounds and defaults), completion, hover and docs/reference.md read the same descriptions; the behaviour is
// in src/sim/hostpm.ts.

import type { HostConfig, HostPolicy } from '../program';

export interface HostPolicyRule {
  /** as written after `policy suspend` */
  name: HostPolicy['kind'];
  /** the whole form, for messages and completion */
  form: string;
  doc: string;
}

export const HOST_POLICY_RULES: readonly HostPolicyRule[] = [
  {
    name: 'waits-for',
    form: 'waits-for VM s2idle',
    doc:
      "a requested host suspend waits for the VM's s2idle notification, one sent after the request (crosvm " +
      'clears `guest_suspended` when the request arrives), for at most `s2idle_timeout`',
  },
  {
    name: 'privileged',
    form: 'privileged VM',
    doc: "the VM's s2idle notification suspends the host",
  },
  {
    name: 'abort-on-wake',
    form: 'abort-on-wake',
    doc: 'a guest vCPU that wakes while the host is suspending aborts the suspend',
  },
];

export interface HostSetting {
  /** as written in the block */
  name: 'suspend_latency' | 's2idle_timeout';
  /** where the checker puts the value in Program.host */
  field: Exclude<keyof HostConfig, 'policies' | 'actions'>;
  /** ns */
  default: number;
  /** the default as written */
  defaultText: string;
  /** what the value is, in messages */
  what: string;
  doc: string;
}

/** The largest value of a host setting: 1000 s, in ns. */
export const MAX_HOST_SETTING = 1_000_000_000_000n;

export const HOST_SETTINGS: readonly HostSetting[] = [
  {
    name: 'suspend_latency',
    field: 'suspendLatency',
    default: 1_000_000,
    defaultText: '1ms',
    what: 'the host suspend latency',
    doc:
      'how long the host takes from deciding to suspend to being suspended (freezing tasks and devices, the ' +
      "platform's own suspend), during which guests keep running: the window of the s2idle notification race",
  },
  {
    // crosvm src/crosvm/sys/linux.rs trigger_vm_suspend_and_wait_for_entry: cvar.wait_timeout(guest_suspended,
    // Duration::from_secs(15)), then "Guest suspension timeout - proceeding anyway".
    name: 's2idle_timeout',
    field: 's2idleTimeout',
    default: 15_000_000_000,
    defaultText: '15s',
    what: 'the host s2idle timeout',
    doc:
      'how long a requested suspend waits for the s2idle notification of a `waits-for` VM before the host suspends ' +
      'anyway (crosvm\'s trigger_vm_suspend_and_wait_for_entry waits 15 s, then logs "Guest suspension timeout - ' +
      'proceeding anyway")',
  },
];

export function lookupHostSetting(name: string): HostSetting | undefined {
  return HOST_SETTINGS.find((s) => s.name === name);
}

export function lookupHostPolicyRule(name: string): HostPolicyRule | undefined {
  return HOST_POLICY_RULES.find((r) => r.name === name);
}
