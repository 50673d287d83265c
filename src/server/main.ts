// The language server process (bundled to dist/server.js). vscode-languageclient starts it with the transport it
// chose on the command line (`--node-ipc`, `--stdio`, `--socket=N`, `--pipe=NAME`); createConnection reads it
// from there.

import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { connectionOptions, startServer } from './server';

startServer(createConnection(ProposedFeatures.all, connectionOptions()));
