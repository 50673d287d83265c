// The debug adapter's latencies over stdio with a long history behind it (issue 4's aims: `next` under 0.5 ms
// median; stepBack under 1 ms median with 1,000,000 events of history, state restored exactly; adapter memory under
// 60 MB after that history). Drives the built adapter with the real DAP client.

import { DebugClient } from '@vscode/debugadapter-testsupport';
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

const ROOT = path.resolve(__dirname, '..');

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export interface DapFigures {
  historyEvents: number;
  runToBreakpointMs: number;
  nextMs: number;
  chainMs: number;
  stepBackMs: number;
  restored: string;
  /** right after the last step */
  busyRssMb: number;
  /** after the client has been quiet for 1.5 s (the adapter collects garbage when idle) */
  rssMb: number;
  peakMb: number;
}

export async function dapBench(history = 500_000, samples = 300): Promise<DapFigures> {
  const template = fs.readFileSync(path.join(ROOT, 'bench/dap-history.sflow'), 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-bench-'));
  const program = path.join(dir, 'history.sflow');
  fs.writeFileSync(program, template.replace('HISTORY', String(history)));
  const line = template.split('\n').findIndex((l) => /^\s+signal go$/.test(l)) + 1;

  // DAPBENCH_NODE_OPTIONS lets the figures be taken with V8 flags for comparison.
  const env = process.env.DAPBENCH_NODE_OPTIONS
    ? { ...process.env, NODE_OPTIONS: process.env.DAPBENCH_NODE_OPTIONS }
    : process.env;
  const dc = new DebugClient('node', path.join(ROOT, 'dist/debugAdapter.js'), 'suspend-flow', { env });
  await dc.start();
  const pid = (dc as unknown as { _adapterProcess: ChildProcess })._adapterProcess.pid!;
  try {
    await dc.initializeRequest({
      adapterID: 'suspend-flow',
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: 'path',
    });
    await dc.launch({ program } as never);
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line }] });
    const t0 = performance.now();
    const first = dc.waitForEvent('stopped', 600_000);
    await dc.configurationDoneRequest();
    await first;
    const runToBreakpointMs = performance.now() - t0;
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const trace = await dc.customRequest('trace');
    const historyEvents = (trace.body.events.at(-1)?.seq ?? -1) + 1;

    const state = async () => {
      const st = await dc.stackTraceRequest({ threadId: 2 });
      const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
      const vars = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
      return JSON.stringify({
        line: st.body.stackFrames[0].line,
        vars: vars.body.variables.map((v) => [v.name, v.value]),
      });
    };
    const step = async (command: 'next' | 'stepBack') => {
      const stopped = dc.waitForEvent('stopped');
      const s = performance.now();
      await (command === 'next' ? dc.nextRequest({ threadId: 2 }) : dc.stepBackRequest({ threadId: 2 }));
      await stopped;
      return performance.now() - s;
    };

    const nexts: number[] = [];
    const chains: number[] = [];
    const before: string[] = [];
    for (let i = 0; i < samples; i++) {
      if (i % 10 === 0) {
        const c0 = performance.now();
        before.push(await state());
        chains.push(performance.now() - c0);
      }
      nexts.push(await step('next'));
    }
    const backs: number[] = [];
    let restored = 0;
    let checked = 0;
    for (let i = samples - 1; i >= 0; i--) {
      backs.push(await step('stepBack'));
      if (i % 10 === 0) {
        checked++;
        const now = await state();
        if (now === before[i / 10]) restored++;
        else if (process.env.DAPBENCH_VERBOSE) console.error(`step ${i}: before ${before[i / 10]}\n      after ${now}`);
      }
    }
    const busy = memoryOf(pid);
    await new Promise((r) => setTimeout(r, 2500));
    const mem = memoryOf(pid);
    return {
      historyEvents,
      runToBreakpointMs,
      nextMs: median(nexts),
      chainMs: median(chains),
      stepBackMs: median(backs),
      restored: `${restored}/${checked}`,
      busyRssMb: busy.rss,
      rssMb: mem.rss,
      peakMb: mem.peak,
    };
  } finally {
    await dc.disconnectRequest().catch(() => undefined);
    await dc.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
