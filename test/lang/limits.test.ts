// What a fuzzing campaign found in the language: deep nesting overflowing the stack, "did you mean" taking seconds
// on a long name, line endings other than `\n`, numbers that wrapped silently, a byte order mark, PCI domains, a
// string continued across lines, and a scenario with nothing to run. Each is now correct behaviour or a diagnostic
// at its place.

import * as assert from 'assert';
import { check, compileExpression } from '../../src/lang/checker';
import { formatDiagnostic } from '../../src/lang/diagnostics';
import { Lexer, tokenize } from '../../src/lang/lexer';
import { DiagnosticBag } from '../../src/lang/diagnostics';
import { MAX_BLOCK_DEPTH, MAX_EXPRESSION_DEPTH, parse } from '../../src/lang/parser';
import { preludeFiles } from '../../src/lang/prelude';
import { RExpr, someRExpr } from '../../src/lang/program';
import { SourceFile } from '../../src/lang/source';
import { closest, editDistance } from '../../src/lang/suggest';
import { checkSource, compile, diagnosticLines } from '../helpers';

const VM = 'vm g {\n  hypervisor kvm\n}\n';
const program = (body: string) => `${VM}g.vcpu0 {\n${body}\n}\n`;
const errors = (text: string) => diagnosticLines(text).filter((l) => / error /.test(l));

/** The reference: the full optimal string alignment distance, as suggest.ts computed it before. */
function fullDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push(new Array<number>(b.length + 1).fill(0));
  for (let i = 0; i <= a.length; i++) d[i][0] = i;
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function timed<T>(f: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = f();
  return { value, ms: performance.now() - start };
}

