// The in-process fuzz targets: each takes a text (and an Rng for whatever else it picks: positions, seeds, ranges)
// and returns the problems it saw. Throwing is a crash (the runner catches and records it); a hang is the runner's
// to see. A target checks more than "does not throw": diagnostics and every answer's ranges lie inside the document
// as the editor holds it (lines end at CR, LF or CRLF), formatting changes nothing but white space and formatting
// twice changes nothing more, an incremental re-parse gives what a whole one gives, time travel lands exactly where
// the run was, and no text a user sees carries JavaScript's words (`undefined`, `NaN`, `[object Object]`).

import * as fs from 'fs';
import {
  CodeActionParams,
  Diagnostic as LspDiagnostic,
  Position,
  Range,
  ResponseError,
  TextEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { check } from '../../src/lang/checker';
import { DiagnosticBag, formatDiagnostic, hasErrors } from '../../src/lang/diagnostics';
import { tokenize } from '../../src/lang/lexer';
import { preludeFiles } from '../../src/lang/prelude';
import { SourceFile } from '../../src/lang/source';
import { Analysis } from '../../src/server/analysis';
import { codeActions } from '../../src/server/code-actions';
import { completion } from '../../src/server/completion';
import { documentDiagnostics } from '../../src/server/diagnostics';
import { evaluatableExpression } from '../../src/server/evaluatable';
import { foldingRanges } from '../../src/server/folding';
import { format } from '../../src/server/formatting';
import { hover } from '../../src/server/hover';
import { definition, documentHighlights, prepareRename, references, rename } from '../../src/server/navigation';
import { LEGEND, semanticTokens } from '../../src/server/semantic-tokens';
import { signatureHelp } from '../../src/server/signature-help';
import { documentSymbols } from '../../src/server/symbols';
import { describeEvent, eventSource } from '../../src/sim/describe-event';
import { parseReplay, replayMachine } from '../../src/sim/explore/replay';
import { Machine } from '../../src/sim/machine';
import { Timeline } from '../../src/sim/timeline';
import { eventToJson, TraceEvent } from '../../src/sim/trace';
import { Input, mutated, runnable } from './inputs';
import { Rng } from './rng';
import { tamperedReplay } from './replays';

export type Kind = 'crash' | 'hang' | 'internal' | 'invariant';

export interface Problem {
  kind: Kind;
  message: string;
}

export interface Target {
  name: string;
  /** the input of case `rng` */
  make(rng: Rng, context: TargetContext): Input;
  /** runs the input; problems found (a throw is a crash) */
  run(input: Input, rng: Rng, context: TargetContext): Problem[];
}

/** What a worker knows besides the seed: replay files written by `sflow explore` (for the replay target). */
export interface TargetContext {
  replays: { file: string; text: string }[];
}

/** Words of JavaScript's that must not reach a user. */
export const INTERNAL_WORDS = /\bundefined\b|\bNaN\b|\[object \w+\]|\bInfinity\b|function \(|=> \{/;
/** A stack trace or the engine's own messages. */
export const INTERNAL_TEXT =
  /^\s*at .*(?:\(.*:\d+:\d+\)|:\d+:\d+)$|TypeError|RangeError|ReferenceError|SyntaxError: (?!.*JSON)|URIError|Cannot read properties|Cannot set properties|is not a function|is not iterable|Maximum call stack|undefined \(reading|Invalid array length|Invalid string length/m;

/** A user-facing string leaks internals (JavaScript's words the document itself does not contain). */
function leaks(shown: string, documentText: string): string | undefined {
  const internal = INTERNAL_TEXT.exec(shown);
  if (internal) return internal[0];
  const word = INTERNAL_WORDS.exec(shown);
  if (word && !documentText.includes(word[0])) return word[0];
  return undefined;
}

// ------------------------------------------------------------------------------------------ the editor's lines

/** Lines as an editor counts them (CR, LF and CRLF all end a line), for checking positions. */
export class Lines {
  readonly lengths: number[] = [];

  constructor(readonly text: string) {
    let start = 0;
    const re = /\r\n|\r|\n/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      this.lengths.push(m.index - start);
      start = m.index + m[0].length;
    }
    this.lengths.push(text.length - start);
  }

  position(p: Position | undefined): string | undefined {
    if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character))
      return `not a position: ${JSON.stringify(p)}`;
    if (p.line < 0 || p.line >= this.lengths.length) return `line ${p.line} of ${this.lengths.length}`;
    if (p.character < 0 || p.character > this.lengths[p.line])
      return `character ${p.character} of line ${p.line} (length ${this.lengths[p.line]})`;
    return undefined;
  }

  range(r: Range | undefined): string | undefined {
    if (!r) return 'no range';
    const bad = this.position(r.start) ?? this.position(r.end);
    if (bad) return bad;
    if (r.end.line < r.start.line || (r.end.line === r.start.line && r.end.character < r.start.character))
      return 'end before start';
    return undefined;
  }
}

const show = (r: Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

// ------------------------------------------------------------------------------------------ checker

const prelude = () => preludeFiles();

function checkerRun(input: Input): Problem[] {
  const problems: Problem[] = [];
  const file = new SourceFile('fuzz.sflow', input.text);
  const result = check([file, ...prelude()]);
  for (const d of result.diagnostics) {
    const length = d.file.text.length;
    if (!(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= length)) {
      problems.push({
        kind: 'invariant',
        message: `diagnostic span ${d.span.start}..${d.span.end} outside ${d.file.path} (${length} chars): ${d.code}`,
      });
    }
    const shown = formatDiagnostic(d);
    const leak = leaks(d.message, input.text);
    if (leak)
      problems.push({ kind: 'internal', message: `diagnostic ${d.code} says '${leak}': ${d.message.slice(0, 200)}` });
    if (!d.message.trim()) problems.push({ kind: 'invariant', message: `diagnostic ${d.code} has no message` });
    if (!shown) problems.push({ kind: 'invariant', message: `formatDiagnostic gave nothing for ${d.code}` });
  }
  return problems;
}

// ------------------------------------------------------------------------------------------ simulator

const MAX_STEPS = 4000;

function simulatorRun(input: Input, rng: Rng): Problem[] {
  const result = check([new SourceFile('fuzz.sflow', input.text), ...prelude()]);
  if (hasErrors(result.diagnostics)) return [];
  const problems: Problem[] = [];
  const program = result.program;
  const seed = rng.int(1000);

  // A bounded run, every event described as the CLI and the debugger describe it.
  const machine = new Machine(program, { seed });
  const events: TraceEvent[] = [];
  machine.onEvent((e) => {
    if (events.length < 2000) events.push(e);
  });
  const stop = machine.run({ maxSteps: MAX_STEPS });
  for (const e of events) {
    const text = `${eventSource(program, e)} ${describeEvent(e)}`;
    const leak = leaks(text, input.text);
    if (leak) {
      problems.push({ kind: 'internal', message: `event ${e.kind} described with '${leak}': ${text.slice(0, 200)}` });
      break;
    }
    JSON.stringify(eventToJson(e), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
  }

  // The same seed, the same trace.
  const again = new Machine(program, { seed });
  again.run({ maxSteps: MAX_STEPS });
  if (again.traceHash() !== machine.traceHash())
    problems.push({
      kind: 'invariant',
      message: `seed ${seed}: two runs differ (${machine.traceHash()} vs ${again.traceHash()})`,
    });

  // Time travel: the timeline forward as far as the run went, then back to random positions and forward again.
  const timeline = new Timeline(program, { seed }, 1 + rng.int(64));
  const hashes: string[] = [timeline.machine.traceHash()];
  const times: number[] = [timeline.machine.state.now];
  while (timeline.position < MAX_STEPS && timeline.forward()) {
    hashes.push(timeline.machine.traceHash());
    times.push(timeline.machine.state.now);
  }
  const head = timeline.position;
  if (stop.kind === 'step-limit' || stop.kind === 'outcome') {
    if (head === machine.state.steps && hashes[head] !== machine.traceHash()) {
      problems.push({ kind: 'invariant', message: `the timeline and a run differ after ${head} units` });
    }
  }
  for (let k = 0; k < 4 && head > 0; k++) {
    const target = rng.int(head + 1);
    timeline.seek(target);
    if (
      timeline.position !== target ||
      timeline.machine.traceHash() !== hashes[target] ||
      timeline.machine.state.now !== times[target]
    ) {
      problems.push({
        kind: 'invariant',
        message: `step back to ${target} of ${head}: hash ${timeline.machine.traceHash()} at ${timeline.position}, recorded ${hashes[target]}`,
      });
      break;
    }
  }
  if (head > 0) {
    timeline.seek(head);
    if (timeline.machine.traceHash() !== hashes[head])
      problems.push({ kind: 'invariant', message: `back at the head (${head}) the hash differs` });
  }
  return problems;
}

// ------------------------------------------------------------------------------------------ formatter

const NON_WHITE = /\s+/g;
const tokenTexts = (text: string) =>
  tokenize(text, new DiagnosticBag(new SourceFile('x', text)))
    .filter((t) => t.kind !== 'newline' && t.kind !== 'eof')
    .map((t) => t.text);

function editsProblems(doc: TextDocument, lines: Lines, edits: TextEdit[], what: string): Problem[] {
  for (const e of edits) {
    const bad = lines.range(e.range);
    if (bad)
      return [{ kind: 'invariant', message: `${what}: an edit at ${show(e.range)} is outside the document: ${bad}` }];
  }
  const sorted = [...edits].sort((a, b) => doc.offsetAt(a.range.start) - doc.offsetAt(b.range.start));
  for (let i = 1; i < sorted.length; i++) {
    if (doc.offsetAt(sorted[i].range.start) < doc.offsetAt(sorted[i - 1].range.end))
      return [{ kind: 'invariant', message: `${what}: edits overlap at ${show(sorted[i].range)}` }];
  }
  return [];
}

function formatterRun(input: Input, rng: Rng): Problem[] {
  const uri = 'file:///fuzz/format.sflow';
  const text = input.text;
  const doc = TextDocument.create(uri, 'suspend-flow', 1, text);
  const lines = new Lines(text);
  const ranged = rng.chance(0.3);
  let range: Range | undefined;
  if (ranged) {
    const a = doc.positionAt(rng.int(text.length + 1));
    const b = doc.positionAt(rng.int(text.length + 1));
    range = doc.offsetAt(a) <= doc.offsetAt(b) ? { start: a, end: b } : { start: b, end: a };
  }
  const what = ranged ? `range formatting ${show(range!)}` : 'formatting';
  const edits = format(new Analysis(uri, 1, text), range);
  const bad = editsProblems(doc, lines, edits, what);
  if (bad.length) return bad;
  const out = TextDocument.applyEdits(doc, edits);
  if (out.replace(NON_WHITE, '') !== text.replace(NON_WHITE, '')) {
    let i = 0;
    const a = out.replace(NON_WHITE, '');
    const b = text.replace(NON_WHITE, '');
    while (i < a.length && a[i] === b[i]) i++;
    return [
      {
        kind: 'invariant',
        message: `${what} changed the text that is not white space (at its character ${i}: ${JSON.stringify(b.slice(i, i + 12))} became ${JSON.stringify(a.slice(i, i + 12))})`,
      },
    ];
  }
  // Indenting absurd nesting multiplies the text (each of n lines gets up to n levels): say so, and do not format
  // tens of megabytes again.
  if (out.length > 8 * text.length + 200_000)
    return [{ kind: 'invariant', message: `${what} grows the text from ${text.length} to ${out.length} characters` }];
  const before = tokenTexts(text);
  const after = tokenTexts(out);
  if (before.length !== after.length || before.some((t, i) => t !== after[i]))
    return [{ kind: 'invariant', message: `${what} changed the tokens` }];
  if (!ranged) {
    const doc2 = TextDocument.create(uri, 'suspend-flow', 2, out);
    const second = format(new Analysis(uri, 2, out));
    const bad2 = editsProblems(doc2, new Lines(out), second, 'formatting again');
    if (bad2.length) return bad2;
    const twice = TextDocument.applyEdits(doc2, second);
    if (twice !== out)
      return [
        {
          kind: 'invariant',
          message: `formatting twice is not formatting once (${second.length} more edits, the first at ${show(second[0].range)})`,
        },
      ];
  }
  return [];
}

// ------------------------------------------------------------------------------------------ language server features

const PRELUDE_TEXTS = () =>
  new Map(prelude().map((f) => [`sflow-prelude:/${f.path.slice(f.path.lastIndexOf('/') + 1)}`, new Lines(f.text)]));
let preludeLines: Map<string, Lines> | undefined;

function locationProblem(uri: string, range: Range, own: { uri: string; lines: Lines }): string | undefined {
  if (uri === own.uri) return own.lines.range(range);
  preludeLines ??= PRELUDE_TEXTS();
  const lines = preludeLines.get(uri);
  return lines ? lines.range(range) : `a location in an unknown document ${uri}`;
}

/** Positions to ask about: random offsets, token edges, the ends, and a few beyond the text. */
function positionsFor(doc: TextDocument, text: string, rng: Rng, count: number): Position[] {
  const out: Position[] = [];
  const starts = [...text.matchAll(/[A-Za-z_][\w.]*|\d+|[^\s\w]/g)].map((m) => m.index!);
  for (let k = 0; k < count; k++) {
    const r = rng.float();
    if (r < 0.45 && starts.length) out.push(doc.positionAt(rng.pick(starts) + rng.int(3)));
    else if (r < 0.85) out.push(doc.positionAt(rng.int(text.length + 1)));
    else if (r < 0.92) out.push({ line: doc.lineCount + rng.int(5), character: rng.int(10) });
    else out.push({ line: rng.int(doc.lineCount), character: 1000 + rng.int(100000) });
  }
  return out;
}

function lspRun(input: Input, rng: Rng): Problem[] {
  const uri = rng.chance(0.1) ? 'file:///w/lib/linux.sflow' : 'file:///fuzz/doc.sflow';
  const text = input.text;
  const doc = TextDocument.create(uri, 'suspend-flow', 2, text);
  const lines = new Lines(text);
  const own = { uri, lines };
  const problems: Problem[] = [];
  const add = (kind: Kind, message: string) => problems.push({ kind, message });
  const checkRange = (what: string, r: Range | undefined) => {
    const bad = lines.range(r);
    if (bad) add('invariant', `${what} range ${r ? show(r) : '-'}: ${bad}`);
  };
  const checkShown = (what: string, shown: string) => {
    const leak = leaks(shown, text);
    if (leak) add('internal', `${what} shows '${leak}': ${shown.slice(0, 160)}`);
  };

  const analysis = new Analysis(uri, 2, text);

  // An incremental re-parse from the text before the last edit gives what a whole parse gives.
  if (input.before !== undefined && input.before !== text) {
    const previous = new Analysis(uri, 1, input.before);
    const incremental = new Analysis(uri, 2, text, previous);
    const a = JSON.stringify(documentDiagnostics(incremental));
    const b = JSON.stringify(documentDiagnostics(analysis));
    if (a !== b)
      add(
        'invariant',
        `incremental re-parse gives other diagnostics than a whole parse (${a.length} vs ${b.length} chars of JSON)`,
      );
  }

  const diagnostics = documentDiagnostics(analysis);
  for (const d of diagnostics) {
    checkRange(`diagnostic ${d.code}`, d.range);
    checkShown(`diagnostic ${d.code}`, typeof d.message === 'string' ? d.message : d.message.value);
    for (const r of d.relatedInformation ?? []) {
      const bad = locationProblem(r.location.uri, r.location.range, own);
      if (bad) add('invariant', `related information of ${d.code}: ${bad}`);
    }
  }
  // Quick fixes for every diagnostic.
  for (const d of diagnostics.slice(0, 20)) {
    const params: CodeActionParams = {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d as LspDiagnostic] },
    };
    for (const action of codeActions(analysis, params)) {
      for (const edits of Object.values(action.edit?.changes ?? {}))
        for (const e of edits) checkRange(`quick fix '${action.title}'`, e.range);
    }
  }

  const tokens = semanticTokens(analysis).data;
  if (tokens.length % 5 !== 0) add('invariant', `semantic tokens: ${tokens.length} numbers, not a multiple of 5`);
  let line = 0;
  let character = 0;
  for (let i = 0; i + 4 < tokens.length; i += 5) {
    const [dl, dc, length, type] = tokens.slice(i, i + 4);
    line += dl;
    character = dl === 0 ? character + dc : dc;
    if (dl < 0 || (dl === 0 && dc < 0) || length <= 0 || type >= LEGEND.tokenTypes.length) {
      add('invariant', `semantic token ${i / 5}: delta ${dl}/${dc}, length ${length}, type ${type}`);
      break;
    }
    const bad = lines.range({ start: { line, character }, end: { line, character: character + length } });
    if (bad) {
      add('invariant', `semantic token ${i / 5} at ${line}:${character} length ${length}: ${bad}`);
      break;
    }
  }
  for (const f of foldingRanges(analysis)) {
    if (!(f.startLine >= 0 && f.startLine <= f.endLine && f.endLine < lines.lengths.length))
      add('invariant', `folding range ${f.startLine}-${f.endLine} of ${lines.lengths.length} lines`);
  }
  const symbols = documentSymbols(analysis);
  const walk = (list: typeof symbols, depth: number) => {
    for (const s of list) {
      checkRange(`symbol ${s.name}`, s.range);
      checkRange(`symbol ${s.name} (selection)`, s.selectionRange);
      checkShown('symbol', `${s.name} ${s.detail ?? ''}`);
      if (depth < 50) walk(s.children ?? [], depth + 1);
    }
  };
  walk(symbols, 0);

  for (const position of positionsFor(doc, text, rng, 6)) {
    const at = `${position.line}:${position.character}`;
    const h = hover(analysis, position);
    if (h) {
      if (h.range) checkRange(`hover at ${at}`, h.range);
      checkShown(`hover at ${at}`, JSON.stringify(h.contents));
    }
    const context = rng.pick([
      undefined,
      { triggerKind: 1 as const },
      { triggerKind: 2 as const, triggerCharacter: rng.pick(['.', ' ', '=', ':']) },
      { triggerKind: 3 as const },
    ]);
    const list = completion(analysis, position, context, { snippets: rng.chance(0.5) });
    for (const item of list.items.slice(0, 400)) {
      const edit = item.textEdit;
      if (edit && 'range' in edit) checkRange(`completion '${item.label}' at ${at}`, edit.range);
      if (edit && 'insert' in edit) {
        checkRange(`completion '${item.label}' at ${at} (insert)`, edit.insert);
        checkRange(`completion '${item.label}' at ${at} (replace)`, edit.replace);
      }
      checkShown(
        `completion at ${at}`,
        `${item.label} ${item.detail ?? ''} ${JSON.stringify(item.documentation ?? '')}`,
      );
    }
    const sig = signatureHelp(analysis, position);
    if (sig) checkShown(`signature help at ${at}`, JSON.stringify(sig));
    for (const l of definition(analysis, position)) {
      const bad = locationProblem(l.uri, l.range, own);
      if (bad) add('invariant', `definition at ${at}: ${bad}`);
    }
    for (const l of references(analysis, position, rng.chance(0.5))) {
      const bad = locationProblem(l.uri, l.range, own);
      if (bad) add('invariant', `references at ${at}: ${bad}`);
    }
    for (const h2 of documentHighlights(analysis, position)) checkRange(`highlight at ${at}`, h2.range);
    const e = evaluatableExpression(analysis, position);
    if (e) {
      checkRange(`evaluatable at ${at}`, e.range);
      checkShown(`evaluatable at ${at}`, e.expression);
    }
    try {
      const p = prepareRename(analysis, position);
      checkRange(`prepareRename at ${at}`, p.range);
      const edit = rename(
        analysis,
        position,
        rng.pick(['renamed', 'x', 'a.b', '9bad', '', 'vcpu0', p.placeholder + '_2']),
      );
      for (const [editUri, edits] of Object.entries(edit.changes ?? {})) {
        for (const te of edits) {
          const bad = locationProblem(editUri, te.range, own);
          if (bad) add('invariant', `rename at ${at}: ${bad}`);
        }
      }
    } catch (err) {
      // A feature's own refusal (a ResponseError with a message) is an answer; anything else is a crash.
      if (!(err instanceof ResponseError)) throw err;
      checkShown(`rename refusal at ${at}`, err.message);
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------------ replay files

function replayRun(input: Input, rng: Rng, context: TargetContext): Problem[] {
  const parsed = parseReplay(input.text);
  if ('error' in parsed) {
    const leak = leaks(parsed.error, input.text);
    if (leak)
      return [{ kind: 'internal', message: `parseReplay's error says '${leak}': ${parsed.error.slice(0, 200)}` }];
    if (parsed.error.length > 300)
      return [{ kind: 'invariant', message: `parseReplay's error is ${parsed.error.length} characters long` }];
    return [];
  }
  // A replay read: follow it (bounded), if the scenario it names is one of ours.
  const known = context.replays.find((r) => {
    try {
      return JSON.parse(r.text).scenario === parsed.scenario;
    } catch {
      return false;
    }
  });
  if (!known || !fs.existsSync(parsed.scenario)) return [];
  const result = check([new SourceFile(parsed.scenario, fs.readFileSync(parsed.scenario, 'utf8')), ...prelude()]);
  if (hasErrors(result.diagnostics)) return [];
  const machine = replayMachine(result.program, parsed);
  machine.run({ maxSteps: 20_000 + rng.int(10) });
  return [];
}

// ------------------------------------------------------------------------------------------ the list

/** A mutated input that also remembers the text before its last mutation (for the incremental re-parse check). */
function mutatedWithBefore(rng: Rng): Input {
  const input = mutated(rng, { cheap: true });
  if (rng.chance(0.5)) return input;
  // One more small edit on top: the "before" is the mutated text, the input the edited one.
  const before = input.text;
  const i = rng.int(before.length + 1);
  const edit = rng.pick(['', ' ', 'x', '\n', '}', '{', '"', 'psci ', '// ', '0']);
  const text = before.slice(0, i) + edit + before.slice(i + rng.int(6));
  return { text, before, recipe: [...input.recipe, 'edit'] };
}

export const TARGETS: Record<string, Target> = {
  checker: { name: 'checker', make: (rng) => mutated(rng), run: (input) => checkerRun(input) },
  simulator: { name: 'simulator', make: (rng) => runnable(rng), run: (input, rng) => simulatorRun(input, rng) },
  formatter: { name: 'formatter', make: (rng) => mutated(rng), run: (input, rng) => formatterRun(input, rng) },
  'lsp-features': {
    name: 'lsp-features',
    make: (rng) => mutatedWithBefore(rng),
    run: (input, rng) => lspRun(input, rng),
  },
  replay: {
    name: 'replay',
    make: (rng, context) => tamperedReplay(rng, context.replays),
    run: (input, rng, context) => replayRun(input, rng, context),
  },
};
