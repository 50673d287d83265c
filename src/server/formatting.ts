// Formatting, conservatively: it only ever changes white space between tokens, never a token.
// - indentation: 2 spaces per open `{`; a line starting with `}` one level less; a label one level less than the
//   statements around it (so `resume:` in a vCPU program sits at column 0, as in the examples); lines inside a
//   block comment and continuation lines inside parentheses keep their indentation;
// - trailing white space removed, blank lines emptied;
// - one space on each side of the `=` of an assignment (`set`, `pci write`, `mmio write`, `virtio status`);
//   `name=value` arguments are left as written.

import { Range, TextEdit } from 'vscode-languageserver';
import { Token } from '../lang/lexer';
import type { Analysis } from './analysis';

export const INDENT = '  ';

const ASSIGNING = new Set(['set', 'pci', 'mmio', 'virtio']);

export function format(analysis: Analysis, range?: Range): TextEdit[] {
  const file = analysis.file;
  const text = analysis.text;
  const lineCount = file.lineCount;
  const lineStart = (line: number) => file.offset({ line, character: 0 });

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
    const start = lineStart(l);
    let end = l + 1 < lineCount ? lineStart(l + 1) - 1 : text.length;
    if (text[end - 1] === '\r') end--;
    const content = text.slice(start, end);
    const trimmedEnd = content.replace(/[ \t]+$/, '');
    const indentLength = trimmedEnd.length - trimmedEnd.trimStart().length;
    if (trimmedEnd.length === 0) {
      edit(start, end, '');
      continue;
    }
    // Trailing white space, unless the line ends inside a string left open.
    const last = tokens.length ? lastTokenBefore(tokens, end) : undefined;
    const openString = last !== undefined && last.kind === 'string' && last.span.end >= start + trimmedEnd.length && (last.text.length < 2 || !last.text.endsWith('"'));
    if (trimmedEnd.length < content.length && !openString) edit(start + trimmedEnd.length, end, '');
    if (inComment[l] || parens[l] > 0) continue;
    const first = firstToken[l];
    let level = depth[l];
    if (first && first.span.start === start + indentLength) {
      if (first.kind === 'punct' && first.text === '}') level--;
      const second = secondToken[l];
      const isLabel = first.kind === 'ident' && second?.kind === 'punct' && second.text === ':' && second.span.start === first.span.end && level > 0;
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
    const boundary = !t || (t.kind === 'punct' && (t.text === ';' || t.text === '{' || t.text === '}')) || (i > stmtStart && file.position(t.span.start).line !== file.position(tokens[i - 1].span.start).line && parenBefore[i] === 0);
    if (!boundary) continue;
    assignment(tokens, stmtStart, i, text, file.position.bind(file), from, to, edit);
    stmtStart = t && t.kind === 'punct' && (t.text === ';' || t.text === '{' || t.text === '}') ? i + 1 : i;
  }

  edits.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return edits;
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
  tokens: Token[], from: number, to: number, text: string, position: (offset: number) => { line: number },
  firstLine: number, lastLine: number, edit: (start: number, end: number, newText: string) => void,
): void {
  let i = from;
  // A label may precede the statement on its line.
  if (tokens[i]?.kind === 'ident' && tokens[i + 1]?.kind === 'punct' && tokens[i + 1].text === ':' && i + 2 < to) i += 2;
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
    if (/^[ \t]*$/.test(text.slice(before.span.end, eq.span.start))) edit(before.span.end, eq.span.start, ' ');
    if (after && k + 1 < to && /^[ \t]*$/.test(text.slice(eq.span.end, after.span.start))) edit(eq.span.end, after.span.start, ' ');
    return;
  }
}
