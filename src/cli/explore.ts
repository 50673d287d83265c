// `sflow explore FILE`: every interleaving the scenario allows, every invariant and expectation on every path.
// Problems are written as replay files and printed as the timeline of how they happened; the exit code is 1 when a
// path breaks a rule (or a violation the scenario expects is on no path). `--results FILE` writes a JSON summary
// naming the replay files, for programs (the editor's Explore command) to read instead of the printed lines.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { Loc, Program } from '../lang/program';
import { TIME_UNITS } from '../lang/lexer';
import { describeEvent, eventSource, formatTime } from '../sim/describe-event';
import { Counterexample, explore, ExploreOptions, ExploreProgress, ExploreResult } from '../sim/explore/explorer';
import { REPLAY_FORMAT, ReplayCheck, ReplayFile, scenarioHash } from '../sim/explore/replay';
import { Machine, Unit } from '../sim/machine';
import '../sim/reactions';
import { TraceEvent } from '../sim/trace';
import { Io } from './io';
import { UsageError } from './errors';
import { loadScenario, parseIntArg, parseTime } from './load';
import { readArgs, required } from './args';
import { printable } from './text';

export interface ExploreCliOptions {
  file: string;
  seed: number;
  all: boolean;
  reduction: boolean;
  maxStates?: number;
  depth?: number;
  until?: number;
  /** wall-clock budget in ms */
  timeMs?: number;
  /** ns a vCPU may run ahead of another due first */
  skew?: number;
  shard?: { index: number; count: number };
  workers: number;
  outDir: string;
  /** a JSON summary of the search, with the replay files written, for programs to read */
  results?: string;
  /** progress on stderr: on a terminal by default */
  progress: boolean;
}

/** The format tag of `--results` files. */
export const RESULTS_FORMAT = 'sflow-explore-results/1';

/** What `--results FILE` holds. */
export interface ExploreResults {
  format: typeof RESULTS_FORMAT;
  /** the scenario's absolute path */
  scenario: string;
  /** 'fail' when the exit code is 1 */
  result: 'pass' | 'fail';
  exitCode: number;
  complete: boolean;
  /** the closing verdict, as printed after `-- complete: ` */
  verdict: string;
  states: number;
  paths: number;
  /** every replay file written, by absolute path: paths with a problem first, then expected violations */
  replays: {
    file: string;
    kind: 'counterexample' | 'expected-violation';
    invariant?: string;
    problems: string[];
    traceHash: string;
  }[];
}

