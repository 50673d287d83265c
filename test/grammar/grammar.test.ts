// The TextMate grammar (syntaxes/suspend-flow.tmLanguage.json), the snippets and the language configuration.
//
// - the assertion files of test/grammar/cases/ through vscode-tmgrammar-test, as a child process;
// - snapshots of every example and of the Linux prelude (test/grammar/snapshots/NAME.sflow.snap) through
//   vscode-tmgrammar-snap, as a child process. Regenerate them after a deliberate grammar change with
//   `UPDATE_GRAMMAR_SNAPSHOTS=1 npx mocha test/grammar/grammar.test.ts`, then read the diff;
// - the grammar loaded directly with vscode-textmate + vscode-oniguruma (what VS Code runs): tokens of
//   examples/kvm-system-suspend.sflow, the word lists against the domain tables, and every token of the examples
//   and the prelude against what the real lexer makes of them;
// - every snippet, its placeholders filled with their defaults, parses; the configuration's regexes compile.

import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { DiagnosticBag } from '../../src/lang/diagnostics';
import { VMM_ANSWERS } from '../../src/lang/domain/flavours';
import { CONSTANTS } from '../../src/lang/domain/constants';
import { DEVICE_MODELS } from '../../src/lang/domain/devices';
import { EXPLORE_BOUNDS } from '../../src/lang/domain/explore';
import { INVARIANT_INFO } from '../../src/lang/domain/invariants';
import { psciFunctionNames } from '../../src/lang/domain/psci';
import { VCPU_FIELDS } from '../../src/lang/domain/vcpu';
import { Token, tokenize } from '../../src/lang/lexer';
import { HOST_MEMBER_KEYWORDS, parse, STATEMENT_KEYWORDS, VM_MEMBER_KEYWORDS } from '../../src/lang/parser';
import { SourceFile } from '../../src/lang/source';

const ROOT = path.resolve(__dirname, '..', '..');
const GRAMMAR = path.join(ROOT, 'syntaxes', 'suspend-flow.tmLanguage.json');
const SNAPSHOT_DIR = path.join(ROOT, 'test', 'grammar', 'snapshots');
const CASE_DIR = path.join(ROOT, 'test', 'grammar', 'cases');
const SCOPE = 'source.sflow';
const UPDATE_SNAPSHOTS = process.env.UPDATE_GRAMMAR_SNAPSHOTS === '1';

/** The examples and the prelude: what the snapshots and the lexer comparison cover. */
const SOURCES = [
  ...fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.sflow')).sort().map((f) => path.join(ROOT, 'examples', f)),
  path.join(ROOT, 'lib', 'linux.sflow'),
];

// ------------------------------------------------------------------------------------------ child processes

/** The CLI scripts of vscode-tmgrammar-test, as `npx vscode-tmgrammar-test` / `npx vscode-tmgrammar-snap` run them. */
function toolBin(name: 'vscode-tmgrammar-test' | 'vscode-tmgrammar-snap'): string {
  const pkgPath = require.resolve('vscode-tmgrammar-test/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> };
  return path.join(path.dirname(pkgPath), pkg.bin[name]);
}

interface ToolRun {
  code: number;
  output: string;
}

function runTool(name: 'vscode-tmgrammar-test' | 'vscode-tmgrammar-snap', args: string[]): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    // Node runs the tool's script directly (what npx would start), without a shell: globs are the tool's to expand.
    execFile(process.execPath, [toolBin(name), ...args], { cwd: ROOT, timeout: 15000, env: { ...process.env, FORCE_COLOR: '0' } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, output: `${stdout}${stderr}` });
    });
  });
}

const posix = (p: string) => p.split(path.sep).join('/');

