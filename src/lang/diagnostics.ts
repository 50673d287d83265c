import { SourceFile, Span } from './source';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInfo {
  file: SourceFile;
  span: Span;
  message: string;
}

/** A text edit that fixes the diagnostic (used for did-you-mean quick fixes). */
export interface QuickFix {
  title: string;
  span: Span;
  newText: string;
}

export interface Diagnostic {
  file: SourceFile;
  span: Span;
  severity: Severity;
  /** Stable identifier, e.g. `unknown-psci-function`. */
  code: string;
  message: string;
  related?: RelatedInfo[];
  fixes?: QuickFix[];
}

export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  constructor(readonly file: SourceFile) {}

  add(
    span: Span,
    code: string,
    message: string,
    extra?: Partial<Pick<Diagnostic, 'severity' | 'related' | 'fixes'>>,
  ): Diagnostic {
    const diagnostic: Diagnostic = { file: this.file, span, severity: extra?.severity ?? 'error', code, message };
    if (extra?.related) diagnostic.related = extra.related;
    if (extra?.fixes) diagnostic.fixes = extra.fixes;
    this.items.push(diagnostic);
    return diagnostic;
  }

  warn(span: Span, code: string, message: string): Diagnostic {
    return this.add(span, code, message, { severity: 'warning' });
  }
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * `file:line:col: error: message`, with 1-based line and column, the form compilers and editors parse. The column is
 * the one an editor shows: on the first line a byte order mark, which editors hide, is not counted.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const pos = d.file.position(d.span.start);
  const bom = pos.line === 0 && d.span.start > 0 && d.file.text.charCodeAt(0) === BOM ? 1 : 0;
  return `${d.file.path}:${pos.line + 1}:${pos.character + 1 - bom}: ${d.severity}: ${d.message}`;
}

/** U+FEFF, the byte order mark a UTF-8 file may start with; the lexer skips it there. */
export const BOM = 0xfeff;
