// Incremental parsing for the language server: after an edit, re-parse only the top-level items around it and keep
// the others from the previous parse (those after the edit moved by its length). A 10,000-line scenario is parsed
// in ~12 ms and the tree it builds is most of what the language server allocates per keystroke; re-parsing two or
// three items is what keeps diagnostics within the 50 ms aim as the user types.
//
// Why this is sound:
// - The lexer carries nothing from one token to the next but its position (a block comment is skipped whole; a
//   string ends at its line's end), and the parser carries nothing from one top-level item to the next. So parsing
//   from an item's first token gives what a parse of the whole file gives from there on.
// - Before the edit, the text is unchanged: items that start before the item holding the edit (and before the one
//   before that, whose end the next token can affect) parse as they did.
// - After the edit, once the re-parse reaches an item start that, moved by the edit's length, is where an old item
//   started inside the unchanged tail, the rest is the same text parsed from the same state: the old items, moved.
// - An edit that could open or close a block comment (a `/` or `*` in or next to it) changes how everything after
//   it lexes: that one is parsed whole.
// The test (test/lang/incremental.test.ts) checks the result against a whole parse after thousands of random edits.

import { Diagnostic } from './diagnostics';
import { parse, parseItemsFrom, ParseResult, parseResult } from './parser';
import { SourceFile, Span } from './source';

/** `file` parsed, reusing what it can of `previous` (a parse of an earlier text of the same document). */
export function reparse(previous: ParseResult, file: SourceFile): ParseResult {
  const before = previous.file.text;
  const after = file.text;
  const edit = changedRange(before, after);
  if (mayChangeComments(before, after, edit)) return parse(file);

  const starts = previous.itemStarts;
  const items = previous.ast.items;
  // The last item starting at or before the edit is re-parsed, and the one before it too.
  let holding = -1;
  while (holding + 1 < starts.length && starts[holding + 1] <= edit.start) holding++;
  const kept = Math.max(0, holding - 1);
  const restart = kept > 0 ? starts[kept] : 0;

  // Old items wholly inside the unchanged tail, by where they start in the new text.
  const delta = after.length - before.length;
  const tailStart = before.length - edit.suffix;
  const tailItemAt = new Map<number, number>();
  for (let i = starts.length - 1; i >= 0 && starts[i] >= tailStart; i--) tailItemAt.set(starts[i] + delta, i);
  const fresh = parseItemsFrom(file, restart, (offset) => tailItemAt.has(offset));

  // Lexer diagnostics lie inside their tokens, so they go by position: the unchanged head's, the re-parsed part's
  // (without those of tokens it read ahead into the tail), the tail's. The parser's go with the item that made them.
  const head = (d: Diagnostic) => d.span.start < restart;
  const lexerDiagnostics = previous.lexerDiagnostics.filter(head).map((d) => moved(d, file, 0));
  const itemDiagnostics = previous.itemDiagnostics.slice(0, kept).map((ds) => ds.map((d) => moved(d, file, 0)));
  const newItems = items.slice(0, kept).concat(fresh.items);
  const newStarts = starts.slice(0, kept).concat(fresh.starts);
  itemDiagnostics.push(...fresh.itemDiagnostics);
  if (fresh.stoppedAt === undefined) {
    lexerDiagnostics.push(...fresh.lexerDiagnostics);
    return parseResult(file, newItems, newStarts, fresh.end, lexerDiagnostics, itemDiagnostics);
  }
  const from = tailItemAt.get(fresh.stoppedAt)!;
  lexerDiagnostics.push(...fresh.lexerDiagnostics.filter((d) => d.span.start < fresh.stoppedAt!));
  for (const d of previous.lexerDiagnostics)
    if (d.span.start >= starts[from]) lexerDiagnostics.push(moved(d, file, delta));
  for (let i = from; i < items.length; i++)
    itemDiagnostics.push(previous.itemDiagnostics[i].map((d) => moved(d, file, delta)));
  for (let i = from; i < items.length; i++) {
    if (delta !== 0) shiftSpans(items[i] as unknown as Record<string, unknown>, delta);
    newItems.push(items[i]);
    newStarts.push(starts[i] + delta);
  }
  return parseResult(file, newItems, newStarts, previous.ast.span.end + delta, lexerDiagnostics, itemDiagnostics);
}

interface Edit {
  /** where the texts start to differ */
  start: number;
  /** how many characters at the end they share (not overlapping `start`) */
  suffix: number;
}

function changedRange(before: string, after: string): Edit {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  while (
    suffix < shorter - start &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  )
    suffix++;
  return { start, suffix };
}

/** A `/` or `*` in the replaced or inserted text, or next to it, can open or close a block comment. */
function mayChangeComments(before: string, after: string, edit: Edit): boolean {
  const around = (text: string) => text.slice(Math.max(0, edit.start - 1), text.length - edit.suffix + 1);
  return /[/*]/.test(around(before)) || /[/*]/.test(around(after));
}

function moved(d: Diagnostic, file: SourceFile, delta: number): Diagnostic {
  const shift = (span: Span): Span => (delta === 0 ? span : { start: span.start + delta, end: span.end + delta });
  const copy: Diagnostic = { ...d, file, span: shift(d.span) };
  if (d.related) copy.related = d.related.map((r) => (r.file === d.file ? { ...r, file, span: shift(r.span) } : r));
  if (d.fixes) copy.fixes = d.fixes.map((f) => ({ ...f, span: shift(f.span) }));
  return copy;
}

/**
 * Moves every span in a subtree of the syntax tree. Each reference to a span gets a new, moved span (two nodes may
 * share one span object: moving it in place would move it twice). A span is the only object in the tree with
 * numeric `start` and `end`. The walk recurses up to a bounded depth and queues what lies deeper: a chain of
 * thousands of operators is that deep a tree.
 */
function shiftSpans(root: Record<string, unknown>, delta: number): void {
  const deeper: Record<string, unknown>[] = [root];
  const visit = (node: Record<string, unknown>, depth: number): void => {
    for (const key in node) {
      const value = node[key];
      if (typeof value !== 'object' || value === null) continue;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const child = value[i];
          if (typeof child !== 'object' || child === null) continue;
          if (typeof child.start === 'number' && typeof child.end === 'number')
            value[i] = { start: child.start + delta, end: child.end + delta };
          else if (depth < SHIFT_RECURSION) visit(child, depth + 1);
          else deeper.push(child);
        }
      } else {
        const fields = value as Record<string, unknown>;
        if (typeof fields.start === 'number' && typeof fields.end === 'number')
          node[key] = { start: fields.start + delta, end: fields.end + delta };
        else if (depth < SHIFT_RECURSION) visit(fields, depth + 1);
        else deeper.push(fields);
      }
    }
  };
  while (deeper.length > 0) visit(deeper.pop()!, 0);
}

/** How deep shiftSpans recurses before it queues the rest. */
const SHIFT_RECURSION = 200;