describe('grammar: vscode-tmgrammar-test', () => {
  it('every assertion of test/grammar/cases/*.sflow holds', async () => {
    const cases = fs.readdirSync(CASE_DIR).filter((f) => f.endsWith('.sflow'));
    assert.ok(cases.length >= 10, `expected the case files, found ${cases.join(', ')}`);
    for (const c of cases) {
      const text = fs.readFileSync(path.join(CASE_DIR, c), 'utf8');
      assert.match(text, /^\/\/ SYNTAX TEST "source\.sflow"/, `${c}: header`);
      assert.ok(/^\/\/\s*(\^|<~*-)/m.test(text), `${c} has no assertions`);
    }
    const run = await runTool('vscode-tmgrammar-test', ['-g', posix(path.relative(ROOT, GRAMMAR)), 'test/grammar/cases/*.sflow']);
    assert.strictEqual(run.code, 0, run.output);
    // The tool prints 'run successfuly' (sic); accept the spelling being fixed.
    for (const c of cases) assert.ok(new RegExp(`${c.replace(/[.]/g, '\\.')} run successfu?ll?y`).test(run.output), `${c} did not run:\n${run.output}`);
  });

  it('the snapshots of the examples and the prelude are current', async () => {
    const names = SOURCES.map((s) => path.basename(s));
    assert.strictEqual(new Set(names).size, names.length, 'two sources share a name; their snapshots would collide');
    const snaps = fs.existsSync(SNAPSHOT_DIR) ? fs.readdirSync(SNAPSHOT_DIR).filter((f) => f.endsWith('.snap')) : [];
    if (!UPDATE_SNAPSHOTS) {
      // The tool writes a missing snapshot and passes: a missing one must fail here instead.
      const missing = names.filter((n) => !snaps.includes(`${n}.snap`));
      assert.deepStrictEqual(missing, [], 'snapshots missing; run UPDATE_GRAMMAR_SNAPSHOTS=1 npx mocha test/grammar/grammar.test.ts');
      const stale = snaps.filter((s) => !names.includes(s.replace(/\.snap$/, '')));
      assert.deepStrictEqual(stale, [], 'snapshots of sources that no longer exist');
    }
    // The tool keeps NAME.snap next to NAME: the sources and their snapshots meet in a scratch directory, so the
    // snapshots are checked against the examples themselves rather than copies of them.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-grammar-snap-'));
    try {
      for (const s of SOURCES) fs.copyFileSync(s, path.join(dir, path.basename(s)));
      for (const s of snaps) fs.copyFileSync(path.join(SNAPSHOT_DIR, s), path.join(dir, s));
      const args = ['-g', posix(path.relative(ROOT, GRAMMAR)), '-s', SCOPE, `${posix(dir)}/*.sflow`];
      const run = await runTool('vscode-tmgrammar-snap', UPDATE_SNAPSHOTS ? ['--updateSnapshot', ...args] : args);
      assert.strictEqual(run.code, 0, run.output);
      if (UPDATE_SNAPSHOTS) {
        fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
        for (const n of names) fs.copyFileSync(path.join(dir, `${n}.snap`), path.join(SNAPSHOT_DIR, `${n}.snap`));
      } else {
        for (const n of names) assert.ok(new RegExp(`${n.replace(/[.]/g, '\\.')} run successfu?ll?y`).test(run.output), `${n} was not compared:\n${run.output}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------------------------------ vscode-textmate

let grammarPromise: Promise<vsctm.IGrammar> | undefined;

/** The grammar as VS Code loads it: vscode-textmate over the oniguruma wasm. */
function loadGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= (async () => {
    const wasm = fs.readFileSync(path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => (scopeName === SCOPE ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
    });
    const grammar = await registry.loadGrammar(SCOPE);
    if (!grammar) throw new Error(`could not load ${SCOPE}`);
    return grammar;
  })();
  return grammarPromise;
}

interface Tokenized {
  lines: string[];
  tokens: vsctm.IToken[][];
}

function tokenizeText(grammar: vsctm.IGrammar, text: string): Tokenized {
  const lines = text.split(/\r?\n/);
  const tokens: vsctm.IToken[][] = [];
  let state = vsctm.INITIAL;
  for (const line of lines) {
    const result = grammar.tokenizeLine(line, state);
    tokens.push(result.tokens);
    state = result.ruleStack;
  }
  return { lines, tokens };
}

function scopesAt(t: Tokenized, line: number, column: number): string[] {
  const token = t.tokens[line].find((k) => k.startIndex <= column && column < k.endIndex);
  return token ? token.scopes : [];
}

/** Scopes of the first occurrence of `word` (at `nth` occurrence) on the first line containing `lineText`. */
function scopesOf(t: Tokenized, lineText: string, word: string, nth = 1): string[] {
  const line = t.lines.findIndex((l) => l.includes(lineText));
  assert.ok(line >= 0, `no line contains ${JSON.stringify(lineText)}`);
  let column = -1;
  for (let i = 0; i < nth; i++) column = t.lines[line].indexOf(word, column + 1);
  assert.ok(column >= 0, `${JSON.stringify(word)} not on line ${JSON.stringify(t.lines[line])}`);
  const first = scopesAt(t, line, column);
  // The whole word must be one scope list (no token boundary inside it).
  for (let c = column + 1; c < column + word.length; c++) {
    assert.deepStrictEqual(scopesAt(t, line, c), first, `${JSON.stringify(word)} is split into several tokens on ${JSON.stringify(t.lines[line])}`);
  }
  return first;
}

function assertScope(scopes: string[], expected: string, what: string): void {
  assert.ok(scopes.includes(expected), `${what}: expected ${expected}, got ${scopes.join(' ')}`);
}

/** The scopes of `word` in a one-line (or short) snippet of code. */
async function scopesIn(text: string, lineText: string, word: string, nth = 1): Promise<string[]> {
  return scopesOf(tokenizeText(await loadGrammar(), text), lineText, word, nth);
}

describe('grammar: vscode-textmate + vscode-oniguruma', () => {
  it('scopes the tokens of examples/kvm-system-suspend.sflow', async () => {
    const t = tokenizeText(await loadGrammar(), fs.readFileSync(path.join(ROOT, 'examples', 'kvm-system-suspend.sflow'), 'utf8'));
    const expectations: [string, string, string, number?][] = [
      ['// KVM arm64 suspend-to-RAM', 'SYSTEM_SUSPEND', 'comment.line.double-slash.sflow'],
      ['vm guest {', 'vm', 'storage.type.vm.sflow'],
      ['vm guest {', 'guest', 'entity.name.type.vm.sflow'],
      ['hypervisor kvm psci 1.1', 'hypervisor', 'keyword.other.declaration.sflow'],
      ['hypervisor kvm psci 1.1', '1.1', 'constant.numeric.version.sflow'],
      ['ram 0x40000000 512M', '0x40000000', 'constant.numeric.integer.hexadecimal.sflow'],
      ['ram 0x40000000 512M', '512', 'constant.numeric.size.sflow'],
      ['device net0 virtio-net', 'virtio-net', 'support.type.device-model.sflow'],
      ['device net0 virtio-net', '00:01.0', 'constant.numeric.bdf.sflow'],
      ['on system_suspend: confirm', 'confirm', 'constant.language.answer.sflow'],
      ['at 30ms: irq 33 -> guest', '->', 'keyword.operator.arrow.sflow'],
      ['guest.vcpu1 {', 'vcpu1', 'entity.name.function.program.sflow'],
      ['wait signal cpu_down', 'cpu_down', 'variable.other.signal.sflow'],
      ['log "CPU_OFF returned: {x0}"', 'x0', 'meta.embedded.expression.sflow'],
      ['log "CPU_OFF returned: {x0}"', 'x0', 'variable.language.register.sflow'],
      ['log "CPU_OFF returned: {x0}"', 'CPU_OFF', 'string.quoted.double.sflow'],
      ['psci PSCI_FEATURES function=SYSTEM_SUSPEND64', 'PSCI_FEATURES', 'support.function.psci.sflow'],
      ['psci PSCI_FEATURES function=SYSTEM_SUSPEND64', 'SYSTEM_SUSPEND64', 'support.function.psci.sflow'],
      ['psci PSCI_FEATURES function=SYSTEM_SUSPEND64', 'function', 'variable.parameter.argument.sflow'],
      ['expect x0 == SUCCESS, "the VMM', 'SUCCESS', 'constant.language.return-code.sflow'],
      ['pci write net0 pmcsr.state = D3hot', 'D3hot', 'constant.language.d-state.sflow'],
      ['pci write net0 pmcsr.state = D3hot', 'net0', 'variable.other.device.sflow'],
      ['psci SYSTEM_SUSPEND entry=resume context=0xc0ffee', 'context', 'variable.parameter.argument.sflow'],
      ['loop {', 'loop', 'keyword.control.loop.sflow'],
      ['if x0 == OFF { break }', 'OFF', 'constant.language.power-state.sflow'],
      ['if x0 == OFF { break }', 'break', 'keyword.control.flow.sflow'],
      ['delay 10us', '10', 'constant.numeric.time.sflow'],
      ['delay 10us', 'us', 'keyword.other.unit.time.sflow'],
      ['expect vcpu1.mp_state == STOPPED', 'mp_state', 'variable.other.property.sflow'],
      ['resume:', 'resume', 'entity.name.label.sflow'],
      ['expect now >= 30ms', 'now', 'variable.language.now.sflow'],
      ['expect net0.status == (ACKNOWLEDGE', 'ACKNOWLEDGE', 'constant.language.virtio-status.sflow'],
      ['psci CPU_ON target=vcpu1', 'vcpu1', 'variable.language.vcpu.sflow'],
    ];
    for (const [line, word, scope, nth] of expectations) assertScope(scopesOf(t, line, word, nth), scope, `${word} in ${JSON.stringify(line)}`);
  });

  it('knows every PSCI function name of the domain table, NAME32 and NAME64 included', async () => {
    const names = psciFunctionNames();
    const text = ['g.vcpu0 {', ...names.map((n) => `  psci ${n}`), ...names.map((n) => `  expect x0 == ${n}`), '}'].join('\n');
    const t = tokenizeText(await loadGrammar(), text);
    for (const n of names) {
      assertScope(scopesOf(t, `psci ${n}`, n), 'support.function.psci.sflow', `psci ${n}`);
      assertScope(scopesOf(t, `== ${n}`, n), 'support.function.psci.sflow', `${n} as a constant`);
    }
  });

  it('knows every constant, register, device model, VMM answer and invariant of the domain tables', async () => {
    const grammar = await loadGrammar();
    const groupScope: Record<string, string> = {
      'psci-return': 'constant.language.return-code.sflow',
      power: 'constant.language.power-state.sflow',
      'mp-state': 'constant.language.mp-state.sflow',
      'd-state': 'constant.language.d-state.sflow',
      'virtio-status': 'constant.language.virtio-status.sflow',
      'host-state': 'constant.language.host-state.sflow',
      'vm-state': 'constant.language.vm-state.sflow',
      'sleep-state': 'constant.language.sleep-state.sflow',
      'psci-type': 'constant.language.psci-type.sflow',
      'psci-function': 'support.function.psci.sflow',
    };
    const seen = new Set<string>();
    for (const c of CONSTANTS) {
      if (seen.has(c.name)) continue; // ON_PENDING: a return code alone, a power state only by comparison
      seen.add(c.name);
      const scopes = scopesOf(tokenizeText(grammar, `g.vcpu0 {\n  expect x0 == ${c.name}\n}`), 'expect', c.name);
      assert.ok(groupScope[c.group], `no scope for the constant group ${c.group}`);
      assertScope(scopes, groupScope[c.group], `constant ${c.name}`);
    }
    for (const f of VCPU_FIELDS) {
      assertScope(scopesOf(tokenizeText(grammar, `g.vcpu0 {\n  expect ${f.name} == 0\n}`), 'expect', f.name), 'variable.language.register.sflow', `register ${f.name}`);
    }
    for (const m of DEVICE_MODELS) {
      assertScope(await scopesIn(`vm g {\n  device d ${m.name} at 00:01.0\n}`, 'device', m.name), 'support.type.device-model.sflow', `model ${m.name}`);
      for (const o of m.options) {
        assertScope(await scopesIn(`vm g {\n  device d ${m.name} at 00:01.0 { ${o.name} ${(o.values ?? ['true'])[0]} }\n}`, 'device', o.name, 1), 'entity.other.attribute-name.option.sflow', `option ${o.name}`);
      }
    }
    for (const [event, answers] of Object.entries({ ...VMM_ANSWERS.xen, ...VMM_ANSWERS.kvm })) {
      const t = tokenizeText(grammar, `vm g {\n  on ${event}: ${(answers ?? []).join(' | ')}\n}`);
      assertScope(scopesOf(t, ' on ', event), 'constant.language.event.sflow', `event ${event}`);
      for (const a of answers ?? []) assertScope(scopesOf(t, ' on ', a), 'constant.language.answer.sflow', `answer ${a}`);
    }
    for (const i of INVARIANT_INFO) {
      assertScope(await scopesIn(`expect violation ${i.id}`, 'expect', i.id), 'support.constant.invariant.sflow', `invariant ${i.id}`);
    }
  });

  it('recognises every statement, VM member and host member keyword where it starts', async () => {
    const grammar = await loadGrammar();
    for (const k of STATEMENT_KEYWORDS) {
      const scopes = scopesOf(tokenizeText(grammar, `g.vcpu0 {\n  ${k} x\n}`), `  ${k}`, k);
      assert.ok(scopes.some((s) => s.startsWith('keyword.')), `statement keyword ${k}: ${scopes.join(' ')}`);
    }
    for (const k of VM_MEMBER_KEYWORDS) {
      assertScope(scopesOf(tokenizeText(grammar, `vm g {\n  ${k} x\n}`), `  ${k}`, k), 'keyword.other.declaration.sflow', `VM member ${k}`);
    }
    for (const k of HOST_MEMBER_KEYWORDS) {
      assertScope(scopesOf(tokenizeText(grammar, `host {\n  ${k} x\n}`), `  ${k}`, k), 'keyword.other.host.sflow', `host member ${k}`);
    }
  });

  it('colours explore, bare or with a block, and every bound of the domain table, as declaration keywords', async () => {
    const grammar = await loadGrammar();
    assertScope(scopesOf(tokenizeText(grammar, 'explore\n'), 'explore', 'explore'), 'keyword.other.declaration.sflow', 'a bare explore');
    const lines = ['explore {', ...EXPLORE_BOUNDS.map((b) => `  ${b.name} ${b.example}`), '}', `explore { ${EXPLORE_BOUNDS.map((b) => `${b.name} ${b.example}`).join('; ')} }`];
    const t = tokenizeText(grammar, lines.join('\n'));
    assertScope(scopesOf(t, 'explore {', 'explore'), 'keyword.other.declaration.sflow', 'explore {');
    for (const b of EXPLORE_BOUNDS) {
      assertScope(scopesOf(t, `  ${b.name} `, b.name), 'keyword.other.declaration.sflow', `bound ${b.name} on its own line`);
      assertScope(scopesOf(t, 'explore { ', b.name), 'keyword.other.declaration.sflow', `bound ${b.name} after ';'`);
      // A time's unit is a scope of its own: look at the digits.
      const digits = b.example.replace(/[a-z]+$/, '');
      assertScope(scopesOf(t, `  ${b.name} `, digits), b.value === 'time' ? 'constant.numeric.time.sflow' : 'constant.numeric.integer.decimal.sflow', `value of ${b.name}`);
    }
  });

  it('agrees with the lexer on every token of the examples and the prelude', async () => {
    const grammar = await loadGrammar();
    const expectedScope: Partial<Record<Token['kind'], RegExp>> = {
      number: /^constant\.numeric\.(integer\.(decimal|hexadecimal)|size)\.sflow$/,
      time: /^constant\.numeric\.time\.sflow$/,
      percent: /^constant\.numeric\.percentage\.sflow$/,
      version: /^constant\.numeric\.version\.sflow$/,
      bdf: /^constant\.numeric\.bdf\.sflow$/,
      string: /^string\.quoted\.double\.sflow$/,
    };
    const psci = new Set(psciFunctionNames());
    for (const file of SOURCES) {
      const text = fs.readFileSync(file, 'utf8');
      const name = path.relative(ROOT, file);
      const bag = new DiagnosticBag(new SourceFile(name, text));
      const lexed = tokenize(text, bag);
      assert.deepStrictEqual(bag.items.map((d) => d.message), [], `${name} lexes cleanly`);
      const t = tokenizeText(grammar, text);
      const lineStarts = [0];
      for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
      const at = (offset: number) => {
        let line = lineStarts.length - 1;
        while (lineStarts[line] > offset) line--;
        return { line, column: offset - lineStarts[line], scopes: scopesAt(t, line, offset - lineStarts[line]) };
      };
      const covered = new Uint8Array(text.length);
      for (const tok of lexed) {
        if (tok.kind === 'newline' || tok.kind === 'eof') continue;
        for (let i = tok.span.start; i < tok.span.end; i++) covered[i] = 1;
        const where = at(tok.span.start);
        const label = `${name}:${where.line + 1}:${where.column + 1} ${tok.kind} ${JSON.stringify(tok.text)}`;
        assert.ok(!where.scopes.some((s) => s.startsWith('comment.')), `${label} is scoped as a comment: ${where.scopes.join(' ')}`);
        assert.ok(!where.scopes.some((s) => s.startsWith('invalid.')), `${label} is scoped as invalid: ${where.scopes.join(' ')}`);
        const want = expectedScope[tok.kind];
        if (want) assert.ok(where.scopes.some((s) => want.test(s)), `${label}: ${where.scopes.join(' ')}`);
        if (tok.kind === 'ident' && psci.has(tok.text)) assertScope(where.scopes, 'support.function.psci.sflow', label);
        if (tok.kind === 'string') {
          // The whole string, quotes included, is one string scope.
          for (let i = tok.span.start; i < tok.span.end; i++) assertScope(at(i).scopes, 'string.quoted.double.sflow', `${label} at ${i - tok.span.start}`);
        }
      }
      // What the lexer skips is white space or a comment.
      for (let i = 0; i < text.length; i++) {
        if (covered[i] || /\s/.test(text[i])) continue;
        const where = at(i);
        assert.ok(where.scopes.some((s) => s.startsWith('comment.')), `${name}:${where.line + 1}:${where.column + 1} ${JSON.stringify(text[i])} is skipped by the lexer but not a comment: ${where.scopes.join(' ')}`);
      }
    }
  });

  it('keeps a statement keyword at the start of a line out of an unclosed parenthesis', async () => {
    const t = tokenizeText(await loadGrammar(), 'g.vcpu0 {\n  call f(1,\n    2)\n  call f(1,\n  psci CPU_OFF\n}');
    assertScope(scopesOf(t, '    2)', '2'), 'meta.arguments.sflow', 'a continuation line');
    const scopes = scopesOf(t, 'psci CPU_OFF', 'psci');
    assertScope(scopes, 'keyword.other.statement.sflow', 'psci after an unclosed (');
    assert.ok(!scopes.includes('meta.arguments.sflow'), scopes.join(' '));
    assertScope(scopesOf(t, 'psci CPU_OFF', 'CPU_OFF'), 'support.function.psci.sflow', 'CPU_OFF after an unclosed (');
  });
});

// ------------------------------------------------------------------------------------------ snippets, configuration

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description?: string;
}

/** A snippet body with every tabstop, placeholder and choice replaced by its default (mirrors by the first default). */
function expandSnippet(body: string): string {
  const defaults = new Map<string, string>();
  const expand = (s: string): string => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '\\' && i + 1 < s.length && '$}\\,|'.includes(s[i + 1])) {
        out += s[++i];
        continue;
      }
      if (c !== '$') {
        out += c;
        continue;
      }
      const simple = /^\$(\d+)/.exec(s.slice(i));
      if (simple) {
        out += defaults.get(simple[1]) ?? '';
        i += simple[0].length - 1;
        continue;
      }
      const open = /^\$\{(\d+)([:|])/.exec(s.slice(i));
      assert.ok(open, `unsupported snippet syntax at ${JSON.stringify(s.slice(i))}`);
      // Find the matching '}' (placeholders nest; '\}' is a literal brace).
      let depth = 0;
      let j = i;
      for (; j < s.length; j++) {
        if (s[j] === '\\') {
          j++;
          continue;
        }
        if (s.startsWith('${', j)) {
          depth++;
          j++;
          continue;
        }
        if (s[j] === '}' && --depth === 0) break;
      }
      assert.ok(j < s.length, `unclosed placeholder in ${JSON.stringify(s)}`);
      const inner = s.slice(i + open[0].length, j);
      let value: string;
      if (open[2] === '|') {
        assert.ok(inner.endsWith('|'), `bad choice ${JSON.stringify(inner)}`);
        value = inner.slice(0, -1).split(',')[0];
      } else {
        value = expand(inner);
      }
      if (!defaults.has(open[1])) defaults.set(open[1], value);
      out += value;
      i = j;
    }
    return out;
  };
  return expand(body);
}

describe('grammar: snippets and language configuration', () => {
  const snippets = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets', 'suspend-flow.json'), 'utf8')) as Record<string, Snippet>;

  it('every snippet expands to code the parser accepts', () => {
    assert.ok(Object.keys(snippets).length >= 9);
    for (const [name, snippet] of Object.entries(snippets)) {
      assert.ok(snippet.prefix && snippet.body && snippet.description, `${name}: prefix, body and description`);
      const code = expandSnippet(Array.isArray(snippet.body) ? snippet.body.join('\n') : snippet.body).replace(/\t/g, '  ');
      const first = code.trimStart().split(/\s/)[0];
      // Wrap each snippet in the context it is written for: an item, a VM member, a host member or statements.
      let text: string;
      if (/^(vm|host|proc|explore)$/.test(first) || /^\w+\.vcpu\d+$/.test(first) || code.startsWith('expect violation')) text = code;
      else if (first === 'device') text = `vm g {\n${code}\n}`;
      else if (first === 'at') text = `host {\n${code}\n}`;
      else text = `g.vcpu0 {\n${code}\n}`;
      const result = parse(new SourceFile(`${name}.sflow`, text));
      assert.deepStrictEqual(result.diagnostics.items.map((d) => `${d.code} ${d.message}`), [], `snippet ${JSON.stringify(name)} expands to:\n${text}`);
    }
  });

  it('the explore snippet gives every bound of the domain table (but those asked for on purpose)', () => {
    const explore = Object.values(snippets).find((s) => [s.prefix].flat().includes('explore'));
    assert.ok(explore, 'no snippet with the prefix explore');
    const code = expandSnippet([explore.body].flat().join('\n'));
    for (const b of EXPLORE_BOUNDS.filter((x) => !x.notInSnippet)) assert.match(code, new RegExp(`^\\s*${b.name} \\S`, 'm'), b.name);
  });

  it('the language configuration is well-formed and its patterns compile', () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'language-configuration.json'), 'utf8'));
    assert.deepStrictEqual(config.comments, { lineComment: '//', blockComment: ['/*', '*/'] });
    assert.deepStrictEqual(config.brackets, [['{', '}'], ['(', ')'], ['[', ']']]);
    const word = new RegExp(config.wordPattern, 'g');
    assert.deepStrictEqual('policy suspend waits-for vm0 s2idle'.match(word), ['policy', 'suspend', 'waits-for', 'vm0', 's2idle']);
    assert.deepStrictEqual('call linux.pm_suspend mem'.match(word), ['call', 'linux', 'pm_suspend', 'mem']);
    assert.deepStrictEqual('device n virtio-net at 00:01.0 irq 33'.match(word), ['device', 'n', 'virtio-net', 'at', '00:01.0', 'irq', '33']);
    assert.deepStrictEqual('at 0ms..1.5ms: wake; jitter 10%'.match(word), ['at', '0ms', '1.5ms', 'wake', 'jitter', '10%']);
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    assert.ok(increase.test('vm guest {') && increase.test('  } else {') && increase.test('  call f(1,'));
    assert.ok(!increase.test('  if x0 == OFF { break }') && !increase.test('  log "at {now}"') && !increase.test('  // {'));
    assert.ok(decrease.test('}') && decrease.test('  } else {') && !decrease.test('  halt'));
    for (const rule of config.onEnterRules) new RegExp(rule.beforeText);
    new RegExp(config.folding.markers.start);
    new RegExp(config.folding.markers.end);
  });
});
