// Open scheduling: every unit that could run next when nothing the scenario says fixes the order.
//
// The seeded scheduler (machine.ts) runs the earliest unit and breaks ties by a documented order; a window's
// instant comes from the seed. Here the same world is read as what it promises and no more:
// - units due at the same instant may run in any order (host events, VMM answers and vCPUs alike), which is where
//   vCPUs racing each other show up (they step in lock-step at one statement time);
// - a host action in a window `at A..B:` may happen before any unit due inside its window. Firing it at the
//   earliest instant it can have there, max(now, A), stands for every instant up to that unit: nothing else
//   happens in between, so they all lead to the same order of events;
// - once the next unit is due after B, the window must have fired: it fires first.
//
// Option 0 is always what the seeded scheduler would run at a tie, so a replay with no recorded choices follows
// the documented order.

import type { Machine, Unit } from './machine';
import { QueueEntry } from './state';

export function enabledUnits(m: Machine): Unit[] {
  const s = m.state;
  const hostRuns = s.host.state !== 'suspended';
  let due = s.queue.length ? s.queue[0].time : Infinity;
  if (hostRuns) {
    for (const vm of s.vms) for (const v of vm.vcpus) if (v.run === 'running' && v.readyAt < due) due = v.readyAt;
  }

  const actions = m.program.host.actions;
  const fire: Unit[] = [];
  const mustFire: Unit[] = [];
  for (let i = 0; i < s.actionTimes.length; i++) {
    if (s.actionTimes[i] >= 0) continue;
    const from = Number(actions[i].from);
    const to = Number(actions[i].to);
    if (from > due) continue;
    const time = Math.max(s.now, from);
    const entry: QueueEntry = { time, order: -1, kind: 'host-action', vm: -1, vcpu: -1, index: i, tag: actions[i].action.kind };
    const unit: Unit = { kind: 'host', entry, time, window: true };
    (due > to ? mustFire : fire).push(unit);
  }
  if (mustFire.length) return mark(mustFire);

  const units: Unit[] = [];
  for (const entry of s.queue) {
    if (entry.time !== due) break;
    units.push({ kind: 'host', entry, time: due });
  }
  if (hostRuns) {
    for (let vi = 0; vi < s.vms.length; vi++) {
      const vcpus = s.vms[vi].vcpus;
      for (let ci = 0; ci < vcpus.length; ci++) {
        const v = vcpus[ci];
        if (v.run === 'running' && v.readyAt === due) units.push({ kind: 'vcpu', vm: vi, vcpu: ci, pc: v.pc, time: due });
      }
    }
  }
  return mark(fire.length ? units.concat(fire) : units);
}

function mark(units: Unit[]): Unit[] {
  if (units.length > 1) for (const u of units) u.decision = true;
  return units;
}
