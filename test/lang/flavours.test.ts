// The domain's tables of hypervisor flavours (src/lang/domain/flavours) and device models (DEVICE_MODELS): every
// row is accepted by the checker, shows in the generated reference and has its behaviour in the simulator.

import * as assert from 'assert';
import { DEVICE_MODELS, FOREACH_DEVICE_FILTERS } from '../../src/lang/domain/devices';
import {
  FLAVOUR_NAMES,
  FLAVOURS,
  HOST_VMM_ANSWERS,
  VMM_ANSWER_DOCS,
  VMM_EVENT_NAMES,
  VMM_EVENTS,
  parsePsciVersion,
} from '../../src/lang/domain/flavours';
import { PSCI_FUNCTIONS } from '../../src/lang/domain/psci';
import { referenceMarkdown } from '../../src/lang/domain/reference';
import * as P from '../../src/lang/program';
import { FLAVOURS as SIM_FLAVOURS } from '../../src/sim/psci/flavours';
import { MODELS } from '../../src/sim/devices/registry';
import { checkSource } from '../helpers';

/** The errors of a scenario, as `code: message` (that it has nothing to run is left out). */
function errors(text: string): string[] {
  return checkSource(text)
    .diagnostics.filter((d) => d.severity === 'error' && d.code !== 'nothing-to-run')
    .map((d) => `${d.code}: ${d.message}`);
}

function vmOf(text: string): P.VmConfig {
  assert.deepStrictEqual(errors(text), [], text);
  return checkSource(text).program.vms[0];
}

