// The language client: the language server runs as its own process (dist/server.js) and talks over IPC. Prelude
// sources the server points at (`sflow-prelude:/linux.sflow`) are served from the embedded text.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { preludeFiles } from '../lang/prelude';

export const PRELUDE_SCHEME = 'sflow-prelude';

export function startLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'suspend-flow', scheme: 'file' }, { language: 'suspend-flow', scheme: 'untitled' }, { language: 'suspend-flow', scheme: PRELUDE_SCHEME }],
    initializationOptions: { libraryDir: context.asAbsolutePath('lib') },
  };
  const client = new LanguageClient('suspendFlow', 'Suspend Flow Language Server', serverOptions, clientOptions);
  void client.start();
  context.subscriptions.push(
    client,
    vscode.workspace.registerTextDocumentContentProvider(PRELUDE_SCHEME, {
      provideTextDocumentContent: (uri) => preludeFiles().find((f) => f.path === `lib${uri.path}`)?.text ?? '',
    }),
  );
  return client;
}