/** How many worker threads there can be: one per CPU. */
function maxWorkers(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

function parseExploreArgs(args: string[]): ExploreCliOptions {
  const o: Partial<ExploreCliOptions> = {
    seed: 0,
    all: false,
    reduction: true,
    workers: 1,
    outDir: '.',
    progress: !!process.stderr.isTTY,
  };
  o.file = readArgs('explore', args, (flag, value) => {
    switch (flag) {
      case '--seed':
        o.seed = parseIntArg('--seed', value());
        break;
      case '--all':
        o.all = true;
        break;
      case '--no-reduction':
        o.reduction = false;
        break;
      case '--max-states':
        o.maxStates = positive('--max-states', value());
        break;
      case '--depth':
        o.depth = positive('--depth', value());
        break;
      case '--until':
        o.until = parseTime(required('--until', value(), 'a time'));
        break;
      case '--time':
        o.timeMs = parseTime(required('--time', value(), 'a time')) / Number(TIME_UNITS.ms);
        break;
      case '--skew':
        o.skew = parseTime(required('--skew', value(), 'a time'));
        break;
      case '--workers':
        o.workers = positive('--workers', value());
        break;
      case '--out':
        o.outDir = required('--out', value(), 'a directory');
        break;
      case '--results':
        o.results = required('--results', value(), 'a file name');
        break;
      case '--progress':
        o.progress = true;
        break;
      case '--no-progress':
        o.progress = false;
        break;
      case '--shard': {
        const m = /^(\d+)\/(\d+)$/.exec(required('--shard', value(), 'I/N'));
        if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
          throw new UsageError('--shard is I/N with 1 <= I <= N (for example 2/4)');
        o.shard = { index: Number(m[1]) - 1, count: Number(m[2]) };
        break;
      }
      default:
        return false;
    }
    return true;
  });
  if (!o.file) throw new UsageError('explore needs a scenario file');
  return o as ExploreCliOptions;
}

function positive(flag: string, v: string | undefined): number {
  const n = parseIntArg(flag, v);
  if (n < 1) throw new UsageError(`${flag} needs a positive integer`);
  return n;
}

/** The scenario's own `explore { }` bounds, under the command line's. */
export function searchOptions(
  program: Program,
  o: Omit<ExploreCliOptions, 'file' | 'workers' | 'outDir' | 'progress' | 'results'>,
): ExploreOptions {
  const declared = program.explore;
  return {
    seed: o.seed,
    all: o.all,
    reduction: o.reduction,
    maxStates: o.maxStates ?? declared?.maxStates,
    depth: o.depth ?? declared?.depth,
    untilTime: o.until ?? (declared?.until !== undefined ? Number(declared.until) : undefined),
    skew: o.skew ?? (declared?.skew !== undefined ? Number(declared.skew) : undefined),
    shard: o.shard,
  };
}

export async function exploreCommand(args: string[], io: Io): Promise<number> {
  const o = parseExploreArgs(args);
  const checked = loadScenario(o.file);
  for (const d of checked.diagnostics) io.err(printable(formatDiagnostic(d)));
  if (hasErrors(checked.diagnostics)) return 2;
  const program = checked.program;
  const text = checked.text;
  // A worker per CPU at most: more only cost memory (each holds its own search) and time.
  const cpus = maxWorkers();
  if (o.workers > cpus) {
    io.err(`sflow: --workers ${o.workers} is more than the ${cpus} CPU${cpus === 1 ? '' : 's'} here: using ${cpus}`);
    o.workers = cpus;
  }

  const started = Date.now();
  const search = searchOptions(program, o);
  const deadline = o.timeMs !== undefined ? started + o.timeMs : undefined;
  const progress = o.progress ? progressLine(started) : undefined;
  const result =
    o.workers > 1
      ? await exploreInWorkers(o.file, search, o.workers, deadline, progress)
      : explore(program, {
          ...search,
          shouldStop: deadline ? () => Date.now() >= deadline : undefined,
          onProgress: progress?.update,
        });
  progress?.done();
  const seconds = (Date.now() - started) / 1000;

  // Each path worth showing: a header, the path, and the replay file it is written to (named by its label).
  const shown: [header: string, cex: Counterexample, label: string, invariant?: string][] = [
    ...result.counterexamples.map((cex, i): [string, Counterexample, string] => [
      `counterexample ${i + 1}: ${cex.problems.join('; ')}`,
      cex,
      `cex${i + 1}`,
    ]),
    ...[...result.expectedSeen].map(([id, cex]): [string, Counterexample, string, string] => [
      `expected violation ${id} is reachable:`,
      cex,
      id,
      id,
    ]),
  ];
  const replays: ExploreResults['replays'] = [];
  for (const [header, cex, label, invariant] of shown) {
    io.out(`\n${printable(header)}`);
    printPath(io, program, o.seed, cex, search.skew ?? 0);
    const file = writeReplay(o, text, cex, label, search.skew ?? 0);
    io.out(`replay: ${printable(file)}`);
    replays.push({
      file: path.resolve(file),
      kind: invariant ? 'expected-violation' : 'counterexample',
      ...(invariant ? { invariant } : {}),
      problems: cex.problems,
      traceHash: cex.traceHash,
    });
  }

  const rate = seconds > 0 ? Math.round(result.states / seconds) : result.states;
  io.out(
    `\n-- explored ${fmt(result.states)} states (${fmt(result.transitions)} transitions, ${fmt(result.paths)} paths, ${fmt(result.revisits)} revisits, depth ${result.maxDepth}) in ${seconds.toFixed(2)} s, ${fmt(rate)} states/s; reduction ${result.reduction ? 'on' : 'off'}${search.skew ? `; skew ${formatTime(search.skew)}` : ''}${o.shard ? `; shard ${o.shard.index + 1}/${o.shard.count}` : ''}${o.workers > 1 ? `; ${o.workers} workers` : ''}`,
  );
  const bounds: string[] = [];
  if (result.stoppedBy === 'max-states') bounds.push('--max-states reached');
  if (result.stoppedBy === 'stop') bounds.push('--time ran out');
  if (result.depthLimited) bounds.push('paths deeper than --depth followed the default order');
  const missing = result.complete ? result.expectedMissing : [];
  const unknown = result.complete ? [] : result.expectedMissing;
  const failed = result.counterexamples.length > 0 || missing.length > 0;
  const verdict = failed
    ? `FAIL: ${[...(result.counterexamples.length ? [`${result.counterexamples.length} path${result.counterexamples.length === 1 ? '' : 's'} with a problem`] : []), ...missing.map((id) => `expected violation ${id} is on no path`)].join('; ')}`
    : result.complete
      ? result.expectedSeen.size
        ? `PASS: the expected violation${result.expectedSeen.size === 1 ? '' : 's'} ${[...result.expectedSeen.keys()].join(', ')} ${result.expectedSeen.size === 1 ? 'is' : 'are'} reachable, and no path${bounds.length ? ' within the bounds' : ''} breaks anything else`
        : `PASS: every path${bounds.length ? ' within the bounds' : ''} keeps every rule`
      : `PASS so far: no problem in what was explored${unknown.length ? `; expected violation ${unknown.join(', ')} not found yet` : ''}`;
  const extent = result.complete
    ? 'complete'
    : result.stoppedBy === 'first-problem'
      ? 'stopped at the first problem (--all looks for every one)'
      : 'incomplete';
  io.out(printable(`-- ${extent}${bounds.length ? ` (${bounds.join('; ')})` : ''}: ${verdict}`));
  const code = failed || (!result.complete && unknown.length > 0) ? 1 : 0;
  if (o.results) {
    const summary: ExploreResults = {
      format: RESULTS_FORMAT,
      scenario: path.resolve(o.file),
      result: code === 0 ? 'pass' : 'fail',
      exitCode: code,
      complete: result.complete,
      verdict,
      states: result.states,
      paths: result.paths,
      replays,
    };
    writeFile(o.results, JSON.stringify(summary, null, 2) + '\n');
  }
  return code;
}

/** Writes a file whole (a temporary file renamed over it, so a reader never sees half of it). */
function writeFile(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw new Error(`cannot write ${printable(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Replays a path and prints how it went: each decision that left the default order, then the events before where
 * explore stopped the path. The replay is checked (replay.ts): the line `path ends at T, trace H` gives the trace
 * hash the replay file records, and says so if the replay differs.
 */
function printPath(io: Io, program: Program, seed: number, cex: Counterexample, skew = 0, tail = 16): void {
  const recorded = new Set(cex.choices.map(([d]) => d));
  const decisions: string[] = [];
  let running: Unit | undefined;
  const check = new ReplayCheck({
    seed,
    skew,
    choices: cex.choices,
    checkpoints: cex.checkpoints,
    steps: cex.steps,
    traceHash: cex.traceHash,
    end: cex.end,
  });
  // The replay's scheduler, saying where a running unit's pick left the default order.
  const m = new Machine(program, {
    seed,
    scheduling: 'open',
    skew,
    scheduler: {
      pick(decision, count) {
        const pick = check.scheduler.pick(decision, count);
        if (running && recorded.has(decision))
          decisions.push(
            `  decision ${decision} at ${formatTime(m.state.now)}: ${describeUnit(m, running)} takes alternative ${pick + 1} of ${count}`,
          );
        return pick;
      },
    },
  });
  check.attach(m);
  // The last `tail` events, and how many came before them.
  const last: TraceEvent[] = [];
  let events = 0;
  m.onEvent((e) => {
    events++;
    last.push(e);
    if (last.length > tail) last.shift();
  });
  while (!check.atEnd(m) && !check.departed) {
    const unit = m.peek();
    if (!unit || check.departed) break;
    if (unit.decision && recorded.has(m.state.decisions))
      decisions.push(`  decision ${m.state.decisions} at ${formatTime(unit.time)}: ${describeUnit(m, unit)} first`);
    running = unit;
    m.execute(unit);
    running = undefined;
  }
  if (decisions.length) io.out(decisions.map(printable).join('\n'));
  const width = Math.max(4, ...program.vms.map((vm) => vm.name.length + 6));
  if (events > last.length) io.out(`  ... ${events - last.length} earlier events`);
  for (const e of last)
    io.out(printable(`${formatTime(e.t).padStart(16)}  ${eventSource(program, e).padEnd(width)}  ${describeEvent(e)}`));
  const report = check.finish(m);
  io.out(
    `  path ends at ${formatTime(m.state.now)}, trace ${m.traceHash()}${report.faithful ? '' : ` (explore saw ${cex.traceHash}: the replay differs: ${printable(report.message)})`}`,
  );
}

function describeUnit(m: Machine, unit: Unit): string {
  const program = m.program;
  if (unit.kind === 'vcpu')
    return `${m.vcpuName(unit.vm, unit.vcpu)} (line ${(program.vms[unit.vm].code[unit.pc]?.loc.line ?? -1) + 1})`;
  if (unit.window) {
    const loc = program.host.actions[unit.entry.index].loc;
    return `\`${sourceText(loc)}\` (line ${loc.line + 1}) fires`;
  }
  if (unit.entry.kind === 'vmm') return `${program.vms[unit.entry.vm].name}'s VMM, answering ${unit.entry.tag},`;
  return `host ${unit.entry.kind} ${unit.entry.tag}`;
}

function sourceText(loc: Loc): string {
  return loc.file.text.slice(loc.span.start, loc.span.end).trim();
}

function writeReplay(o: ExploreCliOptions, text: string, cex: Counterexample, label: string, skew: number): string {
  const replay: ReplayFile = {
    format: REPLAY_FORMAT,
    scenario: path.resolve(o.file),
    scenarioHash: scenarioHash(text),
    seed: o.seed,
    ...(skew ? { skew } : {}),
    choices: cex.choices,
    checkpoints: cex.checkpoints,
    problems: cex.problems,
    traceHash: cex.traceHash,
    time: cex.time,
    steps: cex.steps,
    events: cex.events,
    end: cex.end,
  };
  fs.mkdirSync(o.outDir, { recursive: true });
  const file = path.join(
    o.outDir,
    `${path.basename(o.file, '.sflow')}.${label}${o.shard ? `.shard${o.shard.index + 1}` : ''}.replay.json`,
  );
  fs.writeFileSync(file, JSON.stringify(replay, null, 2) + '\n');
  return file;
}

function progressLine(started: number) {
  let last = 0;
  return {
    update(p: ExploreProgress) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const rate = Math.round(p.states / Math.max(0.001, (now - started) / 1000));
      process.stderr.write(
        `\r  states ${fmt(p.states)}  ${fmt(rate)}/s  depth ${p.depth}  paths ${fmt(p.paths)}  problems ${p.problems}   `,
      );
    },
    done() {
      if (last) process.stderr.write('\n');
    },
  };
}

