// Explore: a depth-first search over every way a scenario's declared nondeterminism can resolve (open scheduling,
// src/sim/choices.ts), checking invariants, expectations, faults and hangs on every path.
//
// - States are told apart by stateKey (state-hash.ts); a state seen before is not explored again.
// - Partial-order reduction (independence.ts) runs one of several commuting local units instead of all their orders;
//   `reduction: false` turns it off so tests can check it against the plain search.
// - Two kinds of decision share one numbering (MachineState.decisions): which of several enabled units runs
//   (choices.ts), and which alternative a unit picks while it runs (a VMM's answers `confirm | deny`). The second
//   is only known once the unit has run, so the unit runs with option 0 and, if it chose, the search comes back
//   to the state before it and runs it again with each other pick forced.
// - A path is recorded as the choices that differ from option 0, [decision number, option index]; a Scheduler
//   built from them (replay.ts) makes a Machine walk the same path, in the CLI or in the debugger.
// - Sharding: every shard walks the spine of the tree, the paths that take the first option the search tries at
// every decision below the first `splitDepth` (above it, every option). At a decision on the spine, each other option
// belongs to one shard
//   by a hash of the state and the option; the owner explores that branch in full, the others skip it. Each spine
//   state is reached by every shard (or explored in full by it), so together the shards cover what one search
//   would, whatever each one's deduplication prunes.
//
// Pure: the caller passes a clock-free `shouldStop` for wall-time budgets and gets progress through a callback.

import { Program } from '../../lang/program';
import { enabledUnits } from '../choices';
import { Machine, Scheduler, StopReason, Unit } from '../machine';
import '../reactions';
import { cloneState, MachineState } from '../state';
import { stateProblems, stopProblem } from '../verdict';
import { ampleSet, reductionApplies, staticFacts } from './independence';
import { stateKey } from './state-hash';

export type Choice = [decision: number, option: number];

/**
 * What the search saw where it took a choice: the decision, the option taken, how many options there were, and
 * the trace hash when the decision was made. A replay compares its own at the same decision (replay.ts).
 */
export type Checkpoint = [decision: number, option: number, options: number, traceHash: string];

/** Where explore stopped a path it reports: at a problem, at an expected violation, or at its end (a hang, the step
 * bound). */
export type PathEnd = 'problem' | 'expected-violation' | 'hang' | 'step-limit';

export interface ExploreOptions {
  seed?: number;
  /** partial-order reduction (default on) */
  reduction?: boolean;
  /** stop after this many distinct states */
  maxStates?: number;
  /** branch at most this many times on a path; deeper, the path follows option 0 */
  depth?: number;
  /** end every path at this virtual time (ns) */
  untilTime?: number;
  /** how far (ns) a vCPU may run ahead of another that is due first; above 0 the reduction is off */
  skew?: number;
  /** a path longer than this many units is reported as not finishing */
  maxStepsPerPath?: number;
  /** keep going after the first problem (default: stop there) */
  all?: boolean;
  /** this search covers shard `index` of `count` */
  shard?: { index: number; count: number };
  /** checked every few hundred states; true ends the search (a wall-clock budget) */
  shouldStop?: () => boolean;
  onProgress?: (p: ExploreProgress) => void;
  /** called at the end of every path with the machine in its final state (tests compare searches with it) */
  onPathEnd?: (m: Machine) => void;
}

export interface ExploreProgress {
  states: number;
  paths: number;
  depth: number;
  problems: number;
}

export interface Counterexample {
  choices: Choice[];
  /** one per choice, in the same order: what the search saw there */
  checkpoints: Checkpoint[];
  problems: string[];
  /** the trace hash where the path was stopped (its `steps`th unit), which a replay reproduces */
  traceHash: string;
  time: number;
  events: number;
  /** units run from the start to where the path was stopped: a replay stops there too */
  steps: number;
  /** why the path was stopped there */
  end: PathEnd;
  /** the key of the state the path ends in: paths to the same state are the same problem (merging shards) */
  stateKey: number;
}

export interface ExploreResult {
  /** distinct states visited */
  states: number;
  /** units executed, including re-executions after backtracking */
  transitions: number;
  /** paths that ended (finished, hit --until, or reached a problem) */
  paths: number;
  /** states not explored again because they had been seen */
  revisits: number;
  maxDepth: number;
  /** every path within the bounds was followed to its end */
  complete: boolean;
  stoppedBy?: 'first-problem' | 'max-states' | 'stop';
  /** depth-limited branches happened: some interleavings were not tried */
  depthLimited: boolean;
  reduction: boolean;
  counterexamples: Counterexample[];
  /** expected violations (`expect violation`) seen on some path, each with the first path that showed it */
  expectedSeen: Map<string, Counterexample>;
  expectedMissing: string[];
}

const DEFAULT_MAX_STATES = 1_000_000;
const DEFAULT_MAX_STEPS_PER_PATH = 1_000_000;

