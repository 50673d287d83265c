// The invariants (src/sim/invariants, one check per file, run by Machine.emit on every trace event). For each one:
// a scenario where it breaks, with the violation as the machine records it (id, message, VM/vCPU, the lead that
// ends with the breaking event, the `violation` trace event), and close scenarios where the correct flow must not
// break it. Then `expect violation ID` in the checker, and the two invariant tables agreeing.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkSource, diagnosticLines, eventsOf, run, runGreen, RunResult } from '../helpers';
import { INVARIANT_INFO, invariantInfo } from '../../src/lang/domain/invariants';
import { INVARIANTS, Violation } from '../../src/sim/invariants';
import { DEFAULT_HOST_SUSPEND_LATENCY as HOST_SUSPEND_LATENCY } from '../../src/lang/checker';
import { TraceEvent } from '../../src/sim/trace';
import { stateProblems } from '../../src/sim/verdict';

const ROOT = path.resolve(__dirname, '../..');

// ------------------------------------------------------------------------------------------------ helpers

type Match = (e: TraceEvent) => boolean;

function ids(r: RunResult): string[] {
  return r.machine.state.violations.map((v) => v.invariant);
}

interface Expected {
  invariant: string;
  message: string;
  vm: number;
  vcpu: number;
  /** the kind of the event that breaks the invariant */
  breaking: TraceEvent['kind'];
  /** events that must appear in the lead, in this order, before the breaking event */
  led: Match[];
  t?: number;
}

/**
 * Asserts the run broke exactly one invariant, as `want` says: the recorded violation, its lead (the breaking event
 * last, the story before it in order) and the `violation` trace event emitted right after the breaking event.
 */
function expectViolation(r: RunResult, want: Expected): Violation {
  assert.deepStrictEqual(ids(r), [want.invariant]);
  const v = r.machine.state.violations[0];
  assert.strictEqual(v.invariant, want.invariant);
  assert.strictEqual(v.title, invariantInfo(want.invariant).title);
  assert.strictEqual(v.message, want.message);
  assert.strictEqual(v.vm, want.vm, 'vm');
  assert.strictEqual(v.vcpu, want.vcpu, 'vcpu');
  if (want.t !== undefined) assert.strictEqual(v.t, want.t, 'time');

  // The breaking event is in the trace at v.seq, and it is the last event of the lead.
  const breaking = r.events.find((e) => e.seq === v.seq);
  assert.ok(breaking, `no event with seq ${v.seq}`);
  assert.strictEqual(breaking.kind, want.breaking);
  assert.strictEqual(breaking.t, v.t);
  assert.ok(v.lead.length >= 2 && v.lead.length <= 12, `lead of ${v.lead.length} events`);
  assert.deepStrictEqual(v.lead[v.lead.length - 1], breaking, 'the lead ends with the breaking event');
  for (let i = 1; i < v.lead.length; i++) assert.ok(v.lead[i].seq > v.lead[i - 1].seq, 'the lead is oldest first');
  assert.ok(
    v.lead.every((e) => e.kind !== 'violation'),
    'no violation events in the lead',
  );
  // Events of this VM or of the host only.
  if (want.vm >= 0)
    assert.ok(
      v.lead.every((e) => e.vm === want.vm || e.vm < 0),
      'the lead is about this VM',
    );
  let at = 0;
  want.led.forEach((match, n) => {
    while (at < v.lead.length - 1 && !match(v.lead[at])) at++;
    assert.ok(
      at < v.lead.length - 1,
      `lead step ${n} missing from:\n${v.lead.map((e) => JSON.stringify(e, (_, x) => (typeof x === 'bigint' ? x.toString(16) : x))).join('\n')}`,
    );
    at++;
  });

  // ... and the violation went out as a trace event right after the event that broke it.
  const emitted = eventsOf(r.events, 'violation');
  assert.strictEqual(emitted.length, 1);
  const ev = emitted[0];
  assert.strictEqual(ev.invariant, want.invariant);
  assert.strictEqual(ev.title, v.title);
  assert.strictEqual(ev.message, want.message);
  assert.strictEqual(ev.seq, v.seq + 1);
  assert.strictEqual(ev.t, v.t);
  assert.strictEqual(ev.vm, want.vm);
  assert.strictEqual(ev.vcpu, want.vcpu);
  return v;
}

function expectNoViolation(r: RunResult): void {
  assert.deepStrictEqual(ids(r), []);
  assert.deepStrictEqual(eventsOf(r.events, 'violation'), []);
}

const kind =
  (k: TraceEvent['kind'], more: (e: TraceEvent) => boolean = () => true): Match =>
  (e) =>
    e.kind === k && more(e);
const psciCall =
  (fn: string, vcpu = 0): Match =>
  (e) =>
    e.kind === 'psci.call' && e.fn === fn && e.vcpu === vcpu;
const vmState =
  (to: string): Match =>
  (e) =>
    e.kind === 'vm.state' && e.to === to;
const hostState =
  (to: string): Match =>
  (e) =>
    e.kind === 'host.state' && e.from !== to && e.to === to;
const power =
  (vcpu: number, to: string): Match =>
  (e) =>
    e.kind === 'power' && e.vcpu === vcpu && e.to === to;
const deviceWhat =
  (device: string, what: string | RegExp): Match =>
  (e) =>
    e.kind === 'device' && e.device === device && (typeof what === 'string' ? e.what === what : what.test(e.what));

function vmmAnswers(r: RunResult): string[] {
  return eventsOf(r.events, 'vmm.answer').map((e) => `${e.exit} ${e.answer}: ${e.result}`);
}

// ------------------------------------------------------------------------------------------------
// host-suspended-while-guest-running

/** The s2idle notify race of examples/s2idle-notify-race.sflow, with the interrupt and the policy as parameters. */
function s2idleWorld(irqAt: string, policy = ''): string {
  return `vm vm0 {
  hypervisor kvm
  vcpus 1
  s2idle_notify at 0x0a001000
  device pt0 passthrough at 00:03.0 irq 40 { no_soft_reset true }
}

host {
  policy suspend waits-for vm0 s2idle
  ${policy}
  at 0ms: request suspend
  at ${irqAt}: irq 40 -> vm0
  at 500ms: wake
}

vm0.vcpu0 {
  irq enable 40 wake
  call linux.pm_suspend s2idle
  expect pt0.dstate == D0
  log "guest resumed at {now}"
}
`;
}

