// Folding ranges: every `{ ... }` block that spans lines (items, option blocks, loops, ifs, handlers, foreach),
// block comments, and runs of two or more `//` comment lines. The closing brace stays visible.

import { FoldingRange, FoldingRangeKind } from 'vscode-languageserver';
import type { Analysis } from './analysis';

export function foldingRanges(analysis: Analysis): FoldingRange[] {
  const file = analysis.file;
  const out: FoldingRange[] = [];
  const open: number[] = [];
  for (const t of analysis.tokens) {
    if (t.kind !== 'punct') continue;
    if (t.text === '{') open.push(t.span.start);
    else if (t.text === '}' && open.length) {
      const start = file.position(open.pop()!).line;
      const end = file.position(t.span.start).line - 1;
      if (end > start) out.push({ startLine: start, endLine: end });
    }
  }
  // A block left open folds to the end of the file.
  for (const start of open) {
    const line = file.position(start).line;
    if (file.lineCount - 1 > line) out.push({ startLine: line, endLine: file.lineCount - 1 });
  }
  let run: { start: number; end: number } | undefined;
  const flush = () => {
    if (run && run.end > run.start)
      out.push({ startLine: run.start, endLine: run.end, kind: FoldingRangeKind.Comment });
    run = undefined;
  };
  for (const c of analysis.comments) {
    const start = file.position(c.start).line;
    const end = file.position(c.end).line;
    if (analysis.text.startsWith('/*', c.start)) {
      flush();
      if (end > start) out.push({ startLine: start, endLine: end, kind: FoldingRangeKind.Comment });
      continue;
    }
    // A `//` comment on a line of its own continues a run of them.
    const own = file.lineText(start).trimStart().startsWith('//');
    if (own && run && start === run.end + 1) run.end = start;
    else {
      flush();
      if (own) run = { start, end: start };
    }
  }
  flush();
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}
