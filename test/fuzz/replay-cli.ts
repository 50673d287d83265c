// Tampered replay files through the built CLI: `sflow run --replay FILE` must exit 0, 1 or 2 with its verdict or a
// message, within the hang limit, never with a stack trace or JavaScript's messages; and a replay whose path was
// edited should be reported as one that departs from its recording (once the CLI checks that), never followed
// silently. The outcome of each case is counted: rejected (exit 2), departed, faithful, or nothing said.

import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { check } from '../../src/lang/checker';
import { hasErrors } from '../../src/lang/diagnostics';
import { preludeFiles } from '../../src/lang/prelude';
import { SourceFile } from '../../src/lang/source';
import { parseReplay, replayMachine } from '../../src/sim/explore/replay';
import { ProtocolFinding } from './protocol-lsp';
import { CLI, tamperedReplay } from './replays';
import { Rng } from './rng';
import { INTERNAL_TEXT } from './targets';

const HANG_MS = 5000;

export type ReplayOutcome = 'rejected' | 'departed' | 'faithful' | 'unstated' | 'failed';

export interface ReplayCliResult {
  findings: ProtocolFinding[];
  outcome: ReplayOutcome;
  /** whether the tampered file still describes the recorded path (undefined: it names another scenario, or is not read)
   * */
  samePath: boolean | undefined;
}

/**
 * The truth the CLI's answer is judged by: does the tampered file's path (seed, choices, skew, followed unchecked
 * in-process) reach the original recording's trace hash after the original's units, and does it record the same
 * end? Undefined when the file does not parse, names another scenario, or the original records no end.
 */
export function describesRecordedPath(original: string, tampered: string): boolean | undefined {
  const a = parseReplay(original);
  const b = parseReplay(tampered.replace(/^\ufeff/, ''));
  if ('error' in a || 'error' in b || a.scenario !== b.scenario || !fs.existsSync(a.scenario)) return undefined;
  const steps = (a as { steps?: number }).steps;
  if (steps === undefined) return undefined;
  const result = check([new SourceFile(a.scenario, fs.readFileSync(a.scenario, 'utf8')), ...preludeFiles()]);
  if (hasErrors(result.diagnostics)) return undefined;
  const machine = replayMachine(result.program, b);
  machine.run({ maxSteps: steps });
  const sameEnd = (b as { steps?: number }).steps === steps && b.traceHash === a.traceHash;
  return sameEnd && machine.state.steps === steps && machine.traceHash() === a.traceHash;
}

function run(
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; signal: string | null; out: string; err: string; ms: number; killed: boolean }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d) => {
      if (out.length < 1 << 20) out += String(d);
    });
    child.stderr.on('data', (d) => {
      if (err.length < 1 << 20) err += String(d);
    });
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, ms: Date.now() - t0, killed });
    });
  });
}

export async function replayCliCase(
  seed: number,
  index: number,
  replays: { file: string; text: string }[],
  dir: string,
): Promise<ReplayCliResult> {
  const rng = new Rng(seed);
  const input = tamperedReplay(rng, replays);
  const file = path.join(dir, `case-${index}.replay.json`);
  fs.writeFileSync(file, input.text);
  const sent = `sflow run --replay (${input.recipe.join(', ')}): ${input.text.slice(0, 300)}`;
  const findings: ProtocolFinding[] = [];
  const find = (kind: ProtocolFinding['kind'], message: string) =>
    findings.push({ kind, message, sent, session: index });
  const r = await run(['run', '--replay', file, '--max-steps', '2000000'], dir, HANG_MS * 2);
  fs.rmSync(file, { force: true });
  let outcome: ReplayOutcome = 'unstated';
  if (r.killed) find('hang', `sflow run --replay did not exit within ${HANG_MS * 2} ms (killed)`);
  else if (r.ms > HANG_MS) find('hang', `sflow run --replay took ${r.ms} ms`);
  else if (r.code === null || ![0, 1, 2].includes(r.code))
    find('crash', `exit ${r.code ?? r.signal}: ${r.err.split('\n').slice(0, 3).join(' | ').slice(0, 300)}`);
  const m = INTERNAL_TEXT.exec(r.err) ?? INTERNAL_TEXT.exec(r.out);
  if (m)
    find('internal', `the output has '${m[0]}': ${(r.err || r.out).slice(Math.max(0, m.index - 100), m.index + 200)}`);
  if (r.code === 2) {
    outcome = 'rejected';
    const lines = r.err.trim().split('\n').filter(Boolean);
    if (!lines.length) find('invariant', 'exit 2 without a message');
    else if (lines.some((l) => l.length > 2000))
      find('invariant', `a message line of ${Math.max(...lines.map((l) => l.length))} characters`);
  } else if (r.code === 0 || r.code === 1) {
    const all = r.out + r.err;
    if (/depart|not the recorded path|differs from (?:its|the) recording|unfaithful/i.test(all)) outcome = 'departed';
    else if (/follows its recording|as recorded/i.test(all)) outcome = 'faithful';
  } else outcome = 'failed';
  // Judged against the truth: a replay that departs must never be called faithful, nor one that follows its path
  // departed.
  let samePath: boolean | undefined;
  try {
    samePath = input.base !== undefined ? describesRecordedPath(input.base, input.text) : undefined;
  } catch {
    samePath = undefined;
  }
  if (samePath === false && outcome === 'faithful')
    find(
      'invariant',
      'a replay whose path was edited (it departs from the recording) is reported as following its recording',
    );
  if (samePath === false && outcome === 'unstated')
    find('invariant', 'a replay whose path was edited (it departs from the recording) is run without a word about it');
  if (samePath === true && outcome === 'departed')
    find('invariant', 'a replay that still follows its recording is reported as departing');
  return { findings, outcome, samePath };
}
