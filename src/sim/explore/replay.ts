// Replaying a path explore found, and checking that the replay is that path. The replay file carries the path from
// `sflow explore` to `sflow run --replay` and to the debugger's `replay` launch attribute: the choices to make
// ([decision, option] where the path left option 0), what explore saw at each of them (checkpoints: how many
// options there were, the trace hash), and where explore stopped the path (units run, trace hash there).
//
// A replay that departs from its recording is an error, never another path quietly followed: the ReplayCheck's
// scheduler answers each decision with the recorded option (option 0 elsewhere) and notes every departure, with the
// decision, what was recorded and what was possible; `finish` says whether the replay was faithful.
//
//   const { machine, check } = startReplay(program, replay);        // or: replayCheck(replay) + attach(machine)
//   machine.run(limits, () => check.departed || check.atEnd(machine));
//   const report = check.finish(machine);                           // report.faithful, report.message

import { Program } from '../../lang/program';
import { BOM } from '../../lang/diagnostics';
import { Machine, MachineOptions, Scheduler, StopReason } from '../machine';
import '../reactions';
import { HASH_SEED, hashHex, hashString } from '../trace';
import { Checkpoint, Choice, PathEnd } from './explorer';

/** The plain scheduler of a replay: the recorded option at each recorded decision, option 0 elsewhere. Checks nothing.
 * */
export function replayScheduler(choices: readonly Choice[]): Scheduler {
  const picks = new Map<number, number>(choices.map(([decision, option]) => [decision, option]));
  return { pick: (decision) => picks.get(decision) ?? 0 };
}

/** A machine following the choices, unchecked (tests that only need the path). */
export function replayMachine(
  program: Program,
  replay: Pick<ReplayFile, 'seed' | 'choices'> & { skew?: number },
): Machine {
  return new Machine(program, {
    seed: replay.seed,
    scheduling: 'open',
    scheduler: replayScheduler(replay.choices),
    skew: replay.skew ?? 0,
  });
}

export const REPLAY_FORMAT = 'suspend-flow-replay/1';

/** What a replay file holds (JSON). Fields marked optional are absent from files an older sflow wrote. */
export interface ReplayFile {
  format: typeof REPLAY_FORMAT;
  /** the scenario, as the explore command was given it */
  scenario: string;
  /** a hash of the scenario's text when the path was found: a replay of an edited file may go elsewhere */
  scenarioHash: string;
  seed: number;
  /** the skew (ns) explore ran with: the same choices mean the same path only with the same skew */
  skew?: number;
  /** [decision, option] for every decision that did not take option 0 */
  choices: Choice[];
  /** [decision, option, options, trace hash] for each choice: what explore saw there */
  checkpoints?: Checkpoint[];
  /** what went wrong on the path */
  problems: string[];
  /** the trace hash where explore stopped the path; a faithful replay stopped at the same unit has the same */
  traceHash: string;
  /** virtual time (ns) where explore stopped the path */
  time: number;
  /** units run from the start to where explore stopped the path */
  steps?: number;
  /** events emitted up to there */
  events?: number;
  /** why explore stopped the path there */
  end?: PathEnd;
}

/** What a replay follows and is checked against: a replay file's path, or a Counterexample's. */
export interface ReplayPath {
  seed: number;
  skew?: number;
  choices: readonly Choice[];
  checkpoints?: readonly Checkpoint[];
  /** where explore stopped the path: without it the replay runs to the end and its trace hash is not compared */
  steps?: number;
  traceHash?: string;
  end?: PathEnd;
}

/** A place where a replay left its recording. */
export interface Deviation {
  /** the decision, when the departure is at one */
  decision?: number;
  /** one line: `decision 35: the replay takes option 5, but only options 0 to 1 are possible there` */
  message: string;
}

export interface ReplayReport {
  /** no departure, and (if the end was reached and recorded) the same trace hash there */
  faithful: boolean;
  deviations: Deviation[];
  /** the run got to where explore stopped the path (or, with no end recorded, could run no more) */
  reachedEnd: boolean;
  /** the trace hash at the end was compared with the recorded one */
  hashChecked: boolean;
  /** one line: the first departure (and how many more), or what was checked */
  message: string;
}

/**
 * Follows a recorded path and notes where a run departs from it. Give `scheduler` to the Machine (or the debugger's
 * Timeline), then `attach` that machine so trace hashes are compared at each recorded decision. The scheduler is a
 * function of the decision number, as Scheduler requires: asking again (peek, time travel) gives the same answer,
 * and a departure is recorded once per decision.
 */
