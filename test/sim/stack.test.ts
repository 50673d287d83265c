// The call stack a thread shows (src/sim/debug/stack.ts): the host's one frame, a vCPU's frames innermost first,
// named after their proc or after the label and the vCPU running them.

import * as assert from 'assert';
import { Timeline } from '../../src/sim/timeline';
import { callFrame, callFrameParams, stack } from '../../src/sim/debug/stack';
import { compile } from '../helpers';

const SCENARIO = `
proc lib.work(n) {
  set x3 = n
  wfi
}
vm guest {
  hypervisor kvm
  vcpus 2
}
guest.vcpu0 {
start:
  set x1 = 1
  call lib.work(7)
  halt
}
host {
  at 5ms: irq 33 -> guest
}
`;

/** The 0-based line of the scenario that is `text`. */
function lineOf(text: string): number {
  return SCENARIO.split('\n').indexOf(text);
}

describe('the call stack model', () => {
  it('names frames after their proc and the label and vCPU running them; the host frame says what comes next', () => {
    const t = new Timeline(compile(SCENARIO), { seed: 0 });
    const host = stack(t, 0);
    assert.strictEqual(host.length, 1);
    assert.strictEqual(host[0].name, 'host: next host-action irq at 5.000000 ms');
    assert.strictEqual(host[0].place?.line, lineOf('  at 5ms: irq 33 -> guest'));
    assert.ok(!host[0].label);

    // Run vcpu0 into the proc: stop at its `wfi`.
    const vcpu0 = t.threadOf(0, 0);
    for (let n = 0; n < 1000; n++) {
      const top = stack(t, vcpu0)[0];
      if (top.name === 'lib.work' && top.place?.line === lineOf('  wfi')) break;
      assert.ok(t.forward(), 'the run ended before vcpu0 reached the wfi in lib.work');
    }
    const frames = stack(t, vcpu0);
    assert.deepStrictEqual(
      frames.map((f) => [f.level, f.name, f.place?.line]),
      [
        [0, 'lib.work', lineOf('  wfi')],
        [1, 'start · guest.vcpu0', lineOf('  call lib.work(7)')],
      ],
    );
    assert.ok(frames.every((f) => f.address !== undefined && !f.label));
    assert.deepStrictEqual(callFrameParams(t, vcpu0, 0), ['n']);
    assert.strictEqual(callFrame(t, 0, 0), undefined, 'the host has no call frames');

    // vcpu1 never started: one label frame saying so.
    const vcpu1 = stack(t, t.threadOf(0, 1));
    assert.deepStrictEqual(
      vcpu1.map((f) => [f.name, f.label, f.place]),
      [['guest.vcpu1 (powered off)', true, undefined]],
    );
  });

  it("a violation the host's own thread raised shows on the host's frame, only where it was raised", () => {
    const t = new Timeline(compile(SCENARIO), { seed: 0 });
    const exception = { message: 'suspended over a running guest', position: t.position, thread: 0 };
    assert.strictEqual(stack(t, 0, exception)[0].name, 'host: suspended over a running guest');
    assert.strictEqual(stack(t, 0, { ...exception, position: t.position + 1 })[0].name.startsWith('host: next'), true);
  });
});
