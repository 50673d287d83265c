// The Chrome trace-event export (src/sim/export/chrome-trace.ts), checked against the format's rules (Google's
// "Trace Event Format": required fields, phases, µs timestamps, metadata events) and against the run it exports.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { hasErrors } from '../../src/lang/diagnostics';
import { Program } from '../../src/lang/program';
import { ChromeTrace, ChromeTraceEvent, chromeTraceText, toChromeTrace } from '../../src/sim/export/chrome-trace';
import { laneStates } from '../../src/sim/export/lane-states';
import { Machine } from '../../src/sim/machine';
import { TraceEvent } from '../../src/sim/trace';
import { checkSource, eventsOf } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

interface Exported {
  program: Program;
  events: TraceEvent[];
  endTime: number;
  trace: ChromeTrace;
}

function exportExample(name: string): Exported {
  const file = path.join(ROOT, 'examples', name);
  const checked = checkSource(fs.readFileSync(file, 'utf8'), file);
  assert.ok(!hasErrors(checked.diagnostics), `${name} has errors`);
  const machine = new Machine(checked.program);
  const events: TraceEvent[] = [];
  machine.onEvent((e) => events.push(e));
  machine.run({ maxSteps: 1_000_000 });
  const endTime = machine.state.now;
  return {
    program: checked.program,
    events,
    endTime,
    trace: toChromeTrace(checked.program, events, endTime, { traceHash: machine.traceHash() }),
  };
}

/** The format's phases for what this exporter writes: duration (B/E), complete, instant, metadata. */
const ALLOWED_PHASES = new Set(['B', 'E', 'X', 'i', 'M']);

function trackKey(e: ChromeTraceEvent): string {
  return `${e.pid}:${e.tid}`;
}

function threadNamed(trace: ChromeTrace, name: string): ChromeTraceEvent {
  const meta = trace.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === name);
  assert.ok(meta, `a thread named ${name}`);
  return meta;
}

function deviceThread(trace: ChromeTrace, device: string): ChromeTraceEvent {
  const meta = trace.traceEvents.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && String(e.args?.name).startsWith(`${device} (`),
  );
  assert.ok(meta, `a thread for device ${device}`);
  return meta;
}

function slicesOn(trace: ChromeTrace, track: ChromeTraceEvent): ChromeTraceEvent[] {
  return trace.traceEvents.filter((e) => e.ph === 'X' && trackKey(e) === trackKey(track));
}

/** µs back to the simulator's integer ns, for comparisons without float noise. */
function ns(us: number): number {
  return Math.round(us * 1000);
}