export class ReplayCheck {
  readonly scheduler: Scheduler;
  private readonly picks: Map<number, number>;
  private readonly checkpoints?: Map<number, Checkpoint>;
  /** recorded decisions (chosen or checkpointed) the run has asked about */
  private readonly reached = new Set<number>();
  private readonly deviated = new Set<number>();
  private readonly found: Deviation[] = [];
  private machine?: Machine;
  /** finish() looking whether anything could run next: not a decision the run made */
  private probing = false;

  constructor(
    readonly path: ReplayPath,
    private readonly options: { onDeviation?: (d: Deviation) => void } = {},
  ) {
    this.picks = new Map(path.choices.map(([d, o]) => [d, o]));
    if (path.checkpoints) this.checkpoints = new Map(path.checkpoints.map((c) => [c[0], c]));
    this.scheduler = { pick: (decision, count) => this.pick(decision, count) };
  }

  /** The machine the scheduler runs in: its trace hash is compared at each recorded decision. */
  attach(machine: Machine): this {
    this.machine = machine;
    return this;
  }

  /** Departures so far, in the order they happened. */
  get deviations(): readonly Deviation[] {
    return this.found;
  }

  /** The run has left its recording: stop there (what follows is not the recorded path). */
  get departed(): boolean {
    return this.found.length > 0;
  }

  /** The machine has run as many units as explore's path: this is where explore stopped it (the problem). */
  atEnd(machine: Machine): boolean {
    return this.path.steps !== undefined && machine.state.steps >= this.path.steps;
  }

  /**
   * The stop to judge the run by, given how Machine.run stopped: at the end of a path explore stopped because it
   * hit its step bound, that bound (the run did not finish); otherwise the stop itself.
   */
  endStop<S extends { kind: string }>(stop: S, machine: Machine): S | StopReason {
    if (stop.kind === 'predicate' && this.path.end === 'step-limit' && this.atEnd(machine))
      return { kind: 'step-limit', steps: this.path.steps! };
    return stop;
  }

  private deviate(d: Deviation): void {
    if (d.decision !== undefined) {
      if (this.deviated.has(d.decision)) return;
      this.deviated.add(d.decision);
    }
    this.found.push(d);
    this.options.onDeviation?.(d);
  }

  private pick(decision: number, count: number): number {
    const option = this.picks.get(decision) ?? 0;
    const answer = option < count ? option : 0;
    if (this.probing) return answer;
    const checkpoint = this.checkpoints?.get(decision);
    if (this.picks.has(decision) || checkpoint) this.reached.add(decision);
    if (this.deviated.has(decision)) return answer;
    const of = (n: number) => `${n} option${n === 1 ? '' : 's'}`;
    if (option >= count) {
      this.deviate({
        decision,
        message: `decision ${decision}: the replay takes option ${option}, but only options 0 to ${count - 1} are possible there`,
      });
    } else if (checkpoint) {
      const [, recorded, options, hash] = checkpoint;
      const here = this.machine?.traceHash();
      if (options !== count)
        this.deviate({
          decision,
          message: `decision ${decision}: explore had ${of(options)} there, this run has ${of(count)} (the path before it differs)`,
        });
      else if (here !== undefined && hash !== '' && here !== hash)
        this.deviate({
          decision,
          message: `decision ${decision}: the trace before it is ${here}, explore's was ${hash} (the path departed before it)`,
        });
      else if (!this.picks.has(decision))
        this.deviate({
          decision,
          message: `decision ${decision}: explore took option ${recorded} of ${count} there, the replay takes option 0 (its choices have none for this decision)`,
        });
      else if (recorded !== option)
        this.deviate({
          decision,
          message: `decision ${decision}: the replay takes option ${option} of ${count}, but explore took option ${recorded}`,
        });
    } else if (this.checkpoints && option !== 0) {
      this.deviate({
        decision,
        message: `decision ${decision}: the replay takes option ${option} of ${count}, but explore took the default (option 0) there`,
      });
    }
    return answer;
  }

