// What the fuzz feeds the language: the examples, the Linux prelude and the test fixtures, mutated (tokens,
// characters and lines deleted, inserted, duplicated, swapped; deep nesting, huge numbers, long names, CR/CRLF line
// endings, a byte order mark, control characters), and scenarios generated from a small grammar (mostly valid, so
// the simulator gets to run them). Every input is a function of an Rng: the same seed, the same text.

import * as fs from 'fs';
import * as path from 'path';
import { Rng } from './rng';

const ROOT = path.resolve(__dirname, '../..');

export interface Input {
  text: string;
  /** for the language server: the document's text before the last edit (incremental re-parse) */
  before?: string;
  /** how it was made: the corpus file and each mutation, for the report */
  recipe: string[];
}

let corpusCache: { name: string; text: string }[] | undefined;

/** The seed texts: examples/*.sflow, lib/linux.sflow, test fixtures and grammar cases. */
export function corpus(): { name: string; text: string }[] {
  if (corpusCache) return corpusCache;
  const files: string[] = [];
  for (const dir of ['examples', 'lib', 'test/fixtures', 'test/grammar/cases']) {
    const full = path.join(ROOT, dir);
    if (!fs.existsSync(full)) continue;
    for (const f of fs.readdirSync(full).sort()) if (f.endsWith('.sflow')) files.push(path.join(dir, f));
  }
  corpusCache = files.map((f) => ({ name: f, text: fs.readFileSync(path.join(ROOT, f), 'utf8') }));
  return corpusCache;
}

// ------------------------------------------------------------------------------------------ a rough tokenizer

export interface Piece {
  start: number;
  end: number;
  kind: 'space' | 'newline' | 'comment' | 'string' | 'word' | 'number' | 'punct';
}

const PIECE =
  /([ \t]+)|(\r\n|\r|\n)|(\/\/[^\r\n]*|\/\*[\s\S]*?(?:\*\/|$))|("(?:[^"\\\r\n]|\\.)*"?)|([A-Za-z_][A-Za-z0-9_]*)|(0x[0-9a-fA-F]+|\d+(?:\.\d+)?[A-Za-z%]*)|([\s\S])/g;

/** Splits text into pieces (independent of the project's lexer, so a lexer bug cannot hide a case). */
export function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  PIECE.lastIndex = 0;
  for (let m = PIECE.exec(text); m; m = PIECE.exec(text)) {
    const kind = m[1]
      ? 'space'
      : m[2]
        ? 'newline'
        : m[3]
          ? 'comment'
          : m[4]
            ? 'string'
            : m[5]
              ? 'word'
              : m[6]
                ? 'number'
                : 'punct';
    out.push({ start: m.index, end: m.index + m[0].length, kind });
  }
  return out;
}

const tokensOf = (text: string) => pieces(text).filter((p) => p.kind !== 'space' && p.kind !== 'newline');

/** Words, numbers and punctuation seen in the corpus, plus the language's keywords: what insertions draw from. */
let dictionaryCache: string[] | undefined;
function dictionary(): string[] {
  if (dictionaryCache) return dictionaryCache;
  const words = new Set<string>(KEYWORDS);
  for (const { text } of corpus())
    for (const p of tokensOf(text))
      if (p.kind !== 'comment' && p.end - p.start < 40) words.add(text.slice(p.start, p.end));
  dictionaryCache = [...words].sort();
  return dictionaryCache;
}

