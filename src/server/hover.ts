// Hovers: what the name under the cursor is, from the occurrence index, rendered from the domain tables.

import { Hover, MarkupKind } from 'vscode-languageserver';
import { lookupDeviceModel } from '../lang/domain/devices';
import { lookupFlavour } from '../lang/domain/flavours';
import { instrAddress } from '../lang/program';
import type { Analysis } from './analysis';
import {
  constantMarkdown,
  deviceMarkdown,
  deviceValueMarkdown,
  exploreBoundMarkdown,
  exploreMarkdown,
  fieldMarkdown,
  hex,
  hostPolicyMarkdown,
  hostSettingMarkdown,
  invariantMarkdown,
  modelMarkdown,
  optionMarkdown,
  psciArgMarkdown,
  psciMarkdown,
  registerMarkdown,
  vcpuFieldMarkdown,
  vmMarkdown,
} from './docs';
import { leadingComment, Meaning } from './occurrences';

export function hover(analysis: Analysis, position: { line: number; character: number }): Hover | null {
  const offset = analysis.offset(position);
  if (analysis.inComment(offset)) return null;
  const occurrence = analysis.occurrences.at(offset);
  if (!occurrence) return null;
  const value = describe(analysis, occurrence.meaning);
  if (!value) return null;
  return { contents: { kind: MarkupKind.Markdown, value }, range: analysis.range(occurrence.span) };
}

function describe(analysis: Analysis, m: Meaning): string | undefined {
  switch (m.kind) {
    case 'psci-function':
      return psciMarkdown(m.ref.fn, m.written);
    case 'psci-arg':
      return psciArgMarkdown(m.fn, m.arg);
    case 'raw-arg':
      return `**\`x${m.register}=\`** · argument register x${m.register} of a raw call`;
    case 'config-register':
      return registerMarkdown(m.reg, m.device);
    case 'config-field':
      return fieldMarkdown(m.reg, m.field, m.device);
    case 'device-value':
      return deviceValueMarkdown(m.field, m.device);
    case 'device':
      if (m.alias) return `**\`${m.alias.name}\`** · each device of the VM in turn (\`foreach device\`)`;
      return deviceMarkdown(m.name, m.device, m.device ? lookupDeviceModel(m.device.model) : undefined, m.vm);
    case 'vm':
      return m.vm ? vmMarkdown(m.vm) : `**VM \`${m.name}\`**`;
    case 'vcpu':
      if (m.alias)
        return `**\`${m.alias.name}\`** · each vCPU of the VM in turn (\`foreach vcpu\`): alone, its MPIDR affinity`;
      return `**\`vcpu${m.index}\`** · vCPU ${m.index}${m.vm ? ` of VM \`${m.vm.name}\`` : ''}\n\nAlone it is the vCPU's MPIDR affinity (\`mpidr & 0xff00ffffff\`): what Linux passes as a PSCI \`target\`.`;
    case 'vcpu-field':
      return vcpuFieldMarkdown(m.field, m.vcpu);
    case 'vm-field':
      return `**\`${m.field.name}\`** · VM value${m.vm ? ` of \`${m.vm.name}\`` : ''}\n\n${m.field.doc}`;
    case 'host-field':
      return `**\`host.${m.field.name}\`**\n\n${m.field.doc}`;
    case 'host':
      return '**`host`** · the host: `host.state` is running, suspending, suspended or resuming';
    case 'constant':
      return constantMarkdown(m.name, m.constants);
    case 'label': {
      const index = m.vm?.labels.get(m.name);
      const address = m.vm && index !== undefined ? ` at ${hex(instrAddress(m.vm, index), 8)}` : '';
      return `**label \`${m.name}\`**${m.vm ? ` · VM \`${m.vm.name}\`${address}` : ''}\n\nThe address of the statement after it: a jump target (\`set pc = ${m.name}\`) or an entry point (\`entry=${m.name}\`).`;
    }
    case 'proc': {
      const def = analysis.result.symbols.defs.find((d) => d.kind === 'proc' && d.name === m.name);
      if (!def) return `**proc \`${m.name}\`**`;
      const params = /^proc\((.*)\)$/.exec(def.detail ?? '')?.[1] ?? '';
      const library = def.file !== analysis.file || analysis.library;
      const doc = leadingComment(def.file, def.fullSpan.start);
      return `**proc \`${m.name}(${params})\`**${library ? ' · Linux prelude' : ''}${doc ? `\n\n${doc}` : ''}`;
    }
    case 'param':
      return `**parameter \`${m.name}\`** of proc \`${m.proc}\``;
    case 'signal':
      return `**signal \`${m.name}\`**${m.vm ? ` · VM \`${m.vm.name}\`` : ''}\n\nRaised by \`signal ${m.name}\` until \`clear signal ${m.name}\`; \`wait signal ${m.name}\` blocks until it is raised.`;
    case 'invariant':
      return invariantMarkdown(m.info);
    case 'model':
      return modelMarkdown(m.model);
    case 'option':
      return optionMarkdown(m.option);
    case 'flavour': {
      const flavour = lookupFlavour(m.name);
      return flavour ? `**\`${flavour.name}\`** · ${flavour.summary}` : undefined;
    }
    case 'explore':
      return exploreMarkdown();
    case 'explore-bound':
      return exploreBoundMarkdown(m.bound);
    case 'host-setting':
      return hostSettingMarkdown(m.setting);
    case 'host-policy':
      return hostPolicyMarkdown(m.rule);
    case 'word':
      return m.doc ? `**\`${m.text}\`**\n\n${m.doc}` : undefined;
    case 'keyword':
      return m.doc ? `**\`${m.text}\`**\n\n${m.doc}` : undefined;
    case 'now':
      return undefined;
  }
}
