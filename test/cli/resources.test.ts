// One test per resource bound, each stopping with a message that names the bound (and how to raise it where a
// flag raises it). Others live beside what they bound: history's memory in test/sim/history-bounds.test.ts, the
// wall clock and output in test/cli/bounds.test.ts, file size and kinds in test/cli/files.test.ts.

import * as assert from 'assert';
import { check, MAX_TOTAL_DEVICES, MAX_TOTAL_VCPUS, MAX_VCPUS } from '../../src/lang/checker';
import { SourceFile } from '../../src/lang/source';
import { preludeFiles } from '../../src/lang/prelude';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureBuilt, sflow, show } from './run-cli';

function errors(text: string): string[] {
  return check([new SourceFile('big.sflow', text), ...preludeFiles()])
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => d.message);
}

/** `count` VMs of `vcpus` vCPUs and `devices` devices each, with a program so that the scenario runs. */
function world(count: number, vcpus: number, devices: number): string {
  const vm = (i: number) => {
    const devs = Array.from(
      { length: devices },
      (_, d) => `  device d${d} pci at 00:${(d % 32).toString(16).padStart(2, '0')}.${Math.floor(d / 32)}`,
    ).join('\n');
    return `vm v${i} {\n  hypervisor kvm\n  vcpus ${vcpus}\n${devs}\n}\n`;
  };
  return `${Array.from({ length: count }, (_, i) => vm(i)).join('')}v0.vcpu0 {\n  halt\n}\n`;
}

describe('resource bounds', function () {
  this.timeout(60_000);

  it('vCPUs: at most 512 in a VM, and 4,096 in a scenario, where the VM that goes past is named', () => {
    assert.deepStrictEqual(errors(world(1, MAX_VCPUS + 1, 0)), [
      `a VM has 1 to ${MAX_VCPUS} vCPUs, not ${MAX_VCPUS + 1}`,
    ]);
    assert.deepStrictEqual(errors(world(MAX_TOTAL_VCPUS / MAX_VCPUS, MAX_VCPUS, 0)), []);
    assert.deepStrictEqual(errors(world(MAX_TOTAL_VCPUS / MAX_VCPUS + 1, MAX_VCPUS, 0)), [
      `with VM 'v8' the scenario has ${MAX_TOTAL_VCPUS + MAX_VCPUS} vCPUs; a scenario simulates at most ${MAX_TOTAL_VCPUS} (split it into several scenarios)`,
    ]);
  });

  it('devices: at most 4,096 in a scenario', () => {
    const perVm = 256;
    assert.deepStrictEqual(errors(world(MAX_TOTAL_DEVICES / perVm, 1, perVm)), []);
    assert.deepStrictEqual(errors(world(MAX_TOTAL_DEVICES / perVm + 1, 1, perVm)), [
      `with VM 'v16' the scenario has ${MAX_TOTAL_DEVICES + perVm} devices; a scenario simulates at most ${MAX_TOTAL_DEVICES} (split it into several scenarios)`,
    ]);
  });

  before(() => ensureBuilt());

  it('the explore space: --max-states stops a search, which says so and that it is incomplete', () => {
    const r = sflow(['explore', 'bench/explore.sflow', '--max-states', '100', '--no-progress']);
    assert.strictEqual(r.code, 0, show(r));
    assert.match(r.out, /^-- incomplete \(--max-states reached\): PASS so far: no problem in what was explored$/m);
  });

  it('steps: --max-steps stops an endless run, and the verdict says how to raise it', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-bounds-')), 'endless.sflow');
    fs.writeFileSync(
      file,
      'vm g {\n  hypervisor kvm\n  vcpus 1\n}\ng.vcpu0 {\n  loop {\n    set x1 = x1 + 1\n  }\n}\n',
    );
    const r = sflow(['run', file, '--max-steps', '1000']);
    assert.strictEqual(r.code, 1, show(r));
    assert.match(r.out.trimEnd().split('\n').pop()!, /: FAIL: did not finish within 1000 steps \(.*--max-steps.*\)$/);
  });
});