  /**
   * At the end of the run: every departure, with recorded decisions the run never reached and, where the run got to
   * where explore stopped the path, a different trace hash. A run cut short before then (by --until, a bound, or a
   * departure it stopped at) is checked as far as it went.
   */
  finish(machine: Machine): ReplayReport {
    const deviations = [...this.found];
    const steps = this.path.steps;
    const atEnd = this.atEnd(machine);
    this.probing = true;
    const done = !atEnd && machine.peek() === undefined;
    this.probing = false;
    const reachedEnd = !this.departed && (atEnd || done);
    let hashChecked = false;
    if (reachedEnd) {
      const made = machine.state.decisions;
      const unreached = new Set<number>();
      for (const [d] of this.path.choices) if (!this.reached.has(d)) unreached.add(d);
      for (const [d] of this.path.checkpoints ?? []) if (!this.reached.has(d)) unreached.add(d);
      for (const d of [...unreached].sort((a, b) => a - b)) {
        const recorded = this.picks.get(d) ?? this.checkpoints?.get(d)?.[1] ?? 0;
        deviations.push({
          decision: d,
          message: `decision ${d} (option ${recorded}) is never reached: the path makes ${made} decision${made === 1 ? '' : 's'}`,
        });
      }
      if (steps !== undefined && !atEnd) {
        deviations.push({
          message: `the path ends after ${machine.state.steps} units with nothing left to run; explore's went on to ${steps}`,
        });
      } else if (steps !== undefined && this.path.traceHash) {
        hashChecked = true;
        if (machine.traceHash() !== this.path.traceHash)
          deviations.push({
            message: `the path ends with trace ${machine.traceHash()}, but explore's ended with ${this.path.traceHash}`,
          });
      }
    }
    const faithful = deviations.length === 0;
    const more = deviations.length > 1 ? ` (and ${deviations.length - 1} more)` : '';
    const message = !faithful
      ? `${deviations[0].message}${more}`
      : hashChecked
        ? `the replay follows its recording to the end of explore's path: trace ${machine.traceHash()}, as recorded`
        : reachedEnd
          ? 'no departure from the recorded choices, but the replay records no end of its path (steps, trace hash): the end is not compared'
          : 'no departure from the recording as far as the run went';
    return { faithful, deviations, reachedEnd, hashChecked, message };
  }
}

export function replayCheck(path: ReplayPath, options?: { onDeviation?: (d: Deviation) => void }): ReplayCheck {
  return new ReplayCheck(path, options);
}

/** The machine options a replay runs with: open scheduling, the seed and skew explore used, the check's scheduler. */
export function replayOptions(path: ReplayPath, check: ReplayCheck): MachineOptions {
  return { seed: path.seed, scheduling: 'open', scheduler: check.scheduler, skew: path.skew ?? 0 };
}

/** A machine following a recorded path, with its check attached. */
export function startReplay(
  program: Program,
  path: ReplayPath,
  options?: { onDeviation?: (d: Deviation) => void },
): { machine: Machine; check: ReplayCheck } {
  const check = new ReplayCheck(path, options);
  const machine = new Machine(program, replayOptions(path, check));
  check.attach(machine);
  return { machine, check };
}

/**
 * Why a replay file cannot be checked to be followed (it records no end of its path: an older sflow wrote it, or it
 * was edited), or undefined. `sflow run --replay` and the debugger refuse such a file.
 */
export function uncheckable(replay: ReplayFile): string | undefined {
  const missing = (['steps', 'traceHash', 'end'] as const).filter(
    (key) => replay[key] === undefined || replay[key] === '',
  );
  if (!missing.length) return undefined;
  return `the replay records no end of its path (${missing.map((k) => `'${k}'`).join(', ')}), so a run cannot be checked to follow it (an older sflow wrote it, or it was edited): explore the scenario again`;
}

export function scenarioHash(text: string): string {
  return hashHex(hashString(HASH_SEED, text));
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
/** A trace or scenario hash as sflow writes them: (up to) 16 hexadecimal digits. */
const isHash = (h: unknown): h is string => typeof h === 'string' && /^[0-9a-f]{1,16}$/.test(h);

/**
 * Reads a replay file's JSON; the error says what is wrong with it, never quoting the text (a file that is not JSON
 * says where it stops being JSON). A UTF-8 byte order mark at the start is accepted.
 */
export function parseReplay(text: string): ReplayFile | { error: string } {
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { error: `not JSON (${jsonErrorPosition(text)})` };
  }
  const r = data as Partial<ReplayFile>;
  if (typeof r !== 'object' || r === null || Array.isArray(r) || r.format !== REPLAY_FORMAT)
    return { error: `not a replay file (format should be '${REPLAY_FORMAT}')` };
  if (typeof r.scenario !== 'string') return { error: "the replay names no 'scenario'" };
  if (!isCount(r.seed)) return { error: "'seed' should be a non-negative integer" };
  const okChoices =
    Array.isArray(r.choices) && r.choices.every((c) => Array.isArray(c) && c.length === 2 && c.every(isCount));
  if (!okChoices) return { error: "'choices' should be a list of [decision, option] pairs of non-negative integers" };
  const choices = r.choices as Choice[];
  const twice = choices.find(([d], i) => choices.findIndex(([e]) => e === d) !== i);
  if (twice) return { error: `'choices': decision ${twice[0]} appears twice` };
  if (r.skew !== undefined && !isCount(r.skew)) return { error: "'skew' should be a non-negative integer (ns)" };
  if (r.checkpoints !== undefined) {
    const ok =
      Array.isArray(r.checkpoints) &&
      r.checkpoints.every(
        (c) =>
          Array.isArray(c) &&
          c.length === 4 &&
          isCount(c[0]) &&
          isCount(c[1]) &&
          isCount(c[2]) &&
          c[2] > c[1] &&
          isHash(c[3]),
      );
    if (!ok) return { error: "'checkpoints' should be a list of [decision, option, options, trace hash]" };
  }
  for (const key of ['steps', 'events'] as const)
    if (r[key] !== undefined && !isCount(r[key])) return { error: `'${key}' should be a non-negative integer` };
  for (const key of ['traceHash', 'scenarioHash'] as const)
    if (r[key] !== undefined && r[key] !== '' && !isHash(r[key]))
      return { error: `'${key}' should be a hash of 16 hexadecimal digits` };
  const ends: PathEnd[] = ['problem', 'expected-violation', 'hang', 'step-limit'];
  if (r.end !== undefined && !ends.includes(r.end)) return { error: `'end' should be one of ${ends.join(', ')}` };
  return {
    format: REPLAY_FORMAT,
    scenario: r.scenario,
    scenarioHash: String(r.scenarioHash ?? ''),
    seed: r.seed,
    skew: r.skew,
    choices,
    ...(r.checkpoints ? { checkpoints: r.checkpoints as Checkpoint[] } : {}),
    problems: Array.isArray(r.problems) ? r.problems.map(String) : [],
    traceHash: String(r.traceHash ?? ''),
    time: Number(r.time ?? 0),
    ...(r.steps !== undefined ? { steps: r.steps } : {}),
    ...(r.events !== undefined ? { events: r.events } : {}),
    ...(r.end ? { end: r.end } : {}),
  };
}

