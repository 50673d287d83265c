// Half-typed scenarios: every feature answers (no error response, no crash) wherever the text is cut, and
// formatting still changes only white space.

import * as assert from 'assert';
import { TextEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticBag } from '../../src/lang/diagnostics';
import { tokenize } from '../../src/lang/lexer';
import { SourceFile } from '../../src/lang/source';
import { LspClient } from './client';
import { KVM } from './scenarios';

const URI = 'file:///work/broken.sflow';
const tokenTexts = (text: string) =>
  tokenize(text, new DiagnosticBag(new SourceFile('x', text)))
    .filter((t) => t.kind !== 'newline')
    .map((t) => t.text);

describe('language server: broken and half-typed text', function () {
  let client: LspClient;

  before(async function () {
    this.timeout(60_000);
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  it('answers every request on a scenario cut anywhere', async function () {
    this.timeout(60_000);
    for (let cut = 3; cut < KVM.length; cut += 41) {
      // Cut the text, and drop a few characters after the cut too.
      const text = KVM.slice(0, cut) + KVM.slice(cut + (cut % 4));
      await client.open(URI, text);
      const doc = TextDocument.create(URI, 'suspend-flow', 1, text);
      const position = doc.positionAt(cut);
      const at = { textDocument: { uri: URI }, position };
      const answers = await Promise.all([
        client.request('textDocument/completion', { ...at, context: { triggerKind: 1 } }),
        client.request('textDocument/completion', { ...at, context: { triggerKind: 2, triggerCharacter: ' ' } }),
        client.request('textDocument/signatureHelp', at),
        client.request('textDocument/hover', at),
        client.request('textDocument/definition', at),
        client.request('textDocument/references', { ...at, context: { includeDeclaration: true } }),
        client.request('textDocument/documentHighlight', at),
        client.request('textDocument/documentSymbol', { textDocument: { uri: URI } }),
        client.request('textDocument/semanticTokens/full', { textDocument: { uri: URI } }),
        client.request('textDocument/foldingRange', { textDocument: { uri: URI } }),
        client.request<TextEdit[]>('textDocument/formatting', {
          textDocument: { uri: URI },
          options: { tabSize: 2, insertSpaces: true },
        }),
      ]);
      const edits = answers[answers.length - 1] as TextEdit[];
      assert.deepStrictEqual(
        tokenTexts(TextDocument.applyEdits(doc, edits)),
        tokenTexts(text),
        `formatting changed tokens at cut ${cut}`,
      );
    }
    assert.strictEqual(client.process.exitCode, null);
  });
});
