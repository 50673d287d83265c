// The incremental parse (src/lang/incremental.ts) against a whole parse: after each of thousands of random edits to
// the examples, the prelude and a generated scenario, both give the same tree, item starts and diagnostics. The
// edits chain, each re-parse starting from the previous re-parse, as the language server does while the user types.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { check } from '../../src/lang/checker';
import { Diagnostic } from '../../src/lang/diagnostics';
import { preludeFiles } from '../../src/lang/prelude';
import { reparse } from '../../src/lang/incremental';
import { parse, parseDiagnostics, ParseResult } from '../../src/lang/parser';
import { SourceFile } from '../../src/lang/source';
import { seededRandom } from '../helpers';
import { largeScenario } from '../server/scenarios';

const ROOT = path.resolve(__dirname, '../..');

/** What an edit inserts: plain text, structure that moves item boundaries, strings, comments, broken input. */
const INSERTS = [
  'x',
  'a1',
  ' ',
  '\n',
  '\n\n',
  '{',
  '}',
  '{\n',
  '}\n',
  '(',
  ')',
  '"',
  '"{x0}"',
  '.',
  ',',
  '=',
  '==',
  '1',
  '0x',
  '10ms',
  '1.5us',
  '00:01.0',
  ';',
  '-',
  '/',
  '*',
  '//',
  '/*',
  '*/',
  '// note\n',
  '/* a\nb */',
  'psci ',
  'psci CPU_OFF\n',
  'proc p {\n',
  '}\n\nproc q {\n',
  'vm v {\n',
  'vm w {\n  hypervisor kvm\n}\n',
  'host {\n',
  'explore\n',
  'expect violation x\n',
  'g.vcpu0 {',
  'loop {',
  'if x0 == 1 {',
  '@',
  '\u00e9',
  '\ud83d\ude00',
];

function edit(text: string, next: (n: number) => number): string {
  const at = next(text.length + 1);
  const op = next(3);
  const removed = op === 0 ? 0 : 1 + next(op === 1 ? 4 : 40);
  const inserted = op === 2 ? '' : INSERTS[next(INSERTS.length)];
  return text.slice(0, at) + inserted + text.slice(Math.min(text.length, at + removed));
}

function comparable(d: Diagnostic) {
  return {
    span: [d.span.start, d.span.end],
    severity: d.severity,
    code: d.code,
    message: d.message,
    related: d.related?.map((r) => [r.file.path, r.span.start, r.span.end, r.message]),
    fixes: d.fixes?.map((f) => [f.title, f.span.start, f.span.end, f.newText]),
  };
}

function sortedDiagnostics(r: ParseResult) {
  return parseDiagnostics(r)
    .map(comparable)
    .sort(
      (a, b) =>
        a.span[0] - b.span[0] || a.span[1] - b.span[1] || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
    );
}

function assertSameParse(incremental: ParseResult, whole: ParseResult, where: string): void {
  assert.deepStrictEqual(incremental.itemStarts, whole.itemStarts, `${where}: item starts`);
  assert.deepStrictEqual(incremental.ast, whole.ast, `${where}: tree`);
  assert.deepStrictEqual(sortedDiagnostics(incremental), sortedDiagnostics(whole), `${where}: diagnostics`);
  assert.deepStrictEqual(
    incremental.diagnostics.items.map(comparable),
    parseDiagnostics(incremental).map(comparable),
    `${where}: the bag holds the parse's diagnostics`,
  );
  assert.strictEqual(incremental.file, incremental.diagnostics.file);
}

interface Stats {
  edits: number;
  /** re-parses that kept items from before the edit */
  keptBefore: number;
  /** re-parses that kept items from after the edit */
  keptAfter: number;
}

function typeInto(name: string, text: string, edits: number, seed: number, stats: Stats): void {
  const next = seededRandom(seed);
  let previous = parse(new SourceFile(name, text));
  for (let i = 0; i < edits; i++) {
    text = edit(text, next);
    const file = new SourceFile(name, text);
    const oldItems = new Set<object>(previous.ast.items);
    const incremental = reparse(previous, file);
    const kept = incremental.ast.items.map((item) => oldItems.has(item));
    if (kept.length && kept[0]) stats.keptBefore++;
    if (kept.length && kept[kept.length - 1]) stats.keptAfter++;
    stats.edits++;
    assertSameParse(incremental, parse(new SourceFile(name, text)), `${name}, seed ${seed}, edit ${i + 1}`);
    previous = incremental;
  }
}

