// The Suspend Timeline webview's page: a strict CSP (scripts only with this page's nonce, styles and images only
// from the extension's media folder), the skeleton media/timeline.js draws into.

import * as crypto from 'crypto';
import * as vscode from 'vscode';

export function timelineHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'timeline.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'timeline.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Suspend Timeline</title>
</head>
<body>
<div id="toolbar"><span id="status">No suspend-flow session.</span><span id="legend"></span></div>
<div id="chart" role="list" aria-label="Suspend timeline"></div>
<div id="detail" aria-live="polite"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
