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

//
// Every request's and notification's params are checked against the protocol's types first (./validate.ts, one
// schema per method): a request whose params do not fit is answered with InvalidParams (-32602) and a short message
// naming the field (`'position.line' must be an integer from 0 to 2147483647, not -1`); a notification that does
// not fit is ignored with a warning in the log. A feature that throws is answered with a short InternalError
// (-32603), its stack going to the log only. Well-formed params about a document that is not open get the empty
// answer. The messages the library answers before any code here runs (`initialize`, its own notifications) are
// checked by the message strategy of connectionOptions(), which the process entry passes to createConnection.

import {
  CancellationToken,
  CodeActionKind,
  CodeActionParams,
  CompletionContext,
  Connection,
  ConnectionOptions,
  Disposable,
  ErrorCodes,
  InitializeError,
  InitializeParams,
  InitializeResult,
  Message,
  NotificationHandler,
  NotificationType,
  ParameterStructures,
  Range,
  RequestHandler,
  RequestType,
  ResponseError,
  ServerCapabilities,
  TextDocumentSyncKind,
  TextDocuments,
  WillSaveTextDocumentParams,
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
import { NOTIFICATION_PARAMS, paramsProblem, REQUEST_PARAMS } from './validate';

export const SERVER_NAME = 'suspend-flow-language-server';

export function serverCapabilities(): ServerCapabilities {
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    completionProvider: {
      triggerCharacters: ['.', ' ', '=', ':'],
      resolveProvider: false,
      completionItem: { labelDetailsSupport: true },
    },
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

/** Private methods the message strategy turns a message into when the library would handle it unchecked. */
const INVALID_REQUEST = '$/suspendFlow/invalidParams';
const IGNORED_NOTIFICATION = '$/suspendFlow/ignoredNotification';
/** Methods the server registers a guarded handler for itself: the strategy leaves them to that handler. */
const OWN_NOTIFICATIONS = new Set([
  'textDocument/didOpen',
  'textDocument/didChange',
  'textDocument/didClose',
  'textDocument/willSave',
  'textDocument/didSave',
]);

interface Rejected {
  method: string;
  problem: string;
}

/**
 * Options for createConnection: a message strategy that checks the messages vscode-languageserver handles itself
 * before the server sees them (`initialize`, `$/setTrace`, and the notifications it registers for some client
 * capabilities). An invalid one becomes one of the server's private methods, answered with InvalidParams or logged.
 */
export function connectionOptions(): ConnectionOptions {
  return {
    messageStrategy: {
      handleMessage(message, next) {
        if (Message.isRequest(message) && message.method === 'initialize') {
          const problem = paramsProblem(message.method, message.params);
          if (problem) {
            const rejected: Rejected = { method: message.method, problem };
            message.method = INVALID_REQUEST;
            message.params = rejected as unknown as object;
          }
        } else if (
          Message.isNotification(message) &&
          Object.hasOwn(NOTIFICATION_PARAMS, message.method) &&
          !OWN_NOTIFICATIONS.has(message.method)
        ) {
          const problem = paramsProblem(message.method, message.params);
          if (problem) {
            const rejected: Rejected = { method: message.method, problem };
            message.method = IGNORED_NOTIFICATION;
            message.params = rejected as unknown as object;
          }
        }
        return next(message);
      },
    },
  };
}

/** A short answer for a feature that threw: the details go to the log, never to the client. */
function internalError(method: string): ResponseError<void> {
  return new ResponseError(
    ErrorCodes.InternalError,
    `${method} failed: internal error (the language server's log has the details)`,
  );
}

const describeError = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));

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

  connection.onInitialize((params: InitializeParams): InitializeResult | ResponseError<InitializeError> => {
    // Without connectionOptions()' strategy the library has read params already; what it did not trip on is checked
    // here.
    const problem = paramsProblem('initialize', params);
    if (problem) return new ResponseError(ErrorCodes.InvalidParams, problem, { retry: false });
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
      connection.console.error(`checking ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  };
  documents.onDidChangeContent((e) => {
    const uri = e.document.uri;
    if (pending.has(uri)) return;
    pending.set(
      uri,
      setTimeout(() => publish(uri), 0),
    );
  });
  documents.onDidClose((e) => {
    const timer = pending.get(e.document.uri);
    if (timer) clearTimeout(timer);
    pending.delete(e.document.uri);
    cache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  /**
   * Registers a request behind its schema (validate.ts REQUEST_PARAMS): params that do not fit are answered with
   * InvalidParams naming the field; an exception other than a ResponseError is logged and answered short.
   */
  const request = <P>(method: string, handler: (params: P) => unknown): Disposable =>
    connection.onRequest(
      new RequestType<P, unknown, unknown>(method, ParameterStructures.byName),
      guardRequest(method, handler),
    );
  const guardRequest =
    <P>(method: string, handler: (params: P) => unknown): RequestHandler<P, unknown, unknown> =>
    (params) => {
      const problem = Object.hasOwn(REQUEST_PARAMS, method) ? paramsProblem(method, params) : undefined;
      if (problem) return new ResponseError(ErrorCodes.InvalidParams, problem);
      try {
        return handler(params);
      } catch (e) {
        if (e instanceof ResponseError) return e;
        connection.console.error(`${method} failed: ${describeError(e)}`);
        return internalError(method);
      }
    };
  /** A notification behind its schema: one that does not fit is ignored, with a warning in the log. */
  const guardNotification =
    <P>(method: string, handler: NotificationHandler<P>): NotificationHandler<P> =>
    (params) => {
      const problem = paramsProblem(method, params);
      if (problem) {
        connection.console.warn(`ignored ${method}: ${problem}`);
        return;
      }
      try {
        handler(params);
      } catch (e) {
        connection.console.error(`${method} failed: ${describeError(e)}`);
      }
    };

  /**
   * A feature on an open document (or the prelude). About a document that is not open (well-formed params, a URI
   * the client never opened or has closed) there is nothing to say: the empty answer, as the protocol's results allow.
   */
  const withAnalysis = <R>(uri: string, empty: R, f: (a: Analysis) => R): R => {
    const analysis = analysisFor(uri);
    return analysis ? f(analysis) : empty;
  };
  type At = { textDocument: { uri: string }; position: { line: number; character: number } };
  type Doc = { textDocument: { uri: string } };

  request('textDocument/completion', (p: At & { context?: CompletionContext }) =>
    withAnalysis(p.textDocument.uri, null, (a) => completion(a, p.position, p.context, { snippets })),
  );
  request('textDocument/signatureHelp', (p: At) =>
    withAnalysis(p.textDocument.uri, null, (a) => signatureHelp(a, p.position)),
  );
  request('textDocument/hover', (p: At) => withAnalysis(p.textDocument.uri, null, (a) => hover(a, p.position)));
  request('textDocument/definition', (p: At) => withAnalysis(p.textDocument.uri, [], (a) => definition(a, p.position)));
  request('textDocument/references', (p: At & { context: { includeDeclaration: boolean } }) =>
    withAnalysis(p.textDocument.uri, [], (a) => references(a, p.position, p.context.includeDeclaration)),
  );
  request('textDocument/documentHighlight', (p: At) =>
    withAnalysis(p.textDocument.uri, [], (a) => documentHighlights(a, p.position)),
  );
  request('textDocument/prepareRename', (p: At) =>
    withAnalysis<unknown>(p.textDocument.uri, null, (a) => prepareRename(a, p.position)),
  );
  request('textDocument/rename', (p: At & { newName: string }) =>
    withAnalysis<unknown>(p.textDocument.uri, null, (a) => rename(a, p.position, p.newName)),
  );
  request('textDocument/documentSymbol', (p: Doc) => withAnalysis(p.textDocument.uri, [], (a) => documentSymbols(a)));
  request('textDocument/semanticTokens/full', (p: Doc) =>
    withAnalysis(p.textDocument.uri, { data: [] as number[] }, (a) => semanticTokens(a)),
  );
  request('textDocument/formatting', (p: Doc) => withAnalysis(p.textDocument.uri, [], (a) => format(a)));
  request('textDocument/rangeFormatting', (p: Doc & { range: Range }) =>
    withAnalysis(p.textDocument.uri, [], (a) => format(a, p.range)),
  );
  request('textDocument/foldingRange', (p: Doc) => withAnalysis(p.textDocument.uri, [], (a) => foldingRanges(a)));
  request('textDocument/codeAction', (p: CodeActionParams) =>
    withAnalysis(p.textDocument.uri, [], (a) => codeActions(a, p)),
  );
  // Not LSP: the extension's EvaluatableExpressionProvider asks what a debug hover should evaluate (./evaluatable.ts).
  request(EVALUATABLE_EXPRESSION_REQUEST, (p: EvaluatableExpressionParams) =>
    withAnalysis(p.textDocument.uri, null, (a) => evaluatableExpression(a, p.position)),
  );
  request('workspace/textDocumentContent', (p: { uri: string }) => {
    const prelude = preludeFileForUri(p.uri);
    return prelude ? { text: prelude.text } : null;
  });
  // What connectionOptions()' message strategy turned an invalid message the library would handle into.
  const rejection = (p: Partial<Rejected> | null | undefined): Rejected =>
    typeof p?.problem === 'string'
      ? { method: String(p.method), problem: p.problem }
      : { method: '?', problem: 'invalid params' };
  request(INVALID_REQUEST, (p: Rejected) => new ResponseError(ErrorCodes.InvalidParams, rejection(p).problem));
  connection.onNotification(new NotificationType<Rejected>(IGNORED_NOTIFICATION), (p) =>
    connection.console.warn(`ignored ${rejection(p).method}: ${rejection(p).problem}`),
  );

  // The document manager listens through the same guards.
  const guarded: Parameters<TextDocuments<TextDocument>['listen']>[0] = {
    onDidOpenTextDocument: (h) => connection.onDidOpenTextDocument(guardNotification('textDocument/didOpen', h)),
    onDidChangeTextDocument: (h) => connection.onDidChangeTextDocument(guardNotification('textDocument/didChange', h)),
    onDidCloseTextDocument: (h) => connection.onDidCloseTextDocument(guardNotification('textDocument/didClose', h)),
    onWillSaveTextDocument: (h) => connection.onWillSaveTextDocument(guardNotification('textDocument/willSave', h)),
    onDidSaveTextDocument: (h) => connection.onDidSaveTextDocument(guardNotification('textDocument/didSave', h)),
    onWillSaveTextDocumentWaitUntil: (h) =>
      request('textDocument/willSaveWaitUntil', (p: WillSaveTextDocumentParams) => h(p, CancellationToken.None)),
  };
  documents.listen(guarded);
  connection.listen();
}
