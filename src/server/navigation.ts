// Go to definition, references, document highlights and rename, from the checker's SymbolIndex (definitions and
// references with spans). A label or signal of a proc compiled into two VMs is one symbol per VM in the index; the
// definitions that share a span are merged back into one symbol here. A device named through a `foreach` name is
// recorded at the foreach name's span: such references are not the device's own words and are left out.

import {
  DocumentHighlight,
  DocumentHighlightKind,
  Location,
  Range,
  ResponseError,
  ErrorCodes,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { lookupConstant } from '../lang/domain/constants';
import { lookupVcpuField } from '../lang/domain/vcpu';
import { SourceFile, Span } from '../lang/source';
import { SymbolDef } from '../lang/symbols';
import { Analysis, preludeAnalysis } from './analysis';

interface Place {
  file: SourceFile;
  span: Span;
  declaration: boolean;
}

export interface SymbolGroup {
  kind: SymbolDef['kind'];
  name: string;
  defs: SymbolDef[];
  places: Place[];
}

const contains = (span: Span, offset: number) => offset >= span.start && offset <= span.end;

/** The symbol whose definition or reference covers the offset, with every place it occurs. */
export function symbolAt(analysis: Analysis, offset: number): SymbolGroup | undefined {
  const symbols = analysis.result.symbols;
  const file = analysis.file;
  let hit: { def: SymbolDef; span: Span } | undefined;
  const consider = (def: SymbolDef, span: Span) => {
    if (def.kind === 'vcpu-program' || def.kind === 'param') return;
    if (file.slice(span) !== def.name) return;
    if (!hit || span.end - span.start < hit.span.end - hit.span.start) hit = { def, span };
  };
  for (const r of symbols.refs) if (r.file === file && contains(r.span, offset)) consider(r.def, r.span);
  for (const d of symbols.defs) if (d.file === file && contains(d.span, offset)) consider(d, d.span);
  if (!hit) return undefined;
  return groupOf(analysis, hit.def);
}

const placeKey = (file: SourceFile, span: Span) => `${file.path}\u0000${span.start}`;

function groupOf(analysis: Analysis, seed: SymbolDef): SymbolGroup {
  const symbols = analysis.result.symbols;
  const sameKind = symbols.defs.filter((d) => d.kind === seed.kind && d.name === seed.name);
  const refsOf = new Map<SymbolDef, string[]>();
  for (const r of symbols.refs) {
    if (r.def.kind !== seed.kind || r.def.name !== seed.name) continue;
    if (r.file.slice(r.span) !== seed.name) continue;
    const list = refsOf.get(r.def) ?? [];
    list.push(placeKey(r.file, r.span));
    refsOf.set(r.def, list);
  }
  // Definitions are one symbol when they share a place (their own span or any reference).
  const placesOf = (d: SymbolDef) => [placeKey(d.file, d.span), ...(refsOf.get(d) ?? [])];
  const members = new Set<SymbolDef>([seed]);
  const keys = new Set(placesOf(seed));
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of sameKind) {
      if (members.has(d)) continue;
      if (placesOf(d).some((k) => keys.has(k))) {
        members.add(d);
        for (const k of placesOf(d)) keys.add(k);
        grew = true;
      }
    }
  }
  const places = new Map<string, Place>();
  for (const d of members) {
    places.set(placeKey(d.file, d.span), { file: d.file, span: d.span, declaration: d.kind !== 'signal' });
  }
  for (const r of symbols.refs) {
    if (!members.has(r.def) || r.file.slice(r.span) !== seed.name) continue;
    const key = placeKey(r.file, r.span);
    if (!places.has(key)) places.set(key, { file: r.file, span: r.span, declaration: false });
  }
  // A signal has no declaration: the statements that raise it stand for one.
  if (seed.kind === 'signal') {
    for (const p of places.values())
      p.declaration =
        /\bsignal\s+$/.test(p.file.text.slice(Math.max(0, p.span.start - 20), p.span.start)) &&
        !/\b(wait|clear)\s+signal\s+$/.test(p.file.text.slice(Math.max(0, p.span.start - 30), p.span.start));
  }
  const sorted = [...places.values()].sort((a, b) =>
    a.file === b.file ? a.span.start - b.span.start : a.file === analysis.file ? -1 : 1,
  );
  return { kind: seed.kind, name: seed.name, defs: [...members], places: sorted };
}

function location(analysis: Analysis, file: SourceFile, span: Span): Location | undefined {
  const uri = analysis.uriOf(file);
  return uri ? { uri, range: analysis.range(span, file) } : undefined;
}