for (const example of ['kvm-system-suspend.sflow', 'vfio-d3hot.sflow']) {
  describe(`Chrome trace export of ${example}`, () => {
    const x = exportExample(example);
    const { trace } = x;

    it('gives every event the required fields and an allowed phase', () => {
      assert.ok(trace.traceEvents.length > 0);
      for (const e of trace.traceEvents) {
        const where = JSON.stringify(e);
        assert.strictEqual(typeof e.name, 'string', where);
        assert.ok(e.name.length > 0, where);
        assert.ok(ALLOWED_PHASES.has(e.ph), where);
        assert.ok(typeof e.ts === 'number' && Number.isFinite(e.ts) && e.ts >= 0, where);
        assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid), where);
        if (e.ph === 'X') assert.ok(typeof e.dur === 'number' && Number.isFinite(e.dur) && e.dur >= 0, where);
        else assert.strictEqual(e.dur, undefined, where);
        if (e.ph === 'i') assert.strictEqual(e.s, 't', where);
      }
      assert.strictEqual(trace.displayTimeUnit, 'ns');
    });

    it('names and orders every process and thread it uses', () => {
      const meta = trace.traceEvents.filter((e) => e.ph === 'M');
      const has = (name: string, e: ChromeTraceEvent) =>
        meta.some(
          (m) => m.name === name && (name.startsWith('process') ? m.pid === e.pid : trackKey(m) === trackKey(e)),
        );
      for (const e of trace.traceEvents.filter((ev) => ev.ph !== 'M')) {
        assert.ok(has('process_name', e), `process_name for pid ${e.pid}`);
        assert.ok(has('process_sort_index', e), `process_sort_index for pid ${e.pid}`);
        assert.ok(has('thread_name', e), `thread_name for ${trackKey(e)}`);
        assert.ok(has('thread_sort_index', e), `thread_sort_index for ${trackKey(e)}`);
      }
      for (const m of meta) {
        if (m.name.endsWith('_name')) assert.strictEqual(typeof m.args?.name, 'string');
        if (m.name.endsWith('_sort_index')) assert.strictEqual(typeof m.args?.sort_index, 'number');
      }
      // Declaration order: the host first, then the VM; in the VM its vCPUs, then its devices.
      const processes = meta
        .filter((m) => m.name === 'process_sort_index')
        .sort((a, b) => (a.args!.sort_index as number) - (b.args!.sort_index as number));
      const processName = (pid: number) => meta.find((m) => m.name === 'process_name' && m.pid === pid)!.args!.name;
      assert.deepStrictEqual(
        processes.map((p) => processName(p.pid)),
        ['host', 'guest (kvm)'],
      );
      const vmPid = processes[1].pid;
      const threads = meta
        .filter((m) => m.name === 'thread_sort_index' && m.pid === vmPid)
        .sort((a, b) => (a.args!.sort_index as number) - (b.args!.sort_index as number));
      const threadName = (t: ChromeTraceEvent) =>
        meta.find((m) => m.name === 'thread_name' && trackKey(m) === trackKey(t))!.args!.name as string;
      const vm = x.program.vms[0];
      const expected = [
        ...Array.from({ length: vm.vcpuCount }, (_, i) => `vcpu${i}`),
        ...vm.devices.map((d) => d.name),
      ];
      assert.deepStrictEqual(
        threads.map((t) => threadName(t).split(' ')[0]),
        expected,
      );
    });

    it('keeps thread ids unique over the whole trace and apart from the process ids', () => {
      const named = trace.traceEvents.filter((e) => e.name === 'thread_name');
      const tids = named.map((e) => e.tid);
      assert.strictEqual(new Set(tids).size, tids.length);
      const pids = new Set(trace.traceEvents.map((e) => e.pid));
      for (const tid of tids) assert.ok(!pids.has(tid), `tid ${tid} is also a pid`);
    });

    it('lays each track out as slices from time 0 to the end of the run that never overlap', () => {
      const tracks = new Map<string, ChromeTraceEvent[]>();
      for (const e of trace.traceEvents.filter((ev) => ev.ph === 'X'))
        tracks.set(trackKey(e), [...(tracks.get(trackKey(e)) ?? []), e]);
      assert.strictEqual(
        tracks.size,
        trace.traceEvents.filter((e) => e.name === 'thread_name').length,
        'every track has its states',
      );
      for (const [key, slices] of tracks) {
        assert.strictEqual(ns(slices[0].ts), 0, `${key} starts at 0`);
        for (let i = 1; i < slices.length; i++) {
          const prev = slices[i - 1];
          assert.ok(ns(slices[i].ts) >= ns(prev.ts), `${key}: in time order`);
          assert.ok(
            ns(prev.ts + prev.dur!) <= ns(slices[i].ts),
            `${key}: ${prev.name} ends before ${slices[i].name} starts`,
          );
          assert.strictEqual(ns(prev.ts + prev.dur!), ns(slices[i].ts), `${key}: no gap`);
        }
        const last = slices[slices.length - 1];
        assert.strictEqual(ns(last.ts + last.dur!), x.endTime, `${key} closes at the end of the run`);
      }
    });

    it('round-trips through JSON.parse', () => {
      const text = chromeTraceText(trace);
      assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(trace)));
      assert.deepStrictEqual(JSON.parse(text).traceEvents.length, trace.traceEvents.length);
      assert.strictEqual(text.split('\n').length, trace.traceEvents.length + 3, 'one event per line');
    });

    it('gives each vCPU one power slice per power event of the run, with its MP state', () => {
      const vm = x.program.vms[0];
      for (let vcpu = 0; vcpu < vm.vcpuCount; vcpu++) {
        const slices = slicesOn(trace, threadNamed(trace, `vcpu${vcpu}`));
        const power = eventsOf(x.events, 'power').filter((e) => e.vm === 0 && e.vcpu === vcpu);
        const initial = vm.programEntry[vcpu] >= 0 ? ['ON', 'RUNNABLE'] : ['OFF', 'STOPPED'];
        assert.deepStrictEqual(
          slices.map((s) => [s.name, s.args?.mp_state, ns(s.ts)]),
          [[...initial, 0], ...power.map((e) => [e.to, e.mp, e.t])],
          `vcpu${vcpu}`,
        );
        for (const s of slices) assert.strictEqual(s.cat, 'power');
      }
    });

    it('gives each device one D-state slice per change of its power state, and splits it only where virtio status changes', () => {
      for (const d of x.program.vms[0].devices) {
        const slices = slicesOn(trace, deviceThread(trace, d.name));
        const changes = eventsOf(x.events, 'device').filter(
          (e) => e.device === d.name && /^D\w+ -> D\w+$/.test(e.what),
        );
        const changeSeqs = new Set(changes.map((e) => e.seq));
        const started = slices.filter((s, i) => i === 0 || changeSeqs.has(s.args?.seq as number));
        assert.deepStrictEqual(
          started.map((s) => [s.name, ns(s.ts)]),
          [['D0', 0], ...changes.map((e) => [e.what.split(' -> ')[1], e.t])],
        );
        slices.forEach((s, i) => {
          if (i > 0 && !changeSeqs.has(s.args?.seq as number)) {
            assert.strictEqual(s.name, slices[i - 1].name, 'a slice not started by a D-state change keeps the D-state');
            assert.notStrictEqual(
              s.args?.virtio_status,
              slices[i - 1].args?.virtio_status,
              'and is there for a new virtio status',
            );
          }
        });
      }
    });
  });
}

