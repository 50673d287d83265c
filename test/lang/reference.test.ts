import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { referenceMarkdown } from '../../src/lang/domain/reference';
import { PM_CAP_OFFSET } from '../../src/lang/domain/pci';

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
});
