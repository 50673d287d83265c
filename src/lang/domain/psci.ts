// The PSCI function table: one row per function of Arm DEN0022, with both SMC32 and SMC64 IDs where the spec
// defines them. IDs are from Linux include/uapi/linux/psci.h and TF-A include/lib/psci/psci.h
// (see docs/DOMAIN.md 1.1). This one table feeds the checker, the simulator, hovers and docs.

export const PSCI_SMC32_BASE = 0x84000000;
export const PSCI_SMC64_BASE = 0xc4000000;

export type PsciArgKind = 'mpidr' | 'address' | 'context' | 'power_state' | 'level' | 'fid' | 'type' | 'cookie';

export interface PsciArg {
  name: string;
  /** the register the argument travels in (SMCCC: x1, x2, x3) */
  register: 1 | 2 | 3;
  kind: PsciArgKind;
  doc: string;
}

export interface PsciVersion {
  major: number;
  minor: number;
}

export interface PsciFunction {
  name: string;
  /** function number: ID = base + n */
  n: number;
  smc32: number;
  smc64?: number;
  since: PsciVersion;
  args: PsciArg[];
  summary: string;
  /** return codes the spec allows for this function (besides its own result value) */
  returns: string[];
}

const v = (major: number, minor: number): PsciVersion => ({ major, minor });

const TARGET: PsciArg = {
  name: 'target',
  register: 1,
  kind: 'mpidr',
  doc: 'target_cpu: the MPIDR (affinity fields) of the core',
};
const ENTRY = (register: 1 | 2): PsciArg => ({
  name: 'entry',
  register,
  kind: 'address',
  doc: 'entry_point_address: where the core starts, MMU off, with x0 = context',
});
const CONTEXT = (register: 2 | 3): PsciArg => ({
  name: 'context',
  register,
  kind: 'context',
  doc: 'context_id: passed to the entry point in x0',
});

function fn(
  name: string,
  n: number,
  has64: boolean,
  since: PsciVersion,
  args: PsciArg[],
  summary: string,
  returns: string[],
): PsciFunction {
  return {
    name,
    n,
    smc32: PSCI_SMC32_BASE + n,
    smc64: has64 ? PSCI_SMC64_BASE + n : undefined,
    since,
    args,
    summary,
    returns,
  };
}

