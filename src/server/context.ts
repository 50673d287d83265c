// Where the cursor is, for completion and signature help: which block (top level, a VM, the host, an option
// block, an explore block, code), which VM's names are in scope, and the tokens of the statement written so far on
// the line. The statement being typed usually does not parse yet, so this reads tokens, not the tree; the tree only
// tells which block the cursor is in.

import * as A from '../lang/ast';
import { DiagnosticBag } from '../lang/diagnostics';
import { Token, tokenize } from '../lang/lexer';
import { VmConfig } from '../lang/program';
import { SourceFile, Span } from '../lang/source';
import type { Analysis } from './analysis';

export type BlockKind = 'top' | 'vm' | 'host' | 'options' | 'explore' | 'code';

export interface CursorContext {
  offset: number;
  block: BlockKind;
  /** the VM declaration around the cursor (vm and option blocks) */
  vmItem?: A.VmItem;
  /** the device or hypervisor whose option block holds the cursor */
  optionsOf?: A.DeviceDecl | A.HypervisorDecl;
  /** the program or proc around the cursor */
  codeItem?: A.ProgramItem | A.ProcItem;
  /** VMs whose names are in scope: a program's VM, the VMs a proc is compiled into (all VMs if none) */
  vms: VmConfig[];
  params: string[];
  /** foreach names in scope */
  aliases: Map<string, 'device' | 'vcpu'>;
  /** tokens of the statement before the cursor, hyphenated names joined, the word being typed excluded */
  tokens: Token[];
  /** the word being typed (identifier characters) and where it starts */
  word: string;
  wordStart: number;
  /** the cursor is in a `{expr}` hole of a string */
  inHole: boolean;
  /** the cursor is in a comment or in the text of a string */
  inert: boolean;
}

const scratch = new SourceFile('<line>', '');

/** Tokens of a piece of text, without the trailing newline and end-of-file tokens the lexer adds. */
export function lineTokens(text: string, base: number): Token[] {
  const tokens = tokenize(text, new DiagnosticBag(scratch));
  const out: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'eof' || (t.kind === 'newline' && t.text === '')) continue;
    out.push({ ...t, span: { start: t.span.start + base, end: t.span.end + base } });
  }
  return out;
}

/** Joins `waits` `-` `for` (no white space around the dash) into one name token, as the parser does for names. */
export function joinHyphens(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const prev = out[out.length - 1];
    if (
      prev &&
      prev.kind === 'ident' &&
      t.kind === 'punct' &&
      t.text === '-' &&
      !t.spaceBefore &&
      tokens[i + 1]?.kind === 'ident' &&
      !tokens[i + 1].spaceBefore
    ) {
      const next = tokens[++i];
      out[out.length - 1] = {
        ...prev,
        text: `${prev.text}-${next.text}`,
        span: { start: prev.span.start, end: next.span.end },
      };
      continue;
    }
    out.push(t);
  }
  return out;
}

const inside = (span: Span, offset: number) => offset > span.start && offset <= span.end;

/** Whether the offset is between the `{` at or after `from` and the `}` that ends `span` (or the end, if unclosed). */
function inBraces(text: string, from: number, span: Span, offset: number): boolean {
  const open = text.indexOf('{', from);
  if (open < 0 || open >= span.end || offset <= open) return false;
  const closed = text[span.end - 1] === '}';
  return closed ? offset < span.end : offset <= span.end;
}

