// `sflow test [PATHS...] [--junit FILE]`: every scenario under PATHS as a regression test. A scenario that declares
// `explore` is explored within its bounds; any other is run once with seed 0. One line per scenario, a closing
// line `N passed, N failed`, JUnit XML for CI systems, exit 1 when anything failed.

import * as fs from 'fs';
import * as path from 'path';
import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { explore } from '../sim/explore/explorer';
import { Machine } from '../sim/machine';
import { judge } from '../sim/verdict';
import { Io, UsageError } from './main';
import { loadScenario } from './load';
import { searchOptions } from './explore';
import { DEFAULT_MAX_STEPS } from './run';

interface Outcome {
  file: string;
  ok: boolean;
  /** how it was checked and the result, one line */
  summary: string;
  /** for a failure: the details (diagnostics, problems) */
  details: string[];
  seconds: number;
}

export async function testCommand(args: string[], io: Io): Promise<number> {
  const paths: string[] = [];
  let junit: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--junit' || a.startsWith('--junit=')) {
      junit = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (!junit) throw new UsageError('--junit needs a file name');
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else paths.push(a);
  }
  const files = scenarioFiles(paths.length ? paths : ['examples']);
  if (files.length === 0) throw new UsageError(`no .sflow scenarios under ${(paths.length ? paths : ['examples']).join(', ')}`);

  const outcomes = files.map(testOne);
  const width = Math.max(...outcomes.map((o) => o.file.length));
  for (const o of outcomes) {
    io.out(`${o.ok ? 'PASS' : 'FAIL'}  ${o.file.padEnd(width)}  ${o.summary}`);
    for (const d of o.ok ? [] : o.details) io.out(`        ${d}`);
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  io.out(`${outcomes.length - failed} passed, ${failed} failed`);
  if (junit) {
    fs.mkdirSync(path.dirname(path.resolve(junit)), { recursive: true });
    fs.writeFileSync(junit, junitXml(outcomes));
  }
  return failed ? 1 : 0;
}

/** Files and directories (searched recursively) to .sflow files, sorted, each once. */
export function scenarioFiles(paths: string[]): string[] {
  const found = new Set<string>();
  const walk = (p: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        const child = path.join(p, name);
        if (fs.statSync(child).isDirectory() || name.endsWith('.sflow')) walk(child);
      }
    } else found.add(p);
  };
  for (const p of paths) walk(p);
  return [...found].sort();
}

function testOne(file: string): Outcome {
  const started = Date.now();
  const done = (ok: boolean, summary: string, details: string[] = []): Outcome => ({ file, ok, summary, details, seconds: (Date.now() - started) / 1000 });
  let checked;
  try {
    checked = loadScenario(file);
  } catch (e) {
    return done(false, 'cannot read the file', [(e as Error).message]);
  }
  if (hasErrors(checked.diagnostics)) {
    const errors = checked.diagnostics.filter((d) => d.severity === 'error');
    return done(false, `${errors.length} error${errors.length === 1 ? '' : 's'} in the scenario`, errors.map(formatDiagnostic));
  }
  const program = checked.program;
  if (program.explore) {
    const r = explore(program, searchOptions(program, { seed: 0, all: false, reduction: true }));
    const missing = r.complete ? r.expectedMissing : [];
    const bounded = r.stoppedBy === 'max-states' || r.stoppedBy === 'stop' || r.depthLimited;
    const stats = `explore: ${r.states.toLocaleString('en-US')} states, ${r.paths.toLocaleString('en-US')} paths${bounded ? ' (bounded)' : ''}`;
    if (r.counterexamples.length) return done(false, `${stats}: a path breaks a rule`, [...r.counterexamples[0].problems, `(sflow explore ${file} writes it as a replay)`]);
    if (missing.length) return done(false, `${stats}: expected violation not reachable`, missing.map((id) => `expect violation ${id}: on no path`));
    // As sflow explore judges it: a bounded search that has not reached an expected violation proves nothing either way.
    if (!r.complete && r.expectedMissing.length) {
      return done(false, `${stats}: expected violation not found within the bounds`, r.expectedMissing.map((id) => `expect violation ${id}: not reached before the search stopped (raise max_states or until in the explore block)`));
    }
    const shown = [...r.expectedSeen.keys()];
    return done(true, `${stats}${shown.length ? `, expected violation ${shown.join(', ')} reachable` : ''}`);
  }
  const m = new Machine(program, { seed: 0 });
  const verdict = judge(m, m.run({ maxSteps: DEFAULT_MAX_STEPS }));
  const summary = verdict.summary.replace(/: (PASS|FAIL.*)$/, '');
  return done(verdict.ok, verdict.ok ? `run: ${summary}` : `run: FAIL: ${verdict.problems.join('; ')}`, verdict.problems);
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: one testsuite, a testcase per scenario. */
export function junitXml(outcomes: Outcome[]): string {
  const failures = outcomes.filter((o) => !o.ok).length;
  const total = outcomes.reduce((t, o) => t + o.seconds, 0);
  const cases = outcomes.map((o) => {
    const open = `    <testcase classname="sflow" name="${xml(o.file)}" time="${o.seconds.toFixed(3)}"`;
    if (o.ok) return `${open}>\n      <system-out>${xml(o.summary)}</system-out>\n    </testcase>`;
    return `${open}>\n      <failure message="${xml(o.summary)}">${xml(o.details.join('\n'))}</failure>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sflow test" tests="${outcomes.length}" failures="${failures}" time="${total.toFixed(3)}">\n  <testsuite name="sflow" tests="${outcomes.length}" failures="${failures}" errors="0" skipped="0" time="${total.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
