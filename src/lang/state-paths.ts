// The state namespace: what a dotted path names in the machine (`x0`, `vcpu1.power`, `guest.vcpu0.pc`,
// `net0.pmcsr.state`, `net0.config.pmcsr.state`, `net0.dstate`, `guest.state`, `host.state`). One resolver and one
// enumeration, read by the checker, the language server (hover, colours, completion) and the debugger (Set Value,
// console completion). It reads only the catalogue rows (src/lang/domain) and the scenario's world.

import { DEVICE_FIELDS, DeviceField, DeviceFieldName, deviceHasField, lookupDeviceField } from './domain/devices';
import { FieldDef, configRegisters, lookupField, lookupRegister, ResolvedRegister } from './domain/pci';
import {
  HOST_FIELDS,
  HostFieldName,
  lookupVcpuField,
  VCPU_FIELDS,
  VcpuField,
  vcpuIndexOf,
  VM_FIELDS,
  VmField,
  VmFieldName,
} from './domain/vcpu';
import { Span } from './source';
import { didYouMean } from './suggest';

export interface PathSegment {
  text: string;
  span: Span;
}

export interface WorldDevice {
  name: string;
  model: string;
  virtio: boolean;
}

export interface WorldVm {
  name: string;
  vcpuCount: number;
  devices: readonly WorldDevice[];
}

/** What of a scenario the namespace depends on: its VMs, their vCPU counts and devices (a VmConfig is one). */
export interface StateWorld {
  vms: readonly WorldVm[];
}

/** What a whole path reads. `vm`, `vcpu` and `device` are indexes into the world; undefined when the path leaves
 * them to its context (a bare register, a foreach name). */
export type StateTarget =
  | { kind: 'host-field'; row: VmField<HostFieldName> }
  | { kind: 'vm-field'; vm: number; row: VmField<VmFieldName> }
  | { kind: 'vcpu-field'; vm?: number; vcpu?: number; row: VcpuField }
  | { kind: 'device-field'; vm?: number; device?: number; row: DeviceField<DeviceFieldName> }
  | { kind: 'config-register'; vm?: number; device?: number; register: ResolvedRegister }
  | { kind: 'config-field'; vm?: number; device?: number; register: ResolvedRegister; field: FieldDef };

/** What one segment of a path names. */
export type SegmentMeaning =
  | { kind: 'host' }
  | { kind: 'vm'; vm: number }
  | { kind: 'vcpu'; vm?: number; vcpu: number }
  | { kind: 'device'; vm?: number; device?: number }
  | { kind: 'config' }
  | { kind: 'value'; target: StateTarget };

export type PathErrorCode = 'unknown-name' | 'vcpu-out-of-range' | 'unknown-register' | 'unknown-field';

export interface PathError {
  span: Span;
  code: PathErrorCode;
  /** with its did-you-mean */
  message: string;
  /** the segment in error and the names that would have fitted there (for a quick fix) */
  segment?: PathSegment;
  candidates: string[];
}

export interface PathResolution {
  /** one entry per segment that was understood, in order */
  segments: SegmentMeaning[];
  target?: StateTarget;
  error?: PathError;
}

/** A device as a path reaches it: its index in its VM (undefined for a foreach name) and its model. */
export interface DeviceRef {
  vm?: number;
  device?: number;
  /** undefined when any device may be meant (a foreach name): every row is allowed */
  config?: WorldDevice;
}

const GPR = /^x\d+$/;

/** What `config` means in `DEV.config.REG[.FIELD]`. */
export const CONFIG_SPACE_DOC =
  "the device's PCI config space: `DEV.config.REG[.FIELD]` names a config register even where a device value has the same name (`status` of a virtio device)";

/** `unexpected '.rest'` on the first segment past the end. */
function unexpected(tail: readonly PathSegment[]): PathError {
  return { span: tail[0].span, code: 'unknown-name', message: `unexpected '.${tail[0].text}'`, candidates: [] };
}