const KEYWORDS = [
  'vm',
  'host',
  'proc',
  'call',
  'psci',
  'smc',
  'hvc',
  'mmio',
  'read',
  'write',
  'pci',
  'virtio',
  'irq',
  'enable',
  'disable',
  'ack',
  'wake',
  'wfi',
  'delay',
  'signal',
  'wait',
  'loop',
  'break',
  'if',
  'else',
  'set',
  'expect',
  'log',
  'halt',
  'at',
  'device',
  'hypervisor',
  'kvm',
  'xen',
  'vcpus',
  'ram',
  'on',
  'system_suspend',
  'wakeup',
  'confirm',
  'deny',
  'defer',
  'explore',
  'violation',
  'foreach',
  'return',
  's2idle',
  'notify',
  'policy',
  'suspend',
  'waits-for',
  'request',
  'role',
  'watchdog',
  'jitter',
  'freeze',
  'restore',
  'status',
  'now',
  'pending',
  'entry',
  'context',
  'target',
  'level',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '=',
  '==',
  '!=',
  '->',
  '..',
  ':',
  ',',
  ';',
  '.',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<<',
  '>>',
  '&',
  '|',
  '^',
  '~',
  '!',
  '&&',
  '||',
  '<',
  '>',
  '<=',
  '>=',
  '"',
  '"{x0}"',
  '//',
  '/*',
  '*/',
  '0',
  '1',
  '0x0',
  '10ms',
  '5us',
  '512M',
  '100%',
  '1.1',
  '00:01.0',
  'x0',
  'x30',
  'pc',
  'sp',
  'mmu',
  'daif',
  'vcpu0',
  'vcpu1',
  'vcpu9',
  'SYSTEM_SUSPEND',
  'CPU_OFF',
  'CPU_ON',
  'AFFINITY_INFO',
  'PSCI_VERSION',
  'D0',
  'D3hot',
  'D3cold',
  'OFF',
  'ON',
  'DENIED',
  'SUCCESS',
  'DRIVER_OK',
  'pmcsr',
  'state',
  'command',
  'bar0',
  'linux.pm_suspend',
  'linux.secondary',
  'mem',
];

// ------------------------------------------------------------------------------------------ mutations

const HUGE_NUMBERS = [
  '18446744073709551615',
  '18446744073709551616',
  '99999999999999999999999999999',
  '0xffffffffffffffff',
  '0x1ffffffffffffffff',
  '0x' + 'f'.repeat(64),
  '9007199254740993',
  '9'.repeat(400),
  '4294967296',
  '2147483648',
  '99999999999999999999s',
  '18446744073709551615ms',
  '999999999999T',
  '1e308',
  '0.0000001',
  '-9223372036854775808',
  '340282366920938463463374607431768211456ns',
  '100000000000%',
  '99999.99999',
];

const CONTROL = [
  '\0',
  '\x01',
  '\x07',
  '\b',
  '\x0b',
  '\f',
  '\x1b',
  '\x7f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  '\u202e',
  '\ufffd',
  '\t',
  '\r',
  '\\',
  '"',
  '{',
  '}',
];

/** The whole text, mutated once. */
type Mutation = (text: string, rng: Rng) => string;

const at = (text: string, rng: Rng) => rng.int(text.length + 1);
function lineSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  const re = /\r\n|\r|\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    spans.push([start, m.index + m[0].length]);
    start = m.index + m[0].length;
  }
  spans.push([start, text.length]);
  return spans;
}
const randomToken = (text: string, rng: Rng): Piece | undefined => {
  const t = tokensOf(text);
  return t.length ? rng.pick(t) : undefined;
};
const nestingOpen = ['if x0 == 0 {', 'loop {', 'if 1 {', '{'];

