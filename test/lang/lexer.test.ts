// The scanner: every token kind with its value, unit and span; comments and newlines; and the diagnostics for input
// it cannot use (it never throws, and goes on after each one).

import * as assert from 'assert';
import { DiagnosticBag } from '../../src/lang/diagnostics';
import { Token, TokenKind, tokenize } from '../../src/lang/lexer';
import { SourceFile } from '../../src/lang/source';

interface Lexed {
  tokens: Token[];
  /** `start-end code message` */
  diagnostics: string[];
}

function lex(text: string): Lexed {
  const bag = new DiagnosticBag(new SourceFile('lexer.sflow', text));
  const tokens = tokenize(text, bag);
  return { tokens, diagnostics: bag.items.map((d) => `${d.span.start}-${d.span.end} ${d.code} ${d.message}`) };
}

/** The tokens without the trailing newline and eof every tokenize() call ends with. */
function body(text: string): Token[] {
  const { tokens, diagnostics } = lex(text);
  assert.deepStrictEqual(diagnostics, [], `unexpected diagnostics for ${JSON.stringify(text)}`);
  const tail = tokens.slice(-2).map((t) => t.kind);
  assert.deepStrictEqual(tail, ['newline', 'eof']);
  return tokens.slice(0, -2);
}

function one(text: string): Token {
  const tokens = body(text);
  assert.strictEqual(
    tokens.length,
    1,
    `expected one token for ${JSON.stringify(text)}, got ${tokens.map((t) => t.text).join(' ')}`,
  );
  return tokens[0];
}

function kinds(text: string): string[] {
  return lex(text).tokens.map((t) => `${t.kind}:${t.text}`);
}