interface Frame {
  /** the state to come back to: before the decision (a schedule) or before the unit that chose (a pick) */
  snapshot: MachineState;
  /** `schedule`: todo indexes `options`; `pick`: todo lists the picks to force at `decision` while `options[0]` runs */
  kind: 'schedule' | 'pick';
  options: Unit[];
  decision: number;
  /** `pick`: how many alternatives the unit chose among */
  count?: number;
  todo: number[];
  next: number;
  choices: number;
  depth: number;
  steps: number;
  /** the options after the first lead off the spine (sharding) */
  spine: boolean;
}

function splitDepthFor(count: number): number {
  return Math.ceil(Math.log2(Math.max(1, count))) + 2;
}

/** Which shard explores option `option` of the decision at a state: spread by a multiplicative hash. */
function ownerOf(key: number, option: number, count: number): number {
  const mixed = Math.imul((key % 0x7fffffff) ^ Math.imul(option, 0x9e3779b1), 0x85ebca6b) >>> 0;
  return mixed % count;
}

export function explore(program: Program, options: ExploreOptions = {}): ExploreResult {
  // Picks forced by the search, and the first unforced pick a running unit made (a branch to come back to).
  const forced = new Map<number, number>();
  let running = false;
  let unforced: { decision: number; count: number } | undefined;
  const scheduler: Scheduler = {
    pick(decision, count) {
      const pick = forced.get(decision);
      if (pick !== undefined) {
        // A forced pick is the newest choice: its checkpoint gets the trace hash at the moment the unit chooses.
        const last = checkpoints[checkpoints.length - 1];
        if (last && last[0] === decision && last[3] === '') last[3] = m.traceHash();
        return pick;
      }
      if (running && !unforced) unforced = { decision, count };
      return 0;
    },
  };
  const skew = options.skew ?? 0;
  const m = new Machine(program, { seed: options.seed ?? 0, scheduling: 'open', scheduler, skew });
  // The reduction's argument rests on units due at one instant; with skew, what runs ahead changes what is due.
  const reduction = (options.reduction ?? true) && skew === 0 && reductionApplies(program);
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const maxDepth = options.depth ?? Infinity;
  const untilTime = options.untilTime ?? Infinity;
  const maxSteps = options.maxStepsPerPath ?? DEFAULT_MAX_STEPS_PER_PATH;
  const shard = options.shard && options.shard.count > 1 ? options.shard : undefined;
  const splitDepth = shard ? splitDepthFor(shard.count) : Infinity;
  const expected = new Set(program.expectedViolations.map((v) => v.id));
  const facts = staticFacts(program);

  const result: ExploreResult = {
    states: 0,
    transitions: 0,
    paths: 0,
    revisits: 0,
    maxDepth: 0,
    complete: false,
    depthLimited: false,
    reduction,
    counterexamples: [],
    expectedSeen: new Map(),
    expectedMissing: [],
  };
  const seen = new Set<number>();
  const stack: Frame[] = [];
  const choices: Choice[] = [];
  const checkpoints: Checkpoint[] = [];
  let depth = 0;
  let steps = 0;
  /** on the spine: no option but 0 taken below the split depth yet (sharding only) */
  let spine = shard !== undefined;
  // Faults show as an event; a path ends at its first problem, so the flag is reset whenever the search backtracks.
  let faulted = false;
  m.onEvent((e) => {
    if (e.kind === 'fault') faulted = true;
  });

  const record = (problems: string[], end: PathEnd): Counterexample => ({
    choices: choices.slice(),
    checkpoints: checkpoints.map((c): Checkpoint => [c[0], c[1], c[2], c[3]]),
    problems,
    traceHash: m.traceHash(),
    time: m.state.now,
    events: m.state.events,
    steps: m.state.steps,
    end,
    stateKey: stateKey(m.state),
  });
  const noteExpected = () => {
    for (const v of m.state.violations) {
      if (expected.has(v.invariant) && !result.expectedSeen.has(v.invariant))
        result.expectedSeen.set(v.invariant, record([`${v.invariant}: ${v.message}`], 'expected-violation'));
    }
  };
  // The first option to try continues the spine; on the spine below the split depth each other one has one owner.
  const owned = (todo: number[], key: number) =>
    shard && spine && depth >= splitDepth
      ? todo.filter((i, j) => j === 0 || ownerOf(key, i, shard.count) === shard.index)
      : todo;

  /** Runs a unit; if it picked among alternatives on its own, remembers to come back for the other picks. */
  const run = (unit: Unit) => {
    if (unit.decision) depth++;
    // Only VMM answers choose while a unit runs: keep the state before such a unit to come back to.
    const before = unit.kind === 'host' && unit.entry.kind === 'vmm' ? cloneState(m.state) : undefined;
    const frameChoices = choices.length;
    const frameDepth = depth;
    const frameSteps = steps;
    unforced = undefined;
    running = true;
    m.execute(unit);
    running = false;
    steps++;
    result.transitions++;
    const pick = unforced as { decision: number; count: number } | undefined;
    if (pick && before) {
      if (depth >= maxDepth) result.depthLimited = true;
      else {
        // Pick 0 has just run; the frame holds the others.
        const todo = owned(
          Array.from({ length: pick.count }, (_, i) => i),
          stateKey(before),
        ).slice(1);
        if (todo.length)
          stack.push({
            snapshot: before,
            kind: 'pick',
            options: [unit],
            decision: pick.decision,
            count: pick.count,
            todo,
            next: 0,
            choices: frameChoices,
            depth: frameDepth,
            steps: frameSteps,
            spine,
          });
      }
      depth++;
    }
  };

  /** Runs option `index` of a scheduling decision, recording it as a choice when it is not option 0. */
  const take = (opts: Unit[], index: number) => {
    const unit = opts[index];
    if (unit.decision && index !== 0) {
      choices.push([m.state.decisions, index]);
      checkpoints.push([m.state.decisions, index, opts.length, m.traceHash()]);
    }
    run(unit);
  };

  /** Back to the newest frame with an option left; false when the search is over. */
  const backtrack = (): boolean => {
    const frame = stack[stack.length - 1];
    if (!frame) return false;
    const option = frame.todo[frame.next++];
    if (frame.next >= frame.todo.length) stack.pop();
    // The last option may have the snapshot itself; earlier ones need a copy to leave it intact.
    m.state = stack[stack.length - 1] === frame ? cloneState(frame.snapshot) : frame.snapshot;
    for (const d of forced.keys()) if (d >= m.state.decisions) forced.delete(d);
    choices.length = frame.choices;
    checkpoints.length = frame.choices;
    depth = frame.depth;
    steps = frame.steps;
    faulted = false;
    // Every option taken here is one other than 0: below the split depth that leaves the spine.
    spine = frame.spine && frame.depth < splitDepth;
    if (frame.kind === 'schedule') take(frame.options, option);
    else {
      forced.set(frame.decision, option);
      choices.push([frame.decision, option]);
      checkpoints.push([frame.decision, option, frame.count!, '']);
      run(frame.options[0]);
    }
    return true;
  };

  let stopped: ExploreResult['stoppedBy'];
  search: for (;;) {
    // A new state: seen before, a problem, the end of a path, or a decision.
    let ended = false;
    const key = stateKey(m.state);
    if (seen.has(key)) {
      result.revisits++;
      ended = true;
    } else {
      seen.add(key);
      result.states++;
      if (depth > result.maxDepth) result.maxDepth = depth;
      let problem = faulted || m.state.expectFailures > 0;
      const violations = m.state.violations;
      if (violations.length) {
        noteExpected();
        if (violations.some((v) => !expected.has(v.invariant))) problem = true;
      }
      if (problem) {
        result.counterexamples.push(record(stateProblems(m), 'problem'));
        result.paths++;
        options.onPathEnd?.(m);
        ended = true;
        if (!options.all) {
          stopped = 'first-problem';
          break search;
        }
      } else {
        const opts = enabledUnits(m);
        if (opts.length === 0 || opts[0].time >= untilTime || steps >= maxSteps) {
          result.paths++;
          ended = true;
          options.onPathEnd?.(m);
          const stop: StopReason =
            opts.length === 0
              ? { kind: 'outcome', outcome: m.outcome() }
              : steps >= maxSteps && opts[0].time < untilTime
                ? { kind: 'step-limit', steps }
                : { kind: 'time-limit', time: untilTime };
          const problem = stopProblem(stop);
          if (problem) {
            result.counterexamples.push(record([problem], stop.kind === 'step-limit' ? 'step-limit' : 'hang'));
            if (!options.all) {
              stopped = 'first-problem';
              break search;
            }
          }
        } else if (opts.length === 1) {
          take(opts, 0);
        } else if (depth >= maxDepth) {
          result.depthLimited = true;
          take(opts, 0);
        } else {
          const todo = owned(reduction ? ampleSet(m, opts, facts) : opts.map((_, i) => i), key);
          if (todo.length > 1) {
            stack.push({
              snapshot: cloneState(m.state),
              kind: 'schedule',
              options: opts,
              decision: m.state.decisions,
              todo,
              next: 1,
              choices: choices.length,
              depth,
              steps,
              spine,
            });
          }
          take(opts, todo[0]);
        }
      }
      if (result.states >= maxStates) {
        stopped = 'max-states';
        break search;
      }
      if ((result.states & 1023) === 0) {
        options.onProgress?.({
          states: result.states,
          paths: result.paths,
          depth,
          problems: result.counterexamples.length,
        });
        if (options.shouldStop?.()) {
          stopped = 'stop';
          break search;
        }
      }
    }
    if (ended && !backtrack()) break;
  }

  result.stoppedBy = stopped;
  result.complete = stopped === undefined;
  result.expectedMissing = [...expected].filter((id) => !result.expectedSeen.has(id));
  return result;
}
