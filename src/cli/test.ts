// `sflow test [PATHS...] [--junit FILE]`: every scenario under PATHS as a regression test. A scenario that declares
// `explore` is explored within its bounds; any other is run once with seed 0. One line per scenario, a closing
// line `N passed, N failed`, JUnit XML for CI systems, exit 1 when anything failed.

import * as fs from 'fs';
import * as path from 'path';
import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { explore } from '../sim/explore/explorer';
import { Machine } from '../sim/machine';
import '../sim/reactions';
import { judge } from '../sim/verdict';
import { Io } from './io';
import { UsageError } from './errors';
import { loadScenario } from './load';
import { isScenarioName } from './files';
import { searchOptions } from './explore';
import { DEFAULT_MAX_SECONDS, DEFAULT_MAX_STEPS, runBounded } from './bounds';
import { printable } from './text';

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
  if (files.length === 0)
    throw new UsageError(`no .sflow scenarios under ${(paths.length ? paths : ['examples']).join(', ')}`);

  const outcomes = files.map(testOne);
  const width = Math.max(...outcomes.map((o) => printable(o.file).length));
  for (const o of outcomes) {
    io.out(`${o.ok ? 'PASS' : 'FAIL'}  ${printable(o.file).padEnd(width)}  ${printable(o.summary)}`);
    for (const d of o.ok ? [] : o.details) io.out(`        ${printable(d)}`);
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  io.out(`${outcomes.length - failed} passed, ${failed} failed`);
  if (junit) {
    fs.mkdirSync(path.dirname(path.resolve(junit)), { recursive: true });
    fs.writeFileSync(junit, junitXml(outcomes));
  }
  return failed ? 1 : 0;
}

/**
 * Files and directories (searched recursively) to .sflow files, sorted, each once. Symlinks are followed, but never
 * into a directory already being walked (a cycle) or already walked; a .sflow entry that cannot be read (a dangling
 * link, a device) is listed all the same, and fails as a test that cannot read its file.
 */
function scenarioFiles(paths: string[]): string[] {
  const found = new Set<string>();
  const walked = new Set<string>();
  const walk = (p: string, named: boolean) => {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(p);
    } catch {
      if (named) throw new UsageError(`no such file or directory: ${p}`);
    }
    if (stat?.isDirectory()) {
      // A directory is known by its device and inode: a link back to one on the way (or seen before) is skipped.
      const id = `${stat.dev}:${stat.ino}`;
      if (walked.has(id)) return;
      walked.add(id);
      let names: string[];
      try {
        names = fs.readdirSync(p).sort();
      } catch (e) {
        if (named)
          throw new UsageError(
            `cannot read the directory ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          );
        return;
      }
      for (const name of names) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        const child = path.join(p, name);
        if (isScenarioName(name)) found.add(child);
        else if (isDirectory(child)) walk(child, false);
      }
    } else found.add(p);
  };
  for (const p of paths) walk(p, true);
  return [...found].sort();
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function testOne(file: string): Outcome {
  const started = Date.now();
  const done = (ok: boolean, summary: string, details: string[] = []): Outcome => ({
    file,
    ok,
    summary,
    details,
    seconds: (Date.now() - started) / 1000,
  });
  let checked;
  try {
    checked = loadScenario(file);
  } catch (e) {
    return done(false, 'cannot read the file', [(e as Error).message]);
  }
  if (hasErrors(checked.diagnostics)) {
    const errors = checked.diagnostics.filter((d) => d.severity === 'error');
    return done(
      false,
      `${errors.length} error${errors.length === 1 ? '' : 's'} in the scenario`,
      errors.map(formatDiagnostic),
    );
  }
  const program = checked.program;
  if (program.explore) {
    const r = explore(program, searchOptions(program, { seed: 0, all: false, reduction: true }));
    const missing = r.complete ? r.expectedMissing : [];
    const bounded = r.stoppedBy === 'max-states' || r.stoppedBy === 'stop' || r.depthLimited;
    const stats = `explore: ${r.states.toLocaleString('en-US')} states, ${r.paths.toLocaleString('en-US')} paths${bounded ? ' (bounded)' : ''}`;
    if (r.counterexamples.length)
      return done(false, `${stats}: a path breaks a rule`, [
        ...r.counterexamples[0].problems,
        `(sflow explore ${file} writes it as a replay)`,
      ]);
    if (missing.length)
      return done(
        false,
        `${stats}: expected violation not reachable`,
        missing.map((id) => `expect violation ${id}: on no path`),
      );
    // As sflow explore judges it: a bounded search that has not reached an expected violation proves nothing either
    // way.
    if (!r.complete && r.expectedMissing.length) {
      return done(
        false,
        `${stats}: expected violation not found within the bounds`,
        r.expectedMissing.map(
          (id) =>
            `expect violation ${id}: not reached before the search stopped (raise max_states or until in the explore block)`,
        ),
      );
    }
    const shown = [...r.expectedSeen.keys()];
    return done(true, `${stats}${shown.length ? `, expected violation ${shown.join(', ')} reachable` : ''}`);
  }
  const m = new Machine(program, { seed: 0 });
  const verdict = judge(m, runBounded(m, { maxSteps: DEFAULT_MAX_STEPS, maxSeconds: DEFAULT_MAX_SECONDS }));
  const summary = verdict.summary.replace(/: (PASS|FAIL.*)$/, '');
  return done(
    verdict.ok,
    verdict.ok ? `run: ${summary}` : `run: FAIL: ${verdict.problems.join('; ')}`,
    verdict.problems,
  );
}

/** XML text, its lines kept: control characters in them as visible escapes (XML 1.0 allows none, even as references).
 * */
function xml(text: string): string {
  return text
    .split('\n')
    .map(printable)
    .join('\n')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: one testsuite, a testcase per scenario. */
function junitXml(outcomes: Outcome[]): string {
  const failures = outcomes.filter((o) => !o.ok).length;
  const total = outcomes.reduce((t, o) => t + o.seconds, 0);
  const cases = outcomes.map((o) => {
    const open = `    <testcase classname="sflow" name="${xml(printable(o.file))}" time="${o.seconds.toFixed(3)}"`;
    if (o.ok) return `${open}>\n      <system-out>${xml(printable(o.summary))}</system-out>\n    </testcase>`;
    return `${open}>\n      <failure message="${xml(printable(o.summary))}">${xml(o.details.map(printable).join('\n'))}</failure>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sflow test" tests="${outcomes.length}" failures="${failures}" time="${total.toFixed(3)}">\n  <testsuite name="sflow" tests="${outcomes.length}" failures="${failures}" errors="0" skipped="0" time="${total.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
