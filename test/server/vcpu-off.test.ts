// `VM.vcpuN off { ... }` in the editor (issue 12 item 5): the word is a keyword, its hover says what it means, and
// completion offers it after `VM.vcpuN`.

import * as assert from 'assert';
import { MarkupContent } from 'vscode-languageserver/node';
import { Analysis } from '../../src/server/analysis';
import { completion } from '../../src/server/completion';
import { hover } from '../../src/server/hover';
import { semanticTokens, TOKEN_TYPES } from '../../src/server/semantic-tokens';
import { POWERED_OFF_DOC } from '../../src/lang/domain/vcpu';

const URI = 'file:///w/off.sflow';
const TEXT = `vm guest {
  hypervisor kvm
  vcpus 2
}
guest.vcpu1 off {
entry:
  psci CPU_OFF
}
guest.vcpu0 {
  psci CPU_ON target=vcpu1 entry=entry context=0
}
`;
const OFF = TEXT.indexOf('off {');

describe('language server: a vCPU declared off', () => {
  const a = new Analysis(URI, 1, TEXT);

  it('checks with no diagnostic', () => {
    assert.deepStrictEqual(
      a.result.diagnostics.map((d) => d.message),
      [],
    );
  });

  it('colours off as a keyword', () => {
    const data = semanticTokens(a).data;
    let line = 0;
    let char = 0;
    const found: string[] = [];
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
      const offset = a.offset({ line, character: char });
      if (offset === OFF) found.push(`${data[i + 2]}:${TOKEN_TYPES[data[i + 3]]}`);
    }
    assert.deepStrictEqual(found, ['3:keyword']);
  });

  it('explains off on hover', () => {
    const h = hover(a, a.file.position(OFF + 1));
    assert.ok(h);
    assert.strictEqual((h.contents as MarkupContent).value, `**\`off\`**\n\n${POWERED_OFF_DOC}`);
  });

  it('offers off after VM.vcpuN when completion is asked for (a space alone does not pop it: it is optional)', () => {
    const text = TEXT.replace('guest.vcpu1 off {', 'guest.vcpu1 ');
    const b = new Analysis(URI, 2, text);
    const at = b.file.position(text.indexOf('guest.vcpu1 ') + 'guest.vcpu1 '.length);
    const items = completion(b, at, { triggerKind: 1 }, { snippets: true }).items;
    assert.deepStrictEqual(
      items.map((i) => i.label),
      ['off'],
    );
    assert.strictEqual((items[0].documentation as MarkupContent).value, POWERED_OFF_DOC);
  });
});
