// The Suspend Timeline webview's figures, measured in headless Chromium on the real page
// (src/extension/timeline-html.ts)
// with the real media/timeline-core.js, timeline.js and timeline.css, served from a loopback HTTP server, and a stub
// acquireVsCodeApi. Aims (issue: the old SVG view took 4-6 s): an update drawn well under 200 ms with 100,000 events,
// zoom and pan frames well under 16 ms.
//
//   npx tsx bench/timeline.ts                    the figures
//   npx tsx bench/timeline.ts --shots [DIR]      also screenshots (default /tmp/timeline-shots), dark and light theme
//
// Needs playwright-core from the end-to-end cache (scripts/e2e/setup.sh) and /usr/bin/chromium; without them it says
// "skipped" and returns undefined.

import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { createRequire } from 'module';
import { timelinePage } from '../src/extension/timeline-html';
import { check } from '../src/lang/checker';
import { formatDiagnostic, hasErrors } from '../src/lang/diagnostics';
import { preludeFiles } from '../src/lang/prelude';
import { SourceFile } from '../src/lang/source';
import { Machine } from '../src/sim/machine';
import '../src/sim/reactions';
import { TimelineEvent, initialLaneStates, timelineLanes, toTimelineEvent } from '../src/sim/debug/timeline-events';

const ROOT = path.resolve(__dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ------------------------------------------------------------------------------------------ the little of Playwright
// used

interface Mouse {
  move(x: number, y: number, options?: { steps?: number }): Promise<void>;
  down(): Promise<void>;
  up(): Promise<void>;
  wheel(deltaX: number, deltaY: number): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  evaluate<T>(expression: string): Promise<T>;
  addInitScript(script: { content: string }): Promise<void>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  screenshot(options: { path: string }): Promise<unknown>;
  waitForFunction(expression: string): Promise<unknown>;
  on(
    event: 'pageerror' | 'console',
    listener: (arg: { message?: string; text?: () => string; type?: () => string }) => void,
  ): void;
  mouse: Mouse;
  keyboard: { press(key: string): Promise<void>; down(key: string): Promise<void>; up(key: string): Promise<void> };
  focus(selector: string): Promise<void>;
  close(): Promise<void>;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number }; deviceScaleFactor?: number }): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(options: { executablePath: string; args: string[]; headless: boolean }): Promise<Browser> };
}

function loadPlaywright(): Playwright | string {
  const cache = process.env.SFLOW_E2E_CACHE || path.join(os.homedir(), '.cache/suspend-flow-e2e');
  const dir = path.join(cache, 'driver/node_modules/playwright-core');
  if (!fs.existsSync(dir)) return `no playwright-core at ${dir} (run scripts/e2e/setup.sh)`;
  if (!fs.existsSync(CHROMIUM)) return `no ${CHROMIUM}`;
  return createRequire(path.join(cache, 'driver/package.json'))('playwright-core') as Playwright;
}

// ------------------------------------------------------------------------------------------ what the view is sent

interface Update {
  type: 'update';
  events: TimelineEvent[];
  lanes: string[];
  initialStates: Record<string, string>;
  position: number;
  now: number;
  kept: number;
}

