// The machine's state as a tree of named, described values: what the debugger's variables view, hovers and the
// CLI show. Children are computed on demand, so a large machine costs nothing until someone opens a node.
// Descriptions come from the same tables as the checker (vCPU fields, constants).

import { POWER_STATE_NAMES, D_STATE_NAMES, constantName } from '../lang/domain/constants';
import { configRegisters } from '../lang/domain/pci';
import { statusName } from './devices/virtio';
import { GprName, HOST_FIELDS, VCPU_FIELDS, VcpuField, VcpuFieldName, VM_FIELDS } from '../lang/domain/vcpu';
import { DEVICE_FIELDS, DeviceFieldName, deviceHasField } from '../lang/domain/devices';
import { resolveStatePath } from '../lang/state-paths';
import { isGpr, readVcpuValue } from './fields';
import type { VcpuState } from './state';
import { instrAddress } from '../lang/program';
import { Machine, MP_NAMES } from './machine';
import { formatTime } from './describe-event';
import { describeEvent, eventSource } from './describe-event';

export interface StateNode {
  name: string;
  /** the value as shown: `0xc0ffee`, `OFF`, `D3hot (3)` */
  value: string;
  description?: string;
  /** an expression of the language that reads this value (for watch, hover, data breakpoints) */
  path?: string;
  children?: () => StateNode[];
}

export function hex(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16);
}

/** A register value with the PSCI return code it spells, if any: `0xfffffffffffffffd (DENIED)`. */
export function registerValue(v: bigint): string {
  const name = constantName('psci-return', BigInt.asIntN(64, v));
  return name && BigInt.asIntN(64, v) < 0n ? `${hex(v)} (${name})` : hex(v);
}

/** `now`: the time the debugger shows (stopped before a statement, the moment it executes); the machine's clock
 * otherwise. */
export function machineTree(m: Machine, now = m.state.now): StateNode[] {
  return [hostNode(m, now), ...m.program.vms.map((_, vm) => vmNode(m, vm))];
}

function hostNode(m: Machine, now: number): StateNode {
  const host = m.state.host;
  return {
    name: 'host',
    value: host.state,
    description: 'the host and its VMM',
    children: () => [
      {
        name: 'state',
        value: host.state,
        path: 'host.state',
        description: HOST_FIELDS.find((f) => f.name === 'state')?.doc,
      },
      { name: 'suspend requested', value: String(host.suspendRequested) },
      { name: 'time', value: formatTime(now), path: 'now', description: 'virtual time' },
      {
        name: 'queued',
        value: `${m.state.queue.length} event${m.state.queue.length === 1 ? '' : 's'}`,
        children: () =>
          m.state.queue.map((q, i) => ({ name: `[${i}]`, value: `${formatTime(q.time)} ${q.kind} ${q.tag}` })),
      },
      {
        name: 'policies',
        value: String(m.program.host.policies.length),
        children: () =>
          m.program.host.policies.map((p, i) => ({
            name: `[${i}]`,
            value: p.vm < 0 ? `suspend ${p.kind}` : `suspend ${p.kind} ${m.vmConfig(p.vm).name}`,
          })),
      },
      {
        name: 'trace',
        value: `${m.state.events} events, hash ${m.traceHash()}`,
        children: () =>
          m.state.recent
            .slice()
            .reverse()
            .map((e) => ({
              name: `#${e.seq}`,
              value: `${formatTime(e.t)} ${eventSource(m.program, e)}: ${describeEvent(e)}`,
            })),
      },
    ],
  };
}

function vmNode(m: Machine, vm: number): StateNode {
  const cfg = m.vmConfig(vm);
  const s = m.state.vms[vm];
  return {
    name: cfg.name,
    value: `${cfg.flavour} ${s.state}`,
    description: `${cfg.flavour} guest, PSCI ${cfg.psciVersion.major}.${cfg.psciVersion.minor}, ${cfg.vcpuCount} vCPU${cfg.vcpuCount === 1 ? '' : 's'}`,
    children: () => [
      {
        name: 'state',
        value: s.state,
        path: `${cfg.name}.state`,
        description: VM_FIELDS.find((f) => f.name === 'state')?.doc,
      },
      ...s.vcpus.map((_, i) => vcpuNode(m, vm, i)),
      interruptsNode(m, vm),
      devicesNode(m, vm),
      {
        name: 'signals',
        value: String(cfg.signals.length),
        children: () => cfg.signals.map((name, i) => ({ name, value: s.signals[i] ? 'raised' : 'not raised' })),
      },
    ],
  };
}

