// The custom request suspendFlow/evaluatableExpression through the protocol: what a debug hover evaluates. Values
// give the text to evaluate and the range it covers (shown here as the text of that range); every other word, a
// comment or a string gives null.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import { LspClient, positionOf } from './client';
import { KVM } from './scenarios';

const errors = (diagnostics: Diagnostic[]) =>
  diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => d.message);
const ROOT = path.resolve(__dirname, '..', '..');
const example = (name: string) => fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8');

interface Answer {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  expression: string;
}

/**
 * Two VMs: `shared` and the label `done` in both, `pt0` only in b. b's program and `only_b` (a proc only b calls)
 * belong to b; `both` runs in either VM.
 */
const TWO_VMS = `vm a {
  hypervisor kvm
  vcpus 2
  device net0 virtio-net at 00:01.0 irq 33
  device shared pci at 00:03.0
}
vm b {
  hypervisor kvm
  vcpus 2
  device pt0 pci at 00:02.0
  device shared pci at 00:03.0
}
a.vcpu0 {
  wait vcpu1.power == OFF
  pci write shared pmcsr.state = D3hot
  expect b.shared.dstate == D0
  call both
done:
  halt
}
b.vcpu0 {
  psci CPU_ON target=vcpu1 entry=done
  wait vcpu1.power == ON
  pci write pt0 pmcsr.state = D3hot
  pci read shared pmcsr
  expect net0_seen == 0
  call only_b
  call both
net0_seen:
done:
  halt
}
proc only_b {
  expect shared.dstate == D0 && vcpu0.halted == false
}
proc both {
  expect shared.dstate == D0 && vcpu0.halted == false && x3 == 0
}
`;

