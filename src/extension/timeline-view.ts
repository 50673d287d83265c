// The Suspend Timeline: swimlanes per vCPU, device and the host, built from the trace the adapter keeps. It can be
// shown as a view (in the bottom panel by default; movable like any view) and as editor tabs, all fed from one copy
// of the session's events: after each stop the new events are fetched once and each webview is sent what it has
// not seen yet. Clicking a mark asks the adapter to travel to that event on that lane's thread. When the session
// ends the webviews keep the chart, marked stale. Each webview has a strict CSP with a nonce (timeline-html.ts).

import * as vscode from 'vscode';
import { DEBUG_TYPE } from './debug';
import { timelineHtml } from './timeline-html';

interface TimelineEvent {
  seq: number;
  t: number;
  kind: string;
  source: string;
  lane: string;
  text: string;
  state?: string;
}

interface TimelineReply {
  events: TimelineEvent[];
  lanes: string[];
  initialStates: Record<string, string>;
  /** events emitted before the current position */
  position: number;
  now: number;
  /** the trace was rewritten from this seq on (an edit forked history): drop what the view has from there */
  truncatedFrom?: number;
}

/** One webview showing the timeline, and how much of the session's events it has been sent. */
interface Surface {
  webview: vscode.Webview;
  sentUpTo: number;
  /** the webview has loaded its script and can take messages */
  ready: boolean;
}

export class TimelineView implements vscode.WebviewViewProvider {
  private readonly surfaces = new Set<Surface>();
  private session?: vscode.DebugSession;
  private ended = false;
  /** the session's events so far (at most `kept`), and the rest of the last reply */
  private events: TimelineEvent[] = [];
  private last?: Omit<TimelineReply, 'events' | 'truncatedFrom'>;
  /** the lowest seq rewritten since each surface was last updated */
  private truncatedFrom?: number;

  constructor(private readonly extensionUri: vscode.Uri) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const surface = this.attach(view.webview);
    view.onDidDispose(() => this.surfaces.delete(surface));
  }

  /** Opens the timeline in an editor tab, where it has the most room. */
  openInEditor(): void {
    const panel = vscode.window.createWebviewPanel(
      'suspendFlow.timelineEditor',
      'Suspend Timeline',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')],
      },
    );
    const surface = this.attach(panel.webview);
    panel.onDidDispose(() => this.surfaces.delete(surface));
  }

  private attach(webview: vscode.Webview): Surface {
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')] };
    webview.html = timelineHtml(webview, this.extensionUri);
    const surface: Surface = { webview, sentUpTo: -1, ready: false };
    this.surfaces.add(surface);
    webview.onDidReceiveMessage((m: { type?: string; seq?: unknown; lane?: unknown }) => {
      if (m.type === 'ready') {
        surface.ready = true;
        surface.sentUpTo = -1;
        void webview.postMessage({ type: 'reset' });
        this.send(surface);
      }
      if (m.type === 'goto' && typeof m.seq === 'number')
        this.goto(m.seq, typeof m.lane === 'string' ? m.lane : undefined);
    });
    return surface;
  }

  private goto(seq: number, lane: string | undefined): void {
    const session = this.session;
    if (!session || this.ended) return;
    session
      .customRequest('gotoEvent', { seq, lane })
      .then(undefined, (e: Error) => vscode.window.showWarningMessage(`Suspend Timeline: ${e.message}`));
  }

  /** A new session: every surface starts from an empty chart. */
  reset(session: vscode.DebugSession): void {
    this.session = session;
    this.ended = false;
    this.events = [];
    this.last = undefined;
    this.truncatedFrom = undefined;
    for (const s of this.surfaces) {
      s.sentUpTo = -1;
      if (s.ready) void s.webview.postMessage({ type: 'reset' });
    }
  }

  /** The session ended: the charts stay, marked stale, until the next session. */
  end(session: vscode.DebugSession): void {
    if (session !== this.session) return;
    this.ended = true;
    for (const s of this.surfaces) if (s.ready) void s.webview.postMessage({ type: 'ended' });
  }

  /** After a stop: fetch what is new once, then send each surface its part. */
  async refresh(session: vscode.DebugSession): Promise<void> {
    if (session.type !== DEBUG_TYPE) return;
    if (session !== this.session) this.reset(session);
    const kept = this.kept();
    const since = this.events.length ? this.events[this.events.length - 1].seq : -1;
    let reply: TimelineReply;
    try {
      reply = await session.customRequest('timeline', { since, max: kept });
    } catch {
      return;
    }
    if (session !== this.session) return;
    if (reply.truncatedFrom !== undefined) {
      this.events = this.events.filter((e) => e.seq < reply.truncatedFrom!);
      this.truncatedFrom = Math.min(this.truncatedFrom ?? reply.truncatedFrom, reply.truncatedFrom);
    }
    this.events.push(...reply.events);
    if (this.events.length > kept) this.events.splice(0, this.events.length - kept);
    const { events: _events, truncatedFrom: _truncated, ...rest } = reply;
    this.last = rest;
    for (const s of this.surfaces) this.send(s);
    this.truncatedFrom = undefined;
  }

  private kept(): number {
    return vscode.workspace.getConfiguration('suspendFlow').get<number>('timeline.eventsKept', 100_000);
  }

  /** Sends a surface the events it has not seen, and where the session is now. */
  private send(surface: Surface): void {
    if (!surface.ready || !this.last) return;
    const truncated = this.truncatedFrom !== undefined && this.truncatedFrom <= surface.sentUpTo;
    if (truncated) surface.sentUpTo = this.truncatedFrom! - 1;
    const fresh = this.events.filter((e) => e.seq > surface.sentUpTo);
    const newest = this.events[this.events.length - 1];
    if (newest) surface.sentUpTo = newest.seq;
    // As one JSON string: a string crosses to the webview far faster than as many objects as there are events.
    const update = {
      ...this.last,
      events: fresh,
      truncatedFrom: truncated ? this.truncatedFrom : undefined,
      kept: this.kept(),
    };
    void surface.webview.postMessage({ type: 'update', json: JSON.stringify(update) });
    if (this.ended) void surface.webview.postMessage({ type: 'ended' });
  }
}