describe('Chrome trace export: what the runs show', () => {
  it('puts the SYSTEM_SUSPEND calls on vcpu0 at the simulator time in µs, with their results', () => {
    const x = exportExample('kvm-system-suspend.sflow');
    const calls = eventsOf(x.events, 'psci.call').filter((e) => e.fn === 'SYSTEM_SUSPEND');
    assert.strictEqual(calls.length, 2);
    const vcpu0 = threadNamed(x.trace, 'vcpu0');
    const instants = x.trace.traceEvents.filter((e) => e.ph === 'i' && e.name === 'PSCI SYSTEM_SUSPEND');
    assert.deepStrictEqual(
      instants.map((e) => e.ts),
      calls.map((e) => e.t / 1000),
    );
    assert.deepStrictEqual(
      instants.map((e) => e.ts),
      [10005, 10024],
      'the example calls at 10.005 ms and 10.024 ms',
    );
    for (const e of instants) {
      assert.strictEqual(trackKey(e), trackKey(vcpu0));
      assert.strictEqual(e.cat, 'psci');
      assert.strictEqual(e.args?.function, 'SYSTEM_SUSPEND');
      assert.strictEqual(e.args?.id, '0xc400000e');
      assert.strictEqual(e.args?.x2, '0xc0ffee', 'the context id');
    }
    assert.deepStrictEqual(
      instants.map((e) => e.args?.result),
      ['DENIED', 'did not return'],
    );
    assert.strictEqual(instants[0].args?.result_value, '-3');
  });

  it('shows the VMM exits and answers, and the wake-up interrupt, as instants on the vCPU', () => {
    const x = exportExample('kvm-system-suspend.sflow');
    const vcpu0 = trackKey(threadNamed(x.trace, 'vcpu0'));
    const on = x.trace.traceEvents.filter((e) => e.ph === 'i' && trackKey(e) === vcpu0).map((e) => e.name);
    for (const name of [
      'exit SUSPEND',
      'VMM answers SUSPEND',
      'exit WAKEUP',
      'VMM answers WAKEUP',
      'irq 33 raised',
      'irq 33 wakes',
    ])
      assert.ok(on.includes(name), name);
    const answer = x.trace.traceEvents.find(
      (e) => e.name === 'VMM answers SUSPEND' && e.args?.result === 'KVM_SET_MP_STATE(SUSPENDED)',
    );
    assert.ok(answer);
  });

  it('shows a PMCSR write to D3hot as an instant on its device with the state', () => {
    const x = exportExample('vfio-d3hot.sflow');
    const writes = x.trace.traceEvents.filter((e) => e.ph === 'i' && e.cat === 'pmcsr' && e.args?.state === 'D3hot');
    assert.deepStrictEqual(
      writes.map((e) => e.args?.device),
      ['nic', 'gpu'],
    );
    assert.strictEqual(trackKey(writes[0]), trackKey(threadNamed(x.trace, 'nic (passthrough 00:04.0)')));
    assert.strictEqual(trackKey(writes[1]), trackKey(threadNamed(x.trace, 'gpu (passthrough 00:05.0)')));
    assert.strictEqual(writes[0].name, 'PMCSR write D3hot');
    const source = eventsOf(x.events, 'pci.config').find(
      (e) => e.device === 'nic' && e.note.startsWith('PowerState D0 -> D3hot'),
    )!;
    assert.strictEqual(writes[0].ts, source.t / 1000);
    // The GPU's write keeps No_Soft_Reset (bit 3) in the register value; the state is bits 1:0.
    assert.strictEqual(writes[1].args?.value, '0xb');
  });

  it('carries the virtio status in the device slices where it changes', () => {
    const x = exportExample('kvm-system-suspend.sflow');
    const slices = slicesOn(x.trace, deviceThread(x.trace, 'net0'));
    const status = slices.map((s) => [s.name, String(s.args?.virtio_status).split(' ')[0]]);
    assert.deepStrictEqual(status[0], ['D0', '15'], 'DRIVER_OK before the freeze');
    assert.ok(
      status.some(([state, st]) => state === 'D3hot' && st === '0'),
      'reset while in D3hot',
    );
    assert.deepStrictEqual(status[status.length - 1], ['D0', '15'], 'DRIVER_OK again after the restore');
    const instants = x.trace.traceEvents.filter((e) => e.cat === 'virtio');
    assert.strictEqual(
      instants.length,
      eventsOf(x.events, 'device').filter((e) => e.what.startsWith('virtio status')).length,
    );
  });

  it("shows the host's suspend states and a violation on the host track", () => {
    const x = exportExample('s2idle-notify-race.sflow');
    const host = threadNamed(x.trace, 'suspend state');
    const changes = eventsOf(x.events, 'host.state').filter((e) => e.from !== e.to);
    assert.deepStrictEqual(
      slicesOn(x.trace, host).map((s) => [s.name, ns(s.ts)]),
      [['running', 0], ...changes.map((e) => [e.to, e.t])],
    );
    assert.ok(slicesOn(x.trace, host).some((s) => s.name === 'suspended'));
    const violation = x.trace.traceEvents.find((e) => e.ph === 'i' && e.cat === 'violation');
    assert.ok(violation, 'the expected violation is marked');
    assert.strictEqual(trackKey(violation), trackKey(host));
    assert.match(String(violation.args?.invariant), /\w/);
  });

  it('closes the open states at the time the run stopped', () => {
    const x = exportExample('kvm-system-suspend.sflow');
    const cut = x.events.filter((e) => e.t <= 20_000_000);
    const trace = toChromeTrace(x.program, cut, 20_000_000);
    const vcpu0 = slicesOn(trace, threadNamed(trace, 'vcpu0'));
    const last = vcpu0[vcpu0.length - 1];
    assert.strictEqual(last.name, 'POWERDOWN', 'suspended at 20 ms');
    assert.strictEqual(last.ts + last.dur!, 20_000);
    assert.strictEqual(trace.metadata, undefined);
  });

  it('agrees with the lanes the JSON export writes', () => {
    const x = exportExample('kvm-system-suspend.sflow');
    const lanes = laneStates(x.program, x.events, x.endTime);
    assert.deepStrictEqual(
      lanes.map((l) => l.lane),
      ['host', 'guest.vcpu0', 'guest.vcpu1', 'guest.net0'],
    );
    const slices = x.trace.traceEvents.filter((e) => e.ph === 'X');
    assert.strictEqual(
      slices.length,
      lanes.reduce((n, l) => n + l.spans.length, 0),
    );
  });
});
