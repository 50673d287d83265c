// Replay files for the fuzz: real ones written by `sflow explore` (into a temporary directory, with copies of the
// scenarios they name), and tampered copies of them: fields edited or of another type, choices and checkpoints
// changed, dropped or reordered, the text truncated, random bytes, a byte order mark, deep nesting, other JSON
// altogether. `pathEdited` says whether a tampering changed the path the replay describes (so a faithful-replay
// check should notice it), as opposed to its framing or fields nobody follows.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Input } from './inputs';
import { Rng } from './rng';

const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

/** Scenarios explore finds a problem in quickly, so each gives a replay file. */
const SOURCES = [
  'examples/s2idle-notify-window.sflow',
  'examples/s2idle-notify-race.sflow',
  'test/fixtures/alternatives.sflow',
  'test/fixtures/tie.sflow',
  'test/fixtures/host-tied.sflow',
];

/** Writes replay files with the built CLI into `dir`; returns them with their text. */
export function writeReplays(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const source of SOURCES) {
    const from = path.join(ROOT, source);
    if (!fs.existsSync(from)) continue;
    const scenario = path.join(dir, path.basename(source));
    fs.copyFileSync(from, scenario);
    const before = new Set(fs.readdirSync(dir));
    spawnSync(process.execPath, [CLI, 'explore', scenario, '--out', dir], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    for (const f of fs.readdirSync(dir)) {
      if (before.has(f) || !f.endsWith('.replay.json')) continue;
      const file = path.join(dir, f);
      out.push({ file, text: fs.readFileSync(file, 'utf8') });
    }
  }
  return out;
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ------------------------------------------------------------------------------------------ tampering

/** A JSON value of a random type (or a plausible edit of `old`). */
function randomValue(rng: Rng, old?: unknown, depth = 0): unknown {
  if (old !== undefined && rng.chance(0.35)) {
    if (typeof old === 'number')
      return rng.pick([old + 1, old - 1, -old, old * 1000, old + 0.5, 2 ** 53 + 1, 1e308, -1, 0]);
    if (typeof old === 'string')
      return rng.pick([
        '',
        old + 'x',
        old.slice(0, -1),
        old.toUpperCase(),
        old + '\n' + old,
        '\u0000',
        '../' + old,
        '/dev/null',
        '/tmp',
        '/nonexistent/x.sflow',
      ]);
    if (Array.isArray(old)) return rng.pick([[], [...old, ...old], old.slice(1), [...old].reverse(), [old]]);
  }
  switch (rng.int(depth > 2 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, 1, -1, 0.5, 2 ** 31, 2 ** 53, 1e308, -1e308, 123456789]);
    case 3:
      return rng.pick([
        '',
        'x',
        '0',
        '1e3',
        'suspend-flow-replay/1',
        'suspend-flow-replay/2',
        '\ufeff',
        'a'.repeat(rng.range(100, 20000)),
      ]);
    case 4:
      return rng.pick(['NaN', 'Infinity', '-0', 'true']);
    case 5:
      return Array.from({ length: rng.int(4) }, () => rng.int(5));
    case 6:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, undefined, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(4) }, (_, i) => [`k${i}`, randomValue(rng, undefined, depth + 1)]),
      );
  }
}

type Json = Record<string, unknown>;

