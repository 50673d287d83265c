// The state namespace end to end: every value the Variables view names (its evaluateName) evaluates in the same
// frame through the debug adapter, and the same path written in a scenario gets a hover from the language server that
// says what it reads (the description of its catalogue row, src/lang/state-paths).

import * as assert from 'assert';
import * as fs from 'fs';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Hover, MarkupContent } from 'vscode-languageserver/node';
import { VCPU_FIELDS } from '../../src/lang/domain/vcpu';
import { resolveStatePath, targetRow } from '../../src/lang/state-paths';
import { checkSource } from '../helpers';
import { LspClient } from '../server/client';
import { Client, example, useAdapter } from './helpers';

type VariableNode = Awaited<ReturnType<Client['tree']>>[number];

const EXAMPLES = [
  'kvm-system-suspend.sflow',
  'vfio-d3hot.sflow',
  'virtio-gpio-pins.sflow',
  'xen-dom0-domu-suspend.sflow',
];

/** The evaluateNames of a tree, each once, in order. */
function evaluateNames(tree: VariableNode[], out = new Set<string>()): Set<string> {
  for (const node of tree) {
    if (node.evaluateName) out.add(node.evaluateName);
    if (node.children) evaluateNames(node.children, out);
  }
  return out;
}

describe('state paths: the Variables view, evaluation and hover agree', function () {
  this.timeout(120_000);
  const adapter = useAdapter('tcp');

  it('debug-console completion offers every vCPU field, device value, config register and field', async () => {
    const c = await adapter.open();
    await c.launch({ program: example('kvm-system-suspend.sflow'), stopOnEntry: true });
    const complete = async (text: string) =>
      (
        await c.ok<DebugProtocol.CompletionsResponse>('completions', { text, column: text.length + 1, frameId: 1024 })
      ).body.targets.map((t) => t.label);
    const fields = VCPU_FIELDS.map((f) => f.name);
    assert.strictEqual(fields.length, 42);
    assert.deepStrictEqual(await complete('guest.vcpu1.'), fields.map((f) => `guest.vcpu1.${f}`).sort());
    assert.deepStrictEqual(await complete('vcpu0.'), fields.map((f) => `vcpu0.${f}`).sort());
    const net0 = await complete('net0.');
    for (const f of ['dstate', 'decodes', 'status', 'features', 'config', 'pmcsr', 'bar0', 'pin_levels'])
      assert.strictEqual(net0.includes(`net0.${f}`), f !== 'pin_levels', f);
    assert.ok((await complete('guest.net0.config.')).includes('guest.net0.config.status'));
    assert.deepStrictEqual(
      await complete('guest.net0.config.pmcsr.'),
      ['data_scale', 'data_select', 'no_soft_reset', 'pme_en', 'pme_status', 'state'].map(
        (f) => `guest.net0.config.pmcsr.${f}`,
      ),
    );
  });

  for (const name of EXAMPLES) {
    it(`${name}: every evaluateName evaluates in its frame and hovers with its meaning`, async () => {
      const file = example(name);
      const c = await adapter.open();
      const stop = await c.launch({ program: file, stopOnEntry: true });
      // Every vCPU thread's top frame: its registers and power, its VM's devices, the host.
      const threads = (await c.threads()).filter((t) => t.name.includes('vcpu'));
      assert.ok(threads.length > 0, 'no vCPU thread');
      assert.ok(stop.body.reason);
      const paths = new Set<string>();
      for (const thread of threads) {
        const frame = await c.top(thread.id);
        const names = evaluateNames((await c.state(frame.id)).flatMap((s) => s.tree));
        for (const path of names) {
          const r = await c.raw('evaluate', { expression: path, context: 'watch', frameId: frame.id });
          assert.ok(r.success, `${path} in frame ${frame.name}: ${r.message}`);
          paths.add(path);
        }
      }
      // The view names vCPU fields, device values, config registers and fields, VM and host state.
      assert.ok([...paths].some((p) => /\.config\.pmcsr\.state$/.test(p)) || !name.includes('vfio'));
      assert.ok([...paths].some((p) => /\.vcpu0\.x0$/.test(p)));

      await hoversDescribe(
        file,
        [...paths].filter((p) => p !== 'now'),
      );
    });
  }
});

/** The paths written in the scenario (a proc of expects): a hover on each last name describes what the path reads. */
async function hoversDescribe(file: string, paths: string[]): Promise<void> {
  const text = `${fs.readFileSync(file, 'utf8')}\nproc zz_state_paths {\n${paths.map((p) => `  expect ${p} == ${p}\n`).join('')}}\n`;
  const program = checkSource(text, file).program;
  const uri = `file:///work/state-paths-${paths.length}.sflow`;
  const lines = text.split('\n');
  const lsp = await LspClient.start();
  try {
    await lsp.open(uri, text);
    for (const path of paths) {
      const line = lines.indexOf(`  expect ${path} == ${path}`);
      const h = await lsp.request<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: { line, character: '  expect '.length + path.length - 1 },
      });
      assert.ok(h, `no hover on ${path}`);
      const span = { start: 0, end: 0 };
      const target = resolveStatePath(
        program,
        path.split('.').map((t) => ({ text: t, span })),
      ).target;
      assert.ok(target, `${path} does not resolve`);
      const md = (h.contents as MarkupContent).value;
      assert.ok(md.includes(targetRow(target).doc), `the hover on ${path} does not describe it:\n${md}`);
    }
  } finally {
    await lsp.stop();
  }
}
