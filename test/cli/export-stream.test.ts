// `sflow export` and `sflow run --format json` write as the run goes (never holding the trace): what they write is
// what the whole-trace converters (toChromeTrace, laneStates, eventToJson) make of the same run, on every example.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { compile } from '../helpers';
import { Machine } from '../../src/sim/machine';
import { TraceEvent, eventToJson } from '../../src/sim/trace';
import { toChromeTrace } from '../../src/sim/export/chrome-trace';
import { laneStates } from '../../src/sim/export/lane-states';
import { judge } from '../../src/sim/verdict';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.sflow'))
  .sort();

function sflow(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, { out: (t) => out.push(t + '\n'), err: (t) => err.push(t + '\n') });
  assert.strictEqual(typeof code, 'number');
  return { code: code as number, out: out.join(''), err: err.join('') };
}

/** A canonical order for comparing trace events as a set. */
function sorted<T>(items: T[]): string[] {
  return items.map((e) => JSON.stringify(e)).sort();
}

/** A virtio device's D-state changing before its status does, and one whose status never changes. */
const VIRTIO = `vm g {
  hypervisor kvm
  device net0 virtio-net at 00:01.0
  device blk0 virtio-blk at 00:02.0
}
g.vcpu0 {
  pci write net0 pmcsr.state = D3hot
  pci write blk0 pmcsr.state = D3hot
  delay 1ms
  pci write net0 pmcsr.state = D0
  pci write blk0 pmcsr.state = D0
  delay 1ms
  virtio freeze net0
  delay 1ms
  virtio restore net0
}
`;

describe('streamed exports', function () {
  this.timeout(60_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-stream-'));
    fs.writeFileSync(path.join(tmp, 'virtio.sflow'), VIRTIO);
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const name of [...EXAMPLES, 'virtio.sflow']) {
    it(`${name}: the same trace events, lanes and JSON as the whole-trace converters`, () => {
      const file = name === 'virtio.sflow' ? path.join(tmp, name) : path.join(ROOT, 'examples', name);
      const program = compile(fs.readFileSync(file, 'utf8'));
      const machine = new Machine(program, { seed: 0 });
      const events: TraceEvent[] = [];
      machine.onEvent((e) => events.push(e));
      const verdict = judge(machine, machine.run({ maxSteps: 50_000_000 }));
      const end = machine.state.now;

      const perfetto = sflow(['export', file]);
      const trace = JSON.parse(perfetto.out);
      const expected = toChromeTrace(program, events, end, trace.metadata);
      assert.strictEqual(trace.metadata.traceHash, machine.traceHash());
      assert.strictEqual(trace.metadata.summary, verdict.summary);
      assert.deepStrictEqual(sorted(trace.traceEvents), sorted(JSON.parse(JSON.stringify(expected.traceEvents))));
      // Metadata first, as before: a viewer names the tracks before their events.
      const firstOther = trace.traceEvents.findIndex((e: { ph: string }) => e.ph !== 'M');
      assert.ok(trace.traceEvents.slice(firstOther).every((e: { ph: string }) => e.ph !== 'M'));
      // One event per line, so two exports diff line by line.
      assert.strictEqual(perfetto.out.split('\n').length, trace.traceEvents.length + 3);

      const json = JSON.parse(sflow(['export', file, '--format', 'json']).out);
      assert.deepStrictEqual(json.events, JSON.parse(JSON.stringify(events.map(eventToJson))));
      const lanes = laneStates(program, events, end).map((l) => ({
        lane: l.lane,
        kind: l.kind,
        states: l.spans.map((s) => ({
          state: s.state,
          start: s.start,
          end: s.end,
          seq: s.seq,
          cause: s.cause,
          ...s.attributes,
        })),
      }));
      assert.deepStrictEqual(json.lanes, JSON.parse(JSON.stringify(lanes)));
      assert.strictEqual(json.traceHash, machine.traceHash());

      const run = JSON.parse(sflow(['run', file, '--format', 'json']).out);
      assert.deepStrictEqual(run, {
        scenario: file,
        seed: 0,
        traceHash: machine.traceHash(),
        endTime: end,
        result: verdict.ok ? 'pass' : 'fail',
        summary: verdict.summary,
        events: json.events,
      });
    });
  }
});
