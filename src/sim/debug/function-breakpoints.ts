// Function breakpoints on what the guest does, by name:
//   SYSTEM_SUSPEND, CPU_OFF, CPU_ON32 ...  a PSCI call of that function (before the call)
//   psci                                   any PSCI or raw SMC/HVC call
//   s2idle_notify                          the write to the s2idle notify register
//   pmcsr, pmcsr:DEV, pmcsr:DEV:D3hot      a PMCSR write (any device / one device / asking for that state)
//   exit:SUSPEND, exit:WAKEUP, ..., vmm    an exit to the VMM of that kind / any (after the exit, before the answer)
//   linux.pm_suspend, any proc name        entering that proc
// A name that matches nothing is reported with what exists.

import { D_STATE_NAMES } from '../../lang/domain/constants';
import { decodePsciFid, lookupPsciFunction, psciFunctionNames } from '../../lang/domain/psci';
import { Instr, Program } from '../../lang/program';
import { closest } from '../../lang/suggest';
import { evaluate } from '../eval';
import { Machine, Unit } from '../machine';
import { TraceEvent } from '../trace';
import { S2IDLE_NOTIFY_SIZE } from '../devices/s2idle-notify';
import { PMCSR, PMCSR_STATE_MASK } from '../devices/pci-function';

const EXIT_KINDS = ['SUSPEND', 'WAKEUP', 'SHUTDOWN', 'RESET', 'MMIO'];

export interface FunctionMatcher {
  /** what the breakpoint stops on, in words (shown as the breakpoint's message) */
  describe: string;
  /** checked before a unit runs */
  before?(m: Machine, unit: Unit): boolean;
  /** checked after a unit ran, with the events it emitted: the event that matched, if one did */
  after?(m: Machine, unit: Unit, events: TraceEvent[]): TraceEvent | undefined;
}

export type FunctionBreakpointResult = { matcher: FunctionMatcher } | { error: string };

function instrOf(m: Machine, unit: Unit): Instr | undefined {
  return unit.kind === 'vcpu' ? m.vmConfig(unit.vm).code[unit.pc] : undefined;
}

function fidOf(m: Machine, unit: Unit & { kind: 'vcpu' }, instr: Instr): number | undefined {
  if (instr.op === 'psci') return instr.fn.fid;
  if (instr.op === 'rawCall') return Number(BigInt.asUintN(32, evaluate(m, instr.id, m.scope(unit.vm, unit.vcpu))));
  return undefined;
}

/** The PowerState a config write to PMCSR asks for, if this instruction is one. */
function pmcsrWriteState(m: Machine, unit: Unit, instr: Instr): number | undefined {
  if (unit.kind !== 'vcpu' || instr.op !== 'pciWrite') return undefined;
  const t = instr.target;
  if (!(t.offset <= PMCSR && t.offset + t.size > PMCSR)) return undefined;
  const value = evaluate(m, instr.value, m.scope(unit.vm, unit.vcpu));
  const mask = BigInt(PMCSR_STATE_MASK);
  if (t.field) return t.field.name === 'state' ? Number(value & mask) : undefined;
  return Number((value >> BigInt(8 * (PMCSR - t.offset))) & mask);
}

function knownFunctionBreakpoints(program: Program): string[] {
  const procs = new Set<string>();
  for (const vm of program.vms) for (const f of vm.frames) if (f.kind === 'proc') procs.add(f.name);
  const devices = new Set(program.vms.flatMap((vm) => vm.devices.map((d) => d.name)));
  return [
    'psci',
    ...psciFunctionNames(),
    's2idle_notify',
    'pmcsr',
    ...[...devices].map((d) => `pmcsr:${d}`),
    'vmm',
    ...EXIT_KINDS.map((k) => `exit:${k}`),
    ...procs,
  ];
}

