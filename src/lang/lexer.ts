// The scanner: turns .sflow text into tokens with spans. It never throws; a character it cannot use becomes an
// `invalid` token with a diagnostic, so the parser can go on.

import { BOM, DiagnosticBag } from './diagnostics';
import { Span } from './source';

export type TokenKind =
  | 'ident'
  | 'number' // integer, hex, or a size with K/M/G/T suffix; value in bytes for sizes
  | 'time' // a duration; value in nanoseconds
  | 'percent' // `10%`
  | 'version' // `1.0`, `0.2`
  | 'bdf' // PCI bus:device.function, `00:01.0` or `0000:00:01.0`
  | 'string'
  | 'punct'
  | 'newline'
  | 'invalid'
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  span: Span;
  /** numbers, sizes, times, percents */
  value?: bigint;
  /** the unit as written: `ms`, `M`, ... */
  unit?: string;
  /** true when whitespace or a comment precedes the token (lets the parser join `waits-for` but not `a - b`). */
  spaceBefore: boolean;
}

const PUNCTUATION = [
  '..',
  '->',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<<',
  '>>',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ',',
  ';',
  ':',
  '=',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '~',
  '.',
  '@',
];

/** Punctuation by its first character, longest first (so `..` wins over `.`). */
const PUNCTUATION_BY_CHAR = new Map<string, string[]>();
for (const p of PUNCTUATION)
  PUNCTUATION_BY_CHAR.set(
    p[0],
    [...(PUNCTUATION_BY_CHAR.get(p[0]) ?? []), p].sort((a, b) => b.length - a.length),
  );

/** Literals are 64-bit: 0 to 2^64 - 1 (the values are 64-bit two's complement, so 0xffffffffffffffff is -1). */
const MAX_LITERAL = (1n << 64n) - 1n;

