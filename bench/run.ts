// `npm run bench`: figures for the simulator, printed as a table. Targets (issue 2): over 2,000,000 simulated
// statements per second; a snapshot of a 16-vCPU, 64-device machine under 1 ms.

import { performance } from 'perf_hooks';
import { check } from '../src/lang/checker';
import { hasErrors, formatDiagnostic } from '../src/lang/diagnostics';
import { SourceFile } from '../src/lang/source';
import { preludeFiles } from '../src/lang/prelude';
import { Machine } from '../src/sim/machine';
import '../src/sim/reactions';
import { dapBench } from './dap';
import { lspBench } from './lsp';
import { exploreBench } from './explore';
import { timelineBench } from './timeline';

function compile(text: string) {
  const r = check([new SourceFile('bench.sflow', text), ...preludeFiles()]);
  if (hasErrors(r.diagnostics)) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.program;
}

/** 4 vCPUs, each counting to `perVcpu / 4` in a loop of plain statements, with PSCI calls mixed in. */
export function longScenario(statements: number): string {
  // The loop body is 3 statements (set, set, if) plus the loop's jump back, which is not a statement.
  const iterations = Math.ceil(statements / 4 / 3);
  const program = (i: number) => `
g.vcpu${i} {
  set x1 = 0
  loop {
    set x1 = x1 + 1
    set x2 = (x2 ^ x1) + ${i}
    if x1 == ${iterations} { break }
  }
  psci AFFINITY_INFO target=vcpu${i} level=0
  expect x0 == ON
}`;
  return `vm g {\n  hypervisor kvm\n  vcpus 4\n}\n${[0, 1, 2, 3].map(program).join('\n')}\n`;
}