/** `host.FIELD` */
export function resolveHostTail(rest: readonly PathSegment[]): PathResolution {
  const [field, ...tail] = rest;
  if (!field) return { segments: [] };
  if (tail.length > 0) return { segments: [], error: unexpected(tail) };
  const row = HOST_FIELDS.find((f) => f.name === field.text);
  if (!row) return { segments: [], error: noSuchField('the host', field, HOST_FIELDS) };
  return value({ kind: 'host-field', row });
}

/** `VM.FIELD` (the VM's own values; its vCPUs and devices are resolved by resolveStatePath). */
export function resolveVmField(vm: number, rest: readonly PathSegment[]): PathResolution | undefined {
  const [field, ...tail] = rest;
  const row = field && VM_FIELDS.find((f) => f.name === field.text);
  if (!row) return undefined;
  if (tail.length > 0) return { segments: [], error: unexpected(tail) };
  return value({ kind: 'vm-field', vm, row });
}

/** `vcpuN.FIELD` once the VM is known (`vm` undefined: a foreach name, or no VM in context). */
export function resolveVcpuTail(
  world: StateWorld,
  vm: number | undefined,
  vcpu: number | undefined,
  vcpuName: PathSegment,
  rest: readonly PathSegment[],
): PathResolution {
  const config = vm === undefined ? undefined : world.vms[vm];
  if (config && vcpu !== undefined && vcpu >= config.vcpuCount)
    return {
      segments: [],
      error: {
        span: vcpuName.span,
        code: 'vcpu-out-of-range',
        message: `VM '${config.name}' has ${config.vcpuCount} vCPU${config.vcpuCount === 1 ? '' : 's'}; there is no ${vcpuName.text}`,
        candidates: [],
      },
    };
  const [field, ...tail] = rest;
  if (!field) return { segments: [] };
  if (tail.length > 0) return { segments: [], error: unexpected(tail) };
  const row = lookupVcpuField(field.text);
  if (!row) {
    const names = VCPU_FIELDS.map((f) => f.name);
    const shown = ['x0..x30', ...names.filter((n) => !GPR.test(n))].join(', ');
    return { segments: [], error: noSuchField(vcpuName.text, field, VCPU_FIELDS, shown) };
  }
  return value({ kind: 'vcpu-field', vm, vcpu, row });
}

/**
 * `DEV.FIELD`, `DEV.REG[.FIELD]` or `DEV.config.REG[.FIELD]` (on a virtio device `DEV.status` is the virtio status,
 * `DEV.config.status` the config register).
 */
export function resolveDeviceTail(device: DeviceRef, deviceName: string, rest: readonly PathSegment[]): PathResolution {
  const explicitConfig = rest[0]?.text === 'config' && rest.length > 1;
  const segments: SegmentMeaning[] =
    explicitConfig || (rest.length === 1 && rest[0].text === 'config') ? [{ kind: 'config' }] : [];
  const [first, second, ...tail] = explicitConfig ? rest.slice(1) : rest;
  if (!first) return { segments };
  if (tail.length > 0) return { segments, error: unexpected(tail) };
  const at = { vm: device.vm, device: device.device };
  const has = (f: DeviceField) => !device.config || deviceHasField(f, device.config);
  const row = explicitConfig ? undefined : lookupDeviceField(first.text);
  if (row && has(row) && !second)
    return {
      segments: [...segments, { kind: 'value', target: { kind: 'device-field', ...at, row } }],
      target: { kind: 'device-field', ...at, row },
    };
  const register = lookupRegister(first.text);
  if (!register) {
    const names = [...DEVICE_FIELDS.filter(has).map((f) => f.name), ...configRegisters().map((r) => r.def.name)];
    return {
      segments,
      error: {
        span: first.span,
        code: 'unknown-register',
        message: `device '${deviceName}' has no '${first.text}'${didYouMean(first.text, names)}`,
        segment: first,
        candidates: names,
      },
    };
  }
  const registerTarget: StateTarget = { kind: 'config-register', ...at, register };
  if (!second) return { segments: [...segments, { kind: 'value', target: registerTarget }], target: registerTarget };
  segments.push({ kind: 'value', target: registerTarget });
  const field = lookupField(register.def, second.text);
  if (!field) {
    const names = register.def.fields.map((f) => f.name);
    return {
      segments,
      error: {
        span: second.span,
        code: 'unknown-field',
        message: names.length
          ? `${register.def.name} has no field '${second.text}'; its fields are ${names.join(', ')}${didYouMean(second.text, names)}`
          : `${register.def.name} has no fields`,
        segment: second,
        candidates: names,
      },
    };
  }
  const target: StateTarget = { kind: 'config-field', ...at, register, field };
  return { segments: [...segments, { kind: 'value', target }], target };
}

