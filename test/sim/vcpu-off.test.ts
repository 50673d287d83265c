// A vCPU created powered off with code to run (issue 12 item 5): `VM.vcpuN off { ... }` is KVM's
// KVM_ARM_VCPU_POWER_OFF (or KVM_SET_MP_STATE STOPPED before the first run), as kvm-unit-tests creates its
// secondaries: OFF until CPU_ON, which enters it at one of its own labels.

import * as assert from 'assert';
import { parse } from '../../src/lang/parser';
import { SourceFile } from '../../src/lang/source';
import { diagnosticLines, eventsOf, run, runGreen } from '../helpers';

const SECONDARY = `vm guest {
  hypervisor kvm
  vcpus 2
}
guest.vcpu1 off {
  log "never runs from reset"
secondary_entry:
  log "secondary up, x0 = {x0}"
  psci CPU_OFF
}
guest.vcpu0 {
  expect vcpu1.power == OFF, "created powered off"
  expect vcpu1.mp_state == STOPPED
  psci AFFINITY_INFO target=vcpu1 level=0
  expect x0 == OFF
  psci CPU_ON target=vcpu1 entry=secondary_entry context=0x42
  expect x0 == SUCCESS
  wait vcpu1.power == OFF
}
`;

describe('a vCPU declared off with a program', () => {
  it('parses the word off between vcpuN and the block', () => {
    const file = new SourceFile('t.sflow', SECONDARY);
    const { ast } = parse(file);
    const item = ast.items.find((i) => i.kind === 'program' && i.vcpu.text === 'vcpu1');
    assert.ok(item && item.kind === 'program');
    assert.strictEqual(SECONDARY.slice(item.off!.start, item.off!.end), 'off');
    const boot = ast.items.find((i) => i.kind === 'program' && i.vcpu.text === 'vcpu0');
    assert.ok(boot && boot.kind === 'program' && boot.off === undefined);
  });

  it('starts OFF and STOPPED, and CPU_ON enters it at its label with the context in x0', () => {
    const r = runGreen(SECONDARY);
    assert.deepStrictEqual(r.logs, ['secondary up, x0 = 66']);
    assert.deepStrictEqual(
      eventsOf(r.events, 'psci.return').map((e) => `${e.vcpu} ${e.fn} ${e.name}`),
      ['0 AFFINITY_INFO OFF', '0 CPU_ON SUCCESS'],
    );
    assert.deepStrictEqual(
      eventsOf(r.events, 'power')
        .filter((e) => e.vcpu === 1)
        .map((e) => e.to),
      ['ON_PENDING', 'ON', 'OFF'],
    );
  });

  it('without off the same program is ON from reset: it runs from its first statement', () => {
    const r = run(
      SECONDARY.replace('guest.vcpu1 off {', 'guest.vcpu1 {').replace(
        '  expect vcpu1.power == OFF, "created powered off"\n  expect vcpu1.mp_state == STOPPED\n',
        '',
      ),
    );
    assert.strictEqual(r.logs[0], 'never runs from reset');
    assert.strictEqual(eventsOf(r.events, 'psci.return')[0].name, 'ON');
  });

  it("is an error to CPU_ON it at a label of another vCPU's program", () => {
    const text = SECONDARY.replace('guest.vcpu0 {\n', 'guest.vcpu0 {\nboot_label:\n').replace(
      'entry=secondary_entry',
      'entry=boot_label',
    );
    assert.deepStrictEqual(diagnosticLines(text), [
      "17:34 error 'boot_label' is a label of guest.vcpu0's program, but guest.vcpu1 is declared off with its own program: CPU_ON should enter it at one of its labels",
    ]);
  });

  it('accepts a proc as the entry, and any label for a vCPU not declared off', () => {
    const proc = `${SECONDARY.replace('entry=secondary_entry', 'entry=up')}proc up {\n  psci CPU_OFF\n}\n`;
    assert.deepStrictEqual(diagnosticLines(proc), []);
    const plain = `vm guest {
  hypervisor kvm
  vcpus 2
}
guest.vcpu0 {
  psci CPU_ON target=vcpu1 entry=second context=0
  halt
second:
  psci CPU_OFF
}
`;
    assert.deepStrictEqual(diagnosticLines(plain), []);
  });
});