/**
 * Where JSON text stops being JSON, without quoting it (JSON.parse's messages do): `at line 2, column 13`, or
 * `at line 1, column 8: the text ends too early`. Lines and columns count from 1. Iterative: nesting of any depth
 * (a million `[`) costs no stack.
 */
function jsonErrorPosition(text: string): string {
  const at = jsonErrorOffset(text);
  if (at === undefined) return 'at the end';
  const end = Math.min(at, text.length);
  const before = text.slice(0, end);
  const line = before.split('\n').length;
  const column = end - (before.lastIndexOf('\n') + 1) + 1;
  return `at line ${line}, column ${column}${at >= text.length ? ': the text ends too early' : ''}`;
}

/** The offset of the first character that cannot continue JSON (text.length: it ends too early); undefined: JSON. */
function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  // What each open container expects next: a value (after `[` or `,`), a key, a `:`, or `,`/the closing bracket.
  const open: ('[' | '{')[] = [];
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  /** A string from `"`; false where it breaks (i there). */
  const string = (): boolean => {
    i++;
    for (;;) {
      if (i >= text.length || text.charCodeAt(i) < 0x20) return false;
      const c = text[i++];
      if (c === '"') return true;
      if (c !== '\\') continue;
      if (text[i] === 'u') {
        i++;
        for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) return false;
      } else if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
      else return false;
    }
  };
  const digits = (): boolean => {
    const from = i;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') i++;
    return i > from;
  };
  const number = (): boolean => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (!digits()) return false;
    if (text[i] === '.' && (i++, !digits())) return false;
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digits()) return false;
    }
    return true;
  };
  /** After a value: `,` or the closing bracket of the innermost container (repeatedly), or the end. */
  const afterValue = (): 'value' | 'key' | 'done' | 'error' => {
    for (;;) {
      ws();
      const top = open[open.length - 1];
      if (!top) return i === text.length ? 'done' : 'error';
      if (text[i] === ',') {
        i++;
        return top === '[' ? 'value' : 'key';
      }
      if (text[i] !== (top === '[' ? ']' : '}')) return 'error';
      i++;
      open.pop();
    }
  };
  let next: 'value' | 'key' | 'done' | 'error' = 'value';
  for (;;) {
    ws();
    if (next === 'done') return undefined;
    if (next === 'error') return i;
    if (next === 'key') {
      if (text[i] !== '"' || !string()) return i;
      ws();
      if (text[i] !== ':') return i;
      i++;
      next = 'value';
      continue;
    }
    const c = text[i];
    if (c === '[' || c === '{') {
      i++;
      open.push(c);
      ws();
      if (text[i] === (c === '[' ? ']' : '}')) {
        i++;
        open.pop();
        next = afterValue();
      } else next = c === '[' ? 'value' : 'key';
      continue;
    }
    if (c === '"') {
      if (!string()) return i;
    } else if (c === 't' || c === 'f' || c === 'n') {
      const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
      for (const ch of word) {
        if (text[i] !== ch) return i;
        i++;
      }
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      if (!number()) return i;
    } else return i;
    next = afterValue();
  }
}
