// Completion and signature help through the protocol, at given positions of a scenario.

import * as assert from 'assert';
import {
  CompletionItem,
  CompletionItemKind,
  CompletionList,
  Hover,
  InsertTextFormat,
  MarkupContent,
  SignatureHelp,
  TextEdit,
} from 'vscode-languageserver/node';
import { DEVICE_MODELS } from '../../src/lang/domain/devices';
import { FLAVOUR_NAMES, FLAVOURS, VMM_EVENT_NAMES } from '../../src/lang/domain/flavours';
import { cursor, LspClient } from './client';
import { EVERY_MODEL, everyModelPaths, KVM } from './scenarios';

const URI = 'file:///work/completion.sflow';

describe('language server: completion and signature help', function () {
  let client: LspClient;

  before(async function () {
    this.timeout(60_000);
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  /** Completion items at the `¦` of a scenario, optionally as if a trigger character was typed. */
  async function complete(marked: string, trigger?: string): Promise<CompletionItem[]> {
    const { text, position } = cursor(marked);
    await client.open(URI, text);
    const context = trigger ? { triggerKind: 2, triggerCharacter: trigger } : { triggerKind: 1 };
    const list = await client.request<CompletionList>('textDocument/completion', {
      textDocument: { uri: URI },
      position,
      context,
    });
    assert.strictEqual(list.isIncomplete, false);
    return list.items;
  }
  const labels = (items: CompletionItem[]) => items.map((i) => i.label);
  const item = (items: CompletionItem[], label: string) => {
    const found = items.find((i) => i.label === label);
    assert.ok(found, `no completion '${label}' in ${labels(items).join(', ')}`);
    return found;
  };
  const edit = (i: CompletionItem) => i.textEdit as TextEdit;

  async function signature(marked: string): Promise<SignatureHelp | null> {
    const { text, position } = cursor(marked);
    await client.open(URI, text);
    return client.request<SignatureHelp | null>('textDocument/signatureHelp', { textDocument: { uri: URI }, position });
  }

  it('offers statement keywords at the start of a statement', async () => {
    const items = await complete(KVM.replace('  halt\n', '  ¦\n  halt\n'));
    for (const k of ['psci', 'pci', 'virtio', 'wait', 'signal', 'call', 'loop', 'foreach', 'context', 'expect'])
      assert.strictEqual(item(items, k).kind, CompletionItemKind.Keyword);
    assert.ok(!labels(items).includes('hypervisor'));
    assert.ok(!labels(items).includes('vm'));
  });

  it('offers VM members in a VM, and top-level items with the vCPUs still without a program', async () => {
    const vm = await complete(KVM.replace('  vcpus 2\n', '  vcpus 2\n  ¦\n'));
    for (const k of ['hypervisor', 'vcpus', 'ram', 'device', 's2idle_notify', 'watchdog', 'role', 'on', 'jitter'])
      item(vm, k);
    assert.ok(!labels(vm).includes('psci'));
    const top = await complete(KVM.replace('guest.vcpu1 {', '¦\nguest.vcpu1 {'));
    assert.deepStrictEqual(labels(top), ['vm', 'host', 'proc', 'expect violation', 'explore']);
    const oneVcpu = await complete(KVM.replace('guest.vcpu1 {\n  wait signal cpu_down\n  psci CPU_OFF\n}\n', '¦\n'));
    const header = item(oneVcpu, 'guest.vcpu1');
    assert.strictEqual(edit(header).newText, 'guest.vcpu1 {\n\t$0\n}');
    assert.strictEqual(header.insertTextFormat, InsertTextFormat.Snippet);
  });

  it('offers explore at the top level as a block snippet, and not again once the scenario has one', async () => {
    const top = await complete(KVM.replace('guest.vcpu1 {', 'expl¦\nguest.vcpu1 {'));
    const explore = item(top, 'explore');
    assert.strictEqual(explore.kind, CompletionItemKind.Keyword);
    assert.strictEqual(edit(explore).newText, 'explore {\n\t$0\n}');
    assert.strictEqual(explore.insertTextFormat, InsertTextFormat.Snippet);
    assert.strictEqual(explore.command?.command, 'editor.action.triggerSuggest');
    assert.ok((explore.documentation as { value: string }).value.startsWith('**`explore`**'));
    // The word being typed is the explore the document has so far: still offered.
    item(await complete(KVM.replace('guest.vcpu1 {', 'explore¦\nguest.vcpu1 {')), 'explore');
    const again = await complete(KVM.replace('guest.vcpu1 {', 'explore { depth 4 }\n¦\nguest.vcpu1 {'));
    assert.ok(!labels(again).includes('explore'), labels(again).join(', '));
    item(again, 'host');
  });

  it('offers the bounds not given yet inside explore { }, and no value after a bound', async () => {
    const empty = await complete(KVM + 'explore {\n  ¦\n}\n');
    assert.deepStrictEqual(labels(empty), ['max_states', 'depth', 'until', 'skew']);
    assert.strictEqual(empty[0].kind, CompletionItemKind.Property);
    assert.strictEqual(empty[0].detail, 'stop after this many distinct states');
    assert.strictEqual(edit(item(empty, 'until')).newText, 'until ${1:600ms}');
    assert.ok(
      (item(empty, 'depth').documentation as { value: string }).value.startsWith(
        '**`depth`** · bound of `explore` (a positive integer)',
      ),
    );
    // On one line, after `;`; the bound being typed is not counted as given.
    const oneLine = await complete(KVM + 'explore { depth 40; max¦ }\n');
    assert.deepStrictEqual(labels(oneLine), ['max_states', 'until', 'skew']);
    assert.deepStrictEqual(edit(item(oneLine, 'max_states')).range, {
      start: { line: 43, character: 20 },
      end: { line: 43, character: 23 },
    });
    const unclosed = await complete(KVM + 'explore {\n  until 1s\n  ¦');
    assert.deepStrictEqual(labels(unclosed), ['max_states', 'depth', 'skew']);
    assert.deepStrictEqual(await complete(KVM + 'explore {\n  depth ¦\n}\n', ' '), []);
    assert.ok(!labels(await complete(KVM + 'explore {\n  depth ¦\n}\n')).includes('until'));
  });

  it('completes PSCI function names after psci, with their arguments as a snippet', async () => {
    const items = await complete(KVM.replace('  psci CPU_OFF', '  psci SYS¦'), undefined);
    const suspend = item(items, 'SYSTEM_SUSPEND');
    assert.strictEqual(suspend.kind, CompletionItemKind.Function);
    assert.deepStrictEqual(suspend.labelDetails, { detail: ' entry= context=', description: 'PSCI 1.0 · 0xc400000e' });
    assert.deepStrictEqual(edit(suspend), {
      range: { start: { line: 15, character: 7 }, end: { line: 15, character: 10 } },
      newText: 'SYSTEM_SUSPEND entry=${1:resume} context=${2:0}',
    });
    assert.strictEqual(suspend.insertTextFormat, InsertTextFormat.Snippet);
    assert.strictEqual(suspend.command?.command, 'editor.action.triggerParameterHints');
    assert.ok((suspend.documentation as { value: string }).value.includes('**KVM:**'));
    assert.strictEqual(
      edit(item(items, 'CPU_ON')).newText,
      'CPU_ON target=${1:vcpu1} entry=${2:resume} context=${3:0}',
    );
    item(items, 'SYSTEM_SUSPEND32');
    item(items, 'PSCI_VERSION');
    // psci 1.1: SYSTEM_OFF2 (1.3) is marked and sorted last.
    assert.strictEqual(item(items, 'SYSTEM_OFF2').detail, '0xc4000015 · not in PSCI 1.1');
    assert.ok(item(items, 'SYSTEM_OFF2').sortText! > item(items, 'SYSTEM_SUSPEND').sortText!);
  });

  it('pops the PSCI function list when a space is typed after psci, and nothing after a complete statement', async () => {
    assert.ok(labels(await complete(KVM.replace('  psci CPU_OFF', '  psci ¦'), ' ')).includes('CPU_ON'));
    assert.deepStrictEqual(await complete(KVM.replace('  psci CPU_OFF', '  halt ¦'), ' '), []);
    assert.deepStrictEqual(await complete(KVM.replace('  delay 10us', '  delay 10us ¦'), ' '), []);
  });

  it("completes the current PSCI function's name= arguments not given yet", async () => {
    const items = await complete(
      KVM.replace('psci SYSTEM_SUSPEND entry=resume context=0xc0ffee', 'psci SYSTEM_SUSPEND entry=resume ¦'),
      ' ',
    );
    assert.deepStrictEqual(labels(items), ['context=']);
    assert.strictEqual(edit(items[0]).newText, 'context=$1');
    assert.strictEqual(items[0].detail, 'x2: context_id: passed to the entry point in x0');
    const all = await complete(KVM.replace('psci AFFINITY_INFO target=vcpu1 level=0', 'psci AFFINITY_INFO ¦'), ' ');
    assert.deepStrictEqual(labels(all), ['target=', 'level=']);
  });

  it('completes argument values: labels and procs for entry, vCPUs for target, function IDs for function', async () => {
    const entry = await complete(KVM.replace('entry=resume context', 'entry=¦ context'));
    assert.strictEqual(item(entry, 'resume').kind, CompletionItemKind.Reference);
    item(entry, 'again');
    assert.strictEqual(item(entry, 'linux.cpu_resume').detail, 'proc linux.cpu_resume() · Linux prelude');
    assert.strictEqual(item(entry, 'settle').detail, 'proc settle(n)');
    assert.ok(!labels(entry).includes('DENIED'));
    const target = await complete(KVM.replace('target=vcpu1 level', 'target=vc¦ level'));
    assert.deepStrictEqual(edit(item(target, 'vcpu1')).range, {
      start: { line: 23, character: 30 },
      end: { line: 23, character: 32 },
    });
    item(target, 'vcpu0');
    assert.ok(!labels(target).includes('vcpu2'));
    const fid = await complete(KVM.replace('  psci CPU_OFF', '  psci PSCI_FEATURES function=¦'));
    assert.strictEqual(item(fid, 'SYSTEM_SUSPEND64').detail, '0xc400000e · psci-function');
    assert.ok(!labels(fid).includes('x0'));
  });

  it('completes devices of the VM, config registers, and fields after DEV. and DEV.pmcsr.', async () => {
    const devices = await complete(KVM.replace('pci write net0 pmcsr.state = D0', 'pci write ¦'), ' ');
    assert.deepStrictEqual(labels(devices), ['net0', 'gpu']);
    assert.strictEqual(item(devices, 'gpu').detail, 'passthrough at 00:05.0');
    const registers = await complete(KVM.replace('pci write net0 pmcsr.state = D0', 'pci write gpu ¦'), ' ');
    assert.strictEqual(
      item(registers, 'pmcsr').detail,
      'config 0x44, 16 bits, fields: state no_soft_reset pme_en data_select data_scale pme_status',
    );
    item(registers, 'bar0');
    const fields = await complete(KVM.replace('pci write net0 pmcsr.state = D0', 'pci write gpu pmcsr.¦'), '.');
    assert.deepStrictEqual(labels(fields), [
      'state',
      'no_soft_reset',
      'pme_en',
      'data_select',
      'data_scale',
      'pme_status',
    ]);
    const members = await complete(KVM.replace('expect net0.status & DRIVER_OK', 'expect net0.¦'), '.');
    for (const m of ['dstate', 'decodes', 'status', 'features', 'resets', 'pmcsr', 'bar0', 'command']) item(members, m);
    assert.ok(!labels(members).includes('pin_levels'), 'pin_levels is virtio-gpio only');
    const pmcsr = await complete(KVM.replace('expect net0.status & DRIVER_OK', 'expect net0.pmcsr.st¦'));
    assert.deepStrictEqual(edit(item(pmcsr, 'state')).range, {
      start: { line: 33, character: 20 },
      end: { line: 33, character: 22 },
    });
    assert.ok((item(pmcsr, 'state').documentation as { value: string }).value.includes('bits [1:0]'));
  });

  it('completes constants with the expected group first, registers and labels in expressions', async () => {
    const items = await complete(KVM.replace('if x0 == OFF', 'if x0 == ¦'));
    assert.strictEqual(item(items, 'OFF').sortText, '0OFF');
    assert.strictEqual(item(items, 'DENIED').detail, '-3 · psci-return');
    assert.ok(item(items, 'D3hot').sortText! > '0');
    item(items, 'x0');
    item(items, 'resume');
    item(items, 'vcpu1');
    item(items, 'net0');
    item(items, 'now');
    const state = await complete(KVM.replace('pci write net0 pmcsr.state = D0', 'pci write net0 pmcsr.state = ¦'));
    assert.strictEqual(item(state, 'D0').sortText, '0D0');
  });

  it('completes labels, procs including the prelude, signals and VM names where they go', async () => {
    const procs = await complete(KVM.replace('  call settle(2)', '  call ¦'), ' ');
    assert.strictEqual(edit(item(procs, 'settle')).newText, 'settle(${1:n})');
    assert.strictEqual(edit(item(procs, 'linux.pm_suspend')).newText, 'linux.pm_suspend(${1:state})');
    assert.ok(
      (item(procs, 'linux.pm_suspend').documentation as { value: string }).value.startsWith(
        'pm_suspend(state): the entry point',
      ),
    );
    const dotted = await complete(KVM.replace('  call settle(2)', '  call linux.pm_¦'));
    assert.deepStrictEqual(edit(item(dotted, 'linux.pm_suspend')), {
      range: { start: { line: 34, character: 7 }, end: { line: 34, character: 16 } },
      newText: 'linux.pm_suspend',
    });
    const signals = await complete(KVM.replace('  wait signal cpu_down', '  wait signal ¦'), ' ');
    assert.deepStrictEqual(labels(signals), ['cpu_down']);
    const vms = await complete(KVM.replace('irq 33 -> guest', 'irq 33 -> ¦'), ' ');
    assert.deepStrictEqual(labels(vms), ['guest']);
    assert.strictEqual(vms[0].kind, CompletionItemKind.Module);
    const setLabel = await complete(KVM.replace('set pc = again', 'set pc = ag¦'));
    item(setLabel, 'again');
    item(setLabel, 'n');
  });

  it('completes models, options, VMM answers, policies, invariants and vcpuN after a VM name', async () => {
    const models = await complete(KVM.replace('  on system_suspend: confirm', '  device d2 virtio-¦'));
    assert.deepStrictEqual(labels(models), ['virtio-net', 'virtio-blk', 'virtio-gpio', 'passthrough', 'pci']);
    assert.deepStrictEqual(edit(models[0]).range, {
      start: { line: 6, character: 12 },
      end: { line: 6, character: 19 },
    });
    const options = await complete(KVM.replace('{ no_soft_reset true }', '{ no_soft_reset true; ¦ }'));
    assert.deepStrictEqual(labels(options), ['pm', 'pme', 'd3cold']);
    const d3cold = await complete(KVM.replace('{ no_soft_reset true }', '{ d3cold ¦ }'), ' ');
    assert.deepStrictEqual(labels(d3cold), ['never', 'promote']);
    const answers = await complete(KVM.replace('on system_suspend: confirm', 'on system_suspend: confirm | ¦'), ' ');
    assert.deepStrictEqual(labels(answers), ['confirm', 'deny', 'defer', 'confirm-unchecked', 'resume']);
    const policy = await complete(KVM.replace('  at 30ms: irq 33 -> guest', '  policy suspend ¦'), ' ');
    assert.deepStrictEqual(labels(policy), ['waits-for', 'privileged', 'abort-on-wake']);
    const hostMembers = await complete(KVM.replace('  at 30ms: irq 33 -> guest', '  at 30ms: irq 33 -> guest\n  ¦'));
    assert.deepStrictEqual(labels(hostMembers), ['policy', 'at', 'suspend_latency', 's2idle_timeout']);
    assert.match(item(hostMembers, 'suspend_latency').detail!, /how long the host takes from deciding to suspend/);
    assert.match(item(hostMembers, 's2idle_timeout').detail!, /s2idle notification .* \(default 15s\)$/);
    const invariants = await complete(KVM + 'expect violation ¦', ' ');
    assert.strictEqual(invariants.length, 9);
    assert.strictEqual(item(invariants, 'suspend-with-vcpu-on').detail, 'SYSTEM_SUSPEND honoured with another vCPU on');
    const vcpus = await complete(KVM.replace('expect x0 == 0xc0ffee', 'expect guest.¦'), '.');
    assert.deepStrictEqual(labels(vcpus), ['vcpu0', 'vcpu1', 'net0', 'gpu', 'state', 'suspended']);
    const fields = await complete(KVM.replace('expect x0 == 0xc0ffee', 'expect vcpu1.¦'), '.');
    for (const f of ['power', 'mp_state', 'x0', 'pc', 'mmu']) item(fields, f);
  });

  it('completes inside {holes} of strings but not in their text or in comments', async () => {
    const hole = await complete(KVM.replace('"status {net0.status}"', '"status {net0.st¦'));
    item(hole, 'status');
    assert.deepStrictEqual(await complete(KVM.replace('"status {net0.status}"', '"stat¦us"')), []);
    assert.deepStrictEqual(await complete(KVM.replace('// KVM suspend-to-RAM', '// KVM sus¦pend-to-RAM')), []);
  });

  it('gives signature help for psci arguments with the active one', async () => {
    const start = await signature(
      KVM.replace('psci SYSTEM_SUSPEND entry=resume context=0xc0ffee', 'psci SYSTEM_SUSPEND ¦'),
    );
    assert.strictEqual(start!.signatures[0].label, 'psci SYSTEM_SUSPEND entry= context=');
    assert.deepStrictEqual(
      start!.signatures[0].parameters!.map((p) => p.label),
      [
        [20, 26],
        [27, 35],
      ],
    );
    assert.strictEqual(start!.activeParameter, 0);
    assert.strictEqual(
      (start!.signatures[0].parameters![0].documentation as { value: string }).value,
      'x1: entry_point_address: where the core starts, MMU off, with x0 = context',
    );
    const second = await signature(
      KVM.replace('psci SYSTEM_SUSPEND entry=resume context=0xc0ffee', 'psci SYSTEM_SUSPEND entry=resume ¦'),
    );
    assert.strictEqual(second!.activeParameter, 1);
    const value = await signature(
      KVM.replace('psci SYSTEM_SUSPEND entry=resume context=0xc0ffee', 'psci SYSTEM_SUSPEND entry=resume context=0x¦'),
    );
    assert.strictEqual(value!.activeParameter, 1);
    const typing = await signature(KVM.replace('psci AFFINITY_INFO target=vcpu1 level=0', 'psci AFFINITY_INFO lev¦'));
    assert.strictEqual(typing!.signatures[0].label, 'psci AFFINITY_INFO target= level=');
    assert.strictEqual(typing!.activeParameter, 1);
    assert.strictEqual(await signature(KVM.replace('  psci CPU_OFF', '  psci NOPE ¦')), null);
    assert.strictEqual(await signature(KVM.replace('  delay 10us', '  delay ¦')), null);
  });

  it('gives signature help for call arguments', async () => {
    const call = await signature(KVM.replace('call settle(2)', 'call settle(¦'));
    assert.strictEqual(call!.signatures[0].label, 'call settle(n)');
    assert.strictEqual(call!.activeParameter, 0);
    const prelude = await signature(KVM.replace('call settle(2)', 'call linux.pm_suspend ¦'));
    assert.strictEqual(prelude!.signatures[0].label, 'call linux.pm_suspend state');
  });

  // The domain's flavour and device model tables (src/lang/domain): every row is offered.
  const vm = (flavour: string, member: string) => `vm guest {\n  hypervisor ${flavour}\n  ${member}\n}\n`;

  it('offers every flavour, and every PSCI version of each', async () => {
    assert.deepStrictEqual(labels(await complete('vm guest {\n  hypervisor ¦\n}\n', ' ')), FLAVOUR_NAMES);
    for (const f of Object.values(FLAVOURS))
      assert.deepStrictEqual(
        labels(await complete(`vm guest {\n  hypervisor ${f.name} psci ¦\n}\n`, ' ')),
        f.psciVersions,
      );
  });

  it('offers every option of each flavour and every value of each option', async () => {
    for (const f of Object.values(FLAVOURS)) {
      assert.deepStrictEqual(
        labels(await complete(`vm guest {\n  hypervisor ${f.name} { ¦ }\n}\n`)),
        f.options.map((o) => o.name),
      );
      for (const o of f.options)
        assert.deepStrictEqual(
          labels(await complete(`vm guest {\n  hypervisor ${f.name} { ${o.name} ¦ }\n}\n`, ' ')),
          o.values,
        );
    }
  });

  it('offers the VMM events of each flavour and every answer each allows', async () => {
    for (const f of Object.values(FLAVOURS)) {
      assert.deepStrictEqual(
        labels(await complete(vm(f.name, 'on ¦'), ' ')),
        VMM_EVENT_NAMES.filter((e) => f.vmm[e]),
      );
      for (const e of VMM_EVENT_NAMES) {
        const answers = f.vmm[e];
        if (answers)
          assert.deepStrictEqual(labels(await complete(vm(f.name, `on ${e}: ¦`), ' ')), answers, `${f.name} ${e}`);
      }
    }
  });

  it('offers every device model', async () => {
    assert.deepStrictEqual(
      labels(await complete(vm('kvm', 'device d0 ¦'), ' ')),
      DEVICE_MODELS.map((m) => m.name),
    );
  });

  it("hovers a flavour with its row's summary", async () => {
    for (const f of Object.values(FLAVOURS)) {
      const { text, position } = cursor(`vm guest {\n  hypervisor ${f.name.slice(0, 1)}¦${f.name.slice(1)}\n}\n`);
      await client.open(URI, text);
      const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position });
      assert.strictEqual((h?.contents as MarkupContent).value, `**\`${f.name}\`** · ${f.summary}`);
    }
  });

  it('offers every name of every path of the state namespace after the names before it (src/lang/state-paths)', async () => {
    const { qualified, local } = everyModelPaths();
    const next = new Map<string, Set<string>>();
    for (const path of [...qualified, ...local]) {
      const parts = path.split('.');
      parts.forEach((name, i) => {
        const prefix = parts.slice(0, i).join('.');
        next.set(prefix, (next.get(prefix) ?? new Set()).add(name));
      });
    }
    assert.ok(next.size > 50, `only ${next.size} prefixes`);
    for (const [prefix, names] of next) {
      const hole = prefix ? `expect ${prefix}.¦` : 'expect ¦';
      const offered = new Set(labels(await complete(EVERY_MODEL.replace('HOLE', hole), prefix ? '.' : undefined)));
      assert.deepStrictEqual(
        [...names].filter((n) => !offered.has(n)),
        [],
        `after '${prefix}.'`,
      );
    }
  });
});
