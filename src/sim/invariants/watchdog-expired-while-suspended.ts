import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/** Xen's design pauses a domain's watchdogs while it is suspended; a VMM that does not reboots a sleeping guest. */
export const watchdogExpiredWhileSuspended: Invariant = {
  ...invariantInfo('watchdog-expired-while-suspended'),
  kinds: ['device'],
  check(m, e) {
    if (e.kind !== 'device' || e.device !== 'watchdog' || e.what !== 'watchdog expired') return undefined;
    return `${m.vmConfig(e.vm).name}'s watchdog expired while it was suspended (${e.detail})`;
  },
};
