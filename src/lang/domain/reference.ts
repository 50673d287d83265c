// Renders the domain tables as Markdown: docs/reference.md is generated from this, so the docs say exactly what
// the simulator, the checker and (later) the hovers read. `npm run docs` rewrites it; a test checks it is current.

import { CONSTANTS } from './constants';
import { DEVICE_FIELDS, DEVICE_MODELS } from './devices';
import { EXPLORE_BOUNDS, EXPLORE_DOC, exploreValueText } from './explore';
import { HOST_POLICY_RULES, HOST_SETTINGS } from './host';
import { FLAVOURS, VERSION_NOTE, VMM_ANSWER_DOCS, VMM_EVENT_NAMES, VMM_EVENTS } from './flavours';
import { INVARIANT_INFO } from './invariants';
import { CONFIG_HEADER, PM_CAPABILITY, PM_CAP_OFFSET, RegisterDef } from './pci';
import { PSCI_FUNCTIONS, PSCI_RETURN_CODES, formatVersion } from './psci';
import { VCPU_FIELDS } from './vcpu';
import { FUNCTION_BREAKPOINT_FORMS, LAUNCH_ATTRIBUTES } from './launch';

const hex = (n: number, width = 2) => '0x' + n.toString(16).padStart(width, '0');

function registerRows(defs: readonly RegisterDef[], base: number): string[] {
  const rows: string[] = [];
  for (const d of defs) {
    rows.push(
      `| ${hex(base + d.offset)} | \`${d.name}\` | ${d.size * 8} | ${d.fields.length ? '' : d.access} | ${d.doc} |`,
    );
    for (const f of d.fields) {
      const bits = f.width === 1 ? `${f.lsb}` : `${f.lsb + f.width - 1}:${f.lsb}`;
      const values = f.values
        ? ` (${Object.entries(f.values)
            .map(([v, n]) => `${v} = ${n}`)
            .join(', ')})`
        : '';
      rows.push(`| | \`.${f.name}\` [${bits}] | | ${f.access}${f.sticky ? ', sticky' : ''} | ${f.doc}${values} |`);
    }
  }
  return rows;
}

/** The hypervisor flavours of src/lang/domain/flavours: versions, options, VMM answers, PSCI per flavour. */
function flavourSections(): string[] {
  const flavours = Object.values(FLAVOURS);
  const out: string[] = ['', '## Hypervisor flavours', ''];
  out.push('`hypervisor FLAVOUR [psci V] [{ OPTION VALUE ... }]`', '');
  out.push('| Flavour | PSCI versions | Default | What it is |', '|---|---|---|---|');
  for (const f of flavours)
    out.push(`| \`${f.name}\` | ${f.psciVersions.join(', ')} | ${f.defaultPsciVersion} | ${f.summary} |`);
  out.push('', '| Flavour | Option | Values | Default | Meaning |', '|---|---|---|---|---|');
  for (const f of flavours)
    for (const o of f.options)
      out.push(`| \`${f.name}\` | \`${o.name}\` | ${o.values.join(', ')} | ${o.default} | ${o.doc} |`);
  out.push('', '### VMM events', '', '`on EVENT: ANSWER [| ANSWER ...]`; more than one answer is a choice.', '');
  out.push(
    `| Event | ${flavours.map((f) => f.name).join(' | ')} | Default | Meaning |`,
    `|---|${flavours.map(() => '---|').join('')}---|---|`,
  );
  for (const e of VMM_EVENT_NAMES) {
    const answers = flavours.map(
      (f) => f.vmm[e]?.map((a) => `\`${a}\``).join(', ') ?? `none: ${f.noVmmExit?.[e] ?? ''}`,
    );
    out.push(`| \`${e}\` | ${answers.join(' | ')} | \`${VMM_EVENTS[e].default}\` | ${VMM_EVENTS[e].doc} |`);
  }
  out.push('', '| Answer | Meaning |', '|---|---|');
  for (const [name, doc] of Object.entries(VMM_ANSWER_DOCS))
    out.push(`| \`${name}\` | ${doc.replaceAll('|', '\\|')} |`);
  out.push(
    '',
    '### PSCI functions per flavour',
    '',
    `| Function | ${flavours.map((f) => f.label).join(' | ')} |`,
    `|---|${flavours.map(() => '---|').join('')}`,
  );
  for (const fn of PSCI_FUNCTIONS)
    out.push(`| \`${fn.name}\` | ${flavours.map((f) => f.psci[fn.name] ?? '').join(' | ')} |`);
  out.push('', VERSION_NOTE);
  return out;
}

