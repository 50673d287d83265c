// Definitions and references the checker found, with their spans: the language server answers go-to-definition,
// references, rename and document symbols from this index without re-resolving anything.

import { SourceFile, Span } from './source';

export type SymbolKind = 'vm' | 'vcpu-program' | 'device' | 'label' | 'proc' | 'signal' | 'param';

export interface SymbolDef {
  kind: SymbolKind;
  name: string;
  /** VM the symbol belongs to (devices, labels, signals, programs), if any */
  vm?: string;
  file: SourceFile;
  /** the name's span */
  span: Span;
  /** the whole declaration's span (for outline ranges and folding) */
  fullSpan: Span;
  detail?: string;
}

export interface SymbolRef {
  def: SymbolDef;
  file: SourceFile;
  span: Span;
}

export class SymbolIndex {
  readonly defs: SymbolDef[] = [];
  readonly refs: SymbolRef[] = [];
  private readonly seen = new Set<string>();

  define(def: SymbolDef): SymbolDef {
    this.defs.push(def);
    return def;
  }

  /** Records a use; a proc checked once per VM that calls it records the same use once. */
  reference(def: SymbolDef, file: SourceFile, span: Span): void {
    const key = `${file.path}:${span.start}:${def.kind}:${def.name}:${def.vm ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.refs.push({ def, file, span });
  }

  /** The definition whose name or one of whose references covers the offset. */
  at(file: SourceFile, offset: number): SymbolDef | undefined {
    const within = (s: Span) => offset >= s.start && offset <= s.end;
    for (const r of this.refs) if (r.file === file && within(r.span)) return r.def;
    for (const d of this.defs) if (d.file === file && within(d.span)) return d;
    return undefined;
  }

  referencesTo(def: SymbolDef): SymbolRef[] {
    return this.refs.filter((r) => r.def === def);
  }
}