function blockAt(
  analysis: Analysis,
  offset: number,
): Pick<CursorContext, 'block' | 'vmItem' | 'optionsOf' | 'codeItem'> {
  const text = analysis.text;
  for (const item of analysis.ast.items) {
    if (item.span.start >= offset) break;
    if (offset > item.span.end) continue;
    switch (item.kind) {
      case 'vm': {
        if (!inBraces(text, item.name.span.end, item.span, offset)) continue;
        for (const m of item.members) {
          if ((m.kind === 'device' || m.kind === 'hypervisor') && inBraces(text, m.span.start, m.span, offset))
            return { block: 'options', vmItem: item, optionsOf: m };
        }
        return { block: 'vm', vmItem: item };
      }
      case 'host':
        if (!inBraces(text, item.span.start, item.span, offset)) continue;
        return { block: 'host' };
      case 'explore':
        if (!item.block || !inBraces(text, item.keyword.end, item.span, offset)) continue;
        return { block: 'explore' };
      case 'program':
      case 'proc': {
        const body = item.body;
        const closed = text.slice(body.closeSpan.start, body.closeSpan.end) === '}';
        if (offset <= body.span.start || (closed && offset >= body.span.end)) continue;
        return { block: 'code', codeItem: item };
      }
      case 'error': {
        // An item the parser gave up on, typically a block not closed yet: judge by its first word.
        if (!inBraces(text, item.span.start, { start: item.span.start, end: Math.max(item.span.end, offset) }, offset))
          continue;
        const first = /^[A-Za-z_]+/.exec(text.slice(item.span.start, item.span.start + 20))?.[0];
        if (first === 'vm') return { block: 'vm' };
        if (first === 'host') return { block: 'host' };
        if (first === 'explore') return { block: 'explore' };
        continue;
      }
      case 'expectViolation':
      default:
        continue;
    }
  }
  return { block: 'top' };
}

/** Foreach names whose bodies hold the offset. */
function aliasesAt(block: A.Block, offset: number, out: Map<string, 'device' | 'vcpu'>): void {
  for (const s of block.statements) {
    if (s.span.start > offset) break;
    if (s.kind === 'foreach' && inside(s.body.span, offset)) {
      out.set(s.name.text, s.over);
      aliasesAt(s.body, offset, out);
    } else if ((s.kind === 'loop' || s.kind === 'onIrq') && inside(s.body.span, offset)) aliasesAt(s.body, offset, out);
    else if (s.kind === 'if') {
      let e: A.IfStmt | A.Block | undefined = s;
      while (e) {
        if (e.kind === 'if') {
          if (inside(e.then.span, offset)) aliasesAt(e.then, offset, out);
          e = e.else;
        } else {
          if (inside(e.span, offset)) aliasesAt(e, offset, out);
          e = undefined;
        }
      }
    }
  }
}

export function vmsForCode(analysis: Analysis, item: A.ProgramItem | A.ProcItem | undefined): VmConfig[] {
  const vms = analysis.result.program.vms.filter((v) => v.name !== 'library_view' || analysis.library);
  if (!item) return vms;
  if (item.kind === 'program') {
    const vm = analysis.vm(item.vm.text);
    return vm ? [vm] : [];
  }
  const using = vms.filter((v) => v.frames.some((f) => f.kind === 'proc' && f.name === item.name.text));
  return using.length ? using : vms;
}