export const MUTATIONS: Record<string, Mutation> = {
  // tokens
  'delete-token': (text, rng) => {
    const t = randomToken(text, rng);
    return t ? text.slice(0, t.start) + text.slice(t.end) : text;
  },
  'insert-token': (text, rng) => {
    const i = at(text, rng);
    return (
      text.slice(0, i) + rng.pick([' ', '', '\n']) + rng.pick(dictionary()) + rng.pick([' ', '', '\n']) + text.slice(i)
    );
  },
  'duplicate-token': (text, rng) => {
    const t = randomToken(text, rng);
    return t ? text.slice(0, t.end) + ' ' + text.slice(t.start, t.end) + text.slice(t.end) : text;
  },
  'replace-token': (text, rng) => {
    const t = randomToken(text, rng);
    return t ? text.slice(0, t.start) + rng.pick(dictionary()) + text.slice(t.end) : text;
  },
  'swap-tokens': (text, rng) => {
    const all = tokensOf(text);
    if (all.length < 2) return text;
    const i = rng.int(all.length - 1);
    const j = rng.chance(0.6) ? i + 1 : rng.range(i + 1, all.length - 1);
    const [a, b] = [all[i], all[j]];
    return (
      text.slice(0, a.start) +
      text.slice(b.start, b.end) +
      text.slice(a.end, b.start) +
      text.slice(a.start, a.end) +
      text.slice(b.end)
    );
  },
  // characters
  'delete-chars': (text, rng) => {
    const i = at(text, rng);
    return text.slice(0, i) + text.slice(i + rng.size(20));
  },
  'insert-char': (text, rng) => {
    const i = at(text, rng);
    const c = rng.chance(0.5) ? String.fromCharCode(rng.range(32, 126)) : rng.pick(CONTROL);
    return text.slice(0, i) + c.repeat(rng.size(4)) + text.slice(i);
  },
  'duplicate-chars': (text, rng) => {
    const i = at(text, rng);
    const n = rng.size(30);
    return text.slice(0, i + n) + text.slice(i, i + n) + text.slice(i + n);
  },
  'swap-chars': (text, rng) => {
    if (text.length < 2) return text;
    const i = rng.int(text.length - 1);
    return text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
  },
  // lines
  'delete-line': (text, rng) => {
    const lines = lineSpans(text);
    const [s, e] = rng.pick(lines);
    return text.slice(0, s) + text.slice(e);
  },
  'insert-line': (text, rng) => {
    const donor = rng.pick(corpus()).text;
    const [ds, de] = rng.pick(lineSpans(donor));
    const [s] = rng.pick(lineSpans(text));
    const line = donor.slice(ds, de);
    return text.slice(0, s) + line + (/[\r\n]$/.test(line) ? '' : '\n') + text.slice(s);
  },
  'duplicate-line': (text, rng) => {
    const [s, e] = rng.pick(lineSpans(text));
    return text.slice(0, e) + text.slice(s, e) + text.slice(e);
  },
  'swap-lines': (text, rng) => {
    const lines = lineSpans(text);
    if (lines.length < 2) return text;
    const i = rng.int(lines.length - 1);
    const j = rng.chance(0.5) ? i + 1 : rng.range(i + 1, lines.length - 1);
    const parts = lines.map(([s, e]) => text.slice(s, e));
    [parts[i], parts[j]] = [parts[j], parts[i]];
    return parts.join('');
  },
  truncate: (text, rng) => text.slice(0, at(text, rng)),
  splice: (text, rng) => {
    const donor = rng.pick(corpus()).text;
    return text.slice(0, at(text, rng)) + donor.slice(at(donor, rng));
  },
  // the known hard cases
  'deep-nesting': (text, rng) => {
    const depth = rng.weighted([
      [4, rng.range(20, 200)],
      [2, rng.range(200, 1500)],
      [1, rng.range(1500, 6000)],
    ] as const);
    const [s] = rng.pick(lineSpans(text));
    const kind = rng.int(4);
    let nest: string;
    if (kind === 0)
      nest = `${rng.pick(nestingOpen)}\n`.repeat(depth) + '}\n'.repeat(rng.chance(0.8) ? depth : rng.int(depth));
    else if (kind === 1)
      nest = `  set x1 = ${'('.repeat(depth)}1${')'.repeat(rng.chance(0.8) ? depth : rng.int(depth))}\n`;
    else if (kind === 2) nest = `  expect ${'!'.repeat(depth)}0 ${rng.pick(['', '== 1', '&& x0'])}\n`;
    else
      nest = `  set x2 = ${Array.from({ length: depth }, (_, i) => `x${i % 31}`).join(rng.pick([' + ', ' - ', ' * ', ' && ', ' << ']))}\n`;
    return text.slice(0, s) + nest + text.slice(s);
  },
  'huge-number': (text, rng) => {
    const numbers = pieces(text).filter((p) => p.kind === 'number');
    const huge = rng.pick(HUGE_NUMBERS);
    if (!numbers.length) {
      const i = at(text, rng);
      return text.slice(0, i) + huge + text.slice(i);
    }
    const n = rng.pick(numbers);
    return text.slice(0, n.start) + huge + text.slice(n.end);
  },
  'long-name': (text, rng) => {
    const words = pieces(text).filter((p) => p.kind === 'word');
    const length = rng.weighted([
      [5, rng.range(40, 300)],
      [2, rng.range(300, 5000)],
      [1, rng.range(5000, 60000)],
    ] as const);
    const base = words.length ? text.slice(rng.pick(words).start, rng.pick(words).end) || 'name' : 'name';
    const name = (base + '_' + 'abcdefghijklmnopqrstuvwxyz'[rng.int(26)])
      .repeat(Math.ceil(length / (base.length + 2)))
      .slice(0, length);
    if (!words.length) return text + ' ' + name;
    const w = rng.pick(words);
    return text.slice(0, w.start) + name + text.slice(w.end);
  },
  'long-whitespace': (text, rng) => {
    const i = at(text, rng);
    const run = rng.pick([' ', '\t', ' \t']).repeat(
      rng.weighted([
        [3, rng.range(10, 500)],
        [1, rng.range(500, 60000)],
      ] as const),
    );
    return text.slice(0, i) + run + (rng.chance(0.5) ? rng.pick(['x', '=', '}', '"', '\n']) : '') + text.slice(i);
  },
  'long-line': (text, rng) => {
    const i = at(text, rng);
    return (
      text.slice(0, i) +
      rng.pick(['set x1 = 1 ', 'x0 + ', '{ ', '"', '// ']).repeat(rng.range(100, 8000)) +
      text.slice(i)
    );
  },
  crlf: (text) => text.replace(/\r?\n/g, '\r\n'),
  'cr-only': (text) => text.replace(/\r?\n/g, '\r'),
  'mixed-line-endings': (text, rng) => text.replace(/\r?\n/g, () => rng.pick(['\n', '\r\n', '\r', '\n\r'])),
  bom: (text, rng) =>
    rng.chance(0.8) ? '\ufeff' + text : text.slice(0, at(text, rng)) + '\ufeff' + text.slice(at(text, rng)),
  'control-chars': (text, rng) => {
    let out = text;
    for (let k = rng.size(6); k > 0; k--) {
      const i = at(out, rng);
      out = out.slice(0, i) + rng.pick(CONTROL) + out.slice(i);
    }
    return out;
  },
  unterminated: (text, rng) => {
    const i = at(text, rng);
    return text.slice(0, i) + rng.pick(['"', '/*', '"{', '"\\', '{', '(', '"{x0']) + text.slice(i);
  },
  empty: () => '',
  'whitespace-only': (_text, rng) => rng.pick([' ', '\n', '\r\n', '\t', '\ufeff', '\r']).repeat(rng.range(1, 50)),
};

