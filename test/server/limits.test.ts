// What a fuzzing campaign found in the language server, through the protocol: formatting that took seconds on a line
// of spaces, documents with CR or CRLF line endings (positions and formatting), deep nesting that made every request
// on a document fail, a long unknown name, a byte order mark, and an empty scenario.

import * as assert from 'assert';
import { Diagnostic, DocumentSymbol, FoldingRange, Hover, SemanticTokens, TextEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis } from '../../src/server/analysis';
import { documentDiagnostics } from '../../src/server/diagnostics';
import { foldingRanges } from '../../src/server/folding';
import { format } from '../../src/server/formatting';
import { hover } from '../../src/server/hover';
import { semanticTokens } from '../../src/server/semantic-tokens';
import { documentSymbols } from '../../src/server/symbols';
import { LspClient } from './client';

const URI = 'file:///work/limits.sflow';
const FORMAT_OPTIONS = { tabSize: 2, insertSpaces: true };

const VM = ['vm g {', '  hypervisor kvm', '}'];
/** Everything but white space, in order: what formatting must never change. */
const ink = (text: string) => text.replace(/[ \t\r\n]/g, '');

describe('language server: limits and fuzzing findings', function () {
  let client: LspClient;

  before(async function () {
    this.timeout(60_000);
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  async function formatted(text: string): Promise<{ edits: TextEdit[]; text: string; ms: number }> {
    await client.open(URI, text);
    const start = performance.now();
    const edits = await client.request<TextEdit[]>('textDocument/formatting', {
      textDocument: { uri: URI },
      options: FORMAT_OPTIONS,
    });
    const ms = performance.now() - start;
    return { edits, text: TextDocument.applyEdits(TextDocument.create(URI, 'suspend-flow', 1, text), edits), ms };
  }

  describe('formatting in linear time', () => {
    for (const [name, text] of [
      ['a line of 200,000 spaces', ' '.repeat(200_000)],
      ['200,000 spaces before a word', `${VM.join('\n')}\n${' '.repeat(200_000)}x\n`],
      [
        '200,000 spaces between two words',
        `${VM.join('\n')}\nhost {\n  policy${' '.repeat(200_000)}suspend abort-on-wake\n}\n`,
      ],
      ['200,000 tabs and spaces after a statement', `${VM.join('\n')}\ng.vcpu0 {\n  halt${' \t'.repeat(100_000)}\n}\n`],
      [
        '2,000 lines indented by 2,000 spaces',
        `${VM.join('\n')}\ng.vcpu0 {\n${`${' '.repeat(2000)}set x1 = 1   \n`.repeat(2000)}}\n`,
      ],
      ['5,000 nested blocks', `${VM.join('\n')}\ng.vcpu0 {\n${'if 1 {\n'.repeat(5000)}${'}\n'.repeat(5000)}}\n`],
    ] as const) {
      it(`${name}: well under a second, and nothing but white space changes`, async function () {
        this.timeout(30_000);
        const r = await formatted(text);
        assert.ok(r.ms < 2000, `formatting took ${r.ms} ms`);
        assert.strictEqual(ink(r.text), ink(text));
        // Trailing white space is gone from every line (checked without a regular expression, which would be
        // quadratic).
        assert.ok(
          r.text.split('\n').every((l) => l === '' || (l[l.length - 1] !== ' ' && l[l.length - 1] !== '\t')),
          'trailing white space left',
        );
        // And no line is indented deeper than the deepest nesting the language allows.
        assert.ok(
          r.text.split('\n').every((l) => l.length - l.trimStart().length <= 2 * 256),
          'indented past 256 levels',
        );
      });
    }

    it('lines nested deeper than 256 blocks keep their indentation; those above are indented', async function () {
      this.timeout(30_000);
      const text = `${VM.join('\n')}\ng.vcpu0 {\n${'loop {\n'.repeat(300)}halt\n${'}\n'.repeat(300)}}\n`;
      const lines = (await formatted(text)).text.split('\n');
      // The program's body is depth 1: the 256th loop's line is at depth 256, the 257th deeper than the limit.
      assert.strictEqual(lines[4 + 255], `${'  '.repeat(256)}loop {`);
      assert.strictEqual(lines[4 + 256], 'loop {');
      assert.strictEqual(lines[4 + 300], 'halt');
    });
  });

  describe('line endings', () => {
    const scenario = [...VM, 'g.vcpu0 {', 'psci SYSTEM_SUSPNED', '  set x1=1   ', '    expect x1 == 1', '}', ''];
    const formattedLines = [...VM, 'g.vcpu0 {', '  psci SYSTEM_SUSPNED', '  set x1 = 1', '  expect x1 == 1', '}', ''];

    for (const [name, join] of [
      ['CR', (l: string[]) => l.join('\r')],
      ['CRLF', (l: string[]) => l.join('\r\n')],
      ['mixed', (l: string[]) => l.map((x, i) => (i < l.length - 1 ? x + ['\r', '\n', '\r\n'][i % 3] : x)).join('')],
    ] as const) {
      it(`${name}: diagnostics, hovers, symbols and folding point at the right text, formatting keeps every character`, async function () {
        this.timeout(30_000);
        const text = join(scenario);
        const doc = TextDocument.create(URI, 'suspend-flow', 1, text);
        const diagnostics = await client.open(URI, text);
        assert.deepStrictEqual(
          diagnostics.map((d) => [doc.getText(d.range), d.message]),
          [['SYSTEM_SUSPNED', "unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?"]],
        );
        const hover = await client.request<Hover>('textDocument/hover', {
          textDocument: { uri: URI },
          position: doc.positionAt(text.indexOf('hypervisor') + 12),
        });
        assert.strictEqual(doc.getText(hover.range!), 'kvm');
        const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', {
          textDocument: { uri: URI },
        });
        assert.deepStrictEqual(
          symbols.map((s) => doc.getText(s.selectionRange)),
          ['g', 'g.vcpu0'],
        );
        const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: URI } });
        assert.deepStrictEqual(
          folds.map((f) => [f.startLine, f.endLine]),
          [
            [0, 1],
            [3, 6],
          ],
        );
        const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', {
          textDocument: { uri: URI },
        });
        assert.ok(decodeTexts(tokens, doc).includes('hypervisor'));
        assert.ok(decodeTexts(tokens, doc).includes('SYSTEM_SUSPNED') === false);
        const r = await formatted(text);
        assert.strictEqual(r.text, join(formattedLines));
        assert.deepStrictEqual((await formatted(r.text)).edits, []);
      });
    }

    it('CRLF: a diagnostic at the end of a line lies inside that line', async function () {
      this.timeout(30_000);
      const text = ['vm g {', '  hypervisor kvm psci', '}', 'g.vcpu0 {', '  halt', '}', ''].join('\r\n');
      const diagnostics = await client.open(URI, text);
      assert.deepStrictEqual(
        diagnostics.filter((d) => d.code === 'expected-version').map((d) => [d.range, d.message]),
        [
          [
            { start: { line: 1, character: 21 }, end: { line: 2, character: 0 } },
            'expected a PSCI version such as 1.0, found end of line',
          ],
        ],
      );
    });

    it('CR-only: an edit through the protocol lands where the client put it', async function () {
      this.timeout(30_000);
      const text = scenario.join('\r');
      await client.open(URI, text);
      const doc = TextDocument.create(URI, 'suspend-flow', 1, text);
      const at = doc.positionAt(text.indexOf('SUSPNED'));
      const change = { range: { start: at, end: { line: at.line, character: at.character + 7 } }, text: 'SUSPEND' };
      const diagnostics = await client.change(URI, [change]);
      const edited = TextDocument.update(doc, [change], 2);
      assert.strictEqual(edited.getText(), text.replace('SUSPNED', 'SUSPEND'));
      assert.deepStrictEqual(
        diagnostics.map((d) => [edited.getText(d.range), d.message]),
        [['SYSTEM_SUSPEND', "SYSTEM_SUSPEND without 'entry': the entry point is 0"]],
      );
    });

    it('CR-only: completion reads the line being typed', async function () {
      this.timeout(30_000);
      const text = [...VM, 'g.vcpu0 {', '  psci SYSTEM_SUS', '}', ''].join('\r');
      await client.open(URI, text);
      const doc = TextDocument.create(URI, 'suspend-flow', 1, text);
      const items = await client.request<{ label: string }[] | { items: { label: string }[] }>(
        'textDocument/completion',
        {
          textDocument: { uri: URI },
          position: doc.positionAt(text.indexOf('SYSTEM_SUS') + 10),
          context: { triggerKind: 1 },
        },
      );
      const labels = (Array.isArray(items) ? items : items.items).map((i) => i.label);
      assert.ok(labels.includes('SYSTEM_SUSPEND'), labels.slice(0, 10).join(', '));
    });

    it('a CR-only scenario is not an empty one', async function () {
      this.timeout(30_000);
      assert.deepStrictEqual(await client.open(URI, [...VM, 'g.vcpu0 {', '  halt', '}', ''].join('\r')), []);
    });
  });

  describe('deep nesting', () => {
    const program = (body: string) => `${VM.join('\n')}\ng.vcpu0 {\n${body}\n}\n`;

    it('3,000 nested parentheses: a diagnostic at the parenthesis, and every request still answers', async function () {
      this.timeout(60_000);
      const text = program(`  set x1 = ${'('.repeat(3000)}1${')'.repeat(3000)}`);
      const diagnostics = await client.open(URI, text);
      assert.deepStrictEqual(
        diagnostics.map((d) => [d.range.start, d.message]),
        [[{ line: 4, character: 11 + 256 }, 'expressions nest deeper than 256 levels']],
      );
      await everyRequestAnswers(text);
      // And the diagnostics follow the document: nothing stale once it is fixed.
      assert.deepStrictEqual(await client.change(URI, [{ text: program('  set x1 = (1)') }]), []);
    });

    for (const [name, body] of [
      ['2,000 nested ifs', `${'  if true {\n'.repeat(2000)}  halt\n${'}\n'.repeat(2000)}`],
      ['1,500 nested loops', `${'  loop {\n'.repeat(1500)}  halt\n${'}\n'.repeat(1500)}`],
    ] as const) {
      it(`${name}: one diagnostic at the first block too deep, and every request answers`, async function () {
        this.timeout(60_000);
        const text = program(body);
        const diagnostics = await client.open(URI, text);
        assert.deepStrictEqual(
          diagnostics.map((d) => [d.range.start.line, d.message]),
          [[4 + 255, 'blocks nest deeper than 256 levels']],
        );
        await everyRequestAnswers(text);
      });
    }

    it('a flat sum of 5,000 terms and a chain of 2,000 procs: no diagnostic, every request answers', async function () {
      this.timeout(60_000);
      const sum = program(`  set x1 = 1${' + x1'.repeat(5000)}`);
      assert.deepStrictEqual(await client.open(URI, sum), []);
      await everyRequestAnswers(sum);
      let procs = '';
      for (let i = 0; i < 2000; i++) procs += `proc p${i} {\n  call p${i + 1}\n}\n`;
      const chain = program('  call p0') + procs + 'proc p2000 {\n}\n';
      assert.deepStrictEqual(await client.open(URI, chain), []);
      await everyRequestAnswers(chain);
    });

    it('edits inside a long expression re-parse incrementally', async function () {
      this.timeout(60_000);
      const text = `${VM.join('\n')}\nproc f {\n  set x1 = 1${' + x1'.repeat(20_000)}\n}\ng.vcpu0 {\n  call f\n}\n`;
      assert.deepStrictEqual(await client.open(URI, text), []);
      const doc = TextDocument.create(URI, 'suspend-flow', 1, text);
      const diagnostics = await client.change(URI, [
        { range: { start: doc.positionAt(0), end: doc.positionAt(0) }, text: '// a comment\n' },
      ]);
      assert.deepStrictEqual(diagnostics, []);
      const again = await client.change(URI, [
        { range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: 'proc unused {\n}\n' },
      ]);
      assert.deepStrictEqual(
        again.map((d) => d.message),
        ["proc 'unused' is never called"],
      );
    });

    async function everyRequestAnswers(text: string): Promise<void> {
      const doc = TextDocument.create(URI, 'suspend-flow', 1, text);
      const position = doc.positionAt(text.indexOf('set') >= 0 ? text.indexOf('set') + 5 : 20);
      const at = { textDocument: { uri: URI }, position };
      await Promise.all([
        client.request('textDocument/completion', { ...at, context: { triggerKind: 1 } }),
        client.request('textDocument/signatureHelp', at),
        client.request('textDocument/hover', at),
        client.request('textDocument/definition', at),
        client.request('textDocument/references', { ...at, context: { includeDeclaration: true } }),
        client.request('textDocument/documentHighlight', at),
        client.request('textDocument/documentSymbol', { textDocument: { uri: URI } }),
        client.request('textDocument/semanticTokens/full', { textDocument: { uri: URI } }),
        client.request('textDocument/foldingRange', { textDocument: { uri: URI } }),
        client.request('textDocument/formatting', { textDocument: { uri: URI }, options: FORMAT_OPTIONS }),
        client.request('suspendFlow/evaluatableExpression', at),
      ]);
      assert.strictEqual(client.process.exitCode, null);
    }
  });

  it('a 50,000-character unknown name reaches the diagnostics at once', async function () {
    this.timeout(30_000);
    const text = `${VM.join('\n')}\ng.vcpu0 {\n  set x1 = ${'a'.repeat(50_000)}\n}\n`;
    const start = performance.now();
    const diagnostics = await client.open(URI, text);
    const ms = performance.now() - start;
    assert.strictEqual(diagnostics.length, 1);
    assert.ok(ms < 1500, `took ${ms} ms`);
  });

  it('a byte order mark: ignored, diagnostics at the text the client holds', async function () {
    this.timeout(30_000);
    const text = '\uFEFFvm g { hypervisor kvmm }\ng.vcpu0 {\n  halt\n}\n';
    const doc = TextDocument.create(URI, 'suspend-flow', 1, text);
    const diagnostics: Diagnostic[] = await client.open(URI, text);
    assert.deepStrictEqual(
      diagnostics.map((d) => doc.getText(d.range)),
      ['kvmm'],
    );
    assert.deepStrictEqual(diagnostics[0].range.start, { line: 0, character: 19 });
    const r = await formatted(text);
    assert.strictEqual(r.text, text);
  });

  it('an empty scenario: one error at the start of the file', async function () {
    this.timeout(30_000);
    const diagnostics = await client.open(URI, '\n\n');
    assert.deepStrictEqual(
      diagnostics.map((d) => [d.range, d.severity, d.code]),
      [[{ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 1, 'nothing-to-run']],
    );
  });
});