/** A device by name: in the VM of the context, or the one VM of the world that has it. */
export function findDevice(world: StateWorld, name: string, vm?: number): { vm: number; device: number } | undefined {
  const inVm = (i: number) => {
    const device = world.vms[i]?.devices.findIndex((d) => d.name === name) ?? -1;
    return device >= 0 ? { vm: i, device } : undefined;
  };
  if (vm !== undefined) return inVm(vm);
  const owners = world.vms.map((_, i) => inVm(i)).filter((x) => x !== undefined);
  return owners.length === 1 ? owners[0] : undefined;
}

/**
 * A whole path of the state namespace, with `vm` the VM of the context (a vCPU's frame, the VM whose code it is).
 * Names outside the namespace (labels, constants, procs, parameters) are left to the caller: the resolution then
 * has no segments and no error.
 */
export function resolveStatePath(
  world: StateWorld,
  parts: readonly PathSegment[],
  context: { vm?: number } = {},
): PathResolution {
  const [first, ...rest] = parts;
  if (!first) return { segments: [] };
  const prefixed = (head: SegmentMeaning[], r: PathResolution): PathResolution => ({
    ...r,
    segments: [...head, ...r.segments],
  });
  if (parts.length === 1) {
    const row = lookupVcpuField(first.text);
    if (row) return value({ kind: 'vcpu-field', vm: context.vm, row });
  }
  if (first.text === 'host') return prefixed([{ kind: 'host' }], resolveHostTail(rest));
  const vcpu = vcpuIndexOf(first.text);
  const single = world.vms.length === 1 ? 0 : undefined;
  if (vcpu !== undefined) {
    const vm = context.vm ?? single;
    return prefixed([{ kind: 'vcpu', vm, vcpu }], resolveVcpuTail(world, vm, vcpu, first, rest));
  }
  const vm = world.vms.findIndex((v) => v.name === first.text);
  if (vm >= 0) {
    const head: SegmentMeaning[] = [{ kind: 'vm', vm }];
    const [second, ...tail] = rest;
    if (!second) return { segments: head };
    const vcpu2 = vcpuIndexOf(second.text);
    if (vcpu2 !== undefined)
      return prefixed([...head, { kind: 'vcpu', vm, vcpu: vcpu2 }], resolveVcpuTail(world, vm, vcpu2, second, tail));
    const device = world.vms[vm].devices.findIndex((d) => d.name === second.text);
    if (device >= 0)
      return prefixed(
        [...head, { kind: 'device', vm, device }],
        resolveDeviceTail({ vm, device, config: world.vms[vm].devices[device] }, second.text, tail),
      );
    if (tail.length > 0) return { segments: head, error: unexpected(tail) };
    const field = resolveVmField(vm, rest);
    if (field) return prefixed(head, field);
    const config = world.vms[vm];
    const names = [
      ...VM_FIELDS.map((f) => f.name),
      ...config.devices.map((d) => d.name),
      ...Array.from({ length: config.vcpuCount }, (_, i) => `vcpu${i}`),
    ];
    return {
      segments: head,
      error: {
        span: second.span,
        code: 'unknown-name',
        message: `VM '${config.name}' has no '${second.text}'${didYouMean(second.text, names)}`,
        segment: second,
        candidates: names,
      },
    };
  }
  const found = findDevice(world, first.text, context.vm);
  if (found)
    return prefixed(
      [{ kind: 'device', ...found }],
      resolveDeviceTail({ ...found, config: world.vms[found.vm].devices[found.device] }, first.text, rest),
    );
  return { segments: [] };
}

// ------------------------------------------------------------------------------------------ enumeration