export const PSCI_FUNCTIONS: readonly PsciFunction[] = [
  fn(
    'PSCI_VERSION',
    0,
    false,
    v(0, 2),
    [],
    'Returns the implemented PSCI version: bits[31:16] major, bits[15:0] minor.',
    [],
  ),
  fn(
    'CPU_SUSPEND',
    1,
    true,
    v(0, 2),
    [
      {
        name: 'power_state',
        register: 1,
        kind: 'power_state',
        doc: 'StateID [15:0], StateType [16] (0 standby, 1 powerdown), PowerLevel [25:24] (original format)',
      },
      ENTRY(2),
      CONTEXT(3),
    ],
    'Suspends the calling core. KVM and Xen treat every request as WFI and return SUCCESS with registers kept.',
    ['SUCCESS', 'INVALID_PARAMETERS', 'INVALID_ADDRESS', 'DENIED'],
  ),
  fn('CPU_OFF', 2, false, v(0, 2), [], 'Powers the calling core down. Does not return on success.', ['DENIED']),
  fn(
    'CPU_ON',
    3,
    true,
    v(0, 2),
    [TARGET, ENTRY(2), CONTEXT(3)],
    "Powers up a core that is OFF; it starts at entry with x0 = context, MMU off, DAIF masked, at the caller's EL.",
    ['SUCCESS', 'INVALID_PARAMETERS', 'INVALID_ADDRESS', 'ALREADY_ON', 'ON_PENDING', 'INTERNAL_FAILURE'],
  ),
  fn(
    'AFFINITY_INFO',
    4,
    true,
    v(0, 2),
    [
      TARGET,
      { name: 'level', register: 2, kind: 'level', doc: 'lowest_affinity_level: 0..3 (PSCI 1.0 only requires 0)' },
    ],
    'Returns ON (0), OFF (1) or ON_PENDING (2) for the affinity instance.',
    ['INVALID_PARAMETERS', 'DISABLED'],
  ),
  fn('MIGRATE', 5, true, v(0, 2), [TARGET], 'Migrates a uniprocessor Trusted OS to another core.', [
    'SUCCESS',
    'NOT_SUPPORTED',
    'INVALID_PARAMETERS',
    'DENIED',
    'INTERNAL_FAILURE',
    'NOT_PRESENT',
  ]),
  fn(
    'MIGRATE_INFO_TYPE',
    6,
    false,
    v(0, 2),
    [],
    'Trusted OS migration capability: 2 = Trusted OS is MP or not present.',
    ['NOT_SUPPORTED'],
  ),
  fn('MIGRATE_INFO_UP_CPU', 7, true, v(0, 2), [], 'The core a uniprocessor Trusted OS runs on.', ['NOT_SUPPORTED']),
  fn('SYSTEM_OFF', 8, false, v(0, 2), [], 'Shuts the system down. Does not return.', []),
  fn('SYSTEM_RESET', 9, false, v(0, 2), [], 'Resets the system. Does not return.', []),
  fn(
    'PSCI_FEATURES',
    10,
    false,
    v(1, 0),
    [{ name: 'function', register: 1, kind: 'fid', doc: 'psci_func_id: the function ID to query' }],
    'Whether a function is implemented: 0 (or feature flags) if so, NOT_SUPPORTED if not.',
    ['NOT_SUPPORTED'],
  ),
  fn('CPU_FREEZE', 11, false, v(1, 0), [], 'Places the core in an implementation-defined low-power state.', [
    'NOT_SUPPORTED',
    'DENIED',
  ]),
  fn(
    'CPU_DEFAULT_SUSPEND',
    12,
    true,
    v(1, 0),
    [ENTRY(1), CONTEXT(2)],
    'Suspends the core to an implementation-defined default state.',
    ['NOT_SUPPORTED', 'INVALID_ADDRESS'],
  ),
  fn(
    'NODE_HW_STATE',
    13,
    true,
    v(1, 0),
    [TARGET, { name: 'level', register: 2, kind: 'level', doc: 'power_level' }],
    'Hardware power state of a node.',
    ['NOT_SUPPORTED', 'INVALID_PARAMETERS'],
  ),
  fn(
    'SYSTEM_SUSPEND',
    14,
    true,
    v(1, 0),
    [ENTRY(1), CONTEXT(2)],
    'Suspends the system to RAM: all other cores must be OFF. Does not return on success; the caller resumes at entry with x0 = context, MMU off.',
    ['DENIED', 'INVALID_ADDRESS', 'NOT_SUPPORTED'],
  ),
  fn(
    'PSCI_SET_SUSPEND_MODE',
    15,
    false,
    v(1, 0),
    [{ name: 'mode', register: 1, kind: 'type', doc: '0 platform-coordinated, 1 OS-initiated' }],
    'Selects the CPU_SUSPEND coordination mode.',
    ['NOT_SUPPORTED', 'INVALID_PARAMETERS', 'DENIED'],
  ),
  fn(
    'PSCI_STAT_RESIDENCY',
    16,
    true,
    v(1, 0),
    [TARGET, { name: 'power_state', register: 2, kind: 'power_state', doc: 'the state to query' }],
    'Time spent in a power state.',
    ['NOT_SUPPORTED'],
  ),
  fn(
    'PSCI_STAT_COUNT',
    17,
    true,
    v(1, 0),
    [TARGET, { name: 'power_state', register: 2, kind: 'power_state', doc: 'the state to query' }],
    'Number of entries into a power state.',
    ['NOT_SUPPORTED'],
  ),
  fn(
    'SYSTEM_RESET2',
    18,
    true,
    v(1, 1),
    [
      { name: 'type', register: 1, kind: 'type', doc: 'reset_type: 0 SYSTEM_WARM_RESET, bit 31 set = vendor-specific' },
      { name: 'cookie', register: 2, kind: 'cookie', doc: 'cookie: vendor-specific' },
    ],
    'Resets the system with an architectural or vendor reset type.',
    ['NOT_SUPPORTED', 'INVALID_PARAMETERS'],
  ),
  fn(
    'MEM_PROTECT',
    19,
    false,
    v(1, 1),
    [{ name: 'enable', register: 1, kind: 'type', doc: '1 to enable memory protection' }],
    'Enables memory protection across resets.',
    ['NOT_SUPPORTED'],
  ),
  fn(
    'MEM_PROTECT_CHECK_RANGE',
    20,
    true,
    v(1, 1),
    [
      { name: 'base', register: 1, kind: 'address', doc: 'start of the range' },
      { name: 'length', register: 2, kind: 'cookie', doc: 'length of the range' },
    ],
    'Whether a range is protected.',
    ['NOT_SUPPORTED', 'DENIED'],
  ),
  fn(
    'SYSTEM_OFF2',
    21,
    true,
    v(1, 3),
    [
      { name: 'type', register: 1, kind: 'type', doc: 'off type: 0 or HIBERNATE_OFF (1)' },
      { name: 'cookie', register: 2, kind: 'cookie', doc: 'must be 0' },
    ],
    'Powers the system off with a type (HIBERNATE_OFF for hibernation). Does not return on success.',
    ['NOT_SUPPORTED', 'INVALID_PARAMETERS'],
  ),
];