describe('language server: a check that throws', () => {
  it('leaves the document an empty analysis whose diagnostic says so; every feature answers', () => {
    // In process, with a checker that throws as a bug deep in it would.
    const failing = () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    const a = new Analysis(URI, 1, `${VM.join('\n')}\ng.vcpu0 {\n   halt\n}\n`, undefined, failing);
    assert.deepStrictEqual(
      documentDiagnostics(a).map((d) => [d.range.start, d.code, d.message]),
      [
        [
          { line: 0, character: 0 },
          'internal-error',
          'the language server could not check this document (RangeError: Maximum call stack size exceeded); please report it',
        ],
      ],
    );
    assert.deepStrictEqual(documentSymbols(a), []);
    assert.strictEqual(hover(a, { line: 1, character: 4 }), null);
    assert.deepStrictEqual(
      foldingRanges(a).map((f) => [f.startLine, f.endLine]),
      [
        [0, 1],
        [3, 4],
      ],
    );
    semanticTokens(a);
    assert.deepStrictEqual(
      format(a).map((e) => e.newText),
      ['  '],
    );
  });
});

function decodeTexts(tokens: SemanticTokens, doc: TextDocument): string[] {
  const out: string[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    const [dl, dc, length] = tokens.data.slice(i, i + 3);
    line += dl;
    character = dl ? dc : character + dc;
    out.push(doc.getText({ start: { line, character }, end: { line, character: character + length } }));
  }
  return out;
}