/** A name that may follow a prefix: a further segment, with what it is and its row's description. */
export interface StateMember {
  name: string;
  kind: SegmentMeaning['kind'];
  /** the catalogue row's description (or what the segment is) */
  doc: string;
  /** when the member ends a path: what it reads */
  target?: StateTarget;
  /** whether more segments may follow it */
  more: boolean;
  /** a device member: which */
  device?: { vm: number; device: number };
}

function deviceMembers(ref: DeviceRef, explicitConfig: boolean): StateMember[] {
  const out: StateMember[] = [];
  const at = { vm: ref.vm, device: ref.device };
  if (!explicitConfig) {
    for (const row of DEVICE_FIELDS)
      if (!ref.config || deviceHasField(row, ref.config))
        out.push({
          name: row.name,
          kind: 'value',
          doc: row.doc,
          target: { kind: 'device-field', ...at, row },
          // `DEV.status.FIELD` on a virtio device is a field of the config Status register (the name alone is the
          // virtio status).
          more: (lookupRegister(row.name)?.def.fields.length ?? 0) > 0,
        });
    out.push({ name: 'config', kind: 'config', doc: CONFIG_SPACE_DOC, more: true });
  }
  for (const register of configRegisters()) {
    // On a virtio device `DEV.status` is the virtio status; its config register is `DEV.config.status`.
    const shadowed =
      !explicitConfig && out.some((m) => m.name === register.def.name && m.target?.kind === 'device-field');
    if (shadowed) continue;
    out.push({
      name: register.def.name,
      kind: 'value',
      doc: register.def.doc,
      target: { kind: 'config-register', ...at, register },
      more: register.def.fields.length > 0,
    });
  }
  return out;
}

function registerMembers(ref: DeviceRef, register: ResolvedRegister): StateMember[] {
  return register.def.fields.map((field) => ({
    name: field.name,
    kind: 'value',
    doc: field.doc,
    target: { kind: 'config-field', vm: ref.vm, device: ref.device, register, field },
    more: false,
  }));
}

function vcpuMembers(vm: number | undefined, vcpu: number | undefined): StateMember[] {
  return VCPU_FIELDS.map((row) => ({
    name: row.name,
    kind: 'value',
    doc: row.doc,
    target: { kind: 'vcpu-field', vm, vcpu, row },
    more: false,
  }));
}

function vmMembers(world: StateWorld, vm: number): StateMember[] {
  const config = world.vms[vm];
  return [
    ...Array.from({ length: config.vcpuCount }, (_, vcpu): StateMember => ({
      name: `vcpu${vcpu}`,
      kind: 'vcpu',
      doc: `vCPU ${vcpu} of ${config.name}`,
      more: true,
    })),
    ...config.devices.map((d, device): StateMember => ({
      name: d.name,
      kind: 'device',
      doc: d.model,
      more: true,
      device: { vm, device },
    })),
    ...VM_FIELDS.map((row): StateMember => ({
      name: row.name,
      kind: 'value',
      doc: row.doc,
      target: { kind: 'vm-field', vm, row },
      more: false,
    })),
  ];
}

/**
 * What may follow `prefix` (the segments before the one being written), with `vm` the VM of the context. An empty
 * prefix gives the heads: `host`, the VMs, the vCPUs and devices of the context's VM and the bare vCPU fields.
 */
