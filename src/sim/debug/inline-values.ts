// What the editor shows after each executed line of the current frame: the last thing each line did, from the
// recent trace (a PSCI result by name, a PMCSR write's new D-state, a virtio status, an MMIO value).

import { Machine } from '../machine';
import { TraceEvent } from '../trace';

export interface InlineValue {
  /** 0-based line */
  line: number;
  text: string;
}

function textOf(e: TraceEvent): string | undefined {
  switch (e.kind) {
    case 'psci.return':
      return `${e.fn} → ${e.name}`;
    case 'vmm.exit':
      return `exit ${e.exit}`;
    case 'pci.config':
      if (e.access === 'read') return `${e.device}.${e.register} = 0x${e.value.toString(16)}`;
      if (e.register.startsWith('pmcsr') && e.note.startsWith('PowerState'))
        return `${e.device}: ${e.note.split(',')[0].replace('PowerState ', '')}`;
      return `${e.device}.${e.register} ← 0x${e.value.toString(16)}`;
    case 'device':
      return e.what.startsWith('virtio status')
        ? `${e.device}: ${e.what.replace('virtio status ', 'status ')}`
        : undefined;
    case 'mmio':
      return `${e.access === 'read' ? 'read' : 'wrote'} 0x${e.value.toString(16)}${e.blocked ? ' (refused)' : ''}`;
    case 'expect.fail':
      return `✗ ${e.message}`;
    case 'log':
      return e.text;
    case 'signal':
      return e.raised ? `signal ${e.name}` : undefined;
    case 's2idle.notify':
      return `notification #${e.count}`;
    case 'context.lost':
    case 'fault':
    case 'halt':
    case 'host.action':
    case 'host.state':
    case 'irq.config':
    case 'irq.deliver':
    case 'irq.masked':
    case 'irq.raise':
    case 'irq.wake':
    case 'power':
    case 'psci.call':
    case 'violation':
    case 'vm.state':
    case 'vmm.answer':
    default:
      return undefined;
  }
}

/** The latest value per line of `path`, for lines in [from, to], as seen by VM `vm`. */
export function inlineValues(m: Machine, vm: number, path: string, from: number, to: number): InlineValue[] {
  const cfg = m.vmConfig(vm);
  const byLine = new Map<number, string>();
  for (const e of m.state.recent) {
    if (e.vm !== vm || e.pc < 0) continue;
    const loc = cfg.code[e.pc]?.loc;
    if (!loc || loc.file.path !== path || loc.line < from || loc.line > to) continue;
    const text = textOf(e);
    if (text) byLine.set(loc.line, text);
  }
  return [...byLine].map(([line, text]) => ({ line, text })).sort((a, b) => a.line - b.line);
}
