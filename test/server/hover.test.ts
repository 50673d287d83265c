// Hovers through the protocol: PSCI functions, config registers and fields, devices, constants, registers,
// invariants, labels and procs.

import * as assert from 'assert';
import { Hover, MarkupContent } from 'vscode-languageserver/node';
import { LspClient, positionOf } from './client';
import { KVM } from './scenarios';

const URI = 'file:///work/hover.sflow';

describe('language server: hover', function () {
  let client: LspClient;
  let text: string;

  before(async function () {
    this.timeout(60_000);
    client = await LspClient.start();
    text = KVM.replace('// KVM suspend-to-RAM', 'expect violation suspend-with-vcpu-on');
    await client.open(URI, text);
  });
  after(async () => {
    await client?.stop();
  });

  async function hover(needle: string, nth = 0, delta = 1): Promise<Hover | null> {
    return client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri: URI },
      position: positionOf(text, needle, nth, delta),
    });
  }
  async function markdown(needle: string, nth = 0, delta = 1): Promise<string> {
    const h = await hover(needle, nth, delta);
    assert.ok(h, `no hover on '${needle}'`);
    const contents = h.contents as MarkupContent;
    assert.strictEqual(contents.kind, 'markdown');
    return contents.value;
  }

  it('describes a PSCI function: IDs, version, arguments and registers, return codes, KVM and Xen', async () => {
    const h = (await hover('SYSTEM_SUSPEND', 0, 3))!;
    assert.deepStrictEqual(h.range, { start: { line: 27, character: 7 }, end: { line: 27, character: 21 } });
    const md = (h.contents as MarkupContent).value;
    assert.ok(
      md.startsWith(
        '**PSCI `SYSTEM_SUSPEND`** · since PSCI 1.0\n\nSuspends the system to RAM: all other cores must be OFF.',
      ),
      md,
    );
    assert.ok(md.includes('| SMC32 | `0x8400000e` | `SYSTEM_SUSPEND32` |'));
    assert.ok(md.includes('| SMC64 | `0xc400000e` | `SYSTEM_SUSPEND64`, `SYSTEM_SUSPEND` (this call) |'));
    assert.ok(md.includes('- `entry=` in x1: entry_point_address: where the core starts, MMU off, with x0 = context'));
    assert.ok(md.includes('- `context=` in x2: context_id: passed to the entry point in x0'));
    assert.ok(md.includes('**Returns** in x0: `DENIED` (-3), `INVALID_ADDRESS` (-9), `NOT_SUPPORTED` (-1)'));
    assert.ok(md.includes('**KVM:** with KVM_CAP_ARM_SYSTEM_SUSPEND'));
    assert.ok(md.includes('**Xen:** the guest SYSTEM_SUSPEND series'));
    const off = await markdown('CPU_OFF');
    assert.ok(off.includes('| SMC32 | `0x84000002` | `CPU_OFF` (this call) |'));
    assert.ok(off.includes('**Arguments:** none'));
  });

  it('describes a PSCI argument name', async () => {
    assert.strictEqual(
      await markdown('target=vcpu1'),
      '**`target=`** · argument of `AFFINITY_INFO` in x1\n\ntarget_cpu: the MPIDR (affinity fields) of the core',
    );
  });

  it('describes a PMCSR field and the register: offset, bits, access, meaning', async () => {
    const field = await markdown('pmcsr.state', 0, 7);
    assert.strictEqual(
      field,
      '**`pmcsr.state`** · bits [1:0] of `pmcsr` (Power Management Control/Status)\n\nPCI config offset `0x44` (PM capability + 4), 2 bits, **RW**\n\n' +
        'PowerState: 00 D0, 01 D1, 10 D2, 11 D3hot. An unsupported D1/D2 write is discarded\n\nValues: 0 = `D0`, 1 = `D1`, 2 = `D2`, 3 = `D3hot`\n\n' +
        'On device `net0` (virtio-net at 00:01.0).',
    );
    const register = await markdown('pmcsr.state', 0, 2);
    assert.ok(
      register.startsWith(
        '**`pmcsr`** · Power Management Control/Status\n\nPCI config offset `0x44` (PM capability + 4), 16 bits',
      ),
    );
    assert.ok(
      register.includes(
        '| `no_soft_reset` | 3 | RO | No_Soft_Reset: 1 = D3hot to D0 keeps the function state; 0 = it resets to D0 uninitialized |',
      ),
    );
    assert.ok(register.includes('| `pme_status` | 15 | RW1C, sticky |'));
    // The same in an expression path: net0.status is the virtio device status, a device value.
    const status = await markdown('net0.status &', 0, 6);
    assert.ok(
      status.startsWith(
        '**`status`** · device value (virtio devices)\n\nvirtio device status (ACKNOWLEDGE 1, DRIVER 2',
      ),
      status,
    );
  });

  it('describes a device: model, BDF, interrupt and options', async () => {
    assert.strictEqual(
      await markdown('gpu passthrough'),
      '**device `gpu`** · `passthrough` at `00:05.0` (bus 0, device 5, function 0), irq 45\n\na PCI function assigned to the guest with VFIO\n\nOptions: `no_soft_reset true`\n\nVM `guest` (kvm)',
    );
    const net0 = await markdown('net0 pmcsr', 1);
    assert.ok(net0.startsWith('**device `net0`** · `virtio-net` at `00:01.0` (bus 0, device 1, function 0), irq 33'));
    assert.ok(net0.includes('Options: defaults'));
  });

  it('describes constants with their value and meaning', async () => {
    assert.strictEqual(await markdown('D3hot'), '**`D3hot`** = 3 · d-state\n\noff with power kept: config space only');
    assert.strictEqual(await markdown('OFF {'), '**`OFF`** = 1 · power\n\nthe core is off (AFFINITY_INFO 1)');
    assert.strictEqual(
      await markdown('DRIVER_OK'),
      '**`DRIVER_OK`** = 4 · virtio-status\n\nthe driver is set up and ready',
    );
  });

  it('describes vCPU registers and vCPUs', async () => {
    assert.strictEqual(
      await markdown('x0 == OFF'),
      '**`x0`** · vCPU register of the running vCPU (writable with `set`)\n\ngeneral-purpose register x0',
    );
    assert.strictEqual(
      await markdown('pc = again'),
      '**`pc`** · vCPU register of the running vCPU (writable with `set`)\n\nthe address of the next statement; `set pc = LABEL` jumps',
    );
    assert.ok((await markdown('vcpu1 level')).startsWith('**`vcpu1`** · vCPU 1 of VM `guest`'));
  });

  it('describes the invariant after expect violation', async () => {
    assert.strictEqual(
      await markdown('suspend-with-vcpu-on', 0, 12),
      '**`suspend-with-vcpu-on`** · invariant: SYSTEM_SUSPEND honoured with another vCPU on\n\nA VM was suspended by SYSTEM_SUSPEND although another of its vCPUs was not OFF: the VMM (or hypervisor) skipped the check that must answer DENIED.',
    );
  });

  it('describes labels with their address, procs with their doc comment, VMs, models, options and VMM answers', async () => {
    assert.ok((await markdown('entry=resume', 0, 7)).startsWith('**label `resume`** · VM `guest` at 0x4008'));
    assert.strictEqual(await markdown('settle(2)'), '**proc `settle(n)`**');
    assert.ok((await markdown('guest {')).startsWith('**VM `guest`** · kvm, PSCI 1.1, 2 vCPUs'));
    assert.ok((await markdown('virtio-net')).startsWith('**`virtio-net`** · device model'));
    assert.ok((await markdown('no_soft_reset true')).startsWith('**`no_soft_reset`** · option (true or false)'));
    assert.ok((await markdown('confirm')).startsWith('**`confirm`**\n\nthe VMM makes its checks'));
    assert.strictEqual(await hover('33 wake', 0, 4), null);
  });

  it('describes explore and each of its bounds from the domain table', async () => {
    const explore = `${KVM}explore {\n  max_states 200000; depth 40\n  until 600ms\n}\n`;
    await client.open(URI, explore);
    const at = async (needle: string, delta: number) => {
      const h = await client.request<Hover | null>('textDocument/hover', {
        textDocument: { uri: URI },
        position: positionOf(explore, needle, 0, delta),
      });
      assert.ok(h, `no hover on '${needle}'`);
      return h;
    };
    const keyword = await at('explore {', 3);
    assert.deepStrictEqual(keyword.range, { start: { line: 43, character: 0 }, end: { line: 43, character: 7 } });
    const md = (keyword.contents as MarkupContent).value;
    assert.ok(
      md.startsWith(
        "**`explore`** · explore the interleavings\n\n`sflow test` explores this scenario's interleavings instead of running it once",
      ),
      md,
    );
    assert.ok(md.includes('- `max_states 200000`: stop after this many distinct states'), md);
    assert.ok(md.includes('- `until 600ms`: end each path at this virtual time'), md);
    assert.strictEqual(
      ((await at('max_states', 2)).contents as MarkupContent).value,
      '**`max_states`** · bound of `explore` (a positive integer)\n\nStop after this many distinct states.',
    );
    assert.ok(
      ((await at('depth 40', 1)).contents as MarkupContent).value.startsWith(
        '**`depth`** · bound of `explore` (a positive integer)\n\nBranch at most',
      ),
    );
    const until = await at('until 600ms', 4);
    assert.deepStrictEqual(until.range, { start: { line: 45, character: 2 }, end: { line: 45, character: 7 } });
    assert.strictEqual(
      (until.contents as MarkupContent).value,
      '**`until`** · bound of `explore` (a positive time such as 600ms)\n\nEnd each path at this virtual time.',
    );
    // A bare explore is described the same way.
    const bare = `${KVM}explore\n`;
    await client.open(URI, bare);
    const h = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri: URI },
      position: positionOf(bare, 'explore', 0, 2),
    });
    assert.ok((h.contents as MarkupContent).value.startsWith('**`explore`**'));
    await client.open(URI, text);
  });

  it('describes the host settings and suspend policies from the domain table', async () => {
    const hosted = KVM.replace(
      '  at 30ms: irq 33 -> guest',
      '  policy suspend abort-on-wake\n  s2idle_timeout 2s\n  suspend_latency 5ms\n  at 30ms: irq 33 -> guest',
    );
    await client.open(URI, hosted);
    const md = async (needle: string, delta: number) =>
      (
        (
          await client.request<Hover>('textDocument/hover', {
            textDocument: { uri: URI },
            position: positionOf(hosted, needle, 0, delta),
          })
        ).contents as MarkupContent
      ).value;
    const timeout = await md('s2idle_timeout', 3);
    assert.ok(timeout.startsWith('**`s2idle_timeout TIME`** · host setting (default `15s`, at most 1000s)'), timeout);
    assert.match(timeout, /Guest suspension timeout - proceeding anyway/);
    assert.ok((await md('suspend_latency', 3)).includes('(default `1ms`, at most 1000s)'));
    assert.strictEqual(
      await md('abort-on-wake', 3),
      '**`policy suspend abort-on-wake`** · host suspend policy\n\nA guest vCPU that wakes while the host is suspending aborts the suspend.',
    );
    await client.open(URI, text);
  });

  it("describes the prelude's procs with their doc comment", async () => {
    const prelude = KVM.replace('  call settle(2)', '  call linux.pm_suspend mem');
    await client.open(URI, prelude);
    const h = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri: URI },
      position: positionOf(prelude, 'linux.pm_suspend', 0, 8),
    });
    assert.strictEqual(
      (h.contents as MarkupContent).value,
      '**proc `linux.pm_suspend(state)`** · Linux prelude\n\npm_suspend(state): the entry point, state is mem or s2idle.',
    );
    const mem = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri: URI },
      position: positionOf(prelude, 'pm_suspend mem', 0, 12),
    });
    assert.ok((mem.contents as MarkupContent).value.startsWith('**`mem`** = 1 · sleep-state'));
    await client.open(URI, text);
  });
});
