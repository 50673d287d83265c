// Worker threads for the in-process targets, with a watchdog: a case that runs longer than the hang limit (5 s) has
// its thread stopped and is recorded as a hang, and the thread's other cases go to a fresh worker. A thread that
// dies (out of memory, a native crash) fails its current case as a crash the same way.

import { Worker } from 'worker_threads';
import { Input } from './inputs';
import { caseSeed, Rng } from './rng';
import { Problem, TargetContext, TARGETS } from './targets';
import { FromWorker, ToWorker } from './worker';

export const HANG_MS = 5000;

export interface CaseResult {
  target: string;
  index: number;
  seed: number;
  ms: number;
  problems: Problem[];
  input?: Input;
}

const WORKER = require.resolve('./worker');
const TSX = require.resolve('tsx/cjs');

class Handle {
  readonly worker: Worker;
  ready: Promise<void>;
  current: { index: number; since: number } | undefined;
  listener: ((m: FromWorker) => void) | undefined;
  dead: ((why: string) => void) | undefined;

  constructor(context: TargetContext) {
    this.worker = new Worker(`require(${JSON.stringify(TSX)}); require(${JSON.stringify(WORKER)});`, {
      eval: true,
      workerData: context,
      // About the main thread's stack (984 KB), so recursion overflows where it would in the server or the CLI.
      resourceLimits: { stackSizeMb: 1, maxOldGenerationSizeMb: 2048 },
      stdout: true,
      stderr: true,
    });
    // What the code under test prints is not the campaign's output.
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.ready = new Promise((resolve, reject) => {
      const first = (m: FromWorker) => {
        if (m.type === 'ready') {
          this.worker.off('message', first);
          resolve();
        }
      };
      this.worker.on('message', first);
      this.worker.once('error', reject);
    });
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'begin') this.current = { index: m.index, since: Date.now() };
      else if (m.type === 'end') this.current = undefined;
      this.listener?.(m);
    });
    this.worker.on('error', (e) => this.dead?.(`${e.name}: ${e.message}`));
    this.worker.on('exit', (code) => this.dead?.(`the worker exited (code ${code})`));
  }
}

export class Pool {
  private handles: Handle[] = [];
  private evalId = 0;

  constructor(
    private readonly size: number,
    private readonly context: TargetContext,
    private readonly hangMs = HANG_MS,
  ) {}

  private async fresh(): Promise<Handle> {
    const h = new Handle(this.context);
    await h.ready;
    return h;
  }

  /** Runs cases 0..count-1 of a target; `onCase` hears each (hangs and dead workers included). */
  async run(
    target: string,
    campaign: number,
    count: number,
    onCase: (r: CaseResult) => void,
    chunk = 20,
  ): Promise<void> {
    const queue: [number, number][] = [];
    for (let from = 0; from < count; from += chunk) queue.push([from, Math.min(count, from + chunk)]);
    while (this.handles.length < this.size) this.handles.push(await this.fresh());

    const lost = (index: number, ms: number, why: string): CaseResult => {
      const seed = caseSeed(campaign, target, index);
      let input: Input | undefined;
      try {
        input = TARGETS[target].make(new Rng(seed), this.context);
      } catch {
        input = undefined;
      }
      return {
        target,
        index,
        seed,
        ms,
        input,
        problems: [
          why === 'hang'
            ? { kind: 'hang', message: `no answer within ${this.hangMs} ms` }
            : { kind: 'crash', message: why },
        ],
      };
    };

    const drive = async (slot: number): Promise<void> => {
      for (;;) {
        const next = queue.shift();
        if (!next) return;
        const [from, to] = next;
        let h = this.handles[slot];
        const outcome = await new Promise<{ stoppedAt?: number; why?: string }>((resolve) => {
          let finished = false;
          const end = (r: { stoppedAt?: number; why?: string }) => {
            if (finished) return;
            finished = true;
            clearInterval(watch);
            h.listener = undefined;
            h.dead = undefined;
            resolve(r);
          };
          const watch = setInterval(() => {
            if (h.current && Date.now() - h.current.since > this.hangMs)
              end({ stoppedAt: h.current.index, why: 'hang' });
          }, 100);
          h.listener = (m) => {
            if (m.type === 'end')
              onCase({ target, index: m.index, seed: m.seed, ms: m.ms, problems: m.problems, input: m.input });
            else if (m.type === 'done') end({});
          };
          h.dead = (why) => end({ stoppedAt: h.current?.index ?? from, why });
          h.worker.postMessage({ type: 'run', target, campaign, from, to } satisfies ToWorker);
        });
        if (outcome.stoppedAt === undefined) continue;
        const since = h.current?.since ?? Date.now();
        await h.worker.terminate().catch(() => undefined);
        onCase(lost(outcome.stoppedAt, Date.now() - since, outcome.why!));
        if (outcome.stoppedAt + 1 < to) queue.unshift([outcome.stoppedAt + 1, to]);
        h = this.handles[slot] = await this.fresh();
      }
    };
    await Promise.all(this.handles.map((_, slot) => drive(slot)));
  }

  /** Runs one input in a worker; `timeout` when it takes longer than `timeoutMs` (the worker is replaced). */
  async evaluate(
    target: string,
    input: Input,
    runSeed: number,
    timeoutMs = this.hangMs,
  ): Promise<{ ms: number; problems: Problem[] } | { timeout: true }> {
    if (!this.handles.length) this.handles.push(await this.fresh());
    const h = this.handles[0];
    const id = ++this.evalId;
    const result = await new Promise<{ ms: number; problems: Problem[] } | { timeout: true } | { dead: string }>(
      (resolve) => {
        const timer = setTimeout(() => resolve({ timeout: true }), timeoutMs);
        h.listener = (m) => {
          if (m.type === 'evaluated' && m.id === id) {
            clearTimeout(timer);
            resolve({ ms: m.ms, problems: m.problems });
          }
        };
        h.dead = (why) => {
          clearTimeout(timer);
          resolve({ dead: why });
        };
        h.worker.postMessage({ type: 'eval', id, target, input, runSeed } satisfies ToWorker);
      },
    );
    h.listener = undefined;
    h.dead = undefined;
    if ('ms' in result) return result;
    await h.worker.terminate().catch(() => undefined);
    this.handles[0] = await this.fresh();
    return 'dead' in result ? { ms: 0, problems: [{ kind: 'crash', message: result.dead }] } : result;
  }

  async close(): Promise<void> {
    for (const h of this.handles.splice(0)) {
      h.dead = undefined;
      await h.worker.terminate().catch(() => undefined);
    }
  }
}
