// Go to definition, references, highlights, rename and the outline, through the protocol.

import * as assert from 'assert';
import {
  DocumentHighlight,
  DocumentSymbol,
  Location,
  Range,
  SymbolKind,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { preludeFiles } from '../../src/lang/prelude';
import { LspClient, positionOf } from './client';
import { KVM } from './scenarios';

const URI = 'file:///work/navigation.sflow';
const PRELUDE = 'sflow-prelude:/linux.sflow';

const range = (line: number, start: number, end: number, endLine = line): Range => ({
  start: { line, character: start },
  end: { line: endLine, character: end },
});
const at = (uri: string, r: Range): Location => ({ uri, range: r });

describe('language server: navigation, rename and outline', function () {
  let client: LspClient;
  const text = KVM.replace('  call settle(2)', '  call settle(2)\n  call linux.secondary');

  before(async function () {
    this.timeout(60_000);
    client = await LspClient.start();
  });
  beforeEach(async () => {
    await client.open(URI, text);
  });
  after(async () => {
    await client?.stop();
  });

  const position = (needle: string, nth = 0, delta = 1) => positionOf(text, needle, nth, delta);
  const definition = (needle: string, nth = 0, delta = 1) =>
    client.request<Location[]>('textDocument/definition', {
      textDocument: { uri: URI },
      position: position(needle, nth, delta),
    });
  const references = (needle: string, nth = 0, delta = 1, includeDeclaration = true) =>
    client.request<Location[]>('textDocument/references', {
      textDocument: { uri: URI },
      position: position(needle, nth, delta),
      context: { includeDeclaration },
    });
  const rename = (needle: string, newName: string, nth = 0, delta = 1) =>
    client.request<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri: URI },
      position: position(needle, nth, delta),
      newName,
    });

  it('goes to labels, procs, devices, VMs, signals and parameters', async () => {
    assert.deepStrictEqual(await definition('entry=resume', 0, 8), [at(URI, range(30, 0, 6))]);
    assert.deepStrictEqual(await definition('pc = again', 0, 6), [at(URI, range(39, 0, 5))]);
    assert.deepStrictEqual(await definition('settle(2)'), [at(URI, range(38, 5, 11))]);
    assert.deepStrictEqual(await definition('net0 pmcsr.state = D0'), [at(URI, range(4, 9, 13))]);
    assert.deepStrictEqual(await definition('net0.status}'), [at(URI, range(4, 9, 13))]);
    assert.deepStrictEqual(await definition('-> guest', 0, 4), [at(URI, range(1, 3, 8))]);
    assert.deepStrictEqual(await definition('guest.vcpu0'), [at(URI, range(1, 3, 8))]);
    // A signal is "declared" where it is raised.
    assert.deepStrictEqual(await definition('wait signal cpu_down', 0, 13), [at(URI, range(21, 9, 17))]);
    assert.deepStrictEqual(await definition('x1 < n', 0, 5), [at(URI, range(38, 12, 13))]);
  });

  it('goes into the prelude through its sflow-prelude: URI', async () => {
    const prelude = preludeFiles()[0].text;
    const [loc] = await definition('linux.secondary', 0, 8);
    const start = positionOf(prelude, 'proc linux.secondary {', 0, 5);
    assert.deepStrictEqual(
      loc,
      at(PRELUDE, { start, end: { line: start.line, character: start.character + 'linux.secondary'.length } }),
    );
    // References: the scenario's call and the prelude's own (linux.secondary_entry calls it again).
    const refs = await references('linux.secondary', 0, 8, false);
    assert.deepStrictEqual(
      refs.map((r) => r.uri),
      [URI, PRELUDE],
    );
    assert.deepStrictEqual(refs[0].range, range(35, 7, 22));
    assert.deepStrictEqual(refs[1].range.start, positionOf(prelude, 'call linux.secondary\n', 0, 5));
  });

  it('finds references with and without the declaration', async () => {
    assert.deepStrictEqual(await references('entry=resume', 0, 8), [
      at(URI, range(27, 28, 34)),
      at(URI, range(30, 0, 6)),
    ]);
    assert.deepStrictEqual(await references('entry=resume', 0, 8, false), [at(URI, range(27, 28, 34))]);
    const net0 = await references('net0 virtio-net');
    assert.deepStrictEqual(
      net0.map((l) => [l.range.start.line, l.range.start.character]),
      [
        [4, 9],
        [20, 12],
        [32, 12],
        [33, 9],
        [33, 43],
      ],
    );
    const signals = await references('signal cpu_down', 1, 8);
    assert.deepStrictEqual(
      signals.map((l) => l.range),
      [range(14, 14, 22), range(21, 9, 17)],
    );
  });

  it('highlights the occurrences of a symbol in the document', async () => {
    const highlights = await client.request<DocumentHighlight[]>('textDocument/documentHighlight', {
      textDocument: { uri: URI },
      position: position('again', 0, 2),
    });
    assert.deepStrictEqual(highlights, [
      { range: range(39, 0, 5), kind: 3 },
      { range: range(42, 23, 28), kind: 2 },
    ]);
  });

  it('renames a label, a device (inside strings too), a signal and a proc', async () => {
    assert.deepStrictEqual(await rename('resume:', 'wake_up'), {
      changes: {
        [URI]: [
          { range: range(27, 28, 34), newText: 'wake_up' },
          { range: range(30, 0, 6), newText: 'wake_up' },
        ],
      },
    });
    const device = await rename('net0 virtio-net', 'nic');
    assert.deepStrictEqual(
      device.changes![URI].map((e) => [e.range.start.line, e.range.start.character, e.newText]),
      [
        [4, 9, 'nic'],
        [20, 12, 'nic'],
        [32, 12, 'nic'],
        [33, 9, 'nic'],
        [33, 43, 'nic'],
      ],
    );
    const signal = await rename('cpu_down', 'cpus_off');
    assert.deepStrictEqual(
      signal.changes![URI].map((e) => e.range),
      [range(14, 14, 22), range(21, 9, 17)],
    );
    const proc = await rename('settle(n)', 'settle_down');
    assert.deepStrictEqual(
      proc.changes![URI].map((e) => e.range),
      [range(34, 7, 13), range(38, 5, 11)],
    );
    // Applying the edits leaves a scenario with the same diagnostics (one warning from the prelude).
    const before = await client.open(URI, text);
    const edits = device.changes![URI].slice().reverse();
    const lines = text.split('\n');
    for (const e of edits)
      lines[e.range.start.line] =
        lines[e.range.start.line].slice(0, e.range.start.character) +
        e.newText +
        lines[e.range.start.line].slice(e.range.end.character);
    assert.deepStrictEqual(await client.open(URI, lines.join('\n')), before);
    assert.deepStrictEqual(
      before.map((d) => d.code),
      ['signal-never-raised'],
    );
  });

  it('prepares a rename, and refuses prelude symbols, bad names and clashes', async () => {
    assert.deepStrictEqual(
      await client.request('textDocument/prepareRename', {
        textDocument: { uri: URI },
        position: position('entry=resume', 0, 8),
      }),
      {
        range: range(27, 28, 34),
        placeholder: 'resume',
      },
    );
    await assert.rejects(
      client.request('textDocument/prepareRename', {
        textDocument: { uri: URI },
        position: position('linux.secondary', 0, 3),
      }),
      /belongs to the Linux prelude/,
    );
    await assert.rejects(rename('linux.secondary', 'linux.other', 0, 3), /belongs to the Linux prelude/);
    await assert.rejects(
      client.request('textDocument/prepareRename', { textDocument: { uri: URI }, position: position('D3hot', 0, 2) }),
      /Only labels, procs, devices, signals and VMs/,
    );
    await assert.rejects(rename('resume:', '1st'), /'1st' is not a valid label name/);
    await assert.rejects(rename('resume:', 'again'), /already a label named 'again'/);
    await assert.rejects(rename('resume:', 'x0'), /register or constant name/);
  });

  it('outlines VMs with devices, the host, programs and procs with labels', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', {
      textDocument: { uri: URI },
    });
    const tree = (s: DocumentSymbol[]): unknown[] =>
      s.map((x) => [x.name, x.kind, x.detail, ...(x.children?.length ? [tree(x.children)] : [])]);
    assert.deepStrictEqual(tree(symbols), [
      [
        'guest',
        SymbolKind.Namespace,
        'kvm, 2 vCPUs',
        [
          ['net0', SymbolKind.Object, 'virtio-net at 00:01.0'],
          ['gpu', SymbolKind.Object, 'passthrough at 00:05.0'],
        ],
      ],
      ['host', SymbolKind.Object, 'host', [['at 30ms: irq 33 -> guest', SymbolKind.Event, undefined]]],
      ['guest.vcpu1', SymbolKind.Function, 'program'],
      ['guest.vcpu0', SymbolKind.Function, 'program', [['resume', SymbolKind.Key, 'label']]],
      ['settle', SymbolKind.Function, 'proc(n)', [['again', SymbolKind.Key, 'label']]],
    ]);
    assert.deepStrictEqual(symbols[0].range, range(1, 0, 1, 7));
    assert.deepStrictEqual(symbols[0].selectionRange, range(1, 3, 8));
    assert.deepStrictEqual(symbols[3].range, range(18, 0, 1, 36));
  });

  it('outlines explore with its bounds, and a bare explore with the default bounds', async () => {
    const explore = `${text}explore {\n  max_states 1000; depth 8\n  until 1ms\n}\n`;
    const uri = 'file:///work/navigation-explore.sflow';
    await client.open(uri, explore);
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const last = symbols[symbols.length - 1];
    const line = explore.split('\n').indexOf('explore {');
    assert.deepStrictEqual([last.name, last.kind, last.detail], ['explore', SymbolKind.Object, 'explore']);
    assert.deepStrictEqual([last.range, last.selectionRange], [range(line, 0, 1, line + 3), range(line, 0, 7)]);
    assert.deepStrictEqual(
      last.children?.map((c) => [c.name, c.kind, c.selectionRange]),
      [
        ['max_states 1000', SymbolKind.Property, range(line + 1, 2, 12)],
        ['depth 8', SymbolKind.Property, range(line + 1, 19, 24)],
        ['until 1ms', SymbolKind.Property, range(line + 2, 2, 7)],
      ],
    );
    await client.open(uri, `${text}explore\n`);
    const bare = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const b = bare[bare.length - 1];
    assert.deepStrictEqual([b.name, b.detail, b.children ?? []], ['explore', 'default bounds', []]);
    await client.closeDocument(uri);
  });

  it('navigates inside the prelude document itself', async () => {
    const prelude = preludeFiles()[0].text;
    await client.open(PRELUDE, prelude);
    const [loc] = await client.request<Location[]>('textDocument/definition', {
      textDocument: { uri: PRELUDE },
      position: positionOf(prelude, 'call linux.enter_state', 0, 8),
    });
    assert.strictEqual(loc.uri, PRELUDE);
    assert.deepStrictEqual(loc.range.start, positionOf(prelude, 'proc linux.enter_state', 0, 5));
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', {
      textDocument: { uri: PRELUDE },
    });
    assert.ok(symbols.some((s) => s.name === 'linux.pm_suspend' && s.detail === 'proc(state)'));
    await client.closeDocument(PRELUDE);
  });
});
