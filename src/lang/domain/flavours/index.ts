// The hypervisor flavours, one table row each, keyed by name: adding a flavour is a file here, a line below and its
// behaviour in src/sim/psci (registered in src/sim/psci/flavours.ts).

import type { VmmEvent } from '../../program';
import { Flavour, FlavourName, VMM_EVENTS, VmmAnswer } from './flavour';
import { kvm } from './kvm';
import { xen } from './xen';

export * from './flavour';

export const FLAVOURS: Record<FlavourName, Flavour> = { kvm, xen };

export const FLAVOUR_NAMES = Object.keys(FLAVOURS) as FlavourName[];

export const VMM_EVENT_NAMES = Object.keys(VMM_EVENTS) as VmmEvent[];

export function isFlavourName(name: string): name is FlavourName {
  return Object.hasOwn(FLAVOURS, name);
}

export function lookupFlavour(name: string): Flavour | undefined {
  return isFlavourName(name) ? FLAVOURS[name] : undefined;
}

/** Which answers the VMM may give per exit kind, per flavour (read from the flavour rows). */
export const VMM_ANSWERS = Object.fromEntries(FLAVOUR_NAMES.map((f) => [f, FLAVOURS[f].vmm])) as Record<
  FlavourName,
  Partial<Record<VmmEvent, VmmAnswer[]>>
>;

/** Said once for every function: what a call newer than the VM's PSCI version gets. */
export const VERSION_NOTE = "KVM answers NOT_SUPPORTED to a function newer than the VM's PSCI version.";

/** A version as the flavour rows write it ('1.3') as numbers. */
export function parsePsciVersion(text: string): { major: number; minor: number } {
  const [major, minor] = text.split('.').map(Number);
  return { major, minor };
}
