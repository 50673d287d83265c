// `sflow export`, through the CLI's own entry point (main) with its output captured: formats, --out, exit codes.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';

const ROOT = path.resolve(__dirname, '../..');
const KVM = path.join(ROOT, 'examples/kvm-system-suspend.sflow');

function sflow(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, { out: (t) => out.push(t + '\n'), err: (t) => err.push(t + '\n') });
  // run, export and help answer synchronously; only explore and test return a promise.
  assert.strictEqual(typeof code, 'number');
  return { code: code as number, out: out.join(''), err: err.join('') };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-export-'));
}

function scenarioFile(text: string): string {
  const file = path.join(tempDir(), 'case.sflow');
  fs.writeFileSync(file, text);
  return file;
}

interface TraceEventJson {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: Record<string, unknown>;
}

describe('sflow export', () => {
  it('writes a Perfetto trace to stdout by default', () => {
    const r = sflow(['export', KVM]);
    assert.strictEqual(r.code, 0, r.err);
    const trace = JSON.parse(r.out);
    assert.strictEqual(trace.displayTimeUnit, 'ns');
    assert.ok(trace.traceEvents.some((e: TraceEventJson) => e.ph === 'X' && e.name === 'POWERDOWN'));
    assert.ok(trace.traceEvents.some((e: TraceEventJson) => e.ph === 'i' && e.name === 'PSCI SYSTEM_SUSPEND'));
    assert.match(r.err, /^-- finished at 40\.\d+ ms, \d+ events, trace [0-9a-f]{16}: PASS$/m);
  });

  it('describes the run in the trace metadata, with the trace hash `sflow run` gives', () => {
    const run = JSON.parse(sflow(['run', KVM, '--format', 'json', '--seed', '3']).out);
    const trace = JSON.parse(sflow(['export', KVM, '--seed', '3']).out);
    assert.deepStrictEqual(
      { ...trace.metadata, scenario: undefined },
      {
        scenario: undefined,
        seed: 3,
        traceHash: run.traceHash,
        endTime: run.endTime,
        result: 'pass',
        summary: run.summary,
      },
    );
    assert.strictEqual(trace.metadata.scenario, KVM);
  });

  it("writes `sflow run --format json`'s document plus the lanes with --format json", () => {
    const run = JSON.parse(sflow(['run', KVM, '--format', 'json']).out);
    const r = sflow(['export', KVM, '--format', 'json']);
    assert.strictEqual(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    const { lanes, ...rest } = doc;
    assert.deepStrictEqual(rest, run);
    assert.deepStrictEqual(
      lanes.map((l: { lane: string }) => l.lane),
      ['host', 'guest.vcpu0', 'guest.vcpu1', 'guest.net0'],
    );
    const vcpu0 = lanes[1].states.map((s: { state: string; start: number; mp_state: string }) => [
      s.state,
      s.start,
      s.mp_state,
    ]);
    const powerEvents = run.events.filter((e: { kind: string; vcpu: number }) => e.kind === 'power' && e.vcpu === 0);
    assert.deepStrictEqual(vcpu0, [
      ['ON', 0, 'RUNNABLE'],
      ...powerEvents.map((e: { to: string; t: number; mp: string }) => [e.to, e.t, e.mp]),
    ]);
    for (const lane of lanes) assert.strictEqual(lane.states[lane.states.length - 1].end, run.endTime);
  });

  it('writes the file --out names and nothing to stdout', () => {
    const out = path.join(tempDir(), 'kvm.trace.json');
    const r = sflow(['export', KVM, '--out', out]);
    assert.strictEqual(r.code, 0, r.err);
    assert.strictEqual(r.out, '');
    assert.match(r.err, /wrote .*kvm\.trace\.json \(open it in https:\/\/ui\.perfetto\.dev\)/);
    const trace = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.deepStrictEqual(trace, JSON.parse(sflow(['export', KVM]).out), 'the same trace as on stdout');

    const json = path.join(tempDir(), 'kvm.json');
    assert.strictEqual(sflow(['export', KVM, '--format=json', `--out=${json}`]).code, 0);
    assert.ok(Array.isArray(JSON.parse(fs.readFileSync(json, 'utf8')).lanes));
  });

  it('stops at --until and closes the slices there', () => {
    const r = sflow(['export', KVM, '--until', '20ms']);
    assert.strictEqual(r.code, 0, r.err);
    const trace = JSON.parse(r.out);
    assert.strictEqual(trace.metadata.endTime, 20_000_000);
    const slices: TraceEventJson[] = trace.traceEvents.filter((e: TraceEventJson) => e.ph === 'X');
    assert.strictEqual(Math.max(...slices.map((e) => e.ts + e.dur!)), 20_000);
  });

  it('exports a failed run and exits 1', () => {
    const file = scenarioFile(
      'vm g { hypervisor kvm }\ng.vcpu0 {\n  psci PSCI_VERSION\n  expect x0 == 0x10000, "want PSCI 1.0, got {x0}"\n}\n',
    );
    const r = sflow(['export', file]);
    assert.strictEqual(r.code, 1);
    const trace = JSON.parse(r.out);
    const failed = trace.traceEvents.find((e: TraceEventJson) => e.name === 'expectation failed');
    assert.ok(failed, 'the failed expectation is in the trace');
    assert.match(String(failed.args.message), /want PSCI 1\.0, got 0x10003/);
    assert.strictEqual(trace.metadata.result, 'fail');
    assert.match(r.err, /FAIL: 1 expectation failed/);
    const json = sflow(['export', file, '--format', 'json']);
    assert.strictEqual(json.code, 1);
    assert.strictEqual(JSON.parse(json.out).result, 'fail');
  });

  it('exits 1 for a run that hits --max-steps, with the trace so far', () => {
    const file = scenarioFile('vm g { hypervisor kvm }\ng.vcpu0 { loop { delay 1ms } }\n');
    const r = sflow(['export', file, '--max-steps', '100']);
    assert.strictEqual(r.code, 1);
    assert.ok(JSON.parse(r.out).traceEvents.length > 0);
    assert.match(r.err, /did not finish within 100 steps/);
  });

  it('reports scenario errors as file:line:col and exits 2 without writing anything', () => {
    const file = scenarioFile('vm g {\n  hypervisor kvm\n}\ng.vcpu0 {\n  psci SYSTEM_SUSPNED entry=0\n}\n');
    const out = path.join(tempDir(), 'never.json');
    const r = sflow(['export', file, '--out', out]);
    assert.strictEqual(r.code, 2);
    assert.ok(
      r.err.includes(`${file}:5:8: error: unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?`),
      r.err,
    );
    assert.strictEqual(r.out, '');
    assert.ok(!fs.existsSync(out));
  });

  it('answers usage errors with exit 2 and a clear message', () => {
    const cases: [string[], RegExp][] = [
      [['export'], /export needs a scenario file/],
      [['export', 'nope.sflow'], /no such file: nope\.sflow/],
      [['export', KVM, '--format', 'xml'], /--format is 'perfetto' or 'json' \(got 'xml'\)/],
      [['export', KVM, '--format'], /--format is 'perfetto' or 'json'/],
      [['export', KVM, '--seed', 'abc'], /--seed needs a non-negative integer/],
      [['export', KVM, '--out'], /--out needs a file name/],
      [['export', KVM, KVM], /export takes one scenario file/],
      [['export', KVM, '--frobnicate'], /unknown option --frobnicate/],
    ];
    for (const [args, message] of cases) {
      const r = sflow(args);
      assert.strictEqual(r.code, 2, args.join(' '));
      assert.match(r.err, /^sflow: /, args.join(' '));
      assert.match(r.err, message, args.join(' '));
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
  });

  it('exits 2 when the --out file cannot be written', () => {
    const r = sflow(['export', KVM, '--out', path.join(tempDir(), 'no-such-dir', 'trace.json')]);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /^sflow: cannot write .*trace\.json: ENOENT/m);
  });

  it('lists export in the usage', () => {
    assert.match(sflow(['help']).out, /sflow export FILE \[--format perfetto\|json\]/);
  });
});
