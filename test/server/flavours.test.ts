// Completion and hover read the domain's flavour and device model tables: every row is offered through the protocol.

import * as assert from 'assert';
import { CompletionItem, CompletionList, Hover, MarkupContent } from 'vscode-languageserver/node';
import { DEVICE_MODELS } from '../../src/lang/domain/devices';
import { FLAVOUR_NAMES, FLAVOURS, VMM_EVENT_NAMES } from '../../src/lang/domain/flavours';
import { cursor, LspClient } from './client';

const URI = 'file:///work/flavours.sflow';

describe('language server: hypervisor flavours and device models from the domain tables', function () {
  let client: LspClient;

  before(async function () {
    this.timeout(60_000);
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  async function complete(marked: string, trigger?: string): Promise<string[]> {
    const { text, position } = cursor(marked);
    await client.open(URI, text);
    const context = trigger ? { triggerKind: 2, triggerCharacter: trigger } : { triggerKind: 1 };
    const list = await client.request<CompletionList>('textDocument/completion', {
      textDocument: { uri: URI },
      position,
      context,
    });
    return list.items.map((i: CompletionItem) => i.label);
  }

  const vm = (flavour: string, member: string) => `vm guest {\n  hypervisor ${flavour}\n  ${member}\n}\n`;

  it('offers every flavour, and every PSCI version of each', async () => {
    assert.deepStrictEqual(await complete('vm guest {\n  hypervisor ¦\n}\n', ' '), FLAVOUR_NAMES);
    for (const f of Object.values(FLAVOURS))
      assert.deepStrictEqual(await complete(`vm guest {\n  hypervisor ${f.name} psci ¦\n}\n`, ' '), f.psciVersions);
  });

  it('offers every option of each flavour and every value of each option', async () => {
    for (const f of Object.values(FLAVOURS)) {
      assert.deepStrictEqual(
        await complete(`vm guest {\n  hypervisor ${f.name} { ¦ }\n}\n`),
        f.options.map((o) => o.name),
      );
      for (const o of f.options)
        assert.deepStrictEqual(
          await complete(`vm guest {\n  hypervisor ${f.name} { ${o.name} ¦ }\n}\n`, ' '),
          o.values,
        );
    }
  });

  it('offers the VMM events of each flavour and every answer each allows', async () => {
    for (const f of Object.values(FLAVOURS)) {
      assert.deepStrictEqual(
        await complete(vm(f.name, 'on ¦'), ' '),
        VMM_EVENT_NAMES.filter((e) => f.vmm[e]),
      );
      for (const e of VMM_EVENT_NAMES) {
        const answers = f.vmm[e];
        if (answers) assert.deepStrictEqual(await complete(vm(f.name, `on ${e}: ¦`), ' '), answers, `${f.name} ${e}`);
      }
    }
  });

  it('offers every device model', async () => {
    assert.deepStrictEqual(
      await complete(vm('kvm', 'device d0 ¦'), ' '),
      DEVICE_MODELS.map((m) => m.name),
    );
  });

  it("hovers a flavour with its row's summary", async () => {
    for (const f of Object.values(FLAVOURS)) {
      const { text, position } = cursor(`vm guest {\n  hypervisor ${f.name.slice(0, 1)}¦${f.name.slice(1)}\n}\n`);
      await client.open(URI, text);
      const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position });
      assert.strictEqual((h?.contents as MarkupContent).value, `**\`${f.name}\`** · ${f.summary}`);
    }
  });
});
