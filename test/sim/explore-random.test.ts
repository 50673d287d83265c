// Explore's partial-order reduction against the plain search on randomly built scenarios: two or three guests,
// isolated or tied to the host (s2idle notify registers, suspend policies, watchdogs), interrupts in windows,
// handlers, signals, waits (some on another guest's registers), WFI, notifications, statements that read another
// guest or the host; and guests suspending with PSCI on KVM (VMM alternatives, answers deferred to a host action
// in a window, CPU_ON after the resume) and Xen (dom0). Each pair of searches must find the same problems and end
// their clean paths in the same states. A failure names its seed; SEED=N runs that scenario alone.

import * as assert from 'assert';
import { checkText } from '../../src/lang/checker';
import { hasErrors, formatDiagnostic } from '../../src/lang/diagnostics';
import { preludeFiles } from '../../src/lang/prelude';
import { exploreOutcomes, seededRandom } from '../helpers';

interface Guest {
  name: string;
  vcpus: number;
  notify: boolean;
  watchdog: boolean;
  irq: number;
}

function scenario(seed: number): string {
  const next = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[next(xs.length)];
  const guests: Guest[] = Array.from({ length: 2 + next(2) }, (_, i) => ({
    name: `g${i}`,
    vcpus: 1 + next(2),
    notify: next(2) === 0,
    watchdog: next(5) === 0,
    irq: 40 + i,
  }));
  const vms = guests.map(
    (g) =>
      `vm ${g.name} {\n  hypervisor kvm\n  vcpus ${g.vcpus}\n${g.notify ? '  s2idle_notify at 0x0a001000\n' : ''}${g.watchdog ? '  watchdog 30us\n' : ''}}`,
  );
  const host: string[] = [];
  for (const g of guests) {
    if (g.notify && next(2) === 0)
      host.push(
        next(2) === 0 ? `  policy suspend waits-for ${g.name} s2idle` : `  policy suspend privileged ${g.name}`,
      );
    const from = next(8);
    host.push(`  at ${from}us..${from + 1 + next(8)}us: irq ${g.irq} -> ${g.name}`);
  }
  if (next(2) === 0) host.push('  policy suspend abort-on-wake');
  if (next(2) === 0) host.push(`  at ${next(6)}us..${6 + next(6)}us: request suspend`);
  if (next(3) === 0) host.push(`  at ${20 + next(10)}us: wake`);
  // Policies name each VM once at most.
  const seen = new Set<string>();
  const hostLines = host.filter((l) => {
    const m = /policy suspend (?:waits-for|privileged) (\S+)/.exec(l);
    if (!m) return true;
    if (seen.has(m[1])) return false;
    seen.add(m[1]);
    return true;
  });

  const programs: string[] = [];
  for (const g of guests) {
    const others = guests.filter((o) => o !== g);
    for (let c = 0; c < g.vcpus; c++) {
      const body: string[] = [`irq enable ${g.irq} wake`];
      const statements = [
        () => 'set x1 = x1 + 1',
        () => 'set x2 = x1 * 2',
        () => 'expect x1 < 100',
        () => 'log "x1 {x1}"',
        () => 'delay 2us',
        () => 'if x1 == 2 { set x3 = 1 }',
        () => 'loop {\n    set x5 = x5 + 1\n    if x5 == 2 { break }\n  }',
        () => 'signal s',
        () => (c > 0 ? 'wait signal s' : 'set x6 = 1'),
        () => 'wfi',
        () => (g.notify ? 's2idle notify' : 'set x7 = 1'),
        () => `set x4 = ${pick(others).name}.vcpu0.x1`,
        () => `wait ${pick(others).name}.vcpu0.x1 >= 1 || x1 == 0`,
        () => 'expect host.state == running || x1 >= 0',
        () => `irq ack ${g.irq}`,
      ];
      const count = 2 + next(5);
      for (let k = 0; k < count; k++) body.push(pick(statements)());
      const handler =
        c === 0 && next(3) === 0
          ? `\non irq ${g.irq} {\n  irq ack ${g.irq}\n${g.notify && next(2) === 0 ? '  s2idle notify\n' : ''}}`
          : '';
      programs.push(`${g.name}.vcpu${c} {\n  ${body.join('\n  ')}${handler}\n}`);
    }
  }
  return `${vms.join('\n')}\nhost {\n${hostLines.join('\n')}\n}\n${programs.join('\n')}\n`;
}

/**
 * Guests suspending themselves with PSCI: secondaries signal and CPU_OFF, the boot vCPU waits for them and calls
 * SYSTEM_SUSPEND, then resumes on an interrupt in a window. KVM guests may have the VMM confirm or deny; on Xen one
 * guest may be dom0 (its suspend, allowed once the others sleep, suspends the host).
 */