/** Mutations that keep a valid scenario valid more often than not (numbers, lines duplicated), for the simulator. */
const MILD: Mutation[] = [
  (text, rng) => {
    const numbers = pieces(text).filter((p) => p.kind === 'number');
    if (!numbers.length) return text;
    const n = rng.pick(numbers);
    const old = text.slice(n.start, n.end);
    const unit = /[a-zA-Z%]*$/.exec(old)![0];
    const value = rng.pick([0, 1, 2, 3, 7, 10, 100, 1000, 65535, rng.int(1 << 20)]);
    return (
      text.slice(0, n.start) +
      (old.startsWith('0x') ? '0x' + value.toString(16) : String(value) + unit) +
      text.slice(n.end)
    );
  },
  MUTATIONS['duplicate-line'],
  MUTATIONS['delete-line'],
  MUTATIONS['swap-lines'],
  MUTATIONS['crlf'],
];

const MUTATION_WEIGHTS: [number, string][] = [
  [6, 'delete-token'],
  [6, 'insert-token'],
  [4, 'duplicate-token'],
  [6, 'replace-token'],
  [4, 'swap-tokens'],
  [4, 'delete-chars'],
  [5, 'insert-char'],
  [3, 'duplicate-chars'],
  [3, 'swap-chars'],
  [5, 'delete-line'],
  [5, 'insert-line'],
  [4, 'duplicate-line'],
  [4, 'swap-lines'],
  [2, 'truncate'],
  [2, 'splice'],
  [2, 'deep-nesting'],
  [3, 'huge-number'],
  [2, 'long-name'],
  [2, 'long-whitespace'],
  [1, 'long-line'],
  [2, 'crlf'],
  [2, 'cr-only'],
  [2, 'mixed-line-endings'],
  [2, 'bom'],
  [3, 'control-chars'],
  [3, 'unterminated'],
  [0.3, 'empty'],
  [0.3, 'whitespace-only'],
];

/** Mutation names that make an input slow by design; their share is kept down where cases must be cheap. */
export const EXPENSIVE = new Set(['deep-nesting', 'long-name', 'long-whitespace', 'long-line']);

