// What a hypervisor flavour is, as one table row per flavour (./kvm.ts, ./xen.ts): its PSCI versions, its
// `hypervisor` options, the VMM events it exits with and the answers each allows, and what each PSCI function does
// on it. The checker, completion, hovers, the generated reference and the simulator all read these rows; the
// behaviour itself lives in src/sim/psci (one file per flavour) and src/sim/vmm.ts.

import type { VmConfig, VmmEvent } from '../../program';

export type FlavourName = 'kvm' | 'xen';

/** A `hypervisor FLAVOUR { NAME VALUE }` option: one row here plus the simulator code that reads it. */
export interface HypervisorOption {
  name: string;
  kind: 'enum';
  values: string[];
  /** the value a VM gets when it does not give the option */
  default: string;
  doc: string;
  /** records a checked value in the VM's configuration (where the simulator reads it) */
  set(cfg: VmConfig, value: string): void;
}

/** An option that is `on` (its default) or `off`. */
export function onOffOption(name: string, doc: string, set: (cfg: VmConfig, on: boolean) => void): HypervisorOption {
  return {
    name,
    kind: 'enum',
    values: ['on', 'off'],
    default: 'on',
    doc,
    set: (cfg, value) => set(cfg, value === 'on'),
  };
}

/** What the VMM (KVM's userspace, Xen's toolstack) may answer to an exit; `vmm VM ANSWER` answers a deferred one. */
export const VMM_ANSWER_DOCS = {
  confirm:
    'the VMM makes its checks (other vCPUs STOPPED, entry in RAM), then resets the vCPU to the entry point and suspends it',
  deny: 'the VMM answers DENIED',
  defer: "the exit waits for a host action 'vmm VM confirm|deny|resume'",
  'confirm-unchecked': 'suspends like confirm without the checks (a VMM that skips them)',
  resume: 'the vCPU runs again',
  ignore: 'the vCPU stays suspended (KVM exits WAKEUP again at once while the wake-up is still pending)',
  stop: 'the VM powers off or is marked reset',
} as const satisfies Record<string, string>;

export type VmmAnswer = keyof typeof VMM_ANSWER_DOCS;

/** The answers a host action `vmm VM ANSWER` may give to a deferred exit. */
export const HOST_VMM_ANSWERS = ['confirm', 'deny', 'resume'] as const satisfies readonly VmmAnswer[];

export type HostVmmAnswer = (typeof HOST_VMM_ANSWERS)[number];

/** The exits a VMM answers with `on EVENT: ANSWER`, and the answer a VM gets when it does not say. */
export const VMM_EVENTS: Record<VmmEvent, { doc: string; default: VmmAnswer }> = {
  system_suspend: {
    doc: "KVM's SYSTEM_SUSPEND exit (KVM_SYSTEM_EVENT_SUSPEND): the VMM checks and suspends, denies, defers, suspends unchecked, or re-enters without answering (resume: the guest sees x0 = the function ID)",
    default: 'confirm',
  },
  wakeup: {
    doc: 'a wake-up interrupt for a suspended vCPU (KVM_EXIT_SYSTEM_EVENT WAKEUP; on Xen the toolstack answers for the domain)',
    default: 'resume',
  },
  system_off: {
    doc: 'SYSTEM_OFF / SYSTEM_OFF2 exit: stop powers the VM off, resume runs the vCPU again (it sees INTERNAL_FAILURE)',
    default: 'stop',
  },
  system_reset: {
    doc: 'SYSTEM_RESET / SYSTEM_RESET2 exit: stop marks the VM reset, resume runs the vCPU again (it sees INTERNAL_FAILURE)',
    default: 'stop',
  },
};

export interface Flavour {
  name: FlavourName;
  /** how the docs name it ('KVM') */
  label: string;
  /** one line for completion */
  title: string;
  /** one line for hovers and the reference */
  summary: string;
  /** the PSCI versions a VM may ask for with `hypervisor FLAVOUR psci V`, oldest first */
  psciVersions: string[];
  defaultPsciVersion: string;
  /** why a version outside psciVersions is refused */
  versionsNote: string;
  options: HypervisorOption[];
  /** the exits this flavour's VMM answers, and the answers each allows (the first is VMM_EVENTS' default) */
  vmm: Partial<Record<VmmEvent, VmmAnswer[]>>;
  /** why `on EVENT:` does not apply, for an event the flavour has no exit for (a generic message otherwise) */
  noVmmExit?: Partial<Record<VmmEvent, string>>;
  /** per PSCI function (src/lang/domain/psci.ts), what this flavour does with it, in words */
  psci: Record<string, string>;
}

export const NOT_IMPLEMENTED = 'not implemented: NOT_SUPPORTED.';
