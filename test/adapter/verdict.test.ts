// The debugger's verdict is the CLI's: a scenario `sflow run` calls FAIL (exit 1) never ends a debug session with
// PASS and exit code 0. Each case is run by the CLI and by the adapter, and the two must agree word for word.

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, forEachTransport, writeScenario } from './helpers';

const VM = 'vm g {\n  hypervisor kvm\n  vcpus 2\n}\n';

const CASES: { name: string; text: string; problem: RegExp }[] = [
  {
    name: 'a vCPU fault',
    text: `${VM}g.vcpu0 {\n  set pc = 0\n}\n`,
    problem: /FAIL: faulted: g\.vcpu0: no statement at pc 0x0$/,
  },
  {
    name: 'runaway recursion',
    text: `${VM}proc r {\n  call r\n}\ng.vcpu0 {\n  call r\n}\n`,
    problem: /FAIL: faulted: g\.vcpu0: call depth over \d+: runaway recursion into r$/,
  },
  {
    name: 'an expected violation that never happens',
    text: `expect violation host-suspended-while-guest-running\n${VM}g.vcpu0 {\n  set x1 = 1\n}\n`,
    problem: /FAIL: expected violation did not happen: host-suspended-while-guest-running$/,
  },
  {
    name: 'a hang',
    text: `${VM}g.vcpu1 {\n  halt\n}\ng.vcpu0 {\n  wait vcpu1.power == OFF\n}\n`,
    problem: /FAIL: hang: g\.vcpu0 waits for 'vcpu1\.power == OFF', which never becomes true$/,
  },
];

/** What `sflow run` says of a scenario: its last line without the leading `-- `, and its exit code. */
function cli(file: string): { summary: string; status: number | null } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'run', file], { encoding: 'utf8' });
  return { summary: r.stdout.trim().split('\n').pop()!.replace(/^-- /, ''), status: r.status };
}

forEachTransport('the verdict', (adapter) => {
  for (const c of CASES) {
    it(`${c.name}: FAIL at the end of the session and exit code 1, as sflow run says`, async () => {
      const file = writeScenario(`verdict-${c.name.replace(/\W+/g, '-')}.sflow`, c.text);
      const expected = cli(file);
      assert.match(expected.summary, c.problem);
      assert.strictEqual(expected.status, 1);

      const client = await adapter.open();
      const end = await client.launch({ program: file }, async () => {
        await client.ok('setExceptionBreakpoints', { filters: [] });
      });
      assert.deepStrictEqual(
        [end.body.reason, end.body.description, end.body.text],
        ['pause', 'End of scenario: FAIL', expected.summary],
      );
      const console = client.drain<DebugProtocol.OutputEvent>('output').filter((o) => o.body.output.startsWith('-- '));
      assert.deepStrictEqual(
        console.map((o) => [o.body.category, o.body.output]),
        [['stderr', `-- ${expected.summary}\n`]],
      );
      await client.ok('continue', { threadId: end.body.threadId });
      assert.strictEqual((await client.event<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 1);

      // Without stopping at the end, the session ends with the same exit code.
      const direct = await adapter.open();
      await direct.initialize();
      await direct.ok('launch', { program: file, stopAtEnd: false });
      await direct.event('initialized');
      await direct.ok('setExceptionBreakpoints', { filters: [] });
      await direct.ok('configurationDone');
      assert.strictEqual((await direct.event<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 1);
    });
  }
});
