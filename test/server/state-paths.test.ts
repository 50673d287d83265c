// The state namespace: every path the checker accepts over a VM with vCPUs and a device of each model is what
// src/lang/state-paths enumerates (test/server/completion.test.ts checks that completion offers each of them).

import * as assert from 'assert';
import { compileExpression } from '../../src/lang/checker';
import { hasErrors } from '../../src/lang/diagnostics';
import { DEVICE_FIELDS, DEVICE_MODELS } from '../../src/lang/domain/devices';
import { configRegisters } from '../../src/lang/domain/pci';
import { VCPU_FIELDS, VM_FIELDS } from '../../src/lang/domain/vcpu';
import { checkSource } from '../helpers';
import { EVERY_MODEL, everyModelPaths } from './scenarios';

const DEVICES = DEVICE_MODELS.map((m, i) => ({ name: `dev${i}`, model: m.name }));

describe('state paths: the checker accepts exactly the enumerated paths', function () {
  const program = checkSource(EVERY_MODEL.replace('HOLE', '')).program;
  const { qualified, local } = everyModelPaths();

  it('the checker accepts exactly the enumerated paths (in the debugger and in code)', () => {
    // Every name of the catalogue after every head, and every field name after every register-like name.
    const registers = configRegisters().map((r) => r.def.name);
    const fieldNames = [...new Set(configRegisters().flatMap((r) => r.def.fields.map((f) => f.name)))];
    const members = [...DEVICE_FIELDS.map((f) => f.name), ...registers];
    const candidates = new Set<string>(['host.state', 'host.nosuch']);
    for (const f of [...VM_FIELDS.map((x) => x.name), 'nosuch']) candidates.add(`guest.${f}`);
    for (const vcpu of ['vcpu0', 'vcpu1', 'vcpu2'])
      for (const f of [...VCPU_FIELDS.map((x) => x.name), 'nosuch']) candidates.add(`guest.${vcpu}.${f}`);
    for (const d of DEVICES)
      for (const head of [`guest.${d.name}`, `guest.${d.name}.config`])
        for (const m of members) {
          candidates.add(`${head}.${m}`);
          for (const f of fieldNames) candidates.add(`${head}.${m}.${f}`);
        }
    const accepted = [...candidates].filter((c) => {
      const compiled = compileExpression(program, c, 0);
      return compiled.expr !== undefined && !hasErrors(compiled.diagnostics);
    });
    assert.deepStrictEqual(accepted.sort(), [...qualified].sort());
    // The same paths written in the VM's code, qualified or not, compile without a diagnostic.
    const lines = [...qualified, ...local].map((p) => `expect ${p} == ${p}`).join('\n  ');
    const result = checkSource(EVERY_MODEL.replace('HOLE', lines));
    assert.deepStrictEqual(
      result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
    );
  });
});
