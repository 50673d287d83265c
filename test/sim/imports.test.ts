// The machine keeps primitives: what reacts to them (host power management, the VMM, the watchdog) hangs off the
// reactions src/sim/reactions.ts fills in, so src/sim/machine.ts imports none of the modules that drive it and no
// import circle runs through it. Imports are read as they are at run time: TypeScript drops a type-only import.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SIM = path.join(__dirname, '..', '..', 'src', 'sim');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The files under src/sim a file imports: all of them, or those left once TypeScript has dropped type-only ones. */
function importsOf(file: string, runtime: boolean): string[] {
  let text = fs.readFileSync(file, 'utf8');
  if (runtime)
    text = ts.transpileModule(text, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const spec = (node.moduleSpecifier as ts.StringLiteral).text;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        const resolved = [`${target}.ts`, path.join(target, 'index.ts')].find((f) => fs.existsSync(f));
        if (resolved && resolved.startsWith(SIM)) found.push(resolved);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS));
  return found;
}

describe('src/sim imports', () => {
  const files = sourceFiles(SIM);
  const graph = new Map(files.map((f) => [f, importsOf(f, true)]));
  const machine = path.join(SIM, 'machine.ts');

  /** Every file reachable from `from` by run-time imports. */
  function reachable(from: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...(graph.get(from) ?? [])];
    while (todo.length > 0) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      todo.push(...(graph.get(f) ?? []));
    }
    return seen;
  }

  it('machine.ts imports neither host power management, nor the VMM, nor the watchdog, not even for a type', () => {
    const names = importsOf(machine, false).map((f) => path.relative(SIM, f));
    for (const module of ['hostpm.ts', 'vmm.ts', 'watchdog.ts', 'exec.ts', 'host.ts', 'devices/registry.ts'])
      assert.ok(!names.includes(module), `machine.ts imports ${module}`);
  });

  it('no import circle runs through machine.ts', () => {
    const back = [...graph.get(machine)!].filter((f) => f === machine || reachable(f).has(machine));
    assert.deepStrictEqual(
      back.map((f) => path.relative(SIM, f)),
      [],
      'modules machine.ts imports that import it back',
    );
  });

  it('no import circle anywhere in src/sim', () => {
    const circular = files.filter((f) => reachable(f).has(f)).map((f) => path.relative(SIM, f));
    assert.deepStrictEqual(circular, []);
  });

  it('every module that builds a machine loads its reactions first', () => {
    const src = path.join(SIM, '..');
    const builders = sourceFiles(src).filter((f) => /\bnew Machine\(/.test(fs.readFileSync(f, 'utf8')));
    assert.ok(builders.length > 0);
    for (const f of builders)
      assert.ok(
        /^import '[./]*(sim\/)?reactions';$/m.test(fs.readFileSync(f, 'utf8')),
        `${path.relative(src, f)} builds a machine without importing src/sim/reactions.ts`,
      );
  });
});
