// The sflow CLI as a user runs it: the bundled dist/cli.js in its own process.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureBuilt, sflow } from './run-cli';

function scenarioFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-cli-'));
  const file = path.join(dir, 'case.sflow');
  fs.writeFileSync(file, text);
  return file;
}

describe('sflow CLI', function () {
  this.timeout(60_000);

  before(() => {
    ensureBuilt();
  });

  it('runs the KVM example green and prints its timeline', () => {
    const r = sflow(['run', 'examples/kvm-system-suspend.sflow']);
    assert.strictEqual(r.code, 0, r.out + r.err);
    assert.match(r.out, /guest\.vcpu0 +exit to VMM: KVM_EXIT_SYSTEM_EVENT SUSPEND/);
    assert.match(r.out, /VMM answers SUSPEND with confirm: DENIED/);
    assert.match(r.out, /VMM answers WAKEUP with resume/);
    assert.match(r.out, /^-- finished at 40\.\d+ ms, \d+ events, trace [0-9a-f]{16}: PASS$/m);
  });

  it('runs the Xen example green', () => {
    const r = sflow(['run', 'examples/xen-system-suspend.sflow']);
    assert.strictEqual(r.code, 0, r.out + r.err);
    assert.match(r.out, /SYSTEM_SUSPEND returned INVALID_ADDRESS/);
    assert.match(r.out, /SYSTEM_SUSPEND returned DENIED/);
    assert.match(r.out, /VM running -> suspended/);
    assert.match(r.out, /log: domU resumed/);
  });

  it('prints the trace as JSON with --format json', () => {
    const r = sflow(['run', 'examples/kvm-system-suspend.sflow', '--format', 'json']);
    assert.strictEqual(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.strictEqual(doc.result, 'pass');
    assert.match(doc.traceHash, /^[0-9a-f]{16}$/);
    const exits = doc.events
      .filter((e: { kind: string }) => e.kind === 'vmm.exit')
      .map((e: { exit: string }) => e.exit);
    assert.deepStrictEqual(exits, ['SUSPEND', 'SUSPEND', 'WAKEUP']);
    assert.strictEqual(doc.events[0].seq, 0);
    assert.strictEqual(typeof doc.events[0].t, 'number');
  });

  it('gives the same trace hash on every run and for text and JSON', () => {
    const a = sflow(['run', 'examples/kvm-system-suspend.sflow', '--format=json']);
    const b = sflow(['run', 'examples/kvm-system-suspend.sflow']);
    const hash = JSON.parse(a.out).traceHash;
    assert.ok(b.out.includes(`trace ${hash}`));
  });

  it('reports diagnostics as file:line:col and exits 2 for a broken scenario', () => {
    const file = scenarioFile('vm g {\n  hypervisor kvm\n}\ng.vcpu0 {\n  psci SYSTEM_SUSPNED entry=0\n  delay 5\n}\n');
    for (const command of ['check', 'run']) {
      const r = sflow([command, file]);
      assert.strictEqual(r.code, 2, command);
      const text = command === 'check' ? r.out : r.err;
      assert.ok(
        text.includes(`${file}:5:8: error: unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?`),
        text,
      );
      assert.ok(text.includes(`${file}:6:9: error: a delay must be a time such as 10us, not an integer`), text);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
  });

  it('exits 0 from check for a clean scenario', () => {
    const r = sflow(['check', 'examples/kvm-system-suspend.sflow', 'examples/xen-system-suspend.sflow']);
    assert.strictEqual(r.code, 0, r.out + r.err);
    assert.strictEqual(r.out.trim(), '');
    assert.match(r.err, /0 errors, 0 warnings/);
  });

  it('exits 1 when an expectation fails', () => {
    const file = scenarioFile(
      'vm g { hypervisor kvm }\ng.vcpu0 {\n  psci PSCI_VERSION\n  expect x0 == 0x10000, "want PSCI 1.0, got {x0}"\n}\n',
    );
    const r = sflow(['run', file]);
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /EXPECTATION FAILED: want PSCI 1\.0, got 0x10003/);
    assert.match(r.out, /FAIL: 1 expectation failed/);
  });

  it('exits 1 and names what each vCPU waits for when the run hangs', () => {
    const file = scenarioFile('vm g { hypervisor kvm; vcpus 2 }\ng.vcpu0 { wait signal go }\ng.vcpu1 { wfi }\n');
    const r = sflow(['run', file]);
    assert.strictEqual(r.code, 1);
    assert.match(
      r.out,
      /hang: g\.vcpu0 waits for signal 'go' that nothing raises any more; g\.vcpu1 is in WFI and no interrupt is coming/,
    );
  });

  it('stops at --until and at --max-steps', () => {
    const file = scenarioFile('vm g { hypervisor kvm }\ng.vcpu0 { loop { delay 1ms } }\n');
    const until = sflow(['run', file, '--until', '10ms']);
    assert.strictEqual(until.code, 0, until.out);
    assert.match(until.out, /stopped at --until at 10\.000000 ms/);
    const steps = sflow(['run', file, '--max-steps', '100']);
    assert.strictEqual(steps.code, 1);
    assert.match(steps.out, /did not finish within 100 steps/);
  });

  it('answers usage errors with exit 2 and no stack trace', () => {
    for (const args of [
      ['run'],
      ['run', 'nope.sflow'],
      ['frobnicate'],
      ['run', 'examples/kvm-system-suspend.sflow', '--format', 'xml'],
      ['run', 'x.sflow', '--seed', 'abc'],
    ]) {
      const r = sflow(args);
      assert.strictEqual(r.code, 2, args.join(' '));
      assert.match(r.err, /^sflow: /);
      assert.doesNotMatch(r.err, /\n\s+at /);
    }
    assert.match(sflow(['run', 'nope.sflow']).err, /no such file: nope\.sflow/);
  });
});
