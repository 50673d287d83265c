// The language client: the language server runs as its own process (dist/server.js) and talks over IPC. Prelude
// sources the server points at (`sflow-prelude:/linux.sflow`) come from the server too: it answers LSP's
// workspace/textDocumentContent for that scheme, and the client registers the content provider from that.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

export const PRELUDE_SCHEME = 'sflow-prelude';

export function startLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'suspend-flow', scheme: 'file' },
      { language: 'suspend-flow', scheme: 'untitled' },
      { language: 'suspend-flow', scheme: PRELUDE_SCHEME },
    ],
    initializationOptions: { libraryDir: context.asAbsolutePath('lib') },
  };
  const client = new LanguageClient('suspendFlow', 'Suspend Flow Language Server', serverOptions, clientOptions);
  void client.start();
  context.subscriptions.push(client);
  return client;
}