/** Tamperings of the parsed file: each returns whether it changed the path the replay describes. */
const STRUCTURED: Record<string, (d: Json, rng: Rng) => boolean> = {
  'edit-field': (d, rng) => {
    const key = rng.pick(Object.keys(d));
    d[key] = randomValue(rng, d[key]);
    return ['choices', 'seed', 'skew', 'checkpoints', 'steps', 'scenario'].includes(key);
  },
  'delete-field': (d, rng) => {
    const key = rng.pick(Object.keys(d));
    delete d[key];
    return ['choices', 'seed', 'checkpoints', 'steps'].includes(key);
  },
  'add-field': (d, rng) => {
    const key = rng.pick(['skew', 'extra', '__proto__', 'constructor', 'toString', 'steps']);
    d[key] = randomValue(rng);
    return key === 'skew' || key === 'steps';
  },
  'edit-choice': (d, rng) => {
    const choices = d.choices as unknown[][];
    if (!Array.isArray(choices) || !choices.length) return false;
    const c = rng.pick(choices);
    if (!Array.isArray(c)) return false;
    const i = rng.int(c.length);
    c[i] = rng.chance(0.7)
      ? rng.pick([(c[i] as number) + 1, (c[i] as number) - 1, 0, 1, 2, 99, 2 ** 31, 2 ** 53])
      : randomValue(rng, c[i]);
    return true;
  },
  'drop-choice': (d, rng) => {
    const choices = d.choices as unknown[];
    if (!Array.isArray(choices) || !choices.length) return false;
    choices.splice(rng.int(choices.length), 1);
    return true;
  },
  'duplicate-choice': (d, rng) => {
    const choices = d.choices as unknown[];
    if (!Array.isArray(choices) || !choices.length) return false;
    const i = rng.int(choices.length);
    choices.splice(i, 0, structuredClone(choices[i]));
    return true;
  },
  'reorder-choices': (d) => {
    const choices = d.choices as unknown[];
    if (!Array.isArray(choices) || choices.length < 2) return false;
    choices.reverse();
    return true;
  },
  'add-choice': (d, rng) => {
    const choices = d.choices as unknown[];
    if (!Array.isArray(choices)) return false;
    choices.push([rng.int(200), rng.int(4)]);
    return true;
  },
  'empty-choices': (d) => {
    d.choices = [];
    return true;
  },
  'edit-checkpoint': (d, rng) => {
    const cps = d.checkpoints as unknown[][];
    if (!Array.isArray(cps) || !cps.length) return false;
    const c = rng.pick(cps);
    if (!Array.isArray(c) || !c.length) return false;
    const i = rng.int(c.length);
    c[i] = randomValue(rng, c[i]);
    return true;
  },
  'edit-seed': (d, rng) => {
    d.seed = rng.pick([1, 2, 7, 99, 2 ** 32, -1, 0.5]);
    return true;
  },
  'scenario-path': (d, rng) => {
    d.scenario = rng.pick([
      '/nonexistent/x.sflow',
      '/tmp',
      '',
      'relative.sflow',
      '/dev/null',
      String(d.scenario) + '.missing',
      `${String(d.scenario)}\u0000x`,
      '/proc/self/status',
      '/dev/zero',
    ]);
    return true;
  },
};

/** Tamperings of the text itself. */
const TEXTUAL: Record<string, (text: string, rng: Rng) => string> = {
  truncate: (t, rng) => t.slice(0, rng.int(t.length)),
  'random-bytes': (t, rng) => {
    let out = t;
    for (let k = rng.size(8); k > 0; k--) {
      const i = rng.int(out.length);
      out = out.slice(0, i) + String.fromCharCode(rng.int(rng.chance(0.8) ? 128 : 0x10000)) + out.slice(i + rng.int(2));
    }
    return out;
  },
  bom: (t) => '\ufeff' + t,
  'double-bom': (t) => '\ufeff\ufeff' + t,
  crlf: (t) => t.replace(/\n/g, '\r\n'),
  'other-json': (_t, rng) => JSON.stringify(randomValue(rng)),
  'deep-json': (t, rng) => {
    const depth = rng.pick([100, 5000, 200_000]);
    return t.replace('"choices": [', `"choices": [${'['.repeat(depth)}${']'.repeat(rng.chance(0.7) ? depth : 0)},`);
  },
  'huge-number-text': (t) => t.replace(/("seed": )\d+/, '$1' + '9'.repeat(400)),
  'duplicate-key': (t) => t.replace('{', '{"format": "x", '),
  'not-json': (_t, rng) =>
    rng.pick([
      '',
      ' ',
      'null',
      'undefined',
      '{',
      '}',
      '[',
      'replay',
      '\u0000',
      "{'format': 1}",
      '{"format": "suspend-flow-replay/1",}',
    ]),
  padding: (t, rng) => ' '.repeat(rng.pick([10, 100_000, 2_000_000])) + t,
};

/** A tampered copy of one of the replay files. */
export function tamperedReplay(
  rng: Rng,
  replays: { file: string; text: string }[],
): Input & { pathEdited?: boolean; base?: string } {
  if (!replays.length) return { text: '{}', recipe: ['no replays'] };
  const base = rng.pick(replays);
  const recipe = [path.basename(base.file)];
  let text = base.text;
  let pathEdited = false;
  const structured = rng.int(4);
  if (structured > 0) {
    const d = JSON.parse(text) as Json;
    for (let k = structured; k > 0; k--) {
      const name = rng.pick(Object.keys(STRUCTURED));
      pathEdited = STRUCTURED[name](d, rng) || pathEdited;
      recipe.push(name);
    }
    text = JSON.stringify(d, null, rng.pick([0, 2]));
  }
  if (structured === 0 || rng.chance(0.3)) {
    const name = rng.pick(Object.keys(TEXTUAL));
    text = TEXTUAL[name](text, rng);
    recipe.push(name);
  }
  return { text, recipe, pathEdited, base: base.text };
}
