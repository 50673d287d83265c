import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/** A function that reports No_Soft_Reset promises D3hot -> D0 keeps its state (PCI PM 1.2; docs/DOMAIN.md 4.2-4.3). */
export const noSoftResetContextLost: Invariant = {
  ...invariantInfo('no-soft-reset-context-lost'),
  kinds: ['context.lost'],
  check(m, e) {
    void m;
    if (e.kind !== 'context.lost' || !e.noSoftReset) return undefined;
    return `${e.device} lost its state (${e.cause}) though it reports No_Soft_Reset, so its driver will not restore it`;
  },
};
