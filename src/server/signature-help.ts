// Signature help for `psci FUNCTION name=value ...` (the function's arguments, their registers and meaning, the
// one being typed active), for raw `smc`/`hvc` calls, and for `call PROC` arguments.

import { MarkupKind, ParameterInformation, SignatureHelp, SignatureInformation } from 'vscode-languageserver';
import { lookupPsciFunction, PsciFunction } from '../lang/domain/psci';
import { Token } from '../lang/lexer';
import type { Analysis } from './analysis';
import { cursorContext } from './context';
import { psciMarkdown } from './docs';
import { leadingComment } from './occurrences';

interface Param {
  label: string;
  doc: string;
}

function signature(
  prefix: string,
  params: Param[],
  separator: string,
  documentation: string,
  suffix = '',
): SignatureInformation {
  let label = prefix;
  const parameters: ParameterInformation[] = [];
  params.forEach((p, i) => {
    if (i > 0) label += separator;
    const start = label.length;
    label += p.label;
    parameters.push({ label: [start, label.length], documentation: { kind: MarkupKind.Markdown, value: p.doc } });
  });
  label += suffix;
  return { label, parameters, documentation: { kind: MarkupKind.Markdown, value: documentation } };
}

/** Which name=value argument the cursor is on: the one being typed, or the next one not given yet. */
function activeNamedArg(names: string[], tokens: Token[], word: string, offset: number): number {
  const given = new Set<string>();
  for (let i = 0; i + 1 < tokens.length; i++)
    if (tokens[i + 1].text === '=' && tokens[i].kind === 'ident') given.add(tokens[i].text);
  const n = tokens.length;
  // Typing the value of `name=` (nothing yet, or a value running up to the cursor): that argument.
  const valueOf =
    tokens[n - 1]?.text === '='
      ? tokens[n - 2]
      : tokens[n - 2]?.text === '=' && tokens[n - 1].span.end === offset
        ? tokens[n - 3]
        : undefined;
  if (valueOf) {
    const i = names.indexOf(valueOf.text);
    if (i >= 0) return i;
  }
  // Typing a name: the argument it starts.
  if (word) {
    const i = names.findIndex((n) => n.startsWith(word) && !given.has(n));
    if (i >= 0) return i;
  }
  const next = names.findIndex((n) => !given.has(n));
  return next >= 0 ? next : names.length;
}

export function signatureHelp(analysis: Analysis, position: { line: number; character: number }): SignatureHelp | null {
  const ctx = cursorContext(analysis, analysis.offset(position));
  if (ctx.inert || ctx.block !== 'code') return null;
  const t = ctx.tokens;
  if (t.length === 0) return null;
  const first = t[0].text;
  if (first === 'psci' && t.length >= 2) {
    const ref = lookupPsciFunction(t[1].text);
    if (!ref) return null;
    return psciSignature(ref.fn, t[1].text, ctx.tokens, ctx.word, ctx.offset);
  }
  if ((first === 'smc' || first === 'hvc') && t.length >= 2) {
    const names = ['x1', 'x2', 'x3'];
    const sig = signature(
      `${first} ID `,
      names.map((n) => ({ label: `${n}=`, doc: `argument register ${n}` })),
      ' ',
      `a raw ${first.toUpperCase()} with any function ID; the result is in x0`,
    );
    return {
      signatures: [sig],
      activeSignature: 0,
      activeParameter: activeNamedArg(names, t.slice(2), ctx.word, ctx.offset),
    };
  }
  if (first === 'call' && t.length >= 2) return callSignature(analysis, ctx.tokens);
  return null;
}

function psciSignature(
  fn: PsciFunction,
  written: string,
  tokens: Token[],
  word: string,
  offset: number,
): SignatureHelp {
  const params = fn.args.map((a) => ({ label: `${a.name}=`, doc: `x${a.register}: ${a.doc}` }));
  const sig = signature(`psci ${written}${params.length ? ' ' : ''}`, params, ' ', psciMarkdown(fn, written));
  const active = activeNamedArg(
    fn.args.map((a) => a.name),
    tokens.slice(2),
    word,
    offset,
  );
  return { signatures: [sig], activeSignature: 0, activeParameter: active };
}

function callSignature(analysis: Analysis, tokens: Token[]): SignatureHelp | null {
  // The proc name may be dotted: `call linux.pm_suspend`.
  let i = 1;
  let name = tokens[1].text;
  while (
    tokens[i + 1]?.text === '.' &&
    tokens[i + 2]?.kind === 'ident' &&
    tokens[i + 1].span.start === tokens[i].span.end
  ) {
    name += '.' + tokens[i + 2].text;
    i += 2;
  }
  const def = analysis.result.symbols.defs.find((d) => d.kind === 'proc' && d.name === name);
  if (!def) return null;
  const params = /^proc\((.*)\)$/.exec(def.detail ?? '')?.[1] ?? '';
  const names = params ? params.split(', ') : [];
  if (!names.length) return null;
  const rest = tokens.slice(i + 1);
  const parens = rest[0]?.text === '(' && rest[0].span.start === tokens[i].span.end;
  let active: number;
  if (parens) active = rest.filter((x) => x.text === ',').length;
  else active = rest.length;
  const doc = leadingComment(def.file, def.fullSpan.start) ?? '';
  const sig = parens
    ? signature(
        `call ${name}(`,
        names.map((n) => ({ label: n, doc: `parameter \`${n}\`` })),
        ', ',
        doc,
        ')',
      )
    : signature(
        `call ${name} `,
        names.map((n) => ({ label: n, doc: `parameter \`${n}\`` })),
        ' ',
        doc,
      );
  return { signatures: [sig], activeSignature: 0, activeParameter: Math.min(active, names.length) };
}