/** Nanoseconds per time unit. */
export const TIME_UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n };
const SIZE_UNITS: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}
function isHex(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

const BDF = /(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7](?![0-9A-Za-z_.])/y;

export function tokenize(text: string, diagnostics: DiagnosticBag): Token[] {
  const lexer = new Lexer(text, diagnostics);
  const tokens: Token[] = [];
  for (;;) {
    const t = lexer.next();
    tokens.push(t);
    if (t.kind === 'eof') return tokens;
  }
}

/**
 * The scanner as a token stream, so the parser can pull tokens as it needs them and start anywhere a token starts
 * (the language server re-parses only the edited part of a document: see incremental.ts). The lexer carries no
 * state from one token to the next beyond its position: a block comment is skipped whole, a string ends at the end
 * of its line. The stream ends with a newline token and then `eof`, returned again on every later call.
 */
export class Lexer {
  private pos: number;
  private spaceBefore = true;
  private readonly queue: Token[] = [];
  private ended = false;

  constructor(
    private readonly text: string,
    private readonly diagnostics: DiagnosticBag,
    start = 0,
  ) {
    this.pos = start;
  }

  next(): Token {
    while (this.queue.length === 0) this.scan();
    return this.queue.length > 1 || this.queue[0].kind !== 'eof' ? this.queue.shift()! : this.queue[0];
  }

  private push(kind: TokenKind, start: number, extra?: Partial<Token>): void {
    const token: Token = {
      kind,
      text: this.text.slice(start, this.pos),
      span: { start, end: this.pos },
      spaceBefore: this.spaceBefore,
    };
    if (extra) Object.assign(token, extra);
    this.queue.push(token);
    this.spaceBefore = false;
  }

  /** Scans from the current position until it has queued at least one token. */
  private scan(): void {
    const text = this.text;
    const diagnostics = this.diagnostics;
    if (this.ended) return;
    while (this.pos < text.length) {
      const pos = this.pos;
      const c = text[pos];
      const start = pos;
      if (c === ' ' || c === '\t' || (pos === 0 && c.charCodeAt(0) === BOM)) {
        this.pos++;
        this.spaceBefore = true;
        continue;
      }
      // A line ends at `\n`, `\r\n` or a lone `\r` (source.ts): one newline token, which starts where the line's
      // text ends (a diagnostic at a newline points at the end of its line, never between `\r` and `\n`).
      if (c === '\n' || c === '\r') {
        this.pos += c === '\r' && text[pos + 1] === '\n' ? 2 : 1;
        this.push('newline', start);
        this.spaceBefore = true;
        return;
      }
      if (c === '/' && text[pos + 1] === '/') {
        while (this.pos < text.length && text[this.pos] !== '\n' && text[this.pos] !== '\r') this.pos++;
        this.spaceBefore = true;
        continue;
      }
      if (c === '/' && text[pos + 1] === '*') {
        const close = text.indexOf('*/', pos + 2);
        this.spaceBefore = true;
        if (close < 0) {
          diagnostics.add({ start, end: start + 2 }, 'unterminated-comment', 'unterminated block comment: missing */');
          this.pos = text.length;
          continue;
        }
        // A block comment spanning lines still ends the statement, as a newline would.
        const body = text.slice(pos, close + 2);
        this.pos = close + 2;
        if (body.includes('\n') || body.includes('\r')) {
          this.queue.push({ kind: 'newline', text: '', span: { start: this.pos, end: this.pos }, spaceBefore: true });
          return;
        }
        continue;
      }
      // A PCI address has ':' two (or four) characters in: test that before running the regex.
      BDF.lastIndex = pos;
      if ((text[pos + 2] === ':' || text[pos + 4] === ':') && isHex(c) && BDF.test(text)) {
        this.pos = BDF.lastIndex;
        this.push('bdf', start);
        return;
      }
      if (isDigit(c)) {
        this.scanNumber(start);
        return;
      }
      if (isIdentStart(c)) {
        while (this.pos < text.length && isIdentPart(text[this.pos])) this.pos++;
        this.push('ident', start);
        return;
      }
      if (c === '"') {
        this.scanString(start);
        return;
      }
      const punct = PUNCTUATION_BY_CHAR.get(c)?.find((p) => text.startsWith(p, pos));
      if (punct) {
        this.pos += punct.length;
        this.push('punct', start);
        return;
      }
      // One diagnostic per character, not per UTF-16 unit: a character outside the BMP (an emoji) is two units.
      const ch = String.fromCodePoint(text.codePointAt(pos)!);
      this.pos += ch.length;
      diagnostics.add({ start, end: this.pos }, 'invalid-character', `unexpected character '${ch}'`);
      this.push('invalid', start);
      return;
    }
    this.ended = true;
    const end = this.pos;
    this.queue.push({ kind: 'newline', text: '', span: { start: end, end }, spaceBefore: true });
    this.queue.push({ kind: 'eof', text: '', span: { start: end, end }, spaceBefore: true });
  }

  private scanNumber(start: number): void {
    if (this.text[this.pos] === '0' && (this.text[this.pos + 1] === 'x' || this.text[this.pos + 1] === 'X')) {
      this.pos += 2;
      const digitsStart = this.pos;
      while (this.pos < this.text.length && /[0-9a-fA-F_]/.test(this.text[this.pos])) this.pos++;
      const digits = this.text.slice(digitsStart, this.pos).replace(/_/g, '');
      if (digits.length === 0) {
        // `0xZZ` is one malformed number, not `0x` followed by a name the parser would report again.
        while (this.pos < this.text.length && isIdentPart(this.text[this.pos])) this.pos++;
        this.diagnostics.add({ start, end: this.pos }, 'bad-number', 'hex number needs digits after 0x');
        this.push('number', start, { value: 0n });
        return;
      }
      this.trailingGarbage(start);
      this.push('number', start, { value: this.inRange(BigInt('0x' + digits), start, 'integer') });
      return;
    }
    while (this.pos < this.text.length && (isDigit(this.text[this.pos]) || this.text[this.pos] === '_')) this.pos++;
    let fraction = '';
    if (this.text[this.pos] === '.' && isDigit(this.text[this.pos + 1] ?? '')) {
      const fracStart = this.pos + 1;
      this.pos++;
      while (this.pos < this.text.length && isDigit(this.text[this.pos])) this.pos++;
      fraction = this.text.slice(fracStart, this.pos);
    }
    const whole = this.text.slice(start, fraction ? this.pos - fraction.length - 1 : this.pos).replace(/_/g, '');
    const suffixStart = this.pos;
    while (this.pos < this.text.length && isIdentPart(this.text[this.pos])) this.pos++;
    const suffix = this.text.slice(suffixStart, this.pos);
    if (suffix === '' && this.text[this.pos] === '%') {
      this.pos++;
      // Percentages are whole numbers; `1.5%` must not silently become 1%.
      if (fraction)
        this.diagnostics.add(
          { start, end: this.pos },
          'bad-number',
          `${this.text.slice(start, this.pos)}: a percentage is a whole number`,
        );
      this.push('percent', start, { value: this.inRange(BigInt(whole), start, 'integer'), unit: '%' });
      return;
    }
    if (suffix === '') {
      if (fraction) this.push('version', start);
      else this.push('number', start, { value: this.inRange(BigInt(whole), start, 'integer') });
      return;
    }
    const scale = TIME_UNITS[suffix] ?? SIZE_UNITS[suffix];
    if (scale === undefined) {
      this.diagnostics.add(
        { start: suffixStart, end: this.pos },
        'bad-unit',
        `unknown unit '${suffix}': use ns, us, ms, s for times or K, M, G, T for sizes`,
      );
      this.push('number', start, { value: BigInt(whole) });
      return;
    }
    const time = TIME_UNITS[suffix] !== undefined;
    const value = this.inRange(this.scaled(whole, fraction, scale, start), start, time ? 'time' : 'integer');
    this.push(time ? 'time' : 'number', start, { value, unit: suffix });
  }

  private scaled(whole: string, fraction: string, scale: bigint, start: number): bigint {
    if (!fraction) return BigInt(whole) * scale;
    const denominator = 10n ** BigInt(fraction.length);
    const numerator = (BigInt(whole) * denominator + BigInt(fraction)) * scale;
    if (numerator % denominator !== 0n)
      this.diagnostics.add(
        { start, end: this.pos },
        'bad-number',
        `${this.text.slice(start, this.pos)} is not a whole number of the smallest unit`,
      );
    return numerator / denominator;
  }

  /** A literal beyond 64 bits is an error at the literal (it would wrap silently otherwise). */
  private inRange(value: bigint, start: number, what: 'integer' | 'time'): bigint {
    if (value > MAX_LITERAL) {
      const range =
        what === 'time'
          ? 'times are 64-bit counts of nanoseconds (0 to 0xffffffffffffffff ns)'
          : 'integers are 64 bits (0 to 0xffffffffffffffff)';
      this.diagnostics.add(
        { start, end: this.pos },
        'number-out-of-range',
        `${this.text.slice(start, this.pos)} is out of range: ${range}`,
      );
      // Reported once, here: the value stands in as 0 so that nothing reports it again under another name.
      return 0n;
    }
    return value;
  }

  private trailingGarbage(start: number): void {
    const garbageStart = this.pos;
    while (this.pos < this.text.length && isIdentPart(this.text[this.pos])) this.pos++;
    if (this.pos > garbageStart)
      this.diagnostics.add(
        { start, end: this.pos },
        'bad-number',
        `malformed number '${this.text.slice(start, this.pos)}'`,
      );
  }

  /** A string ends on its line: at its closing quote, else (unterminated) at the line break or the end of the file. */
  private scanString(start: number): void {
    const text = this.text;
    this.pos++;
    while (this.pos < text.length && text[this.pos] !== '"' && text[this.pos] !== '\n' && text[this.pos] !== '\r') {
      if (text[this.pos] === '\\') {
        const next = text[this.pos + 1];
        // `\` escapes the next character on the line; before a line break (or at the end of the file) it is left alone.
        if (next === '\n' || next === '\r') {
          this.diagnostics.add(
            { start: this.pos, end: this.pos + 1 },
            'unterminated-string',
            "a string ends at the end of its line: the '\\' before the line break continues nothing",
          );
          this.pos++;
          this.push('string', start);
          return;
        }
        if (next === undefined) {
          this.pos++;
          break;
        }
        this.pos++;
      }
      this.pos++;
    }
    if (text[this.pos] !== '"') {
      this.diagnostics.add({ start, end: this.pos }, 'unterminated-string', 'unterminated string: missing closing "');
      this.push('string', start);
      return;
    }
    this.pos++;
    this.push('string', start);
  }
}