export function vcpuNode(m: Machine, vm: number, vcpu: number): StateNode {
  const cfg = m.vmConfig(vm);
  const v = m.state.vms[vm].vcpus[vcpu];
  return {
    name: `vcpu${vcpu}`,
    value: `${POWER_STATE_NAMES[v.power]} ${v.run}`,
    children: () => [registersNode(m, vm, vcpu), powerNode(m, vm, vcpu)],
    description: `pc ${hex(v.pcAddress)}${v.pc >= 0 ? ` (${cfg.code[v.pc]?.loc.file.path}:${(cfg.code[v.pc]?.loc.line ?? 0) + 1})` : ''}`,
  };
}

/** How the Variables view shows a vCPU field: its value, or `hidden` for a row the view leaves to its neighbours (lr is
 * x30; halted and wakeup_pending show in `run` and the interrupts). */
type VcpuView = ((raw: bigint, v: VcpuState) => string) | 'hidden';
const VCPU_VIEW: { readonly [K in Exclude<VcpuFieldName, GprName>]: VcpuView } = {
  lr: 'hidden',
  sp: (raw) => hex(raw),
  pc: (raw) => hex(raw),
  el: (raw) => String(raw),
  daif: (raw) => `${hex(raw)} (${daifFlags(Number(raw))})`,
  mmu: (raw) => `${raw} (${raw ? 'on' : 'off'})`,
  mpidr: (raw) => hex(raw),
  power: (raw) => `${POWER_STATE_NAMES[Number(raw)]} (${raw})`,
  mp_state: (raw) => `${MP_NAMES[Number(raw)]} (${raw})`,
  halted: 'hidden',
  wakeup_pending: 'hidden',
};

function vcpuView(field: VcpuFieldName): VcpuView {
  return isGpr(field) ? (raw) => registerValue(raw) : VCPU_VIEW[field];
}

/** The nodes of a vCPU's rows of one kind, in the catalogue's order. */
function vcpuFieldNodes(m: Machine, vm: number, vcpu: number, kind: VcpuField['kind']): StateNode[] {
  const v = m.state.vms[vm].vcpus[vcpu];
  const prefix = `${m.vmConfig(vm).name}.vcpu${vcpu}`;
  const out: StateNode[] = [];
  for (const f of VCPU_FIELDS) {
    const view = vcpuView(f.name);
    if (f.kind !== kind || view === 'hidden') continue;
    const raw = readVcpuValue(m, vm, vcpu, f.name);
    const lost = f.name === 'pc' && v.pc < 0 && v.run !== 'off';
    out.push({
      name: f.name,
      value: view(raw, v),
      path: `${prefix}.${f.name}`,
      description: lost ? 'no statement at this address' : f.doc,
    });
  }
  return out;
}

function daifFlags(daif: number): string {
  return ['D', 'A', 'I', 'F'].filter((_, i) => daif & (8 >> i)).join('') || '-';
}

export function registersNode(m: Machine, vm: number, vcpu: number): StateNode {
  const v = m.state.vms[vm].vcpus[vcpu];
  return {
    name: 'Registers',
    value: `pc ${hex(v.pcAddress)}`,
    children: () => {
      // The register rows in order, with PSTATE's rows as one node where they begin.
      const registers = vcpuFieldNodes(m, vm, vcpu, 'register');
      const firstPstate = VCPU_FIELDS.findIndex((f) => f.kind === 'pstate');
      const before = VCPU_FIELDS.slice(0, firstPstate).filter(
        (f) => f.kind === 'register' && vcpuView(f.name) !== 'hidden',
      ).length;
      return [...registers.slice(0, before), pstateNode(m, vm, vcpu), ...registers.slice(before)];
    },
  };
}

function pstateNode(m: Machine, vm: number, vcpu: number): StateNode {
  const v = m.state.vms[vm].vcpus[vcpu];
  return {
    name: 'pstate',
    value: `EL${v.el}h DAIF=${daifFlags(v.daif)} MMU ${v.mmu ? 'on' : 'off'}`,
    children: () => vcpuFieldNodes(m, vm, vcpu, 'pstate'),
  };
}