const BY_NAME = new Map(PSCI_FUNCTIONS.map((f) => [f.name, f]));

export interface PsciFunctionRef {
  fn: PsciFunction;
  /** which calling convention the name selected */
  width: 32 | 64;
  fid: number;
}

/** The names a `psci` statement accepts: `CPU_ON` (the native, 64-bit ID where one exists), `CPU_ON32`, `CPU_ON64`. */
export function psciFunctionNames(): string[] {
  const names: string[] = [];
  for (const f of PSCI_FUNCTIONS) {
    names.push(f.name);
    if (f.smc64 !== undefined) names.push(f.name + '32', f.name + '64');
  }
  return names;
}

export function lookupPsciFunction(name: string): PsciFunctionRef | undefined {
  const exact = BY_NAME.get(name);
  if (exact)
    return exact.smc64 !== undefined
      ? { fn: exact, width: 64, fid: exact.smc64 }
      : { fn: exact, width: 32, fid: exact.smc32 };
  const m = /^(.*?)(32|64)$/.exec(name);
  if (!m) return undefined;
  const base = BY_NAME.get(m[1]);
  if (!base || base.smc64 === undefined) return undefined;
  return m[2] === '64' ? { fn: base, width: 64, fid: base.smc64 } : { fn: base, width: 32, fid: base.smc32 };
}

/** Decodes a function ID (as a guest would pass it in w0) to its PSCI function, if it is one. */
export function decodePsciFid(fid: number): PsciFunctionRef | undefined {
  const base = fid >= PSCI_SMC64_BASE ? PSCI_SMC64_BASE : PSCI_SMC32_BASE;
  const n = fid - base;
  if (n < 0 || n > 0x1f) return undefined;
  const f = PSCI_FUNCTIONS.find((x) => x.n === n);
  if (!f) return undefined;
  if (base === PSCI_SMC64_BASE) return f.smc64 !== undefined ? { fn: f, width: 64, fid } : undefined;
  return { fn: f, width: 32, fid };
}

export function versionAtLeast(have: PsciVersion, need: PsciVersion): boolean {
  return have.major > need.major || (have.major === need.major && have.minor >= need.minor);
}

export function encodeVersion(version: PsciVersion): number {
  return (version.major << 16) | version.minor;
}

export function formatVersion(version: PsciVersion): string {
  return `${version.major}.${version.minor}`;
}

/** PSCI return codes (Linux uapi psci.h, "inclusive of all PSCI versions"). */
export const PSCI_RETURN_CODES: Record<string, number> = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMETERS: -2,
  DENIED: -3,
  ALREADY_ON: -4,
  ON_PENDING: -5,
  INTERNAL_FAILURE: -6,
  NOT_PRESENT: -7,
  DISABLED: -8,
  INVALID_ADDRESS: -9,
};

export function returnCodeName(value: number): string | undefined {
  for (const [name, code] of Object.entries(PSCI_RETURN_CODES)) if (code === value) return name;
  return undefined;
}

/** SMCCC_VERSION (Arm DEN0028), which KVM and Xen also answer and PSCI_FEATURES reports. */
export const SMCCC_VERSION_FID = 0x80000000;
export const SMCCC_VERSION_1_1 = 0x10001;
/** SMCCC 1.2, what Xen answers (xen/arch/arm/vsmc.c handle_arch: ARM_SMCCC_VERSION_1_2). */
export const SMCCC_VERSION_1_2 = 0x10002;

/** SYSTEM_RESET2 reset_type values (DEN0022 5.12; Linux psci.h). */
export const PSCI_RESET2_SYSTEM_WARM_RESET = 0;
export const PSCI_RESET2_VENDOR_START = 0x80000000;
/** SYSTEM_OFF2 type HIBERNATE_OFF (Linux psci.h PSCI_1_3_OFF_TYPE_HIBERNATE_OFF = BIT(0)). */
export const PSCI_OFF2_HIBERNATE_OFF = 1;

/** MPIDR_EL1 affinity fields the PSCI target argument may carry (Linux MPIDR_HWID_BITMASK). */
export const MPIDR_HWID_BITMASK = 0xff00ffffffn;

/** KVM's vCPU MPIDR layout (arch/arm64/kvm/sys_regs.c reset_mpidr): Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12],
 * bit 31 RES1. */
export function mpidrOf(vcpuIndex: number): bigint {
  const id = BigInt(vcpuIndex);
  const aff0 = id & 0xfn;
  const aff1 = (id >> 4n) & 0xffn;
  const aff2 = (id >> 12n) & 0xffn;
  return (1n << 31n) | aff0 | (aff1 << 8n) | (aff2 << 16n);
}
