// Embeds lib/*.sflow into src/lang/prelude-text.ts so the language layer needs no file I/O and the bundles carry
// the prelude with them. Run by the build; a test checks the generated file matches lib/.
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function preludeModule() {
  const files = fs
    .readdirSync(path.join(root, 'lib'))
    .filter((f) => f.endsWith('.sflow'))
    .sort();
  const entries = files.map(
    (f) => `  { path: 'lib/${f}', text: ${JSON.stringify(fs.readFileSync(path.join(root, 'lib', f), 'utf8'))} },`,
  );
  return `// Generated from lib/*.sflow by scripts/embed-prelude.mjs (run by \`npm run build\`). Do not edit by hand.\n\nexport const PRELUDE_SOURCES: { path: string; text: string }[] = [\n${entries.join('\n')}\n];\n`;
}

export function writePreludeModule() {
  const target = path.join(root, 'src/lang/prelude-text.ts');
  const text = preludeModule();
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname))
  writePreludeModule();