describe('invariant host-suspended-while-guest-running', () => {
  it('fires when a wake-up lands between the s2idle notification and the end of the host suspend', () => {
    const r = run(s2idleWorld('72.5ms'));
    const notify = eventsOf(r.events, 's2idle.notify');
    assert.strictEqual(notify.length, 1);
    assert.strictEqual(notify[0].t, 72_023_000, 'the guest notifies at the end of its s2idle entry');
    const v = expectViolation(r, {
      invariant: 'host-suspended-while-guest-running',
      message: 'the host suspended while vm0.vcpu0 was running',
      vm: -1,
      vcpu: -1,
      breaking: 'host.state',
      t: notify[0].t + HOST_SUSPEND_LATENCY,
      led: [
        kind('s2idle.notify', (e) => e.vm === 0 && e.vcpu === 0),
        hostState('suspending'),
        kind('host.action', (e) => e.kind === 'host.action' && e.action === 'irq 40 -> vm0'),
        kind('irq.wake', (e) => e.kind === 'irq.wake' && e.irq === 40 && e.from === 'WFI'),
        kind('log', (e) => e.kind === 'log' && e.text === 'linux: s2idle wake-up'),
      ],
    });
    const last = v.lead[v.lead.length - 1];
    assert.ok(last.kind === 'host.state' && last.from === 'suspending' && last.to === 'suspended');
    assert.deepStrictEqual(r.failures, []);
  });

  it('does not fire when the guest is still idle in WFI as the host completes its suspend', () => {
    const r = runGreen(s2idleWorld('80ms'));
    expectNoViolation(r);
    const host = eventsOf(r.events, 'host.state')
      .filter((e) => e.from !== e.to)
      .map((e) => `${e.t} ${e.from}->${e.to}`);
    assert.deepStrictEqual(host, [
      '72023000 running->suspending',
      '73023000 suspending->suspended',
      '80000000 suspended->resuming',
      '80000000 resuming->running',
    ]);
    const wake = eventsOf(r.events, 'irq.wake');
    assert.deepStrictEqual(
      wake.map((e) => [e.t, e.irq, e.from]),
      [[80_000_000, 40, 'WFI']],
      'the guest slept through the host suspend',
    );
  });

  it('does not fire with `policy suspend abort-on-wake`: the wake-up aborts the host suspend (examples/s2idle-notify-fixed.sflow)', () => {
    const r = runGreen(fs.readFileSync(path.join(ROOT, 'examples/s2idle-notify-fixed.sflow'), 'utf8'));
    expectNoViolation(r);
    const host = eventsOf(r.events, 'host.state').filter((e) => e.from !== e.to);
    assert.deepStrictEqual(
      host.map((e) => `${e.from}->${e.to}`),
      [
        'running->suspending',
        'suspending->running',
        'running->suspending',
        'suspending->suspended',
        'suspended->resuming',
        'resuming->running',
      ],
    );
    assert.strictEqual(host[1].why, 'suspend aborted: vm0.vcpu0 woke while the host was suspending');
    assert.strictEqual(host[1].t, 72_500_000);
    assert.strictEqual(eventsOf(r.events, 's2idle.notify').length, 2, 'the host waited for the second notification');
  });

  it('abort-on-wake does not excuse another VM that never went idle', () => {
    const r = run(`${s2idleWorld('100ms', 'policy suspend abort-on-wake')}
vm busy {
  hypervisor kvm
}

busy.vcpu0 {
  delay 200ms
}
`);
    expectViolation(r, {
      invariant: 'host-suspended-while-guest-running',
      message: 'the host suspended while busy.vcpu0 was running',
      vm: -1,
      vcpu: -1,
      breaking: 'host.state',
      t: 72_023_000 + HOST_SUSPEND_LATENCY,
      led: [kind('s2idle.notify', (e) => e.vm === 0), hostState('suspending')],
    });
  });
});

// ------------------------------------------------------------------------------------------------ suspend-with-vcpu-on

function twoVcpuKvm(answer: string, vcpu1: string, vcpu0: string, hv = 'hypervisor kvm'): string {
  return `vm guest {
  ${hv}
  vcpus 2
  ${answer}
}

host {
  at 5ms: irq 33 -> guest
}

guest.vcpu1 {
${vcpu1}
}

guest.vcpu0 {
  irq enable 33 wake
${vcpu0}
}
`;
}