function suspendScenario(seed: number): string {
  const next = seededRandom(seed);
  const xen = next(2) === 0;
  const count = 2 + next(2);
  const vms: string[] = [];
  const programs: string[] = [];
  const host: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `g${i}`;
    const vcpus = 1 + next(2);
    const dom0 = xen && i === 0 && next(2) === 0;
    const answer = xen ? '' : ['', 'confirm | deny', 'defer'][next(3)];
    const answers = answer ? `  on system_suspend: ${answer}\n` : '';
    // A deferred SYSTEM_SUSPEND waits for the host's `vmm` action, itself in a window.
    if (answer === 'defer')
      host.push(`  at ${next(8)}us..${8 + next(8)}us: vmm ${name} ${next(2) ? 'confirm' : 'deny'}`);
    vms.push(
      `vm ${name} {\n  hypervisor ${xen ? 'xen' : 'kvm'}\n  vcpus ${vcpus}\n${dom0 ? '  role hardware-domain\n' : ''}${answers}}`,
    );
    const from = next(10);
    host.push(`  at ${from}us..${from + 2 + next(10)}us: irq ${40 + i} -> ${name}`);
    for (let c = 1; c < vcpus; c++)
      programs.push(
        `${name}.vcpu${c} {\n  set x1 = ${next(3)}\n  signal down\n  psci CPU_OFF\n  halt\nonline${c}:\n  set x5 = 1\n}`,
      );
    // After the resume the boot vCPU may bring its secondary back, which then runs at once.
    const bringBack = vcpus > 1 && next(2) === 0 ? '\n  psci CPU_ON target=vcpu1 entry=online1 context=0' : '';
    const work = Array.from({ length: next(3) }, () => 'set x2 = x2 + 1');
    const waitOthers = dom0
      ? `  wait ${Array.from({ length: count - 1 }, (_, k) => `g${k + 1}.state == vm_suspended`).join(' && ')}\n`
      : '';
    programs.push(
      `${name}.vcpu0 {\n  irq enable ${40 + i} wake\n  ${[...work, ...(vcpus > 1 ? ['wait signal down', 'wait vcpu1.power == OFF'] : [])].join('\n  ')}\n${waitOthers}  psci SYSTEM_SUSPEND entry=back context=${i + 1}\n  halt\nback:\n  set x3 = x0${bringBack}\n}`,
    );
  }
  return `${vms.join('\n')}\nhost {\n${host.join('\n')}\n}\n${programs.join('\n')}\n`;
}

function outcomes(text: string, reduction: boolean) {
  const r0 = checkText('random.sflow', text, preludeFiles());
  if (hasErrors(r0.diagnostics))
    throw new Error(
      `the generated scenario does not check:\n${r0.diagnostics.map(formatDiagnostic).join('\n')}\n${text}`,
    );
  const { r, ends, problems } = exploreOutcomes(r0.program, { reduction, maxStates: 20_000 });
  return { r, ends: [...ends].sort(), problems: [...problems].sort() };
}

describe('explore: the reduction against the plain search on random scenarios', function () {
  this.timeout(120_000);

  for (const [kind, generate, seeds] of [
    ['interrupts, notifications and waits', scenario, 120],
    ['PSCI suspend flows, KVM and Xen', suspendScenario, 60],
  ] as const) {
    it(`finds the same problems and clean end states, in no more states: ${kind}`, () => {
      let compared = 0;
      let reducedStates = 0;
      let plainStates = 0;
      const only = process.env.SEED ? Number(process.env.SEED) : undefined;
      for (let seed = only ?? 1; seed <= (only ?? seeds); seed++) {
        const text = generate(seed);
        const reduced = outcomes(text, true);
        const plain = outcomes(text, false);
        if (!reduced.r.complete || !plain.r.complete) continue;
        const where = `seed ${seed}:\n${text}`;
        assert.deepStrictEqual(reduced.problems, plain.problems, `same problems, ${where}`);
        assert.deepStrictEqual(reduced.ends, plain.ends, `same clean end states, ${where}`);
        assert.ok(reduced.r.states <= plain.r.states, `no more states, ${where}`);
        compared++;
        reducedStates += reduced.r.states;
        plainStates += plain.r.states;
      }
      assert.ok(only !== undefined || compared >= seeds * 0.75, `${compared} scenarios compared`);
      assert.ok(
        only !== undefined || reducedStates < plainStates,
        `the reduction reduced something: ${reducedStates} vs ${plainStates}`,
      );
    });
  }
});
