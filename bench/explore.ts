// Explore's figures (issue 6's aims: over 100,000 distinct states per second on one core; the partial-order
// reduction visiting at least 5 times fewer states than the plain search on a scenario with two VMs, four vCPUs
// and two windows, with the same verdict).

import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { check } from '../src/lang/checker';
import { formatDiagnostic, hasErrors } from '../src/lang/diagnostics';
import { preludeFiles } from '../src/lang/prelude';
import { SourceFile } from '../src/lang/source';
import { explore, ExploreResult } from '../src/sim/explore/explorer';

const ROOT = path.resolve(__dirname, '..');

export interface ExploreFigures {
  reduced: { states: number; ms: number; rate: number; verdict: string };
  plain: { states: number; ms: number; rate: number; verdict: string };
}

function verdictOf(r: ExploreResult): string {
  return `${r.complete ? 'complete' : 'incomplete'}, ${r.counterexamples.length ? 'FAIL' : 'PASS'}`;
}

/** `bench/explore.sflow` (isolated guests) or `bench/explore-host.sflow` (the same guests tied to the host). */
export function exploreBench(name = 'explore.sflow'): ExploreFigures {
  const file = path.join(ROOT, 'bench', name);
  const checked = check([new SourceFile(file, fs.readFileSync(file, 'utf8')), ...preludeFiles()]);
  if (hasErrors(checked.diagnostics)) throw new Error(checked.diagnostics.map(formatDiagnostic).join('\n'));
  const measure = (reduction: boolean) => {
    explore(checked.program, { reduction, all: true }); // warm-up: the figures are for compiled code
    const t0 = performance.now();
    const r = explore(checked.program, { reduction, all: true });
    const ms = performance.now() - t0;
    return { states: r.states, ms, rate: r.states / (ms / 1000), verdict: verdictOf(r) };
  };
  return { reduced: measure(true), plain: measure(false) };
}