describe('invariant suspend-with-vcpu-on', () => {
  const online = '  wait signal down\n  psci CPU_OFF';

  it('fires when the VMM answers confirm-unchecked with vcpu1 still on', () => {
    const r = run(
      twoVcpuKvm(
        'on system_suspend: confirm-unchecked',
        online,
        `
  psci SYSTEM_SUSPEND entry=resume context=7
  halt
resume:
  expect x0 == 7
  signal down`,
      ),
    );
    expectViolation(r, {
      invariant: 'suspend-with-vcpu-on',
      message: 'guest suspended with vcpu1 still on',
      vm: 0,
      vcpu: -1,
      breaking: 'vm.state',
      t: 1000,
      led: [
        psciCall('SYSTEM_SUSPEND'),
        kind('vmm.exit', (e) => e.kind === 'vmm.exit' && e.exit === 'SUSPEND'),
        kind('vmm.answer', (e) => e.kind === 'vmm.answer' && e.answer === 'confirm-unchecked'),
        power(0, 'POWERDOWN'),
      ],
    });
    assert.deepStrictEqual(r.failures, []);
    assert.strictEqual(r.machine.state.vms[0].vcpus[1].power, 1, 'vcpu1 took CPU_OFF after the resume');
  });

  it('does not fire when the VMM checks (confirm): DENIED, then the guest takes vcpu1 down and suspends', () => {
    const r = runGreen(
      twoVcpuKvm(
        'on system_suspend: confirm',
        online,
        `
  psci SYSTEM_SUSPEND entry=resume context=7
  expect x0 == DENIED
  signal down
  wait vcpu1.power == OFF
  psci SYSTEM_SUSPEND entry=resume context=7
  halt
resume:
  expect x0 == 7`,
      ),
    );
    expectNoViolation(r);
    assert.deepStrictEqual(vmmAnswers(r), [
      'SUSPEND confirm: DENIED',
      'SUSPEND confirm: KVM_SET_MP_STATE(SUSPENDED)',
      'WAKEUP resume: KVM_SET_MP_STATE(RUNNABLE)',
    ]);
    assert.deepStrictEqual(
      eventsOf(r.events, 'vm.state').map((e) => e.to),
      ['suspended', 'running'],
    );
  });

  it('does not fire under confirm-unchecked when the guest did take vcpu1 down first', () => {
    const r = runGreen(
      twoVcpuKvm(
        'on system_suspend: confirm-unchecked',
        online,
        `
  signal down
  wait vcpu1.power == OFF
  psci SYSTEM_SUSPEND entry=resume context=7
  halt
resume:
  expect x0 == 7`,
      ),
    );
    expectNoViolation(r);
    assert.deepStrictEqual(
      eventsOf(r.events, 'vm.state').map((e) => e.to),
      ['suspended', 'running'],
    );
  });

  it('a halted vCPU is still on: DENIED when checked, a violation when not', () => {
    const suspend = `
  delay 10us
  psci SYSTEM_SUSPEND entry=resume context=7
  log "returned {x0}"
  halt
resume:
  expect x0 == 7`;
    const checked = runGreen(twoVcpuKvm('on system_suspend: confirm', '  log "vcpu1 done"', suspend));
    expectNoViolation(checked);
    assert.deepStrictEqual(checked.logs, ['vcpu1 done', 'returned -3']);

    const unchecked = run(twoVcpuKvm('on system_suspend: confirm-unchecked', '  log "vcpu1 done"', suspend));
    expectViolation(unchecked, {
      invariant: 'suspend-with-vcpu-on',
      message: 'guest suspended with vcpu1 still on',
      vm: 0,
      vcpu: -1,
      breaking: 'vm.state',
      t: 11_000,
      led: [kind('halt', (e) => e.vcpu === 1), psciCall('SYSTEM_SUSPEND'), power(0, 'POWERDOWN')],
    });
  });

  it('does not fire for the in-kernel variant (suspend_checks kernel), which leaves the caller RUNNABLE in WFI', () => {
    const r = runGreen(
      twoVcpuKvm(
        '',
        online,
        `
  signal down
  wait vcpu1.power == OFF
  psci SYSTEM_SUSPEND entry=resume context=7
  halt
resume:
  expect x0 == 7`,
        'hypervisor kvm { suspend_checks kernel }',
      ),
    );
    expectNoViolation(r);
    const down = eventsOf(r.events, 'power').find((e) => e.vcpu === 0 && e.to === 'POWERDOWN');
    assert.ok(down && down.mp === 'RUNNABLE' && down.why === 'SYSTEM_SUSPEND (in-kernel)');
  });

  it('fires on Xen neither: Xen checks the other vCPUs itself (DENIED)', () => {
    const r = runGreen(`vm domu {
  hypervisor xen
  vcpus 2
}

host {
  at 5ms: irq 48 -> domu
}

domu.vcpu1 {
  wait signal down
  psci CPU_OFF
}

domu.vcpu0 {
  irq enable 48 wake
  psci SYSTEM_SUSPEND entry=resume context=1
  expect x0 == DENIED
  signal down
  wait vcpu1.power == OFF
  psci SYSTEM_SUSPEND entry=resume context=1
  halt
resume:
  expect x0 == 1
}
`);
    expectNoViolation(r);
    assert.deepStrictEqual(
      eventsOf(r.events, 'vm.state').map((e) => e.to),
      ['suspended', 'running'],
    );
  });
});

// ------------------------------------------------------------------------------------------------ mmio-to-sleeping-bar

function pciWorld(options: string, body: string): string {
  return `vm g {
  hypervisor kvm
  device dev pci at 00:03.0 { ${options} }
}

g.vcpu0 {
  pci write dev bar0 = 0x20000000
  pci write dev command.memory = 1
  mmio write 0x20000000 = 0x55
${body}
}
`;
}

