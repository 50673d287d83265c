// Open scheduling: every unit that could run next when nothing the scenario says fixes the order.
//
// The seeded scheduler (machine.ts) runs the earliest unit and breaks ties by a documented order; a window's
// instant comes from the seed. Here the same world is read as what it promises and no more:
// - units due at the same instant may run in any order (host events, VMM answers and vCPUs alike), which is where
//   vCPUs racing each other show up (they step in lock-step at one statement time);
// - a host action in a window `at A..B:` may happen before any unit due inside its window. Firing it at the
//   earliest instant it can have there, max(now, A), stands for every instant up to that unit: nothing else
//   happens in between, so they all lead to the same order of events;
// - once the next unit is due after B, the window must have fired: it fires first;
// - with a skew S (explore's `--skew`), a vCPU due up to S after the first unit may run before it, as if the vCPUs'
//   statements took a little more or less time than their nominal cost. It may not overtake a queued host event
//   or the end of an open window (those are clocks, not statements); the vCPU it overtakes then runs late, at the
//   time it is reached.
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
    const entry: QueueEntry = {
      time,
      order: -1,
      kind: 'host-action',
      vm: -1,
      vcpu: -1,
      index: i,
      tag: actions[i].action.kind,
    };
    const unit: Unit = { kind: 'host', entry, time, window: true };
    (due > to ? mustFire : fire).push(unit);
  }
  if (mustFire.length) return mark(mustFire);

  const units: Unit[] = [];
  let nextHostEvent = Infinity;
  for (const entry of s.queue) {
    if (entry.time !== due) {
      nextHostEvent = entry.time;
      break;
    }
    units.push({ kind: 'host', entry, time: due });
  }
  if (hostRuns) {
    let reach = due;
    if (m.skew > 0) {
      reach = Math.min(due + m.skew, nextHostEvent);
      for (let i = 0; i < s.actionTimes.length; i++)
        if (s.actionTimes[i] < 0) reach = Math.min(reach, Number(actions[i].to));
      reach = Math.max(reach, due);
    }
    for (let vi = 0; vi < s.vms.length; vi++) {
      const vcpus = s.vms[vi].vcpus;
      for (let ci = 0; ci < vcpus.length; ci++) {
        const v = vcpus[ci];
        if (v.run === 'running' && v.readyAt <= reach)
          units.push({ kind: 'vcpu', vm: vi, vcpu: ci, pc: v.pc, time: v.readyAt });
      }
    }
    // Those due first lead, host events then vCPUs in declaration order (the sort is stable and host events are
    // due first), so option 0 stays the seeded order's pick.
    if (m.skew > 0) units.sort((a, b) => a.time - b.time);
  }
  return mark(fire.length ? units.concat(fire) : units);
}

function mark(units: Unit[]): Unit[] {
  if (units.length > 1) for (const u of units) u.decision = true;
  return units;
}
