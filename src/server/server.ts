// The language server for `.sflow` scenarios: a factory over a Connection (the process entry is ./main.ts; tests
// drive it over stdio). Every feature reads one Analysis per document version (parse and check with the Linux
// prelude, the same as the simulator runs), computed once after a change and cached; diagnostics are pushed as soon
// as the changes that arrived together have been applied.
//
// The prelude is embedded, so its locations (go to definition on `call linux.pm_suspend`, related information)
// use the URI `sflow-prelude:/linux.sflow`. The server provides that document's text through the LSP 3.18 request
// `workspace/textDocumentContent` (capability `workspace.textDocumentContent.schemes`), for which
// vscode-languageclient registers a TextDocumentContentProvider by itself; an extension with an older client
// registers a TextDocumentContentProvider for the scheme that returns the same text (preludeFiles() in
// src/lang/prelude.ts). The client's documentSelector should include { scheme: 'sflow-prelude', language:
// 'suspend-flow' } so that hovers and navigation also work inside the prelude.

import {
  CodeActionKind, Connection, InitializeParams, InitializeResult, ServerCapabilities, TextDocumentSyncKind, TextDocuments,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis, AnalysisCache, PRELUDE_SCHEME, preludeFileForUri } from './analysis';
import { codeActions } from './code-actions';
import { completion } from './completion';
import { documentDiagnostics } from './diagnostics';
import { EVALUATABLE_EXPRESSION_REQUEST, EvaluatableExpressionParams, evaluatableExpression } from './evaluatable';
import { foldingRanges } from './folding';
import { format } from './formatting';
import { hover } from './hover';
import { definition, documentHighlights, prepareRename, references, rename } from './navigation';
import { LEGEND, semanticTokens } from './semantic-tokens';
import { signatureHelp } from './signature-help';
import { documentSymbols } from './symbols';

export const SERVER_NAME = 'suspend-flow-language-server';

export function serverCapabilities(): ServerCapabilities {
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    completionProvider: { triggerCharacters: ['.', ' ', '=', ':'], resolveProvider: false, completionItem: { labelDetailsSupport: true } },
    signatureHelpProvider: { triggerCharacters: [' ', '='], retriggerCharacters: [' '] },
    hoverProvider: true,
    definitionProvider: true,
    referencesProvider: true,
    documentHighlightProvider: true,
    renameProvider: { prepareProvider: true },
    documentSymbolProvider: { label: 'Suspend Flow' },
    semanticTokensProvider: { legend: LEGEND, full: true, range: false },
    documentFormattingProvider: true,
    documentRangeFormattingProvider: true,
    foldingRangeProvider: true,
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    workspace: { textDocumentContent: { schemes: [PRELUDE_SCHEME] } },
  };
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const cache = new AnalysisCache();
  let snippets = false;

  /** The current analysis of an open document, or of the prelude when the client asks about it unopened. */
  const analysisFor = (uri: string): Analysis | undefined => {
    const doc = documents.get(uri);
    if (doc) return cache.get(uri, doc, doc.version, () => doc.getText());
    const prelude = preludeFileForUri(uri);
    return prelude ? cache.get(uri, prelude, 0, () => prelude.text) : undefined;
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    return { capabilities: serverCapabilities(), serverInfo: { name: SERVER_NAME } };
  });

  // Diagnostics: changes that arrive together are applied first, then the document is checked once.
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const publish = (uri: string) => {
    pending.delete(uri);
    const doc = documents.get(uri);
    if (!doc) return;
    try {
      const analysis = analysisFor(uri)!;
      void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: documentDiagnostics(analysis) });
    } catch (e) {
      // A bug in the checker must not take the server down with it: say so, keep serving.
      connection.console.error(`checking ${uri} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  };
  documents.onDidChangeContent((e) => {
    const uri = e.document.uri;
    if (pending.has(uri)) return;
    pending.set(uri, setTimeout(() => publish(uri), 0));
  });
  documents.onDidClose((e) => {
    const timer = pending.get(e.document.uri);
    if (timer) clearTimeout(timer);
    pending.delete(e.document.uri);
    cache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const withAnalysis = <R>(uri: string, empty: R, f: (a: Analysis) => R): R => {
    const analysis = analysisFor(uri);
    return analysis ? f(analysis) : empty;
  };

  connection.onCompletion((p) => withAnalysis(p.textDocument.uri, null, (a) => completion(a, p.position, p.context, { snippets })));
  connection.onSignatureHelp((p) => withAnalysis(p.textDocument.uri, null, (a) => signatureHelp(a, p.position)));
  connection.onHover((p) => withAnalysis(p.textDocument.uri, null, (a) => hover(a, p.position)));
  connection.onDefinition((p) => withAnalysis(p.textDocument.uri, [], (a) => definition(a, p.position)));
  connection.onReferences((p) => withAnalysis(p.textDocument.uri, [], (a) => references(a, p.position, p.context.includeDeclaration)));
  connection.onDocumentHighlight((p) => withAnalysis(p.textDocument.uri, [], (a) => documentHighlights(a, p.position)));
  connection.onPrepareRename((p) => withAnalysis(p.textDocument.uri, null, (a) => prepareRename(a, p.position)));
  connection.onRenameRequest((p) => withAnalysis(p.textDocument.uri, null, (a) => rename(a, p.position, p.newName)));
  connection.onDocumentSymbol((p) => withAnalysis(p.textDocument.uri, [], (a) => documentSymbols(a)));
  connection.languages.semanticTokens.on((p) => withAnalysis(p.textDocument.uri, { data: [] }, (a) => semanticTokens(a)));
  connection.onDocumentFormatting((p) => withAnalysis(p.textDocument.uri, [], (a) => format(a)));
  connection.onDocumentRangeFormatting((p) => withAnalysis(p.textDocument.uri, [], (a) => format(a, p.range)));
  connection.onFoldingRanges((p) => withAnalysis(p.textDocument.uri, [], (a) => foldingRanges(a)));
  connection.onCodeAction((p) => withAnalysis(p.textDocument.uri, [], (a) => codeActions(a, p)));
  // Not LSP: the extension's EvaluatableExpressionProvider asks what a debug hover should evaluate (./evaluatable.ts).
  connection.onRequest(EVALUATABLE_EXPRESSION_REQUEST, (p: EvaluatableExpressionParams) => withAnalysis(p.textDocument.uri, null, (a) => evaluatableExpression(a, p.position)));
  connection.workspace.textDocumentContent.on((p) => {
    const prelude = preludeFileForUri(p.uri);
    return prelude ? { text: prelude.text } : null;
  });

  documents.listen(connection);
  connection.listen();
}
