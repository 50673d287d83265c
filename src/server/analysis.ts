// One analysis per document version: the same parse and check the simulator runs (the scenario plus the Linux
// prelude), computed once when the document changes and shared by every feature. What only some features need
// (the occurrence index, tokens, comments) is derived lazily from it and cached with it.

import { Position, Range } from 'vscode-languageserver';
import * as A from '../lang/ast';
import { check, CheckResult, defaultHostConfig } from '../lang/checker';
import { reparse } from '../lang/incremental';
import { DiagnosticBag } from '../lang/diagnostics';
import { Token, tokenize } from '../lang/lexer';
import { parse, ParseResult, parseResult } from '../lang/parser';
import { preludeFiles } from '../lang/prelude';
import { Program, VmConfig } from '../lang/program';
import { SymbolIndex } from '../lang/symbols';
import { isLineBreak, SourceFile, Span } from '../lang/source';
import { buildOccurrences, OccurrenceIndex } from './occurrences';

/**
 * The prelude is embedded in the server, not read from the workspace, so its locations use this scheme:
 * `sflow-prelude:/linux.sflow`. The server answers `workspace/textDocumentContent` for it (LSP 3.18), which
 * vscode-languageclient 10+ turns into a TextDocumentContentProvider on its own; the client's document selector
 * should include `{ scheme: 'sflow-prelude', language: 'suspend-flow' }` so hovers and navigation work there too.
 */
export const PRELUDE_SCHEME = 'sflow-prelude';

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export function preludeUri(file: SourceFile): string {
  return `${PRELUDE_SCHEME}:/${basename(file.path)}`;
}

export function preludeFileForUri(uri: string): SourceFile | undefined {
  if (!uri.startsWith(PRELUDE_SCHEME + ':')) return undefined;
  const name = basename(decodeURIComponent(uri.slice(PRELUDE_SCHEME.length + 1)));
  return preludeFiles().find((f) => basename(f.path) === name);
}

/** `file:///w/lib/linux.sflow` or the prelude scheme: a library document is checked as the prelude, not as a scenario. */
function libraryFor(uri: string): SourceFile | undefined {
  const embedded = preludeFileForUri(uri);
  if (embedded) return embedded;
  const path = uriPath(uri);
  return preludeFiles().find((f) => path.endsWith('/' + f.path));
}

function uriPath(uri: string): string {
  if (!uri.startsWith('file://')) return uri;
  try {
    return decodeURIComponent(uri.slice('file://'.length));
  } catch {
    return uri;
  }
}

export class Analysis {
  /** the document's own source file (the scenario, or the library when the document is one) */
  readonly file: SourceFile;
  readonly result: CheckResult;
  /** the document is a library (the prelude, or lib/linux.sflow opened from disk) */
  readonly library: boolean;
  private readonly uris = new Map<SourceFile, string>();
  private occurrenceIndex?: OccurrenceIndex;
  private tokenList?: Token[];
  private commentList?: Span[];
  private vmsByName?: Map<string, VmConfig>;

  /**
   * `previous`, an analysis of an earlier version of the same document, lends its parse: only the top-level items
   * around the edit are parsed again (src/lang/incremental.ts). It must not be used afterwards: the items after the
   * edit are moved to their new offsets in place. `checker` is the checker's entry point (a test gives one that fails).
   */
  constructor(
    readonly uri: string,
    readonly version: number,
    text: string,
    previous?: Analysis,
    checker: typeof check = check,
  ) {
    const library = libraryFor(uri);
    this.library = library !== undefined;
    this.file = new SourceFile(uriPath(uri), text);
    const others = preludeFiles().filter((f) => f !== library && !(library && f.path === library.path));
    for (const f of others) this.uris.set(f, preludeUri(f));
    this.uris.set(this.file, uri);
    try {
      if (!library) {
        this.result = checker(
          [this.file, ...others],
          previous && !previous.library ? incrementalParse(previous, this.file) : undefined,
        );
      } else {
        // A library alone compiles nothing; a scenario that calls each of its procs makes the checker resolve their
        // bodies, so navigation, hovers and diagnostics work inside the library as they do in a scenario.
        const view = new SourceFile('<library-view>', libraryViewScenario(this.file));
        this.result = checker([view, this.file, ...others]);
      }
    } catch (e) {
      // A bug in the checker must not leave the document without an analysis (every request on it would fail, and
      // its old diagnostics would stay): it gets an empty one, with the failure as its diagnostic.
      this.result = failedCheck(this.file, [this.file, ...others], e);
    }
  }

  get parse() {
    return this.result.parses.find((p) => p.file === this.file)!;
  }

  get ast(): A.ScenarioFile {
    return this.parse.ast;
  }

  get text(): string {
    return this.file.text;
  }

  /** The URI of any file of the analysis, or undefined for the synthetic library view. */
  uriOf(file: SourceFile): string | undefined {
    return this.uris.get(file);
  }

  range(span: Span, file: SourceFile = this.file): Range {
    return { start: file.position(span.start), end: file.position(span.end) };
  }

  offset(position: Position): number {
    return this.file.offset(position);
  }