export function powerNode(m: Machine, vm: number, vcpu: number): StateNode {
  const cfg = m.vmConfig(vm);
  const v = m.state.vms[vm].vcpus[vcpu];
  const waits = m.waitDescription(cfg, v, !m.peek());
  return {
    name: 'Power',
    value: `${POWER_STATE_NAMES[v.power]}, ${MP_NAMES[v.mp]}`,
    children: () => [
      ...vcpuFieldNodes(m, vm, vcpu, 'power'),
      { name: 'run', value: v.run, description: waits ?? 'what the vCPU is doing' },
      { name: 'ready at', value: formatTime(v.readyAt), description: 'virtual time of its next statement' },
      {
        name: 'pending exit',
        value: v.exit ? `${v.exit.kind}${v.exit.deferred ? ' (deferred)' : v.exit.repeated ? ' (again)' : ''}` : 'none',
      },
      { name: 'pending wake-ups', value: pendingList(m, vm, vcpu) },
      { name: 'statements executed', value: String(v.executed) },
      ...(v.resume
        ? [{ name: 'resume context', value: `entry ${hex(v.resume.entry)} x0 ${hex(v.resume.context)}` }]
        : []),
      ...(v.fault ? [{ name: 'fault', value: v.fault }] : []),
      {
        name: 'call stack',
        value: String(v.stack.length),
        children: () =>
          v.stack
            .slice()
            .reverse()
            .map((f, i) => ({
              name: `#${i}`,
              value: `${cfg.frames[f.frame]?.name ?? '?'}${f.returnPc >= 0 ? ` (returns to ${hex(instrAddress(cfg, f.returnPc))})` : ''}`,
            })),
      },
    ],
  };
}

function pendingList(m: Machine, vm: number, vcpu: number): string {
  const out: number[] = [];
  for (const [key, s] of m.state.vms[vm].irqs) if (s.enabled && s.pending && s.target === vcpu) out.push(key % 1024);
  return out.length ? out.map((i) => `irq ${i}`).join(', ') : 'none';
}

export function interruptsNode(m: Machine, vm: number): StateNode {
  const irqs = [...m.state.vms[vm].irqs.entries()].sort((a, b) => a[0] - b[0]);
  return {
    name: 'Interrupts',
    value: `${irqs.filter(([, s]) => s.pending).length} pending`,
    description: "the VM's interrupt controller: SPIs routed to a vCPU, PPIs/SGIs banked per vCPU",
    children: () =>
      irqs.map(([key, s]) => {
        const irq = key % 1024;
        const banked = irq < 32 ? ` (vcpu${Math.floor(key / 1024)})` : '';
        const flags = [s.enabled ? 'enabled' : 'disabled', s.pending ? 'pending' : '', s.wake ? 'wake-armed' : '']
          .filter(Boolean)
          .join(', ');
        return {
          name: `irq ${irq}${banked}`,
          value: flags,
          children: () => [
            { name: 'enabled', value: String(s.enabled) },
            { name: 'pending', value: String(s.pending) },
            { name: 'wake-armed', value: String(s.wake), description: 'enable_irq_wake: stays armed across suspend' },
            { name: 'target', value: `vcpu${s.target}` },
          ],
        };
      }),
  };
}

/** Every device of a VM: its config space register by register and field by field (as the guest reads it), and its
 * model's state. */
export function devicesNode(m: Machine, vm: number): StateNode {
  const cfg = m.vmConfig(vm);
  return {
    name: 'Devices',
    value: `${cfg.devices.length} function${cfg.devices.length === 1 ? '' : 's'}`,
    children: () => cfg.devices.map((d) => deviceNode(m, vm, d.index)),
  };
}

