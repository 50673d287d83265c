// Expressions the debugger compiles while a scenario runs (compileExpression): from a vCPU of a VM or from the host
// thread (no VM), names that are unambiguous in the world resolve, and the ones that are not say what to write.
// Each compiled expression is evaluated on a Machine run to the end, with the scope the adapter gives the host
// thread (VM 0, vCPU 0), so a path that resolved to the wrong VM would read VM 0's value.

import * as assert from 'assert';
import { compileExpression } from '../../src/lang/checker';
import { instrAddress, Program } from '../../src/lang/program';
import { evaluate } from '../../src/sim/eval';
import { Machine } from '../../src/sim/machine';
import { compile } from '../helpers';

/**
 * Two VMs: `shared` and the label `done` are in both, `net0`, `early` and a second vCPU only in `a`, `pt0` and `late`
 * only in `b`. b puts pt0 in D3hot; a's devices stay in D0.
 */
const TWO_VMS = `vm a {
  hypervisor kvm
  vcpus 2
  device net0 virtio-net at 00:01.0 irq 33
  device shared pci at 00:03.0
}
vm b {
  hypervisor kvm
  device pt0 pci at 00:02.0
  device shared pci at 00:03.0
}
a.vcpu0 {
  set x5 = 7
early:
  delay 1ms
done:
  halt
}
b.vcpu0 {
  pci write pt0 pmcsr.state = D3hot
late:
  delay 2ms
  delay 1us
done:
  halt
}
`;

const ONE_VM = `vm guest {
  hypervisor kvm
  vcpus 2
  device net0 virtio-net at 00:01.0 irq 33
}
guest.vcpu0 {
  pci write net0 pmcsr.state = D3hot
  halt
}
`;

function finished(text: string): Machine {
  const m = new Machine(compile(text));
  m.run({ maxSteps: 100_000 });
  return m;
}

/** The value of `text` compiled from VM `vm` (undefined: the host thread), or the compile errors. */
function read(m: Machine, text: string, vm?: number): bigint | string {
  const compiled = compileExpression(m.program, text, vm);
  if (!compiled.expr) return compiled.diagnostics.map((d) => d.message).join('; ');
  return evaluate(m, compiled.expr, { vm: vm ?? 0, vcpu: 0, args: [] });
}

function labelAddress(program: Program, vm: string, label: string): bigint {
  const cfg = program.vms.find((v) => v.name === vm)!;
  return instrAddress(cfg, cfg.labels.get(label)!);
}