describe('language limits and fuzzing findings', () => {
  describe('deep nesting', () => {
    it(`accepts ${MAX_EXPRESSION_DEPTH} nested parentheses and reports the one beyond at its place`, () => {
      assert.strictEqual(MAX_EXPRESSION_DEPTH, 256);
      const ok = program(`  set x1 = ${'('.repeat(256)}1${')'.repeat(256)}\n  expect x1 == 1`);
      assert.deepStrictEqual(errors(ok), []);
      const deep = program(`  set x1 = ${'('.repeat(3000)}1${')'.repeat(3000)}`);
      const lines = errors(deep);
      assert.deepStrictEqual(lines, [`5:${12 + 256} error expressions nest deeper than 256 levels`]);
    });

    it('reports deep unary operators and irq N pending the same way, never overflowing', () => {
      assert.deepStrictEqual(errors(program(`  set x1 = ${'-'.repeat(3000)}1`)), [
        '5:268 error expressions nest deeper than 256 levels',
      ]);
      assert.deepStrictEqual(errors(program(`  expect ${'irq '.repeat(2000)}33${' pending'.repeat(2000)}`)).length, 1);
      assert.deepStrictEqual(
        errors(program(`  set x1 = 1 + ${'(1 + '.repeat(3000)}1${')'.repeat(3000)}`)).map((l) =>
          l.replace(/^\d+:\d+ /, ''),
        ),
        ['error expressions nest deeper than 256 levels'],
      );
    });

    it('runs a flat sum of 5,000 and of 50,000 terms (a chain of operators does not nest)', () => {
      for (const n of [5_000, 50_000]) {
        const text = program(
          `  set x1 = 1${' + 1'.repeat(n - 1)}\n  expect x1 == ${n}\n  set x2 = 0${' - 1'.repeat(n)}\n  expect x2 == -${n}\n  expect 1${' && 1'.repeat(n)}`,
        );
        const p = compile(text);
        assert.ok(p.vms[0].code.length > 0);
      }
    });

    it(`accepts ${MAX_BLOCK_DEPTH} nested blocks and reports the first block beyond at its brace`, () => {
      assert.strictEqual(MAX_BLOCK_DEPTH, 256);
      // The program's body is the first block: 255 more fit inside it.
      const ok = program(`${'  loop {\n'.repeat(255)}  halt\n${'}\n'.repeat(255)}`);
      assert.deepStrictEqual(errors(ok), []);
      for (const [word, n] of [
        ['loop', 1500],
        ['if true', 2000],
        ['foreach vcpu c', 1500],
      ] as const) {
        const deep = program(`${`  ${word} {\n`.repeat(n)}  halt\n${'}\n'.repeat(n)}`);
        const lines = errors(deep);
        assert.deepStrictEqual(lines, [`${4 + 256}:${word.length + 4} error blocks nest deeper than 256 levels`], word);
      }
    });

    it('a long else-if chain is flat: 10,000 branches compile', () => {
      const branches = Array.from({ length: 10_000 }, (_, i) => `if x1 == ${i} {\n    set x2 = ${i}\n  }`).join(
        ' else ',
      );
      const p = compile(program(`  set x1 = 9999\n  ${branches} else {\n    set x2 = 1\n  }\n  expect x2 == 9999`));
      assert.ok(p.vms[0].code.length > 30_000);
    });

    it('a chain of 2,000 procs calling each other checks (the call graph is walked without recursion)', () => {
      let procs = '';
      for (let i = 0; i < 2000; i++) procs += `proc p${i} {\n  call p${i + 1}\n}\n`;
      procs += 'proc p2000 {\n  log "deep"\n}\n';
      const p = compile(program('  call p0') + procs);
      assert.strictEqual(p.vms[0].frames.filter((f) => f.kind === 'proc').length, 2001);
      // In the order the recursive walk found them: depth first.
      assert.deepStrictEqual(
        p.vms[0].frames
          .filter((f) => f.kind === 'proc')
          .slice(0, 3)
          .map((f) => f.name),
        ['p0', 'p1', 'p2'],
      );
    });

    it('keeps the depth-first order of reachable procs', () => {
      const text =
        program('  call a\n  call d') +
        'proc a {\n  call b\n  call c\n}\nproc b {\n  call c\n}\nproc c {\n  set x1 = d\n}\nproc d {\n}\n';
      assert.deepStrictEqual(
        compile(text)
          .vms[0].frames.filter((f) => f.kind === 'proc')
          .map((f) => f.name),
        ['a', 'b', 'c', 'd'],
      );
    });

    it('balances long chains of operators that regroup; a walk of the code visits it without recursion', () => {
      const vm = compile(
        program(`  set x1 = 1${' + 1 - 2'.repeat(500)}\n  set x2 = 100${' / 1'.repeat(100_000)}\n  set x3 = x1 + x2`),
      ).vms[0];
      const depth = (e: RExpr): number =>
        e.k === 'binary' ? 1 + Math.max(depth(e.left), depth(e.right)) : e.k === 'unary' ? 1 + depth(e.operand) : 1;
      const value = (i: number) => (vm.code[i] as { value: RExpr }).value;
      assert.ok(depth(value(0)) <= 12, `depth ${depth(value(0))}`);
      // What does not regroup keeps its shape; short chains (what people write) too.
      assert.strictEqual(
        someRExpr(value(1), (e) => e.k === 'const' && e.value === 100n),
        true,
      );
      let nodes = 0;
      assert.strictEqual(
        someRExpr(value(1), () => (nodes++, false)),
        false,
      );
      assert.strictEqual(nodes, 200_001);
      assert.deepStrictEqual(value(2), {
        k: 'binary',
        op: '+',
        left: { k: 'reg', field: 'x1' },
        right: { k: 'reg', field: 'x2' },
      });
    });

    it('the debugger compiles deep and long expressions the same way', () => {
      const p = compile(program('  halt'));
      const long = compileExpression(p, `1${' + 1'.repeat(20_000)}`, 0);
      assert.deepStrictEqual(long.diagnostics, []);
      const deep = compileExpression(p, `${'('.repeat(5000)}1${')'.repeat(5000)}`, 0);
      assert.deepStrictEqual(
        deep.diagnostics.map((d) => [d.span.start, d.message]),
        [[256, 'expressions nest deeper than 256 levels']],
      );
    });
  });

  describe('did you mean', () => {
    it('gives the same distances as the full computation, within a bound', () => {
      const alphabet = 'ABCDE_';
      let seed = 7;
      const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      const word = () => Array.from({ length: rand(9) }, () => alphabet[rand(alphabet.length)]).join('');
      for (let i = 0; i < 3000; i++) {
        const a = word();
        const b = word();
        const full = fullDistance(a, b);
        assert.strictEqual(editDistance(a, b), full, `${a} ${b}`);
        const max = rand(5);
        assert.strictEqual(editDistance(a, b, max), Math.min(full, max + 1), `${a} ${b} within ${max}`);
      }
    });

    it('suggests what it suggested before for ordinary names', () => {
      assert.strictEqual(closest('SYSTEM_SUSPNED', ['CPU_ON', 'SYSTEM_SUSPEND', 'SYSTEM_OFF']), 'SYSTEM_SUSPEND');
      assert.strictEqual(closest('kmv', ['kvm', 'xen']), 'kvm');
      assert.strictEqual(closest('qqqq', ['kvm', 'xen']), undefined);
      assert.strictEqual(closest('max_state', ['max_states', 'depth', 'until', 'skew']), 'max_states');
      // The closest candidate decides, even when it is too far to be offered.
      assert.strictEqual(closest('ab', ['xy', 'abcdefgh']), undefined);
    });

    it('answers at once for a 50,000-character unknown name', () => {
      const name = 'a'.repeat(50_000);
      const { value, ms } = timed(() =>
        checkSource(program(`  set x1 = ${name}`)).diagnostics.filter((d) => d.severity === 'error'),
      );
      assert.strictEqual(value.length, 1);
      assert.match(value[0].message, /^unknown name 'a+'$/);
      assert.ok(ms < 1000, `took ${ms} ms`);
      const near = timed(() =>
        closest('b'.repeat(200) + 'x', ['b'.repeat(199), 'b'.repeat(200) + 'y', 'c'.repeat(201)]),
      );
      assert.strictEqual(near.value, 'b'.repeat(200) + 'y');
      // Longer than MAX_SUGGESTED_LENGTH: no suggestion, whatever the candidates.
      assert.strictEqual(closest('b'.repeat(300) + 'x', ['b'.repeat(300) + 'y']), undefined);
      assert.ok(near.ms < 200, `took ${near.ms} ms`);
    });
  });

  describe('line endings', () => {
    const lines = [
      'vm g {',
      '  hypervisor kvm',
      '}',
      'g.vcpu0 {',
      '  psci SYSTEM_SUSPNED',
      '  expect x0 == 1',
      '}',
      '',
    ];
    for (const [name, eol] of [
      ['CR', '\r'],
      ['CRLF', '\r\n'],
      ['LF', '\n'],
    ] as const) {
      it(`${name}: lines, columns and statements as an editor sees them`, () => {
        const text = lines.join(eol);
        const file = new SourceFile('eol.sflow', text);
        assert.strictEqual(file.lineCount, 8);
        assert.strictEqual(file.lineText(1), '  hypervisor kvm');
        const offset = text.indexOf('SYSTEM_SUSPNED');
        assert.deepStrictEqual(file.position(offset), { line: 4, character: 7 });
        assert.strictEqual(file.offset({ line: 4, character: 7 }), offset);
        // A character past the end of a line is the line's end, before its line break.
        assert.strictEqual(file.offset({ line: 1, character: 99 }), text.indexOf('kvm') + 3);
        const r = check([file, ...preludeFiles()]);
        assert.deepStrictEqual(r.diagnostics.map(formatDiagnostic), [
          "eol.sflow:5:8: error: unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?",
        ]);
      });
    }

    it('a diagnostic at the end of a CRLF line points at the end of that line, never between CR and LF', () => {
      const text = 'vm g {\r\n  hypervisor kvm psci\r\n}\r\ng.vcpu0 {\r\n  halt\r\n}\r\n';
      const r = checkSource(text);
      assert.deepStrictEqual(
        r.diagnostics
          .filter((d) => d.code === 'expected-version')
          .map((d) => [d.file.position(d.span.start), d.file.position(d.span.end), d.message]),
        [
          [
            { line: 1, character: 21 },
            { line: 2, character: 0 },
            'expected a PSCI version such as 1.0, found end of line',
          ],
        ],
      );
      const file = new SourceFile('x', 'ab\r\ncd');
      assert.deepStrictEqual(
        [2, 3, 4].map((o) => file.position(o)),
        [
          { line: 0, character: 2 },
          { line: 0, character: 2 },
          { line: 1, character: 0 },
        ],
      );
    });

    it('a lone CR ends a statement, a comment and a string as a newline does', () => {
      const tokens = (text: string) => tokenize(text, new DiagnosticBag(new SourceFile('t', text))).map((t) => t.kind);
      assert.deepStrictEqual(tokens('halt\rhalt'), tokens('halt\nhalt'));
      assert.deepStrictEqual(tokens('halt // c\rhalt'), tokens('halt // c\nhalt'));
      assert.deepStrictEqual(tokens('a /* x\r y */ b'), tokens('a /* x\n y */ b'));
      assert.deepStrictEqual(tokens('halt\r\nhalt'), tokens('halt\nhalt'));
      const bag = new DiagnosticBag(new SourceFile('t', '"abc\rhalt'));
      tokenize('"abc\rhalt', bag);
      assert.deepStrictEqual(
        bag.items.map((d) => [d.span, d.code]),
        [[{ start: 0, end: 4 }, 'unterminated-string']],
      );
    });

    it('a scenario with mixed line endings runs', () => {
      const text = [
        'vm g {',
        '  hypervisor kvm',
        '}',
        'g.vcpu0 {',
        '  set x1 = 1',
        '  expect x1 == 1',
        '  halt',
        '}',
        '',
      ];
      const mixed = text.map((l, i) => l + ['\r', '\r\n', '\n'][i % 3]).join('');
      const p = compile(mixed);
      assert.deepStrictEqual(
        p.vms[0].code.map((i) => [i.op, i.loc.line]),
        [
          ['set', 4],
          ['expect', 5],
          ['halt', 6],
          ['halt', 7],
        ],
      );
    });
  });

  describe('numbers and times', () => {
    it('rejects an integer literal beyond 64 bits at the literal, naming the range', () => {
      assert.deepStrictEqual(errors(program('  expect x0 == 99999999999999999999999')), [
        '5:16 error 99999999999999999999999 is out of range: integers are 64 bits (0 to 0xffffffffffffffff)',
      ]);
      assert.deepStrictEqual(errors(program('  set x1 = 0x1_0000_0000_0000_0000')).length, 1);
      assert.deepStrictEqual(errors(program('  set x1 = 99999999T')).length, 1);
      assert.deepStrictEqual(errors(program('  delay 99999999999999s')).length, 1);
      assert.deepStrictEqual(
        errors(
          program('  set x1 = 0xffff_ffff_ffff_ffff\n  set x2 = 18446744073709551615\n  set x3 = -9223372036854775808'),
        ),
        [],
      );
    });

    it('rejects a constant negative delay and one longer than virtual time can represent', () => {
      assert.deepStrictEqual(errors(program('  delay -20ms')), ['5:9 error a delay cannot be negative (-20000000ns)']);
      assert.deepStrictEqual(errors(program('  delay 1ms - 2ms')), [
        '5:9 error a delay cannot be negative (-1000000ns)',
      ]);
      assert.deepStrictEqual(errors(program('  delay 9007199254740992ns')), [
        '5:9 error a delay is at most 9007199254740991ns (2^53 - 1 ns, about 104 days), not 9007199254740992ns',
      ]);
      assert.deepStrictEqual(errors(program('  delay 9007199254740991ns\n  delay x1')), []);
    });

    it('rejects a RAM range that wraps past 2^64, and a negative RAM base', () => {
      const vm = (ram: string) => `vm g {\n  hypervisor kvm\n  ram ${ram}\n}\ng.vcpu0 {\n  halt\n}\n`;
      assert.deepStrictEqual(errors(vm('0xffff_ffff_fff0_0000 2M')), [
        '3:29 error RAM from 0xfffffffffff00000 of 0x200000 bytes runs past the end of the 64-bit address space',
      ]);
      // Up to the last byte is fine.
      assert.deepStrictEqual(errors(vm('0xffff_ffff_fff0_0000 1M')), []);
      assert.deepStrictEqual(errors(vm('(0 - 4096) 1G')), ['3:7 error the RAM base is an address, not negative']);
    });

    it('rejects times in declarations beyond what virtual time can represent', () => {
      assert.deepStrictEqual(
        errors(`${VM}host {\n  at 9999999999s: irq 33 -> g\n}\ng.vcpu0 {\n  halt\n}\n`).map((l) =>
          l.replace(/ error .*/, ''),
        ),
        ['5:6'],
      );
    });
  });

  describe('byte order mark', () => {
    it("is ignored, and columns are the editor's: file:line:col counts without it", () => {
      const text = program('  psci SYSTEM_SUSPNED');
      const plain = checkSource(text).diagnostics.map(formatDiagnostic);
      const bom = checkSource('\uFEFF' + text).diagnostics.map(formatDiagnostic);
      assert.deepStrictEqual(bom, plain);
      assert.deepStrictEqual(
        checkSource('\uFEFFvm 1 {}\n').diagnostics.map(formatDiagnostic).slice(0, 1),
        checkSource('vm 1 {}\n').diagnostics.map(formatDiagnostic).slice(0, 1),
      );
      // Offsets are those of the text as given: the mark is one UTF-16 unit at offset 0.
      const file = new SourceFile('b.sflow', '\uFEFFvm g {}');
      assert.deepStrictEqual(file.position(3), { line: 0, character: 3 });
      assert.deepStrictEqual(tokenize(file.text, new DiagnosticBag(file))[0].span, { start: 1, end: 3 });
      // Anywhere else it is the character it is.
      assert.strictEqual(errors(program('  halt \uFEFF')).length, 1);
    });

    it('runs a scenario that starts with one', () => {
      compile('\uFEFF' + program('  halt'));
    });
  });

  describe('PCI addresses', () => {
    it('devices in different PCI domains do not collide; the same domain:bus:device.function does', () => {
      const vm = (a: string, b: string) =>
        `vm g {\n  hypervisor kvm\n  device a pci at ${a}\n  device b pci at ${b}\n}\ng.vcpu0 {\n  halt\n}\n`;
      assert.deepStrictEqual(errors(vm('0000:00:01.0', '0001:00:01.0')), []);
      assert.deepStrictEqual(errors(vm('00:01.0', '0000:00:01.0')), [
        "4:19 error 0000:00:01.0 is already taken by 'a'",
      ]);
      assert.deepStrictEqual(errors(vm('0001:00:01.0', '0001:00:01.0')), [
        "4:19 error 0001:00:01.0 is already taken by 'a'",
      ]);
      const p = compile(vm('0000:00:01.0', '00a1:02:03.4'));
      assert.deepStrictEqual(
        p.vms[0].devices.map((d) => [d.domain, d.bus, d.dev, d.fn]),
        [
          [0, 0, 1, 0],
          [0xa1, 2, 3, 4],
        ],
      );
    });
  });

  describe('strings', () => {
    it('end at their line: a backslash before the line break is reported there', () => {
      assert.deepStrictEqual(errors(program('  log "abc\\\n def"')).slice(0, 1), [
        "5:11 error a string ends at the end of its line: the '\\' before the line break continues nothing",
      ]);
      assert.deepStrictEqual(errors(program('  log "abc\\\r\n def"')).slice(0, 1), [
        "5:11 error a string ends at the end of its line: the '\\' before the line break continues nothing",
      ]);
    });

    it('a backslash as the last character of the file gives a span inside the file', () => {
      const text = program('').slice(0, -3) + '  log "abc\\';
      const r = checkSource(text);
      for (const d of r.diagnostics)
        assert.ok(d.span.end <= text.length, `${d.message} ends at ${d.span.end} of ${text.length}`);
      const lexed = new Lexer(text, new DiagnosticBag(new SourceFile('x', text)));
      for (let t = lexed.next(); t.kind !== 'eof'; t = lexed.next()) assert.ok(t.span.end <= text.length);
    });
  });

  describe('a scenario with nothing to run', () => {
    it('is an error at the start of the file: no VM, or no vCPU program', () => {
      const message =
        '1:1 error the scenario has nothing to run: declare a VM (vm NAME { hypervisor kvm }) and a program for one of its vCPUs (NAME.vcpu0 { ... })';
      assert.deepStrictEqual(errors(''), [message]);
      assert.deepStrictEqual(errors('// only a comment\n'), [message]);
      assert.deepStrictEqual(errors(VM), [message]);
      assert.deepStrictEqual(errors('proc f {\n}\n'), [message]);
      assert.deepStrictEqual(errors('\r\r'), [message]);
      assert.deepStrictEqual(errors(program('  halt')), []);
    });

    it('the prelude alone is a library, not an empty scenario', () => {
      const [prelude] = preludeFiles();
      const alone = check([prelude]);
      assert.deepStrictEqual(alone.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic), []);
      const fromDisk = check([new SourceFile('/work/main/lib/linux.sflow', prelude.text)]);
      assert.deepStrictEqual(fromDisk.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic), []);
      // And parsing stays what it was.
      assert.deepStrictEqual(parse(prelude).diagnostics.items, []);
    });
  });
});