/** The KVM example run to its end, as the adapter's timeline request would send it. */
export function kvmUpdate(): Update {
  const file = path.join(ROOT, 'examples/kvm-system-suspend.sflow');
  const r = check([new SourceFile(file, fs.readFileSync(file, 'utf8')), ...preludeFiles()]);
  if (hasErrors(r.diagnostics)) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  const machine = new Machine(r.program);
  const events: TimelineEvent[] = [];
  machine.onEvent((e) => {
    const te = toTimelineEvent(r.program, e);
    if (te) events.push(te);
  });
  machine.run();
  return {
    type: 'update',
    events,
    lanes: timelineLanes(r.program),
    initialStates: initialLaneStates(r.program),
    position: machine.state.events,
    now: machine.state.now,
    kept: 100_000,
  };
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A long history like a hardware trace's: two VMs of four vCPUs and a few devices going through suspend cycles
 * (PSCI calls, VMM exits, power and D-state changes, PMCSR writes), with interrupt storms a few hundred ns apart,
 * host suspends and the odd violation, over about two seconds. Stopped two thirds in, so a recorded future is shown.
 */
export function syntheticUpdate(count: number): Update {
  const rnd = random(42);
  const vms = ['vm0', 'vm1'];
  const vcpus = vms.flatMap((vm) => [0, 1, 2, 3].map((i) => `${vm}.vcpu${i}`));
  const devices = ['vm0.net0', 'vm0.blk0', 'vm0.gpu0', 'vm1.net0', 'vm1.gpu0'];
  const lanes = ['host', ...vcpus, ...devices];
  const initialStates: Record<string, string> = { host: 'running' };
  for (const v of vcpus) initialStates[v] = 'ON';
  for (const d of devices) initialStates[d] = 'D0';
  const events: TimelineEvent[] = [];
  let t = 0;
  const push = (lane: string, kind: TimelineEvent['kind'], text: string, state?: string) => {
    events.push({
      seq: events.length,
      t: Math.round(t),
      kind,
      lane,
      source: lane.startsWith('host') ? 'host' : lane,
      text,
      ...(state ? { state } : {}),
    });
  };
  const hex = () => `0x${Math.floor(rnd() * 0xffffffff).toString(16)}`;
  while (events.length < count) {
    const vcpu = vcpus[Math.floor(rnd() * vcpus.length)];
    const device = devices[Math.floor(rnd() * devices.length)];
    const roll = rnd();
    if (roll < 0.05) {
      // An interrupt storm: 20-200 interrupts a few hundred ns apart.
      const n = 20 + Math.floor(rnd() * 180);
      for (let i = 0; i < n && events.length < count; i++) {
        t += 100 + rnd() * 400;
        push(vcpu, 'irq', `irq ${32 + Math.floor(rnd() * 64)} raised (target ${vcpu.split('.')[1]})`);
      }
    } else if (roll < 0.35) {
      t += rnd() * 20_000;
      push(vcpu, 'psci', `HVC AFFINITY_INFO (0xc4000004) x1=${hex()}`);
    } else if (roll < 0.5) {
      t += rnd() * 50_000;
      push(vcpu, 'psci', `HVC SYSTEM_SUSPEND (0xc400000e) x1=0x40080044 x2=${hex()}`);
      push(vcpu, 'vmm', 'exit to VMM: KVM_EXIT_SYSTEM_EVENT SUSPEND (entry=0x40080044 context=0xc0ffee)');
      push(vcpu, 'state', 'power ON -> POWERDOWN (SUSPENDED): SYSTEM_SUSPEND honoured by the VMM', 'POWERDOWN');
      t += 10_000 + rnd() * 200_000;
      push(vcpu, 'vmm', "exit to VMM: KVM_EXIT_SYSTEM_EVENT WAKEUP (irq 33 pending: KVM's emulated WFI ends)");
      push(vcpu, 'state', 'power POWERDOWN -> ON (RUNNABLE): the VMM honoured the wake-up', 'ON');
    } else if (roll < 0.6) {
      t += rnd() * 30_000;
      push(vcpu, 'psci', 'HVC CPU_OFF (0x84000002)');
      push(vcpu, 'state', 'power ON -> OFF (STOPPED): CPU_OFF', 'OFF');
      t += 5_000 + rnd() * 100_000;
      push(vcpu, 'state', 'power OFF -> ON_PENDING (RUNNABLE): CPU_ON', 'ON_PENDING');
      t += rnd() * 2_000;
      push(vcpu, 'state', 'power ON_PENDING -> ON (RUNNABLE): first instruction after CPU_ON', 'ON');
    } else if (roll < 0.8) {
      t += rnd() * 40_000;
      const to = rnd() < 0.8 ? 'D3hot' : 'D3cold';
      push(
        device,
        'pmcsr',
        `config write ${device.split('.')[1]} pmcsr.state @0x44 = 0x3 (PowerState D0 -> ${to}, 10 ms delay)`,
      );
      push(device, 'state', `${device.split('.')[1]}: D0 -> ${to} (power state)`, to);
      t += 2_000 + rnd() * 300_000;
      push(device, 'pmcsr', `config write ${device.split('.')[1]} pmcsr.state @0x44 = 0x0 (PowerState ${to} -> D0)`);
      push(device, 'state', `${device.split('.')[1]}: ${to} -> D0 (power state)`, 'D0');
    } else if (roll < 0.83) {
      t += rnd() * 100_000;
      push('host', 'state', 'host: running -> suspending (dom0 completed SYSTEM_SUSPEND)', 'suspending');
      t += rnd() * 50_000;
      push('host', 'state', 'host: suspending -> suspended', 'suspended');
      t += 100_000 + rnd() * 500_000;
      push('host', 'state', 'host: suspended -> resuming (wake-up interrupt)', 'resuming');
      t += rnd() * 50_000;
      push('host', 'state', 'host: resuming -> running', 'running');
    } else if (roll < 0.84) {
      t += rnd() * 10_000;
      push(vcpu, 'violation', 'violation host-suspended-while-guest-running: the host suspended while vm0 was running');
    } else if (roll < 0.9) {
      t += rnd() * 10_000;
      push(vcpu, 'notify', 's2idle notify: the guest is about to idle (s2idle_notify)');
    } else {
      t += rnd() * 20_000;
      push(vcpu, 'vmm', `exit to VMM: KVM_EXIT_MMIO write ${hex()} len 4`);
    }
  }
  events.length = count;
  const stop = events[Math.floor((count * 2) / 3)];
  return { type: 'update', events, lanes, initialStates, position: stop.seq + 1, now: stop.t, kept: 200_000 };
}

// ------------------------------------------------------------------------------------------ the harness page

/** VS Code's theme variables (Dark Modern / Light Modern) and the default webview styles it injects. */
const THEMES: Record<'dark' | 'light', Record<string, string>> = {
  dark: {
    foreground: '#cccccc',
    descriptionForeground: '#9d9d9d',
    disabledForeground: 'rgba(204, 204, 204, 0.5)',
    errorForeground: '#f85149',
    focusBorder: '#0078d4',
    'panel-border': '#2b2b2b',
    'panel-background': '#181818',
    'sideBar-background': '#181818',
    'editor-background': '#1f1f1f',
    'charts-foreground': '#cccccc',
    'charts-lines': 'rgba(204, 204, 204, 0.5)',
    'charts-red': '#f14c4c',
    'charts-blue': '#3794ff',
    'charts-yellow': '#cca700',
    'charts-orange': '#d18616',
    'charts-green': '#89d185',
    'charts-purple': '#b180d7',
    'editorHoverWidget-background': '#202020',
    'editorHoverWidget-foreground': '#cccccc',
    'editorHoverWidget-border': '#454545',
    'widget-shadow': 'rgba(0, 0, 0, 0.36)',
    'toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)',
    'inputOption-activeBackground': 'rgba(36, 137, 219, 0.51)',
    'inputOption-activeBorder': '#2488db',
  },
  light: {
    foreground: '#3b3b3b',
    descriptionForeground: '#3b3b3b',
    disabledForeground: 'rgba(97, 97, 97, 0.5)',
    errorForeground: '#f85149',
    focusBorder: '#005fb8',
    'panel-border': '#e5e5e5',
    'panel-background': '#f8f8f8',
    'sideBar-background': '#f8f8f8',
    'editor-background': '#ffffff',
    'charts-foreground': '#616161',
    'charts-lines': 'rgba(97, 97, 97, 0.5)',
    'charts-red': '#e51400',
    'charts-blue': '#1a85ff',
    'charts-yellow': '#bf8803',
    'charts-orange': '#d18616',
    'charts-green': '#388a34',
    'charts-purple': '#652d90',
    'editorHoverWidget-background': '#f8f8f8',
    'editorHoverWidget-foreground': '#3b3b3b',
    'editorHoverWidget-border': '#c8c8c8',
    'widget-shadow': 'rgba(0, 0, 0, 0.16)',
    'toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)',
    'inputOption-activeBackground': 'rgba(190, 230, 253, 0.5)',
    'inputOption-activeBorder': '#005fb8',
  },
};

function themeCss(theme: 'dark' | 'light', background: string): string {
  const vars = Object.entries(THEMES[theme])
    .map(([k, v]) => `  --vscode-${k}: ${v};`)
    .join('\n');
  return (
    `:root {\n${vars}\n  --vscode-font-family: system-ui, "Ubuntu", "Droid Sans", sans-serif;\n  --vscode-font-size: 13px;\n}\n` +
    `html { background: var(--vscode-${background}-background); }\n` +
    // What VS Code's webview host injects before the page's own styles.
    'body { background-color: transparent; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); margin: 0; padding: 0 20px; }\n'
  );
}

const STUB_VSCODE_API = `
  window.__posted = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
`;

interface Harness {
  url(theme: 'dark' | 'light', background?: 'panel' | 'sideBar' | 'editor'): string;
  close(): Promise<void>;
}

/** Serves the real page (timelinePage) with its real CSP, the media files, and a theme stylesheet, on 127.0.0.1. */
async function startHarness(): Promise<Harness> {
  const nonce = 'bench-nonce-0123456789';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/timeline.html') {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
      const page = timelinePage({
        cspSource: origin,
        nonce,
        coreScript: `${origin}/media/timeline-core.js`,
        script: `${origin}/media/timeline.js`,
        style: `${origin}/media/timeline.css`,
      })
        .replace(
          '<link rel="stylesheet"',
          `<link rel="stylesheet" href="${origin}/theme.css?${url.searchParams}">\n<link rel="stylesheet"`,
        )
        .replace('<body>', `<body class="vscode-${theme}">`);
      return send('text/html; charset=utf-8', page);
    }
    if (url.pathname === '/theme.css') {
      const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
      return send('text/css', themeCss(theme, url.searchParams.get('background') ?? 'panel'));
    }
    const media = /^\/media\/(timeline(?:-core)?\.(?:js|css))$/.exec(url.pathname);
    if (media)
      return send(
        media[1].endsWith('.css') ? 'text/css' : 'text/javascript',
        fs.readFileSync(path.join(ROOT, 'media', media[1])),
      );
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (theme, background = 'panel') =>
      `http://127.0.0.1:${port}/timeline.html?theme=${theme}&background=${background}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function openPage(
  browser: Browser,
  harness: Harness,
  size: { width: number; height: number },
  theme: 'dark' | 'light' = 'dark',
  background: 'panel' | 'sideBar' | 'editor' = 'panel',
  deviceScaleFactor = 1,
): Promise<Page> {
  const page = await browser.newPage({ viewport: size, deviceScaleFactor });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message ?? String(e)));
  page.on('console', (m) => {
    if (m.type?.() === 'error') errors.push(m.text?.() ?? '');
  });
  await page.addInitScript({ content: STUB_VSCODE_API });
  await page.goto(harness.url(theme, background));
  await page.waitForFunction('window.sflowTimeline !== undefined && window.__posted.some((m) => m.type === "ready")');
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

/** Stores an update in the page (outside the timing), to be posted later. */
async function stage(page: Page, update: Update): Promise<void> {
  // As the extension sends it: the update as one JSON string (src/extension/timeline-view.ts).
  await page.evaluate(`void (window.__update = { type: 'update', json: ${JSON.stringify(JSON.stringify(update))} })`);
}

interface Delivery {
  /** from postMessage to the end of the view's message handler (structured clone, ingest, draw) */
  handledMs: number;
  /** the view's own figure: handling the update, drawing included */
  drawMs: number;
  /** from postMessage to the next animation frame (the drawn canvas goes to the screen then) */
  frameMs: number;
}

/** Posts a reset and the staged update as the extension does, and times it to the drawn frame. */
async function deliver(page: Page): Promise<Delivery> {
  return page.evaluate<Delivery>(`new Promise((resolve) => {
    window.postMessage({ type: 'reset' }, '*');
    setTimeout(() => {
      let handled;
      const after = () => { handled = performance.now(); window.removeEventListener('message', after); };
      const t0 = performance.now();
      window.postMessage(window.__update, '*');
      window.addEventListener('message', after); // runs after the view's listener, added at load
      const wait = () => handled === undefined ? setTimeout(wait, 0) : requestAnimationFrame(() => resolve({
        handledMs: handled - t0, drawMs: window.sflowTimeline.drawMs, frameMs: performance.now() - t0,
      }));
      wait();
    }, 50);
  })`);
}

const NEXT_FRAME =
  'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve({ ms: window.sflowTimeline.frameMs, frames: window.sflowTimeline.frames }))))';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

interface PlotBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The plot's box in the page: from the marks the view reports and the canvas's size. */
async function plotBox(page: Page): Promise<PlotBox> {
  return page.evaluate<PlotBox>(`(() => {
    const r = document.getElementById('canvas').getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  })()`);
}

/**
 * Frame times while Ctrl+wheel zooms in then out at one point (a plain wheel would scroll the lanes here: 14 lanes
 * overflow 300 px), and while dragging: each step waits for its frame.
 */
async function interactionFrames(page: Page): Promise<{ zoom: number[]; pan: number[]; framesPerStep: number }> {
  const box = await plotBox(page);
  const x = box.x + box.width * 0.6;
  const y = box.y + Math.min(box.height - 10, 60);
  await page.mouse.move(x, y);
  const zoom: number[] = [];
  let framesBefore = (await page.evaluate<{ frames: number }>(NEXT_FRAME)).frames;
  const start = framesBefore;
  await page.keyboard.down('Control');
  for (const dy of [...Array(60).fill(-100), ...Array(60).fill(100)]) {
    await page.mouse.wheel(0, dy);
    const f = await page.evaluate<{ ms: number; frames: number }>(NEXT_FRAME);
    if (f.frames > framesBefore) zoom.push(f.ms);
    framesBefore = f.frames;
  }
  const framesPerStep = (framesBefore - start) / 120;
  // Zoom in 25 notches, then drag the chart 60 times 8 px.
  for (let i = 0; i < 25; i++) await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  await page.evaluate(NEXT_FRAME);
  const pan: number[] = [];
  await page.mouse.move(box.x + box.width * 0.8, y);
  await page.mouse.down();
  framesBefore = (await page.evaluate<{ frames: number }>(NEXT_FRAME)).frames;
  for (let i = 1; i <= 60; i++) {
    await page.mouse.move(box.x + box.width * 0.8 - i * 8, y);
    const f = await page.evaluate<{ ms: number; frames: number }>(NEXT_FRAME);
    if (f.frames > framesBefore) pan.push(f.ms);
    framesBefore = f.frames;
  }
  await page.mouse.up();
  return { zoom, pan, framesPerStep };
}

/** The median of `runs` deliveries of one update, each into an empty view (the first run is the cold one). */
async function deliveries(page: Page, update: Update, runs: number): Promise<Delivery> {
  await stage(page, update);
  const all: Delivery[] = [];
  for (let i = 0; i < runs; i++) all.push(await deliver(page));
  const pick = (key: keyof Delivery) => median(all.map((d) => d[key]));
  return { handledMs: pick('handledMs'), drawMs: pick('drawMs'), frameMs: pick('frameMs') };
}

export async function timelineBench(): Promise<{ name: string; value: string }[] | undefined> {
  const playwright = loadPlaywright();
  if (typeof playwright === 'string') {
    console.log(`timeline bench skipped: ${playwright}`);
    return undefined;
  }
  const harness = await startHarness();
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const rows: { name: string; value: string }[] = [];
    const page = await openPage(browser, harness, { width: 1400, height: 300 });
    const kvm = kvmUpdate();
    const k = await deliveries(page, kvm, 7);
    rows.push({
      name: `timeline: draw after a stop, KVM example (${kvm.events.length} events)`,
      value: `${ms(k.drawMs)} (posted to drawn ${ms(k.handledMs)})`,
    });

    const big = syntheticUpdate(100_000);
    const b = await deliveries(page, big, 5);
    rows.push({
      name: 'timeline: draw an update of 100,000 events (synthetic, 14 lanes)',
      value: `${ms(b.drawMs)} (posted to drawn ${ms(b.handledMs)})`,
    });

    // Stops with that history behind it: each posts 10 new events and moves the cursor.
    await deliver(page);
    const last = big.events[big.events.length - 1];
    const stops: Delivery[] = [];
    for (let i = 1; i <= 5; i++) {
      const events = Array.from({ length: 10 }, (_, k) => ({
        ...last,
        seq: last.seq + i * 10 + k,
        t: last.t + (i * 10 + k) * 1000,
      }));
      const stop: Update = { ...big, events, position: last.seq + i * 10 + 10, now: last.t + (i * 10 + 10) * 1000 };
      stops.push(
        await page.evaluate<Delivery>(`new Promise((resolve) => {
        const t0 = performance.now();
        window.postMessage({ type: 'update', json: ${JSON.stringify(JSON.stringify(stop))} }, '*');
        const after = () => {
          window.removeEventListener('message', after);
          resolve({ handledMs: performance.now() - t0, drawMs: window.sflowTimeline.drawMs, frameMs: 0 });
        };
        window.addEventListener('message', after);
      })`),
      );
    }
    rows.push({
      name: 'timeline: draw after a stop, 100,000 events of history (10 new)',
      value: `${ms(median(stops.map((d) => d.drawMs)))} (posted to drawn ${ms(median(stops.map((d) => d.handledMs)))})`,
    });

    await deliver(page);
    const frames = await interactionFrames(page);
    if (frames.framesPerStep < 0.9)
      throw new Error(`the wheel drew ${frames.framesPerStep.toFixed(2)} frames per step: it did not zoom`);
    rows.push({
      name: 'timeline: zoom frame, 100,000 events (median / p95)',
      value: `${ms(median(frames.zoom))} / ${ms(percentile(frames.zoom, 95))} (${frames.zoom.length} frames)`,
    });
    rows.push({
      name: 'timeline: drag-pan frame, 100,000 events (median / p95)',
      value: `${ms(median(frames.pan))} / ${ms(percentile(frames.pan, 95))} (${frames.pan.length} frames)`,
    });
    const errors = pageErrors(page);
    if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    await page.close();
    return rows;
  } finally {
    await browser.close();
    await harness.close();
  }
}

// ------------------------------------------------------------------------------------------ screenshots

const SIZES = [
  { name: 'sidebar', width: 320, height: 180, background: 'sideBar' as const },
  { name: 'panel', width: 1400, height: 260, background: 'panel' as const },
  { name: 'editor', width: 1200, height: 700, background: 'editor' as const },
];

/**
 * Pictures to look at: each size, dark and light, with the KVM example stepped back to its second SYSTEM_SUSPEND
 * (so the recorded future is shaded): the whole run, then zoomed to 10.000-10.030 ms hovering the first
 * SYSTEM_SUSPEND, then the session ended. Then the key shown, a 2x display, and the 100,000-event history.
 */
export async function timelineScreenshots(dir: string): Promise<string[]> {
  const playwright = loadPlaywright();
  if (typeof playwright === 'string') throw new Error(playwright);
  fs.mkdirSync(dir, { recursive: true });
  const harness = await startHarness();
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const written: string[] = [];
  try {
    const kvm = kvmUpdate();
    const stop = kvm.events.find((e) => e.t === 10_024_000 && e.kind === 'psci');
    const update: Update = stop ? { ...kvm, position: stop.seq + 1, now: stop.t } : kvm;
    for (const theme of ['dark', 'light'] as const) {
      for (const size of SIZES) {
        const page = await openPage(browser, harness, size, theme, size.background);
        await stage(page, update);
        await deliver(page);
        const shot = async (what: string) => {
          const file = path.join(dir, `${size.name}-${theme}-${what}.png`);
          await page.screenshot({ path: file });
          written.push(file);
        };
        await shot('fit');
        await page.evaluate('window.sflowTimeline.setView({ from: 10000000, to: 10030000 })');
        await page.evaluate(NEXT_FRAME);
        const target = await page.evaluate<{ x: number; y: number } | undefined>(
          `window.sflowTimeline.marks().find((m) => m.t === 10005000 && m.kind === 'psci')`,
        );
        if (target) {
          const box = await plotBox(page);
          await page.mouse.move(box.x + target.x, box.y + target.y);
          await page.evaluate(NEXT_FRAME);
        }
        await shot('zoomed-hover');
        await page.mouse.move(0, 0);
        await page.evaluate(`window.postMessage({ type: 'ended' }, '*')`);
        await page.evaluate('window.sflowTimeline.setView(undefined)');
        await page.evaluate(NEXT_FRAME);
        await shot('ended');
        const errors = pageErrors(page);
        if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
        await page.close();
      }
    }
    const extra = async (
      name: string,
      size: { width: number; height: number },
      data: Update,
      scale: number,
      act: (page: Page) => Promise<void>,
    ) => {
      const page = await openPage(browser, harness, size, 'dark', 'panel', scale);
      await stage(page, data);
      await deliver(page);
      await act(page);
      await page.evaluate(NEXT_FRAME);
      const file = path.join(dir, `${name}.png`);
      await page.screenshot({ path: file });
      written.push(file);
      const errors = pageErrors(page);
      if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
      await page.close();
    };
    await extra('panel-dark-key', { width: 1400, height: 260 }, update, 1, (page) =>
      page.evaluate(`document.getElementById('key-toggle').click()`),
    );
    await extra('sidebar-dark-dpr2', { width: 320, height: 180 }, update, 2, async () => {});
    const big = syntheticUpdate(100_000);
    await extra('panel-dark-100k-fit', { width: 1400, height: 260 }, big, 1, async () => {});
    await extra('panel-dark-100k-zoomed', { width: 1400, height: 260 }, big, 1, async (page) => {
      const from = big.events[50_000].t;
      await page.evaluate(`window.sflowTimeline.setView({ from: ${from}, to: ${from + 2_000_000} })`);
    });
  } finally {
    await browser.close();
    await harness.close();
  }
  return written;
}

// Run directly (npx tsx bench/timeline.ts), not when bundled into dist/bench.js, where require.main is the bundle.
if (require.main === module && path.basename(__filename) === 'timeline.ts') {
  void (async () => {
    const shots = process.argv.indexOf('--shots');
    if (shots >= 0) {
      const dir =
        process.argv[shots + 1] && !process.argv[shots + 1].startsWith('-')
          ? process.argv[shots + 1]
          : '/tmp/timeline-shots';
      for (const file of await timelineScreenshots(dir)) console.log(file);
    }
    const rows = await timelineBench();
    if (rows) for (const row of rows) console.log(`${row.name.padEnd(70)}  ${row.value}`);
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
