// Shared test helpers: compile a scenario from text and run it through the real checker and simulator.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { check, CheckResult } from '../src/lang/checker';
import { formatDiagnostic, hasErrors } from '../src/lang/diagnostics';
import { SourceFile } from '../src/lang/source';
import { preludeFiles } from '../src/lang/prelude';
import { Machine, MachineOptions, RunLimits, StopReason } from '../src/sim/machine';
import '../src/sim/reactions';
import { TraceEvent } from '../src/sim/trace';
import { explore, ExploreOptions } from '../src/sim/explore/explorer';
import { stateKey } from '../src/sim/explore/state-hash';
import { Program } from '../src/lang/program';

export function checkSource(text: string, path = 'test.sflow'): CheckResult {
  return check([new SourceFile(path, text), ...preludeFiles()]);
}

/** Diagnostics as `line:col severity message` (1-based), easy to assert on. */
export function diagnosticLines(text: string): string[] {
  return checkSource(text).diagnostics.map((d) => {
    const p = d.file.position(d.span.start);
    return `${p.line + 1}:${p.character + 1} ${d.severity} ${d.message}`;
  });
}

export function compile(text: string) {
  const result = checkSource(text);
  if (hasErrors(result.diagnostics))
    assert.fail('scenario has errors:\n' + result.diagnostics.map(formatDiagnostic).join('\n'));
  return result.program;
}

export interface RunResult {
  machine: Machine;
  events: TraceEvent[];
  stop: StopReason;
  /** expectation failure messages */
  failures: string[];
  logs: string[];
}

export function run(text: string, options: MachineOptions & RunLimits = {}): RunResult {
  const machine = new Machine(compile(text), options);
  const events: TraceEvent[] = [];
  machine.onEvent((e) => events.push(e));
  const stop = machine.run({ untilTime: options.untilTime, maxSteps: options.maxSteps ?? 1_000_000 });
  return {
    machine,
    events,
    stop,
    failures: events
      .filter((e): e is TraceEvent & { kind: 'expect.fail' } => e.kind === 'expect.fail')
      .map((e) => e.message),
    logs: events.filter((e): e is TraceEvent & { kind: 'log' } => e.kind === 'log').map((e) => e.text),
  };
}

/** Runs a scenario and asserts it finished with every expectation met, no fault and no hang. */
export function runGreen(text: string, options: MachineOptions & RunLimits = {}): RunResult {
  const r = run(text, options);
  assert.deepStrictEqual(r.failures, [], 'expectations failed');
  const faults = r.events.filter((e) => e.kind === 'fault');
  assert.deepStrictEqual(faults, [], 'a vCPU faulted');
  assert.deepStrictEqual(r.stop, { kind: 'outcome', outcome: { kind: 'finished' } });
  return r;
}

export function eventsOf<K extends TraceEvent['kind']>(events: TraceEvent[], kind: K): (TraceEvent & { kind: K })[] {
  return events.filter((e): e is TraceEvent & { kind: K } => e.kind === kind);
}

/** A scenario from test/fixtures, shared by the tests of several layers. */
export function fixture(name: string): string {
  return fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
}

/** A small deterministic generator (xorshift32) for randomised tests: `next(n)` is in 0..n-1; a seed replays a run. */
export function seededRandom(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

/**
 * The states every path of a search ends in without a problem, as keys, and the problems it found. (A path ends
 * at its first problem, so the state it ends in depends on which units at that instant happened to run before the
 * failing one: two searches can end such paths in different states and still find the same problems.)
 */
export function exploreOutcomes(program: Program, options: ExploreOptions) {
  const ends = new Set<number>();
  const clean = (m: Machine) =>
    m.state.expectFailures === 0 &&
    m.state.violations.length === 0 &&
    !m.state.vms.some((vm) => vm.vcpus.some((v) => v.run === 'faulted'));
  const r = explore(program, { all: true, ...options, onPathEnd: (m) => clean(m) && ends.add(stateKey(m.state)) });
  return { r, ends, problems: new Set(r.counterexamples.map((c) => c.problems.join('; '))) };
}
