import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/** The virtio core resets devices on restore; a driver that does not rebuild its device's state loses it. */
export const virtioResetLosesContext: Invariant = {
  ...invariantInfo('virtio-reset-loses-context'),
  kinds: ['context.lost'],
  check(m, e) {
    void m;
    if (e.kind !== 'context.lost' || !e.cause.startsWith('virtio reset')) return undefined;
    return `${e.device}: ${e.cause}`;
  },
};
