// The language server as its own process, driven through the protocol: initialize, didOpen/didChange/didClose,
// published diagnostics (ranges, codes, related information, quick-fix data), code actions, the prelude's
// virtual document, and a 10,000-line scenario.

import * as assert from 'assert';
import { CodeAction, DiagnosticSeverity, DiagnosticTag, InitializeResult } from 'vscode-languageserver/node';
import { preludeFiles } from '../../src/lang/prelude';
import { seededRandom } from '../helpers';
import { LspClient, positionOf } from './client';
import { KVM, largeScenario } from './scenarios';

const URI = 'file:///work/scenario.sflow';

describe('language server: diagnostics', function () {
  let client: LspClient;

  before(async function () {
    this.timeout(60_000);
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  it('announces its features on initialize', () => {
    const init = client.initializeResult as InitializeResult;
    const caps = init.capabilities;
    assert.strictEqual(init.serverInfo?.name, 'suspend-flow-language-server');
    assert.deepStrictEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.ok(caps.completionProvider?.triggerCharacters?.includes('.'));
    assert.deepStrictEqual(caps.signatureHelpProvider?.triggerCharacters, [' ', '=']);
    for (const k of [
      'hoverProvider',
      'definitionProvider',
      'referencesProvider',
      'documentSymbolProvider',
      'documentFormattingProvider',
      'foldingRangeProvider',
    ] as const) {
      assert.ok(caps[k], k);
    }
    assert.deepStrictEqual(caps.renameProvider, { prepareProvider: true });
    assert.deepStrictEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix'] });
    const legend = (caps.semanticTokensProvider as { legend: { tokenTypes: string[] } }).legend;
    for (const t of [
      'keyword',
      'function',
      'label',
      'variable',
      'namespace',
      'property',
      'enumMember',
      'number',
      'string',
    ])
      assert.ok(legend.tokenTypes.includes(t), t);
    assert.deepStrictEqual(caps.workspace?.textDocumentContent, { schemes: ['sflow-prelude'] });
  });

  it('publishes nothing for a correct scenario', async () => {
    assert.deepStrictEqual(await client.open(URI, KVM), []);
  });

  it('reports a misspelt PSCI function with its range, code, severity and fix', async () => {
    const text = KVM.replace('psci SYSTEM_SUSPEND entry', 'psci SYSTEM_SUSPNED entry');
    const [d, ...rest] = await client.open(URI, text);
    assert.deepStrictEqual(rest, []);
    assert.deepStrictEqual(d.range, { start: { line: 27, character: 7 }, end: { line: 27, character: 21 } });
    assert.strictEqual(d.message, "unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?");
    assert.strictEqual(d.severity, DiagnosticSeverity.Error);
    assert.strictEqual(d.code, 'unknown-psci-function');
    assert.strictEqual(d.source, 'suspend-flow');
    assert.deepStrictEqual(d.data, {
      fixes: [{ title: "Change to 'SYSTEM_SUSPEND'", range: d.range, newText: 'SYSTEM_SUSPEND' }],
    });
  });

  it('offers the did-you-mean as a quick fix, and the fix clears the error', async () => {
    const text = KVM.replace('psci SYSTEM_SUSPEND entry', 'psci SYSTEM_SUSPNED entry');
    const [d] = await client.open(URI, text);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: d.range,
      context: { diagnostics: [d], only: ['quickfix'] },
    });
    assert.strictEqual(actions.length, 1);
    const [action] = actions;
    assert.strictEqual(action.title, "Change to 'SYSTEM_SUSPEND'");
    assert.strictEqual(action.kind, 'quickfix');
    assert.strictEqual(action.isPreferred, true);
    assert.deepStrictEqual(action.diagnostics, [d]);
    assert.deepStrictEqual(action.edit, {
      changes: {
        [URI]: [
          { range: { start: { line: 27, character: 7 }, end: { line: 27, character: 21 } }, newText: 'SYSTEM_SUSPEND' },
        ],
      },
    });
    const edit = action.edit!.changes![URI][0];
    assert.deepStrictEqual(await client.change(URI, [{ range: edit.range, text: edit.newText }]), []);
  });

  it('offers a fix from the data a client sends back only when it is an edit inside the document', async () => {
    const text = KVM.replace('psci SYSTEM_SUSPEND entry', 'psci SYSTEM_SUSPNED entry');
    const [d] = await client.open(URI, text);
    const lines = text.split('\n').length;
    const forged = (fix: unknown) => ({ ...d, message: 'changed since', data: { fixes: [fix] } });
    const bad = [
      {
        title: 'past the end',
        range: { start: { line: lines - 2, character: 8 }, end: { line: lines + 30, character: 130 } },
        newText: 'x',
      },
      {
        title: 'past a line',
        range: { start: { line: 27, character: 7 }, end: { line: 27, character: 900 } },
        newText: 'x',
      },
      {
        title: 'backwards',
        range: { start: { line: 27, character: 21 }, end: { line: 27, character: 7 } },
        newText: 'x',
      },
      { title: 'negative', range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } }, newText: 'x' },
      { title: 7, range: d.range, newText: 'x' },
      { title: 'no text', range: d.range },
      null,
    ];
    for (const fix of bad) {
      // Refused as invalid params (the shapes the protocol layer checks), or answered with no action.
      const actions = await client
        .request<CodeAction[]>('textDocument/codeAction', {
          textDocument: { uri: URI },
          range: d.range,
          context: { diagnostics: [forged(fix)] },
        })
        .catch((e: Error) => e);
      if (actions instanceof Error)
        assert.match(actions.message, /^'context\.diagnostics\[0\]\.data/, JSON.stringify(fix));
      else assert.deepStrictEqual(actions, [], JSON.stringify(fix));
    }
    const good = { title: 'fine', range: d.range, newText: 'SYSTEM_SUSPEND' };
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: d.range,
      context: { diagnostics: [forged(good)] },
    });
    assert.deepStrictEqual(
      actions.map((a) => a.title),
      ['fine'],
    );
  });

  it('has quick fixes for other misspellings: device, field, VMM answer', async () => {
    const text = KVM.replace('pci write net0 pmcsr.state = D0', 'pci write nte0 pmcsr.stat = D0').replace(
      'on system_suspend: confirm',
      'on system_suspend: confrim',
    );
    const diags = await client.open(URI, text);
    const byCode = (code: string) => diags.find((x) => x.code === code)!;
    assert.strictEqual(
      byCode('bad-vmm-answer').message,
      "the VMM answers 'system_suspend' with confirm, deny, defer, confirm-unchecked, resume, not 'confrim'; did you mean 'confirm'?",
    );
    assert.strictEqual(byCode('unknown-device').message, "VM 'guest' has no device 'nte0'; did you mean 'net0'?");
    assert.deepStrictEqual(byCode('unknown-device').range, {
      start: { line: 32, character: 12 },
      end: { line: 32, character: 16 },
    });
    assert.strictEqual(
      byCode('unknown-field').message,
      "pmcsr has no field 'stat'; its fields are state, no_soft_reset, pme_en, data_select, data_scale, pme_status; did you mean 'state'?",
    );
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: { start: { line: 0, character: 0 }, end: { line: 43, character: 0 } },
      context: { diagnostics: diags },
    });
    assert.deepStrictEqual(actions.map((a) => a.title).sort(), [
      "Change to 'confirm'",
      "Change to 'net0'",
      "Change to 'state'",
    ]);
  });

  it('gives related information: where the first declaration is', async () => {
    const text = KVM.replace(
      '  on system_suspend: confirm',
      '  device net0 virtio-blk at 00:02.0\n  on system_suspend: confirm',
    );
    const [d] = await client.open(URI, text);
    assert.strictEqual(d.code, 'duplicate-device');
    assert.strictEqual(d.message, "device 'net0' is already declared in VM 'guest'");
    assert.deepStrictEqual(d.range.start, { line: 6, character: 9 });
    assert.deepStrictEqual(d.relatedInformation, [
      {
        location: { uri: URI, range: { start: { line: 4, character: 9 }, end: { line: 4, character: 13 } } },
        message: 'first declared here',
      },
    ]);
  });

  it('reports warnings with their own severity, an unused proc greyed out', async () => {
    const text = KVM.replace('  call settle(2)\n', '');
    const [d] = await client.open(URI, text);
    assert.strictEqual(d.message, "proc 'settle' is never called");
    assert.strictEqual(d.severity, DiagnosticSeverity.Warning);
    assert.deepStrictEqual(d.tags, [DiagnosticTag.Unnecessary]);
    assert.deepStrictEqual(d.range, { start: { line: 36, character: 5 }, end: { line: 36, character: 11 } });
  });

  it("shows what goes wrong inside the prelude at the scenario's call, pointing into the prelude", async () => {
    const text =
      'vm guest {\n  hypervisor kvm\n  vcpus 2\n}\nguest.vcpu1 { call linux.secondary }\nguest.vcpu0 { halt }\n';
    const [d] = await client.open(URI, text);
    assert.strictEqual(
      d.message,
      "linux.sflow: no statement in VM 'guest' raises signal 'linux_cpu_down'; this wait never ends",
    );
    assert.strictEqual(d.severity, DiagnosticSeverity.Warning);
    assert.deepStrictEqual(d.range, { start: { line: 4, character: 19 }, end: { line: 4, character: 34 } });
    const related = d.relatedInformation![0];
    assert.strictEqual(related.location.uri, 'sflow-prelude:/linux.sflow');
    const prelude = preludeFiles()[0].text;
    assert.deepStrictEqual(
      related.location.range.start,
      positionOf(prelude, 'wait signal linux_cpu_down', 0, 'wait signal '.length),
    );
  });

  it('follows incremental edits: an error appears where the text changed, and goes away', async () => {
    assert.deepStrictEqual(await client.open(URI, KVM), []);
    // `delay 10us` -> `delay 10` (line 25): a delay needs a time.
    const start = positionOf(KVM, 'delay 10us', 0, 'delay 10'.length);
    const [d] = await client.change(URI, [
      { range: { start, end: { line: start.line, character: start.character + 2 } }, text: '' },
    ]);
    assert.strictEqual(d.message, 'a delay must be a time such as 10us, not an integer');
    assert.deepStrictEqual(d.range, { start: { line: 25, character: 10 }, end: { line: 25, character: 12 } });
    // Two changes in one notification: the unit back, and a new line that breaks the syntax.
    const diags = await client.change(URI, [
      { range: { start, end: start }, text: 'us' },
      { range: { start: { line: 28, character: 6 }, end: { line: 28, character: 6 } }, text: '\n  pci write net0 = 1' },
    ]);
    assert.deepStrictEqual(
      diags.map((x) => [x.range.start.line, x.message]),
      [[29, "expected a config register ('command', 'bar0', 'pmcsr', ...) or an offset, found '='"]],
    );
  });

  it('while typing (edits re-parse only around them), publishes what a fresh open of the same text publishes', async () => {
    // Type a new proc into the middle of the scenario a character at a time, with a typo, a correction and a block
    // comment on the way; after each keystroke the diagnostics equal those of the whole text opened afresh.
    const insertAt = positionOf(KVM, 'vm guest {', 0, 0);
    const typed = '/** a helper */\nproc helper {\n  psci CPU_OF\b\bOFF\n  delay 5s\bus\n}\n\n';
    let text = KVM;
    let offset = KVM.indexOf('vm guest {');
    let line = insertAt.line;
    let character = 0;
    await client.open(URI, text);
    let n = 0;
    for (const ch of typed) {
      let change;
      if (ch === '\b') {
        character--;
        offset--;
        change = { range: { start: { line, character }, end: { line, character: character + 1 } }, text: '' };
        text = text.slice(0, offset) + text.slice(offset + 1);
      } else {
        change = { range: { start: { line, character }, end: { line, character } }, text: ch };
        text = text.slice(0, offset) + ch + text.slice(offset);
        offset++;
        if (ch === '\n') {
          line++;
          character = 0;
        } else character++;
      }
      const typing = await client.change(URI, [change]);
      const freshUri = `file:///work/fresh-${n++}.sflow`;
      const fresh = await client.open(freshUri, text);
      await client.closeDocument(freshUri);
      assert.deepStrictEqual(typing, fresh, `after typing ${JSON.stringify(typed.slice(0, n))}`);
    }
    assert.strictEqual(
      text,
      KVM.replace('vm guest {', '/** a helper */\nproc helper {\n  psci CPU_OFF\n  delay 5us\n}\n\nvm guest {'),
    );
    await client.closeDocument(URI);
  });

  it('after random edits anywhere (several changes per notification), publishes what a fresh open publishes', async () => {
    const next = seededRandom(77);
    const snippets = [
      'x',
      '\n',
      '}',
      '{\n',
      '"',
      'psci CPU_OFF\n',
      'proc q {\n',
      '/*',
      '*/',
      '  ',
      'vm z {\n',
      'SYSTEM_SUSPNED',
      '// c\n',
    ];
    const positionAt = (text: string, offset: number) => {
      const before = text.slice(0, offset).split('\n');
      return { line: before.length - 1, character: before[before.length - 1].length };
    };
    let text = KVM;
    await client.open(URI, text);
    for (let n = 0; n < 60; n++) {
      // Changes in one notification apply in order, each to the text the one before left.
      const changes = [];
      for (let k = 1 + next(2); k > 0; k--) {
        const start = next(text.length + 1);
        const end = Math.min(text.length, start + (next(3) === 0 ? next(30) : 0));
        const insert = next(4) === 0 ? '' : snippets[next(snippets.length)];
        changes.push({ range: { start: positionAt(text, start), end: positionAt(text, end) }, text: insert });
        text = text.slice(0, start) + insert + text.slice(end);
      }
      const edited = await client.change(URI, changes);
      const freshUri = `file:///work/random-${n}.sflow`;
      const fresh = await client.open(freshUri, text);
      await client.closeDocument(freshUri);
      // Related information points into the document by its URI: the fresh copy has its own.
      const sameUri = JSON.parse(JSON.stringify(fresh).split(freshUri).join(URI));
      assert.deepStrictEqual(edited, sameUri, `edit ${n + 1}: ${JSON.stringify(changes)}`);
    }
    await client.closeDocument(URI);
  });

  it('clears the diagnostics of a closed document', async () => {
    const diags = await client.open(URI, KVM.replace('OFF {', 'OF {'));
    assert.strictEqual(diags.length, 1);
    const cleared = client.nextDiagnostics(URI);
    await client.closeDocument(URI);
    assert.deepStrictEqual((await cleared).diagnostics, []);
  });

  it('serves the embedded prelude as sflow-prelude:/linux.sflow', async () => {
    const r = await client.request<{ text: string }>('workspace/textDocumentContent', {
      uri: 'sflow-prelude:/linux.sflow',
    });
    assert.strictEqual(r.text, preludeFiles()[0].text);
    assert.ok(r.text.includes('proc linux.pm_suspend(state)'));
    assert.strictEqual(
      await client.request('workspace/textDocumentContent', { uri: 'sflow-prelude:/nothing.sflow' }),
      null,
    );
    // Opened as a document, the prelude is checked as the library it is: no diagnostics.
    assert.deepStrictEqual(await client.open('sflow-prelude:/linux.sflow', r.text), []);
  });

  it('checks a 10,000-line scenario and reports its one error, before and after an edit', async function () {
    this.timeout(120_000);
    const text = largeScenario(10_000);
    const lines = text.split('\n');
    assert.strictEqual(lines.length, 10_000);
    const uri = 'file:///work/large.sflow';
    const typo = lines.findIndex((l) => l.includes('SYSTEM_SUSPNED'));
    const expected = {
      range: { start: { line: typo, character: 7 }, end: { line: typo, character: 21 } },
      message: "unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?",
    };
    const opened = await client.open(uri, text);
    assert.deepStrictEqual(
      opened.map((d) => ({ range: d.range, message: d.message })),
      [expected],
    );
    // An edit in the middle: `D3hot` -> `D3hat` in one proc.
    const middle = lines.findIndex((l, i) => i > 5000 && l.includes('pmcsr.state = D3hot'));
    const col = lines[middle].indexOf('D3hot') + 3;
    const edited = await client.change(uri, [
      { range: { start: { line: middle, character: col }, end: { line: middle, character: col + 1 } }, text: 'a' },
    ]);
    assert.deepStrictEqual(
      edited.map((d) => [d.range.start.line, d.message]),
      [
        [middle, "unknown name 'D3hat'; did you mean 'D3hot'?"],
        [typo, expected.message],
      ],
    );
    await client.closeDocument(uri);
  });
});
