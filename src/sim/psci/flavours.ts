// The hypervisor flavours, registered by name: adding one is a new file and a line here.

import { FlavourName } from '../../lang/domain/flavours';
import { HypervisorFlavour } from './flavour';
import { kvm } from './kvm';
import { xen } from './xen';

/** One implementation per row of src/lang/domain/flavours: a row without one does not compile. */
export const FLAVOURS: Record<FlavourName, HypervisorFlavour> = { kvm, xen };