describe('lexer', () => {
  describe('identifiers', () => {
    it('scans letters, digits and underscores, starting with a letter or underscore', () => {
      const tokens = body('a_1 _x vcpu0 SYSTEM_SUSPEND D3hot');
      assert.deepStrictEqual(
        tokens.map((t) => [t.kind, t.text, t.span.start, t.span.end]),
        [
          ['ident', 'a_1', 0, 3],
          ['ident', '_x', 4, 6],
          ['ident', 'vcpu0', 7, 12],
          ['ident', 'SYSTEM_SUSPEND', 13, 27],
          ['ident', 'D3hot', 28, 33],
        ],
      );
    });

    it('keeps a hyphen a separate token and records whether space preceded each token', () => {
      const tokens = body('waits-for a - b');
      assert.deepStrictEqual(
        tokens.map((t) => [t.kind, t.text, t.spaceBefore]),
        [
          ['ident', 'waits', true],
          ['punct', '-', false],
          ['ident', 'for', false],
          ['ident', 'a', true],
          ['punct', '-', true],
          ['ident', 'b', true],
        ],
      );
    });
  });

  describe('numbers', () => {
    it('scans decimal integers, with _ separators', () => {
      assert.deepStrictEqual([one('42').kind, one('42').value, one('42').unit], ['number', 42n, undefined]);
      assert.strictEqual(one('1_000_000').value, 1000000n);
      assert.strictEqual(one('0').value, 0n);
    });

    it('scans hex integers with 0x or 0X, any case, with _ separators', () => {
      const t = one('0x1F');
      assert.deepStrictEqual([t.kind, t.text, t.value, t.span], ['number', '0x1F', 31n, { start: 0, end: 4 }]);
      assert.strictEqual(one('0XfF').value, 255n);
      assert.strictEqual(one('0xdead_beef').value, 0xdeadbeefn);
      assert.strictEqual(one('0xffffffffffffffff').value, 0xffffffffffffffffn);
    });

    it('scans sizes K M G T as byte counts, keeping the unit', () => {
      const t = one('512M');
      assert.deepStrictEqual([t.kind, t.text, t.value, t.unit], ['number', '512M', 536870912n, 'M']);
      assert.deepStrictEqual([one('4K').value, one('4K').unit], [4096n, 'K']);
      assert.strictEqual(one('1G').value, 1073741824n);
      assert.strictEqual(one('2T').value, 2199023255552n);
      assert.strictEqual(one('1.5K').value, 1536n);
    });

    it('scans times ns us ms s as nanoseconds, with fractions', () => {
      const t = one('10us');
      assert.deepStrictEqual(
        [t.kind, t.text, t.value, t.unit, t.span],
        ['time', '10us', 10000n, 'us', { start: 0, end: 4 }],
      );
      assert.deepStrictEqual([one('1.5ms').kind, one('1.5ms').value, one('1.5ms').unit], ['time', 1500000n, 'ms']);
      assert.strictEqual(one('7ns').value, 7n);
      assert.strictEqual(one('2ms').value, 2000000n);
      assert.strictEqual(one('3s').value, 3000000000n);
      assert.strictEqual(one('0.25us').value, 250n);
    });

    it('scans percentages', () => {
      const t = one('10%');
      assert.deepStrictEqual(
        [t.kind, t.text, t.value, t.unit, t.span],
        ['percent', '10%', 10n, '%', { start: 0, end: 3 }],
      );
    });

    it('scans a dotted pair of integers as a version', () => {
      const t = one('1.0');
      assert.deepStrictEqual([t.kind, t.text, t.value, t.span], ['version', '1.0', undefined, { start: 0, end: 3 }]);
      assert.deepStrictEqual([one('0.2').kind, one('0.2').text], ['version', '0.2']);
      assert.deepStrictEqual([one('1.3').kind, one('1.3').text], ['version', '1.3']);
    });

    it('stops a number before `..` so windows read as two times', () => {
      assert.deepStrictEqual(kinds('0ms..5ms'), ['time:0ms', 'punct:..', 'time:5ms', 'newline:', 'eof:']);
      assert.deepStrictEqual(kinds('1..2'), ['number:1', 'punct:..', 'number:2', 'newline:', 'eof:']);
    });
  });

  describe('PCI addresses', () => {
    it('scans bus:device.function and domain:bus:device.function', () => {
      const a = one('00:01.0');
      assert.deepStrictEqual([a.kind, a.text, a.span], ['bdf', '00:01.0', { start: 0, end: 7 }]);
      const b = one('0000:00:01.0');
      assert.deepStrictEqual([b.kind, b.text, b.span], ['bdf', '0000:00:01.0', { start: 0, end: 12 }]);
      assert.deepStrictEqual([one('1f:1f.7').kind, one('ab:cd.3').kind], ['bdf', 'bdf']);
    });

    it('does not take a function number above 7 or a trailing name character as part of an address', () => {
      assert.deepStrictEqual(kinds('00:01.8'), ['number:00', 'punct::', 'version:01.8', 'newline:', 'eof:']);
      const { tokens, diagnostics } = lex('00:01.0x');
      assert.deepStrictEqual(
        tokens.map((t) => `${t.kind}:${t.text}`),
        ['number:00', 'punct::', 'number:01.0x', 'newline:', 'eof:'],
      );
      assert.deepStrictEqual(diagnostics, [
        "7-8 bad-unit unknown unit 'x': use ns, us, ms, s for times or K, M, G, T for sizes",
      ]);
    });
  });

  describe('strings', () => {
    it('scans a double-quoted string with escapes and {holes} as one token, quotes included', () => {
      const text = '"a \\"b\\" {x0}"';
      const t = one(text);
      assert.deepStrictEqual([t.kind, t.text, t.span], ['string', text, { start: 0, end: text.length }]);
    });
  });

  describe('punctuation', () => {
    it('scans every operator and delimiter, longest first', () => {
      const all = '.. -> == != <= >= && || << >> { } ( ) [ ] , ; : = < > ! + - * / % & | ^ ~ . @';
      const tokens = body(all);
      assert.deepStrictEqual(
        tokens.map((t) => t.text),
        all.split(' '),
      );
      assert.ok(tokens.every((t) => t.kind === 'punct'));
    });

    it('splits `->` and `..` from their neighbours without spaces', () => {
      assert.deepStrictEqual(kinds('33->guest'), ['number:33', 'punct:->', 'ident:guest', 'newline:', 'eof:']);
      assert.deepStrictEqual(kinds('a<=b'), ['ident:a', 'punct:<=', 'ident:b', 'newline:', 'eof:']);
      assert.deepStrictEqual(kinds('x<<-1'), ['ident:x', 'punct:<<', 'punct:-', 'number:1', 'newline:', 'eof:']);
    });
  });

  describe('newlines and comments', () => {
    it('makes a token of each newline and ends every input with a newline and eof', () => {
      const { tokens } = lex('a\nb');
      assert.deepStrictEqual(
        tokens.map((t) => [t.kind, t.text, t.span.start, t.span.end]),
        [
          ['ident', 'a', 0, 1],
          ['newline', '\n', 1, 2],
          ['ident', 'b', 2, 3],
          ['newline', '', 3, 3],
          ['eof', '', 3, 3],
        ],
      );
    });

    it('skips a line comment up to the newline, which stays a token', () => {
      assert.deepStrictEqual(kinds('a // psci CPU_OFF\nb'), ['ident:a', 'newline:\n', 'ident:b', 'newline:', 'eof:']);
    });

    it('skips a block comment on one line, counting it as space', () => {
      const tokens = body('a/* x */b');
      assert.deepStrictEqual(
        tokens.map((t) => [t.text, t.spaceBefore]),
        [
          ['a', true],
          ['b', true],
        ],
      );
    });

    it('turns a block comment spanning lines into one empty newline token after it', () => {
      const { tokens } = lex('a /* 1\n2 */ b');
      assert.deepStrictEqual(
        tokens.map((t) => [t.kind, t.text, t.span.start, t.span.end]),
        [
          ['ident', 'a', 0, 1],
          ['newline', '', 11, 11],
          ['ident', 'b', 12, 13],
          ['newline', '', 13, 13],
          ['eof', '', 13, 13],
        ],
      );
    });

    it('treats tabs as space, and \\r\\n, \\n and a lone \\r each as one newline', () => {
      assert.deepStrictEqual(kinds('a\t\r\nb'), ['ident:a', 'newline:\r\n', 'ident:b', 'newline:', 'eof:']);
      assert.deepStrictEqual(kinds('a\rb\n\r\nc'), [
        'ident:a',
        'newline:\r',
        'ident:b',
        'newline:\n',
        'newline:\r\n',
        'ident:c',
        'newline:',
        'eof:',
      ]);
    });
  });

  describe('invalid input', () => {
    it('reports a character it cannot use and makes an invalid token of it, then goes on', () => {
      const { tokens, diagnostics } = lex('a # b');
      assert.deepStrictEqual(diagnostics, ["2-3 invalid-character unexpected character '#'"]);
      assert.deepStrictEqual(
        tokens.map((t) => `${t.kind}:${t.text}`),
        ['ident:a', 'invalid:#', 'ident:b', 'newline:', 'eof:'],
      );
    });

    it('reports a character outside the BMP once, as one token', () => {
      const { tokens, diagnostics } = lex('x 🙂 y');
      assert.deepStrictEqual(diagnostics, ["2-4 invalid-character unexpected character '🙂'"]);
      assert.deepStrictEqual(
        tokens.map((t) => `${t.kind}:${t.text}`),
        ['ident:x', 'invalid:🙂', 'ident:y', 'newline:', 'eof:'],
      );
    });

    it('reports an unterminated string up to the end of its line', () => {
      const { tokens, diagnostics } = lex('log "abc\nhalt');
      assert.deepStrictEqual(diagnostics, ['4-8 unterminated-string unterminated string: missing closing "']);
      assert.deepStrictEqual(
        tokens.map((t) => `${t.kind}:${t.text}`),
        ['ident:log', 'string:"abc', 'newline:\n', 'ident:halt', 'newline:', 'eof:'],
      );
    });

    it('reports an unterminated block comment at its opening', () => {
      const { tokens, diagnostics } = lex('a /* never closed\nb');
      assert.deepStrictEqual(diagnostics, ['2-4 unterminated-comment unterminated block comment: missing */']);
      assert.deepStrictEqual(
        tokens.map((t) => t.kind),
        ['ident', 'newline', 'eof'],
      );
    });

    it('reports a hex number without digits, taking the letters after 0x with it', () => {
      const a = lex('0x');
      assert.deepStrictEqual(a.diagnostics, ['0-2 bad-number hex number needs digits after 0x']);
      assert.deepStrictEqual([a.tokens[0].kind, a.tokens[0].value], ['number', 0n]);
      const b = lex('0xZZ y');
      assert.deepStrictEqual(b.diagnostics, ['0-4 bad-number hex number needs digits after 0x']);
      assert.deepStrictEqual(
        b.tokens.map((t) => `${t.kind}:${t.text}`),
        ['number:0xZZ', 'ident:y', 'newline:', 'eof:'],
      );
    });

    it('reports a hex number running into letters', () => {
      const { tokens, diagnostics } = lex('0x12g');
      assert.deepStrictEqual(diagnostics, ["0-5 bad-number malformed number '0x12g'"]);
      assert.deepStrictEqual([tokens[0].kind, tokens[0].text, tokens[0].value], ['number', '0x12g', 0x12n]);
    });

    it('reports an unknown unit on the unit alone', () => {
      const { tokens, diagnostics } = lex('delay 5q');
      assert.deepStrictEqual(diagnostics, [
        "7-8 bad-unit unknown unit 'q': use ns, us, ms, s for times or K, M, G, T for sizes",
      ]);
      assert.deepStrictEqual([tokens[1].kind, tokens[1].text, tokens[1].value], ['number', '5q', 5n]);
      assert.deepStrictEqual(lex('10MB').diagnostics, [
        "2-4 bad-unit unknown unit 'MB': use ns, us, ms, s for times or K, M, G, T for sizes",
      ]);
    });

    it('reports a fraction finer than the smallest unit', () => {
      const { tokens, diagnostics } = lex('1.0001us');
      assert.deepStrictEqual(diagnostics, ['0-8 bad-number 1.0001us is not a whole number of the smallest unit']);
      assert.strictEqual(tokens[0].value, 1000n);
    });

    it('reports a fractional percentage', () => {
      const { tokens, diagnostics } = lex('1.5%');
      assert.deepStrictEqual(diagnostics, ['0-4 bad-number 1.5%: a percentage is a whole number']);
      assert.deepStrictEqual([tokens[0].kind, tokens[0].text], ['percent', '1.5%']);
    });

    it('reports each bad token of a line and keeps every good one', () => {
      const { tokens, diagnostics } = lex('a $ 0x 9zz "open');
      assert.deepStrictEqual(diagnostics, [
        "2-3 invalid-character unexpected character '$'",
        '4-6 bad-number hex number needs digits after 0x',
        "8-10 bad-unit unknown unit 'zz': use ns, us, ms, s for times or K, M, G, T for sizes",
        '11-16 unterminated-string unterminated string: missing closing "',
      ]);
      assert.deepStrictEqual(
        tokens.map((t) => t.kind),
        ['ident', 'invalid', 'number', 'number', 'string', 'newline', 'eof'],
      );
    });
  });

  it('gives every token kind', () => {
    const seen = new Set<TokenKind>(lex('a 1 1ms 5% 1.0 00:01.0 "s" ; $\n').tokens.map((t) => t.kind));
    assert.deepStrictEqual([...seen].sort(), [
      'bdf',
      'eof',
      'ident',
      'invalid',
      'newline',
      'number',
      'percent',
      'punct',
      'string',
      'time',
      'version',
    ]);
  });
});
