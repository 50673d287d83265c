// The s2idle notification (DOMAIN.md 5.2-5.4: the guest's virt_pmc _DSM stores 3 into RSV1, crosvm's VirtualPmc
// traps it) and the host's suspend state machine that reacts to it (src/sim/hostpm.ts): `policy suspend waits-for VM
// s2idle`, `policy suspend privileged VM`, `request suspend`, the 1 ms the host takes to suspend, and the
// host-suspended-while-guest-running invariant.

import * as assert from 'assert';
import { eventsOf, run, runGreen, RunResult } from '../helpers';

const BASE = 0x0a001000n;

function world(host = ''): string {
  return `vm g {
  hypervisor kvm
  statement_time 1us
  s2idle_notify at 0x0a001000
}
host {
${host}
}
`;
}

/** Host state transitions as [t, from, to]; notes (from == to) left out. */
function hostTransitions(r: RunResult): [number, string, string][] {
  return eventsOf(r.events, 'host.state')
    .filter((e) => e.from !== e.to)
    .map((e) => [e.t, e.from, e.to]);
}

function violations(r: RunResult): string[] {
  return eventsOf(r.events, 'violation').map((e) => e.invariant);
}

const MS = 1_000_000;
const US = 1_000;

describe('s2idle notify register (DOMAIN.md 5.3 crosvm VirtualPmc)', () => {
  it('only a 4-byte write at offset 0 notifies; other writes and all reads are recorded as unsupported, reads return 0', () => {
    const r = runGreen(`${world()}
g.vcpu0 {
  mmio write 0x0a001004 = 3
  mmio write 0x0a001000 = 3 width 8
  mmio write 0x0a001000 = 3 width 16
  mmio write 0x0a001000 = 3 width 64
  set x0 = 0x77
  mmio read 0x0a001000
  expect x0 == 0
  set x0 = 0x77
  mmio read 0x0a00100c
  expect x0 == 0
  mmio read 0x0a001010
  expect x0 == 0xffffffff, "the window is 16 bytes: 0x10 is unassigned"
  mmio write 0x0a001000 = 3
}
`);
    const mmio = eventsOf(r.events, 'mmio');
    assert.deepStrictEqual(
      mmio.map((e) => [e.access, e.address, e.width, e.target, e.blocked]),
      [
        ['write', BASE + 4n, 32, 's2idle_notify (unsupported access)', true],
        ['write', BASE, 8, 's2idle_notify (unsupported access)', true],
        ['write', BASE, 16, 's2idle_notify (unsupported access)', true],
        ['write', BASE, 64, 's2idle_notify (unsupported access)', true],
        ['read', BASE, 32, 's2idle_notify (unsupported access)', true],
        ['read', BASE + 12n, 32, 's2idle_notify (unsupported access)', true],
        ['read', BASE + 16n, 32, 'unassigned', true],
        ['write', BASE, 32, 's2idle_notify', false],
      ],
    );
    assert.deepStrictEqual(
      eventsOf(r.events, 's2idle.notify').map((e) => e.count),
      [1],
    );
    assert.strictEqual(r.machine.state.vms[0].notifications, 1);
  });

  it('`s2idle notify` is a 4-byte write of 3 to offset 0 and exits to the VMM (KVM_EXIT_MMIO)', () => {
    const r = runGreen(`${world()}
g.vcpu0 {
  delay 1ms
  s2idle notify
}
`);
    const mmio = eventsOf(r.events, 'mmio');
    assert.deepStrictEqual(
      mmio.map((e) => [e.t, e.access, e.address, e.width, e.value, e.target]),
      [[1 * MS, 'write', BASE, 32, 3n, 's2idle_notify']],
    );
    const exits = eventsOf(r.events, 'vmm.exit');
    assert.strictEqual(exits.length, 1);
    assert.strictEqual(exits[0].exit, 'MMIO');
    assert.strictEqual(exits[0].via, 'KVM_EXIT_MMIO');
    assert.strictEqual(exits[0].t, 1 * MS);
    assert.strictEqual(exits[0].vcpu, 0);
    const kinds = r.events.filter((e) => e.t === 1 * MS).map((e) => e.kind);
    assert.deepStrictEqual(kinds, ['mmio', 'vmm.exit', 's2idle.notify']);
  });

  it('repeated notifications are each counted (the s2idle loop notifies again after a spurious wake-up)', () => {
    const r = runGreen(`${world()}
g.vcpu0 {
  s2idle notify
  s2idle notify
  mmio write 0x0a001000 = 3
}
`);
    assert.deepStrictEqual(
      eventsOf(r.events, 's2idle.notify').map((e) => e.count),
      [1, 2, 3],
    );
    assert.deepStrictEqual(
      eventsOf(r.events, 'vmm.exit').map((e) => /#(\d+)/.exec(e.detail)![1]),
      ['1', '2', '3'],
    );
    assert.strictEqual(r.machine.state.vms[0].notifications, 3);
  });
});

describe('host suspend policies (src/sim/hostpm.ts, DOMAIN.md 5.1)', () => {
  it('`waits-for VM s2idle`: a requested suspend waits for the notification, then suspends', () => {
    const r = runGreen(`${world(`  policy suspend waits-for g s2idle
  at 1ms: request suspend
  at 20ms: irq 33 -> g`)}
g.vcpu0 {
  irq enable 33 wake
  delay 5ms
  expect host.state == running, "requested at 1 ms, still waiting for the notification"
  s2idle notify
  expect host.state == suspending
  wfi
  expect host.state == running
}
`);
    const notify = eventsOf(r.events, 's2idle.notify')[0].t;
    assert.strictEqual(notify, 5 * MS + 2 * US);
    assert.deepStrictEqual(hostTransitions(r), [
      [notify, 'running', 'suspending'],
      [notify + 1 * MS, 'suspending', 'suspended'],
      [20 * MS, 'suspended', 'resuming'],
      [20 * MS, 'resuming', 'running'],
    ]);
    const waiting = eventsOf(r.events, 'host.state').find((e) => e.t === 1 * MS)!;
    assert.match(waiting.why, /waiting for the s2idle notification of g/);
  });

  it('`waits-for VM s2idle` without a request: the notification alone does not suspend the host', () => {
    const r = runGreen(`${world('  policy suspend waits-for g s2idle')}
g.vcpu0 {
  s2idle notify
  delay 5ms
  expect host.state == running
}
`);
    assert.deepStrictEqual(hostTransitions(r), []);
  });

  it('`privileged VM`: the notification itself suspends the host, with no request', () => {
    const r = runGreen(`${world(`  policy suspend privileged g
  at 20ms: irq 33 -> g`)}
g.vcpu0 {
  irq enable 33 wake
  delay 3ms
  s2idle notify
  expect host.state == suspending
  wfi
}
`);
    const notify = eventsOf(r.events, 's2idle.notify')[0].t;
    assert.strictEqual(notify, 3 * MS + 1 * US);
    assert.deepStrictEqual(hostTransitions(r).slice(0, 2), [
      [notify, 'running', 'suspending'],
      [notify + 1 * MS, 'suspending', 'suspended'],
    ]);
  });

  it('without a policy a notification does not suspend the host', () => {
    const r = runGreen(`${world()}
g.vcpu0 {
  s2idle notify
  delay 5ms
  expect host.state == running
}
`);
    assert.deepStrictEqual(hostTransitions(r), []);
  });

  it('without a policy `request suspend` starts suspending at once', () => {
    const r = runGreen(`${world(`  at 1ms: request suspend
  at 20ms: irq 33 -> g`)}
g.vcpu0 {
  irq enable 33 wake
  wfi
  expect host.state == running
}
`);
    assert.deepStrictEqual(hostTransitions(r), [
      [1 * MS, 'running', 'suspending'],
      [2 * MS, 'suspending', 'suspended'],
      [20 * MS, 'suspended', 'resuming'],
      [20 * MS, 'resuming', 'running'],
    ]);
    assert.deepStrictEqual(eventsOf(r.events, 's2idle.notify'), []);
  });

  it('suspending takes 1 ms of virtual time', () => {
    const r = runGreen(`${world(`  at 7ms: request suspend
  at 20ms: irq 33 -> g`)}
g.vcpu0 {
  irq enable 33 wake
  wfi
}
`);
    const t = hostTransitions(r);
    const suspending = t.find(([, , to]) => to === 'suspending')!;
    const suspended = t.find(([, , to]) => to === 'suspended')!;
    assert.strictEqual(suspending[0], 7 * MS);
    assert.strictEqual(suspended[0] - suspending[0], 1 * MS);
  });

  it('`suspend_latency` sets how long: a guest that goes idle within it is safe, one still running at its end is not', () => {
    // The guest notifies, then works for 3 ms before it idles: a 5 ms host suspend covers that, a 2 ms one does not.
    const scenario = (latency: string) => `${world(`  policy suspend privileged g
  suspend_latency ${latency}
  at 20ms: irq 33 -> g`)}
g.vcpu0 {
  irq enable 33 wake
  s2idle notify
  delay 3ms
  wfi
}
`;
    const slow = run(scenario('5ms'));
    const t = hostTransitions(slow);
    assert.strictEqual(
      t.find(([, , to]) => to === 'suspended')![0] - t.find(([, , to]) => to === 'suspending')![0],
      5 * MS,
    );
    assert.deepStrictEqual(violations(slow), []);
    const fast = run(scenario('2ms'));
    assert.deepStrictEqual(violations(fast), ['host-suspended-while-guest-running']);
  });

  it('a suspended host runs no guest vCPU: a vCPU made runnable while it is suspended runs only after the wake', () => {
    const r = runGreen(`${world(`  at 1ms: request suspend
  at 10ms: wake`)}
g.vcpu0 {
  wait host.state == suspended
  expect now == 10ms, "first statement after the wait ran at {now}"
  expect host.state == running
}
`);
    assert.deepStrictEqual(
      hostTransitions(r).map(([t, , to]) => [t, to]),
      [
        [1 * MS, 'suspending'],
        [2 * MS, 'suspended'],
        [10 * MS, 'resuming'],
        [10 * MS, 'running'],
      ],
    );
    const guestWhileSuspended = r.events.filter((e) => e.vm === 0 && e.t > 2 * MS && e.t < 10 * MS);
    assert.deepStrictEqual(guestWhileSuspended, []);
    assert.deepStrictEqual(violations(r), [], 'the vCPU was waiting, not running, when the host suspended');
  });

  it('an `irq N -> VM` host action wakes the host first, then the guest', () => {
    const r = runGreen(`${world(`  at 1ms: request suspend
  at 20ms: irq 33 -> g`)}
g.vcpu0 {
  irq enable 33 wake
  wfi
  expect host.state == running
  expect irq 33 pending
}
`);
    const at20 = r.events
      .filter((e) => e.t === 20 * MS)
      .map((e) => (e.kind === 'host.state' ? `host ${e.from}->${e.to}` : e.kind));
    assert.deepStrictEqual(at20.slice(0, 5), [
      'host.action',
      'host suspended->resuming',
      'host resuming->running',
      'irq.raise',
      'irq.wake',
    ]);
  });
});

describe('invariant host-suspended-while-guest-running', () => {
  it('fires when a guest vCPU is running at the moment the host completes its suspend', () => {
    const r = run(`${world('  policy suspend privileged g')}
g.vcpu0 {
  s2idle notify
  delay 3ms
}
`);
    const v = eventsOf(r.events, 'violation');
    assert.deepStrictEqual(
      v.map((e) => [e.invariant, e.t, e.message]),
      [['host-suspended-while-guest-running', 1 * MS, 'the host suspended while g.vcpu0 was running']],
    );
  });

  it('does not fire when the guest is in WFI when the host completes its suspend', () => {
    const r = runGreen(`${world(`  policy suspend privileged g
  at 20ms: irq 33 -> g`)}
g.vcpu0 {
  irq enable 33 wake
  s2idle notify
  wfi
}
`);
    assert.deepStrictEqual(
      hostTransitions(r)
        .slice(0, 2)
        .map(([, , to]) => to),
      ['suspending', 'suspended'],
    );
    assert.deepStrictEqual(violations(r), []);
  });
});

describe('an aborted host suspend (policy suspend abort-on-wake)', () => {
  it('leaves nothing queued: the next suspend takes its full latency, not what was left of the aborted one', () => {
    // The guest notifies (the host starts suspending), a spurious interrupt wakes it just before the host would
    // have finished (abort), the guest notifies again at once and idles: the second suspend starts afresh.
    const r = run(`${world(`  policy suspend waits-for g s2idle
  policy suspend abort-on-wake
  at 0ms: request suspend
  at 998us: irq 34 -> g
  at 20ms: irq 33 -> g`)}
g.vcpu0 {
  irq enable 33 wake
  irq enable 34
  s2idle notify
  wfi
  s2idle notify
  delay 5us
  wfi
on irq 34 {
  irq ack 34
}
}
`);
    const t = hostTransitions(r);
    const suspending = t.filter(([, , to]) => to === 'suspending').map(([at]) => at);
    const suspended = t.filter(([, , to]) => to === 'suspended').map(([at]) => at);
    assert.strictEqual(suspending.length, 2);
    assert.deepStrictEqual(suspended, [suspending[1] + 1 * MS]);
    assert.deepStrictEqual(violations(r), []);
  });
});

describe("crosvm's s2idle wait (trigger_vm_suspend_and_wait_for_entry, src/crosvm/sys/linux.rs)", () => {
  it('forgets a notification sent before the request: the host waits for one sent after it', () => {
    // crosvm: `*guest_suspended = false` when the request arrives, before `cvar.wait_timeout`.
    const host = ['  policy suspend waits-for g s2idle', '  at 1ms: request suspend'];
    const r = run(`${world(host.join('\n'))}
g.vcpu0 {
  s2idle notify
  delay 5ms
  expect host.state == running, "a notification sent before the request does not count"
  s2idle notify
  wfi
}
`);
    assert.deepStrictEqual(r.failures, []);
    const t = hostTransitions(r);
    assert.ok(t[0][0] > 5 * MS && t[0][0] < 6 * MS, `the suspend began at ${t[0][0]} ns, not at the request`);
    assert.deepStrictEqual(
      t.map(([, , to]) => to),
      ['suspending', 'suspended'],
    );
  });

  it('waits at most 15 s by default, then suspends anyway ("Guest suspension timeout - proceeding anyway")', () => {
    const r = run(`${world(`  policy suspend waits-for g s2idle
  at 1ms: request suspend`)}
g.vcpu0 {
  wfi
}
`);
    const t = hostTransitions(r);
    assert.deepStrictEqual(t.slice(0, 2), [
      [1 * MS + 15_000 * MS, 'running', 'suspending'],
      [1 * MS + 15_001 * MS, 'suspending', 'suspended'],
    ]);
    assert.match(
      eventsOf(r.events, 'host.state').find((e) => e.to === 'suspending')!.why,
      /no s2idle notification from g within s2idle_timeout: Guest suspension timeout - proceeding anyway/,
    );
  });

  it('`s2idle_timeout` sets the wait; a notification within it suspends the host at once and the timeout is dropped', () => {
    const timedOut = run(`${world(`  policy suspend waits-for g s2idle
  s2idle_timeout 2s
  at 1ms: request suspend`)}
g.vcpu0 {
  wfi
}
`);
    assert.strictEqual(hostTransitions(timedOut)[0][0], 2001 * MS);
    // Notified at 3 ms: suspended at 4 ms, woken at 10 ms, asked again at 11 ms and never notified again. The first
    // wait's timeout (due at 2001 ms) must not start the second suspend: that one times out at 2011 ms.
    const r = run(`${world(`  policy suspend waits-for g s2idle
  s2idle_timeout 2s
  at 1ms: request suspend
  at 10ms: irq 33 -> g
  at 11ms: request suspend`)}
g.vcpu0 {
  irq enable 33 wake
  delay 3ms
  s2idle notify
  wfi
  irq ack 33
  wfi
}
`);
    assert.deepStrictEqual(
      hostTransitions(r)
        .filter(([, , to]) => to === 'suspending')
        .map(([at]) => at),
      [3 * MS + 1 * US, 2011 * MS],
    );
  });
});
