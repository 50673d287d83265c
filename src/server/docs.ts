// Markdown for hovers and completion documentation, rendered from the domain tables (the same rows the checker,
// the simulator and docs/reference.md read).

import { HostPolicyRule, HostSetting } from '../lang/domain/host';
import { Constant } from '../lang/domain/constants';
import { DeviceField, DeviceModel, DeviceOption } from '../lang/domain/devices';
import { EXPLORE_BOUNDS, EXPLORE_DOC, ExploreBound, exploreValueText } from '../lang/domain/explore';
import { InvariantInfo } from '../lang/domain/invariants';
import { FieldDef, PM_CAP_OFFSET, ResolvedRegister } from '../lang/domain/pci';
import { formatVersion, PSCI_RETURN_CODES, PsciArg, PsciFunction } from '../lang/domain/psci';
import { VcpuField } from '../lang/domain/vcpu';
import { DeviceConfig, VmConfig } from '../lang/program';
import { FLAVOURS, VERSION_NOTE } from '../lang/domain/flavours';

export const hex = (n: number | bigint, width = 2) => '0x' + n.toString(16).padStart(width, '0');

export function bdfText(d: DeviceConfig): string {
  return `${hex(d.bus).slice(2)}:${hex(d.dev).slice(2)}.${d.fn}`;
}

export function fieldBits(field: FieldDef): string {
  return field.width === 1 ? `${field.lsb}` : `${field.lsb + field.width - 1}:${field.lsb}`;
}

/** A PSCI function: IDs, version, arguments and registers, return codes, and what KVM and Xen do. */
export function psciMarkdown(fn: PsciFunction, written?: string): string {
  const out: string[] = [];
  out.push(`**PSCI \`${fn.name}\`** · since PSCI ${formatVersion(fn.since)}`, '', fn.summary, '');
  const selected =
    written && written !== fn.name ? (written.endsWith('32') ? 32 : 64) : fn.smc64 !== undefined ? 64 : 32;
  out.push('| Convention | Function ID | Name |', '|---|---|---|');
  out.push(
    `| SMC32 | \`${hex(fn.smc32, 8)}\` | \`${fn.smc64 !== undefined ? fn.name + '32' : fn.name}\`${selected === 32 && written ? ' (this call)' : ''} |`,
  );
  if (fn.smc64 !== undefined)
    out.push(
      `| SMC64 | \`${hex(fn.smc64, 8)}\` | \`${fn.name}64\`, \`${fn.name}\`${selected === 64 && written ? ' (this call)' : ''} |`,
    );
  out.push('');
  if (fn.args.length) {
    out.push('**Arguments**', '');
    for (const a of fn.args) out.push(`- \`${a.name}=\` in x${a.register}: ${a.doc}`);
  } else out.push('**Arguments:** none');
  out.push('');
  const codes = fn.returns.map((r) => `\`${r}\` (${PSCI_RETURN_CODES[r]})`);
  out.push(`**Returns** in x0: ${codes.length ? codes.join(', ') : 'nothing (does not return)'}`, '');
  const flavours = Object.values(FLAVOURS).filter((f) => f.psci[fn.name]);
  if (flavours.length) {
    for (const f of flavours) out.push(`**${f.label}:** ${f.psci[fn.name]}`, '');
    out.push(`_${VERSION_NOTE}_`);
  }
  return out.join('\n');
}

export function psciArgMarkdown(fn: PsciFunction, arg: PsciArg): string {
  return `**\`${arg.name}=\`** · argument of \`${fn.name}\` in x${arg.register}\n\n${arg.doc}`;
}

function accessText(access: string, field?: FieldDef): string {
  return access + (field?.sticky ? ', sticky' : '');
}

function whereOf(reg: ResolvedRegister): string {
  const inCap = reg.offset >= PM_CAP_OFFSET && reg.offset < PM_CAP_OFFSET + 8;
  return `config offset \`${hex(reg.offset)}\`${inCap ? ` (PM capability + ${reg.offset - PM_CAP_OFFSET})` : ''}`;
}

function onDevice(device: DeviceConfig | undefined): string {
  return device ? `\n\nOn device \`${device.name}\` (${device.model} at ${bdfText(device)}).` : '';
}

/** A config register: offset, width, access, meaning, and its fields. */
export function registerMarkdown(reg: ResolvedRegister, device?: DeviceConfig): string {
  const d = reg.def;
  const out = [
    `**\`${d.name}\`** · ${d.doc}`,
    '',
    `PCI ${whereOf(reg)}, ${d.size * 8} bits${d.fields.length ? '' : `, ${d.access}`}`,
  ];
  if (d.fields.length) {
    out.push('', '| Field | Bits | Access | Meaning |', '|---|---|---|---|');
    for (const f of d.fields)
      out.push(`| \`${f.name}\` | ${fieldBits(f)} | ${accessText(f.access, f)} | ${f.doc.replace(/\|/g, '\\|')} |`);
  }
  return out.join('\n') + onDevice(device);
}

/** One field of a config register: bits, access, meaning, named values. */
export function fieldMarkdown(reg: ResolvedRegister, field: FieldDef, device?: DeviceConfig): string {
  const out = [
    `**\`${reg.def.name}.${field.name}\`** · bits [${fieldBits(field)}] of \`${reg.def.name}\` (${reg.def.doc})`,
    '',
    `PCI ${whereOf(reg)}, ${field.width} bit${field.width === 1 ? '' : 's'}, **${accessText(field.access, field)}**`,
    '',
    field.doc,
  ];
  if (field.values)
    out.push(
      '',
      'Values: ' +
        Object.entries(field.values)
          .map(([v, n]) => `${v} = \`${n}\``)
          .join(', '),
    );
  return out.join('\n') + onDevice(device);
}

