// Semantic tokens: the meaning of each name from the occurrence index (a PSCI function, a proc, a label, a
// device, a VM, a register, a constant...), keywords, numbers and strings from the lexer. Comments are left to the
// TextMate grammar. Standard token types only, so every theme colours them:
//
//   keyword    statement, declaration and option keywords           function   PSCI functions (defaultLibrary), procs
//   label      labels                                               variable   devices, vCPUs, foreach names
//   namespace  VMs                                                  property   registers, config registers and fields,
//   enumMember constants, invariants, option values, VMM answers               device and VM values, options
//   parameter  proc parameters, PSCI argument names                 event      signals, VMM events
//   type       device models, hypervisor flavours                   number     numbers, times, sizes, versions, BDFs
//   string     strings (without their {expr} holes)
//
// Modifiers: declaration (where a VM, device, label, proc or parameter is declared), readonly (constants),
// defaultLibrary (PSCI functions, the prelude's procs, vCPU registers).

import { SemanticTokens, SemanticTokensBuilder, SemanticTokensLegend } from 'vscode-languageserver';
import { Token } from '../lang/lexer';
import { HOST_MEMBER_KEYWORDS, STATEMENT_KEYWORDS, TOP_LEVEL_KEYWORDS, VM_MEMBER_KEYWORDS } from '../lang/parser';
import type { Analysis } from './analysis';
import { lineTokens } from './context';
import { Meaning } from './occurrences';

export const TOKEN_TYPES = [
  'keyword',
  'function',
  'label',
  'variable',
  'namespace',
  'property',
  'enumMember',
  'parameter',
  'event',
  'type',
  'number',
  'string',
] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

const TYPE_INDEX = new Map<string, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const MODIFIER_BIT = new Map<string, number>(TOKEN_MODIFIERS.map((m, i) => [m, 1 << i]));

/** Words that are keywords wherever no name takes their place. */
const KEYWORDS = new Set<string>([
  ...STATEMENT_KEYWORDS,
  ...VM_MEMBER_KEYWORDS,
  ...HOST_MEMBER_KEYWORDS,
  ...TOP_LEVEL_KEYWORDS,
  'else',
  'violation',
  'psci',
  'at',
  'irq',
  'read',
  'write',
  'save',
  'restore',
  'freeze',
  'status',
  'enable',
  'disable',
  'ack',
  'wake',
  'notify',
  'width',
  'pending',
  'true',
  'false',
  'now',
  'request',
  'suspend',
  'vmm',
  'device',
  'vcpu',
]);

function classify(m: Meaning): { type: TokenType; modifiers: TokenModifier[] } | undefined {
  switch (m.kind) {
    case 'psci-function':
      return { type: 'function', modifiers: ['defaultLibrary'] };
    case 'psci-arg':
    case 'raw-arg':
      return { type: 'parameter', modifiers: [] };
    case 'config-register':
    case 'config-field':
    case 'device-value':
    case 'vm-field':
    case 'host-field':
    case 'option':
      return { type: 'property', modifiers: [] };
    case 'vcpu-field':
      return { type: 'property', modifiers: ['defaultLibrary'] };
    case 'device':
      return { type: 'variable', modifiers: m.declaration ? ['declaration'] : [] };
    case 'vcpu':
      return { type: 'variable', modifiers: [] };
    case 'vm':
      return { type: 'namespace', modifiers: m.declaration ? ['declaration'] : [] };
    case 'host':
      return { type: 'namespace', modifiers: [] };
    case 'constant':
      return { type: 'enumMember', modifiers: ['readonly'] };
    case 'label':
      return { type: 'label', modifiers: m.declaration ? ['declaration'] : [] };
    case 'proc':
      return { type: 'function', modifiers: m.declaration ? ['declaration'] : [] };
    case 'param':
      return { type: 'parameter', modifiers: m.declaration ? ['declaration'] : [] };
    case 'signal':
      return { type: 'event', modifiers: [] };
    case 'invariant':
    case 'word':
      return { type: 'enumMember', modifiers: [] };
    case 'model':
    case 'flavour':
      return { type: 'type', modifiers: [] };
    case 'keyword':
    case 'now':
    case 'explore':
    case 'explore-bound':
    case 'host-setting':
    case 'host-policy':
      return { type: 'keyword', modifiers: [] };
  }
}