export function stateMembers(
  world: StateWorld,
  prefix: readonly string[],
  context: { vm?: number } = {},
): StateMember[] {
  if (prefix.length === 0) {
    const out: StateMember[] = [
      { name: 'host', kind: 'host', doc: 'the host and its VMM', more: true },
      ...world.vms.map((v): StateMember => ({ name: v.name, kind: 'vm', doc: `VM ${v.name}`, more: true })),
      ...vcpuMembers(context.vm, undefined),
    ];
    const vm = context.vm ?? (world.vms.length === 1 ? 0 : undefined);
    if (vm !== undefined) out.push(...vmMembers(world, vm).filter((m) => m.kind !== 'value'));
    return out;
  }
  const span = { start: 0, end: 0 };
  const resolution = resolveStatePath(
    world,
    prefix.map((text) => ({ text, span })),
    context,
  );
  const last = resolution.segments[resolution.segments.length - 1];
  // `DEV.config` alone is no value (the checker says so) but names what may follow.
  if ((resolution.error && last?.kind !== 'config') || resolution.segments.length !== prefix.length) return [];
  switch (last.kind) {
    case 'host':
      return HOST_FIELDS.map((row) => ({
        name: row.name,
        kind: 'value',
        doc: row.doc,
        target: { kind: 'host-field', row },
        more: false,
      }));
    case 'vm':
      return vmMembers(world, last.vm);
    case 'vcpu':
      return vcpuMembers(last.vm, last.vcpu);
    case 'device':
      return deviceMembers({ vm: last.vm, device: last.device, config: deviceConfig(world, last) }, false);
    case 'config': {
      const device = resolution.segments[resolution.segments.length - 2];
      if (device?.kind !== 'device') return [];
      return deviceMembers({ vm: device.vm, device: device.device, config: deviceConfig(world, device) }, true);
    }
    case 'value': {
      const t = last.target;
      const register =
        t.kind === 'config-register' ? t.register : t.kind === 'device-field' ? lookupRegister(t.row.name) : undefined;
      if (!register || (t.kind !== 'config-register' && t.kind !== 'device-field')) return [];
      return registerMembers({ vm: t.vm, device: t.device, config: undefined }, register);
    }
  }
}

function deviceConfig(world: StateWorld, d: { vm?: number; device?: number }): WorldDevice | undefined {
  return d.vm === undefined || d.device === undefined ? undefined : world.vms[d.vm]?.devices[d.device];
}

/** The members after a foreach name over devices (any model) or vCPUs. */
export function aliasMembers(over: 'device' | 'vcpu', prefix: readonly string[]): StateMember[] {
  if (over === 'vcpu') return prefix.length === 0 ? vcpuMembers(undefined, undefined) : [];
  if (prefix.length === 0) return deviceMembers({}, false);
  const explicitConfig = prefix[0] === 'config';
  const rest = explicitConfig ? prefix.slice(1) : prefix;
  if (rest.length === 0) return deviceMembers({}, true);
  const register = rest.length === 1 ? lookupRegister(rest[0]) : undefined;
  return register ? registerMembers({}, register) : [];
}

/**
 * Every fully qualified path of the world that reads a value (`host.state`, `guest.vcpu0.x0`,
 * `guest.net0.config.pmcsr.state`, ...).
 */
export function allStatePaths(world: StateWorld): string[] {
  const out: string[] = [];
  const walk = (prefix: string[]) => {
    for (const m of stateMembers(world, prefix)) {
      const path = [...prefix, m.name];
      if (m.target) out.push(path.join('.'));
      if (m.more) walk(path);
    }
  };
  walk(['host']);
  world.vms.forEach((v) => walk([v.name]));
  return out;
}

// ------------------------------------------------------------------------------------------ helpers

function value(target: StateTarget): PathResolution {
  return { segments: [{ kind: 'value', target }], target };
}

function noSuchField(
  owner: string,
  field: PathSegment,
  rows: readonly { name: string }[],
  shown = rows.map((r) => r.name).join(', '),
): PathError {
  const names = rows.map((r) => r.name);
  return {
    span: field.span,
    code: 'unknown-name',
    message: `${owner} has no '${field.text}'; it has ${shown}${didYouMean(field.text, names)}`,
    segment: field,
    candidates: names,
  };
}

/** The catalogue row a path reads (its name and description). */
export function targetRow(t: StateTarget): { name: string; doc: string } {
  switch (t.kind) {
    case 'host-field':
    case 'vm-field':
    case 'vcpu-field':
    case 'device-field':
      return t.row;
    case 'config-register':
      return t.register.def;
    case 'config-field':
      return t.field;
  }
}

/**
 * The paths that complete a partly written one (`guest.vcpu1.`, `net0.pm`): the written segments before the last
 * dot, then each member that may follow them. Without a dot, the heads of the namespace.
 */
export function stateCompletions(world: StateWorld, word: string, context: { vm?: number } = {}): string[] {
  const dot = word.lastIndexOf('.');
  const prefix = dot < 0 ? [] : word.slice(0, dot).split('.');
  const lead = dot < 0 ? '' : word.slice(0, dot + 1);
  return stateMembers(world, prefix, context).map((m) => lead + m.name);
}