export function definition(analysis: Analysis, position: { line: number; character: number }): Location[] {
  const offset = analysis.offset(position);
  const group = symbolAt(analysis, offset);
  if (group) {
    let decls = group.places.filter((p) => p.declaration);
    if (!decls.length) decls = group.defs.map((d) => ({ file: d.file, span: d.span, declaration: true }));
    const seen = new Set<string>();
    const out: Location[] = [];
    for (const p of decls) {
      const key = placeKey(p.file, p.span);
      if (seen.has(key)) continue;
      seen.add(key);
      const loc = location(analysis, p.file, p.span);
      if (loc) out.push(loc);
    }
    return out;
  }
  // Names the checker does not index: a foreach name and a proc parameter point to where they are bound.
  const o = analysis.occurrences.at(offset);
  if (o?.meaning.kind === 'device' && o.meaning.alias)
    return [{ uri: analysis.uri, range: analysis.range(o.meaning.alias.decl) }];
  if (o?.meaning.kind === 'vcpu' && o.meaning.alias)
    return [{ uri: analysis.uri, range: analysis.range(o.meaning.alias.decl) }];
  if (o?.meaning.kind === 'param') return [{ uri: analysis.uri, range: analysis.range(o.meaning.decl) }];
  return [];
}

export function references(
  analysis: Analysis,
  position: { line: number; character: number },
  includeDeclaration: boolean,
): Location[] {
  const group = symbolAt(analysis, analysis.offset(position));
  if (!group) return [];
  const out: Location[] = [];
  const seen = new Set<string>();
  const add = (a: Analysis, places: Place[]) => {
    for (const p of places) {
      if (!includeDeclaration && p.declaration && group.kind !== 'signal') continue;
      const loc = location(a, p.file, p.span);
      if (!loc) continue;
      const key = `${loc.uri}:${loc.range.start.line}:${loc.range.start.character}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(loc);
    }
  };
  add(analysis, group.places);
  // A prelude proc: the scenario compiles only the procs it reaches, the prelude on its own knows all its calls.
  const library = group.kind === 'proc' ? group.defs.find((d) => d.file !== analysis.file) : undefined;
  const prelude = library && preludeAnalysis(library.file);
  if (prelude) {
    const def = prelude.result.symbols.defs.find(
      (d) => d.kind === 'proc' && d.name === group.name && d.file === prelude.file,
    );
    if (def) add(prelude, groupOf(prelude, def).places);
  }
  return out;
}

export function documentHighlights(
  analysis: Analysis,
  position: { line: number; character: number },
): DocumentHighlight[] {
  const group = symbolAt(analysis, analysis.offset(position));
  if (!group) return [];
  return group.places
    .filter((p) => p.file === analysis.file)
    .map((p) => ({
      range: analysis.range(p.span),
      kind: p.declaration ? DocumentHighlightKind.Write : DocumentHighlightKind.Read,
    }));
}

const RENAMEABLE = new Set<SymbolDef['kind']>(['label', 'proc', 'device', 'signal', 'vm']);

function renameTarget(analysis: Analysis, offset: number): { group: SymbolGroup; place: Place } {
  const group = symbolAt(analysis, offset);
  if (!group || !RENAMEABLE.has(group.kind))
    throw new ResponseError(ErrorCodes.InvalidRequest, 'Only labels, procs, devices, signals and VMs can be renamed.');
  if (group.places.some((p) => p.file !== analysis.file) || analysis.library) {
    throw new ResponseError(
      ErrorCodes.InvalidRequest,
      `'${group.name}' belongs to the Linux prelude and cannot be renamed here.`,
    );
  }
  const place = group.places.find((p) => contains(p.span, offset))!;
  return { group, place };
}

export function prepareRename(
  analysis: Analysis,
  position: { line: number; character: number },
): { range: Range; placeholder: string } {
  const { group, place } = renameTarget(analysis, analysis.offset(position));
  return { range: analysis.range(place.span), placeholder: group.name };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function rename(
  analysis: Analysis,
  position: { line: number; character: number },
  newName: string,
): WorkspaceEdit {
  const { group } = renameTarget(analysis, analysis.offset(position));
  const ok = group.kind === 'proc' ? newName.split('.').every((p) => IDENT.test(p)) : IDENT.test(newName);
  if (!ok) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is not a valid ${group.kind} name.`);
  if (group.kind === 'label' && (lookupVcpuField(newName) || lookupConstant(newName))) {
    throw new ResponseError(
      ErrorCodes.InvalidParams,
      `'${newName}' is a register or constant name and cannot be a label.`,
    );
  }
  const vms = new Set(group.defs.map((d) => d.vm));
  const clash = analysis.result.symbols.defs.find(
    (d) =>
      d.kind === group.kind && d.name === newName && (group.kind === 'proc' || group.kind === 'vm' || vms.has(d.vm)),
  );
  if (clash) throw new ResponseError(ErrorCodes.InvalidParams, `There is already a ${group.kind} named '${newName}'.`);
  return {
    changes: { [analysis.uri]: group.places.map((p) => ({ range: analysis.range(p.span), newText: newName })) },
  };
}