describe('invariant mmio-to-sleeping-bar', () => {
  for (const [state, name] of [
    ['D1', 'D1'],
    ['D2', 'D2'],
    ['D3hot', 'D3hot'],
  ]) {
    it(`fires on a BAR read in ${name}`, () => {
      const r = run(
        pciWorld(
          'pm d1 d2',
          `
  pci write dev pmcsr.state = ${state}
  expect dev.dstate == ${state}
  mmio read 0x20000004
  expect x0 == 0xffffffff, "a sleeping function does not decode: all ones"`,
        ),
      );
      assert.deepStrictEqual(r.failures, []);
      expectViolation(r, {
        invariant: 'mmio-to-sleeping-bar',
        message: `read of 0x20000004 (dev) while it is in ${name}`,
        vm: 0,
        vcpu: 0,
        breaking: 'mmio',
        led: [
          kind('mmio', (e) => e.kind === 'mmio' && e.access === 'write' && !e.blocked && e.address === 0x20000000n),
          deviceWhat('dev', `D0 -> ${name}`),
          kind('pci.config', (e) => e.kind === 'pci.config' && e.register === 'pmcsr.state'),
        ],
      });
      const mmio = eventsOf(r.events, 'mmio').at(-1)!;
      assert.strictEqual(mmio.seq, r.machine.state.violations[0].seq);
      assert.ok(mmio.blocked);
      assert.strictEqual(mmio.target, `dev BAR0+0x4 (in ${name}: config space only)`);
    });
  }

  it('fires on a BAR write in D3hot, and the write is lost', () => {
    const r = run(
      pciWorld(
        '',
        `
  pci write dev pmcsr.state = D3hot
  mmio write 0x20000000 = 0x99
  pci write dev pmcsr.state = D0
  expect dev.resets == 1`,
      ),
    );
    assert.deepStrictEqual(r.failures, []);
    expectViolation(r, {
      invariant: 'mmio-to-sleeping-bar',
      message: 'write of 0x20000000 (dev) while it is in D3hot',
      vm: 0,
      vcpu: 0,
      breaking: 'mmio',
      led: [deviceWhat('dev', 'D0 -> D3hot')],
    });
  });

  it('fires on a passed-through BAR in D3cold (vfio promotion)', () => {
    const r = run(`vm g {
  hypervisor kvm
  device gpu passthrough at 00:02.0 { d3cold promote }
}

g.vcpu0 {
  pci write gpu bar0 = 0xe0000000
  pci write gpu command.memory = 1
  pci write gpu pmcsr.state = D3hot
  expect gpu.dstate == D3cold
  mmio read 0xe0000010
  expect x0 == 0xffffffff
}
`);
    assert.deepStrictEqual(r.failures, []);
    expectViolation(r, {
      invariant: 'mmio-to-sleeping-bar',
      message: 'read of 0xe0000010 (gpu) while it is in D3cold',
      vm: 0,
      vcpu: 0,
      breaking: 'mmio',
      led: [
        deviceWhat('gpu', 'vfio zaps BAR mappings'),
        deviceWhat('gpu', 'D3hot -> D3cold'),
        deviceWhat('gpu', 'vfio promotes D3hot to D3cold'),
      ],
    });
  });

  it('does not fire in D0 with memory decode off: the access is refused, but the function is not asleep', () => {
    const r = runGreen(
      pciWorld(
        '',
        `
  pci write dev command.memory = 0
  mmio read 0x20000000
  expect x0 == 0xffffffff, "no decode: all ones"
  expect dev.dstate == D0`,
      ),
    );
    expectNoViolation(r);
    const mmio = eventsOf(r.events, 'mmio').at(-1)!;
    assert.strictEqual(mmio.blocked, true);
    assert.strictEqual(mmio.target, 'dev BAR0+0x0 (Command.Memory is 0)');
  });

  it('does not fire once the function is back in D0, nor when D1 is not supported and the write is discarded', () => {
    const r = runGreen(
      pciWorld(
        '',
        `
  pci write dev pmcsr.state = D1
  expect dev.dstate == D0, "no D1 in PMC"
  mmio read 0x20000000
  expect x0 == 0x55
  pci write dev pmcsr.state = D3hot
  pci write dev pmcsr.state = D0
  pci write dev bar0 = 0x20000000
  pci write dev command.memory = 1
  mmio read 0x20000000
  expect x0 == 0, "the soft reset cleared the device registers"`,
      ),
    );
    expectNoViolation(r);
    assert.ok(eventsOf(r.events, 'mmio').every((e) => !e.blocked));
  });
});

// ------------------------------------------------------------------------------------------------
// no-soft-reset-context-lost

function gpuWorld(options: string, after = ''): string {
  return `vm g {
  hypervisor kvm
  device gpu passthrough at 00:02.0 irq 50 { ${options} }
}

g.vcpu0 {
  pci write gpu bar0 = 0xe0000000
  pci write gpu command.memory = 1
  mmio write 0xe0000010 = 0x1234
  pci write gpu pmcsr.state = D3hot
  pci write gpu pmcsr.state = D0
${after}
}
`;
}

describe('invariant no-soft-reset-context-lost', () => {
  it('fires when vfio promotes a No_Soft_Reset function to D3cold and it comes back reset', () => {
    const r = run(
      gpuWorld(
        'no_soft_reset true; d3cold promote',
        `
  expect gpu.resets == 1
  expect gpu.bar0 == 0, "a fundamental reset"`,
      ),
    );
    assert.deepStrictEqual(r.failures, []);
    expectViolation(r, {
      invariant: 'no-soft-reset-context-lost',
      message:
        'gpu lost its state (D3cold promotion: a fundamental reset the guest did not ask for) though it reports No_Soft_Reset, so its driver will not restore it',
      vm: 0,
      vcpu: 0,
      breaking: 'context.lost',
      led: [
        kind('mmio', (e) => e.kind === 'mmio' && e.access === 'write' && e.address === 0xe0000010n && !e.blocked),
        deviceWhat('gpu', 'vfio promotes D3hot to D3cold'),
        deviceWhat('gpu', 'vfio_pm_config_write'),
        deviceWhat('gpu', 'fundamental reset'),
      ],
    });
    const lost = eventsOf(r.events, 'context.lost');
    assert.deepStrictEqual(
      lost.map((e) => [e.device, e.noSoftReset]),
      [['gpu', true]],
    );
  });

  it('does not fire with `d3cold never`: D3hot -> D0 keeps the state, as No_Soft_Reset promises', () => {
    const r = runGreen(
      gpuWorld(
        'no_soft_reset true; d3cold never',
        `
  mmio read 0xe0000010
  expect x0 == 0x1234
  expect gpu.resets == 0 && gpu.bar0 == 0xe0000000`,
      ),
    );
    expectNoViolation(r);
    assert.deepStrictEqual(eventsOf(r.events, 'context.lost'), []);
  });

  it('does not fire without No_Soft_Reset: the soft reset is announced and expected', () => {
    const r = runGreen(
      gpuWorld(
        'no_soft_reset false',
        `
  mmio read 0xe0000010
  expect x0 == 0, "the device registers were reset"
  expect gpu.bar0 == 0xe0000000, "vfio restored the config"`,
      ),
    );
    expectNoViolation(r);
    assert.deepStrictEqual(
      eventsOf(r.events, 'context.lost').map((e) => [e.cause, e.noSoftReset]),
      [['soft reset on D3hot -> D0', false]],
    );
  });

  it('does not fire without No_Soft_Reset even when vfio promotes to D3cold', () => {
    const r = runGreen(
      gpuWorld(
        'no_soft_reset false; d3cold promote',
        `
  expect gpu.resets == 1`,
      ),
    );
    expectNoViolation(r);
    assert.deepStrictEqual(
      eventsOf(r.events, 'context.lost').map((e) => e.noSoftReset),
      [false],
    );
  });
});

// ------------------------------------------------------------------------------------------------
// virtio-reset-loses-context

