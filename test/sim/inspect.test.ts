// The state tree the debugger and hovers read: names, values with their meaning, paths that evaluate.

import * as assert from 'assert';
import { Machine } from '../../src/sim/machine';
import { machineTree, StateNode } from '../../src/sim/inspect';
import { compile } from '../helpers';

function find(nodes: StateNode[], ...names: string[]): StateNode {
  let node: StateNode | undefined;
  let level = nodes;
  for (const name of names) {
    node = level.find((n) => n.name === name);
    assert.ok(node, `no node '${name}' among ${level.map((n) => n.name).join(', ')}`);
    level = node.children ? node.children() : [];
  }
  return node!;
}

const SCENARIO = `
vm guest {
  hypervisor kvm
  vcpus 2
}
guest.vcpu0 {
  irq enable 33 wake
  psci SYSTEM_SUSPEND entry=back context=5
  wait signal never_comes
back:
  halt
}
guest.vcpu1 { wfi }
`;

describe('state tree', () => {
  const m = new Machine(compile(SCENARIO));
  m.run({ maxSteps: 1000 });

  it('names a register holding a PSCI error by its code', () => {
    const x0 = find(machineTree(m), 'guest', 'vcpu0', 'Registers', 'x0');
    assert.strictEqual(x0.value, '0xfffffffffffffffd (DENIED)');
    assert.strictEqual(x0.path, 'guest.vcpu0.x0');
  });

  it('decodes PSTATE and the power state', () => {
    const pstate = find(machineTree(m), 'guest', 'vcpu0', 'Registers', 'pstate');
    assert.strictEqual(pstate.value, 'EL1h DAIF=- MMU on');
    const power = find(machineTree(m), 'guest', 'vcpu1', 'Power', 'power');
    assert.strictEqual(power.value, 'ON (0)');
    const run = find(machineTree(m), 'guest', 'vcpu1', 'Power', 'run');
    assert.strictEqual(run.value, 'wfi');
    assert.strictEqual(run.description, 'is in WFI and no interrupt is coming');
  });

  it('shows interrupts with their flags', () => {
    const irq = find(machineTree(m), 'guest', 'Interrupts', 'irq 33');
    assert.strictEqual(irq.value, 'enabled, wake-armed');
  });

  it('keeps the last trace events, newest first', () => {
    const trace = find(machineTree(m), 'host', 'trace');
    const first = trace.children!()[0];
    assert.match(first.value, /guest\.vcpu0: SYSTEM_SUSPEND returned DENIED/);
  });
});
