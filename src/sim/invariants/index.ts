// Every invariant, one file each. Adding one is a new file and a line here.

import { hostSuspendedWhileGuestRunning } from './host-suspended-while-guest-running';
import { Invariant, Violation } from './invariant';
import { mmioToSleepingBar } from './mmio-to-sleeping-bar';
import { noSoftResetContextLost } from './no-soft-reset-context-lost';
import { resumedOutsideRam } from './resumed-outside-ram';
import { s2idleSpin } from './s2idle-spin';
import { suspendWithVcpuOn } from './suspend-with-vcpu-on';
import { suspendedWithoutWakeSource } from './suspended-without-wake-source';
import { virtioResetLosesContext } from './virtio-reset-loses-context';
import { watchdogExpiredWhileSuspended } from './watchdog-expired-while-suspended';

export const INVARIANTS: readonly Invariant[] = [
  hostSuspendedWhileGuestRunning,
  suspendWithVcpuOn,
  mmioToSleepingBar,
  noSoftResetContextLost,
  virtioResetLosesContext,
  suspendedWithoutWakeSource,
  watchdogExpiredWhileSuspended,
  resumedOutsideRam,
  s2idleSpin,
];

/** Invariants by the event kinds that can break them. */
export const INVARIANTS_BY_KIND: ReadonlyMap<string, readonly Invariant[]> = (() => {
  const map = new Map<string, Invariant[]>();
  for (const inv of INVARIANTS) for (const k of inv.kinds) map.set(k, [...(map.get(k) ?? []), inv]);
  return map;
})();

export type { Invariant, Violation };
