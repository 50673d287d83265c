// The sflow CLI as a user runs it: the bundled dist/cli.js in its own process. Shared by the CLI tests.

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli/main';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist/cli.js');

export interface Result {
  code: number;
  out: string;
  err: string;
}

export function sflow(args: string[], cwd = ROOT): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** The same CLI in this process (its `main` with an Io that collects the output): faster, no build needed. */
export async function sflowInProcess(args: string[]): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t + '\n'), err: (t) => err.push(t + '\n') });
  return { code, out: out.join(''), err: err.join('') };
}

/** A result for an assertion message. */
export const show = (r: Result) => `exit ${r.code}\n--- stdout\n${r.out}\n--- stderr\n${r.err}`;

/** Builds dist/ when a test runs without it (mocha alone, not `npm test`). */
export function ensureBuilt(): void {
  if (fs.existsSync(CLI)) return;
  const r = spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
}
