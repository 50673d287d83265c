// A VM's watchdog (`watchdog TIME`). The running guest keeps it fed; what matters is what happens while the VM is
// suspended. Xen pauses a domain's watchdogs when it suspends (watchdog_domain_suspend); a KVM VMM's watchdog
// device keeps counting in the VMM, so a guest suspended for longer than the timeout gets "reset" by its own
// watchdog. Expiry while suspended is reported (and caught by an invariant).

import { TIME_UNITS } from '../lang/lexer';
import { Machine } from './machine';
import { QueueEntry, VmRunState } from './state';

export function onVmStateChange(m: Machine, vm: number, to: VmRunState): void {
  const cfg = m.vmConfig(vm);
  if (cfg.watchdog === undefined) return;
  const s = m.state.vms[vm];
  s.watchdogGeneration++;
  if (to !== 'suspended') return;
  if (cfg.flavour === 'xen') {
    m.emit(vm, -1, {
      kind: 'device',
      device: 'watchdog',
      what: 'watchdog paused',
      detail: 'Xen: watchdog_domain_suspend while the domain is suspended',
    });
    return;
  }
  m.schedule(m.state.now + Number(cfg.watchdog), 'device', vm, -1, s.watchdogGeneration, 'watchdog');
}

export function watchdogTimer(m: Machine, entry: QueueEntry): void {
  const s = m.state.vms[entry.vm];
  if (entry.index !== s.watchdogGeneration || s.state !== 'suspended') return;
  // A suspended host stops the timer from firing; it is looked at again when the host runs.
  if (m.state.host.state === 'suspended') {
    m.schedule(m.state.now + Number(m.vmConfig(entry.vm).watchdog), 'device', entry.vm, -1, entry.index, 'watchdog');
    return;
  }
  m.emit(entry.vm, -1, {
    kind: 'device',
    device: 'watchdog',
    what: 'watchdog expired',
    detail: `no feed for ${Number(m.vmConfig(entry.vm).watchdog) / Number(TIME_UNITS.ms)} ms while the VM is suspended`,
  });
}
