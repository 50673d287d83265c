// The timeline log's history-fork rule (src/sim/debug/history.ts) and the debug console's own commands
// (src/sim/debug/console.ts), as the debug adapter uses them.

import * as assert from 'assert';
import { Timeline } from '../../src/sim/timeline';
import { TimelineLog } from '../../src/sim/debug/history';
import { CONSOLE_COMMANDS, consoleCommand } from '../../src/sim/debug/console';
import { compile } from '../helpers';

const SCENARIO = `
vm guest {
  hypervisor kvm
  vcpus 1
}
guest.vcpu0 {
  psci PSCI_VERSION
  psci PSCI_VERSION
  psci PSCI_VERSION
  halt
}
`;

function recorded(): { t: Timeline; log: TimelineLog } {
  const t = new Timeline(compile(SCENARIO), { seed: 0 });
  const log = new TimelineLog(100);
  t.onEvent((e) => log.record(t, e));
  return { t, log };
}

describe('the timeline log', () => {
  it('keeps every event once: going back and forward again over recorded history repeats none', () => {
    const { t, log } = recorded();
    while (t.forward());
    const first = log.take(-1, 100);
    assert.strictEqual(first.events.filter((e) => e.kind === 'psci').length, 3);
    assert.strictEqual(first.truncatedFrom, undefined);
    t.seek(1);
    while (t.forward());
    assert.deepStrictEqual(log.take(-1, 100), { events: first.events, truncatedFrom: undefined });
  });

  it('an edit in the past forks history: the events after it are rewritten, and the view is told from where, once', () => {
    const { t, log } = recorded();
    while (t.forward());
    const before = log.take(-1, 100).events;
    const psci = before.filter((e) => e.kind === 'psci');
    // Back to just after the first PSCI call, an edit there, and the rest run again from the edited state.
    const after = t.positionAfterEvent(psci[0].seq)!;
    t.seek(after);
    t.machine.writeVcpuField(0, 0, 'x5', 7n);
    t.fork();
    while (t.forward());
    const rewritten = log.take(-1, 100);
    assert.ok(rewritten.truncatedFrom !== undefined && rewritten.truncatedFrom > psci[0].seq);
    assert.ok(rewritten.truncatedFrom <= psci[1].seq);
    assert.deepStrictEqual(
      rewritten.events.map((e) => e.seq),
      before.map((e) => e.seq),
      'the same seqs, each once',
    );
    assert.strictEqual(log.take(-1, 100).truncatedFrom, undefined);
  });
});

describe('the debug console commands', () => {
  it('answers trace, where, explain and help, and leaves anything else to the expression evaluator', () => {
    const { t } = recorded();
    while (t.forward());
    const ctx = { presentTime: t.machine.state.now };
    assert.deepStrictEqual([...CONSOLE_COMMANDS], ['trace', 'explain', 'where', 'help']);
    assert.match(consoleCommand(t, 'where', ctx)!, new RegExp(`^step ${t.position} of ${t.head} recorded, `));
    assert.strictEqual(consoleCommand(t, 'trace 2', ctx)!.split('\n').length, 2);
    assert.strictEqual(consoleCommand(t, 'explain', ctx), 'nothing to explain: no exception or violation so far');
    assert.match(consoleCommand(t, 'help', ctx)!, /^commands: trace \[N\]/);
    assert.strictEqual(consoleCommand(t, 'x0 == 1', ctx), undefined);
  });
});
