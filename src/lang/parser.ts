// Hand-written recursive-descent parser with error recovery. A statement or declaration that does not parse
// yields one diagnostic and an error node; the parser then skips to the end of that statement (newline, `;` or
// the closing brace of its block) and goes on, so a file with five broken statements reports five errors.

import * as A from './ast';
import { Diagnostic, DiagnosticBag } from './diagnostics';
import { EXPLORE_BOUNDS } from './domain/explore';
import { DEVICE_MODEL_NAMES } from './domain/devices';
import { HOST_VMM_ANSWERS, VMM_EVENT_NAMES } from './domain/flavours';
import { HOST_SETTINGS } from './domain/host';
import { Lexer, Token, tokenize } from './lexer';
import { SourceFile, Span } from './source';

export interface ParseResult {
  file: SourceFile;
  ast: A.ScenarioFile;
  /** the parse's diagnostics; the checker adds its own to the same bag */
  diagnostics: DiagnosticBag;
  /** where each top-level item starts (its first token), in order */
  itemStarts: number[];
  /** the lexer's diagnostics, in order: each lies inside the token (or comment) it is about */
  lexerDiagnostics: Diagnostic[];
  /** the parser's diagnostics, per top-level item (what parsing that item reported, wherever it points) */
  itemDiagnostics: Diagnostic[][];
}

/** The parse's own diagnostics (the lexer's, then the parser's), without those the checker added since. */
export function parseDiagnostics(r: ParseResult): Diagnostic[] {
  return r.lexerDiagnostics.concat(...r.itemDiagnostics);
}

export function parse(file: SourceFile): ParseResult {
  const part = parseItemsFrom(file, 0);
  return parseResult(file, part.items, part.starts, part.end, part.lexerDiagnostics, part.itemDiagnostics);
}

/** A ParseResult from its parts, with the bag the checker goes on filling. */
export function parseResult(
  file: SourceFile,
  items: A.Item[],
  itemStarts: number[],
  end: number,
  lexerDiagnostics: Diagnostic[],
  itemDiagnostics: Diagnostic[][],
): ParseResult {
  const result: ParseResult = {
    file,
    ast: { items, span: { start: 0, end } },
    diagnostics: new DiagnosticBag(file),
    itemStarts,
    lexerDiagnostics,
    itemDiagnostics,
  };
  result.diagnostics.items.push(...parseDiagnostics(result));
  return result;
}

/**
 * Parses `file` from `start` (0, or where a top-level item starts) to the end, or up to the first item that starts
 * at an offset `stopAt` accepts (the incremental parse, incremental.ts).
 */
export function parseItemsFrom(file: SourceFile, start: number, stopAt?: (offset: number) => boolean) {
  const lexerBag = new DiagnosticBag(file);
  const parserBag = new DiagnosticBag(file);
  const part = new Parser(new Lexer(file.text, lexerBag, start), parserBag).parseItems(stopAt);
  return {
    ...part,
    lexerDiagnostics: lexerBag.items,
    itemDiagnostics: part.itemDiagnostics.map(([from, to]) => parserBag.items.slice(from, to)),
  };
}

/** Parses a whole file as one expression (a watch, a condition, a hover); undefined after reporting an error. */
export function parseExpression(file: SourceFile, diagnostics: DiagnosticBag): A.Expr | undefined {
  const tokens = tokenize(file.text, diagnostics).filter(
    (t) => t.kind !== 'newline' || t.span.start === file.text.length,
  );
  const parser = new Parser(tokens, diagnostics);
  try {
    const expr = parser.parseExpr();
    parser.expectEndOfExpression();
    return diagnostics.items.some((d) => d.severity === 'error') ? undefined : expr;
  } catch (e) {
    if (!(e instanceof ParseAbort)) throw e;
    return undefined;
  }
}

/** Thrown inside one statement's parse to abandon it; caught at the statement boundary. */
class ParseAbort {}

/**
 * How deep an expression may nest: each parenthesis, unary operator, `irq N pending` and right-hand operand of a
 * binary operator opens a level. A chain of left-associative operators (`1 + 2 + 3 ...`) does not nest, however long
 * it is: the parser builds it in a loop and every walk over expressions follows its left operands in a loop too.
 * Beyond the limit the parser reports the token that went too deep; below it no walk can exhaust the stack.
 */
export const MAX_EXPRESSION_DEPTH = 256;

/** How deep blocks (a program or proc body, `loop`, `if`, `else`, `foreach`, `on irq`) may nest; `else if` does not. */
export const MAX_BLOCK_DEPTH = 256;

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '==': 6,
  '!=': 6,
  '<': 7,
  '<=': 7,
  '>': 7,
  '>=': 7,
  '<<': 8,
  '>>': 8,
  '+': 9,
  '-': 9,
  '*': 10,
  '/': 10,
  '%': 10,
};

/** Words that begin a statement; a line starting with anything else is a diagnostic. */
export const STATEMENT_KEYWORDS = [
  'psci',
  'smc',
  'hvc',
  'mmio',
  's2idle',
  'pci',
  'virtio',
  'irq',
  'wfi',
  'delay',
  'signal',
  'wait',
  'call',
  'return',
  'loop',
  'break',
  'if',
  'halt',
  'set',
  'expect',
  'log',
  'on',
  'foreach',
  'clear',
  'context',
] as const;

export const VM_MEMBER_KEYWORDS = [
  'hypervisor',
  'vcpus',
  'ram',
  'device',
  's2idle_notify',
  'watchdog',
  'role',
  'on',
  'statement_time',
  'jitter',
  'code_base',
] as const;
export const HOST_MEMBER_KEYWORDS = ['policy', 'at', ...HOST_SETTINGS.map((s) => s.name)] as const;
export const TOP_LEVEL_KEYWORDS = ['vm', 'host', 'proc', 'explore'] as const;