  vm(name: string | undefined): VmConfig | undefined {
    if (name === undefined) return undefined;
    this.vmsByName ??= new Map(this.result.program.vms.map((v) => [v.name, v]));
    return this.vmsByName.get(name);
  }

  get occurrences(): OccurrenceIndex {
    this.occurrenceIndex ??= buildOccurrences(this);
    return this.occurrenceIndex;
  }

  /** The lexer's tokens of the document (newlines included). */
  get tokens(): Token[] {
    this.tokenList ??= tokenize(this.text, new DiagnosticBag(this.file));
    return this.tokenList;
  }

  /** Spans of `//` and `/* *\/` comments, in order. */
  get comments(): Span[] {
    this.commentList ??= scanComments(this.text);
    return this.commentList;
  }

  inComment(offset: number): boolean {
    const comments = this.comments;
    let lo = 0;
    let hi = comments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = comments[mid];
      if (offset <= c.start) hi = mid - 1;
      else if (offset > c.end || (offset === c.end && this.text.startsWith('*/', c.end - 2))) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

const libraryAnalyses = new Map<SourceFile, Analysis>();

/**
 * The embedded prelude analysed on its own (every proc compiled): where a scenario reaches only some of the
 * prelude's procs, this still knows all the references inside the prelude. Computed once per process.
 */
export function preludeAnalysis(file: SourceFile): Analysis | undefined {
  if (!preludeFiles().includes(file)) return undefined;
  let analysis = libraryAnalyses.get(file);
  if (!analysis) libraryAnalyses.set(file, (analysis = new Analysis(preludeUri(file), 0, file.text)));
  return analysis;
}

/** `vm v { ... }` plus a program calling every proc of a library, with as many arguments as each takes. */
function libraryViewScenario(library: SourceFile): string {
  const procs = parse(library).ast.items.filter((i): i is A.ProcItem => i.kind === 'proc');
  const calls = procs.map((p) => `  call ${p.name.text}(${p.params.map(() => '0').join(', ')})`).join('\n');
  return [
    'vm library_view {',
    '  hypervisor kvm',
    '  vcpus 2',
    '  device dev0 virtio-net at 00:01.0 irq 33',
    '  device dev1 passthrough at 00:02.0 irq 34',
    '  device dev2 pci at 00:03.0 irq 35',
    '}',
    'library_view.vcpu0 {',
    calls,
    '}',
    '',
  ].join('\n');
}

/**
 * Comment spans, skipping strings (which never span lines: a string ends at a line break, `\` before it included, as
 * the lexer's do). An unterminated block comment runs to the end. A line ends at `\n`, `\r\n` or `\r`.
 */
export function scanComments(text: string): Span[] {
  const out: Span[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */ && !isLineBreak(text.charCodeAt(i + 1))) i += 2;
        else if (d === 34) {
          i++;
          break;
        } else if (isLineBreak(d)) break;
        else i++;
      }
      continue;
    }
    if (c === 47 /* / */ && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        let stop = i + 2;
        while (stop < n && !isLineBreak(text.charCodeAt(stop))) stop++;
        out.push({ start: i, end: stop });
        i = stop;
        continue;
      }
      if (d === 42 /* * */) {
        const close = text.indexOf('*/', i + 2);
        const stop = close < 0 ? n : close + 2;
        out.push({ start: i, end: stop });
        i = stop;
        continue;
      }
    }
    i++;
  }
  return out;
}

/** The result of a check that threw: nothing parsed, one error at the start of the document saying what happened. */
function failedCheck(file: SourceFile, files: SourceFile[], error: unknown): CheckResult {
  const parsed = parseResult(file, [], [], 0, [], []);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  parsed.diagnostics.add(
    { start: 0, end: 0 },
    'internal-error',
    `the language server could not check this document (${message}); please report it`,
  );
  const program: Program = {
    files,
    vms: [],
    host: defaultHostConfig(),
    expectedViolations: [],
    diagnostics: parsed.diagnostics.items,
  };
  return { program, symbols: new SymbolIndex(), parses: [parsed], diagnostics: parsed.diagnostics.items };
}

/** The document re-parsed from an earlier analysis; a whole parse (by the checker) if that fails for any reason. */
function incrementalParse(previous: Analysis, file: SourceFile): Map<SourceFile, ParseResult> | undefined {
  try {
    return new Map([[file, reparse(previous.parse, file)]]);
  } catch {
    return undefined;
  }
}

/**
 * Caches one analysis per open document, keyed by the document (a document opened again is a new one, even with
 * the same version number) and its version.
 */
export class AnalysisCache {
  private readonly byUri = new Map<string, { document: object; analysis: Analysis }>();

  get(uri: string, document: object, version: number, text: () => string): Analysis {
    const cached = this.byUri.get(uri);
    if (cached && cached.document === document && cached.analysis.version === version) return cached.analysis;
    const analysis = new Analysis(uri, version, text(), cached?.document === document ? cached.analysis : undefined);
    this.byUri.set(uri, { document, analysis });
    return analysis;
  }

  delete(uri: string): void {
    this.byUri.delete(uri);
  }
}