/** A KVM guest with one virtio function `dev` at BAR0 0x10000000 that runs Linux's suspend to RAM. */
function virtioPmWorld(model: string, options: string, after: string): string {
  return `vm guest {
  hypervisor kvm
  device dev ${model} at 00:06.0 irq 60 { ${options} }
}

host {
  at 300ms: irq 60 -> guest
}

guest.vcpu0 {
  mmio write 0x10000000 = 0xff
  mmio write 0x10000004 = 0x0f
  irq enable 60 wake
  call linux.pm_suspend mem
  expect now >= 300ms, "suspended to RAM until the interrupt"
${after}
}
`;
}

/** The virtio PM callbacks around SYSTEM_SUSPEND without taking the function to D3hot. */
function virtioDirectWorld(options: string, after: string): string {
  return `vm guest {
  hypervisor kvm
  device dev virtio-gpio at 00:06.0 irq 60 { ${options} }
}

host {
  at 5ms: irq 60 -> guest
}

guest.vcpu0 {
  mmio write 0x10000000 = 0xff
  mmio write 0x10000004 = 0x0f
  irq enable 60 wake
  virtio freeze dev
  psci SYSTEM_SUSPEND entry=resume context=1
  halt
resume:
  virtio restore dev
${after}
}
`;
}

describe('invariant virtio-reset-loses-context', () => {
  it('fires for virtio-gpio through linux.pm_suspend mem: the restore resets it and nothing rebuilds the pins', () => {
    const r = run(
      virtioPmWorld(
        'virtio-gpio',
        '',
        `
  expect dev.pin_levels == 0 && dev.pin_directions == 0
  expect dev.status == (ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK)`,
      ),
    );
    assert.deepStrictEqual(r.failures, []);
    expectViolation(r, {
      invariant: 'virtio-reset-loses-context',
      message: 'dev: virtio reset on resume; the virtio-gpio driver does not rebuild it',
      vm: 0,
      vcpu: 0,
      breaking: 'context.lost',
      led: [
        kind('log', (e) => e.kind === 'log' && e.text === 'linux: dpm_resume'),
        deviceWhat('dev', /-> 0 \(reset\)$/),
        deviceWhat('dev', /-> 1 \(ACKNOWLEDGE\)$/),
        deviceWhat('dev', /-> 15 \(ACKNOWLEDGE\|DRIVER\|DRIVER_OK\|FEATURES_OK\)$/),
      ],
    });
    const reset = r.machine.state.violations[0].lead.find((e) => e.kind === 'device' && /-> 0 \(reset\)$/.test(e.what));
    assert.ok(reset && reset.kind === 'device' && reset.detail === 'virtio_device_restore resets the device');
  });

  it('fires for virtio-gpio frozen and restored around SYSTEM_SUSPEND without D3hot', () => {
    const r = run(virtioDirectWorld('', '  expect dev.pin_levels == 0'));
    assert.deepStrictEqual(r.failures, []);
    assert.ok(r.events.some(deviceWhat('dev', 'virtio_device_freeze')));
    expectViolation(r, {
      invariant: 'virtio-reset-loses-context',
      message: 'dev: virtio reset on resume; the virtio-gpio driver does not rebuild it',
      vm: 0,
      vcpu: 0,
      breaking: 'context.lost',
      led: [
        kind('irq.wake', (e) => e.kind === 'irq.wake' && e.irq === 60 && e.from === 'SUSPENDED'),
        vmState('running'),
        deviceWhat('dev', /-> 0 \(reset\)$/),
        deviceWhat('dev', /-> 15 \(ACKNOWLEDGE\|DRIVER\|DRIVER_OK\|FEATURES_OK\)$/),
      ],
    });
  });

  it('does not fire for virtio-net, whose driver rebuilds its device state', () => {
    const r = runGreen(
      virtioPmWorld(
        'virtio-net',
        '',
        `
  mmio read 0x10000004
  expect x0 == 0x0f, "the driver's restore put it back"
  expect dev.status == (ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK)`,
      ),
    );
    expectNoViolation(r);
    assert.ok(r.events.some(deviceWhat('dev', 'driver restore')));
    assert.deepStrictEqual(eventsOf(r.events, 'context.lost'), []);
  });

  it('does not fire for virtio-gpio with No_Soft_Reset: the no-reset PM path skips freeze and restore', () => {
    const r = runGreen(
      virtioPmWorld(
        'virtio-gpio',
        'no_soft_reset true',
        `
  expect dev.pin_levels == 0x0f && dev.pin_directions == 0xff
  expect dev.resets == 0`,
      ),
    );
    expectNoViolation(r);
    assert.ok(r.events.some(deviceWhat('dev', 'virtio_pci_suspend: no freeze')));
    assert.ok(r.events.some(deviceWhat('dev', 'virtio_pci_resume: no restore')));
  });

  it('does not fire with VIRTIO_F_SUSPEND (and No_Soft_Reset): the driver suspends the device instead of resetting it', () => {
    const r = runGreen(
      virtioPmWorld(
        'virtio-gpio',
        'no_soft_reset true; feature suspend',
        `
  expect dev.pin_levels == 0x0f && dev.pin_directions == 0xff
  expect dev.status == (ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK)
  expect dev.resets == 0`,
      ),
    );
    expectNoViolation(r);
    const status = eventsOf(r.events, 'device')
      .filter((e) => e.device === 'dev' && e.what.startsWith('virtio status'))
      .map((e) => e.detail);
    assert.deepStrictEqual(status, [
      'VIRTIO_F_SUSPEND: the driver suspends the device',
      'VIRTIO_F_SUSPEND: the driver resumes the device',
    ]);
  });

  it('does not fire with VIRTIO_F_SUSPEND around SYSTEM_SUSPEND without D3hot: the SUSPEND handshake keeps the pins', () => {
    const r = runGreen(
      virtioDirectWorld(
        'no_soft_reset true; feature suspend',
        `
  expect dev.pin_levels == 0x0f && dev.pin_directions == 0xff
  expect dev.status == (ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK)`,
      ),
    );
    expectNoViolation(r);
    assert.ok(r.events.some(deviceWhat('dev', /-> 27 \(ACKNOWLEDGE\|DRIVER\|FEATURES_OK\|SUSPEND\)$/)));
  });

  it('fires for `feature suspend; suspend_rule rfc` without No_Soft_Reset: the feature is not offered, so the device is reset as usual', () => {
    // Before `suspend_rule` existed this was the default; the virtio 1.4 rule (the default now) offers the feature.
    const text = virtioPmWorld(
      'virtio-gpio',
      'feature suspend; suspend_rule rfc',
      `
  expect dev.pin_levels == 0`,
    );
    assert.deepStrictEqual(diagnosticLines(text), [
      "3:46 warning VIRTIO_F_SUSPEND is only offered with 'no_soft_reset true' under 'suspend_rule rfc' (the Linux RFC's PCI transport requires No_Soft_Reset): this feature is not negotiated",
    ]);
    const r = run(text);
    assert.deepStrictEqual(r.failures, []);
    expectViolation(r, {
      invariant: 'virtio-reset-loses-context',
      message: 'dev: virtio reset on resume; the virtio-gpio driver does not rebuild it',
      vm: 0,
      vcpu: 0,
      breaking: 'context.lost',
      led: [
        deviceWhat('dev', /-> 0 \(reset\)$/),
        deviceWhat('dev', /-> 15 \(ACKNOWLEDGE\|DRIVER\|DRIVER_OK\|FEATURES_OK\)$/),
      ],
    });
    assert.ok(!r.events.some(deviceWhat('dev', /SUSPEND\)$/)), 'no SUSPEND handshake');
  });
});

