// The Linux prelude (lib/linux.sflow): the kernel's suspend path in the order a real guest follows (REAL-GUEST.md),
// named after the kernel's functions.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PRELUDE_SOURCES } from '../../src/lang/prelude-text';
import { Machine } from '../../src/sim/machine';
import { staticFacts } from '../../src/sim/explore/independence';
import { compile, eventsOf, runGreen } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

function phases(logs: string[]): string[] {
  return logs.filter((l) => l.startsWith('linux: ')).map((l) => l.slice(7));
}

const MEM = `
vm guest {
  hypervisor kvm
  vcpus 2
  device net0 virtio-net at 00:01.0 irq 33
}
host { at 300ms: irq 33 -> guest }
guest.vcpu1 { call linux.secondary }
guest.vcpu0 {
  irq enable 33 wake
  call linux.pm_suspend mem
  expect net0.status & DRIVER_OK
  expect vcpu1.power == ON
}
`;

/** irq 41 (enabled, not a wake-up source) at 100ms and 150ms, the wake-up irq 40 at 200ms, around an s2idle. */
function spuriousWakeUps(handler: string): string {
  return `
vm vm0 {
  hypervisor kvm
  s2idle_notify at 0x0a001000
}
host {
  at 100ms: irq 41 -> vm0
  at 150ms: irq 41 -> vm0
  at 200ms: irq 40 -> vm0
}
vm0.vcpu0 {
  irq enable 40 wake
  irq enable 41
  call linux.pm_suspend s2idle
  expect now >= 200ms
  halt
  ${handler}
}
`;
}

