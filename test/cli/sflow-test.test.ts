// `sflow test` as CI runs it: the bundled dist/cli.js in its own process over the examples and over scenarios written
// into a temporary directory; the summary lines, the exit code and the JUnit XML (read with regexes, as a CI reporter
// would see it).

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fixture } from '../helpers';
import { ensureBuilt, Result, ROOT, sflow, show } from './run-cli';

const EXAMPLES = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.sflow'))
  .sort();

interface Junit {
  suites: { tests: number; failures: number };
  suite: { name: string; tests: number; failures: number; errors: number; skipped: number };
  cases: { name: string; body: string; failure?: { message: string; text: string }; out?: string }[];
}

function attr(tag: string, name: string): string {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  assert.ok(m, `no ${name}= in ${tag}`);
  return m[1];
}

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

function readJunit(file: string): Junit {
  const xml = fs.readFileSync(file, 'utf8');
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
  assert.match(xml, /<\/testsuite>\n<\/testsuites>\n$/);
  const suites = /<testsuites [^>]*>/.exec(xml)![0];
  const suiteTags = xml.match(/<testsuite [^>]*>/g) ?? [];
  assert.strictEqual(suiteTags.length, 1, 'one testsuite');
  const suite = suiteTags[0];
  const cases = [...xml.matchAll(/<testcase ([^>]*)>([\s\S]*?)<\/testcase>/g)].map((m) => {
    const failure = /<failure message="([^"]*)">([\s\S]*?)<\/failure>/.exec(m[2]);
    const out = /<system-out>([\s\S]*?)<\/system-out>/.exec(m[2]);
    assert.strictEqual(attr(` ${m[1]}`, 'classname'), 'sflow');
    assert.match(attr(` ${m[1]}`, 'time'), /^\d+\.\d{3}$/);
    return {
      name: unescape(attr(` ${m[1]}`, 'name')),
      body: m[2],
      failure: failure ? { message: unescape(failure[1]), text: unescape(failure[2]) } : undefined,
      out: out ? unescape(out[1]) : undefined,
    };
  });
  assert.strictEqual(cases.length, (xml.match(/<testcase /g) ?? []).length, 'every testcase closed');
  return {
    suites: { tests: Number(attr(suites, 'tests')), failures: Number(attr(suites, 'failures')) },
    suite: {
      name: attr(suite, 'name'),
      tests: Number(attr(suite, 'tests')),
      failures: Number(attr(suite, 'failures')),
      errors: Number(attr(suite, 'errors')),
      skipped: Number(attr(suite, 'skipped')),
    },
    cases,
  };
}

const PASSING = `vm g { hypervisor kvm }
g.vcpu0 {
  psci PSCI_VERSION
  expect x0 == 0x10003, "PSCI 1.3"
}
`;

const FAILING = `vm g { hypervisor kvm }
g.vcpu0 {
  psci PSCI_VERSION
  expect x0 == 0x10000, "want PSCI 1.0, got {x0}"
}
`;

const BROKEN = `vm g {
  hypervisor kvm
}
g.vcpu0 {
  psci SYSTEM_SUSPNED entry=0
}
`;

/** Declares explore: the seeded order passes, the other order of the tie fails. */
const TIE = `${fixture('tie.sflow')}explore\n`;

