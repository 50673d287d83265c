import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { referenceMarkdown } from '../../src/lang/domain/reference';
import { PM_CAP_OFFSET } from '../../src/lang/domain/pci';
import { LAUNCH_ATTRIBUTES } from '../../src/lang/domain/launch';

describe('docs/reference.md', () => {
  it('is generated from the same tables the simulator uses (run npm run docs after changing them)', () => {
    const file = fs.readFileSync(path.resolve(__dirname, '../../docs/reference.md'), 'utf8');
    assert.strictEqual(file, referenceMarkdown());
  });

  it('documents PMCSR field by field with its access type', () => {
    const text = referenceMarkdown();
    assert.ok(text.includes(`| 0x${(PM_CAP_OFFSET + 4).toString(16)} | \`pmcsr\` | 16 |`));
    assert.ok(text.includes('| | `.pme_status` [15] | | RW1C, sticky |'));
    assert.ok(text.includes('| | `.state` [1:0] | | RW |'));
    assert.ok(text.includes('(0 = D0, 1 = D1, 2 = D2, 3 = D3hot)'));
  });

  it('describes the same launch attributes as package.json, with the same types and descriptions', () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    const launch = manifest.contributes.debuggers[0].configurationAttributes.launch;
    assert.deepStrictEqual(
      Object.keys(launch.properties),
      LAUNCH_ATTRIBUTES.map((a) => a.name),
    );
    for (const a of LAUNCH_ATTRIBUTES) {
      assert.deepStrictEqual(launch.properties[a.name].type, a.type, a.name);
      assert.strictEqual(launch.properties[a.name].description, a.description, a.name);
    }
    assert.deepStrictEqual(
      launch.required ?? [],
      LAUNCH_ATTRIBUTES.filter((a) => a.required).map((a) => a.name),
    );
  });
});