export function deviceValueMarkdown(field: DeviceField, device?: DeviceConfig): string {
  const who = field.models ? field.models.join(', ') : field.virtioOnly ? 'virtio devices' : 'every device';
  return `**\`${field.name}\`** · device value (${who})\n\n${field.doc}` + onDevice(device);
}

/** A device: model, address, interrupt, options. */
export function deviceMarkdown(
  name: string,
  device: DeviceConfig | undefined,
  model: DeviceModel | undefined,
  vm?: VmConfig,
): string {
  if (!device) return `**device \`${name}\`**${vm ? ` of VM \`${vm.name}\`` : ''}`;
  const out = [
    `**device \`${device.name}\`** · \`${device.model}\` at \`${bdfText(device)}\` (bus ${device.bus}, device ${device.dev}, function ${device.fn})${device.irq !== undefined ? `, irq ${device.irq}` : ''}`,
  ];
  if (model) out.push('', model.doc);
  const options = Object.entries(device.options);
  out.push(
    '',
    options.length
      ? 'Options: ' + options.map(([k, v]) => `\`${k} ${v.join(' ')}\``).join(', ')
      : 'Options: defaults (no `no_soft_reset`, D1/D2 not supported)',
  );
  if (vm) out.push('', `VM \`${vm.name}\` (${vm.flavour})`);
  return out.join('\n');
}

export function modelMarkdown(model: DeviceModel): string {
  return `**\`${model.name}\`** · device model\n\n${model.doc}\n\nOptions: ${model.options.map((o) => `\`${o.name}\``).join(', ')}`;
}

export function optionMarkdown(option: DeviceOption): string {
  const values =
    option.kind === 'bool' ? 'true or false' : option.values?.join(option.kind === 'states' ? ', ' : ' or ');
  return `**\`${option.name}\`** · option${values ? ` (${values})` : ''}\n\n${option.doc}`;
}

export function constantMarkdown(name: string, constants: Constant[]): string {
  return constants
    .map((c) => {
      const value = c.group === 'psci-function' ? hex(c.value, 8) : c.value.toString();
      return `**\`${name}\`** = ${value} · ${c.group}\n\n${c.doc}`;
    })
    .join('\n\n---\n\n');
}

export function vcpuFieldMarkdown(field: VcpuField, vcpu?: number): string {
  const who = vcpu !== undefined && vcpu >= 0 ? `of vcpu${vcpu}` : 'of the running vCPU';
  return `**\`${field.name}\`** · vCPU ${field.kind === 'register' ? 'register' : field.kind === 'pstate' ? 'PSTATE field' : 'state'} ${who}${field.writable ? ' (writable with `set`)' : ' (read-only)'}\n\n${field.doc}`;
}

export function invariantMarkdown(info: InvariantInfo): string {
  return `**\`${info.id}\`** · invariant: ${info.title}\n\n${info.description}`;
}

export function vmMarkdown(vm: VmConfig): string {
  const ram = `RAM ${hex(vm.ramBase)} + ${vm.ramSize >> 20n} MiB`;
  const devices = vm.devices.length ? vm.devices.map((d) => `\`${d.name}\` (${d.model})`).join(', ') : 'none';
  const lines = [
    `**VM \`${vm.name}\`** · ${vm.flavour}, PSCI ${formatVersion(vm.psciVersion)}, ${vm.vcpuCount} vCPU${vm.vcpuCount === 1 ? '' : 's'}${vm.hardwareDomain ? ', hardware domain (dom0)' : ''}`,
    '',
    `${ram}; devices: ${devices}`,
  ];
  if (vm.s2idleNotify !== undefined) lines.push('', `s2idle notify register at ${hex(vm.s2idleNotify)}`);
  return lines.join('\n');
}

/** The `explore` declaration: what it asks of `sflow test`, and its bounds. */
export function exploreMarkdown(): string {
  const bounds = EXPLORE_BOUNDS.map((b) => `- \`${b.name} ${b.example}\`: ${b.doc}`);
  return [
    '**`explore`** · explore the interleavings',
    '',
    EXPLORE_DOC,
    '',
    '**Bounds** (each optional)',
    '',
    ...bounds,
  ].join('\n');
}

export function exploreBoundMarkdown(bound: ExploreBound): string {
  return `**\`${bound.name}\`** · bound of \`explore\` (${exploreValueText(bound)})\n\n${bound.doc[0].toUpperCase()}${bound.doc.slice(1)}.`;
}

/** A host setting: its default and what it sets (src/lang/domain/host.ts). */
export function hostSettingMarkdown(setting: HostSetting): string {
  return `**\`${setting.name} TIME\`** · host setting (default \`${setting.defaultText}\`, at most 1000s)\n\n${setting.doc[0].toUpperCase()}${setting.doc.slice(1)}.`;
}

/** A host suspend policy (src/lang/domain/host.ts). */
export function hostPolicyMarkdown(rule: HostPolicyRule): string {
  return `**\`policy suspend ${rule.form}\`** · host suspend policy\n\n${rule.doc[0].toUpperCase()}${rule.doc.slice(1)}.`;
}
