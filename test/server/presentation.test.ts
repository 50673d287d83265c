// Semantic tokens (decoded back to types), formatting and folding, through the protocol.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { FoldingRange, SemanticTokens, SemanticTokensLegend, TextEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticBag } from '../../src/lang/diagnostics';
import { tokenize } from '../../src/lang/lexer';
import { preludeFiles } from '../../src/lang/prelude';
import { SourceFile } from '../../src/lang/source';
import { LspClient } from './client';
import { KVM } from './scenarios';

const URI = 'file:///work/presentation.sflow';

interface Decoded {
  line: number;
  character: number;
  text: string;
  type: string;
  modifiers: string[];
}

function decode(tokens: SemanticTokens, legend: SemanticTokensLegend, text: string): Decoded[] {
  const lines = text.split('\n');
  const out: Decoded[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    const [dl, dc, length, type, mods] = tokens.data.slice(i, i + 5);
    line += dl;
    character = dl ? dc : character + dc;
    const modifiers = legend.tokenModifiers.filter((_, bit) => mods & (1 << bit));
    out.push({
      line,
      character,
      text: lines[line].slice(character, character + length),
      type: legend.tokenTypes[type],
      modifiers,
    });
  }
  return out;
}

const tokenTexts = (text: string) =>
  tokenize(text, new DiagnosticBag(new SourceFile('x', text)))
    .filter((t) => t.kind !== 'newline')
    .map((t) => t.text);

