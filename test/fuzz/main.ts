// `npm run fuzz`: a full campaign (about 100,000 in-process cases, a few thousand protocol messages, a few hundred
// replays through the CLI) and its table; or one case again.
//
//   npm run fuzz                                  the full campaign, seed 1
//   npm run fuzz -- --seed 7 --scale 0.1          another seed, a tenth of the cases
//   npm run fuzz -- --only checker,formatter      some targets only
//   npm run fuzz -- --rerun checker:123456789     one case (the seed the report prints): its input and problems
//   npm run fuzz -- --json findings.json          the findings as JSON too
//
// Exit code: 0 no finding outside the known-failing categories (test/fuzz/known.ts), 1 otherwise.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CampaignOptions, report, runCampaign, showText } from './campaign';
import { KNOWN_FAILING } from './known';
import { dapSession } from './protocol-dap';
import { lspSession } from './protocol-lsp';
import { replayCliCase } from './replay-cli';
import { tempDir, writeReplays } from './replays';
import { Rng } from './rng';
import { TARGETS } from './targets';
import { runOne, runSeedOf } from './worker';

const ROOT = path.resolve(__dirname, '../..');

export const FULL: Omit<CampaignOptions, 'seed' | 'workers'> = {
  cases: { checker: 35_000, formatter: 25_000, 'lsp-features': 20_000, simulator: 15_000, replay: 5_000 },
  dap: { sessions: 20, messages: 100 },
  lsp: { sessions: 15, messages: 150 },
  replayCli: 200,
  shrink: { evaluations: 400, ms: 30_000 },
};

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = 'true';
    else out[a.slice(2)] = argv[++i];
  }
  return out;
}

function build(): void {
  try {
    execFileSync(process.execPath, ['build.mjs'], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'debugAdapter.js'))) throw e;
    console.warn(
      `node build.mjs failed; fuzzing the existing dist/:\n${String((e as { stderr?: unknown }).stderr ?? e).slice(0, 2000)}`,
    );
  }
}

async function rerun(spec: string): Promise<number> {
  const [target, seedText] = spec.split(':');
  const seed = Number(seedText);
  if (target === 'dap' || target === 'lsp') {
    const r =
      target === 'dap' ? await dapSession(seed, FULL.dap.messages, 0) : await lspSession(seed, FULL.lsp.messages, 0);
    console.log(`${target} session ${seed}: ${r.messages} messages, ${r.findings.length} findings`);
    for (const f of r.findings) console.log(`- ${f.kind}: ${f.message}\n  sent: ${f.sent}`);
    return r.findings.length ? 1 : 0;
  }
  const dir = tempDir('sflow-fuzz-');
  const replays = target === 'replay' || target === 'replay-cli' ? writeReplays(dir) : [];
  if (target === 'replay-cli') {
    const r = await replayCliCase(seed, 0, replays, dir);
    console.log(
      `outcome: ${r.outcome}; the file ${r.samePath === undefined ? 'names no recorded path' : r.samePath ? 'still follows the recorded path' : 'departs from the recorded path'}`,
    );
    for (const f of r.findings) console.log(`- ${f.kind}: ${f.message}\n  sent: ${f.sent}`);
    return r.findings.length ? 1 : 0;
  }
  if (!TARGETS[target])
    throw new Error(`no target '${target}': ${[...Object.keys(TARGETS), 'dap', 'lsp', 'replay-cli'].join(', ')}`);
  const input = TARGETS[target].make(new Rng(seed), { replays });
  console.log(
    `recipe: ${input.recipe.join(' + ')}\ninput (${input.text.length} characters): ${showText(input.text, 4000)}`,
  );
  if (input.before !== undefined) console.log(`before the edit: ${showText(input.before, 2000)}`);
  const t0 = performance.now();
  const problems = runOne(target, input, runSeedOf(seed), { replays });
  const ms = performance.now() - t0;
  if (ms > 5000) problems.push({ kind: 'hang', message: `took ${ms.toFixed(0)} ms (the limit is 5000)` });
  console.log(`${ms.toFixed(0)} ms, ${problems.length} problems`);
  for (const p of problems) console.log(`- ${p.kind}: ${p.message}`);
  return problems.length ? 1 : 0;
}

async function main(): Promise<number> {
  const a = args(process.argv.slice(2));
  build();
  if (a.rerun) return rerun(a.rerun);
  const seed = Number(a.seed ?? 1);
  const scale = Number(a.scale ?? 1);
  const only = a.only ? new Set(a.only.split(',')) : undefined;
  const use = (name: string, n: number) =>
    only && !only.has(name) ? 0 : Math.max(only?.has(name) || scale >= 1 ? 1 : 0, Math.round(n * scale));
  const options: CampaignOptions = {
    seed,
    workers: Number(a.workers ?? 2),
    cases: Object.fromEntries(Object.entries(FULL.cases).map(([t, n]) => [t, use(t, n!)])),
    dap: { sessions: use('dap', FULL.dap.sessions), messages: FULL.dap.messages },
    lsp: { sessions: use('lsp', FULL.lsp.sessions), messages: FULL.lsp.messages },
    replayCli: use('replay-cli', FULL.replayCli),
    shrink: a['no-shrink'] ? undefined : FULL.shrink,
    log: (line) => console.log(line),
  };
  console.log(
    `fuzz campaign, seed ${seed}: ${Object.entries(options.cases)
      .map(([t, n]) => `${t} ${n}`)
      .join(
        ', ',
      )}; dap ${options.dap.sessions}×${options.dap.messages}; lsp ${options.lsp.sessions}×${options.lsp.messages}; replay-cli ${options.replayCli}`,
  );
  const result = await runCampaign(options);
  console.log('\n' + report(result, { seed }));
  if (a.json) fs.writeFileSync(a.json, JSON.stringify(result, null, 2));
  const fresh = result.findings.filter((f) => !f.category || !KNOWN_FAILING.includes(f.category));
  console.log(`\n${fresh.length} findings outside the known-failing categories (${KNOWN_FAILING.join(', ')})`);
  return fresh.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
