// One line of words per trace event, shared by the CLI timeline, the debug console and the timeline view.

import { Program } from '../lang/program';
import { TIME_UNITS } from '../lang/lexer';
import { formatValue } from './eval';
import { TraceEvent } from './trace';

export function eventSource(program: Program, e: TraceEvent): string {
  if (e.vm < 0) return 'host';
  const vm = program.vms[e.vm];
  if (!vm) return '?';
  return e.vcpu < 0 ? vm.name : `${vm.name}.vcpu${e.vcpu}`;
}

export function describeEvent(e: TraceEvent): string {
  switch (e.kind) {
    case 'psci.call': {
      const names = ['x1', 'x2', 'x3'];
      const args = e.args
        .map((a, i) => (a !== 0n ? `${names[i]}=0x${a.toString(16)}` : ''))
        .filter(Boolean)
        .join(' ');
      return `${e.conduit.toUpperCase()} ${e.fn} (0x${e.fid.toString(16)})${args ? ' ' + args : ''}`;
    }
    case 'psci.return':
      return `${e.fn} returned ${e.name}${/^-?\d/.test(e.name) ? '' : ` (${formatValue(e.result)})`}`;
    case 'vmm.exit':
      return `${e.via === 'Xen toolstack' ? 'to the Xen toolstack:' : 'exit to VMM: ' + e.via} ${e.exit}${e.flags ? ` flags=0x${e.flags.toString(16)}` : ''}${e.detail ? ` (${e.detail})` : ''}`;
    case 'vmm.answer':
      return `VMM answers ${e.exit} with ${e.answer}: ${e.result}`;
    case 'irq.raise':
      return `irq ${e.irq} raised (target vcpu${e.target})`;
    case 'irq.wake':
      return `irq ${e.irq} wakes the vCPU from ${e.from}`;
    case 'irq.deliver':
      return `irq ${e.irq} delivered to its handler`;
    case 'irq.masked':
      return `irq ${e.irq} stays pending: ${e.why}`;
    case 'irq.config':
      return `irq ${e.irq} ${e.enabled ? 'enabled' : 'disabled'}${e.wake ? ' as a wake-up source' : ''}`;
    case 'power':
      return `power ${e.from} -> ${e.to} (${e.mp}): ${e.why}`;
    case 'vm.state':
      return `VM ${e.from} -> ${e.to}: ${e.why}`;
    case 'signal':
      return e.raised ? `signal ${e.name}` : `signal ${e.name} cleared`;
    case 'log':
      return `log: ${e.text}`;
    case 'expect.fail':
      return `EXPECTATION FAILED: ${e.message}`;
    case 'fault':
      return `FAULT: ${e.message}`;
    case 'halt':
      return e.implicit ? 'program finished' : 'halt';
    case 'host.action':
      return `host action: ${e.action}`;
    case 'host.state':
      return e.from === e.to ? `host: ${e.why}` : `host ${e.from} -> ${e.to}: ${e.why}`;
    case 'mmio':
      return `MMIO ${e.access} ${e.width}-bit 0x${e.address.toString(16)} ${e.access === 'write' ? '= ' : '-> '}0x${e.value.toString(16)} [${e.target}]${e.blocked && e.target !== 'unassigned' ? ' blocked' : ''}`;
    case 'pci.config':
      return `config ${e.access} ${e.device} ${e.register} @0x${e.offset.toString(16)} ${e.access === 'write' ? '= ' : '-> '}0x${e.value.toString(16)}${e.note ? ` (${e.note})` : ''}`;
    case 'device':
      return `${e.device}: ${e.what}${e.detail ? ` (${e.detail})` : ''}`;
    case 'context.lost':
      return `${e.device}: device context lost (${e.cause})${e.noSoftReset ? ' although PMCSR says No_Soft_Reset' : ''}`;
    case 'violation':
      return `VIOLATION ${e.title}: ${e.message}`;
    case 's2idle.notify':
      return `s2idle notification #${e.count}`;
  }
}

/**
 * Virtual time as milliseconds with nanosecond digits (`10.005000 ms`), exact at any size: the digits are those of
 * the integer number of nanoseconds, never an exponent.
 */
export function formatTime(ns: number | bigint): string {
  if (typeof ns === 'number' && !Number.isFinite(ns)) return `${ns} ms`;
  const t = typeof ns === 'bigint' ? ns : BigInt(Math.trunc(ns));
  const abs = t < 0n ? -t : t;
  const rest = String(abs % TIME_UNITS.ms).padStart(6, '0');
  return `${t < 0n ? '-' : ''}${abs / TIME_UNITS.ms}.${rest} ms`;
}
