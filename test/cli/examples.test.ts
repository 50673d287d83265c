// Every example is a test: it checks clean and runs green from the CLI (expected violations shown, nothing else).

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { invariantInfo } from '../../src/lang/domain/invariants';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const EXAMPLES = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.sflow'))
  .sort();

describe('examples', function () {
  this.timeout(60_000);

  before(() => {
    if (!fs.existsSync(CLI)) assert.strictEqual(spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT }).status, 0);
  });

  it('has one example per flow the tool exists for', () => {
    for (const name of [
      'kvm-system-suspend',
      'xen-system-suspend',
      'xen-dom0-domu-suspend',
      's2idle-notify-race',
      's2idle-notify-fixed',
      's2idle-privileged',
      'vfio-d3hot',
      'vfio-d3cold-promotion',
      'virtio-gpio-pins',
    ]) {
      assert.ok(EXAMPLES.includes(`${name}.sflow`), `missing examples/${name}.sflow`);
    }
  });

  it('has the s2idle race as an explore example, found from a window, and its fix passing exhaustively', () => {
    for (const name of ['s2idle-notify-window', 's2idle-notify-window-fixed']) {
      const text = fs.readFileSync(path.join(ROOT, 'examples', `${name}.sflow`), 'utf8');
      assert.match(text, /^explore\b/m, `${name} declares explore`);
      assert.match(text, /^ {2}at \d+ms\.\.\d+ms: irq/m, `${name} has a window`);
    }
  });

  for (const file of EXAMPLES) {
    const text = fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8');
    // A scenario that declares `explore` is judged over every path, not by one seeded run.
    if (/^explore\b/m.test(text)) {
      it(`${file} checks without a diagnostic and passes sflow test (explored)`, () => {
        const check = spawnSync(process.execPath, [CLI, 'check', `examples/${file}`], { cwd: ROOT, encoding: 'utf8' });
        assert.strictEqual(check.status, 0, check.stdout + check.stderr);
        assert.strictEqual(check.stdout, '', 'no warnings either');
        const test = spawnSync(process.execPath, [CLI, 'test', `examples/${file}`], { cwd: ROOT, encoding: 'utf8' });
        assert.strictEqual(test.status, 0, test.stdout + test.stderr);
        assert.match(
          test.stdout,
          new RegExp(`^PASS  examples/${file.replace(/\./g, '\\.')}  explore: [\\d,]+ states, [\\d,]+ paths`, 'm'),
        );
        assert.match(test.stdout, /^1 passed, 0 failed$/m);
        for (const m of text.matchAll(/^expect violation ([\w-]+)/gm))
          assert.ok(test.stdout.includes(`expected violation ${m[1]} reachable`), `${m[1]} reachable`);
      });
      continue;
    }
    it(`${file} checks without a diagnostic and runs green`, () => {
      const check = spawnSync(process.execPath, [CLI, 'check', `examples/${file}`], { cwd: ROOT, encoding: 'utf8' });
      assert.strictEqual(check.status, 0, check.stdout + check.stderr);
      assert.strictEqual(check.stdout, '', 'no warnings either');
      const run = spawnSync(process.execPath, [CLI, 'run', `examples/${file}`], { cwd: ROOT, encoding: 'utf8' });
      assert.strictEqual(run.status, 0, run.stdout.split('\n').slice(-5).join('\n') + run.stderr);
      assert.match(run.stdout, /: PASS\n$/);
      for (const m of text.matchAll(/^expect violation ([\w-]+)/gm)) {
        assert.ok(run.stdout.includes(`VIOLATION ${invariantInfo(m[1]).title}:`), `${m[1]} shown`);
        assert.ok(run.stdout.includes(m[1]), `${m[1]} named in the summary`);
      }
    });
  }
});