/** A corpus text (or a generated one), mutated 1 to 4 times. */
export function mutated(rng: Rng, options: { cheap?: boolean } = {}): Input {
  const base = rng.chance(0.2) ? { name: 'generated', text: generateScenario(rng) } : rng.pick(corpus());
  let text = base.text;
  const recipe = [base.name];
  const count = rng.weighted([
    [5, 1],
    [3, 2],
    [2, 3],
    [1, 4],
  ] as const);
  for (let k = 0; k < count; k++) {
    let name = rng.weighted(MUTATION_WEIGHTS);
    if (options.cheap && EXPENSIVE.has(name) && rng.chance(0.7)) name = 'replace-token';
    text = MUTATIONS[name](text, rng);
    recipe.push(name);
  }
  return { text, recipe };
}

/** A scenario the checker mostly accepts: generated, or a corpus text changed mildly. */
export function runnable(rng: Rng): Input {
  if (rng.chance(0.6)) return { text: generateScenario(rng), recipe: ['generated'] };
  const base = rng.pick(corpus().filter((c) => c.name.startsWith('examples/') || c.name.startsWith('test/fixtures/')));
  let text = base.text;
  const recipe = [base.name];
  for (let k = rng.int(3); k > 0; k--) {
    const i = rng.int(MILD.length);
    text = MILD[i](text, rng);
    recipe.push(`mild-${i}`);
  }
  return { text, recipe };
}

// ------------------------------------------------------------------------------------------ a scenario generator

interface GenVm {
  name: string;
  vcpus: number;
  hypervisor: 'kvm' | 'xen';
  devices: { name: string; model: string }[];
  irqs: number[];
  s2idle: boolean;
}

/** Statements by what they need; `{x}` holes are filled by `fill`. */
const STATEMENTS: [number, string, (vm: GenVm) => boolean][] = [
  [3, 'psci PSCI_VERSION', () => true],
  [2, 'psci CPU_OFF', (vm) => vm.vcpus > 1],
  [3, 'psci SYSTEM_SUSPEND entry={label} context={n}', () => true],
  [3, 'psci AFFINITY_INFO target=vcpu{c} level=0', () => true],
  [2, 'psci CPU_ON target=vcpu{c} entry={label} context={n}', () => true],
  [1, 'psci SYSTEM_OFF', () => true],
  [1, 'psci PSCI_FEATURES function=0x84000001', () => true],
  [1, 'psci MIGRATE_INFO_TYPE', () => true],
  [1, 'psci CPU_DEFAULT_SUSPEND entry={label} context=1', (vm) => vm.hypervisor === 'kvm'],
  [3, 'irq enable {i} wake', () => true],
  [1, 'irq enable {i}', () => true],
  [1, 'irq disable {i}', () => true],
  [1, 'irq ack {i}', () => true],
  [2, 'wfi', () => true],
  [4, 'delay {t}', () => true],
  [2, 'signal s{s}', () => true],
  [1, 'wait signal s{s}', () => true],
  [1, 'wait vcpu{c}.power == OFF', () => true],
  [4, 'set x{r} = {int}', () => true],
  [3, 'set x{r} = x{r} + {n}', () => true],
  [3, 'expect {bool}', () => true],
  [2, 'expect {bool}, "message {x{r}}"', () => true],
  [2, 'log "at {now}: x{r}={x{r}}"', () => true],
  [1, 'call linux.pm_suspend {pm}', () => true],
  [1, 'call p{p}({n})', () => true],
  [2, 's2idle notify', (vm) => vm.s2idle],
  [3, 'pci write {d} pmcsr.state = {ds}', (vm) => vm.devices.length > 0],
  [2, 'pci write {d} command.memory = 1', (vm) => vm.devices.length > 0],
  [
    1,
    'pci write {d} bar0 = 0xe0000000',
    (vm) => vm.devices.some((d) => d.model === 'passthrough' || d.model === 'pci'),
  ],
  [1, 'pci read {d} bar0', (vm) => vm.devices.length > 0],
  [1, 'mmio write 0xe00000{n2} = {n}', () => true],
  [1, 'mmio read 0xe00000{n2}', () => true],
  [1, 'virtio freeze {vd}', (vm) => vm.devices.some((d) => d.model.startsWith('virtio'))],
  [1, 'virtio restore {vd}', (vm) => vm.devices.some((d) => d.model.startsWith('virtio'))],
  [1, 'smc 0x84000000', () => true],
];
const INT_EXPRS = [
  '{n}',
  'x{r}',
  'x{r} + {n}',
  'x{r} * {n}',
  '({n} << {sh}) | x{r}',
  'x{r} / {n1}',
  'x{r} % {n1}',
  '-x{r}',
  '~{n}',
  'now',
  '{d0}.pmcsr.state',
  'x{r} & 0xff',
];
const BOOL_EXPRS = [
  'x{r} == {n}',
  'x0 == SUCCESS',
  'x0 != DENIED',
  'vcpu{c}.power == OFF',
  'now >= {t}',
  'irq {i} pending',
  'x{r} + {n} > {n} * 2',
  '!(x{r} & {n})',
  'host.state == running',
  'x{r} < {n} || x{r} >= {n}',
  '{d0}.pmcsr.state == {ds}',
];
const DEVICE_MODELS = ['virtio-net', 'virtio-blk', 'virtio-gpio', 'passthrough', 'pci'];
const DEVICE_OPTIONS: Record<string, string[]> = {
  passthrough: ['', ' { no_soft_reset true }', ' { d3cold promote }', ' { no_soft_reset true; d3cold promote }'],
  'virtio-gpio': ['', ' { no_soft_reset true }', ' { no_soft_reset true; feature suspend }'],
};

