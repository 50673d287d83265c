// Source text, offsets and line/column positions. Every AST node and every diagnostic carries a Span
// (half-open offsets into one SourceFile); line and column are computed on demand from a line table.

export interface Span {
  start: number;
  end: number;
}

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
}

export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) {
        if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      }
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts().length;
  }

  position(offset: number): Position {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo] };
  }

  offset(position: Position): number {
    const starts = this.starts();
    const line = Math.max(0, Math.min(position.line, starts.length - 1));
    const lineEnd = line + 1 < starts.length ? starts[line + 1] - 1 : this.text.length;
    return Math.min(starts[line] + Math.max(0, position.character), lineEnd);
  }

  lineText(line: number): string {
    const starts = this.starts();
    const end = line + 1 < starts.length ? starts[line + 1] - 1 : this.text.length;
    return this.text.slice(starts[line], end).replace(/\r$/, '');
  }

  slice(span: Span): string {
    return this.text.slice(span.start, span.end);
  }
}

export function spanOf(first: Span, last: Span): Span {
  return { start: first.start, end: last.end };
}
