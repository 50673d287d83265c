// A fuzz worker thread: runs cases of the in-process targets (targets.ts) as the pool (pool.ts) asks, saying when
// each begins so that the pool can tell a hang from a slow batch and stop the thread, and evaluates single inputs
// for shrinking. Runs with a stack of about the main thread's size, so deep nesting overflows where it would in
// the language server or the CLI.

import { parentPort, workerData } from 'worker_threads';
import { caseSeed, Rng } from './rng';
import { Problem, TargetContext, TARGETS } from './targets';
import { Input } from './inputs';

export type ToWorker =
  | { type: 'run'; target: string; campaign: number; from: number; to: number }
  | { type: 'eval'; id: number; target: string; input: Input; runSeed: number };

export interface CaseDone {
  type: 'end';
  index: number;
  ms: number;
  problems: Problem[];
  /** the input, when there is a problem (for the report and shrinking) */
  input?: Input;
  seed: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'begin'; index: number }
  | CaseDone
  | { type: 'done' }
  | { type: 'evaluated'; id: number; ms: number; problems: Problem[] };

/** The seed of the Rng a target's `run` gets, from the case's seed. */
export const runSeedOf = (seed: number) => (seed ^ 0x5bd1e995) >>> 0;

/** A thrown value as a crash: its name and message, and where it was thrown (the first frame in our code). */
export function crash(e: unknown): Problem {
  if (!(e instanceof Error)) return { kind: 'crash', message: `threw ${String(e).slice(0, 200)}` };
  const frame =
    (e.stack ?? '')
      .split('\n')
      .find((l) => /^\s+at /.test(l) && /src[\\/]/.test(l))
      ?.trim()
      .replace(/\(.*[\\/](src[\\/][^)]*)\)/, '($1)') ?? '';
  return { kind: 'crash', message: `${e.name}: ${e.message.slice(0, 300)}${frame ? ` ${frame}` : ''}` };
}

export function runOne(target: string, input: Input, runSeed: number, context: TargetContext): Problem[] {
  try {
    return TARGETS[target].run(input, new Rng(runSeed), context);
  } catch (e) {
    return [crash(e)];
  }
}

if (parentPort) {
  const port = parentPort;
  const context = (workerData ?? { replays: [] }) as TargetContext;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'eval') {
      const t0 = performance.now();
      const problems = runOne(m.target, m.input, m.runSeed, context);
      port.postMessage({ type: 'evaluated', id: m.id, ms: performance.now() - t0, problems } satisfies FromWorker);
      return;
    }
    const target = TARGETS[m.target];
    for (let index = m.from; index < m.to; index++) {
      port.postMessage({ type: 'begin', index } satisfies FromWorker);
      const seed = caseSeed(m.campaign, m.target, index);
      const t0 = performance.now();
      let input: Input | undefined;
      let problems: Problem[];
      try {
        input = target.make(new Rng(seed), context);
        problems = runOne(m.target, input, runSeedOf(seed), context);
      } catch (e) {
        problems = [crash(e)];
      }
      const ms = performance.now() - t0;
      port.postMessage({
        type: 'end',
        index,
        ms,
        problems,
        seed,
        input: problems.length ? input : undefined,
      } satisfies FromWorker);
    }
    port.postMessage({ type: 'done' } satisfies FromWorker);
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}
