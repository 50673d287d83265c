// Replaying a path explore found: a Scheduler that answers each recorded decision with its recorded option and
// every other decision with option 0, and the replay file that carries a path from `sflow explore` to `sflow run
// --replay` and to the debugger's `replay` launch attribute.

import { Program } from '../../lang/program';
import { Machine, Scheduler } from '../machine';
import { HASH_SEED, hashHex, hashString } from '../trace';
import { Choice } from './explorer';

export function replayScheduler(choices: readonly Choice[]): Scheduler {
  const picks = new Map<number, number>(choices.map(([decision, option]) => [decision, option]));
  return { pick: (decision) => picks.get(decision) ?? 0 };
}

export function replayMachine(program: Program, replay: Pick<ReplayFile, 'seed' | 'choices'> & { skew?: number }): Machine {
  return new Machine(program, { seed: replay.seed, scheduling: 'open', scheduler: replayScheduler(replay.choices), skew: replay.skew ?? 0 });
}

export const REPLAY_FORMAT = 'suspend-flow-replay/1';

/** What a replay file holds (JSON). */
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
  /** what went wrong on the path */
  problems: string[];
  /** the trace hash the path ends with; a faithful replay ends with the same */
  traceHash: string;
  /** virtual time (ns) at the end of the path */
  time: number;
}

export function scenarioHash(text: string): string {
  return hashHex(hashString(HASH_SEED, text));
}

/** Reads a replay file's JSON; the error says what is wrong with it. */
export function parseReplay(text: string): ReplayFile | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  const r = data as Partial<ReplayFile>;
  if (typeof r !== 'object' || r === null || r.format !== REPLAY_FORMAT) return { error: `not a replay file (format should be '${REPLAY_FORMAT}')` };
  if (typeof r.scenario !== 'string') return { error: "the replay names no 'scenario'" };
  if (typeof r.seed !== 'number' || !Number.isInteger(r.seed) || r.seed < 0) return { error: "'seed' should be a non-negative integer" };
  const okChoices = Array.isArray(r.choices) && r.choices.every((c) => Array.isArray(c) && c.length === 2 && c.every((n) => Number.isInteger(n) && n >= 0));
  if (!okChoices) return { error: "'choices' should be a list of [decision, option] pairs of non-negative integers" };
  if (r.skew !== undefined && (typeof r.skew !== 'number' || !Number.isInteger(r.skew) || r.skew < 0)) return { error: "'skew' should be a non-negative integer (ns)" };
  return {
    format: REPLAY_FORMAT, scenario: r.scenario, scenarioHash: String(r.scenarioHash ?? ''), seed: r.seed, skew: r.skew, choices: r.choices as Choice[],
    problems: Array.isArray(r.problems) ? r.problems.map(String) : [], traceHash: String(r.traceHash ?? ''), time: Number(r.time ?? 0),
  };
}
