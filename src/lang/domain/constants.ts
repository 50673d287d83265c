// Symbolic constants usable in expressions, each with the group it belongs to and what it means. The same rows
// give names to values in the debugger (`x0 = 0xfffffffffffffffd (DENIED)`) and feed completion and hover.

import { PSCI_FUNCTIONS, PSCI_RETURN_CODES, PSCI_OFF2_HIBERNATE_OFF, PSCI_RESET2_SYSTEM_WARM_RESET } from './psci';

export type ConstantGroup =
  | 'psci-return'
  | 'power'
  | 'mp-state'
  | 'd-state'
  | 'virtio-status'
  | 'host-state'
  | 'vm-state'
  | 'sleep-state'
  | 'psci-function'
  | 'psci-type';

export interface Constant {
  name: string;
  value: bigint;
  group: ConstantGroup;
  doc: string;
}

const rows: Constant[] = [];
const add = (group: ConstantGroup, name: string, value: number | bigint, doc: string) =>
  rows.push({ name, value: BigInt(value), group, doc });

for (const [name, value] of Object.entries(PSCI_RETURN_CODES)) {
  add(
    'psci-return',
    name,
    value,
    `PSCI return code ${value} (Linux uapi psci.h PSCI_RET_${name === 'INVALID_PARAMETERS' ? 'INVALID_PARAMS' : name})`,
  );
}

// vCPU power state as `vcpuN.power` reads it. ON/OFF/ON_PENDING share AFFINITY_INFO's encoding (0, 1, 2) so that
// `expect x0 == OFF` after AFFINITY_INFO and `wait vcpu1.power == OFF` read alike.
add('power', 'ON', 0, 'the core is on (AFFINITY_INFO 0)');
add('power', 'OFF', 1, 'the core is off (AFFINITY_INFO 1)');
add(
  'power',
  'ON_PENDING',
  2,
  'a CPU_ON was accepted and the core has not run yet (AFFINITY_INFO 2; KVM and Xen report ON)',
);
add('power', 'STANDBY', 3, 'CPU_SUSPEND to a standby (retention) state: context kept');
add(
  'power',
  'POWERDOWN',
  4,
  'a powerdown state (CPU_SUSPEND powerdown or SYSTEM_SUSPEND): context lost, resumes at the entry point',
);

// KVM_MP_STATE values (Linux uapi kvm.h); arm64 uses RUNNABLE, STOPPED and SUSPENDED.
add('mp-state', 'RUNNABLE', 0, 'KVM_MP_STATE_RUNNABLE');
add('mp-state', 'STOPPED', 5, 'KVM_MP_STATE_STOPPED: powered off (CPU_OFF, never started, SYSTEM_OFF)');
add(
  'mp-state',
  'SUSPENDED',
  10,
  'KVM_MP_STATE_SUSPENDED: the VMM honoured SYSTEM_SUSPEND; KVM emulates WFI and exits WAKEUP on a wake-up',
);

// PCI power states: PMCSR PowerState 0..3, plus D3cold (main power removed).
add('d-state', 'D0', 0, 'fully on');
add('d-state', 'D1', 1, 'light sleep (optional, PMC D1_Support)');
add('d-state', 'D2', 2, 'deeper sleep (optional, PMC D2_Support)');
add('d-state', 'D3hot', 3, 'off with power kept: config space only');
add('d-state', 'D3cold', 4, 'main power removed: config reads all ones, fundamental reset on the way back');

// virtio device status bits (virtio spec 2.1; SUSPEND from virtio 1.4).
add('virtio-status', 'ACKNOWLEDGE', 1, 'the guest has noticed the device');
add('virtio-status', 'DRIVER', 2, 'the guest knows how to drive the device');
add('virtio-status', 'DRIVER_OK', 4, 'the driver is set up and ready');
add('virtio-status', 'FEATURES_OK', 8, 'feature negotiation is complete');
add('virtio-status', 'SUSPEND', 16, 'the device is suspended (VIRTIO_F_SUSPEND, virtio 1.4)');
add('virtio-status', 'DEVICE_NEEDS_RESET', 64, 'the device hit an error and needs a reset');
add('virtio-status', 'FAILED', 128, 'the guest gave up on the device');