export function referenceMarkdown(): string {
  const out: string[] = [];
  out.push('# Reference', '', '<!-- Generated from src/lang/domain by `npm run docs`. Do not edit by hand. -->', '');
  out.push(
    'The tables the checker, the simulator and the editor share. Sources are cited in `docs/language.md` and in the code.',
    '',
  );

  out.push(
    '## PSCI functions',
    '',
    '| Function | SMC32 | SMC64 | Since | Arguments (register) | What it does |',
    '|---|---|---|---|---|---|',
  );
  for (const f of PSCI_FUNCTIONS) {
    const args = f.args.map((a) => `\`${a.name}\` (x${a.register})`).join(', ') || '-';
    out.push(
      `| \`${f.name}\` | ${hex(f.smc32, 8)} | ${f.smc64 !== undefined ? hex(f.smc64, 8) : '-'} | ${formatVersion(f.since)} | ${args} | ${f.summary} |`,
    );
  }
  out.push('', '`psci NAME` uses the SMC64 ID where one exists; `NAME32` and `NAME64` pick one explicitly.', '');
  out.push('## PSCI return codes', '', '| Name | Value |', '|---|---|');
  for (const [name, value] of Object.entries(PSCI_RETURN_CODES)) out.push(`| \`${name}\` | ${value} |`);

  out.push(...flavourSections());

  out.push('', `## PCI configuration space (type 0 header, PM capability at ${hex(PM_CAP_OFFSET)})`, '');
  out.push('| Offset | Register / field | Bits | Access | Meaning |', '|---|---|---|---|---|');
  out.push(...registerRows(CONFIG_HEADER, 0), ...registerRows(PM_CAPABILITY, PM_CAP_OFFSET));

  out.push('', '## Device models', '', '| Model | Options | What it is |', '|---|---|---|');
  for (const m of DEVICE_MODELS)
    out.push(`| \`${m.name}\` | ${m.options.map((o) => `\`${o.name}\``).join(', ')} | ${m.doc} |`);
  out.push('', '| Device value | Models | Meaning |', '|---|---|---|');
  for (const f of DEVICE_FIELDS)
    out.push(`| \`DEV.${f.name}\` | ${f.models ? f.models.join(', ') : f.virtioOnly ? 'virtio' : 'all'} | ${f.doc} |`);

  out.push('', '## vCPU values', '', '| Name | Writable | Meaning |', '|---|---|---|');
  out.push(`| \`x0\` .. \`x30\` | yes | general-purpose registers (untyped: a number or a time in ns) |`);
  for (const f of VCPU_FIELDS.filter((v) => !/^x\d+$/.test(v.name)))
    out.push(`| \`${f.name}\` | ${f.writable ? 'yes' : 'no'} | ${f.doc} |`);

  out.push('', '## Constants', '', '| Name | Value | Group | Meaning |', '|---|---|---|---|');
  for (const c of CONSTANTS.filter((x) => x.group !== 'psci-function'))
    out.push(`| \`${c.name}\` | ${c.value} | ${c.group} | ${c.doc} |`);
  out.push('', 'Every PSCI function name is also a constant: its function ID (`SYSTEM_SUSPEND64` = 0xc400000e).');

  out.push(
    '',
    '## Launch attributes (`"type": "suspend-flow"`)',
    '',
    '| Attribute | Type | Default | Meaning |',
    '|---|---|---|---|',
  );
  for (const a of LAUNCH_ATTRIBUTES)
    out.push(
      `| \`${a.name}\`${a.required ? ' (required)' : ''} | ${[a.type].flat().join(' or ')} | ${a.default === undefined ? '' : `\`${JSON.stringify(a.default)}\``} | ${a.description} |`,
    );

  out.push(
    '',
    '## Function breakpoints',
    '',
    'Typed in the Breakpoints view (+ Function Breakpoint), with an optional condition.',
    '',
    '| Name | Stops on |',
    '|---|---|',
  );
  for (const f of FUNCTION_BREAKPOINT_FORMS) out.push(`| \`${f.form}\` | ${f.stopsOn} |`);
  out.push(
    '',
    'Exception breakpoints: one filter per invariant below, plus "Expectation failed" and "PSCI call returned an error".',
  );

  out.push(
    '',
    '## Host',
    '',
    '`host { ... }`: the suspend policies (`policy suspend ...`) and the settings, each at most once.',
    '',
    '| Policy | Meaning |',
    '|---|---|',
  );
  for (const r of HOST_POLICY_RULES) out.push(`| \`policy suspend ${r.form}\` | ${r.doc} |`);
  out.push('', '| Setting | Default | Meaning |', '|---|---|---|');
  for (const s of HOST_SETTINGS)
    out.push(`| \`${s.name} TIME\` | \`${s.defaultText}\` | ${s.doc}; a constant time from 0 to 1000 s |`);

  out.push(
    '',
    '## Explore bounds',
    '',
    `\`explore { ... }\`: ${EXPLORE_DOC}`,
    '',
    '| Bound | Value | Meaning |',
    '|---|---|---|',
  );
  for (const b of EXPLORE_BOUNDS) out.push(`| \`${b.name}\` | ${exploreValueText(b)} | ${b.doc} |`);

  out.push(
    '',
    '## Invariants',
    '',
    'Checked on every event; `expect violation ID` declares one a scenario breaks on purpose.',
    '',
    '| ID | Title | Meaning |',
    '|---|---|---|',
  );
  for (const i of INVARIANT_INFO) out.push(`| \`${i.id}\` | ${i.title} | ${i.description} |`);
  out.push('');
  return out.join('\n');
}
