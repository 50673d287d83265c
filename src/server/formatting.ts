// Formatting, conservatively: it only ever changes white space between tokens, never a token.
// - indentation: 2 spaces per open `{`; a line starting with `}` one level less; a label one level less than the
//   statements around it (so `resume:` in a vCPU program sits at column 0, as in the examples); lines inside a
//   block comment, continuation lines inside parentheses and lines nested deeper than MAX_BLOCK_DEPTH keep their
//   indentation;
// - trailing white space removed, blank lines emptied;
// - one space on each side of the `=` of an assignment (`set`, `pci write`, `mmio write`, `virtio status`);
//   `name=value` arguments are left as written.
// Lines are the source file's (a line ends at `\r\n`, `\n` or `\r`, as LSP says), and each line is scanned once:
// the work is linear in the size of the document, however long a line of spaces.

import { Range, TextEdit } from 'vscode-languageserver';
import { BOM } from '../lang/diagnostics';
import { Token } from '../lang/lexer';
import { MAX_BLOCK_DEPTH } from '../lang/parser';
import type { Analysis } from './analysis';

export const INDENT = '  ';

const ASSIGNING = new Set(['set', 'pci', 'mmio', 'virtio']);

export function format(analysis: Analysis, range?: Range): TextEdit[] {
  const file = analysis.file;
  const text = analysis.text;
  const lineCount = file.lineCount;
  const lineStart = (line: number) => file.lineStart(line);

  // Lines whose start is inside a block comment.
  const inComment = new Uint8Array(lineCount);
  for (const c of analysis.comments) {
    if (!text.startsWith('/*', c.start)) continue;
    const first = file.position(c.start).line;
    const last = file.position(c.end).line;
    for (let l = first + 1; l <= last && l < lineCount; l++) inComment[l] = 1;
  }

  // Brace and parenthesis depth at the start of each line, and each line's first token.
  const depth = new Int32Array(lineCount);
  const parens = new Int32Array(lineCount);
  const firstToken: (Token | undefined)[] = new Array(lineCount);
  const secondToken: (Token | undefined)[] = new Array(lineCount);
  const tokens = analysis.tokens.filter((t) => t.kind !== 'newline' && t.kind !== 'eof');
  let d = 0;
  let p = 0;
  let line = 0;
  for (const t of tokens) {
    const l = file.position(t.span.start).line;
    while (line < l) {
      line++;
      depth[line] = d;
      parens[line] = p;
    }
    if (!firstToken[l]) firstToken[l] = t;
    else if (!secondToken[l]) secondToken[l] = t;
    if (t.kind === 'punct') {
      if (t.text === '{') d++;
      else if (t.text === '}') d = Math.max(0, d - 1);
      else if (t.text === '(') p++;
      else if (t.text === ')') p = Math.max(0, p - 1);
    }
  }
  while (line + 1 < lineCount) {
    line++;
    depth[line] = d;
    parens[line] = p;
  }

  const edits: TextEdit[] = [];
  const edit = (start: number, end: number, newText: string) => {
    if (text.slice(start, end) === newText) return;
    edits.push({ range: { start: file.position(start), end: file.position(end) }, newText });
  };
  const from = range ? range.start.line : 0;
  const to = range ? Math.min(range.end.line, lineCount - 1) : lineCount - 1;

  for (let l = from; l <= to; l++) {
    // A byte order mark is not indentation: line 0 starts after it.
    const start = l === 0 && text.charCodeAt(0) === BOM ? 1 : lineStart(l);
    const end = file.lineEnd(l);
    // Where the line's text ends without its trailing spaces and tabs, and where it starts after its indentation.
    let contentEnd = end;
    while (contentEnd > start && isBlank(text.charCodeAt(contentEnd - 1))) contentEnd--;
    let indentEnd = start;
    while (indentEnd < contentEnd && isBlank(text.charCodeAt(indentEnd))) indentEnd++;
    const indentLength = indentEnd - start;
    if (contentEnd === start) {
      edit(start, end, '');
      continue;
    }
    // Trailing white space, unless the line ends inside a string left open.
    const last = tokens.length ? lastTokenBefore(tokens, end) : undefined;
    const openString =
      last !== undefined &&
      last.kind === 'string' &&
      last.span.end >= contentEnd &&
      (last.text.length < 2 || !last.text.endsWith('"'));
    if (contentEnd < end && !openString) edit(contentEnd, end, '');
    // Lines inside blocks nested deeper than the language allows (an error the parser reports) keep their indentation:
    // indenting absurd nesting would multiply the text (each of n lines by up to n levels).
    if (inComment[l] || parens[l] > 0 || depth[l] > MAX_BLOCK_DEPTH) continue;
    const first = firstToken[l];
    let level = depth[l];
    if (first && first.span.start === start + indentLength) {
      if (first.kind === 'punct' && first.text === '}') level--;
      const second = secondToken[l];
      const isLabel =
        first.kind === 'ident' &&
        second?.kind === 'punct' &&
        second.text === ':' &&
        second.span.start === first.span.end &&
        level > 0;
      if (isLabel) level--;
    }
    edit(start, start + indentLength, INDENT.repeat(Math.max(0, level)));
  }

  // One space around the `=` of an assignment.
  const parenBefore = new Int32Array(tokens.length + 1);
  let open = 0;
  tokens.forEach((t, i) => {
    parenBefore[i] = open;
    if (t.kind === 'punct' && t.text === '(') open++;
    else if (t.kind === 'punct' && t.text === ')') open = Math.max(0, open - 1);
  });
  let stmtStart = 0;
  for (let i = 0; i <= tokens.length; i++) {
    const t = tokens[i];
    const boundary =
      !t ||
      (t.kind === 'punct' && (t.text === ';' || t.text === '{' || t.text === '}')) ||
      (i > stmtStart &&
        file.position(t.span.start).line !== file.position(tokens[i - 1].span.start).line &&
        parenBefore[i] === 0);
    if (!boundary) continue;
    assignment(tokens, stmtStart, i, text, file.position.bind(file), from, to, edit);
    stmtStart = t && t.kind === 'punct' && (t.text === ';' || t.text === '{' || t.text === '}') ? i + 1 : i;
  }

  edits.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return edits;
}