/** A 16-vCPU machine with half virtio-net, half passthrough functions, every vCPU idle in WFI. */
function bigMachine(vcpus: number, devices: number): string {
  const devs = Array.from(
    { length: devices },
    (_, i) =>
      `  device d${i} ${i % 2 ? 'passthrough' : 'virtio-net'} at 00:${(i % 32).toString(16).padStart(2, '0')}.${Math.floor(i / 32)} irq ${40 + i}`,
  ).join('\n');
  const programs = Array.from(
    { length: vcpus },
    (_, i) => `big.vcpu${i} {\n  set x${i % 30} = ${i}\n  irq enable ${40 + i} wake\n  wfi\n}`,
  ).join('\n');
  return `vm big {\n  hypervisor kvm\n  vcpus ${vcpus}\n${devs}\n}\n${programs}\n`;
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function statementsPerSecond(): { statements: number; seconds: number; rate: number } {
  const program = compile(longScenario(1_000_000));
  // Warm up the JIT on a short run first.
  new Machine(compile(longScenario(50_000))).run();
  const m = new Machine(program);
  const t0 = performance.now();
  const stop = m.run({ maxSteps: 10_000_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (stop.kind !== 'outcome' || stop.outcome.kind !== 'finished' || m.state.expectFailures)
    throw new Error('bench scenario did not finish green');
  const statements = m.state.vms[0].vcpus.reduce((n, v) => n + v.executed, 0);
  return { statements, seconds, rate: statements / seconds };
}

function snapshotCost(vcpus: number, devices: number): { snapshotMs: number; restoreMs: number } {
  const m = new Machine(compile(bigMachine(vcpus, devices)));
  m.run({ maxSteps: vcpus * 3 });
  const snaps: number[] = [];
  const restores: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    const s = m.snapshot();
    const t1 = performance.now();
    m.restore(s);
    const t2 = performance.now();
    snaps.push(t1 - t0);
    restores.push(t2 - t1);
  }
  return { snapshotMs: median(snaps), restoreMs: median(restores) };
}

async function main(): Promise<void> {
  const rows: [string, string, string][] = [];
  const sps = statementsPerSecond();
  rows.push([
    'simulated statements/s (4 vCPUs, 1M statements)',
    Math.round(sps.rate).toLocaleString('en-US'),
    '> 2,000,000',
  ]);
  rows.push([
    '  run time',
    `${(sps.seconds * 1000).toFixed(0)} ms for ${sps.statements.toLocaleString('en-US')} statements`,
    '',
  ]);
  const snap = snapshotCost(16, 64);
  rows.push(['snapshot, 16 vCPUs, 64 devices (median)', `${(snap.snapshotMs * 1000).toFixed(1)} us`, '< 1 ms']);
  rows.push(['restore, 16 vCPUs, 64 devices (median)', `${(snap.restoreMs * 1000).toFixed(1)} us`, '']);
  for (const [name, what] of [
    ['explore.sflow', 'isolated'],
    ['explore-host.sflow', 'tied to the host'],
  ]) {
    const ex = exploreBench(name);
    rows.push([`explore, 2 VMs x 2 vCPUs, 2 windows, ${what} (bench/${name})`, '', '']);
    rows.push([
      '  with partial-order reduction',
      `${ex.reduced.states.toLocaleString('en-US')} states, ${ex.reduced.ms.toFixed(0)} ms, ${Math.round(ex.reduced.rate).toLocaleString('en-US')} states/s`,
      '> 100,000 states/s',
    ]);
    rows.push([
      '  without',
      `${ex.plain.states.toLocaleString('en-US')} states, ${ex.plain.ms.toFixed(0)} ms, ${Math.round(ex.plain.rate).toLocaleString('en-US')} states/s`,
      '',
    ]);
    rows.push([
      '  states without / with, verdicts',
      `${(ex.plain.states / ex.reduced.states).toFixed(1)}x, ${ex.reduced.verdict} / ${ex.plain.verdict}`,
      '>= 5x, same',
    ]);
  }
  const dap = await dapBench();
  rows.push([`debug adapter over stdio, ${dap.historyEvents.toLocaleString('en-US')} events of history`, '', '']);
  rows.push(['  run to the breakpoint after that history', `${dap.runToBreakpointMs.toFixed(0)} ms`, '']);
  rows.push(['  next round trip (median)', `${dap.nextMs.toFixed(3)} ms`, '< 0.5 ms']);
  rows.push(['  threads/stackTrace/scopes/variables (median)', `${dap.chainMs.toFixed(3)} ms`, '']);
  rows.push(['  stepBack round trip (median)', `${dap.stepBackMs.toFixed(3)} ms`, '< 1 ms']);
  rows.push(['  stops whose line and registers stepBack restored', dap.restored, 'all']);
  rows.push(['  adapter RSS right after the last step', `${dap.busyRssMb.toFixed(1)} MB`, '']);
  rows.push([
    '  adapter memory after the history, idle (RSS / peak)',
    `${dap.rssMb.toFixed(1)} MB / ${dap.peakMb.toFixed(1)} MB`,
    '< 60 MB',
  ]);
  const lsp = await lspBench();
  rows.push([`language server, ${lsp.lines.toLocaleString('en-US')}-line scenario`, '', '']);
  rows.push(['  open to first diagnostics', `${lsp.openMs.toFixed(0)} ms`, '']);
  rows.push([
    '  edit to diagnostics (median / p90)',
    `${lsp.editMedianMs.toFixed(1)} ms / ${lsp.editP90Ms.toFixed(1)} ms`,
    '< 50 ms',
  ]);
  const timeline = await timelineBench();
  const aims: Record<string, string> = { draw: '< 200 ms', zoom: '< 16 ms', 'drag-pan': '< 16 ms' };
  for (const row of timeline ?? [
    { name: 'timeline view (headless Chromium)', value: 'skipped: run scripts/e2e/setup.sh first' },
  ]) {
    rows.push([
      row.name,
      row.value,
      aims[Object.keys(aims).find((k) => row.name.startsWith(`timeline: ${k}`)) ?? ''] ?? '',
    ]);
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`${'measure'.padEnd(width)}  ${'value'.padEnd(34)}  aim`);
  for (const [name, value, aim] of rows) console.log(`${name.padEnd(width)}  ${value.padEnd(34)}  ${aim}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
