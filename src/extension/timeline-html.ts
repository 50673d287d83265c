// The Suspend Timeline webview's page: a strict CSP (scripts only with this page's nonce, styles and images only
// from the extension's media folder), and the skeleton media/timeline.js draws into: a one-line toolbar, the key
// (hidden until asked for), the chart (a canvas that scrolls its lanes vertically) and the tooltip.
//
// timelinePage() needs nothing from VS Code, so the benchmark's harness (bench/timeline.ts) serves the very same page.

import * as crypto from 'crypto';
import type * as vscode from 'vscode';

export interface TimelinePageAssets {
  /** where styles and images may come from (the webview's cspSource) */
  cspSource: string;
  nonce: string;
  /** URIs of media/timeline-core.js, media/timeline.js and media/timeline.css */
  coreScript: string;
  script: string;
  style: string;
}

export function timelinePage(assets: TimelinePageAssets): string {
  const csp = [
    "default-src 'none'",
    `style-src ${assets.cspSource}`,
    `script-src 'nonce-${assets.nonce}'`,
    `img-src ${assets.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${assets.style}">
<title>Suspend Timeline</title>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Suspend Timeline">
<span id="status" role="status">No suspend-flow session.</span>
<button id="fit" type="button" title="Show the whole run (F or 0)">Fit</button>
<button id="zoom-out" type="button" title="Zoom out (S or -)" aria-label="Zoom out">&#x2212;</button>
<button id="zoom-in" type="button" title="Zoom in (W or +)" aria-label="Zoom in">+</button>
<button id="key-toggle" type="button" aria-pressed="false" aria-controls="legend" title="What the colours and keys mean">Key</button>
</div>
<div id="legend" hidden></div>
<div id="chart">
<canvas id="canvas" tabindex="0" role="application" aria-roledescription="timeline" aria-label="Suspend timeline: left and right arrows select an event, up and down change lane, Enter travels to it" aria-describedby="selection"></canvas>
<div id="spacer" aria-hidden="true"></div>
</div>
<div id="tooltip" role="tooltip" hidden></div>
<div id="selection" class="visually-hidden" aria-live="polite"></div>
<script nonce="${assets.nonce}" src="${assets.coreScript}"></script>
<script nonce="${assets.nonce}" src="${assets.script}"></script>
</body>
</html>`;
}

export function timelineHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  // Uri.with instead of Uri.joinPath: this module stays loadable without the vscode module (see above).
  const media = (file: string) =>
    webview
      .asWebviewUri(extensionUri.with({ path: `${extensionUri.path.replace(/\/$/, '')}/media/${file}` }))
      .toString();
  return timelinePage({
    cspSource: webview.cspSource,
    nonce: crypto.randomBytes(16).toString('base64'),
    coreScript: media('timeline-core.js'),
    script: media('timeline.js'),
    style: media('timeline.css'),
  });
}
