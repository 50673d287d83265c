// Bundles each entry point into dist/ with esbuild. One script so that `npm run build`, the tests and CI
// produce exactly the files the manifest and the README name.
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import { writePreludeModule } from './scripts/embed-prelude.mjs';

writePreludeModule();

const entries = [
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/adapter/main.ts', out: 'debugAdapter' },
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/server/main.ts', out: 'server', optional: true },
  // The benchmark runs the same bundled code users run (not shipped in the .vsix).
  { in: 'bench/run.ts', out: 'bench' },
];

const watch = process.argv.includes('--watch');
for (const entry of entries) {
  if (entry.optional && !fs.existsSync(entry.in)) continue;
  const options = {
    entryPoints: { [entry.out]: entry.in },
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: process.argv.includes('--sourcemap'),
    external: entry.out === 'bench' ? ['vscode', 'esbuild'] : ['vscode'],
    banner: entry.banner ? { js: entry.banner } : undefined,
    logLevel: 'warning',
  };
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
