// The .vsix holds exactly what the extension needs: the bundles, the grammar, the language configuration, the
// snippets, the timeline's assets, the prelude and the examples. No sources, tests or source maps.

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

describe('the .vsix', function () {
  this.timeout(120_000);
  let files: string[] = [];
  let size = 0;

  before(() => {
    const build = spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.strictEqual(build.status, 0, build.stderr);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sflow-vsix-')), 'x.vsix');
    const vsce = path.join(ROOT, 'node_modules/@vscode/vsce/vsce');
    const r = spawnSync(
      process.execPath,
      [
        vsce,
        'package',
        '--no-dependencies',
        '--baseContentUrl',
        'https://example.invalid/x/blob/main',
        '--baseImagesUrl',
        'https://example.invalid/x/raw/main',
        '-o',
        out,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    size = fs.statSync(out).size;
    const list = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' });
    assert.strictEqual(list.status, 0, list.stderr);
    files = list.stdout
      .split('\n')
      .filter((f) => f.startsWith('extension/'))
      .map((f) => f.slice('extension/'.length))
      .filter(Boolean)
      .sort();
  });

  it('holds the bundles the manifest names, and the assets they load', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const needed = [
      manifest.main.replace(/^\.\//, ''),
      manifest.contributes.debuggers[0].program.replace(/^\.\//, ''),
      'dist/server.js',
      'dist/cli.js',
      manifest.contributes.grammars[0].path.replace(/^\.\//, ''),
      manifest.contributes.languages[0].configuration.replace(/^\.\//, ''),
      manifest.contributes.snippets[0].path.replace(/^\.\//, ''),
      'media/timeline.js',
      'media/timeline.css',
      'lib/linux.sflow',
      'examples/kvm-system-suspend.sflow',
      'package.json',
      'readme.md',
      'changelog.md',
    ];
    for (const f of needed) assert.ok(files.includes(f), `${f} is missing from the .vsix: ${files.join(', ')}`);
  });

  it('holds no sources, tests, maps or development files', () => {
    const stray = files.filter(
      (f) =>
        /^(src|test|bench|scripts|node_modules|docs)\//.test(f) ||
        /\.(ts|map)$/.test(f) ||
        f === 'dist/bench.js' ||
        f.startsWith('.'),
    );
    assert.deepStrictEqual(stray, []);
    assert.ok(size < 4 * 1024 * 1024, `the .vsix is ${size} bytes`);
    console.log(`      .vsix: ${files.length} files, ${(size / 1024).toFixed(0)} KB`);
  });
});