interface Raw {
  start: number;
  end: number;
  type: number;
  modifiers: number;
}

export function semanticTokens(analysis: Analysis): SemanticTokens {
  const raw: Raw[] = [];
  const push = (start: number, end: number, type: TokenType, modifiers: readonly TokenModifier[] = []) => {
    if (end <= start) return;
    let bits = 0;
    for (const m of modifiers) bits |= MODIFIER_BIT.get(m)!;
    raw.push({ start, end, type: TYPE_INDEX.get(type)!, modifiers: bits });
  };
  const procLibrary = new Map<string, boolean>();
  for (const o of analysis.occurrences.items) {
    let c: ReturnType<typeof classify>;
    if (o.meaning.kind === 'proc') {
      const name = o.meaning.name;
      if (!procLibrary.has(name)) {
        const def = analysis.result.symbols.defs.find((d) => d.kind === 'proc' && d.name === name);
        procLibrary.set(name, def !== undefined && (def.file !== analysis.file || analysis.library));
      }
      c = {
        type: 'function',
        modifiers: [
          ...(o.meaning.declaration ? (['declaration'] as const) : []),
          ...(procLibrary.get(name) ? (['defaultLibrary'] as const) : []),
        ],
      };
    } else c = classify(o.meaning);
    if (c) push(o.span.start, o.span.end, c.type, c.modifiers);
  }
  const lexical = (tokens: Token[]) => {
    for (const t of tokens) {
      switch (t.kind) {
        case 'number':
        case 'time':
        case 'percent':
        case 'version':
        case 'bdf':
          push(t.span.start, t.span.end, 'number');
          break;
        case 'ident':
          if (KEYWORDS.has(t.text)) push(t.span.start, t.span.end, 'keyword');
          break;
        case 'string':
          strings(t);
          break;
        case 'eof':
        case 'invalid':
        case 'newline':
        case 'punct':
        default:
          break;
      }
    }
  };
  // A string is coloured around its holes; the holes' tokens are classified like code.
  const strings = (t: Token) => {
    const body = t.text;
    let literalStart = t.span.start;
    for (let i = 1; i < body.length; i++) {
      if (body[i] === '\\') {
        i++;
        continue;
      }
      if (body[i] !== '{') continue;
      const close = body.indexOf('}', i + 1);
      if (close < 0) break;
      push(literalStart, t.span.start + i, 'string');
      lexical(lineTokens(body.slice(i + 1, close), t.span.start + i + 1));
      literalStart = t.span.start + close + 1;
      i = close;
    }
    push(literalStart, t.span.end, 'string');
  };
  lexical(analysis.tokens);

  // Names win over the lexer's guesses (a signal called `wake` is a signal); then no two tokens overlap.
  raw.sort(
    (a, b) =>
      a.start - b.start ||
      (a.type === TYPE_INDEX.get('keyword') || a.type === TYPE_INDEX.get('number') ? 1 : 0) -
        (b.type === TYPE_INDEX.get('keyword') || b.type === TYPE_INDEX.get('number') ? 1 : 0),
  );
  const builder = new SemanticTokensBuilder();
  const file = analysis.file;
  let end = 0;
  for (const r of raw) {
    if (r.start < end) continue;
    const from = file.position(r.start);
    const to = file.position(r.end);
    if (to.line !== from.line) continue;
    builder.push(from.line, from.character, r.end - r.start, r.type, r.modifiers);
    end = r.end;
  }
  return builder.build();
}