describe('language server: semantic tokens, formatting, folding', function () {
  let client: LspClient;
  let legend: SemanticTokensLegend;

  before(async function () {
    this.timeout(60_000);
    client = await LspClient.start();
    legend = (client.initializeResult!.capabilities.semanticTokensProvider as { legend: SemanticTokensLegend }).legend;
  });
  after(async () => {
    await client?.stop();
  });

  async function tokens(text: string, uri = URI): Promise<Decoded[]> {
    await client.open(uri, text);
    return decode(
      await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } }),
      legend,
      text,
    );
  }
  const onLine = (all: Decoded[], line: number) =>
    all.filter((t) => t.line === line).map((t) => [t.text, t.type, ...t.modifiers]);

  it('classifies keywords, PSCI functions, labels, devices, VMs, registers, constants, numbers and strings', async () => {
    const text = KVM.replace('  call settle(2)', '  call settle(2)\n  call linux.pm_suspend mem');
    const all = await tokens(text);
    assert.deepStrictEqual(onLine(all, 1), [
      ['vm', 'keyword'],
      ['guest', 'namespace', 'declaration'],
    ]);
    assert.deepStrictEqual(onLine(all, 2), [
      ['hypervisor', 'keyword'],
      ['kvm', 'type'],
      ['psci', 'keyword'],
      ['1.1', 'number'],
    ]);
    assert.deepStrictEqual(onLine(all, 4), [
      ['device', 'keyword'],
      ['net0', 'variable', 'declaration'],
      ['virtio-net', 'type'],
      ['at', 'keyword'],
      ['00:01.0', 'number'],
      ['irq', 'keyword'],
      ['33', 'number'],
    ]);
    assert.deepStrictEqual(onLine(all, 5).slice(-2), [
      ['no_soft_reset', 'property'],
      ['true', 'keyword'],
    ]);
    assert.deepStrictEqual(onLine(all, 6), [
      ['on', 'keyword'],
      ['system_suspend', 'enumMember'],
      ['confirm', 'enumMember'],
    ]);
    assert.deepStrictEqual(onLine(all, 10), [
      ['at', 'keyword'],
      ['30ms', 'number'],
      ['irq', 'keyword'],
      ['33', 'number'],
      ['guest', 'namespace'],
    ]);
    assert.deepStrictEqual(onLine(all, 14), [
      ['wait', 'keyword'],
      ['signal', 'keyword'],
      ['cpu_down', 'event'],
    ]);
    assert.deepStrictEqual(onLine(all, 20), [
      ['pci', 'keyword'],
      ['write', 'keyword'],
      ['net0', 'variable'],
      ['pmcsr', 'property'],
      ['state', 'property'],
      ['D3hot', 'enumMember', 'readonly'],
    ]);
    assert.deepStrictEqual(onLine(all, 23), [
      ['psci', 'keyword'],
      ['AFFINITY_INFO', 'function', 'defaultLibrary'],
      ['target', 'parameter'],
      ['vcpu1', 'variable'],
      ['level', 'parameter'],
      ['0', 'number'],
    ]);
    assert.deepStrictEqual(onLine(all, 24), [
      ['if', 'keyword'],
      ['x0', 'property', 'defaultLibrary'],
      ['OFF', 'enumMember', 'readonly'],
      ['break', 'keyword'],
    ]);
    assert.deepStrictEqual(onLine(all, 27), [
      ['psci', 'keyword'],
      ['SYSTEM_SUSPEND', 'function', 'defaultLibrary'],
      ['entry', 'parameter'],
      ['resume', 'label'],
      ['context', 'parameter'],
      ['0xc0ffee', 'number'],
    ]);
    assert.deepStrictEqual(onLine(all, 30), [['resume', 'label', 'declaration']]);
    assert.deepStrictEqual(onLine(all, 33), [
      ['expect', 'keyword'],
      ['net0', 'variable'],
      ['status', 'property'],
      ['DRIVER_OK', 'enumMember', 'readonly'],
      ['"status ', 'string'],
      ['net0', 'variable'],
      ['status', 'property'],
      ['"', 'string'],
    ]);
    assert.deepStrictEqual(onLine(all, 34), [
      ['call', 'keyword'],
      ['settle', 'function'],
      ['2', 'number'],
    ]);
    assert.deepStrictEqual(onLine(all, 35), [
      ['call', 'keyword'],
      ['linux.pm_suspend', 'function', 'defaultLibrary'],
      ['mem', 'enumMember', 'readonly'],
    ]);
    assert.deepStrictEqual(onLine(all, 38), [
      ['proc', 'keyword'],
      ['settle', 'function', 'declaration'],
      ['n', 'parameter', 'declaration'],
    ]);
    assert.deepStrictEqual(onLine(all, 42), [
      ['if', 'keyword'],
      ['x1', 'property', 'defaultLibrary'],
      ['n', 'parameter'],
      ['set', 'keyword'],
      ['pc', 'property', 'defaultLibrary'],
      ['again', 'label'],
    ]);
    // Comments are left to the grammar.
    assert.deepStrictEqual(onLine(all, 0), []);
    // Tokens are in order and never overlap.
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1];
      const b = all[i];
      assert.ok(b.line > a.line || b.character >= a.character + a.text.length, `overlap at ${b.line}:${b.character}`);
    }
  });

  it('colours the prelude document too: foreach names, prelude procs, invariants', async () => {
    const prelude = preludeFiles()[0].text;
    const all = await tokens(prelude, 'sflow-prelude:/linux.sflow');
    const line = prelude.split('\n').findIndex((l) => l.includes('psci SYSTEM_SUSPEND entry=linux.cpu_resume'));
    assert.deepStrictEqual(onLine(all, line), [
      ['psci', 'keyword'],
      ['SYSTEM_SUSPEND', 'function', 'defaultLibrary'],
      ['entry', 'parameter'],
      ['linux.cpu_resume', 'function', 'defaultLibrary'],
      ['context', 'parameter'],
      ['0', 'number'],
    ]);
    const save = prelude.split('\n').findIndex((l) => l.includes('pci save dev'));
    assert.deepStrictEqual(onLine(all, save), [
      ['pci', 'keyword'],
      ['save', 'keyword'],
      ['dev', 'variable'],
    ]);
    const violation = await tokens('expect violation mmio-to-sleeping-bar\n');
    assert.deepStrictEqual(onLine(violation, 0), [
      ['expect', 'keyword'],
      ['violation', 'keyword'],
      ['mmio-to-sleeping-bar', 'enumMember'],
    ]);
  });

  it('colours explore and its bounds as keywords, but not a misspelt bound or a VM called depth', async () => {
    const all = await tokens(
      'vm depth { hypervisor kvm }\nexplore { max_states 64K; depht 4 }\nexplore {\n  until 1ms + 5us\n}\nexplore\n',
    );
    assert.deepStrictEqual(onLine(all, 0), [
      ['vm', 'keyword'],
      ['depth', 'namespace', 'declaration'],
      ['hypervisor', 'keyword'],
      ['kvm', 'type'],
    ]);
    assert.deepStrictEqual(onLine(all, 1), [
      ['explore', 'keyword'],
      ['max_states', 'keyword'],
      ['64K', 'number'],
      ['4', 'number'],
    ]);
    assert.deepStrictEqual(onLine(all, 3), [
      ['until', 'keyword'],
      ['1ms', 'number'],
      ['5us', 'number'],
    ]);
    assert.deepStrictEqual(onLine(all, 5), [['explore', 'keyword']]);
  });

  async function formatted(
    text: string,
    range?: { start: { line: number; character: number }; end: { line: number; character: number } },
  ): Promise<{ edits: TextEdit[]; text: string }> {
    await client.open(URI, text);
    const options = { tabSize: 4, insertSpaces: true };
    const edits = range
      ? await client.request<TextEdit[]>('textDocument/rangeFormatting', { textDocument: { uri: URI }, range, options })
      : await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: URI }, options });
    return { edits, text: TextDocument.applyEdits(TextDocument.create(URI, 'suspend-flow', 1, text), edits) };
  }

  const MESSY = [
    'vm guest {',
    'hypervisor kvm   ',
    '    vcpus 2',
    '  device net0 virtio-net at 00:01.0 irq 33 {',
    ' no_soft_reset true',
    '      }',
    '}',
    '   ',
    'guest.vcpu0 {',
    '      set x1=x1+1',
    '  pci write net0 pmcsr.state=D3hot    ',
    ' loop {',
    'psci AFFINITY_INFO target=vcpu0 level=0',
    '        if x0 == OFF { break }',
    '  }',
    '    resume:',
    '  expect x0==0',
    '  call f(1,',
    '           2)',
    '  /* a block',
    '        comment */',
    '\tlog "a  {x1}   "',
    '  mmio write 0x1000   =  5 // trailing',
    '}',
    'proc f(a, b) { set x2   =   a }',
    '',
  ].join('\n');

  const CANONICAL = [
    'vm guest {',
    '  hypervisor kvm',
    '  vcpus 2',
    '  device net0 virtio-net at 00:01.0 irq 33 {',
    '    no_soft_reset true',
    '  }',
    '}',
    '',
    'guest.vcpu0 {',
    '  set x1 = x1+1',
    '  pci write net0 pmcsr.state = D3hot',
    '  loop {',
    '    psci AFFINITY_INFO target=vcpu0 level=0',
    '    if x0 == OFF { break }',
    '  }',
    'resume:',
    '  expect x0==0',
    '  call f(1,',
    '           2)',
    '  /* a block',
    '        comment */',
    '  log "a  {x1}   "',
    '  mmio write 0x1000 = 5 // trailing',
    '}',
    'proc f(a, b) { set x2 = a }',
    '',
  ].join('\n');

  it('formats: 2 spaces per block, labels one level out, trailing space, one space around assignment =', async () => {
    const { edits, text } = await formatted(MESSY);
    assert.strictEqual(text, CANONICAL);
    // Only white space changed: the same tokens in the same order.
    assert.deepStrictEqual(tokenTexts(text), tokenTexts(MESSY));
    assert.deepStrictEqual(
      edits.find((e) => e.range.start.line === 1 && e.range.start.character > 0),
      { range: { start: { line: 1, character: 14 }, end: { line: 1, character: 17 } }, newText: '' },
    );
    // Formatting is idempotent.
    assert.deepStrictEqual((await formatted(CANONICAL)).edits, []);
  });

  it('formats a range only', async () => {
    const { text } = await formatted(MESSY, { start: { line: 9, character: 0 }, end: { line: 10, character: 0 } });
    const lines = text.split('\n');
    const messy = MESSY.split('\n');
    assert.deepStrictEqual([lines[9], lines[10]], ['  set x1 = x1+1', '  pci write net0 pmcsr.state = D3hot']);
    assert.deepStrictEqual(
      lines.filter((_, i) => i !== 9 && i !== 10),
      messy.filter((_, i) => i !== 9 && i !== 10),
    );
  });

  it('formats explore blocks like the other blocks', async () => {
    const { text } = await formatted(
      'explore {\nmax_states 5   \n      depth 4; until 1ms\n    }\nexplore { depth 2 }\n',
    );
    assert.strictEqual(text, 'explore {\n  max_states 5\n  depth 4; until 1ms\n}\nexplore { depth 2 }\n');
  });

  it('leaves the examples and the prelude as they are', async () => {
    const dir = path.resolve(__dirname, '..', '..', 'examples');
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.sflow'))) {
      const { edits } = await formatted(fs.readFileSync(path.join(dir, f), 'utf8'));
      assert.deepStrictEqual(edits, [], f);
    }
    assert.deepStrictEqual((await formatted(preludeFiles()[0].text)).edits, []);
  });

  it('folds blocks and comments', async () => {
    const text = [
      '// one',
      '// two',
      'vm guest {',
      '  hypervisor kvm',
      '  device d passthrough at 00:01.0 {',
      '    d3cold promote',
      '  }',
      '}',
      '/*',
      ' * a block comment',
      ' */',
      'guest.vcpu0 {',
      '  loop {',
      '    if x0 == 0 {',
      '      break',
      '    } else {',
      '      wfi',
      '    }',
      '  }',
      '  if x1 == 0 { halt }',
      '}',
      'explore {',
      '  depth 4',
      '  until 1ms',
      '}',
      'explore { depth 2 }',
      '',
    ].join('\n');
    await client.open(URI, text);
    const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: URI } });
    assert.deepStrictEqual(
      ranges.map((r) => [r.startLine, r.endLine, r.kind]),
      [
        [0, 1, 'comment'],
        [2, 6, undefined],
        [4, 5, undefined],
        [8, 10, 'comment'],
        [11, 19, undefined],
        [12, 17, undefined],
        [13, 14, undefined],
        [15, 16, undefined],
        [21, 23, undefined],
      ],
    );
  });
});
