// The SVD description handed to the Peripheral Viewer: one peripheral per PCI function at its ECAM address, every
// config register and field from the register table.

import * as assert from 'assert';
import { svdForProgram } from '../../src/lang/svd';
import { ecamAddress } from '../../src/lang/domain/pci';
import { compile } from '../helpers';

describe('SVD for the Peripheral Viewer', () => {
  const program = compile(
    'vm guest {\n  hypervisor kvm\n  device net0 virtio-net at 00:01.0\n  device gpu passthrough at 01:02.3\n}\nguest.vcpu0 { halt }\n',
  );
  const svd = svdForProgram(program);

  it('has one peripheral per function, at its ECAM address', () => {
    const peripherals = [
      ...svd.matchAll(/<peripheral><name>([^<]+)<\/name>.*?<baseAddress>(0x[0-9a-f]+)<\/baseAddress>/g),
    ].map((m) => [m[1], m[2]]);
    assert.deepStrictEqual(peripherals, [
      ['net0', `0x${ecamAddress(0, 1, 0).toString(16)}`],
      ['gpu', `0x${ecamAddress(1, 2, 3).toString(16)}`],
    ]);
    assert.strictEqual(ecamAddress(1, 2, 3), 0x4010000000n + BigInt((1 << 20) | (2 << 15) | (3 << 12)));
  });

  it('describes PMCSR field by field, with PowerState values and PME_Status as write-one-to-clear', () => {
    const pmcsr = /<register><name>pmcsr<\/name>.*?<\/register>/.exec(svd)![0];
    assert.match(pmcsr, /<addressOffset>0x44<\/addressOffset><size>16<\/size>/);
    assert.match(
      pmcsr,
      /<field><name>state<\/name>.*?<bitOffset>0<\/bitOffset><bitWidth>2<\/bitWidth><access>read-write<\/access>.*?<enumeratedValue><name>D3hot<\/name><value>3<\/value><\/enumeratedValue>/,
    );
    assert.match(
      pmcsr,
      /<field><name>pme_status<\/name>.*?<bitOffset>15<\/bitOffset><bitWidth>1<\/bitWidth><access>read-write<\/access><modifiedWriteValues>oneToClear<\/modifiedWriteValues>/,
    );
    assert.match(pmcsr, /<field><name>no_soft_reset<\/name>.*?<access>read-only<\/access>/);
  });

  it('is well-formed enough to parse: every tag it opens it closes', () => {
    const stack: string[] = [];
    for (const m of svd.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      if (m[3]) continue;
      if (m[1]) assert.strictEqual(stack.pop(), m[2]);
      else stack.push(m[2]);
    }
    assert.deepStrictEqual(stack, []);
  });
});
