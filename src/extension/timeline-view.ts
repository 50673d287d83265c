// The Suspend Timeline view (in the Run and Debug container): swimlanes per vCPU, device and the host, built from the
// trace the adapter keeps. After each stop only the events not yet sent are posted, and the webview appends them;
// clicking an event asks the adapter to travel there. The webview has a strict CSP with a nonce.

import * as vscode from 'vscode';
import { DEBUG_TYPE } from './debug';
import { timelineHtml } from './timeline-html';

interface TimelineReply {
  events: { seq: number; t: number; kind: string; source: string; lane: string; text: string; state?: string }[];
  lanes: string[];
  /** events emitted before the current position */
  position: number;
  now: number;
  /** the trace was rewritten from this seq on (an edit forked history): drop what the view has from there */
  truncatedFrom?: number;
}

export class TimelineView implements vscode.WebviewViewProvider {
  private view?: vscode.WebviewView;
  private sentUpTo = -1;
  private session?: vscode.DebugSession;

  constructor(private readonly extensionUri: vscode.Uri) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')] };
    view.webview.html = timelineHtml(view.webview, this.extensionUri);
    this.sentUpTo = -1;
    view.webview.onDidReceiveMessage((m: { type: string; seq?: number }) => {
      if (m.type === 'goto' && typeof m.seq === 'number' && this.session) {
        void this.session.customRequest('gotoEvent', { seq: m.seq }).then(undefined, (e: Error) => vscode.window.showWarningMessage(e.message));
      }
      if (m.type === 'ready') void this.refresh();
    });
    view.onDidDispose(() => (this.view = undefined));
  }

  /** A new session: start from an empty view. */
  reset(session: vscode.DebugSession | undefined): void {
    this.session = session;
    this.sentUpTo = -1;
    void this.view?.webview.postMessage({ type: 'reset' });
  }

  /** After a stop: send what is new and where we are. */
  async refresh(session = this.session): Promise<void> {
    if (!session || session.type !== DEBUG_TYPE || !this.view) return;
    if (session !== this.session) this.reset(session);
    const kept = vscode.workspace.getConfiguration('suspendFlow').get<number>('timeline.eventsKept', 5000);
    let reply: TimelineReply;
    try {
      reply = await session.customRequest('timeline', { since: this.sentUpTo, max: kept });
    } catch {
      return;
    }
    if (reply.truncatedFrom !== undefined && reply.truncatedFrom <= this.sentUpTo) this.sentUpTo = reply.truncatedFrom - 1;
    const last = reply.events[reply.events.length - 1];
    if (last) this.sentUpTo = last.seq;
    void this.view.webview.postMessage({ type: 'update', ...reply, kept });
  }
}