// ------------------------------------------------------------------------------------------ workers

export interface WorkerJob {
  kind: 'sflow-explore';
  file: string;
  options: ExploreOptions;
  deadline?: number;
}

interface WorkerReply {
  result: Omit<ExploreResult, 'expectedSeen'> & { expectedSeen: [string, Counterexample][] };
}

/** Runs in a worker thread: one shard of the search. */
export function runExploreJob(job: WorkerJob, onProgress?: (p: ExploreProgress) => void): WorkerReply {
  const checked = loadScenario(job.file);
  const deadline = job.deadline;
  const result = explore(checked.program, {
    ...job.options,
    onProgress,
    shouldStop: deadline ? () => Date.now() >= deadline : undefined,
  });
  return { result: { ...result, expectedSeen: [...result.expectedSeen] } };
}

/** K worker threads, each shard w of K within the shard the command line asked for; results merged. */
async function exploreInWorkers(
  file: string,
  search: ExploreOptions,
  workers: number,
  deadline: number | undefined,
  progress?: { update(p: ExploreProgress): void },
): Promise<ExploreResult> {
  const outer = search.shard ?? { index: 0, count: 1 };
  const count = outer.count * workers;
  const threads: Worker[] = [];
  const progressOf: ExploreProgress[] = [];
  const replies = await Promise.all(
    Array.from(
      { length: workers },
      (_, w) =>
        new Promise<WorkerReply>((resolve, reject) => {
          const job: WorkerJob = {
            kind: 'sflow-explore',
            file,
            options: { ...search, shard: { index: outer.index * workers + w, count } },
            deadline,
          };
          const worker = new Worker(__filename, { workerData: job });
          threads.push(worker);
          worker.on('message', (message: WorkerReply | { progress: ExploreProgress }) => {
            if ('progress' in message) {
              progressOf[w] = message.progress;
              const sum = progressOf.reduce(
                (a, p) => ({
                  states: a.states + p.states,
                  paths: a.paths + p.paths,
                  depth: Math.max(a.depth, p.depth),
                  problems: a.problems + p.problems,
                }),
                { states: 0, paths: 0, depth: 0, problems: 0 },
              );
              progress?.update(sum);
              return;
            }
            const reply = message;
            resolve(reply);
            // The first problem ends the search everywhere unless --all asked for every one.
            if (!search.all && reply.result.counterexamples.length)
              for (const t of threads) if (t !== worker) void t.terminate();
          });
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (code !== 0) resolve({ result: emptyResult(search) });
          });
        }),
    ),
  );
  return mergeResults(
    replies.map((r) => ({ ...r.result, expectedSeen: new Map(r.result.expectedSeen) })),
    search,
  );
}

