// Source text, offsets and line/column positions. Every AST node and every diagnostic carries a Span
// (half-open offsets into one SourceFile); line and column are computed on demand from a line table.
//
// Lines are what LSP (and every editor) calls lines: a line ends at `\r\n`, `\n` or a lone `\r`. The lexer ends
// statements at the same three, the language server converts positions with this table, and the formatter edits
// within the lines it gives; there is one line model. Columns count UTF-16 units of the text as given, so a byte
// order mark at offset 0 is one unit of line 0 (formatDiagnostic, the `file:line:col` form, leaves it out: see
// diagnostics.ts).

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

/** A line break is `\r\n`, `\n` or a lone `\r`. */
export function isLineBreak(code: number): boolean {
  return code === 10 || code === 13;
}

export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const text = this.text;
      const starts = [0];
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts().length;
  }

  /** The position of an offset; one between the `\r` and the `\n` of a line break is the end of the line. */
  position(offset: number): Position {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    const inBreak =
      offset > starts[lo] && this.text.charCodeAt(offset) === 10 && this.text.charCodeAt(offset - 1) === 13;
    return { line: lo, character: offset - starts[lo] - (inBreak ? 1 : 0) };
  }

  /** The offset of a position; a character past the end of its line is the line's end (before its line break). */
  offset(position: Position): number {
    const starts = this.starts();
    const line = Math.max(0, Math.min(position.line, starts.length - 1));
    return Math.min(starts[line] + Math.max(0, position.character), this.lineEnd(line));
  }

  /** Where a line starts. */
  lineStart(line: number): number {
    const starts = this.starts();
    return starts[Math.max(0, Math.min(line, starts.length - 1))];
  }

  /** Where a line's text ends: at its line break, or at the end of the file for the last line. */
  lineEnd(line: number): number {
    const starts = this.starts();
    const l = Math.max(0, Math.min(line, starts.length - 1));
    if (l + 1 >= starts.length) return this.text.length;
    const next = starts[l + 1];
    return this.text.charCodeAt(next - 1) === 10 && this.text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  slice(span: Span): string {
    return this.text.slice(span.start, span.end);
  }
}