describe('checker: expressions the debugger compiles', () => {
  const two = finished(TWO_VMS);
  const one = finished(ONE_VM);

  describe('from the host thread (no VM)', () => {
    it('reads a device of the second VM in that VM, not in VM 0', () => {
      assert.strictEqual(read(two, 'pt0.pmcsr.state'), 3n);
      assert.strictEqual(read(two, 'pt0.dstate'), 3n);
      assert.strictEqual(read(two, 'b.shared.pmcsr.state'), 0n);
      assert.strictEqual(read(two, 'net0.pmcsr.state'), 0n);
      const compiled = compileExpression(two.program, 'pt0.pmcsr.state');
      assert.strictEqual(compiled.group, 'd-state');
    });

    it('reads a device alone as its D-state and a VM alone as its state', () => {
      assert.strictEqual(read(two, 'pt0'), 3n);
      assert.strictEqual(read(two, 'b.pt0'), 3n);
      assert.strictEqual(read(two, 'net0'), 0n);
      assert.strictEqual(compileExpression(two.program, 'pt0').group, 'd-state');
      assert.strictEqual(read(two, 'b'), 0n, 'running');
      assert.strictEqual(compileExpression(two.program, 'b').group, 'vm-state');
    });

    it('reads now, host.state and VM-qualified vCPU paths', () => {
      assert.strictEqual(read(two, 'now'), BigInt(two.state.now));
      assert.ok(two.state.now > 0);
      assert.strictEqual(read(two, 'host.state'), 0n, 'running');
      assert.strictEqual(read(two, 'a.vcpu0.x5'), 7n);
      assert.strictEqual(read(two, 'b.vcpu0.halted'), 1n);
      assert.strictEqual(read(two, 'a.vcpu1.power'), 1n, 'a vCPU with no program starts OFF');
    });

    it('reads vcpuN paths when there is one VM, and a bare vcpuN (an affinity) in any world', () => {
      assert.strictEqual(read(one, 'vcpu0.halted'), 1n);
      assert.strictEqual(read(one, 'vcpu1.power'), 1n);
      assert.strictEqual(read(one, 'net0.pmcsr.state'), 3n);
      assert.strictEqual(read(two, 'vcpu1'), 1n);
      assert.strictEqual(read(one, 'vcpu3.power'), "VM 'guest' has 2 vCPUs; there is no vcpu3");
    });

    it('reads a label only one VM defines, and a label several define with its VM', () => {
      assert.strictEqual(read(two, 'late'), labelAddress(two.program, 'b', 'late'));
      assert.strictEqual(read(two, 'early'), labelAddress(two.program, 'a', 'early'));
      assert.strictEqual(read(two, 'b.done'), labelAddress(two.program, 'b', 'done'));
      assert.strictEqual(read(two, 'a.done'), labelAddress(two.program, 'a', 'done'));
      assert.notStrictEqual(labelAddress(two.program, 'a', 'done'), labelAddress(two.program, 'b', 'done'));
    });

    it('says how to name a register, a vCPU path of several VMs, an ambiguous device or label', () => {
      assert.strictEqual(
        read(two, 'x0'),
        'x0 is a register of a vCPU: select a vCPU in the Call Stack, or write a.vcpu0.x0',
      );
      assert.strictEqual(
        read(one, 'pc == 0'),
        'pc is a register of a vCPU: select a vCPU in the Call Stack, or write guest.vcpu0.pc',
      );
      assert.strictEqual(
        read(two, 'shared.pmcsr.state'),
        'shared is a device of VMs a and b: write a.shared.pmcsr.state or b.shared.pmcsr.state',
      );
      assert.strictEqual(read(two, 'shared'), 'shared is a device of VMs a and b: write a.shared or b.shared');
      assert.strictEqual(
        read(two, 'vcpu0.power'),
        'vcpu0 is a vCPU of VMs a and b: write a.vcpu0.power or b.vcpu0.power',
      );
      assert.strictEqual(read(two, 'vcpu1.power'), 'vcpu1 is a vCPU of VM a: write a.vcpu1.power');
      assert.strictEqual(read(two, 'done'), 'done is a label of VMs a and b: write a.done or b.done');
      assert.strictEqual(
        read(two, 'irq 33 pending'),
        "'irq N pending' reads a vCPU's interrupts: select a vCPU in the Call Stack",
      );
      const ambiguous = compileExpression(two.program, 'shared.pmcsr.state').diagnostics[0];
      assert.deepStrictEqual([ambiguous.code, ambiguous.span], ['ambiguous-name', { start: 0, end: 6 }]);
    });

    it('still reports unknown names, with the devices of every VM as suggestions', () => {
      assert.strictEqual(read(two, 'pt1.dstate'), "unknown name 'pt1'; did you mean 'pt0'?");
      assert.strictEqual(read(two, 'nosuch'), "unknown name 'nosuch'");
    });
  });

  describe('from a vCPU of a VM', () => {
    it("prefers the VM's own device and label, and resolves one only another VM declares", () => {
      assert.strictEqual(read(two, 'shared.pmcsr.state', 1), 0n);
      assert.strictEqual(read(two, 'pt0.pmcsr.state', 0), 3n, "from a's vCPU, b's pt0");
      assert.strictEqual(read(two, 'net0.pmcsr.state', 1), 0n, "from b's vCPU, a's net0");
      assert.strictEqual(read(two, 'done', 1), labelAddress(two.program, 'b', 'done'));
      assert.strictEqual(read(two, 'done', 0), labelAddress(two.program, 'a', 'done'));
      assert.strictEqual(read(two, 'early', 1), labelAddress(two.program, 'a', 'early'));
    });

    it("reads registers and vCPU paths of the vCPU's VM", () => {
      assert.strictEqual(read(two, 'x5', 0), 7n);
      assert.strictEqual(read(two, 'vcpu0.halted && vcpu1.power == OFF', 0), 1n);
      assert.strictEqual(read(two, 'vcpu1.power', 1), "VM 'b' has 1 vCPU; there is no vcpu1");
    });
  });
});
