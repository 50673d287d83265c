// Determinism and time travel: the same scenario and seed give the same trace; restoring a snapshot taken at any
// point and running on gives exactly the trace of an uninterrupted run.

import * as assert from 'assert';
import fc from 'fast-check';
import { Machine } from '../../src/sim/machine';
import { TraceEvent, canonicalEvent } from '../../src/sim/trace';
import { compile } from '../helpers';

// Two VMs, a host window, jitter and interleaved vCPUs: enough nondeterminism for the seed to matter.
const SCENARIO = `
vm a {
  hypervisor kvm
  vcpus 2
  jitter 20%
  on system_suspend: confirm | deny
}
vm b {
  hypervisor xen
  vcpus 2
}
host {
  at 0ms..2ms: irq 40 -> a
  at 1ms..3ms: irq 41 -> b
  at 4ms: irq 40 -> a
}
a.vcpu1 {
  set x5 = 0
  loop {
    set x5 = x5 + 1
    if x5 == 20 { break }
  }
  psci CPU_OFF
}
a.vcpu0 {
  irq enable 40 wake
  wait vcpu1.power == OFF
  psci SYSTEM_SUSPEND entry=back context=3
  wfi
  halt
back:
  expect x0 == 3
}
b.vcpu0 {
  irq enable 41 wake
  psci CPU_ON target=vcpu1 entry=second context=9
  wfi
  log "b woke at {now}"
  halt
second:
  set x1 = x0 * 2
  psci CPU_OFF
}
`;

function fullTrace(seed: number): { hash: string; events: string[] } {
  const m = new Machine(compile(SCENARIO), { seed });
  const events: string[] = [];
  m.onEvent((e: TraceEvent) => events.push(canonicalEvent(e)));
  m.run({ maxSteps: 100_000 });
  return { hash: m.traceHash(), events };
}

describe('determinism', () => {
  it('gives the same trace and hash for the same scenario and seed', () => {
    const first = fullTrace(7);
    const second = fullTrace(7);
    assert.ok(first.events.length > 20, `expected a real trace, got ${first.events.length} events`);
    assert.deepStrictEqual(second.events, first.events);
    assert.strictEqual(second.hash, first.hash);
  });

  it('lets the seed move window instants and jitter, and nothing else', () => {
    const hashes = new Set([0, 1, 2, 3, 4, 5].map((s) => fullTrace(s).hash));
    assert.ok(hashes.size > 1, 'different seeds should pick different instants in the windows');
    // Without windows, alternatives or jitter every seed gives one trace.
    const fixed =
      'vm v { hypervisor kvm; vcpus 1 }\nhost { at 1ms: irq 33 -> v }\nv.vcpu0 { irq enable 33; wfi; log "up {now}" }';
    const traces = [0, 1, 99].map((seed) => {
      const m = new Machine(compile(fixed), { seed });
      m.run();
      return m.traceHash();
    });
    assert.strictEqual(new Set(traces).size, 1);
  });

  it('restores a snapshot taken at any step and runs on to the same trace (property)', () => {
    const reference = fullTrace(11);
    const total = (() => {
      const m = new Machine(compile(SCENARIO), { seed: 11 });
      m.run({ maxSteps: 100_000 });
      return m.state.steps;
    })();
    assert.ok(total > 50);
    const program = compile(SCENARIO);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: total }), fc.integer({ min: 0, max: 40 }), (k, detour) => {
        const m = new Machine(program, { seed: 11 });
        m.run({ maxSteps: k });
        const snap = m.snapshot();
        const hashAtK = m.traceHash();
        // Wander on, then travel back: the detour must leave no trace.
        m.run({ maxSteps: detour });
        m.restore(snap);
        assert.strictEqual(m.traceHash(), hashAtK);
        const tail: string[] = [];
        m.onEvent((e) => tail.push(canonicalEvent(e)));
        m.run({ maxSteps: 100_000 });
        assert.strictEqual(m.traceHash(), reference.hash);
        assert.deepStrictEqual(tail, reference.events.slice(reference.events.length - tail.length));
      }),
      { numRuns: 60, seed: 4242 },
    );
  });

  it('restores into a different machine of the same program', () => {
    const program = compile(SCENARIO);
    const a = new Machine(program, { seed: 3 });
    a.run({ maxSteps: 40 });
    const b = new Machine(program, { seed: 999 });
    b.restore(a.snapshot());
    a.run({ maxSteps: 100_000 });
    b.run({ maxSteps: 100_000 });
    assert.strictEqual(b.traceHash(), a.traceHash());
    assert.strictEqual(b.state.now, a.state.now);
  });

  it('keeps snapshots independent of the live state', () => {
    const m = new Machine(compile(SCENARIO), { seed: 1 });
    m.run({ maxSteps: 10 });
    const snap = m.snapshot();
    const x5 = snap.vms[0].vcpus[1].regs[5];
    m.run({ maxSteps: 30 });
    assert.strictEqual(snap.vms[0].vcpus[1].regs[5], x5, 'running on must not change a snapshot');
    assert.notStrictEqual(m.state.vms[0].vcpus[1].regs[5], x5);
  });
});