// ------------------------------------------------------------------------------------------------
// suspended-without-wake-source

function wakeWorld(irqSetup: string, hv = 'kvm'): string {
  return `vm guest {
  hypervisor ${hv}
}

host {
  at 5ms: irq 33 -> guest
}

guest.vcpu0 {
${irqSetup}
  psci SYSTEM_SUSPEND entry=resume context=3
  halt
resume:
  expect x0 == 3
}
`;
}

describe('invariant suspended-without-wake-source', () => {
  it('fires on SYSTEM_SUSPEND with no interrupt enabled at all; the guest never wakes', () => {
    const r = run(wakeWorld(''));
    expectViolation(r, {
      invariant: 'suspended-without-wake-source',
      message: 'guest suspended with no enabled wake-up interrupt: nothing can wake it',
      vm: 0,
      vcpu: -1,
      breaking: 'vm.state',
      t: 0,
      led: [
        psciCall('SYSTEM_SUSPEND'),
        kind('vmm.answer', (e) => e.kind === 'vmm.answer' && e.result === 'KVM_SET_MP_STATE(SUSPENDED)'),
        power(0, 'POWERDOWN'),
      ],
    });
    assert.deepStrictEqual(r.stop, {
      kind: 'outcome',
      outcome: { kind: 'hang', waiting: ['guest.vcpu0 is suspended and no wake-up interrupt is coming'] },
    });
    assert.deepStrictEqual(
      eventsOf(r.events, 'irq.masked').map((e) => e.irq),
      [33],
    );
  });

  it('fires when the interrupt is enabled but not armed as a wake-up source', () => {
    const r = run(wakeWorld('  irq enable 33'));
    expectViolation(r, {
      invariant: 'suspended-without-wake-source',
      message:
        'guest suspended with no interrupt armed as a wake-up source (irq 33 enabled but not armed: it would wake it by accident)',
      vm: 0,
      vcpu: -1,
      breaking: 'vm.state',
      t: 1000,
      led: [
        kind('irq.config', (e) => e.kind === 'irq.config' && e.irq === 33 && e.enabled && !e.wake),
        psciCall('SYSTEM_SUSPEND'),
      ],
    });
  });

  it('fires when the wake-up interrupt was disabled again before suspending', () => {
    const r = run(wakeWorld('  irq enable 33 wake\n  irq disable 33'));
    expectViolation(r, {
      invariant: 'suspended-without-wake-source',
      message: 'guest suspended with no enabled wake-up interrupt: nothing can wake it',
      vm: 0,
      vcpu: -1,
      breaking: 'vm.state',
      t: 2000,
      led: [
        kind('irq.config', (e) => e.kind === 'irq.config' && e.irq === 33 && e.enabled && e.wake),
        kind('irq.config', (e) => e.kind === 'irq.config' && e.irq === 33 && !e.enabled),
        psciCall('SYSTEM_SUSPEND'),
      ],
    });
    assert.strictEqual(r.stop.kind === 'outcome' && r.stop.outcome.kind, 'hang');
  });

  it('fires for a Xen domain too (the toolstack resumes it by hand)', () => {
    const r = run(wakeWorld('', 'xen').replace('at 5ms: irq 33 -> guest', 'at 5ms: vmm guest resume'));
    expectViolation(r, {
      invariant: 'suspended-without-wake-source',
      message: 'guest suspended with no enabled wake-up interrupt: nothing can wake it',
      vm: 0,
      vcpu: -1,
      breaking: 'vm.state',
      t: 0,
      led: [psciCall('SYSTEM_SUSPEND'), power(0, 'POWERDOWN')],
    });
    assert.deepStrictEqual(r.failures, []);
  });

  it('does not fire with `irq enable 33 wake`, and the interrupt wakes the guest', () => {
    const r = runGreen(wakeWorld('  irq enable 33 wake'));
    expectNoViolation(r);
    assert.deepStrictEqual(
      eventsOf(r.events, 'vm.state').map((e) => [e.t, e.to]),
      [
        [1000, 'suspended'],
        [5_000_000, 'running'],
      ],
    );
  });
});

// ------------------------------------------------------------------------------------------------
// watchdog-expired-while-suspended

function watchdogWorld(hv: string, wakeAt: string, vcpu0?: string): string {
  return `vm guest {
  hypervisor ${hv}
  watchdog 10ms
}

host {
  at ${wakeAt}: irq 33 -> guest
}

guest.vcpu0 {
${
  vcpu0 ??
  `  irq enable 33 wake
  psci SYSTEM_SUSPEND entry=resume context=3
  halt
resume:
  expect x0 == 3
  log "resumed at {now}"`
}
}
`;
}

