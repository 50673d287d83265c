// The state namespace and completion: every path the checker accepts over a VM with vCPUs and a device of each model
// is what src/lang/state-paths enumerates, and the language server offers each of its names after the names before
// it.

import * as assert from 'assert';
import { CompletionItem, CompletionList } from 'vscode-languageserver/node';
import { compileExpression } from '../../src/lang/checker';
import { hasErrors } from '../../src/lang/diagnostics';
import { DEVICE_FIELDS, DEVICE_MODELS } from '../../src/lang/domain/devices';
import { configRegisters } from '../../src/lang/domain/pci';
import { VCPU_FIELDS, VM_FIELDS } from '../../src/lang/domain/vcpu';
import { allStatePaths } from '../../src/lang/state-paths';
import { checkSource } from '../helpers';
import { cursor, LspClient } from './client';

const DEVICES = DEVICE_MODELS.map((m, i) => ({ name: `dev${i}`, model: m.name }));

const SCENARIO = `vm guest {
  hypervisor kvm psci 1.1
  vcpus 2
${DEVICES.map((d, i) => `  device ${d.name} ${d.model} at 00:0${i + 1}.0 irq ${40 + i}`).join('\n')}
}

guest.vcpu1 {
  halt
}

guest.vcpu0 {
  HOLE
  halt
}
`;

describe('state paths: what the checker accepts is what completion offers', function () {
  this.timeout(120_000);
  const program = checkSource(SCENARIO.replace('HOLE', '')).program;
  const qualified = allStatePaths(program);
  // In the VM's own code a device and a vCPU need no VM, and a register names the running vCPU's.
  const local = [
    ...qualified.filter((p) => p.startsWith('guest.') && p.split('.').length > 2).map((p) => p.slice('guest.'.length)),
    ...VCPU_FIELDS.map((f) => f.name),
  ];

  it('the checker accepts exactly the enumerated paths (in the debugger and in code)', () => {
    // Every name of the catalogue after every head, and every field name after every register-like name.
    const registers = configRegisters().map((r) => r.def.name);
    const fieldNames = [...new Set(configRegisters().flatMap((r) => r.def.fields.map((f) => f.name)))];
    const members = [...DEVICE_FIELDS.map((f) => f.name), ...registers];
    const candidates = new Set<string>(['host.state', 'host.nosuch']);
    for (const f of [...VM_FIELDS.map((x) => x.name), 'nosuch']) candidates.add(`guest.${f}`);
    for (const vcpu of ['vcpu0', 'vcpu1', 'vcpu2'])
      for (const f of [...VCPU_FIELDS.map((x) => x.name), 'nosuch']) candidates.add(`guest.${vcpu}.${f}`);
    for (const d of DEVICES)
      for (const head of [`guest.${d.name}`, `guest.${d.name}.config`])
        for (const m of members) {
          candidates.add(`${head}.${m}`);
          for (const f of fieldNames) candidates.add(`${head}.${m}.${f}`);
        }
    const accepted = [...candidates].filter((c) => {
      const compiled = compileExpression(program, c, 0);
      return compiled.expr !== undefined && !hasErrors(compiled.diagnostics);
    });
    assert.deepStrictEqual(accepted.sort(), [...qualified].sort());
    // The same paths written in the VM's code, qualified or not, compile without a diagnostic.
    const lines = [...qualified, ...local].map((p) => `expect ${p} == ${p}`).join('\n  ');
    const result = checkSource(SCENARIO.replace('HOLE', lines));
    assert.deepStrictEqual(
      result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
    );
  });

  describe('through the protocol', () => {
    let client: LspClient;
    before(async function () {
      this.timeout(60_000);
      client = await LspClient.start();
    });
    after(async () => {
      await client?.stop();
    });

    async function complete(marked: string, trigger?: string): Promise<CompletionItem[]> {
      const { text, position } = cursor(marked);
      const uri = 'file:///work/state-paths-completion.sflow';
      await client.open(uri, text);
      const context = trigger ? { triggerKind: 2, triggerCharacter: trigger } : { triggerKind: 1 };
      const list = await client.request<CompletionList>('textDocument/completion', {
        textDocument: { uri },
        position,
        context,
      });
      return list.items;
    }

    it('offers every name of every enumerated path after the names before it', async () => {
      // What follows each prefix, from the enumeration.
      const next = new Map<string, Set<string>>();
      for (const path of [...qualified, ...local]) {
        const parts = path.split('.');
        for (let i = 0; i < parts.length; i++) {
          const prefix = parts.slice(0, i).join('.');
          if (!next.has(prefix)) next.set(prefix, new Set());
          next.get(prefix)!.add(parts[i]);
        }
      }
      assert.ok(next.size > 50, `only ${next.size} prefixes`);
      for (const [prefix, names] of next) {
        const items = await complete(
          SCENARIO.replace('HOLE', prefix ? `expect ${prefix}.¦` : 'expect ¦'),
          prefix ? '.' : undefined,
        );
        const offered = new Set(items.map((i) => i.label));
        const missing = [...names].filter((n) => !offered.has(n));
        assert.deepStrictEqual(missing, [], `after '${prefix}.'`);
      }
    });
  });
});