/** Space or tab: the only white space the formatter changes (other characters, a no-break space say, are text). */
function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/** Whether text[from, to) is spaces and tabs only. */
function blankBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isBlank(text.charCodeAt(i))) return false;
  return true;
}

function lastTokenBefore(tokens: Token[], end: number): Token | undefined {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].span.start < end) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 ? tokens[hi] : undefined;
}

function assignment(
  tokens: Token[],
  from: number,
  to: number,
  text: string,
  position: (offset: number) => { line: number },
  firstLine: number,
  lastLine: number,
  edit: (start: number, end: number, newText: string) => void,
): void {
  let i = from;
  // A label may precede the statement on its line.
  if (tokens[i]?.kind === 'ident' && tokens[i + 1]?.kind === 'punct' && tokens[i + 1].text === ':' && i + 2 < to)
    i += 2;
  const head = tokens[i];
  if (!head || head.kind !== 'ident' || !ASSIGNING.has(head.text)) return;
  if (head.text === 'pci' && tokens[i + 1]?.text !== 'write') return;
  if (head.text === 'mmio' && tokens[i + 1]?.text !== 'write') return;
  if (head.text === 'virtio' && tokens[i + 1]?.text !== 'status') return;
  for (let k = i + 1; k < to; k++) {
    const eq = tokens[k];
    if (eq.kind !== 'punct' || eq.text !== '=') continue;
    const before = tokens[k - 1];
    const after = tokens[k + 1];
    const line = position(eq.span.start).line;
    if (line < firstLine || line > lastLine) return;
    if (blankBetween(text, before.span.end, eq.span.start)) edit(before.span.end, eq.span.start, ' ');
    if (after && k + 1 < to && blankBetween(text, eq.span.end, after.span.start))
      edit(eq.span.end, after.span.start, ' ');
    return;
  }
}