export function deviceNode(m: Machine, vm: number, index: number): StateNode {
  const cfg = m.vmConfig(vm);
  const d = cfg.devices[index];
  const prefix = `${cfg.name}.${d.name}`;
  const value = (field: DeviceFieldName) => m.readDevice(vm, index, { kind: 'model', field });
  const dstate = D_STATE_NAMES[Number(value('dstate'))];
  const bdf = `${d.bus.toString(16).padStart(2, '0')}:${d.dev.toString(16).padStart(2, '0')}.${d.fn}`;
  return {
    name: d.name,
    value: `${d.model} at ${bdf}, ${dstate}${value('decodes') ? '' : ', BARs not decoded'}`,
    children: () => {
      const model = DEVICE_FIELDS.filter((f) => deviceHasField(f, d)).map((f): StateNode => ({
        name: DEVICE_VIEW[f.name].label,
        value: DEVICE_VIEW[f.name].show(value(f.name)),
        path: `${prefix}.${f.name}`,
        description: f.doc,
      }));
      return [...model, configNode(m, vm, index)];
    },
  };
}

/** How the Variables view labels and shows each device value. */
const DEVICE_VIEW: { readonly [K in DeviceFieldName]: { label: string; show: (raw: bigint) => string } } = {
  dstate: { label: 'power state', show: (raw) => `${D_STATE_NAMES[Number(raw)]} (${raw})` },
  decodes: { label: 'BARs decode', show: (raw) => String(raw === 1n) },
  resets: { label: 'resets', show: (raw) => String(raw) },
  status: { label: 'virtio status', show: (raw) => `${hex(raw)} ${statusName(Number(raw)).replace(/^\d+ /, '')}` },
  features: { label: 'features', show: hex },
  driver_features: { label: 'driver features', show: hex },
  pin_directions: { label: 'pin directions', show: hex },
  pin_levels: { label: 'pin levels', show: hex },
};

function configNode(m: Machine, vm: number, index: number): StateNode {
  const cfg = m.vmConfig(vm);
  const d = cfg.devices[index];
  const prefix = `${cfg.name}.${d.name}`;
  return {
    name: 'config space',
    value: '256 bytes',
    description: 'as the guest reads it (vfio virtualises some bits; D3cold reads all ones)',
    children: () =>
      configRegisters().map(({ def, offset }) => {
        const raw = m.readDevice(vm, index, { kind: 'config', register: def, offset });
        const width = def.size * 2;
        return {
          name: def.name,
          value: `0x${raw.toString(16).padStart(width, '0')}`,
          path: `${prefix}.config.${def.name}`,
          description: `${def.doc} (offset 0x${offset.toString(16)}, ${def.size * 8} bits${def.fields.length ? '' : `, ${def.access}`})`,
          children: def.fields.length
            ? () =>
                def.fields.map((f) => {
                  const v = Number((raw >> BigInt(f.lsb)) & BigInt((1 << f.width) - 1));
                  const named = f.values?.[v];
                  return {
                    name: f.name,
                    value: named ? `${named} (${v})` : `0x${v.toString(16)}`,
                    path: `${prefix}.config.${def.name}.${f.name}`,
                    description: `[${f.width === 1 ? f.lsb : `${f.lsb + f.width - 1}:${f.lsb}`}] ${f.access}: ${f.doc}`,
                  };
                })
            : undefined,
        };
      }),
  };
}

/**
 * The node of the state tree a name stands for, when the name is a thing rather than a number: `host`, a VM, a
 * device (`net0` in the VM of `vm`, or the one VM that has it; `guest.net0`), a vCPU (`guest.vcpu1`).
 */
export function namedStateNode(
  m: Machine,
  name: string,
  vm: number | undefined,
  now = m.state.now,
): StateNode | undefined {
  if (name === 'host') return machineTree(m, now)[0];
  const span = { start: 0, end: 0 };
  const parts = name.split('.').map((text) => ({ text, span }));
  const r = resolveStatePath(m.program, parts, { vm });
  const last = r.segments[r.segments.length - 1];
  if (r.error || r.target || r.segments.length !== parts.length || !last) return undefined;
  // A bare `vcpuN` is an affinity (a number): only `VM.vcpuN` is the vCPU.
  if (last.kind === 'vcpu' && parts.length === 2 && last.vm !== undefined) return vcpuNode(m, last.vm, last.vcpu);
  if (last.kind === 'vm' && parts.length === 1) return vmNode(m, last.vm);
  if (last.kind === 'device' && last.vm !== undefined && last.device !== undefined)
    return deviceNode(m, last.vm, m.vmConfig(last.vm).devices[last.device].index);
  return undefined;
}
