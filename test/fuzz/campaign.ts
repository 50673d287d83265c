// A fuzz campaign: the in-process targets in worker threads (pool.ts), then DAP and LSP sessions against the real
// processes, then tampered replays through the CLI. Problems are grouped by signature (the target, the kind, the
// message with its numbers and quoted text taken out); the first case of each group is shrunk (shrink.ts) and
// classified (known.ts). The result is a table of figures and the list of distinct findings.

import { Input } from './inputs';
import { categorize } from './known';
import { HANG_MS, Pool } from './pool';
import { dapSession } from './protocol-dap';
import { lspSession, ProtocolFinding } from './protocol-lsp';
import { replayCliCase, ReplayOutcome } from './replay-cli';
import { tempDir, writeReplays } from './replays';
import { caseSeed } from './rng';
import { shrink } from './shrink';
import { Kind, Problem, TargetContext, TARGETS } from './targets';
import { runSeedOf } from './worker';

export interface CampaignOptions {
  seed: number;
  /** in-process cases per target */
  cases: Partial<Record<string, number>>;
  dap: { sessions: number; messages: number };
  lsp: { sessions: number; messages: number };
  replayCli: number;
  workers: number;
  /** shrink the first case of each finding (within this budget per finding) */
  shrink?: { evaluations: number; ms: number };
  log?: (line: string) => void;
  /** a server bundle for the LSP sessions (default: test/server/client.ts bundles src/server/main.ts) */
  serverPath?: string;
}

export interface Row {
  target: string;
  cases: number;
  /** protocol targets: messages sent */
  messages?: number;
  crashes: number;
  hangs: number;
  internal: number;
  invariant: number;
  maxMs: number;
  totalMs: number;
}

export interface Finding {
  target: string;
  kind: Kind;
  signature: string;
  message: string;
  count: number;
  /** how to rerun it: the case's seed (in-process targets and replays), or the session's */
  seed: number;
  index: number;
  input?: Input;
  shrunk?: Input;
  /** protocol targets: what was sent */
  sent?: string;
  category?: string;
  ms?: number;
}

export interface CampaignResult {
  rows: Row[];
  findings: Finding[];
  /** replay-cli: the CLI's answers, by whether the tampered file still describes the recorded path */
  replayOutcomes: Record<'departs' | 'follows' | 'unknown', Partial<Record<ReplayOutcome, number>>>;
  /** cases slower than the hang limit once that were not when run again (a busy machine) */
  unconfirmed: string[];
  seconds: number;
}

/** The message with what varies from case to case taken out. */
export function signatureOf(target: string, p: { kind: Kind; message: string }, input?: Input): string {
  let m = p.message
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '…')
    .replace(/\b0x[0-9a-f]+\b/gi, '#')
    .replace(/\d+(\.\d+)?/g, '#')
    .replace(/ at [\w.<>]+ \(src/, (s) => s);
  if (p.kind === 'hang')
    m += ` [${
      (input?.recipe ?? [])
        .filter((r) => /long|deep|nesting|whitespace|padding|json/.test(r))
        .sort()
        .join('+') || 'other'
    }]`;
  return `${target}|${p.kind}|${m.slice(0, 220)}`;
}

const emptyRow = (target: string): Row => ({
  target,
  cases: 0,
  crashes: 0,
  hangs: 0,
  internal: 0,
  invariant: 0,
  maxMs: 0,
  totalMs: 0,
});