class Parser {
  private pos = 0;
  /** the tokens read so far: all of them up front, or pulled from a lexer as the parse needs them */
  private readonly tokens: Token[];
  private readonly lexer?: Lexer;

  constructor(
    source: Token[] | Lexer,
    private readonly diagnostics: DiagnosticBag,
  ) {
    if (Array.isArray(source)) this.tokens = source;
    else {
      this.tokens = [];
      this.lexer = source;
    }
  }

  /** Token `i`, lexing up to it if need be; past the end, the `eof` token. */
  private at(i: number): Token {
    const tokens = this.tokens;
    while (i >= tokens.length) {
      const last = tokens[tokens.length - 1];
      if (!this.lexer || last?.kind === 'eof') return last;
      tokens.push(this.lexer.next());
    }
    return tokens[i];
  }

  // ------------------------------------------------------------------------------------------ token helpers

  /** Inside parentheses an expression may wrap onto the next line, unless that line starts a new statement. */
  private parenDepth = 0;
  /** Levels of expression nesting and of blocks open at the current token (MAX_EXPRESSION_DEPTH, MAX_BLOCK_DEPTH). */
  private exprDepth = 0;
  private blockDepth = 0;

  private get tok(): Token {
    if (this.parenDepth > 0) this.skipWrappedNewlines();
    return this.at(this.pos);
  }
  private skipWrappedNewlines(): void {
    let p = this.pos;
    while (this.at(p).kind === 'newline') p++;
    if (p === this.pos) return;
    const next = this.at(p);
    const startsStatement =
      next.kind === 'eof' ||
      (next.kind === 'punct' && next.text === '}') ||
      (next.kind === 'ident' && STATEMENT_KEYWORDS.includes(next.text as never));
    if (!startsStatement) this.pos = p;
  }
  /** Runs `parse` with newlines inside parentheses continuing the line (argument and parameter lists). */
  private inParens(parse: () => void): void {
    this.parenDepth++;
    try {
      parse();
    } finally {
      this.parenDepth--;
    }
  }
  private peek(offset = 1): Token {
    return this.at(this.pos + offset);
  }
  private advance(): Token {
    const t = this.at(this.pos);
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private isPunct(text: string, t = this.tok): boolean {
    return t.kind === 'punct' && t.text === text;
  }
  private isWord(text: string, t = this.tok): boolean {
    return t.kind === 'ident' && t.text === text;
  }
  private atStatementEnd(): boolean {
    const t = this.tok;
    return t.kind === 'newline' || t.kind === 'eof' || this.isPunct(';') || this.isPunct('}');
  }
  private prevEnd(): number {
    return this.at(Math.max(0, this.pos - 1)).span.end;
  }

  private fail(span: Span, code: string, message: string): never {
    // The lexer has already reported a character it could not use; one mistake, one diagnostic.
    const t = this.at(this.pos);
    if (!(t.kind === 'invalid' && t.span.start === span.start)) this.diagnostics.add(span, code, message);
    throw new ParseAbort();
  }
  private describe(t: Token): string {
    if (t.kind === 'newline') return 'end of line';
    if (t.kind === 'eof') return 'end of file';
    return `'${t.text}'`;
  }
  private expectPunct(text: string, context: string): Token {
    if (this.isPunct(text)) return this.advance();
    return this.fail(
      this.tok.span,
      'expected-token',
      `expected '${text}' ${context}, found ${this.describe(this.tok)}`,
    );
  }
  private expectWord(text: string, context: string): Token {
    if (this.isWord(text)) return this.advance();
    return this.fail(
      this.tok.span,
      'expected-token',
      `expected '${text}' ${context}, found ${this.describe(this.tok)}`,
    );
  }

  /** An identifier; words joined by `-` with no spaces (`waits-for`, `virtio-net`) form one name. */
  private name(what: string): A.Name {
    const t = this.tok;
    if (t.kind !== 'ident') return this.fail(t.span, 'expected-name', `expected ${what}, found ${this.describe(t)}`);
    this.advance();
    let text = t.text;
    let end = t.span.end;
    while (this.isPunct('-') && !this.tok.spaceBefore && this.peek().kind === 'ident' && !this.peek().spaceBefore) {
      this.advance();
      const part = this.advance();
      text += '-' + part.text;
      end = part.span.end;
    }
    return { text, span: { start: t.span.start, end } };
  }

  /** `a.b.c` as one name (proc names such as `linux.pm_suspend`). */
  private dottedName(what: string): A.Name {
    const first = this.name(what);
    let text = first.text;
    let end = first.span.end;
    while (this.isPunct('.') && !this.tok.spaceBefore && this.peek().kind === 'ident') {
      this.advance();
      const part = this.name(what);
      text += '.' + part.text;
      end = part.span.end;
    }
    return { text, span: { start: first.span.start, end } };
  }

  private skipNewlines(): void {
    while (this.tok.kind === 'newline' || this.isPunct(';')) this.advance();
  }

  /** After an error: skip to the end of the statement, without consuming a `}` that closes the enclosing block. */
  private recover(): void {
    let depth = 0;
    while (this.tok.kind !== 'eof') {
      if (depth === 0 && (this.tok.kind === 'newline' || this.isPunct(';'))) return;
      if (this.isPunct('{')) depth++;
      if (this.isPunct('}')) {
        if (depth === 0) return;
        depth--;
        if (depth === 0) {
          this.advance();
          return;
        }
      }
      this.advance();
    }
  }

  private endStatement(what: string): void {
    if (this.atStatementEnd()) {
      if (this.isPunct(';') || this.tok.kind === 'newline') this.advance();
      return;
    }
    this.fail(
      this.tok.span,
      'expected-end',
      `unexpected ${this.describe(this.tok)} after ${what}; a statement ends at a newline or ';'`,
    );
  }

  // ------------------------------------------------------------------------------------------ file

  /**
   * Top-level items up to the end of the file, or up to the first item that starts where `stopAt` says (the
   * incremental parse's resynchronisation point). Between two items the parser holds no state but its position:
   * that is what lets the language server re-parse only part of a document.
   */
  parseItems(stopAt?: (offset: number) => boolean): {
    items: A.Item[];
    starts: number[];
    itemDiagnostics: [number, number][];
    end: number;
    stoppedAt?: number;
  } {
    const items: A.Item[] = [];
    const starts: number[] = [];
    // Which of the parser's diagnostics each item reported: [from, to) in its bag.
    const itemDiagnostics: [number, number][] = [];
    this.skipNewlines();
    while (this.tok.kind !== 'eof') {
      const start = this.tok.span.start;
      if (stopAt?.(start)) return { items, starts, itemDiagnostics, end: this.tok.span.end, stoppedAt: start };
      starts.push(start);
      const from = this.diagnostics.items.length;
      try {
        items.push(this.parseItem());
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.recoverTopLevel();
        items.push({ kind: 'error', span: { start, end: this.prevEnd() } });
      }
      itemDiagnostics.push([from, this.diagnostics.items.length]);
      this.skipNewlines();
    }
    return { items, starts, itemDiagnostics, end: this.tok.span.end };
  }

  /** At top level a broken item is skipped up to its matching close brace or the end of the line. */
  private recoverTopLevel(): void {
    let depth = 0;
    while (this.tok.kind !== 'eof') {
      if (this.isPunct('{')) depth++;
      else if (this.isPunct('}')) {
        depth--;
        if (depth <= 0) {
          this.advance();
          return;
        }
      } else if (depth === 0 && this.tok.kind === 'newline') return;
      this.advance();
    }
  }

  private parseItem(): A.Item {
    const t = this.tok;
    if (this.isWord('vm')) return this.parseVm();
    if (this.isWord('host')) return this.parseHost();
    if (this.isWord('proc')) return this.parseProc();
    // A VM may be called `explore`: `explore.vcpu0 { }` is its program.
    if (this.isWord('explore') && !this.isPunct('.', this.peek())) return this.parseExplore();
    if (this.isWord('expect')) {
      const start = this.advance().span.start;
      this.expectWord('violation', "at the top level ('expect violation INVARIANT')");
      const invariant = this.name('an invariant name such as mmio-to-sleeping-bar');
      const item: A.ExpectViolationItem = { kind: 'expectViolation', invariant, span: { start, end: this.prevEnd() } };
      this.endStatement("'expect violation'");
      return item;
    }
    if (t.kind === 'ident' && this.isPunct('.', this.peek())) return this.parseProgram();
    return this.fail(
      t.span,
      'expected-item',
      `expected 'vm', 'host', 'proc', 'explore', 'expect violation' or a vCPU program 'VM.vcpuN { ... }', found ${this.describe(t)}`,
    );
  }

  private parseProgram(): A.ProgramItem {
    const vm = this.name('a VM name');
    this.expectPunct('.', "between the VM name and 'vcpuN'");
    const vcpu = this.name("'vcpuN'");
    const off = this.isWord('off') ? this.advance().span : undefined;
    const body = this.parseBlock('program');
    return { kind: 'program', vm, vcpu, off, body, span: { start: vm.span.start, end: body.span.end } };
  }

  private parseProc(): A.ProcItem {
    const start = this.advance().span.start;
    const name = this.dottedName('a procedure name');
    const params: A.Name[] = [];
    if (this.isPunct('(')) {
      this.advance();
      this.inParens(() => {
        while (!this.isPunct(')')) {
          params.push(this.name('a parameter name'));
          if (!this.isPunct(',')) break;
          this.advance();
        }
        this.expectPunct(')', 'after the parameter list');
      });
    } else {
      while (this.tok.kind === 'ident') params.push(this.name('a parameter name'));
    }
    const body = this.parseBlock('proc');
    return { kind: 'proc', name, params, body, span: { start, end: body.span.end } };
  }

  // ------------------------------------------------------------------------------------------ explore

  /** `explore` alone (the CLI's default bounds) or `explore { bound value ... }`, the `{` on the same line. */
  private parseExplore(): A.ExploreItem {
    const keyword = this.advance().span;
    if (!this.isPunct('{')) {
      if (!this.atStatementEnd())
        this.fail(
          this.tok.span,
          'expected-token',
          `expected '{' or the end of the line after 'explore', found ${this.describe(this.tok)}`,
        );
      return { kind: 'explore', keyword, members: [], block: false, span: keyword };
    }
    const members = this.parseMembers('explore', () => this.parseExploreMember());
    return {
      kind: 'explore',
      keyword,
      members: members.items,
      block: true,
      span: { start: keyword.start, end: members.end },
    };
  }

  /**
   * `NAME [value]`. Any name parses: the checker knows the bounds, so a misspelt one gets a did-you-mean and a
   * quick fix, and a missing value is reported at the name rather than as a syntax error at the end of the line.
   */
  private parseExploreMember(): A.ExploreMember {
    const name = this.name(`a bound (${EXPLORE_BOUNDS.map((b) => b.name).join(', ')})`);
    const value = this.atStatementEnd() ? undefined : this.parseExpr();
    const member: A.ExploreMember = {
      kind: 'bound',
      name,
      value,
      span: { start: name.span.start, end: this.prevEnd() },
    };
    this.endStatement(`the '${name.text}' bound`);
    return member;
  }

  // ------------------------------------------------------------------------------------------ vm

  private parseVm(): A.VmItem {
    const start = this.advance().span.start;
    const name = this.name('a VM name');
    const members = this.parseMembers('vm', () => this.parseVmMember());
    return { kind: 'vm', name, members: members.items, span: { start, end: members.end } };
  }

  private parseMembers<T extends A.Node>(
    what: string,
    parseOne: () => T,
  ): { items: (T | A.ErrorMember)[]; end: number } {
    this.expectPunct('{', `to open the ${what} block`);
    const items: (T | A.ErrorMember)[] = [];
    this.skipNewlines();
    while (!this.isPunct('}')) {
      if (this.tok.kind === 'eof') this.fail(this.tok.span, 'unclosed-block', `missing '}' to close the ${what} block`);
      const start = this.tok.span.start;
      try {
        items.push(parseOne());
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.recover();
        items.push({ kind: 'error', span: { start, end: this.prevEnd() } });
      }
      this.skipNewlines();
    }
    const end = this.advance().span.end;
    return { items, end };
  }

  private parseVmMember(): A.VmMember {
    const t = this.tok;
    const start = t.span.start;
    const word = t.kind === 'ident' ? t.text : '';
    let member: A.VmMember;
    switch (word) {
      case 'hypervisor': {
        this.advance();
        const flavour = this.name("a hypervisor flavour ('kvm' or 'xen')");
        let psciVersion: A.Name | undefined;
        if (this.isWord('psci')) {
          this.advance();
          const v = this.tok;
          if (v.kind !== 'version' && v.kind !== 'number')
            this.fail(v.span, 'expected-version', `expected a PSCI version such as 1.0, found ${this.describe(v)}`);
          this.advance();
          psciVersion = { text: v.text, span: v.span };
        }
        const options = this.isPunct('{') ? this.parseOptionBlock() : [];
        member = { kind: 'hypervisor', flavour, psciVersion, options, span: { start, end: this.prevEnd() } };
        break;
      }
      case 'vcpus':
        this.advance();
        member = { kind: 'vcpus', count: this.parseExpr(), span: { start, end: this.prevEnd() } };
        break;
      case 'ram': {
        this.advance();
        const base = this.parseOperand();
        const size = this.parseOperand();
        member = { kind: 'ram', base, size, span: { start, end: this.prevEnd() } };
        break;
      }
      case 'device':
        member = this.parseDevice();
        break;
      case 's2idle_notify':
        this.advance();
        this.expectWord('at', "after 's2idle_notify'");
        member = { kind: 's2idleNotify', address: this.parseExpr(), span: { start, end: this.prevEnd() } };
        break;
      case 'watchdog':
        this.advance();
        member = { kind: 'watchdog', timeout: this.parseExpr(), span: { start, end: this.prevEnd() } };
        break;
      case 'role':
        this.advance();
        member = { kind: 'role', role: this.name("a role ('hardware-domain')"), span: { start, end: this.prevEnd() } };
        break;
      case 'on': {
        this.advance();
        const event = this.name(`a VMM event (${VMM_EVENT_NAMES.map((e) => `'${e}'`).join(', ')})`);
        this.expectPunct(':', `after 'on ${event.text}'`);
        const answers = [this.name('an answer')];
        while (this.isPunct('|')) {
          this.advance();
          answers.push(this.name('an answer'));
        }
        member = { kind: 'on', event, answers, span: { start, end: this.prevEnd() } };
        break;
      }
      case 'statement_time':
      case 'jitter':
      case 'code_base': {
        const name = this.name('a setting');
        member = { kind: 'setting', name, value: this.parseExpr(), span: { start, end: this.prevEnd() } };
        break;
      }
      default:
        this.fail(
          t.span,
          'unknown-declaration',
          `unknown VM declaration ${this.describe(t)}; expected one of ${VM_MEMBER_KEYWORDS.join(', ')}`,
        );
    }
    this.endStatement(`the '${word}' declaration`);
    return member;
  }

  private parseDevice(): A.DeviceDecl {
    const start = this.advance().span.start;
    const name = this.name('a device name');
    const model = this.name(`a device model (${DEVICE_MODEL_NAMES.join(', ')})`);
    this.expectWord('at', 'before the PCI address');
    const b = this.tok;
    if (b.kind !== 'bdf')
      this.fail(
        b.span,
        'expected-bdf',
        `expected a PCI address bus:device.function such as 00:01.0, found ${this.describe(b)}`,
      );
    this.advance();
    const bdf: A.Name = { text: b.text, span: b.span };
    let irq: A.Expr | undefined;
    if (this.isWord('irq')) {
      this.advance();
      irq = this.parseOperand();
    }
    const options = this.isPunct('{') ? this.parseOptionBlock() : [];
    return { kind: 'device', name, model, bdf, irq, options, span: { start, end: this.prevEnd() } };
  }

  private parseOptionBlock(): A.OptionDecl[] {
    const { items } = this.parseMembers('option', () => {
      const name = this.name('an option name');
      const values: A.Expr[] = [];
      while (!this.atStatementEnd()) values.push(this.parseOperand());
      const option: A.OptionDecl = { name, values, span: { start: name.span.start, end: this.prevEnd() } };
      this.endStatement(`the '${name.text}' option`);
      return option;
    });
    return items.filter((o): o is A.OptionDecl => 'name' in o);
  }

  // ------------------------------------------------------------------------------------------ host

  private parseHost(): A.HostItem {
    const start = this.advance().span.start;
    const members = this.parseMembers('host', () => this.parseHostMember());
    return { kind: 'host', members: members.items, span: { start, end: members.end } };
  }

  private parseHostMember(): A.HostMember {
    const t = this.tok;
    const start = t.span.start;
    if (this.isWord('policy')) {
      this.advance();
      const subject = this.name("a policy subject ('suspend')");
      const rule = this.name("a policy ('waits-for', 'privileged' or 'abort-on-wake')");
      const vm = rule.text === 'abort-on-wake' || this.atStatementEnd() ? undefined : this.name('a VM name');
      const qualifier = vm && this.tok.kind === 'ident' ? this.name("'s2idle'") : undefined;
      const member: A.PolicyDecl = {
        kind: 'policy',
        subject,
        rule,
        vm,
        qualifier,
        span: { start, end: this.prevEnd() },
      };
      this.endStatement('the policy');
      return member;
    }
    if (this.isWord('at')) {
      this.advance();
      const from = this.parseAdditive();
      let to: A.Expr | undefined;
      if (this.isPunct('..')) {
        this.advance();
        to = this.parseAdditive();
      }
      this.expectPunct(':', 'after the time of a host action');
      const action = this.parseHostAction();
      const member: A.AtDecl = { kind: 'at', from, to, action, span: { start, end: this.prevEnd() } };
      this.endStatement('the host action');
      return member;
    }
    const setting = HOST_SETTINGS.find((s) => this.isWord(s.name));
    if (setting) {
      const name = this.name('a setting');
      const member: A.SettingDecl = {
        kind: 'setting',
        name,
        value: this.parseExpr(),
        span: { start, end: this.prevEnd() },
      };
      this.endStatement(`the '${setting.name}' declaration`);
      return member;
    }
    return this.fail(
      t.span,
      'unknown-declaration',
      `unknown host declaration ${this.describe(t)}; expected 'policy', 'at TIME: ACTION', ${HOST_SETTINGS.map((s) => `'${s.name} TIME'`).join(' or ')}`,
    );
  }

  private parseHostAction(): A.HostAction {
    const t = this.tok;
    const start = t.span.start;
    if (this.isWord('irq')) {
      this.advance();
      const irq = this.parseOperand();
      this.expectPunct('->', "between the interrupt and its VM ('irq 33 -> guest')");
      const vm = this.name('a VM name');
      return { kind: 'irq', irq, vm, span: { start, end: this.prevEnd() } };
    }
    if (this.isWord('request')) {
      this.advance();
      this.expectWord('suspend', "after 'request'");
      return { kind: 'requestSuspend', span: { start, end: this.prevEnd() } };
    }
    if (this.isWord('wake')) {
      this.advance();
      return { kind: 'wake', span: { start, end: this.prevEnd() } };
    }
    if (this.isWord('vmm')) {
      this.advance();
      const vm = this.name('a VM name');
      const answers = HOST_VMM_ANSWERS.map((a) => `'${a}'`);
      const answer = this.name(`an answer (${answers.slice(0, -1).join(', ')} or ${answers.at(-1)})`);
      return { kind: 'vmm', vm, answer, span: { start, end: this.prevEnd() } };
    }
    return this.fail(
      t.span,
      'unknown-host-action',
      `unknown host action ${this.describe(t)}; expected 'irq N -> VM', 'request suspend', 'wake' or 'vmm VM confirm|deny|resume'`,
    );
  }

  // ------------------------------------------------------------------------------------------ statements

  private parseBlock(what: string): A.Block {
    // Too deep: reported at the `{`, before it is consumed, so that recovery skips the whole block.
    if (this.blockDepth >= MAX_BLOCK_DEPTH && this.isPunct('{'))
      this.fail(this.tok.span, 'too-deep', `blocks nest deeper than ${MAX_BLOCK_DEPTH} levels`);
    const open = this.expectPunct('{', `to open the ${what} body`);
    const statements: A.Stmt[] = [];
    this.blockDepth++;
    try {
      this.skipNewlines();
      while (!this.isPunct('}')) {
        if (this.tok.kind === 'eof') {
          this.diagnostics.add(open.span, 'unclosed-block', `missing '}' to close this ${what} body`);
          return {
            kind: 'block',
            statements,
            closeSpan: this.tok.span,
            span: { start: open.span.start, end: this.tok.span.end },
          };
        }
        statements.push(this.parseStatement());
        this.skipNewlines();
      }
    } finally {
      this.blockDepth--;
    }
    const close = this.advance();
    return { kind: 'block', statements, closeSpan: close.span, span: { start: open.span.start, end: close.span.end } };
  }

  private parseStatement(): A.Stmt {
    const first = this.tok;
    const start = first.span.start;
    try {
      const stmt = this.parseStatementInner();
      if (
        stmt.kind !== 'label' &&
        stmt.kind !== 'loop' &&
        stmt.kind !== 'if' &&
        stmt.kind !== 'onIrq' &&
        stmt.kind !== 'foreach'
      )
        this.endStatement(`'${first.text}'`);
      return stmt;
    } catch (e) {
      if (!(e instanceof ParseAbort)) throw e;
      this.recover();
      return { kind: 'error', span: { start, end: Math.max(start, this.prevEnd()) } };
    }
  }

  private parseStatementInner(): A.Stmt {
    const t = this.tok;
    const start = t.span.start;
    const span = () => ({ start, end: this.prevEnd() });
    if (t.kind !== 'ident')
      return this.fail(t.span, 'expected-statement', `expected a statement, found ${this.describe(t)}`);

    // `label:` (but not `on irq`), a label is a word followed directly by ':'
    if (this.isPunct(':', this.peek()) && !STATEMENT_KEYWORDS.includes(t.text as never)) {
      const name = this.name('a label');
      this.advance();
      return { kind: 'label', name, span: span() };
    }

    switch (t.text) {
      case 'psci': {
        this.advance();
        const fn = this.name('a PSCI function name such as SYSTEM_SUSPEND');
        return { kind: 'psci', fn, args: this.parseNamedArgs(), span: span() };
      }
      case 'smc':
      case 'hvc': {
        this.advance();
        const id = this.parseOperand();
        return { kind: 'rawCall', conduit: t.text, id, args: this.parseNamedArgs(), span: span() };
      }
      case 'mmio': {
        this.advance();
        if (this.isWord('read')) {
          this.advance();
          const address = this.parseOperand();
          return { kind: 'mmioRead', address, width: this.parseWidth(), span: span() };
        }
        if (this.isWord('write')) {
          this.advance();
          const address = this.parseOperand();
          this.expectPunct('=', 'between the address and the value');
          const value = this.parseExpr();
          return { kind: 'mmioWrite', address, value, width: this.parseWidth(), span: span() };
        }
        return this.fail(
          this.tok.span,
          'expected-token',
          `expected 'read' or 'write' after 'mmio', found ${this.describe(this.tok)}`,
        );
      }
      case 's2idle':
        this.advance();
        this.expectWord('notify', "after 's2idle'");
        return { kind: 's2idleNotify', span: span() };
      case 'pci': {
        this.advance();
        if (this.isWord('save') || this.isWord('restore')) {
          const action = this.advance().text as 'save' | 'restore';
          return { kind: 'pciState', action, device: this.name('a device name'), span: span() };
        }
        if (this.isWord('read')) {
          this.advance();
          const device = this.name('a device name');
          const reg = this.parseRegRef();
          return { kind: 'pciRead', device, reg, width: this.parseWidth(), span: span() };
        }
        if (this.isWord('write')) {
          this.advance();
          const device = this.name('a device name');
          const reg = this.parseRegRef();
          this.expectPunct('=', 'between the register and the value');
          const value = this.parseExpr();
          return { kind: 'pciWrite', device, reg, value, width: this.parseWidth(), span: span() };
        }
        return this.fail(
          this.tok.span,
          'expected-token',
          `expected 'read' or 'write' after 'pci', found ${this.describe(this.tok)}`,
        );
      }
      case 'virtio': {
        this.advance();
        const action = this.name("'freeze', 'restore' or 'status'");
        if (action.text !== 'freeze' && action.text !== 'restore' && action.text !== 'status') {
          this.fail(
            action.span,
            'expected-token',
            `expected 'freeze', 'restore' or 'status' after 'virtio', found '${action.text}'`,
          );
        }
        const device = this.name('a device name');
        if (action.text === 'status') {
          this.expectPunct('=', "after 'virtio status DEVICE'");
          return { kind: 'virtio', action: 'status', device, value: this.parseExpr(), span: span() };
        }
        return { kind: 'virtio', action: action.text, device, span: span() };
      }
      case 'irq': {
        this.advance();
        const action = this.name("'enable', 'disable' or 'ack'");
        if (action.text !== 'enable' && action.text !== 'disable' && action.text !== 'ack') {
          this.fail(
            action.span,
            'expected-token',
            `expected 'enable', 'disable' or 'ack' after 'irq', found '${action.text}'`,
          );
        }
        const irq = this.parseOperand();
        let wake = false;
        if (this.isWord('wake')) {
          if (action.text !== 'enable')
            this.fail(this.tok.span, 'unexpected-wake', "'wake' only goes with 'irq enable'");
          this.advance();
          wake = true;
        }
        return { kind: 'irq', action: action.text, irq, wake, span: span() };
      }
      case 'wfi':
        this.advance();
        return { kind: 'wfi', span: span() };
      case 'foreach': {
        this.advance();
        const over = this.name("'device' or 'vcpu'");
        if (over.text !== 'device' && over.text !== 'vcpu')
          this.fail(over.span, 'expected-token', `expected 'device' or 'vcpu' after 'foreach', found '${over.text}'`);
        const name = this.name('a name for each one');
        const filter = this.tok.kind === 'ident' ? this.name('a filter') : undefined;
        const body = this.parseBlock('foreach');
        return { kind: 'foreach', over: over.text as 'device' | 'vcpu', name, filter, body, span: span() };
      }
      case 'clear':
        this.advance();
        this.expectWord('signal', "after 'clear'");
        return { kind: 'clearSignal', name: this.name('a signal name'), span: span() };
      case 'context': {
        this.advance();
        const action = this.name("'save' or 'restore'");
        if (action.text !== 'save' && action.text !== 'restore')
          this.fail(
            action.span,
            'expected-token',
            `expected 'save' or 'restore' after 'context', found '${action.text}'`,
          );
        return { kind: 'context', action: action.text as 'save' | 'restore', span: span() };
      }
      case 'delay':
        this.advance();
        return { kind: 'delay', duration: this.parseExpr(), span: span() };
      case 'signal':
        this.advance();
        return { kind: 'signal', name: this.name('a signal name'), span: span() };
      case 'wait':
        this.advance();
        if (this.isWord('signal')) {
          this.advance();
          return { kind: 'waitSignal', name: this.name('a signal name'), span: span() };
        }
        return { kind: 'waitExpr', condition: this.parseExpr(), span: span() };
      case 'call': {
        this.advance();
        const proc = this.parsePath();
        const args: A.Expr[] = [];
        if (this.isPunct('(') && !this.tok.spaceBefore) {
          this.advance();
          this.inParens(() => {
            while (!this.isPunct(')')) {
              args.push(this.parseExpr());
              if (!this.isPunct(',')) break;
              this.advance();
            }
            this.expectPunct(')', 'after the arguments');
          });
        } else {
          while (!this.atStatementEnd()) args.push(this.parseOperand());
        }
        return { kind: 'call', proc, args, span: span() };
      }
      case 'return':
        this.advance();
        return { kind: 'return', span: span() };
      case 'break':
        this.advance();
        return { kind: 'break', span: span() };
      case 'halt':
        this.advance();
        return { kind: 'halt', span: span() };
      case 'loop': {
        this.advance();
        const body = this.parseBlock('loop');
        return { kind: 'loop', body, span: span() };
      }
      case 'if':
        return this.parseIf();
      case 'set': {
        this.advance();
        const target = this.parsePath();
        this.expectPunct('=', `after 'set ${target.parts.map((p) => p.text).join('.')}'`);
        return { kind: 'set', target, value: this.parseExpr(), span: span() };
      }
      case 'expect': {
        this.advance();
        const condition = this.parseExpr();
        let message: A.Template | undefined;
        if (this.isPunct(',')) {
          this.advance();
          message = this.parseTemplate();
        }
        return { kind: 'expect', condition, message, span: span() };
      }
      case 'log':
        this.advance();
        return { kind: 'log', message: this.parseTemplate(), span: span() };
      case 'on': {
        this.advance();
        this.expectWord('irq', "after 'on' (a handler is 'on irq N { ... }')");
        const irq = this.parseOperand();
        const body = this.parseBlock('interrupt handler');
        return { kind: 'onIrq', irq, body, span: span() };
      }
      default:
        return this.fail(t.span, 'unknown-statement', `unknown statement '${t.text}'`);
    }
  }

  /** `if` with its `else if` chain, read in a loop: a chain of any length is one level of nesting. */
  private parseIf(): A.IfStmt {
    const chain: { start: number; condition: A.Expr; then: A.Block }[] = [];
    let last: A.Block | undefined;
    for (;;) {
      const start = this.advance().span.start;
      const condition = this.parseExpr();
      chain.push({ start, condition, then: this.parseBlock('if') });
      // `else` may follow `}` on the same line or the next one.
      const save = this.pos;
      while (this.tok.kind === 'newline') this.advance();
      if (!this.isWord('else')) {
        this.pos = save;
        break;
      }
      this.advance();
      if (this.isWord('if')) continue;
      last = this.parseBlock('else');
      break;
    }
    // Every `if` of the chain ends where the whole statement ends.
    const end = this.prevEnd();
    let node: A.Block | A.IfStmt | undefined = last;
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i];
      node = { kind: 'if', condition: c.condition, then: c.then, else: node, span: { start: c.start, end } };
    }
    return node as A.IfStmt;
  }

  private parseWidth(): A.Expr | undefined {
    if (!this.isWord('width')) return undefined;
    this.advance();
    return this.parseOperand();
  }

  private parseNamedArgs(): A.NamedArg[] {
    const args: A.NamedArg[] = [];
    while (!this.atStatementEnd()) {
      const name = this.name('an argument name=value');
      this.expectPunct('=', `after the argument name '${name.text}' (arguments are name=value)`);
      const value = this.parseOperand();
      args.push({ name, value, span: { start: name.span.start, end: value.span.end } });
    }
    return args;
  }

  private parseRegRef(): A.RegRef {
    const t = this.tok;
    if (t.kind === 'number') {
      const offset = this.parseOperand();
      return { offset, span: offset.span };
    }
    const register = this.name("a config register ('command', 'bar0', 'pmcsr', ...) or an offset");
    let field: A.Name | undefined;
    if (this.isPunct('.') && !this.tok.spaceBefore) {
      this.advance();
      field = this.name('a field name');
    }
    return { register, field, span: { start: register.span.start, end: this.prevEnd() } };
  }

  private parseTemplate(): A.Template {
    const t = this.tok;
    if (t.kind !== 'string')
      return this.fail(t.span, 'expected-string', `expected a string in double quotes, found ${this.describe(t)}`);
    this.advance();
    return parseTemplateText(t, this.diagnostics);
  }

  // ------------------------------------------------------------------------------------------ expressions

  /** Binary operators by precedence climbing: a chain of left-associative operators is built in the loop. */
  parseExpr(minPrecedence = 1): A.Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.tok;
      const precedence = t.kind === 'punct' ? BINARY_PRECEDENCE[t.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      this.advance();
      const right = this.nested(this.tok, () => this.parseExpr(precedence + 1));
      left = {
        kind: 'binary',
        op: t.text as A.BinaryOp,
        opSpan: t.span,
        left,
        right,
        span: { start: left.span.start, end: right.span.end },
      };
    }
  }

  /** Parses one level of expression nesting deeper, reporting `at` if that is too deep (MAX_EXPRESSION_DEPTH). */
  private nested<T>(at: Token, parse: () => T): T {
    if (this.exprDepth >= MAX_EXPRESSION_DEPTH)
      this.fail(at.span, 'too-deep', `expressions nest deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    this.exprDepth++;
    try {
      return parse();
    } finally {
      this.exprDepth--;
    }
  }

  /** After a standalone expression: nothing may follow it. */
  expectEndOfExpression(): void {
    if (this.tok.kind !== 'newline' && this.tok.kind !== 'eof')
      this.fail(this.tok.span, 'expected-end', `unexpected ${this.describe(this.tok)} after the expression`);
  }

  /** Inside a `{expr}` hole of a string: nothing may follow the expression. */
  expectEndOfHole(): void {
    if (this.tok.kind !== 'newline' && this.tok.kind !== 'eof')
      this.fail(this.tok.span, 'bad-interpolation', `unexpected ${this.describe(this.tok)} in {} of a string`);
  }

  /** `+ -` level and above: used where `..` or `:` follows (host windows). */
  private parseAdditive(): A.Expr {
    return this.parseExpr(BINARY_PRECEDENCE['+']);
  }

  private parseUnary(): A.Expr {
    const t = this.tok;
    if (this.isPunct('!') || this.isPunct('-') || this.isPunct('~')) {
      const operand = this.nested(t, () => {
        this.advance();
        return this.parseUnary();
      });
      return {
        kind: 'unary',
        op: t.text as '!' | '-' | '~',
        operand,
        span: { start: t.span.start, end: operand.span.end },
      };
    }
    return this.parsePrimary();
  }

  /** A value where spaces separate arguments: a primary or a unary minus; wider expressions need parentheses. */
  private parseOperand(): A.Expr {
    return this.parseUnary();
  }

  private parsePrimary(): A.Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.advance();
        return { kind: 'number', value: t.value ?? 0n, unit: t.unit ? 'size' : 'none', text: t.text, span: t.span };
      case 'time':
        this.advance();
        return { kind: 'number', value: t.value ?? 0n, unit: 'time', text: t.text, span: t.span };
      case 'percent':
        this.advance();
        return { kind: 'number', value: t.value ?? 0n, unit: 'percent', text: t.text, span: t.span };
      case 'punct':
        if (t.text === '(') {
          const inner = this.nested(t, () => {
            this.advance();
            this.parenDepth++;
            try {
              return this.parseExpr();
            } finally {
              this.parenDepth--;
            }
          });
          const close = this.expectPunct(')', 'to close the parenthesis');
          return { ...inner, span: { start: t.span.start, end: close.span.end } };
        }
        break;
      case 'ident':
        if (t.text === 'true' || t.text === 'false') {
          this.advance();
          return { kind: 'bool', value: t.text === 'true', span: t.span };
        }
        if (t.text === 'now' && !this.isPunct('.', this.peek())) {
          this.advance();
          return { kind: 'now', span: t.span };
        }
        if (t.text === 'irq' && !this.isPunct('.', this.peek())) {
          const irq = this.nested(t, () => {
            this.advance();
            return this.parsePrimary();
          });
          this.expectWord('pending', "after 'irq N' in an expression ('irq 33 pending')");
          return { kind: 'irqPending', irq, span: { start: t.span.start, end: this.prevEnd() } };
        }
        return this.parsePath();
      case 'bdf':
      case 'eof':
      case 'invalid':
      case 'newline':
      case 'string':
      case 'version':
        // not the start of a value: said below
        break;
    }
    return this.fail(t.span, 'expected-expression', `expected a value, found ${this.describe(t)}`);
  }

  /** A dotted name in an expression. Unlike declarations, `-` is always subtraction here: `x1-x2` is x1 - x2. */
  private parsePath(): A.PathExpr {
    const word = (): A.Name => {
      const t = this.tok;
      if (t.kind !== 'ident') return this.fail(t.span, 'expected-name', `expected a name, found ${this.describe(t)}`);
      this.advance();
      return { text: t.text, span: t.span };
    };
    const parts = [word()];
    while (this.isPunct('.') && !this.tok.spaceBefore && this.peek().kind === 'ident' && !this.peek().spaceBefore) {
      this.advance();
      parts.push(word());
    }
    return { kind: 'path', parts, span: { start: parts[0].span.start, end: parts[parts.length - 1].span.end } };
  }
}

/** Splits `"text {expr} more"` into literal parts and parsed expressions, with spans into the original file. */
function parseTemplateText(token: Token, diagnostics: DiagnosticBag): A.Template {
  const raw = token.text;
  const base = token.span.start;
  const parts: (string | A.Expr)[] = [];
  let literal = '';
  const bodyEnd = raw.endsWith('"') && raw.length > 1 ? raw.length - 1 : raw.length;
  for (let i = 1; i < bodyEnd; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < bodyEnd) {
      const next = raw[++i];
      literal += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      continue;
    }
    if (c === '{') {
      const close = raw.indexOf('}', i + 1);
      if (close < 0 || close >= bodyEnd) {
        diagnostics.add(
          { start: base + i, end: base + bodyEnd },
          'bad-interpolation',
          "unclosed '{' in string: write '\\{' for a literal brace",
        );
        literal += raw.slice(i, bodyEnd);
        break;
      }
      if (literal) parts.push(literal);
      literal = '';
      const innerText = raw.slice(i + 1, close);
      if (innerText.trim() === '') {
        diagnostics.add({ start: base + i, end: base + close + 1 }, 'bad-interpolation', 'empty {} in string');
        parts.push({ kind: 'error', span: { start: base + i + 1, end: base + close } });
        i = close;
        continue;
      }
      // Parse the hole with the same parser; token offsets are shifted back into the file.
      const innerDiagnostics = new DiagnosticBag(diagnostics.file);
      const holeStart = base + i + 1;
      const tokens = tokenize(innerText, innerDiagnostics).map((tk) => ({
        ...tk,
        span: { start: tk.span.start + holeStart, end: tk.span.end + holeStart },
      }));
      for (const d of innerDiagnostics.items) d.span = { start: d.span.start + holeStart, end: d.span.end + holeStart };
      const parser = new Parser(tokens, innerDiagnostics);
      let expr: A.Expr;
      try {
        expr = parser.parseExpr();
        parser.expectEndOfHole();
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        expr = { kind: 'error', span: { start: holeStart, end: base + close } };
      }
      diagnostics.items.push(...innerDiagnostics.items);
      parts.push(expr);
      i = close;
      continue;
    }
    literal += c;
  }
  if (literal) parts.push(literal);
  return { parts, span: token.span };
}
