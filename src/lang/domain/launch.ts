// The debugger's launch attributes and function-breakpoint names, described once: package.json's
// configurationAttributes is checked against this table (test/lang/reference.test.ts) and docs/reference.md is
// generated from it.

export interface LaunchAttribute {
  name: string;
  /** JSON schema type(s) */
  type: string | string[];
  description: string;
  default?: unknown;
  required?: boolean;
}

export const LAUNCH_ATTRIBUTES: readonly LaunchAttribute[] = [
  {
    name: 'program',
    type: 'string',
    description: 'The .sflow scenario to debug (with `replay`, defaults to the scenario the replay names).',
    default: '${file}',
  },
  {
    name: 'seed',
    type: 'integer',
    description:
      'Resolves the choices the scenario declares (window instants, alternative VMM answers, jitter). Defaults to the suspendFlow.defaultSeed setting.',
  },
  { name: 'stopOnEntry', type: 'boolean', description: 'Stop before the first statement.', default: true },
  {
    name: 'until',
    type: ['string', 'integer'],
    description: 'Stop when virtual time reaches this: a time such as "50ms", or a number of nanoseconds.',
  },
  {
    name: 'stopAtEnd',
    type: 'boolean',
    description: 'Stop at the end of the scenario so it can be stepped back through; false ends the session there.',
    default: true,
  },
  {
    name: 'replay',
    type: 'string',
    description:
      "A replay file written by `sflow explore`: the session follows that path through the scenario's choices and stops at the problem it found (with the exception filters on, as by default), so you can step backwards through how it happened.",
  },
  {
    name: 'svdPath',
    type: 'string',
    description:
      'For the Peripheral Viewer extension: "${command:suspendFlow.peripheralsSvd}" describes every device\'s config space as peripherals.',
  },
];

export interface BreakpointForm {
  form: string;
  stopsOn: string;
}

export const FUNCTION_BREAKPOINT_FORMS: readonly BreakpointForm[] = [
  {
    form: 'SYSTEM_SUSPEND, CPU_OFF, ... (any PSCI function)',
    stopsOn: 'a PSCI call of that function, before it is made; NAME32 / NAME64 pick one calling convention',
  },
  { form: 'psci', stopsOn: 'any PSCI call or raw SMC/HVC' },
  { form: 's2idle_notify', stopsOn: 'the write to the s2idle notify register' },
  { form: 'pmcsr', stopsOn: 'any PMCSR write' },
  { form: 'pmcsr:DEVICE', stopsOn: 'a PMCSR write to that device' },
  {
    form: 'pmcsr:DEVICE:D3hot',
    stopsOn: 'a PMCSR write to that device asking for that PowerState (D0, D1, D2, D3hot)',
  },
  {
    form: 'exit:SUSPEND, exit:WAKEUP, exit:SHUTDOWN, exit:RESET, exit:MMIO',
    stopsOn: 'an exit to the VMM of that kind, after the exit and before the VMM answers',
  },
  { form: 'vmm', stopsOn: 'any exit to the VMM' },
  { form: 'linux.pm_suspend (any proc)', stopsOn: 'entering that proc' },
];