function count(row: Row, problems: { kind: Kind }[]): void {
  const kinds = new Set(problems.map((p) => p.kind));
  if (kinds.has('crash')) row.crashes++;
  if (kinds.has('hang')) row.hangs++;
  if (kinds.has('internal')) row.internal++;
  if (kinds.has('invariant')) row.invariant++;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const rows: Row[] = [];
  const findings = new Map<string, Finding>();
  const unconfirmed: string[] = [];
  const note = (f: Omit<Finding, 'count' | 'signature'>, input?: Input) => {
    const signature = signatureOf(f.target, f, input);
    const known = findings.get(signature);
    if (known) known.count++;
    else findings.set(signature, { ...f, signature, count: 1 });
  };

  // Replay files for the replay targets.
  const dir = tempDir('sflow-fuzz-');
  const replays = options.cases.replay || options.replayCli ? writeReplays(dir) : [];
  if ((options.cases.replay || options.replayCli) && !replays.length)
    log('warning: sflow explore wrote no replay file (is dist/cli.js built?)');
  const context: TargetContext = { replays };

  // In-process targets.
  const pool = new Pool(options.workers, context);
  try {
    for (const [target, n] of Object.entries(options.cases)) {
      if (!n || !TARGETS[target]) continue;
      const row = emptyRow(target);
      rows.push(row);
      const t0 = Date.now();
      let lastLog = t0;
      await pool.run(target, options.seed, n, (r) => {
        row.cases++;
        row.maxMs = Math.max(row.maxMs, r.ms);
        row.totalMs += r.ms;
        count(row, r.problems);
        for (const p of r.problems)
          note(
            { target, kind: p.kind, message: p.message, seed: r.seed, index: r.index, input: r.input, ms: r.ms },
            r.input,
          );
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(`  ${target}: ${row.cases}/${n} cases, ${findings.size} distinct findings so far`);
        }
      });
      log(`${target}: ${row.cases} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }

    // A hang is confirmed by running its case again alone (a busy machine can make any case slow once).
    for (const f of [...findings.values()]) {
      if (f.kind !== 'hang' || !f.input || !TARGETS[f.target]) continue;
      const again = await pool.evaluate(f.target, f.input, runSeedOf(f.seed), HANG_MS * 2);
      if ('ms' in again && again.ms < HANG_MS) {
        findings.delete(f.signature);
        unconfirmed.push(
          `${f.target} case ${f.seed}: ${Math.round(f.ms ?? 0)} ms once, ${Math.round(again.ms)} ms again`,
        );
        rows.find((r) => r.target === f.target)!.hangs -= f.count;
      }
    }

    // Shrink the first case of each in-process finding.
    if (options.shrink) {
      for (const f of findings.values()) {
        if (!f.input || !TARGETS[f.target]) continue;
        const runSeed = runSeedOf(f.seed);
        const threshold = f.kind === 'hang' ? 1000 : undefined;
        const stillFails = async (candidate: Input): Promise<boolean> => {
          const r = await pool.evaluate(f.target, candidate, runSeed, threshold ? threshold * 2 : 5000);
          if ('timeout' in r) return threshold !== undefined;
          if (threshold !== undefined) return r.ms > threshold;
          return r.problems.some(
            (p) =>
              signatureOf(f.target, p, candidate) === f.signature ||
              (p.kind === f.kind && p.kind === 'crash' && sameCrash(p, f)),
          );
        };
        const t0 = Date.now();
        const { input, evaluations } = await shrink(f.input, stillFails, options.shrink);
        f.shrunk = input;
        log(
          `shrunk ${f.signature.slice(0, 90)}: ${f.input.text.length} -> ${input.text.length} characters (${evaluations} runs, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
    }
  } finally {
    await pool.close();
  }

  // Protocol targets.
  const protocol = async (
    target: string,
    sessions: number,
    session: (seed: number, i: number) => Promise<{ messages: number; findings: ProtocolFinding[] }>,
  ) => {
    if (!sessions) return;
    const row = emptyRow(target);
    row.messages = 0;
    rows.push(row);
    const t0 = Date.now();
    for (let i = 0; i < sessions; i++) {
      const seed = caseSeed(options.seed, target, i);
      const s0 = Date.now();
      const r = await session(seed, i);
      row.cases++;
      row.messages += r.messages;
      row.maxMs = Math.max(row.maxMs, Date.now() - s0);
      row.totalMs += Date.now() - s0;
      count(row, r.findings);
      for (const f of r.findings) note({ target, kind: f.kind, message: f.message, seed, index: i, sent: f.sent });
    }
    log(`${target}: ${row.cases} sessions, ${row.messages} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  await protocol('dap', options.dap.sessions, (seed, i) => dapSession(seed, options.dap.messages, i));
  await protocol('lsp', options.lsp.sessions, (seed, i) =>
    lspSession(seed, options.lsp.messages, i, options.serverPath),
  );

  const replayOutcomes: CampaignResult['replayOutcomes'] = { departs: {}, follows: {}, unknown: {} };
  if (options.replayCli && replays.length) {
    const row = emptyRow('replay-cli');
    rows.push(row);
    const t0 = Date.now();
    const indices = Array.from({ length: options.replayCli }, (_, i) => i);
    const worker = async () => {
      for (let i = indices.shift(); i !== undefined; i = indices.shift()) {
        const seed = caseSeed(options.seed, 'replay-cli', i);
        const s0 = Date.now();
        const r = await replayCliCase(seed, i, replays, dir);
        row.cases++;
        row.maxMs = Math.max(row.maxMs, Date.now() - s0);
        row.totalMs += Date.now() - s0;
        count(row, r.findings);
        const bucket = replayOutcomes[r.samePath === undefined ? 'unknown' : r.samePath ? 'follows' : 'departs'];
        bucket[r.outcome] = (bucket[r.outcome] ?? 0) + 1;
        for (const f of r.findings)
          note({ target: 'replay-cli', kind: f.kind, message: f.message, seed, index: i, sent: f.sent });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.workers) }, worker));
    log(`replay-cli: ${row.cases} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  const list = [...findings.values()];
  for (const f of list) f.category = categorize(f);
  return { rows, findings: list, replayOutcomes, unconfirmed, seconds: (Date.now() - started) / 1000 };
}

function sameCrash(p: Problem, f: Finding): boolean {
  // The same exception type and message start, wherever the shrunk input throws it from.
  const head = (m: string) =>
    m
      .replace(/ at .*$/, '')
      .replace(/\d+/g, '#')
      .slice(0, 60);
  return head(p.message) === head(f.message);
}

// ------------------------------------------------------------------------------------------ the report

const pad = (s: string | number, n: number) => String(s).padStart(n);

export function table(result: CampaignResult): string {
  const header = `${'target'.padEnd(14)}${pad('cases', 9)}${pad('messages', 10)}${pad('crashes', 9)}${pad('hangs>5s', 10)}${pad('internal', 10)}${pad('invariant', 11)}${pad('max ms', 9)}${pad('avg ms', 9)}`;
  const lines = [header, '-'.repeat(header.length)];
  const total = emptyRow('total');
  total.messages = 0;
  for (const r of result.rows) {
    lines.push(
      `${r.target.padEnd(14)}${pad(r.cases, 9)}${pad(r.messages ?? '', 10)}${pad(r.crashes, 9)}${pad(r.hangs, 10)}${pad(r.internal, 10)}${pad(r.invariant, 11)}${pad(Math.round(r.maxMs), 9)}${pad((r.totalMs / Math.max(1, r.cases)).toFixed(1), 9)}`,
    );
    total.cases += r.cases;
    total.messages! += r.messages ?? 0;
    total.crashes += r.crashes;
    total.hangs += r.hangs;
    total.internal += r.internal;
    total.invariant += r.invariant;
  }
  lines.push('-'.repeat(header.length));
  lines.push(
    `${'total'.padEnd(14)}${pad(total.cases, 9)}${pad(total.messages!, 10)}${pad(total.crashes, 9)}${pad(total.hangs, 10)}${pad(total.internal, 10)}${pad(total.invariant, 11)}`,
  );
  lines.push(
    '(cases: in-process inputs, protocol sessions, CLI runs; crashes/hangs/internal/invariant: cases with at least one such problem)',
  );
  return lines.join('\n');
}

/** A text for the report: escapes shown, long runs folded. */
export function showText(text: string, max = 600): string {
  const folded = text.replace(/(.)\1{15,}/gs, (m, c: string) => `${c.repeat(3)}⟨×${m.length}⟩`);
  const json = JSON.stringify(folded);
  return json.length <= max ? json : `${json.slice(0, max)}…" (${text.length} characters)`;
}

export function report(result: CampaignResult, options: { seed: number }): string {
  const lines = [table(result), ''];
  const o = result.replayOutcomes;
  const fmt = (b: Partial<Record<ReplayOutcome, number>>) =>
    Object.entries(b)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  if (Object.values(o).some((b) => Object.keys(b).length)) {
    lines.push(
      `replay-cli answers: files whose path departs from the recording: ${fmt(o.departs)}; files still on the recorded path: ${fmt(o.follows)}; other files: ${fmt(o.unknown)}`,
      '',
    );
  }
  const sorted = [...result.findings].sort(
    (a, b) =>
      (a.category ?? '~').localeCompare(b.category ?? '~') || a.target.localeCompare(b.target) || b.count - a.count,
  );
  if (result.unconfirmed.length)
    lines.push(`slow once but not again (not counted): ${result.unconfirmed.join('; ')}`, '');
  lines.push(`${sorted.length} distinct findings (campaign seed ${options.seed}, ${result.seconds.toFixed(0)} s):`);
  for (const f of sorted) {
    lines.push('', `[${f.category ?? 'NEW'}] ${f.target} ${f.kind} ×${f.count}: ${f.message.slice(0, 300)}`);
    if (TARGETS[f.target] || f.target === 'replay-cli')
      lines.push(`  rerun: npm run fuzz -- --rerun ${f.target}:${f.seed}`);
    else lines.push(`  rerun: npm run fuzz -- --rerun ${f.target}:${f.seed} (a whole session)`);
    if (f.input) lines.push(`  recipe: ${f.input.recipe.join(' + ')}`);
    if (f.shrunk) {
      lines.push(`  shrunk (${f.shrunk.text.length} characters): ${showText(f.shrunk.text)}`);
      if (f.shrunk.before !== undefined) lines.push(`  before the edit: ${showText(f.shrunk.before)}`);
    } else if (f.input) lines.push(`  input (${f.input.text.length} characters): ${showText(f.input.text, 300)}`);
    if (f.sent) lines.push(`  sent: ${f.sent.slice(0, 400)}`);
  }
  return lines.join('\n');
}
