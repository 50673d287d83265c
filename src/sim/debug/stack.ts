// The call stack a thread shows: the host's one frame (what it does next, or the rule it broke), a vCPU's frames from
// its innermost call outwards, named after their proc or after the label and the vCPU running them. The debug adapter
// asks for `stack(thread)` and only turns the answer into DAP frames.

import { Loc, instrAddress } from '../../lang/program';
import { SourceFile } from '../../lang/source';
import { formatTime } from '../describe-event';
import { CallFrame, QueueEntry } from '../state';
import { Timeline } from '../timeline';

/** A place in a source file: 0-based line and character, and where it ends when it is a statement's span. */
export interface FramePlace {
  file: SourceFile;
  line: number;
  character: number;
  end?: { line: number; character: number };
}

export interface StackFrameInfo {
  /** 0 for the innermost frame, then its callers */
  level: number;
  name: string;
  place?: FramePlace;
  /** the address of the instruction the frame is at */
  address?: bigint;
  /** a frame that is no place in the code (an idle host, a vCPU that is off), shown as a label */
  label?: boolean;
}

/** The exception the session is stopped on: its message, the position of history and the thread that raised it. */
export interface StackException {
  message: string;
  position: number;
  thread: number;
}

/**
 * The frames `thread` shows now, innermost first. Stopped on a rule the host broke (`exception` raised by the host's
 * own thread here), the host's frame names the violation and points at the host's suspend policy.
 */
export function stack(t: Timeline, thread: number, exception?: StackException): StackFrameInfo[] {
  const m = t.machine;
  const ref = t.threads[thread];
  if (ref.vm < 0) {
    // Stopped on a rule the host broke (it suspended over a running guest): the frame names the violation and
    // points at the host's suspend policy, the line that let it happen, not at whatever the host does next.
    if (exception && exception.position === t.position && exception.thread === thread) {
      const policy = m.program.host.policies[0];
      return [{ level: 0, name: `host: ${exception.message}`, place: policy && linePlace(policy.loc) }];
    }
    const next = m.state.queue[0];
    const loc = next && hostEntryLoc(t, next);
    return [
      {
        level: 0,
        name: next ? `host: next ${next.kind} ${next.tag} at ${formatTime(next.time)}` : 'host: idle',
        place: loc && linePlace(loc),
        label: !loc,
      },
    ];
  }
  const cfg = m.vmConfig(ref.vm);
  const v = m.state.vms[ref.vm].vcpus[ref.vcpu];
  const calls = v.stack;
  // A vCPU that is off (CPU_OFF, or never started) runs nothing: its stale pc and stack are not a place to show.
  if (calls.length === 0 || v.pc < 0 || v.run === 'off') {
    const what =
      v.run === 'off'
        ? 'powered off'
        : v.run === 'faulted'
          ? `faulted: ${v.fault}`
          : `pc 0x${v.pcAddress.toString(16)}`;
    return [{ level: 0, name: `${m.vcpuName(ref.vm, ref.vcpu)} (${what})`, label: true, address: v.pcAddress }];
  }
  const frames: StackFrameInfo[] = [];
  for (let level = 0; level < calls.length; level++) {
    const f = calls[calls.length - 1 - level];
    const above = level === 0 ? undefined : calls[calls.length - level];
    // The top frame is at pc; a caller is at its call (or, for an interrupted frame, at the interrupted statement).
    const pc = level === 0 ? v.pc : above!.irq >= 0 ? above!.returnPc : above!.returnPc - 1;
    const instr = cfg.code[pc];
    const frame: StackFrameInfo = { level, name: frameName(t, ref.vm, ref.vcpu, f.frame, pc) };
    if (instr) {
      const start = instr.loc.file.position(instr.loc.span.start);
      const end = instr.loc.file.position(instr.loc.span.end);
      frame.place = { file: instr.loc.file, line: start.line, character: start.character, end };
      frame.address = instrAddress(cfg, pc);
    }
    frames.push(frame);
  }
  return frames;
}

/** The call frame at `level` of a vCPU thread's stack (0, the innermost), with its arguments; none for the host. */
export function callFrame(t: Timeline, thread: number, level: number): CallFrame | undefined {
  const ref = t.threads[thread];
  if (!ref || ref.vm < 0) return undefined;
  const v = t.machine.state.vms[ref.vm].vcpus[ref.vcpu];
  return v.stack[v.stack.length - 1 - level];
}

/** The names of the parameters of the call frame at `level` of a thread's stack. */
export function callFrameParams(t: Timeline, thread: number, level: number): string[] | undefined {
  const f = callFrame(t, thread, level);
  return f ? t.machine.vmConfig(t.threads[thread].vm).frames[f.frame]?.params : undefined;
}

/** The start of a line of the scenario (a host frame points at a whole declaration). */
function linePlace(loc: Loc): FramePlace {
  return { file: loc.file, line: loc.line, character: 0 };
}

/**
 * A frame's name: the proc its statement is in (`linux.pm_suspend`), or the label and the vCPU running it
 * (`resume · guest.vcpu0`; `secondary · guest.vcpu1` for vcpu1 started in vcpu0's block).
 */
function frameName(t: Timeline, vm: number, vcpu: number, frame: number, pc: number): string {
  const m = t.machine;
  const cfg = m.vmConfig(vm);
  const info = cfg.frames[frame];
  const who = m.vcpuName(vm, vcpu);
  if (!info) return who;
  let label: string | undefined;
  let labelAt = -1;
  for (const [name, index] of cfg.labels) {
    if (index <= pc && index > labelAt && cfg.code[index]?.frame === frame) {
      label = name;
      labelAt = index;
    }
  }
  // A proc is named after itself (the thread row above says which vCPU runs it); a vCPU's program block and its
  // interrupt handlers after the label they are at and the vCPU running them, which need not be the block's own.
  if (info.kind === 'proc') return info.name;
  const own = info.name.startsWith(`${who} `) ? info.name.slice(who.length + 1) : info.name;
  const place = info.kind === 'program' ? (label ?? own) : label ? `${own}: ${label}` : own;
  return place === who ? who : `${place} · ${who}`;
}

/** Where the scenario says what the host does next: its timed action, the VM whose VMM answers, the suspend policy. */
function hostEntryLoc(t: Timeline, entry: QueueEntry): Loc | undefined {
  const program = t.machine.program;
  if (entry.kind === 'host-action') return program.host.actions[entry.index]?.loc;
  if (entry.kind === 'host-step') return program.host.policies[0]?.loc;
  return entry.vm >= 0 ? program.vms[entry.vm]?.loc : undefined;
}