export function generateScenario(rng: Rng): string {
  const vmCount = rng.weighted([
    [6, 1],
    [3, 2],
    [1, 3],
  ] as const);
  const out: string[] = [];
  const vms: GenVm[] = [];
  for (let v = 0; v < vmCount; v++) {
    const name = rng.pick(['guest', 'vm', 'dom', 'ctrl', 'worker']) + v;
    const hypervisor = rng.chance(0.75) ? 'kvm' : 'xen';
    const vcpus = rng.weighted([
      [5, 1],
      [5, 2],
      [2, 4],
      [0.2, rng.range(5, 16)],
    ] as const);
    const vm: GenVm = {
      name,
      vcpus,
      hypervisor,
      devices: [],
      irqs: [],
      s2idle: hypervisor === 'kvm' && rng.chance(0.3),
    };
    out.push(
      `vm ${name} {`,
      `  hypervisor ${hypervisor === 'kvm' ? rng.pick(['kvm', 'kvm psci 1.1', 'kvm psci 1.0', 'kvm psci 1.3']) : 'xen'}`,
      `  vcpus ${vcpus}`,
    );
    if (rng.chance(0.2)) out.push(`  ram 0x${rng.pick(['40000000', '80000000'])} ${rng.pick(['256M', '512M', '1G'])}`);
    for (let d = rng.int(4); d > 0; d--) {
      const model = rng.pick(DEVICE_MODELS);
      const dev = {
        name: `${model === 'passthrough' ? 'gpu' : model === 'pci' ? 'dev' : model.slice(7)}${vm.devices.length}`,
        model,
      };
      const irq = 32 + 10 * v + vm.devices.length;
      vm.devices.push(dev);
      vm.irqs.push(irq);
      out.push(
        `  device ${dev.name} ${model} at 00:${String(vm.devices.length).padStart(2, '0')}.0 irq ${irq}${rng.pick(DEVICE_OPTIONS[model] ?? [''])}`,
      );
    }
    if (hypervisor === 'kvm' && rng.chance(0.3))
      out.push(`  on system_suspend: ${rng.pick(['confirm', 'deny', 'confirm | deny'])}`);
    if (vm.s2idle) out.push(`  s2idle_notify at 0x0a00${rng.int(10)}000`);
    if (rng.chance(0.1)) out.push(`  jitter ${rng.range(1, 30)}%`);
    out.push('}', '');
    vms.push(vm);
  }
  if (rng.chance(0.7)) {
    out.push('host {');
    const s2idle = vms.find((v) => v.s2idle);
    if (s2idle && rng.chance(0.5))
      out.push(`  policy suspend ${rng.pick([`waits-for ${s2idle.name} s2idle`, `privileged ${s2idle.name}`])}`);
    for (let k = rng.int(4); k > 0; k--) {
      const vm = rng.pick(vms);
      const t = rng.range(0, 400);
      const when = rng.chance(0.3) ? `${t}ms..${t + rng.range(1, 100)}ms` : `${t}ms`;
      const irq = vm.irqs.length ? rng.pick(vm.irqs) : 40 + rng.int(8);
      out.push(
        `  at ${when}: ${rng.weighted([
          [5, `irq ${irq} -> ${vm.name}`],
          [1, 'request suspend'],
          [1, 'wake'],
        ] as const)}`,
      );
    }
    out.push('}', '');
  }
  const procs = rng.int(3);
  let labelCount = 0;
  const fill = (template: string, vm: GenVm, labels: string[]): string =>
    template.replace(/\{(\w+)\}/g, (_, k: string): string => {
      switch (k) {
        case 'n':
          return String(rng.pick([0, 1, 2, 3, 5, 16, 255, 1000, rng.int(100000)]));
        case 'n1':
          return String(rng.pick([1, 2, 3, 7, 16]));
        case 'n2':
          return String(rng.pick([10, 20, 40]));
        case 'sh':
          return String(rng.int(32));
        case 'c':
          return String(rng.int(vm.vcpus));
        case 'i':
          return String(vm.irqs.length ? rng.pick(vm.irqs) : 40);
        case 't':
          return `${rng.range(1, 50)}${rng.pick(['us', 'ms', 'ns'])}`;
        case 's':
          return String(rng.int(3));
        case 'r':
          return String(rng.int(31));
        case 'int':
          return fill(rng.pick(INT_EXPRS.filter((e) => vm.devices.length || !e.includes('{d0}'))), vm, labels);
        case 'bool':
          return fill(rng.pick(BOOL_EXPRS.filter((e) => vm.devices.length || !e.includes('{d0}'))), vm, labels);
        case 'p':
          return String(rng.int(Math.max(1, procs)));
        case 'd':
        case 'd0':
          return rng.pick(vm.devices).name;
        case 'vd':
          return rng.pick(vm.devices.filter((d) => d.model.startsWith('virtio'))).name;
        case 'ds':
          return rng.pick(['D0', 'D3hot']);
        case 'pm':
          return rng.pick(['mem', 's2idle']);
        case 'label': {
          const l = `back${labelCount++}`;
          labels.push(l);
          return l;
        }
        case 'x':
          return `x${rng.int(31)}`;
        default:
          return k;
      }
    });
  const body = (vm: GenVm, depth: number, lines: number, labels: string[], inLoop: boolean): string[] => {
    const indent = '  '.repeat(depth + 1);
    const b: string[] = [];
    const usable = STATEMENTS.filter(
      ([, t, ok]) => ok(vm) && (procs > 0 || !t.startsWith('call p')) && (vm.s2idle || !t.includes('s2idle')),
    );
    for (let k = 0; k < lines; k++) {
      const r = rng.float();
      if (r < 0.07 && depth < 3) {
        b.push(
          `${indent}loop {`,
          ...body(vm, depth + 1, rng.range(1, 3), labels, true),
          `${indent}  if ${fill('{bool}', vm, labels)} { break }`,
          `${indent}}`,
        );
      } else if (r < 0.14 && depth < 3) {
        b.push(`${indent}if ${fill('{bool}', vm, labels)} {`, ...body(vm, depth + 1, rng.range(1, 3), labels, inLoop));
        if (rng.chance(0.4)) b.push(`${indent}} else {`, ...body(vm, depth + 1, rng.range(1, 2), labels, inLoop));
        b.push(`${indent}}`);
      } else if (r < 0.16 && inLoop) b.push(`${indent}break`);
      else b.push(indent + fill(rng.weighted(usable.map(([w, t]) => [w, t] as const)), vm, labels));
    }
    return b;
  };
  for (let p = 0; p < procs; p++) {
    const labels: string[] = [];
    const lines = body(vms[0], 0, rng.range(1, 5), labels, false).filter((l) => !/\{label\}|entry=back/.test(l));
    out.push(`proc p${p}(n) {`, ...lines.filter((l) => !/entry=back\d/.test(l)), '}', '');
  }
  for (const vm of vms) {
    for (let c = 0; c < vm.vcpus && c < 4; c++) {
      if (c > 0 && rng.chance(0.4)) continue;
      const labels: string[] = [];
      const lines = body(vm, 0, rng.range(1, 10), labels, false);
      out.push(`${vm.name}.vcpu${c} {`, ...lines, '  halt');
      for (const l of labels)
        out.push(`${l}:`, ...body(vm, 0, rng.range(0, 2), [], false).filter((x) => !/entry=back/.test(x)), '  halt');
      out.push('}', '');
    }
  }
  return out.join('\n');
}