describe('invariant watchdog-expired-while-suspended', () => {
  it('fires for a KVM VM suspended longer than its watchdog timeout', () => {
    const r = run(watchdogWorld('kvm', '50ms'));
    const v = expectViolation(r, {
      invariant: 'watchdog-expired-while-suspended',
      message: "guest's watchdog expired while it was suspended (no feed for 10 ms while the VM is suspended)",
      vm: 0,
      vcpu: -1,
      breaking: 'device',
      t: 1000 + 10_000_000,
      led: [psciCall('SYSTEM_SUSPEND'), vmState('suspended')],
    });
    const last = v.lead[v.lead.length - 1];
    assert.ok(last.kind === 'device' && last.device === 'watchdog' && last.what === 'watchdog expired');
    assert.deepStrictEqual(r.failures, []);
    assert.deepStrictEqual(r.logs, ['resumed at 50.001ms'], 'the expect before the log costs 1 us');
  });

  it('does not fire for a Xen domain: Xen pauses its watchdog while it is suspended', () => {
    const r = runGreen(watchdogWorld('xen', '50ms'));
    expectNoViolation(r);
    assert.ok(r.events.some(deviceWhat('watchdog', 'watchdog paused')));
    assert.ok(!r.events.some(deviceWhat('watchdog', 'watchdog expired')));
    assert.deepStrictEqual(r.logs, ['resumed at 50.001ms'], 'the expect before the log costs 1 us');
  });

  it('does not fire for a KVM VM resumed before the timeout', () => {
    const r = runGreen(watchdogWorld('kvm', '5ms'));
    expectNoViolation(r);
    assert.deepStrictEqual(r.logs, ['resumed at 5.001ms']);
  });

  it('a stale timer from an earlier suspend does not fire; the second, longer suspend does', () => {
    const r = run(`vm guest {
  hypervisor kvm
  watchdog 10ms
}

host {
  at 5ms: irq 33 -> guest
  at 40ms: irq 33 -> guest
}

guest.vcpu0 {
  irq enable 33 wake
  psci SYSTEM_SUSPEND entry=first context=1
  halt
first:
  irq ack 33
  delay 7ms
  psci SYSTEM_SUSPEND entry=second context=2
  halt
second:
  expect x0 == 2
}
`);
    assert.deepStrictEqual(r.failures, []);
    const suspended = eventsOf(r.events, 'vm.state')
      .filter((e) => e.to === 'suspended')
      .map((e) => e.t);
    assert.strictEqual(suspended.length, 2);
    expectViolation(r, {
      invariant: 'watchdog-expired-while-suspended',
      message: "guest's watchdog expired while it was suspended (no feed for 10 ms while the VM is suspended)",
      vm: 0,
      vcpu: -1,
      breaking: 'device',
      t: suspended[1] + 10_000_000,
      led: [vmState('running'), vmState('suspended')],
    });
  });
});

// ------------------------------------------------------------------------------------------------ resumed-outside-ram

function outsideWorld(hv: string, answer: string, entry: string, after = ''): string {
  return `vm guest {
  hypervisor ${hv}
  ram 0x40000000 256M
  ${answer}
}

host {
  at 5ms: irq 33 -> guest
}

guest.vcpu0 {
  irq enable 33 wake
  psci SYSTEM_SUSPEND entry=${entry} context=3
${after}
  halt
resume:
  expect x0 == 3
  log "resumed"
}
`;
}

describe('invariant resumed-outside-ram', () => {
  it('fires when Xen resumes a domain at a SYSTEM_SUSPEND entry outside RAM, and the vCPU faults there', () => {
    const r = run(outsideWorld('xen', '', '0x80000000'));
    expectViolation(r, {
      invariant: 'resumed-outside-ram',
      message: 'guest.vcpu0 runs from 0x80000000, outside RAM',
      vm: 0,
      vcpu: 0,
      breaking: 'power',
      t: 5_000_000,
      led: [
        kind('psci.call', (e) => e.kind === 'psci.call' && e.fn === 'SYSTEM_SUSPEND' && e.args[0] === 0x80000000n),
        vmState('suspended'),
        kind('irq.wake', (e) => e.kind === 'irq.wake' && e.irq === 33 && e.from === 'SUSPENDED'),
        kind('vmm.answer', (e) => e.kind === 'vmm.answer' && e.exit === 'WAKEUP' && e.answer === 'resume'),
      ],
    });
    const last = r.machine.state.violations[0].lead.at(-1)!;
    assert.ok(last.kind === 'power' && last.from === 'POWERDOWN' && last.to === 'ON');
    assert.deepStrictEqual(
      eventsOf(r.events, 'fault').map((e) => [e.vcpu, e.message]),
      [[0, 'no statement at pc 0x80000000']],
    );
    assert.deepStrictEqual(r.logs, []);
  });

  it('fires at the first address past the end of RAM', () => {
    const r = run(outsideWorld('xen', '', '0x50000000'));
    assert.deepStrictEqual(ids(r), ['resumed-outside-ram']);
    assert.strictEqual(r.machine.state.violations[0].message, 'guest.vcpu0 runs from 0x50000000, outside RAM');
  });

  it('fires when a KVM VMM confirms without checking (confirm-unchecked) and resumes outside RAM', () => {
    const r = run(outsideWorld('kvm', 'on system_suspend: confirm-unchecked', '0x80000000'));
    expectViolation(r, {
      invariant: 'resumed-outside-ram',
      message: 'guest.vcpu0 runs from 0x80000000, outside RAM',
      vm: 0,
      vcpu: 0,
      breaking: 'power',
      t: 5_000_000,
      led: [
        kind('vmm.answer', (e) => e.kind === 'vmm.answer' && e.exit === 'SUSPEND' && e.answer === 'confirm-unchecked'),
        kind('vmm.exit', (e) => e.kind === 'vmm.exit' && e.exit === 'WAKEUP'),
        kind('vmm.answer', (e) => e.kind === 'vmm.answer' && e.exit === 'WAKEUP' && e.answer === 'resume'),
      ],
    });
  });

  it('does not fire on KVM whose VMM checks: INVALID_ADDRESS, and the guest suspends again with a good entry', () => {
    const r = runGreen(
      outsideWorld(
        'kvm',
        'on system_suspend: confirm',
        '0x80000000',
        `  expect x0 == INVALID_ADDRESS
  psci SYSTEM_SUSPEND entry=resume context=3`,
      ),
    );
    expectNoViolation(r);
    assert.deepStrictEqual(vmmAnswers(r), [
      'SUSPEND confirm: INVALID_ADDRESS',
      'SUSPEND confirm: KVM_SET_MP_STATE(SUSPENDED)',
      'WAKEUP resume: KVM_SET_MP_STATE(RUNNABLE)',
    ]);
    assert.deepStrictEqual(r.logs, ['resumed']);
  });

  it('does not fire when Xen resumes a domain at an entry point in RAM', () => {
    const r = runGreen(outsideWorld('xen', '', 'resume'));
    expectNoViolation(r);
    assert.deepStrictEqual(r.logs, ['resumed']);
  });
});