describe('hypervisor flavours (src/lang/domain/flavours)', () => {
  it('are keyed by their names, and the simulator implements each one', () => {
    for (const name of FLAVOUR_NAMES) {
      assert.strictEqual(FLAVOURS[name].name, name);
      assert.strictEqual(SIM_FLAVOURS[name].name, name);
    }
    assert.deepStrictEqual(Object.keys(SIM_FLAVOURS).sort(), [...FLAVOUR_NAMES].sort());
  });

  it('accept every PSCI version of each flavour, default to the default one, and refuse the others', () => {
    for (const f of Object.values(FLAVOURS)) {
      assert.ok(f.psciVersions.includes(f.defaultPsciVersion), f.name);
      assert.deepStrictEqual(
        vmOf(`vm a {\n  hypervisor ${f.name}\n}\n`).psciVersion,
        parsePsciVersion(f.defaultPsciVersion),
      );
      for (const v of f.psciVersions)
        assert.deepStrictEqual(vmOf(`vm a {\n  hypervisor ${f.name} psci ${v}\n}\n`).psciVersion, parsePsciVersion(v));
      const other = ['0.1', '0.2', '1.0', '1.1', '1.2', '1.3'].find((v) => !f.psciVersions.includes(v));
      if (other)
        assert.deepStrictEqual(errors(`vm a {\n  hypervisor ${f.name} psci ${other}\n}\n`), [
          `unsupported-psci-version: PSCI ${other} is not available on ${f.name}: ${f.versionsNote}`,
        ]);
    }
  });

  it('accept every value of every option, record it, and give each option its default', () => {
    for (const f of Object.values(FLAVOURS)) {
      const defaults = vmOf(`vm a {\n  hypervisor ${f.name}\n}\n`);
      for (const o of f.options) {
        assert.ok(o.values.includes(o.default), `${f.name} ${o.name}`);
        for (const value of o.values) {
          const vm = vmOf(`vm a {\n  hypervisor ${f.name} { ${o.name} ${value} }\n}\n`);
          const expected = structuredClone({ kvm: defaults.kvm, xen: defaults.xen }) as P.VmConfig;
          o.set(expected, value);
          assert.deepStrictEqual({ kvm: vm.kvm, xen: vm.xen }, { kvm: expected.kvm, xen: expected.xen });
          if (value === o.default)
            assert.deepStrictEqual({ kvm: vm.kvm, xen: vm.xen }, { kvm: defaults.kvm, xen: defaults.xen });
          else assert.notDeepStrictEqual({ kvm: vm.kvm, xen: vm.xen }, { kvm: defaults.kvm, xen: defaults.xen });
        }
        assert.deepStrictEqual(errors(`vm a {\n  hypervisor ${f.name} { ${o.name} nonsense }\n}\n`), [
          `bad-option-value: option '${o.name}' is ${o.values.join(' or ')}`,
        ]);
      }
      const other = FLAVOUR_NAMES.filter((n) => n !== f.name).flatMap((n) => FLAVOURS[n].options);
      for (const o of other.filter((x) => !f.options.some((y) => y.name === x.name)))
        assert.match(errors(`vm a {\n  hypervisor ${f.name} { ${o.name} ${o.default} }\n}\n`)[0], /^unknown-option: /);
    }
  });

  it('list every option, its values and its default in the generated reference', () => {
    const text = referenceMarkdown();
    for (const f of Object.values(FLAVOURS)) {
      assert.ok(text.includes(`| \`${f.name}\` | ${f.psciVersions.join(', ')} | ${f.defaultPsciVersion} |`), f.name);
      for (const o of f.options)
        assert.ok(
          text.includes(`| \`${f.name}\` | \`${o.name}\` | ${o.values.join(', ')} | ${o.default} | ${o.doc} |`),
          `${f.name} ${o.name}`,
        );
    }
    for (const e of VMM_EVENT_NAMES) assert.ok(text.includes(`| \`${e}\` |`), e);
    for (const a of Object.keys(VMM_ANSWER_DOCS)) assert.ok(text.includes(`| \`${a}\` |`), a);
  });

  it('accept every VMM answer of each event they have, alone and as a choice, and refuse the events they lack', () => {
    for (const f of Object.values(FLAVOURS)) {
      for (const e of VMM_EVENT_NAMES) {
        const answers = f.vmm[e];
        if (!answers) {
          assert.deepStrictEqual(errors(`vm a {\n  hypervisor ${f.name}\n  on ${e}: ${VMM_EVENTS[e].default}\n}\n`), [
            `bad-vmm-event: ${f.noVmmExit?.[e] ?? `'on ${e}' does not apply to ${f.name}`}`,
          ]);
          continue;
        }
        assert.strictEqual(answers[0], VMM_EVENTS[e].default, `${f.name} ${e}: the first answer is the default`);
        assert.deepStrictEqual(vmOf(`vm a {\n  hypervisor ${f.name}\n}\n`).vmm[e], [VMM_EVENTS[e].default]);
        for (const a of answers) {
          assert.ok(Object.hasOwn(VMM_ANSWER_DOCS, a), a);
          assert.deepStrictEqual(vmOf(`vm a {\n  hypervisor ${f.name}\n  on ${e}: ${a}\n}\n`).vmm[e], [a]);
        }
        assert.deepStrictEqual(
          vmOf(`vm a {\n  hypervisor ${f.name}\n  on ${e}: ${answers.join(' | ')}\n}\n`).vmm[e],
          answers,
        );
        const refused = Object.keys(VMM_ANSWER_DOCS).filter((a) => !answers.some((x) => x === a));
        for (const a of refused)
          assert.match(
            errors(`vm a {\n  hypervisor ${f.name}\n  on ${e}: ${a}\n}\n`)[0],
            /^bad-vmm-answer: /,
            `${f.name} ${e} ${a}`,
          );
      }
    }
  });

  it('answer a deferred exit from the host with every host answer', () => {
    for (const a of HOST_VMM_ANSWERS) {
      const r = checkSource(`vm a {\n  hypervisor kvm\n}\nhost {\n  at 1ms: vmm a ${a}\n}\n`);
      assert.deepStrictEqual(
        r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'nothing-to-run').map((d) => d.message),
        [],
      );
      assert.deepStrictEqual(r.program.host.actions[0].action, { kind: 'vmm', vm: 0, answer: a });
    }
  });

  it('say what each PSCI function does on each flavour', () => {
    for (const f of Object.values(FLAVOURS))
      for (const fn of PSCI_FUNCTIONS) assert.ok(f.psci[fn.name], `${f.name} ${fn.name}`);
  });

  it('suggest a flavour for a misspelt one', () => {
    for (const name of FLAVOUR_NAMES) {
      const typo = name.slice(0, -1) + 'q';
      assert.deepStrictEqual(errors(`vm a {\n  hypervisor ${typo}\n}\n`), [
        `unknown-flavour: unknown hypervisor '${typo}'; expected ${FLAVOUR_NAMES.map((n) => `'${n}'`).join(' or ')}; did you mean '${name}'?`,
      ]);
    }
  });
});

describe('device models (DEVICE_MODELS)', () => {
  it('are each accepted by the checker and have a simulator implementation of the same name', () => {
    for (const model of DEVICE_MODELS) {
      const vm = vmOf(`vm a {\n  hypervisor kvm\n  device d0 ${model.name} at 00:01.0\n}\n`);
      assert.strictEqual(vm.devices[0].model, model.name);
      assert.strictEqual(vm.devices[0].virtio, model.virtio);
      assert.strictEqual(MODELS[model.name].name, model.name);
    }
    assert.deepStrictEqual(Object.keys(MODELS).sort(), DEVICE_MODELS.map((m) => m.name).sort());
  });

  it('are listed in the generated reference', () => {
    const text = referenceMarkdown();
    for (const model of DEVICE_MODELS) assert.ok(text.includes(`| \`${model.name}\` |`), model.name);
  });

  it('filter foreach device by model (the ones that are not virtio) or as virtio', () => {
    for (const filter of FOREACH_DEVICE_FILTERS)
      assert.deepStrictEqual(
        errors(
          `vm a {\n  hypervisor kvm\n${DEVICE_MODELS.map((m, i) => `  device d${i} ${m.name} at 00:0${i + 1}.0\n`).join('')}}\na.vcpu0 {\n  foreach device d ${filter} {\n    pci write d pmcsr.state = D0\n  }\n}\n`,
        ),
        [],
        filter,
      );
  });
});
