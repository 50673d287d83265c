// The scanner: turns .sflow text into tokens with spans. It never throws; a character it cannot use becomes an
// `invalid` token with a diagnostic, so the parser can go on.

import { DiagnosticBag } from './diagnostics';
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
  '..', '->', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>',
  '{', '}', '(', ')', '[', ']', ',', ';', ':', '=', '<', '>', '!', '+', '-', '*', '/', '%', '&', '|', '^', '~', '.', '@',
];

/** Punctuation by its first character, longest first (so `..` wins over `.`). */
const PUNCTUATION_BY_CHAR = new Map<string, string[]>();
for (const p of PUNCTUATION) PUNCTUATION_BY_CHAR.set(p[0], [...(PUNCTUATION_BY_CHAR.get(p[0]) ?? []), p].sort((a, b) => b.length - a.length));

export const TIME_UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n };
export const SIZE_UNITS: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

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
  const tokens: Token[] = [];
  let pos = 0;
  let spaceBefore = true;

  const push = (kind: TokenKind, start: number, extra?: Partial<Token>) => {
    const token: Token = { kind, text: text.slice(start, pos), span: { start, end: pos }, spaceBefore };
    if (extra) Object.assign(token, extra);
    tokens.push(token);
    spaceBefore = false;
  };

  while (pos < text.length) {
    const c = text[pos];
    const start = pos;
    if (c === ' ' || c === '\t' || c === '\r') {
      pos++;
      spaceBefore = true;
      continue;
    }
    if (c === '\n') {
      pos++;
      push('newline', start);
      spaceBefore = true;
      continue;
    }
    if (c === '/' && text[pos + 1] === '/') {
      while (pos < text.length && text[pos] !== '\n') pos++;
      spaceBefore = true;
      continue;
    }
    if (c === '/' && text[pos + 1] === '*') {
      const close = text.indexOf('*/', pos + 2);
      if (close < 0) {
        diagnostics.add({ start, end: start + 2 }, 'unterminated-comment', 'unterminated block comment: missing */');
        pos = text.length;
      } else {
        // A block comment spanning lines still ends the statement, as a newline would.
        const body = text.slice(pos, close + 2);
        pos = close + 2;
        if (body.includes('\n')) tokens.push({ kind: 'newline', text: '', span: { start: pos, end: pos }, spaceBefore: true });
      }
      spaceBefore = true;
      continue;
    }
    // A PCI address has ':' two (or four) characters in: test that before running the regex.
    BDF.lastIndex = pos;
    if ((text[pos + 2] === ':' || text[pos + 4] === ':') && isHex(c) && BDF.test(text)) {
      pos = BDF.lastIndex;
      push('bdf', start);
      continue;
    }
    if (isDigit(c)) {
      scanNumber(start);
      continue;
    }
    if (isIdentStart(c)) {
      while (pos < text.length && isIdentPart(text[pos])) pos++;
      push('ident', start);
      continue;
    }
    if (c === '"') {
      scanString(start);
      continue;
    }
    const punct = PUNCTUATION_BY_CHAR.get(c)?.find((p) => text.startsWith(p, pos));
    if (punct) {
      pos += punct.length;
      push('punct', start);
      continue;
    }
    // One diagnostic per character, not per UTF-16 unit: a character outside the BMP (an emoji) is two units.
    const ch = String.fromCodePoint(text.codePointAt(pos)!);
    pos += ch.length;
    diagnostics.add({ start, end: pos }, 'invalid-character', `unexpected character '${ch}'`);
    push('invalid', start);
  }
  tokens.push({ kind: 'newline', text: '', span: { start: pos, end: pos }, spaceBefore: true });
  tokens.push({ kind: 'eof', text: '', span: { start: pos, end: pos }, spaceBefore: true });
  return tokens;

  function scanNumber(start: number): void {
    if (text[pos] === '0' && (text[pos + 1] === 'x' || text[pos + 1] === 'X')) {
      pos += 2;
      const digitsStart = pos;
      while (pos < text.length && /[0-9a-fA-F_]/.test(text[pos])) pos++;
      const digits = text.slice(digitsStart, pos).replace(/_/g, '');
      if (digits.length === 0) {
        // `0xZZ` is one malformed number, not `0x` followed by a name the parser would report again.
        while (pos < text.length && isIdentPart(text[pos])) pos++;
        diagnostics.add({ start, end: pos }, 'bad-number', 'hex number needs digits after 0x');
        push('number', start, { value: 0n });
        return;
      }
      trailingGarbage(start);
      push('number', start, { value: BigInt('0x' + digits) });
      return;
    }
    while (pos < text.length && (isDigit(text[pos]) || text[pos] === '_')) pos++;
    let fraction = '';
    if (text[pos] === '.' && isDigit(text[pos + 1] ?? '')) {
      const fracStart = pos + 1;
      pos++;
      while (pos < text.length && isDigit(text[pos])) pos++;
      fraction = text.slice(fracStart, pos);
    }
    const whole = text.slice(start, fraction ? pos - fraction.length - 1 : pos).replace(/_/g, '');
    const suffixStart = pos;
    while (pos < text.length && isIdentPart(text[pos])) pos++;
    const suffix = text.slice(suffixStart, pos);
    if (suffix === '' && text[pos] === '%') {
      pos++;
      // Percentages are whole numbers; `1.5%` must not silently become 1%.
      if (fraction) diagnostics.add({ start, end: pos }, 'bad-number', `${text.slice(start, pos)}: a percentage is a whole number`);
      push('percent', start, { value: BigInt(whole), unit: '%' });
      return;
    }
    if (suffix === '') {
      if (fraction) push('version', start);
      else push('number', start, { value: BigInt(whole) });
      return;
    }
    const scale = TIME_UNITS[suffix] ?? SIZE_UNITS[suffix];
    if (scale === undefined) {
      diagnostics.add({ start: suffixStart, end: pos }, 'bad-unit', `unknown unit '${suffix}': use ns, us, ms, s for times or K, M, G, T for sizes`);
      push('number', start, { value: BigInt(whole) });
      return;
    }
    const value = scaled(whole, fraction, scale, start);
    push(TIME_UNITS[suffix] !== undefined ? 'time' : 'number', start, { value, unit: suffix });
  }

  function scaled(whole: string, fraction: string, scale: bigint, start: number): bigint {
    if (!fraction) return BigInt(whole) * scale;
    const denominator = 10n ** BigInt(fraction.length);
    const numerator = (BigInt(whole) * denominator + BigInt(fraction)) * scale;
    if (numerator % denominator !== 0n) diagnostics.add({ start, end: pos }, 'bad-number', `${text.slice(start, pos)} is not a whole number of the smallest unit`);
    return numerator / denominator;
  }

  function trailingGarbage(start: number): void {
    const garbageStart = pos;
    while (pos < text.length && isIdentPart(text[pos])) pos++;
    if (pos > garbageStart) diagnostics.add({ start, end: pos }, 'bad-number', `malformed number '${text.slice(start, pos)}'`);
  }

  function scanString(start: number): void {
    pos++;
    while (pos < text.length && text[pos] !== '"' && text[pos] !== '\n') {
      if (text[pos] === '\\') pos++;
      pos++;
    }
    if (text[pos] !== '"') {
      diagnostics.add({ start, end: pos }, 'unterminated-string', 'unterminated string: missing closing "');
      push('string', start);
      return;
    }
    pos++;
    push('string', start);
  }
}