add('host-state', 'running', 0, 'the host runs normally');
add('host-state', 'suspending', 1, 'the host is on its way into suspend');
add('host-state', 'suspended', 2, 'the host is suspended');
add('host-state', 'resuming', 3, 'the host is on its way out of suspend');

add('vm-state', 'vm_running', 0, 'the VM runs (some vCPU may be off)');
add('vm-state', 'vm_suspended', 1, 'the VM is suspended to RAM (SYSTEM_SUSPEND honoured)');
add('vm-state', 'vm_off', 2, 'the VM powered off (SYSTEM_OFF, SYSTEM_OFF2)');
add('vm-state', 'vm_reset', 3, 'the VM asked for a reset (SYSTEM_RESET, SYSTEM_RESET2)');

add('sleep-state', 's2idle', 0, 'suspend-to-idle (freeze): devices suspended, CPUs idle, no firmware call');
add('sleep-state', 'mem', 1, 'suspend-to-RAM: PSCI SYSTEM_SUSPEND (falls back to s2idle where it is not supported)');

add('psci-type', 'SYSTEM_WARM_RESET', PSCI_RESET2_SYSTEM_WARM_RESET, 'SYSTEM_RESET2 type 0: architectural warm reset');
add('psci-type', 'HIBERNATE_OFF', PSCI_OFF2_HIBERNATE_OFF, 'SYSTEM_OFF2 type 1: hibernate (PSCI 1.3)');

for (const f of PSCI_FUNCTIONS) {
  const native = f.smc64 ?? f.smc32;
  add(
    'psci-function',
    f.name,
    native,
    `PSCI ${f.name} function ID 0x${native.toString(16)}${f.smc64 !== undefined ? ' (SMC64, the native ID on arm64)' : ''}`,
  );
  if (f.smc64 !== undefined) {
    add('psci-function', f.name + '32', f.smc32, `PSCI ${f.name} SMC32 function ID 0x${f.smc32.toString(16)}`);
    add('psci-function', f.name + '64', f.smc64, `PSCI ${f.name} SMC64 function ID 0x${f.smc64.toString(16)}`);
  }
}

export const CONSTANTS: readonly Constant[] = rows;
const BY_NAME = new Map<string, Constant[]>();
for (const c of rows) BY_NAME.set(c.name, [...(BY_NAME.get(c.name) ?? []), c]);

/**
 * ON_PENDING is both a PSCI return code (-5) and a power state (2). Alone it is the return code; compared with
 * something of a known group (`vcpu1.power == ON_PENDING`) the checker passes that group as the hint.
 */
export function lookupConstant(name: string, hint?: ConstantGroup): Constant | undefined {
  const candidates = BY_NAME.get(name);
  if (!candidates) return undefined;
  return candidates.find((c) => c.group === hint) ?? candidates[0];
}

export function constantNames(): string[] {
  return [...BY_NAME.keys()];
}

export function constantName(group: ConstantGroup, value: bigint): string | undefined {
  for (const c of rows) if (c.group === group && c.value === value) return c.name;
  return undefined;
}

export const POWER_STATE_NAMES = ['ON', 'OFF', 'ON_PENDING', 'STANDBY', 'POWERDOWN'] as const;
export type PowerStateName = (typeof POWER_STATE_NAMES)[number];
export const D_STATE_NAMES = ['D0', 'D1', 'D2', 'D3hot', 'D3cold'] as const;
/** GIC interrupt IDs: SGIs 0-15 and PPIs 16-31 are per CPU, SPIs 32-1019; 1020-1023 are special (Arm IHI 0069, 2.2). */
export const FIRST_SPI = 32n;
export const MAX_INTID = 1019n;
export const HOST_STATE_NAMES = ['running', 'suspending', 'suspended', 'resuming'] as const;
export const VM_STATE_NAMES = ['vm_running', 'vm_suspended', 'vm_off', 'vm_reset'] as const;
