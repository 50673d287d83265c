// The host thread: timed host actions from the scenario's `host { }` block, the VMM's answers, and device timers
// all run here as units of their own, in virtual time.

import { Machine } from './machine';
import { QueueEntry } from './state';
import { answerDeferred, handleVmmEntry } from './vmm';
import { requestHostSuspend, wakeHost, hostStep } from './hostpm';
import { watchdogTimer } from './watchdog';

/**
 * Places each host action at an instant: a fixed time, or one the chooser picks inside its window. Under open
 * scheduling a window stays open (-1) until a decision fires it.
 */
export function initialActionTimes(m: Machine): number[] {
  return m.program.host.actions.map((a) => {
    if (a.from === a.to) return Number(a.from);
    if (m.openScheduling) return -1;
    const span = Number(a.to - a.from) + 1;
    return Number(a.from) + m.choose(span, `window at line ${a.loc.line + 1}`);
  });
}

export function handleQueueEntry(m: Machine, entry: QueueEntry): void {
  switch (entry.kind) {
    case 'host-action':
      runHostAction(m, entry.index);
      return;
    case 'vmm':
      handleVmmEntry(m, entry);
      return;
    case 'device':
      if (entry.tag === 'watchdog') watchdogTimer(m, entry);
      return;
    case 'host-step':
      hostStep(m, entry.tag);
      return;
  }
}

function runHostAction(m: Machine, index: number): void {
  const a = m.program.host.actions[index].action;
  switch (a.kind) {
    case 'irq':
      m.emit(-1, -1, { kind: 'host.action', action: `irq ${a.irq} -> ${m.vmConfig(a.vm).name}` });
      m.raiseIrq(a.vm, a.irq);
      return;
    case 'vmm': {
      m.emit(-1, -1, { kind: 'host.action', action: `vmm ${m.vmConfig(a.vm).name} ${a.answer}` });
      if (!answerDeferred(m, a.vm, a.answer))
        m.emit(-1, -1, {
          kind: 'host.action',
          action: `vmm ${m.vmConfig(a.vm).name} ${a.answer}: nothing deferred to answer`,
        });
      return;
    }
    case 'requestSuspend':
      m.emit(-1, -1, { kind: 'host.action', action: 'request suspend' });
      requestHostSuspend(m, 'host action');
      return;
    case 'wake':
      m.emit(-1, -1, { kind: 'host.action', action: 'wake' });
      wakeHost(m, 'wake');
      return;
  }
}