function emptyResult(search: ExploreOptions): WorkerReply['result'] {
  return {
    states: 0,
    transitions: 0,
    paths: 0,
    revisits: 0,
    maxDepth: 0,
    complete: false,
    stoppedBy: 'stop',
    depthLimited: false,
    reduction: search.reduction ?? true,
    counterexamples: [],
    expectedSeen: [],
    expectedMissing: [],
  };
}

function mergeResults(results: ExploreResult[], search: ExploreOptions): ExploreResult {
  const merged: ExploreResult = {
    states: 0,
    transitions: 0,
    paths: 0,
    revisits: 0,
    maxDepth: 0,
    complete: true,
    depthLimited: false,
    reduction: results[0]?.reduction ?? search.reduction ?? true,
    counterexamples: [],
    expectedSeen: new Map(),
    expectedMissing: [],
  };
  const seenStates = new Set<number>();
  for (const r of results) {
    merged.states += r.states;
    merged.transitions += r.transitions;
    merged.paths += r.paths;
    merged.revisits += r.revisits;
    merged.maxDepth = Math.max(merged.maxDepth, r.maxDepth);
    merged.complete &&= r.complete;
    merged.depthLimited ||= r.depthLimited;
    if (r.stoppedBy && (!merged.stoppedBy || r.stoppedBy === 'first-problem')) merged.stoppedBy = r.stoppedBy;
    // Shards all walk the top of the tree, so the same short path can come back from several; and each deduplicates
    // states on its own, so two shards can reach the same problem state by different paths. One search reports each
    // problem state once: so does the merge.
    for (const c of r.counterexamples) {
      if (!seenStates.has(c.stateKey)) {
        seenStates.add(c.stateKey);
        merged.counterexamples.push(c);
      }
    }
    for (const [id, c] of r.expectedSeen) if (!merged.expectedSeen.has(id)) merged.expectedSeen.set(id, c);
  }
  if (merged.counterexamples.length && !search.all) merged.counterexamples.length = 1;
  const expectedIds = new Set(results.flatMap((r) => [...r.expectedMissing, ...r.expectedSeen.keys()]));
  merged.expectedMissing = [...expectedIds].filter((id) => !merged.expectedSeen.has(id));
  return merged;
}
