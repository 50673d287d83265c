// The hypervisor flavours, registered by name: adding one is a new file and a line here.

import { HypervisorFlavour } from './flavour';
import { kvm } from './kvm';
import { xen } from './xen';

export const FLAVOURS: Record<'kvm' | 'xen', HypervisorFlavour> = { kvm, xen };