// ------------------------------------------------------------------------------------------------ expect violation,
// tables

describe('expect violation ID', () => {
  const world = 'vm g {\n  hypervisor kvm\n}\ng.vcpu0 { halt }\n';
  const all = INVARIANT_INFO.map((i) => i.id).join(', ');

  it('accepts every invariant id and records it in the program', () => {
    for (const info of INVARIANT_INFO) {
      const r = checkSource(`${world}expect violation ${info.id}\n`);
      assert.deepStrictEqual(
        r.diagnostics.map((d) => d.message),
        [],
      );
      assert.deepStrictEqual(
        r.program.expectedViolations.map((v) => v.id),
        [info.id],
      );
    }
  });

  it('reports a misspelt id with a did-you-mean and a quick fix', () => {
    assert.deepStrictEqual(diagnosticLines(`${world}expect violation mmio-to-sleping-bar\n`), [
      `5:18 error unknown invariant 'mmio-to-sleping-bar'; did you mean 'mmio-to-sleeping-bar'?; the invariants are ${all}`,
    ]);
    const d = checkSource(`${world}expect violation mmio-to-sleping-bar\n`).diagnostics[0];
    assert.strictEqual(d.code, 'unknown-invariant');
    assert.deepStrictEqual(
      d.fixes?.map((f) => f.newText),
      ['mmio-to-sleeping-bar'],
    );
  });

  it('reports an unknown id without a suggestion when nothing is close', () => {
    assert.deepStrictEqual(diagnosticLines(`${world}expect violation no-such-thing\n`), [
      `5:18 error unknown invariant 'no-such-thing'; the invariants are ${all}`,
    ]);
  });

  it('reports an id expected twice', () => {
    assert.deepStrictEqual(
      diagnosticLines(`${world}expect violation resumed-outside-ram\nexpect violation resumed-outside-ram\n`),
      ["6:18 error 'resumed-outside-ram' is already expected"],
    );
  });
});

// ------------------------------------------------------------------------------------------------
// s2idle-spin

/** irq 41 (enabled, not a wake-up source) at 100ms, then the wake-up irq 40 at 200ms, around vcpu0's `code`. */
function spinWorld(code: string): string {
  return `vm vm0 {
  hypervisor kvm
  s2idle_notify at 0x0a001000
}
host {
  at 100ms: irq 41 -> vm0
  at 200ms: irq 40 -> vm0
}
vm0.vcpu0 {
  irq enable 40 wake
  irq enable 41
${code}
}
`;
}

/** An s2idle loop written out (no prelude, so no default handler). */
function s2idleLoop(handler: string): string {
  return spinWorld(`  loop {
    s2idle notify
    wfi
    if wakeup_pending { break }
  }
  halt
  ${handler}`);
}

describe('invariant s2idle-spin', () => {
  it('fires when a guest goes back into s2idle with the interrupt that woke it still pending', () => {
    // Issue 12 item 4: this loop spun until 200ms (thousands of notifications) and the run passed.
    const r = run(s2idleLoop(''));
    expectViolation(r, {
      invariant: 's2idle-spin',
      message:
        'vm0.vcpu0 entered s2idle with irq 41 pending and not serviced: its WFI returns at once and the s2idle loop spins instead of sleeping',
      vm: 0,
      vcpu: 0,
      breaking: 's2idle.notify',
      led: [kind('irq.raise', (e) => e.kind === 'irq.raise' && e.irq === 41), kind('irq.wake')],
    });
    assert.match(stateProblems(r.machine).join('\n'), /^invariant violated: s2idle-spin/);
  });

  it('does not fire when the interrupt is serviced: one notification per wake-up', () => {
    const r = runGreen(s2idleLoop('on irq 41 { log "tick" }'));
    expectNoViolation(r);
    assert.deepStrictEqual(
      eventsOf(r.events, 's2idle.notify').map((e) => e.count),
      [1, 2],
    );
  });

  it('does not fire for a Linux guest, whose kernel services an interrupt the scenario gives no handler', () => {
    const r = runGreen(spinWorld('  call linux.pm_suspend s2idle'));
    expectNoViolation(r);
  });
});

describe('the invariant tables', () => {
  it('src/sim/invariants/index.ts lists exactly the invariants of src/lang/domain/invariants.ts, in order', () => {
    assert.deepStrictEqual(
      INVARIANTS.map((i) => i.id),
      INVARIANT_INFO.map((i) => i.id),
    );
    assert.strictEqual(new Set(INVARIANTS.map((i) => i.id)).size, 9);
    INVARIANTS.forEach((inv, n) => {
      assert.strictEqual(inv.title, INVARIANT_INFO[n].title);
      assert.strictEqual(inv.description, INVARIANT_INFO[n].description);
    });
  });

  it('has one file per invariant, named after its id', () => {
    const dir = path.join(ROOT, 'src/sim/invariants');
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'invariant.ts')
      .map((f) => f.replace(/\.ts$/, ''));
    assert.deepStrictEqual(files.sort(), INVARIANT_INFO.map((i) => i.id).sort());
  });
});
