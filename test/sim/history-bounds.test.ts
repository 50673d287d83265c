// History's memory is bounded however long a session runs: snapshots far from the head and the current position
// are spaced wider as history grows (never more than maxSparse of them), also after a scan back through all of it,
// and seeking anywhere still restores the state exactly.

import * as assert from 'assert';
import { check } from '../../src/lang/checker';
import { SourceFile } from '../../src/lang/source';
import { preludeFiles } from '../../src/lang/prelude';
import { Machine } from '../../src/sim/machine';
import { DENSE_SPAN, Timeline } from '../../src/sim/timeline';
import { findBackward } from '../../src/sim/debug/engine';

const SPIN = `vm guest {\n  hypervisor kvm\n  vcpus 1\n}\nguest.vcpu0 {\n  loop {\n    set x1 = x1 + 1\n    delay 1us\n  }\n}\n`;

function program() {
  return check([new SourceFile('spin.sflow', SPIN), ...preludeFiles()]).program;
}

/** At most this many snapshots: maxSparse far ones, the dense ones around the head and the position, and a margin. */
function budget(maxSparse: number, interval: number): number {
  return maxSparse + 4 * (DENSE_SPAN / interval) + 65;
}

describe('history bounds', function () {
  this.timeout(60_000);
  // Enough history that a snapshot every 8,192 units (before the bound) is far more than the budget.
  const UNITS = 4_000_000;
  const MAX_SPARSE = 16;

  it('keeps at most maxSparse snapshots far from the head and the position, and seeks exactly', () => {
    const t = new Timeline(program(), {}, 512, MAX_SPARSE);
    for (let i = 0; i < UNITS; i++) t.forward();
    assert.ok(UNITS / 8192 > budget(MAX_SPARSE, 512), 'the case is big enough to tell');
    assert.ok(t.stats().checkpoints <= budget(MAX_SPARSE, 512), `${t.stats().checkpoints} snapshots`);
    for (const target of [1, 12_345, 2_000_001, UNITS - 3]) {
      t.seek(target);
      const fresh = new Machine(program());
      for (let i = 0; i < target; i++) fresh.step();
      assert.strictEqual(t.machine.traceHash(), fresh.traceHash(), `trace at ${target}`);
      assert.deepStrictEqual(
        t.machine.state.vms[0].vcpus[0].regs,
        fresh.state.vms[0].vcpus[0].regs,
        `registers at ${target}`,
      );
    }
  });

  it('a scan back through all of history leaves as few snapshots behind it', () => {
    const t = new Timeline(program(), {}, 512, MAX_SPARSE);
    for (let i = 0; i < UNITS; i++) t.forward();
    const found = findBackward(t, [{ before: () => undefined }], t.head, 1);
    assert.deepStrictEqual(found, []);
    // The scan passed every stretch (densifying as it went: a snapshot every 512 units) and ended at the start.
    assert.ok(t.stats().checkpoints <= budget(MAX_SPARSE, 512), `${t.stats().checkpoints} snapshots after the scan`);
  });
});