describe('Linux prelude', () => {
  it('is embedded exactly as lib/ has it', () => {
    const files = fs
      .readdirSync(path.join(ROOT, 'lib'))
      .filter((f) => f.endsWith('.sflow'))
      .sort();
    assert.deepStrictEqual(
      PRELUDE_SOURCES.map((s) => s.path),
      files.map((f) => `lib/${f}`),
    );
    for (const s of PRELUDE_SOURCES)
      assert.strictEqual(
        s.text,
        fs.readFileSync(path.join(ROOT, s.path), 'utf8'),
        `${s.path} is stale: run npm run build`,
      );
  });

  it("suspends to RAM in the kernel's phase order, with the CPUs going down before SYSTEM_SUSPEND", () => {
    const r = runGreen(MEM);
    assert.deepStrictEqual(phases(r.logs), [
      'suspend_enter',
      'sync_filesystems, freeze_processes',
      'dpm_prepare, dpm_suspend',
      'dpm_suspend_late',
      'dpm_suspend_noirq',
      'disabling non-boot CPUs',
      'PSCI SYSTEM_SUSPEND',
      'resumed from SYSTEM_SUSPEND',
      'enabling non-boot CPUs',
      'dpm_resume_noirq',
      'dpm_resume_early',
      'dpm_resume',
      'dpm_complete',
      'resume_console',
      'thaw_processes',
    ]);
    const calls = eventsOf(r.events, 'psci.call').map((e) => `vcpu${e.vcpu} ${e.fn}`);
    assert.deepStrictEqual(calls, [
      'vcpu0 PSCI_FEATURES',
      'vcpu0 AFFINITY_INFO',
      'vcpu1 CPU_OFF',
      'vcpu0 AFFINITY_INFO',
      'vcpu0 SYSTEM_SUSPEND',
      'vcpu0 CPU_ON',
    ]);
  });

  it('does to the devices what the captured guest did: virtio freeze, then D3hot; D0, restore, then virtio restore', () => {
    const r = runGreen(MEM);
    const seen = r.events.flatMap((e) => {
      if (e.kind === 'device' && (e.what.startsWith('virtio status') || e.what.startsWith('pci_')))
        return [e.what.replace(/ \(.*?\)/g, '')];
      if (e.kind === 'pci.config' && e.register === 'pmcsr.state') return [`PMCSR ${e.value === 3n ? 'D3hot' : 'D0'}`];
      return [];
    });
    // REAL-GUEST.md: status 0 at freeze; PMCSR 3 in noirq; PMCSR 0 and config restore in resume_noirq; 0,1,3,11,15.
    assert.deepStrictEqual(seen, [
      'virtio status 15 -> 0',
      'pci_save_state',
      'PMCSR D3hot',
      'PMCSR D0',
      'pci_restore_state',
      'virtio status 0 -> 0',
      'virtio status 0 -> 1',
      'virtio status 1 -> 3',
      'virtio status 3 -> 11',
      'virtio status 11 -> 15',
    ]);
  });

  it('names the frames after the kernel functions', () => {
    const m = new Machine(compile(MEM));
    const cfg = m.program.vms[0];
    m.run(
      { maxSteps: 100_000 },
      (u) =>
        u.kind === 'vcpu' &&
        u.vcpu === 0 &&
        cfg.code[u.pc]?.op === 'psci' &&
        (cfg.code[u.pc] as { fn: { fn: { name: string } } }).fn.fn.name === 'SYSTEM_SUSPEND',
    );
    const stack = m.state.vms[0].vcpus[0].stack.map((f) => cfg.frames[f.frame].name);
    assert.deepStrictEqual(stack, [
      'guest.vcpu0',
      'linux.pm_suspend',
      'linux.enter_state',
      'linux.suspend_devices_and_enter',
      'linux.suspend_enter',
      'linux.psci_system_suspend_enter',
    ]);
  });

  it('resumes through cpu_resume with the MMU back on and the call stack restored', () => {
    const r = runGreen(MEM);
    const resumed = r.logs.indexOf('linux: resumed from SYSTEM_SUSPEND');
    assert.ok(resumed > 0);
    assert.strictEqual(r.machine.state.vms[0].vcpus[0].mmu, 1);
  });

  it('falls back to s2idle when PSCI has no SYSTEM_SUSPEND, as mem_sleep does', () => {
    const r = runGreen(MEM.replace('hypervisor kvm', 'hypervisor kvm { system_suspend_exit off }'));
    assert.ok(r.logs.includes('linux: PSCI has no SYSTEM_SUSPEND, mem falls back to s2idle'));
    assert.ok(phases(r.logs).includes('machine_suspend (s2idle)'));
    assert.deepStrictEqual(
      eventsOf(r.events, 'psci.call').map((e) => e.fn),
      ['PSCI_FEATURES'],
    );
  });

  it('notifies again after every spurious wake-up in the s2idle loop', () => {
    // irq 41 is enabled but not a wake-up source (like an IRQF_NO_SUSPEND one): its handler runs, and the loop
    // goes back into s2idle, which calls check() and so notifies again.
    const r = runGreen(spuriousWakeUps('on irq 41 {\n    log "timer tick"\n  }'));
    const notes = eventsOf(r.events, 's2idle.notify').map((e) => e.count);
    assert.deepStrictEqual(notes, [1, 2, 3]);
    assert.strictEqual(r.logs.filter((l) => l === 'linux: spurious wake-up, back into s2idle').length, 2);
    assert.strictEqual(r.logs.filter((l) => l === 'timer tick').length, 2);
  });

  it('counts the default handler for explore: no vCPU of a Linux guest is quiet', () => {
    // A quiet vCPU (no handler) lets explore skip interleavings of its local steps with interrupts; a Linux guest's
    // vCPUs may each run linux.generic_handle_irq instead of their next statement.
    const linux = staticFacts(compile(MEM));
    assert.deepStrictEqual(linux.quiet[0], [false, false]);
    const plain = staticFacts(
      compile(MEM.replace('call linux.secondary', 'halt').replace('call linux.pm_suspend mem', 'wfi')),
    );
    assert.deepStrictEqual(plain.quiet[0], [true, true]);
  });

  it('services an interrupt the scenario gives no handler, so s2idle re-enters once per wake-up', () => {
    // Issue 12 item 4: without a handler irq 41 stayed pending and the loop spun (thousands of notifications).
    const r = runGreen(spuriousWakeUps(''));
    assert.deepStrictEqual(
      eventsOf(r.events, 's2idle.notify').map((e) => e.count),
      [1, 2, 3],
    );
    assert.deepStrictEqual(
      eventsOf(r.events, 'irq.deliver').map((e) => e.irq),
      [41, 41],
    );
    assert.strictEqual(r.logs.filter((l) => l === 'linux: irq 41 handled (handle_fasteoi_irq, EOI)').length, 2);
    assert.strictEqual(r.logs.filter((l) => l === 'linux: spurious wake-up, back into s2idle').length, 2);
  });
});