describe('sflow test', function () {
  this.timeout(60_000);
  let tmp: string;

  function dirWith(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }

  before(() => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-test-'));
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('the examples (no paths)', () => {
    let r: Result;
    let junit: string;

    before(() => {
      junit = path.join(tmp, 'reports', 'examples.xml');
      r = sflow(['test', '--junit', junit]);
    });

    it('passes every example, one PASS line each, then the count', () => {
      assert.strictEqual(r.code, 0, show(r));
      assert.ok(EXAMPLES.length >= 10, EXAMPLES.join(' '));
      const lines = r.out.trimEnd().split('\n');
      assert.strictEqual(lines.length, EXAMPLES.length + 1, r.out);
      assert.deepStrictEqual(
        lines.slice(0, -1).map((l) => /^PASS {2}(\S+) +\S/.exec(l)?.[1]),
        EXAMPLES.map((f) => `examples/${f}`),
        'sorted, one line each',
      );
      assert.strictEqual(lines[lines.length - 1], `${EXAMPLES.length} passed, 0 failed`);
      assert.strictEqual(r.err, '');
    });

    it('explores the examples that declare `explore` and runs the others once', () => {
      for (const file of EXAMPLES) {
        const line = r.out.split('\n').find((l) => l.includes(`examples/${file} `))!;
        const declares = /^explore\b/m.test(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8'));
        assert.match(
          line,
          declares
            ? /  explore: [\d,]+ states, [\d,]+ paths/
            : /  run: finished at [\d.]+ ms, \d+ events, trace [0-9a-f]{16}/,
          line,
        );
      }
      assert.match(
        r.out,
        /^PASS {2}examples\/s2idle-notify-window\.sflow +explore: [\d,]+ states, [\d,]+ paths, expected violation host-suspended-while-guest-running reachable$/m,
      );
      assert.match(
        r.out,
        /^PASS {2}examples\/s2idle-notify-window-fixed\.sflow +explore: [\d,]+ states, [\d,]+ paths$/m,
      );
    });

    it('--junit writes the XML a CI reporter reads: one testsuite, a passing testcase per example', () => {
      assert.ok(fs.existsSync(junit), 'the directory is created');
      const x = readJunit(junit);
      assert.deepStrictEqual(x.suites, { tests: EXAMPLES.length, failures: 0 });
      assert.deepStrictEqual(x.suite, { name: 'sflow', tests: EXAMPLES.length, failures: 0, errors: 0, skipped: 0 });
      assert.strictEqual(x.cases.length, EXAMPLES.length);
      assert.deepStrictEqual(
        x.cases.map((c) => c.name),
        EXAMPLES.map((f) => `examples/${f}`),
      );
      for (const c of x.cases) {
        assert.strictEqual(c.failure, undefined, c.name);
        // The summary the console shows, as the case's output.
        assert.ok(c.out && r.out.includes(`${c.out}\n`), c.name);
      }
    });

    it('the same as naming examples/ explicitly, or the examples one by one', () => {
      const named = sflow(['test', 'examples']);
      assert.strictEqual(named.code, 0);
      const strip = (s: string) => s.replace(/trace [0-9a-f]{16}/g, 'trace H');
      assert.strictEqual(strip(named.out), strip(r.out));
      const files = sflow([
        'test',
        ...EXAMPLES.map((f) => `examples/${f}`).reverse(),
        'examples/kvm-system-suspend.sflow',
      ]);
      assert.strictEqual(files.code, 0);
      assert.match(
        files.out,
        new RegExp(`^${EXAMPLES.length} passed, 0 failed$`, 'm'),
        'each once, whatever the order',
      );
    });
  });

  describe('failures', () => {
    let dir: string;
    let r: Result;
    let junit: string;

    before(() => {
      dir = dirWith({
        'a-pass.sflow': PASSING,
        'b-fail.sflow': FAILING,
        'c-broken.sflow': BROKEN,
        'notes.txt': 'not a scenario',
      });
      junit = path.join(dir, 'junit.xml');
      r = sflow(['test', dir, '--junit', junit]);
    });

    it('exits 1 with a PASS line, FAIL lines with their details indented below, and the count', () => {
      assert.strictEqual(r.code, 1, show(r));
      const lines = r.out.trimEnd().split('\n');
      const a = path.join(dir, 'a-pass.sflow');
      const b = path.join(dir, 'b-fail.sflow');
      const c = path.join(dir, 'c-broken.sflow');
      assert.match(lines[0], new RegExp(`^PASS {2}${esc(a)} +run: finished at`));
      assert.match(
        lines[1],
        new RegExp(`^FAIL {2}${esc(b)} +run: FAIL: 1 expectation failed \\(want PSCI 1\\.0, got 0x10003\\)$`),
      );
      assert.strictEqual(lines[2], '        1 expectation failed (want PSCI 1.0, got 0x10003)');
      assert.match(lines[3], new RegExp(`^FAIL {2}${esc(c)} +1 error in the scenario$`));
      assert.strictEqual(
        lines[4],
        `        ${c}:5:8: error: unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?`,
      );
      assert.strictEqual(lines[5], '1 passed, 2 failed');
      assert.strictEqual(lines.length, 6, 'notes.txt is not a scenario');
    });

    it('the JUnit XML has a <failure message=...> for each failing case and counts them', () => {
      const x = readJunit(junit);
      assert.deepStrictEqual(x.suites, { tests: 3, failures: 2 });
      assert.deepStrictEqual([x.suite.tests, x.suite.failures, x.suite.errors], [3, 2, 0]);
      assert.strictEqual(x.cases.length, 3);
      assert.deepStrictEqual(
        x.cases.map((c) => [path.basename(c.name), !!c.failure]),
        [
          ['a-pass.sflow', false],
          ['b-fail.sflow', true],
          ['c-broken.sflow', true],
        ],
      );
      const xml = fs.readFileSync(junit, 'utf8');
      assert.strictEqual((xml.match(/<failure message="/g) ?? []).length, 2);
      const [, failed, broken] = x.cases;
      assert.strictEqual(failed.failure!.message, 'run: FAIL: 1 expectation failed (want PSCI 1.0, got 0x10003)');
      assert.strictEqual(failed.failure!.text, '1 expectation failed (want PSCI 1.0, got 0x10003)');
      assert.strictEqual(broken.failure!.message, '1 error in the scenario');
      assert.strictEqual(
        broken.failure!.text,
        `${path.join(dir, 'c-broken.sflow')}:5:8: error: unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?`,
      );
      assert.match(x.cases[0].out!, /^run: finished at/);
    });

    it('a scenario that declares explore fails when a path breaks a rule, or when an expected violation is on no path', () => {
      const fixed = fs.readFileSync(path.join(ROOT, 'examples/s2idle-notify-window-fixed.sflow'), 'utf8');
      const d = dirWith({
        'tie.sflow': TIE,
        'sub/unreachable.sflow': fixed.replace(
          /^explore$/m,
          'explore\nexpect violation host-suspended-while-guest-running',
        ),
        'sub/bounded.sflow': fixed.replace(/^explore$/m, 'explore { max_states 50 }'),
      });
      const junitFile = path.join(d, 'out', 'j.xml');
      const t = sflow(['test', d, '--junit', junitFile]);
      assert.strictEqual(t.code, 1, show(t));
      const lines = t.out.trimEnd().split('\n');
      const bounded = path.join(d, 'sub/bounded.sflow');
      const unreachable = path.join(d, 'sub/unreachable.sflow');
      const tie = path.join(d, 'tie.sflow');
      assert.match(lines[0], new RegExp(`^PASS {2}${esc(bounded)} +explore: 50 states, [\\d,]+ paths \\(bounded\\)$`));
      assert.match(
        lines[1],
        new RegExp(
          `^FAIL {2}${esc(unreachable)} +explore: [\\d,]+ states, [\\d,]+ paths: expected violation not reachable$`,
        ),
      );
      assert.strictEqual(lines[2], '        expect violation host-suspended-while-guest-running: on no path');
      assert.match(
        lines[3],
        new RegExp(
          `^FAIL {2}${esc(tie)} +explore: [\\d,]+ states, [\\d,]+ paths(?: \\(bounded\\))?: a path breaks a rule$`,
        ),
      );
      assert.strictEqual(lines[4], '        1 expectation failed (vcpu2 still off)');
      assert.strictEqual(lines[5], `        (sflow explore ${tie} writes it as a replay)`);
      assert.strictEqual(lines[6], '1 passed, 2 failed');
      const x = readJunit(junitFile);
      assert.deepStrictEqual([x.suite.tests, x.suite.failures, x.cases.length], [3, 2, 3]);
      assert.strictEqual(
        x.cases[2].failure!.text,
        `1 expectation failed (vcpu2 still off)\n(sflow explore ${tie} writes it as a replay)`,
      );
      // The same scenario run (not explored) passes: the tie is only lost in the other order.
      assert.strictEqual(sflow(['run', tie]).code, 0);
    });

    it('a bounded search that has not reached an expected violation fails, as sflow explore judges it', () => {
      const window = fs.readFileSync(path.join(ROOT, 'examples/s2idle-notify-window.sflow'), 'utf8');
      const d = dirWith({ 'short.sflow': window.replace(/^explore$/m, 'explore { max_states 3 }') });
      const file = path.join(d, 'short.sflow');
      const t = sflow(['test', file]);
      assert.strictEqual(t.code, 1, show(t));
      const lines = t.out.trimEnd().split('\n');
      assert.match(
        lines[0],
        new RegExp(
          `^FAIL {2}${esc(file)} +explore: 3 states, [\\d,]+ paths \\(bounded\\): expected violation not found within the bounds$`,
        ),
      );
      assert.strictEqual(
        lines[1],
        '        expect violation host-suspended-while-guest-running: not reached before the search stopped (raise max_states or until in the explore block)',
      );
      assert.strictEqual(lines[2], '0 passed, 1 failed');
      const e = sflow(['explore', file, '--out', path.join(d, 'out')]);
      assert.strictEqual(e.code, 1, show(e));
      // Unbounded, the same scenario passes both ways.
      const whole = path.join(ROOT, 'examples/s2idle-notify-window.sflow');
      assert.strictEqual(sflow(['test', whole]).code, 0);
    });

    it('escapes XML in names, messages and details', () => {
      const d = dirWith({ 'a&b "<q>".sflow': 'vm g {\n  hypervisor kvm\n}\ng.vcpu0 {\n  set x1 = <\n}\n' });
      const junitFile = path.join(d, 'j.xml');
      const t = sflow(['test', d, '--junit', junitFile]);
      assert.strictEqual(t.code, 1, show(t));
      const xml = fs.readFileSync(junitFile, 'utf8');
      assert.ok(xml.includes('a&amp;b &quot;&lt;q&gt;&quot;.sflow'), xml);
      const x = readJunit(junitFile);
      assert.strictEqual(x.cases.length, 1);
      assert.strictEqual(path.basename(x.cases[0].name), 'a&b "<q>".sflow');
      assert.ok(x.cases[0].failure!.text.startsWith(`${path.join(d, 'a&b "<q>".sflow')}:5:`), x.cases[0].failure!.text);
    });
  });

  describe('usage errors', () => {
    it('a path that does not exist exits 2 naming it', () => {
      const missing = path.join(tmp, 'nosuch');
      const r = sflow(['test', missing]);
      assert.strictEqual(r.code, 2, show(r));
      assert.match(r.err, new RegExp(`^sflow: no such file or directory: ${esc(missing)}\n`));
      assert.strictEqual(r.out, '');
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    });

    it('a directory without scenarios, --junit without a file and an unknown option exit 2', () => {
      const empty = dirWith({ 'readme.txt': 'nothing here' });
      const cases: [string[], RegExp][] = [
        [['test', empty], new RegExp(`^sflow: no \\.sflow scenarios under ${esc(empty)}\n`)],
        [['test', 'examples', '--junit'], /^sflow: --junit needs a file name\n/],
        [['test', '--frobnicate'], /^sflow: unknown option --frobnicate\n/],
      ];
      for (const [args, message] of cases) {
        const r = sflow(args);
        assert.strictEqual(r.code, 2, `${args.join(' ')}: ${show(r)}`);
        assert.match(r.err, message);
        assert.doesNotMatch(r.err, /\n\s+at /);
      }
    });
  });
});

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