describe('incremental parse', () => {
  const corpus: [string, string][] = [
    ...fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.sflow'))
      .map((f): [string, string] => [f, fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8')]),
    ['linux.sflow', fs.readFileSync(path.join(ROOT, 'lib/linux.sflow'), 'utf8')],
    ['large.sflow', largeScenario(600)],
  ];

  it('gives what a whole parse gives after every one of thousands of random edits, and keeps most items', () => {
    const stats: Stats = { edits: 0, keptBefore: 0, keptAfter: 0 };
    corpus.forEach(([name, text], n) => typeInto(name, text, 300, 1000 + n, stats));
    // Many re-parses keep items on both sides; a fallback to whole parses would keep none. (Fewer keep the tail: a
    // random edit often leaves a brace open that takes in everything after it.)
    assert.ok(stats.keptBefore > stats.edits / 3, JSON.stringify(stats));
    assert.ok(stats.keptAfter > stats.edits / 5, JSON.stringify(stats));
  });

  it('the checker finds the same problems in an incremental parse as in a whole one', () => {
    // The checker runs on items kept from earlier parses (and spans replaced in them): its diagnostics, and the
    // program's instruction count, must not depend on that.
    const sorted = (ds: Diagnostic[]) =>
      ds
        .map(comparable)
        .sort((a, b) => a.span[0] - b.span[0] || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    let compared = 0;
    corpus
      .filter(([name]) => name !== 'linux.sflow')
      .forEach(([name, text], n) => {
        const next = seededRandom(5000 + n);
        let previous = parse(new SourceFile(name, text));
        for (let i = 0; i < 40; i++) {
          text = edit(text, next);
          const file = new SourceFile(name, text);
          const incremental = reparse(previous, file);
          const viaIncremental = check([file, ...preludeFiles()], new Map([[file, incremental]]));
          const whole = check([new SourceFile(name, text), ...preludeFiles()]);
          const where = `${name}, seed ${5000 + n}, edit ${i + 1}`;
          assert.deepStrictEqual(sorted(viaIncremental.diagnostics), sorted(whole.diagnostics), where);
          assert.deepStrictEqual(
            viaIncremental.program.vms.map((v) => v.code.length),
            whole.program.vms.map((v) => v.code.length),
            where,
          );
          compared++;
          previous = incremental;
        }
      });
    assert.ok(compared > 400);
  });

  it('re-parses only around the edit: the items elsewhere are the same objects, moved', () => {
    const text = largeScenario(300);
    const previous = parse(new SourceFile('large.sflow', text));
    const count = previous.ast.items.length;
    const middle = previous.itemStarts[Math.floor(count / 2)];
    const at = text.indexOf('set x1', middle);
    const edited = text.slice(0, at) + 'set x1 = 7\n  ' + text.slice(at);
    const before = new Set<object>(previous.ast.items);
    const incremental = reparse(previous, new SourceFile('large.sflow', edited));
    const same = incremental.ast.items.filter((item) => before.has(item)).length;
    assert.ok(same >= count - 3, `${same} of ${count} items kept`);
    assertSameParse(incremental, parse(new SourceFile('large.sflow', edited)), 'one insertion');
  });

  it('parses the whole file again when an edit may open or close a block comment', () => {
    const text = 'vm a {\n  hypervisor kvm\n}\nproc p {\n  wfi\n}\nproc q {\n  wfi\n}\n';
    const previous = parse(new SourceFile('c.sflow', text));
    const before = previous.ast.items.slice();
    const edited = text.replace('proc p', '/* proc p');
    const incremental = reparse(previous, new SourceFile('c.sflow', edited));
    assert.ok(incremental.ast.items.every((item) => !before.includes(item)));
    assertSameParse(incremental, parse(new SourceFile('c.sflow', edited)), 'comment opened');
    assert.deepStrictEqual(
      parseDiagnostics(incremental).map((d) => d.code),
      ['unterminated-comment'],
    );
  });
});