export function parseFunctionBreakpoint(program: Program, rawName: string): FunctionBreakpointResult {
  const name = rawName.trim();
  if (name === 'psci') {
    return {
      matcher: { describe: 'any PSCI call', before: (m, u) => ['psci', 'rawCall'].includes(instrOf(m, u)?.op ?? '') },
    };
  }
  const psci = lookupPsciFunction(name);
  if (psci) {
    // A bare name (CPU_ON) stops on both conventions; CPU_ON32 / CPU_ON64 on that one only.
    const exact = /(32|64)$/.test(name);
    return {
      matcher: {
        describe: `PSCI ${name}`,
        before: (m, u) => {
          const instr = instrOf(m, u);
          if (u.kind !== 'vcpu' || !instr) return false;
          const fid = fidOf(m, u, instr);
          if (fid === undefined) return false;
          if (exact) return fid === psci.fid;
          return decodePsciFid(fid)?.fn.name === psci.fn.name;
        },
      },
    };
  }
  if (name === 's2idle_notify') {
    return {
      matcher: {
        describe: 'a write to the s2idle notify register',
        before: (m, u) => {
          const instr = instrOf(m, u);
          if (u.kind !== 'vcpu' || !instr) return false;
          if (instr.op === 's2idleNotify') return true;
          const base = m.vmConfig(u.vm).s2idleNotify;
          if (instr.op !== 'mmioWrite' || base === undefined) return false;
          const address = BigInt.asUintN(64, evaluate(m, instr.address, m.scope(u.vm, u.vcpu)));
          return address >= base && address < base + S2IDLE_NOTIFY_SIZE;
        },
      },
    };
  }
  if (name === 'pmcsr' || name.startsWith('pmcsr:')) {
    const [, device, stateName] = name.split(':');
    const devices = new Set(program.vms.flatMap((vm) => vm.devices.map((d) => d.name)));
    if (device !== undefined && !devices.has(device)) {
      return {
        error: `no device '${device}'${suggest(device, devices)}; devices: ${[...devices].join(', ') || 'none'}`,
      };
    }
    const state =
      stateName === undefined ? undefined : D_STATE_NAMES.findIndex((s) => s.toLowerCase() === stateName.toLowerCase());
    if (state !== undefined && (state < 0 || state > 3))
      return { error: `'${stateName}' is not a PMCSR PowerState: D0, D1, D2 or D3hot` };
    return {
      matcher: {
        describe: `a PMCSR write${device ? ` to ${device}` : ''}${state !== undefined ? ` asking for ${D_STATE_NAMES[state]}` : ''}`,
        before: (m, u) => {
          const instr = instrOf(m, u);
          if (u.kind !== 'vcpu' || !instr || instr.op !== 'pciWrite') return false;
          if (device !== undefined && m.vmConfig(u.vm).devices[instr.device].name !== device) return false;
          const requested = pmcsrWriteState(m, u, instr);
          return requested !== undefined && (state === undefined || requested === state);
        },
      },
    };
  }
  if (name === 'vmm' || name.startsWith('exit:') || EXIT_KINDS.includes(name)) {
    const kind = name === 'vmm' ? undefined : name.replace(/^exit:/, '');
    if (kind !== undefined && !EXIT_KINDS.includes(kind))
      return { error: `no VMM exit '${kind}'; exits: ${EXIT_KINDS.join(', ')}` };
    return {
      matcher: {
        describe: kind ? `a ${kind} exit to the VMM` : 'any exit to the VMM',
        after: (_m, _u, events) => events.find((e) => e.kind === 'vmm.exit' && (kind === undefined || e.exit === kind)),
      },
    };
  }
  const procVms = program.vms.map((vm) => vm.frames.findIndex((f) => f.kind === 'proc' && f.name === name));
  if (procVms.some((i) => i >= 0)) {
    return {
      matcher: {
        describe: `entering proc ${name}`,
        before: (m, u) =>
          u.kind === 'vcpu' && procVms[u.vm] >= 0 && m.vmConfig(u.vm).frames[procVms[u.vm]].entry === u.pc,
      },
    };
  }
  const known = knownFunctionBreakpoints(program);
  // What exists in this program, by kind, so the message answers "what can I break on here?".
  const devices = [...new Set(program.vms.flatMap((vm) => vm.devices.map((d) => d.name)))];
  const procs = [
    ...new Set(program.vms.flatMap((vm) => vm.frames.filter((f) => f.kind === 'proc').map((f) => f.name))),
  ];
  return {
    error:
      `no function breakpoint '${name}'${suggest(name, known)}; it can be a PSCI function (SYSTEM_SUSPEND, CPU_OFF, CPU_ON, ...), psci, s2idle_notify, ` +
      `pmcsr, ${devices.length ? devices.map((d) => `pmcsr:${d}`).join(', ') + ' (with :D0, :D1, :D2 or :D3hot)' : 'pmcsr:DEVICE (this scenario has no devices)'}, ` +
      `vmm, ${EXIT_KINDS.map((k) => `exit:${k}`).join(', ')}, or a proc: ${procs.join(', ') || 'none'}`,
  };
}

function suggest(word: string, candidates: Iterable<string>): string {
  const guess = closest(word, candidates);
  return guess ? ` (did you mean '${guess}'?)` : '';
}