describe('language server: what a debug hover evaluates', function () {
  let client: LspClient;

  before(async function () {
    this.timeout(60_000);
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  /** The answer at `delta` characters into the nth `needle` of `text`: [expression, the text of its range], or null. */
  async function at(uri: string, text: string, needle: string, delta = 0, nth = 0): Promise<[string, string] | null> {
    const answer = await client.request<Answer | null>('suspendFlow/evaluatableExpression', {
      textDocument: { uri },
      position: positionOf(text, needle, nth, delta),
    });
    if (!answer) return null;
    const { start, end } = answer.range;
    assert.strictEqual(start.line, end.line, 'a value is on one line');
    return [answer.expression, text.split('\n')[start.line].slice(start.character, end.character)];
  }

  describe('in a one-VM scenario', () => {
    const URI = 'file:///work/evaluatable.sflow';
    before(async () => {
      assert.deepStrictEqual(errors(await client.open(URI, KVM)), []);
    });
    const on = (needle: string, delta = 0, nth = 0) => at(URI, KVM, needle, delta, nth);

    it('evaluates the device, the register or the field of a pci write, each up to the word hovered', async () => {
      assert.deepStrictEqual(await on('net0 pmcsr.state = D3hot', 2), ['net0', 'net0']);
      assert.deepStrictEqual(await on('pmcsr.state = D3hot', 3), ['net0.pmcsr', 'net0 pmcsr']);
      assert.deepStrictEqual(await on('state = D3hot', 2), ['net0.pmcsr.state', 'net0 pmcsr.state']);
      const answer = await client.request<Answer>('suspendFlow/evaluatableExpression', {
        textDocument: { uri: URI },
        position: positionOf(KVM, 'state = D3hot', 0, 2),
      });
      assert.deepStrictEqual(answer.range, { start: { line: 20, character: 12 }, end: { line: 20, character: 28 } });
      assert.deepStrictEqual(await on('state = D0', 0), ['net0.pmcsr.state', 'net0 pmcsr.state']);
    });

    it('gives null for keywords, constants, PSCI functions and argument names, signals and procs', async () => {
      for (const [needle, delta] of [
        ['pci write net0 pmcsr.state = D3hot', 1],
        ['write net0 pmcsr.state = D3hot', 2],
        ['D3hot', 2],
        ['= D3hot', 0],
        ['AFFINITY_INFO', 3],
        ['target=vcpu1', 2],
        ['level=0', 2],
        ['level=0', 6],
        ['signal cpu_down', 8],
        ['wait signal cpu_down', 14],
        ['OFF {', 1],
        ['break', 1],
        ['loop', 1],
        ['halt', 1],
        ['SYSTEM_SUSPEND entry', 4],
        ['context=0xc0ffee', 3],
        ['0xc0ffee', 4],
        ['settle(2)', 2],
        ['proc settle', 1],
        ['DRIVER_OK', 3],
        ['irq enable 33', 1],
        ['33 wake', 0],
        ['33 wake', 4],
      ] as const) {
        assert.strictEqual(await on(needle, delta), null, `'${needle}' at ${delta}`);
      }
    });

    it('gives null in declarations: the vm and host blocks, proc and parameter and label declarations', async () => {
      for (const [needle, delta, nth] of [
        ['guest {', 2, 0],
        ['kvm psci', 1, 0],
        ['1.1', 1, 0],
        ['vcpus 2', 6, 0],
        ['net0 virtio-net', 2, 0],
        ['virtio-net', 3, 0],
        ['00:01.0', 2, 0],
        ['irq 33', 5, 0],
        ['gpu passthrough', 1, 0],
        ['no_soft_reset', 2, 0],
        ['system_suspend', 2, 0],
        ['confirm', 2, 0],
        ['30ms', 1, 0],
        ['-> guest', 5, 0],
        ['guest.vcpu1', 2, 0],
        ['vcpu1 {', 2, 0],
        ['settle(n)', 7, 0],
        ['resume:', 2, 0],
        ['again:', 2, 0],
        ['KVM suspend', 1, 0],
      ] as const) {
        assert.strictEqual(await on(needle, delta, nth), null, `'${needle}' at ${delta}`);
      }
    });

    it('evaluates registers, vCPUs, labels, parameters and device values in code', async () => {
      assert.deepStrictEqual(await on('vcpu1 level', 2), ['vcpu1', 'vcpu1']);
      assert.deepStrictEqual(await on('x0 == OFF', 1), ['x0', 'x0']);
      assert.deepStrictEqual(await on('entry=resume', 8), ['resume', 'resume']);
      assert.deepStrictEqual(await on('net0.status &', 6), ['net0.status', 'net0.status']);
      assert.deepStrictEqual(await on('net0.status &', 1), ['net0', 'net0']);
      assert.deepStrictEqual(await on('x1 + 1', 0), ['x1', 'x1']);
      assert.deepStrictEqual(await on('set x1', 4), ['x1', 'x1']);
      assert.deepStrictEqual(await on('x1 < n', 5), ['n', 'n']);
      assert.deepStrictEqual(await on('set pc', 5), ['pc', 'pc']);
      assert.deepStrictEqual(await on('= again', 4), ['again', 'again']);
    });

    it('evaluates the {expr} holes of a string, and nothing else in it', async () => {
      assert.deepStrictEqual(await on('{net0.status}', 7), ['net0.status', 'net0.status']);
      assert.strictEqual(await on('"status {', 3), null);
    });

    it('evaluates whole state paths, now, host.state, MMIO and virtio operands', async () => {
      const uri = 'file:///work/evaluatable-paths.sflow';
      const text = KVM.replace(
        '  call settle(2)\n',
        [
          '  wait vcpu1.power == OFF',
          '  expect now >= 1ms && host.state == running',
          '  mmio write (0x10000000 + x2) = x3',
          '  virtio freeze net0',
          '  expect net0.config.pmcsr.state == D0 && guest.vcpu1.mp_state == STOPPED && guest.state == vm_running',
          '  log "at {now}: {irq 33 pending}"',
          '  call settle(x4)',
          '',
        ].join('\n'),
      );
      assert.deepStrictEqual(errors(await client.open(uri, text)), []);
      const on2 = (needle: string, delta = 0, nth = 0) => at(uri, text, needle, delta, nth);
      assert.deepStrictEqual(await on2('power == OFF', 2), ['vcpu1.power', 'vcpu1.power']);
      assert.deepStrictEqual(await on2('vcpu1.power == OFF', 2), ['vcpu1', 'vcpu1']);
      assert.deepStrictEqual(await on2('now >=', 1), ['now', 'now']);
      assert.deepStrictEqual(await on2('host.state', 2), ['host.state', 'host.state']);
      assert.deepStrictEqual(await on2('state == running', 2), ['host.state', 'host.state']);
      assert.strictEqual(await on2('running', 2), null);
      assert.deepStrictEqual(await on2('x2) = x3', 1), ['x2', 'x2']);
      assert.deepStrictEqual(await on2('x3', 1), ['x3', 'x3']);
      assert.strictEqual(await on2('0x10000000', 3), null);
      assert.deepStrictEqual(await on2('freeze net0', 8), ['net0', 'net0']);
      assert.strictEqual(await on2('freeze net0', 2), null);
      assert.deepStrictEqual(await on2('net0.config.pmcsr.state', 20), [
        'net0.config.pmcsr.state',
        'net0.config.pmcsr.state',
      ]);
      assert.deepStrictEqual(await on2('net0.config.pmcsr.state', 13), ['net0.config.pmcsr', 'net0.config.pmcsr']);
      assert.deepStrictEqual(await on2('guest.vcpu1.mp_state', 15), ['guest.vcpu1.mp_state', 'guest.vcpu1.mp_state']);
      assert.deepStrictEqual(await on2('guest.vcpu1.mp_state', 8), ['guest.vcpu1', 'guest.vcpu1']);
      assert.deepStrictEqual(await on2('guest.vcpu1.mp_state', 2), ['guest', 'guest']);
      assert.deepStrictEqual(await on2('guest.state', 8), ['guest.state', 'guest.state']);
      assert.strictEqual(await on2('vm_running', 3), null);
      assert.deepStrictEqual(await on2('{now}', 2), ['now', 'now']);
      assert.strictEqual(await on2('33 pending', 4), null, "'irq N pending' is not offered");
      assert.deepStrictEqual(await on2('settle(x4)', 8), ['x4', 'x4']);
    });

    it('gives null for names a foreach binds, and for a device the VM does not declare', async () => {
      const uri = 'file:///work/evaluatable-foreach.sflow';
      const text = KVM.replace(
        '  call settle(2)\n',
        '  foreach device d { pci write d pmcsr.state = D0 }\n  foreach vcpu c { psci AFFINITY_INFO target=c }\n  pci write nosuch pmcsr.state = D0\n',
      );
      await client.open(uri, text);
      assert.strictEqual(await at(uri, text, 'd pmcsr', 0), null);
      assert.strictEqual(await at(uri, text, 'pmcsr.state = D0 }', 7), null);
      assert.strictEqual(await at(uri, text, 'target=c', 7), null);
      assert.strictEqual(await at(uri, text, 'nosuch pmcsr.state', 14), null);
    });
  });

  describe('in a scenario of several VMs', () => {
    const URI = 'file:///work/evaluatable-vms.sflow';
    before(async () => {
      assert.deepStrictEqual(errors(await client.open(URI, TWO_VMS)), []);
    });
    const on = (needle: string, delta = 0, nth = 0) => at(URI, TWO_VMS, needle, delta, nth);

    it("qualifies a vCPU path with the program's VM, not a bare vCPU (an affinity)", async () => {
      assert.deepStrictEqual(await on('power == OFF', 2), ['a.vcpu1.power', 'vcpu1.power']);
      assert.deepStrictEqual(await on('power == ON', 2), ['b.vcpu1.power', 'vcpu1.power']);
      assert.deepStrictEqual(await on('vcpu1.power == OFF', 1), ['vcpu1', 'vcpu1']);
      assert.deepStrictEqual(await on('target=vcpu1', 9), ['vcpu1', 'vcpu1']);
    });

    it('qualifies a device several VMs declare, not one only a VM declares nor a path that names its VM', async () => {
      assert.deepStrictEqual(await on('state = D3hot', 1), ['a.shared.pmcsr.state', 'shared pmcsr.state']);
      assert.deepStrictEqual(await on('shared pmcsr.state', 1), ['a.shared', 'shared']);
      assert.deepStrictEqual(await on('pmcsr\n', 1), ['b.shared.pmcsr', 'shared pmcsr']);
      assert.deepStrictEqual(await on('pt0 pmcsr.state', 11), ['pt0.pmcsr.state', 'pt0 pmcsr.state']);
      assert.deepStrictEqual(await on('b.shared.dstate', 10), ['b.shared.dstate', 'b.shared.dstate']);
    });

    it('qualifies a label several VMs define, not one only a VM defines, nor registers', async () => {
      assert.deepStrictEqual(await on('entry=done', 7), ['b.done', 'done']);
      assert.deepStrictEqual(await on('net0_seen == 0', 2), ['net0_seen', 'net0_seen']);
      assert.deepStrictEqual(await on('x3 == 0', 1), ['x3', 'x3']);
    });

    it('qualifies in a proc only one VM calls, and leaves a proc several VMs call as written', async () => {
      assert.deepStrictEqual(await on('shared.dstate == D0 &&', 8, 0), ['b.shared.dstate', 'shared.dstate']);
      assert.deepStrictEqual(await on('vcpu0.halted', 7, 0), ['b.vcpu0.halted', 'vcpu0.halted']);
      assert.deepStrictEqual(await on('shared.dstate == D0 &&', 8, 1), ['shared.dstate', 'shared.dstate']);
      assert.deepStrictEqual(await on('vcpu0.halted', 7, 1), ['vcpu0.halted', 'vcpu0.halted']);
    });
  });

  describe('in the examples and the prelude', () => {
    it('examples/kvm-system-suspend.sflow: the PMCSR write, AFFINITY_INFO, signals, now', async () => {
      const uri = 'file:///work/examples/kvm-system-suspend.sflow';
      const text = example('kvm-system-suspend.sflow');
      await client.open(uri, text);
      assert.deepStrictEqual(await at(uri, text, 'state = D3hot', 1), ['net0.pmcsr.state', 'net0 pmcsr.state']);
      assert.deepStrictEqual(await at(uri, text, 'net0 pmcsr.state = D3hot', 1), ['net0', 'net0']);
      assert.deepStrictEqual(await at(uri, text, 'pmcsr.state = D0', 1), ['net0.pmcsr', 'net0 pmcsr']);
      assert.strictEqual(await at(uri, text, 'level=0', 1), null);
      assert.strictEqual(await at(uri, text, 'AFFINITY_INFO target', 1), null);
      assert.deepStrictEqual(await at(uri, text, 'target=vcpu1 level', 8), ['vcpu1', 'vcpu1']);
      assert.strictEqual(await at(uri, text, 'signal cpu_down', 9), null);
      assert.strictEqual(await at(uri, text, 'cpu_down\n  loop', 1), null);
      assert.deepStrictEqual(await at(uri, text, 'now >= 30ms', 0), ['now', 'now']);
      assert.deepStrictEqual(await at(uri, text, 'mp_state == STOPPED', 3), ['vcpu1.mp_state', 'vcpu1.mp_state']);
      assert.deepStrictEqual(await at(uri, text, 'net0.bar0', 6), ['net0.bar0', 'net0.bar0']);
      assert.deepStrictEqual(await at(uri, text, 'daif == 0xf', 1), ['daif', 'daif']);
      assert.deepStrictEqual(await at(uri, text, 'entry=secondary', 8), ['secondary', 'secondary']);
      assert.strictEqual(await at(uri, text, 'ACKNOWLEDGE |', 2), null);
      assert.strictEqual(await at(uri, text, 'PCI_PM_D3HOT_WAIT', 2), null, 'in a comment');
      assert.strictEqual(await at(uri, text, 'bringing vcpu1', 12), null, 'in a string');
      assert.deepStrictEqual(await at(uri, text, '{now}: bringing', 2), ['now', 'now']);
    });

    it('examples/xen-dom0-domu-suspend.sflow: paths of three VMs, labels two of them define', async () => {
      const uri = 'file:///work/examples/xen-dom0-domu-suspend.sflow';
      const text = example('xen-dom0-domu-suspend.sflow');
      await client.open(uri, text);
      assert.deepStrictEqual(await at(uri, text, 'power == OFF', 1), ['dom0.vcpu1.power', 'vcpu1.power']);
      assert.deepStrictEqual(await at(uri, text, 'entry=back', 7), ['domu1.back', 'back']);
      assert.deepStrictEqual(await at(uri, text, 'entry=back', 7, 1), ['domu2.back', 'back']);
      assert.deepStrictEqual(await at(uri, text, 'entry=resume', 8), ['resume', 'resume']);
      assert.deepStrictEqual(await at(uri, text, 'host.state', 7), ['host.state', 'host.state']);
      assert.deepStrictEqual(await at(uri, text, 'domu2.state ==', 8), ['domu2.state', 'domu2.state']);
      assert.deepStrictEqual(await at(uri, text, 'domu2.state ==', 2), ['domu2', 'domu2']);
      assert.strictEqual(await at(uri, text, 'vm_suspended', 2), null);
      assert.strictEqual(await at(uri, text, 'secondaries_down\n  psci', 2), null);
      assert.strictEqual(await at(uri, text, 'irq 48 -> domu1', 12), null, 'a VM named in the host block');
      assert.strictEqual(await at(uri, text, 'hardware-domain', 2), null);
    });

    it('the prelude: registers and parameters, not the names a foreach binds, signals or procs', async () => {
      const uri = 'sflow-prelude:/linux.sflow';
      const { text } = await client.request<{ text: string }>('workspace/textDocumentContent', { uri });
      // Unopened: the server answers from the embedded prelude.
      assert.deepStrictEqual(await at(uri, text, 'x20 = state', 1), ['x20', 'x20']);
      assert.deepStrictEqual(await at(uri, text, 'state == mem', 2), ['state', 'state']);
      await client.open(uri, text);
      assert.deepStrictEqual(await at(uri, text, 'x20 = state', 8), ['state', 'state']);
      assert.strictEqual(await at(uri, text, 'mem {', 1), null);
      assert.strictEqual(await at(uri, text, 'pm_suspend(state)', 12), null, 'a parameter where it is declared');
      assert.strictEqual(await at(uri, text, 'linux.pm_suspend(state)', 8), null);
      assert.deepStrictEqual(await at(uri, text, 'enter_state(x20)', 13), ['x20', 'x20']);
      assert.strictEqual(await at(uri, text, 'linux.enter_state(x20)', 3), null);
      assert.strictEqual(await at(uri, text, 'virtio freeze dev', 15), null);
      assert.strictEqual(await at(uri, text, 'pci write dev pmcsr.state', 17), null);
      assert.strictEqual(await at(uri, text, 'target=cpu level', 8), null);
      assert.strictEqual(await at(uri, text, 'level=0', 2), null);
      assert.strictEqual(await at(uri, text, 'signal linux_cpu_down', 10), null);
      assert.deepStrictEqual(await at(uri, text, 'if wakeup_pending', 5), ['wakeup_pending', 'wakeup_pending']);
      assert.deepStrictEqual(await at(uri, text, 'failed: {x0}', 10), ['x0', 'x0']);
      assert.strictEqual(await at(uri, text, 'entry=linux.cpu_resume', 9), null, 'a proc as an address');
      assert.deepStrictEqual(await at(uri, text, 'set mmu', 5), ['mmu', 'mmu']);
    });

    it('lib/linux.sflow opened from the workspace is the prelude too', async () => {
      const uri = 'file:///work/main/lib/linux.sflow';
      const text = fs.readFileSync(path.join(ROOT, 'lib', 'linux.sflow'), 'utf8');
      await client.open(uri, text);
      assert.deepStrictEqual(await at(uri, text, 'x20 = state', 1), ['x20', 'x20']);
      assert.strictEqual(await at(uri, text, 'pci save dev', 10), null);
    });

    it('gives null for a document the server does not know', async () => {
      assert.strictEqual(
        await client.request('suspendFlow/evaluatableExpression', {
          textDocument: { uri: 'file:///nowhere.sflow' },
          position: { line: 0, character: 0 },
        }),
        null,
      );
    });
  });
});