export function cursorContext(analysis: Analysis, offset: number): CursorContext {
  const text = analysis.text;
  const where = blockAt(analysis, offset);
  const file = analysis.file;
  const lineStart = file.lineStart(file.position(offset).line);
  const prefix = text.slice(lineStart, offset);
  const ctx: CursorContext = {
    offset,
    ...where,
    vms: [],
    params: [],
    aliases: new Map(),
    tokens: [],
    word: '',
    wordStart: offset,
    inHole: false,
    inert: analysis.inComment(offset),
  };
  if (where.block === 'code') {
    ctx.vms = vmsForCode(analysis, where.codeItem);
    if (where.codeItem?.kind === 'proc') ctx.params = where.codeItem.params.map((p) => p.text);
    if (where.codeItem) aliasesAt(where.codeItem.body, offset, ctx.aliases);
  } else if (where.vmItem) {
    const vm = analysis.vm(where.vmItem.name.text);
    ctx.vms = vm ? [vm] : [];
  } else ctx.vms = vmsForCode(analysis, undefined);
  if (ctx.inert) return ctx;

  let tokens = lineTokens(prefix, lineStart);
  // In a string: inert, unless in an open `{` hole, where the hole's expression is what is being typed.
  const last = tokens[tokens.length - 1];
  if (
    last &&
    last.kind === 'string' &&
    last.span.end === offset &&
    !(last.text.length > 1 && last.text.endsWith('"') && !last.text.endsWith('\\"'))
  ) {
    const body = last.text;
    let open = -1;
    for (let i = 1; i < body.length; i++) {
      if (body[i] === '\\') i++;
      else if (body[i] === '{') open = i;
      else if (body[i] === '}') open = -1;
    }
    if (open < 0) {
      ctx.inert = true;
      return ctx;
    }
    ctx.inHole = true;
    tokens = lineTokens(body.slice(open + 1), last.span.start + open + 1);
  }

  // The word being typed: identifier characters right before the cursor (not the unit of a number: `10m`).
  const word = wordBefore(prefix);
  if (word && !/[0-9]/.test(prefix[prefix.length - word.length - 1] ?? '')) {
    ctx.word = word;
    ctx.wordStart = offset - word.length;
    tokens = tokens.filter((t) => t.span.end <= ctx.wordStart);
  }
  tokens = joinHyphens(tokens);
  // A hyphenated name being typed (`waits-f`, `virtio-`): its first part and dash are tokens now; keep them out.
  for (;;) {
    const dash = tokens[tokens.length - 1];
    const before = tokens[tokens.length - 2];
    if (
      dash &&
      before &&
      dash.kind === 'punct' &&
      dash.text === '-' &&
      dash.span.end === ctx.wordStart &&
      before.kind === 'ident' &&
      before.span.end === dash.span.start
    ) {
      ctx.word = text.slice(before.span.start, offset);
      ctx.wordStart = before.span.start;
      tokens = tokens.slice(0, -2);
    } else break;
  }

  // Only the statement being typed: after the last `;`, `{` or `}` on the line.
  let from = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'punct' && (t.text === ';' || t.text === '{' || t.text === '}')) from = i + 1;
  }
  tokens = tokens.slice(from);
  // A label before a statement on the same line: `resume: expect x0 == 1`.
  if (
    ctx.block === 'code' &&
    tokens.length >= 2 &&
    tokens[0].kind === 'ident' &&
    tokens[1].kind === 'punct' &&
    tokens[1].text === ':' &&
    !tokens[1].spaceBefore
  )
    tokens = tokens.slice(2);
  ctx.tokens = tokens;
  return ctx;
}

/**
 * The identifier at the end of `text` (`[A-Za-z_][A-Za-z0-9_]*`, from its first letter or `_`), or ''. One scan back
 * from the end: a regular expression searching for it from every position would be quadratic on a long line.
 */
function wordBefore(text: string): string {
  let start = text.length;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1])) start--;
  while (start < text.length && text[start] >= '0' && text[start] <= '9') start++;
  return text.slice(start);
}

/** The dotted path being typed before the cursor (`net0.pmcsr.` gives ['net0', 'pmcsr']), if the tokens end with one.
 * */
export function pathBeforeCursor(
  ctx: CursorContext,
): { parts: string[]; start: number; tokenIndex: number } | undefined {
  const t = ctx.tokens;
  let i = t.length - 1;
  if (i < 0 || t[i].kind !== 'punct' || t[i].text !== '.' || t[i].spaceBefore) return undefined;
  if (ctx.word && t[i].span.end !== ctx.wordStart) return undefined;
  if (!ctx.word && t[i].span.end !== ctx.offset) return undefined;
  const parts: string[] = [];
  while (
    i >= 1 &&
    t[i].kind === 'punct' &&
    t[i].text === '.' &&
    !t[i].spaceBefore &&
    t[i - 1].kind === 'ident' &&
    t[i - 1].span.end === t[i].span.start
  ) {
    parts.unshift(t[i - 1].text);
    i -= 2;
    if (i < 0 || t[i].kind !== 'punct' || t[i].text !== '.' || t[i].span.end !== t[i + 1].span.start) break;
  }
  if (!parts.length) return undefined;
  const first = t[i + 1];
  return { parts, start: first.span.start, tokenIndex: i + 1 };
}
