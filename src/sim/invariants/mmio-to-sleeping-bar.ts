import { D_STATE_NAMES, PciFunction } from '../devices/pci-function';
import { invariantInfo } from '../../lang/domain/invariants';
import { Invariant } from './invariant';

/** In D1, D2 and D3 a function answers config cycles only (PCI PM 1.2; docs/DOMAIN.md 4.2). */
export const mmioToSleepingBar: Invariant = {
  ...invariantInfo('mmio-to-sleeping-bar'),
  kinds: ['mmio'],
  check(m, e) {
    if (e.kind !== 'mmio' || !e.device || !e.blocked) return undefined;
    const index = m.vmConfig(e.vm).devices.findIndex((d) => d.name === e.device);
    const fn = m.state.vms[e.vm].devices[index] as PciFunction;
    if (!fn || fn.dstate === 0) return undefined;
    return `${e.access} of 0x${e.address.toString(16)} (${e.device}) while it is in ${D_STATE_NAMES[fn.dstate]}`;
  },
};
