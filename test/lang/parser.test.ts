// The parser: every construct of the language as the AST records it, C precedence, string templates, the examples
// of the design, and error recovery (one diagnostic per broken statement, and the statements after it still parse).

import * as assert from 'assert';
import * as A from '../../src/lang/ast';
import { parse } from '../../src/lang/parser';
import { SourceFile } from '../../src/lang/source';
import { fixture } from '../helpers';

interface Parsed {
  file: SourceFile;
  ast: A.ScenarioFile;
  /** `line:col message`, 1-based */
  errors: string[];
}

function parseText(text: string): Parsed {
  const file = new SourceFile('parser.sflow', text);
  const r = parse(file);
  const errors = r.diagnostics.items.map((d) => {
    const p = file.position(d.span.start);
    return `${p.line + 1}:${p.character + 1} ${d.message}`;
  });
  return { file, ast: r.ast, errors };
}

/** Parses and asserts there is no diagnostic. */
function clean(text: string): A.ScenarioFile {
  const r = parseText(text);
  assert.deepStrictEqual(r.errors, []);
  return r.ast;
}

/** Removes every span so structures compare by content. */
function strip<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (k, v) =>
      k === 'span' || k === 'opSpan' || k === 'closeSpan' ? undefined : typeof v === 'bigint' ? `${v}n` : v,
    ),
  );
}

/** An expression as an S-expression: `(op left right)`, `(! x)`, paths dotted, numbers as written. */
function sexpr(e: A.Expr): string {
  switch (e.kind) {
    case 'number':
      return e.text;
    case 'bool':
      return String(e.value);
    case 'path':
      return e.parts.map((p) => p.text).join('.');
    case 'unary':
      return `(${e.op} ${sexpr(e.operand)})`;
    case 'binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'irqPending':
      return `(irq-pending ${sexpr(e.irq)})`;
    case 'now':
      return 'now';
    case 'error':
      return '<error>';
  }
}

/** The statements of the first item, which must be a program or proc. */
function statementsOf(ast: A.ScenarioFile, index = 0): A.Stmt[] {
  const item = ast.items[index];
  assert.ok(item.kind === 'program' || item.kind === 'proc', `item ${index} is ${item.kind}`);
  return item.body.statements;
}

/** Parses one statement inside a program and returns it. */
function stmt(source: string): A.Stmt {
  const statements = statementsOf(clean(`g.vcpu0 {\n  ${source}\n}\n`));
  assert.strictEqual(statements.length, 1);
  return statements[0];
}

/** Parses `expect EXPR` and returns EXPR as an S-expression. */
function expr(source: string): string {
  const s = stmt(`expect ${source}`);
  assert.ok(s.kind === 'expect');
  return sexpr(s.condition);
}

function vmMembers(ast: A.ScenarioFile): A.VmMember[] {
  const vm = ast.items[0];
  assert.ok(vm.kind === 'vm');
  return vm.members;
}

describe('parser', () => {
  describe('top-level items', () => {
    it('parses vm, host, programs and procs in order, with names and spans', () => {
      const text =
        'vm guest {\n  hypervisor kvm\n}\nhost {\n  at 1ms: wake\n}\nguest.vcpu0 {\n  halt\n}\nproc p {\n  return\n}\n';
      const ast = clean(text);
      assert.deepStrictEqual(
        ast.items.map((i) => i.kind),
        ['vm', 'host', 'program', 'proc'],
      );
      const [vm, host, program, proc] = ast.items;
      assert.ok(vm.kind === 'vm' && host.kind === 'host' && program.kind === 'program' && proc.kind === 'proc');
      assert.deepStrictEqual([vm.name.text, vm.name.span], ['guest', { start: 3, end: 8 }]);
      assert.deepStrictEqual(vm.span, { start: 0, end: 29 });
      assert.strictEqual(text.slice(host.span.start, host.span.end), 'host {\n  at 1ms: wake\n}');
      assert.deepStrictEqual([program.vm.text, program.vcpu.text], ['guest', 'vcpu0']);
      assert.strictEqual(text.slice(program.span.start, program.span.end), 'guest.vcpu0 {\n  halt\n}');
      assert.deepStrictEqual(program.body.closeSpan, {
        start: text.indexOf('}', program.span.start),
        end: text.indexOf('}', program.span.start) + 1,
      });
      assert.deepStrictEqual([proc.name.text, proc.params], ['p', []]);
      assert.deepStrictEqual(ast.span, { start: 0, end: text.length });
    });

    it('allows blank lines, comments and `;` between items', () => {
      const ast = clean('\n// a comment\n\nvm a { hypervisor kvm };\n/* block\ncomment */ vm b { hypervisor xen }\n');
      assert.deepStrictEqual(
        ast.items.map((i) => (i.kind === 'vm' ? i.name.text : i.kind)),
        ['a', 'b'],
      );
    });
  });

  describe('vm declarations', () => {
    it('parses every VM member', () => {
      const ast = clean(`vm guest {
  hypervisor kvm psci 1.0 { system_suspend_exit off; suspend_checks kernel }
  vcpus 2
  ram 0x40000000 512M
  device net0 virtio-net at 00:01.0 irq 33
  s2idle_notify at 0x0a001000
  watchdog 10s
  role hardware-domain
  on system_suspend: confirm | deny | defer
  statement_time 2us
  jitter 10%
  code_base 0x40100000
}
`);
      assert.deepStrictEqual(strip(vmMembers(ast)), [
        {
          kind: 'hypervisor',
          flavour: { text: 'kvm' },
          psciVersion: { text: '1.0' },
          options: [
            { name: { text: 'system_suspend_exit' }, values: [{ kind: 'path', parts: [{ text: 'off' }] }] },
            { name: { text: 'suspend_checks' }, values: [{ kind: 'path', parts: [{ text: 'kernel' }] }] },
          ],
        },
        { kind: 'vcpus', count: { kind: 'number', value: '2n', unit: 'none', text: '2' } },
        {
          kind: 'ram',
          base: { kind: 'number', value: '1073741824n', unit: 'none', text: '0x40000000' },
          size: { kind: 'number', value: '536870912n', unit: 'size', text: '512M' },
        },
        {
          kind: 'device',
          name: { text: 'net0' },
          model: { text: 'virtio-net' },
          bdf: { text: '00:01.0' },
          irq: { kind: 'number', value: '33n', unit: 'none', text: '33' },
          options: [],
        },
        { kind: 's2idleNotify', address: { kind: 'number', value: '167776256n', unit: 'none', text: '0x0a001000' } },
        { kind: 'watchdog', timeout: { kind: 'number', value: '10000000000n', unit: 'time', text: '10s' } },
        { kind: 'role', role: { text: 'hardware-domain' } },
        {
          kind: 'on',
          event: { text: 'system_suspend' },
          answers: [{ text: 'confirm' }, { text: 'deny' }, { text: 'defer' }],
        },
        {
          kind: 'setting',
          name: { text: 'statement_time' },
          value: { kind: 'number', value: '2000n', unit: 'time', text: '2us' },
        },
        {
          kind: 'setting',
          name: { text: 'jitter' },
          value: { kind: 'number', value: '10n', unit: 'percent', text: '10%' },
        },
        {
          kind: 'setting',
          name: { text: 'code_base' },
          value: { kind: 'number', value: '1074790400n', unit: 'none', text: '0x40100000' },
        },
      ]);
    });

    it('parses a hypervisor without version or options, and a version written as an integer', () => {
      const [a, b] = vmMembers(clean('vm a {\n  hypervisor xen\n}\n')).concat(
        vmMembers(clean('vm a {\n  hypervisor kvm psci 1\n}\n')),
      );
      assert.ok(a.kind === 'hypervisor' && b.kind === 'hypervisor');
      assert.deepStrictEqual([a.flavour.text, a.psciVersion, a.options], ['xen', undefined, []]);
      assert.deepStrictEqual(b.psciVersion, { text: '1', span: { start: 29, end: 30 } });
    });

    it('parses device option blocks on one line with `;` and across lines', () => {
      const ast = clean(`vm guest {
  device gpu passthrough at 0000:00:02.0 irq 50 { no_soft_reset true; d3cold promote }
  device gpio0 virtio-gpio at 00:03.0 {
    pm d1 d2
    reset_on_restore false
    feature suspend
  }
  device plain pci at 00:04.0 { }
}
`);
      const [gpu, gpio, plain] = vmMembers(ast);
      assert.ok(gpu.kind === 'device' && gpio.kind === 'device' && plain.kind === 'device');
      assert.deepStrictEqual(strip(gpu), {
        kind: 'device',
        name: { text: 'gpu' },
        model: { text: 'passthrough' },
        bdf: { text: '0000:00:02.0' },
        irq: { kind: 'number', value: '50n', unit: 'none', text: '50' },
        options: [
          { name: { text: 'no_soft_reset' }, values: [{ kind: 'bool', value: true }] },
          { name: { text: 'd3cold' }, values: [{ kind: 'path', parts: [{ text: 'promote' }] }] },
        ],
      });
      assert.deepStrictEqual(
        gpio.options.map((o) => [o.name.text, ...o.values.map(sexpr)]),
        [
          ['pm', 'd1', 'd2'],
          ['reset_on_restore', 'false'],
          ['feature', 'suspend'],
        ],
      );
      assert.strictEqual(gpio.irq, undefined);
      assert.deepStrictEqual(plain.options, []);
    });

    it('joins words linked by `-` without spaces into one name', () => {
      const [device, role] = vmMembers(clean('vm a {\n  device n virtio-blk at 00:01.0\n  role hardware-domain\n}\n'));
      assert.ok(device.kind === 'device' && role.kind === 'role');
      assert.deepStrictEqual(device.model, { text: 'virtio-blk', span: { start: 18, end: 28 } });
      assert.strictEqual(role.role.text, 'hardware-domain');
    });
  });

  describe('host declarations', () => {
    it('parses both policies, instants, windows and every action', () => {
      const ast = clean(`host {
  policy suspend waits-for vm0 s2idle
  policy suspend privileged dom0
  at 30ms: irq 33 -> guest
  at 0ms..5ms: irq 40 -> vm0
  at 1ms + 500us: request suspend
  at 2ms: wake
  at 3ms: vmm guest confirm
  suspend_latency 200ms
}
`);
      const host = ast.items[0];
      assert.ok(host.kind === 'host');
      assert.deepStrictEqual(strip(host.members[0]), {
        kind: 'policy',
        subject: { text: 'suspend' },
        rule: { text: 'waits-for' },
        vm: { text: 'vm0' },
        qualifier: { text: 's2idle' },
      });
      assert.deepStrictEqual(strip(host.members[1]), {
        kind: 'policy',
        subject: { text: 'suspend' },
        rule: { text: 'privileged' },
        vm: { text: 'dom0' },
      });
      const latency = host.members.pop()!;
      assert.ok(latency.kind === 'setting');
      assert.deepStrictEqual([latency.name.text, sexpr(latency.value)], ['suspend_latency', '200ms']);
      const ats = host.members.slice(2).map((m) => {
        assert.ok(m.kind === 'at');
        return [sexpr(m.from), m.to ? sexpr(m.to) : null, strip(m.action)];
      });
      assert.deepStrictEqual(ats, [
        [
          '30ms',
          null,
          { kind: 'irq', irq: { kind: 'number', value: '33n', unit: 'none', text: '33' }, vm: { text: 'guest' } },
        ],
        [
          '0ms',
          '5ms',
          { kind: 'irq', irq: { kind: 'number', value: '40n', unit: 'none', text: '40' }, vm: { text: 'vm0' } },
        ],
        ['(+ 1ms 500us)', null, { kind: 'requestSuspend' }],
        ['2ms', null, { kind: 'wake' }],
        ['3ms', null, { kind: 'vmm', vm: { text: 'guest' }, answer: { text: 'confirm' } }],
      ]);
    });
  });

  describe('explore', () => {
    it('parses a bare explore, ended by a newline, `;` or the end of the file', () => {
      for (const text of ['explore\n', 'explore;', 'explore', 'explore // the default bounds\n']) {
        const ast = clean(text);
        assert.deepStrictEqual(
          ast.items,
          [{ kind: 'explore', keyword: { start: 0, end: 7 }, members: [], block: false, span: { start: 0, end: 7 } }],
          JSON.stringify(text),
        );
      }
      const ast = clean('vm g { hypervisor kvm }\nexplore\ng.vcpu0 { halt }\n');
      assert.deepStrictEqual(
        ast.items.map((i) => i.kind),
        ['vm', 'explore', 'program'],
      );
    });

    it('parses the bounds on one line with `;` and across lines, with spans', () => {
      const text = 'explore { max_states 200000; depth 40; until 600ms }\n';
      const item = clean(text).items[0];
      assert.ok(item.kind === 'explore');
      assert.deepStrictEqual(
        [item.keyword, item.block, item.span],
        [{ start: 0, end: 7 }, true, { start: 0, end: text.length - 1 }],
      );
      assert.deepStrictEqual(strip(item.members), [
        {
          kind: 'bound',
          name: { text: 'max_states' },
          value: { kind: 'number', value: '200000n', unit: 'none', text: '200000' },
        },
        { kind: 'bound', name: { text: 'depth' }, value: { kind: 'number', value: '40n', unit: 'none', text: '40' } },
        {
          kind: 'bound',
          name: { text: 'until' },
          value: { kind: 'number', value: '600000000n', unit: 'time', text: '600ms' },
        },
      ]);
      assert.deepStrictEqual(
        item.members.map((m) => text.slice(m.span.start, m.span.end)),
        ['max_states 200000', 'depth 40', 'until 600ms'],
      );
      const across = clean('explore {\n  // bounds\n  depth 8\n\n  until 1ms + 500us   // an expression\n}\n').items[0];
      assert.ok(across.kind === 'explore');
      assert.deepStrictEqual(
        across.members.map((m) => (m.kind === 'bound' ? [m.name.text, m.value ? sexpr(m.value) : null] : m.kind)),
        [
          ['depth', '8'],
          ['until', '(+ 1ms 500us)'],
        ],
      );
      const empty = clean('explore { }').items[0];
      assert.ok(empty.kind === 'explore');
      assert.deepStrictEqual([empty.block, empty.members, empty.span], [true, [], { start: 0, end: 11 }]);
    });

    it('parses any bound name, and a bound without a value, for the checker to judge', () => {
      const item = clean('explore { max-states 5; depht 4; until }').items[0];
      assert.ok(item.kind === 'explore');
      assert.deepStrictEqual(strip(item.members), [
        {
          kind: 'bound',
          name: { text: 'max-states' },
          value: { kind: 'number', value: '5n', unit: 'none', text: '5' },
        },
        { kind: 'bound', name: { text: 'depht' }, value: { kind: 'number', value: '4n', unit: 'none', text: '4' } },
        { kind: 'bound', name: { text: 'until' } },
      ]);
    });

    it('reads explore.vcpuN as the program of a VM called explore', () => {
      const ast = clean('vm explore { hypervisor kvm }\nexplore.vcpu0 { halt }\n');
      assert.deepStrictEqual(
        ast.items.map((i) => i.kind),
        ['vm', 'program'],
      );
    });

    it('reports one error per broken bound and parses the bounds after it', () => {
      const r = parseText(
        'explore {\n  depth 4 5\n  7\n  max_states = 1\n  until 1ms\n}\nexplore max_states 5\nexplore\n{ depth 2 }\n',
      );
      assert.deepStrictEqual(r.errors, [
        "2:11 unexpected '5' after the 'depth' bound; a statement ends at a newline or ';'",
        "3:3 expected a bound (max_states, depth, until, skew), found '7'",
        "4:14 expected a value, found '='",
        "7:9 expected '{' or the end of the line after 'explore', found 'max_states'",
        "9:1 expected 'vm', 'host', 'proc', 'explore', 'expect violation' or a vCPU program 'VM.vcpuN { ... }', found '{'",
      ]);
      const [first, second, third, fourth] = r.ast.items;
      assert.ok(first.kind === 'explore');
      assert.deepStrictEqual(
        first.members.map((m) => (m.kind === 'bound' ? m.name.text : m.kind)),
        ['error', 'error', 'error', 'until'],
      );
      assert.deepStrictEqual([second.kind, third.kind, fourth.kind], ['error', 'explore', 'error']);
    });

    it('reports an explore block left open at the end of the file', () => {
      const r = parseText('explore {\n  depth 4\n');
      assert.deepStrictEqual(r.errors, ["3:1 missing '}' to close the explore block"]);
    });
  });

  describe('programs and procs', () => {
    it('parses a vCPU program', () => {
      const ast = clean('guest.vcpu1 {\n  wfi\n}\n');
      const p = ast.items[0];
      assert.ok(p.kind === 'program');
      assert.deepStrictEqual(
        [p.vm.text, p.vm.span, p.vcpu.text, p.vcpu.span],
        ['guest', { start: 0, end: 5 }, 'vcpu1', { start: 6, end: 11 }],
      );
      assert.deepStrictEqual(
        p.body.statements.map((s) => s.kind),
        ['wfi'],
      );
    });

    it('parses procs with dotted names and parameters, space-separated or in parentheses', () => {
      const ast = clean(
        'proc linux.pm_suspend state {\n  return\n}\nproc add(a, b) { }\nproc none() { }\nproc two a b { }\n',
      );
      assert.deepStrictEqual(
        ast.items.map((i) => {
          assert.ok(i.kind === 'proc');
          return [i.name.text, i.params.map((p) => p.text)];
        }),
        [
          ['linux.pm_suspend', ['state']],
          ['add', ['a', 'b']],
          ['none', []],
          ['two', ['a', 'b']],
        ],
      );
      const first = ast.items[0];
      assert.ok(first.kind === 'proc');
      assert.deepStrictEqual(first.name.span, { start: 5, end: 21 });
      assert.deepStrictEqual(
        first.body.statements.map((s) => s.kind),
        ['return'],
      );
    });
  });

  describe('statements', () => {
    it('parses psci with named arguments; a value is an operand or a parenthesised expression', () => {
      assert.deepStrictEqual(strip(stmt('psci SYSTEM_SUSPEND entry=resume context=0xc0ffee')), {
        kind: 'psci',
        fn: { text: 'SYSTEM_SUSPEND' },
        args: [
          { name: { text: 'entry' }, value: { kind: 'path', parts: [{ text: 'resume' }] } },
          { name: { text: 'context' }, value: { kind: 'number', value: '12648430n', unit: 'none', text: '0xc0ffee' } },
        ],
      });
      const s = stmt('psci CPU_ON target=vcpu1 entry=secondary context=(x1 + 1)');
      assert.ok(s.kind === 'psci');
      assert.deepStrictEqual(
        s.args.map((a) => `${a.name.text}=${sexpr(a.value)}`),
        ['target=vcpu1', 'entry=secondary', 'context=(+ x1 1)'],
      );
      const off = stmt('psci CPU_OFF');
      assert.ok(off.kind === 'psci');
      assert.deepStrictEqual([off.fn.text, off.args], ['CPU_OFF', []]);
    });

    it('parses raw smc and hvc calls', () => {
      assert.deepStrictEqual(strip(stmt('smc 0x84000000 x1=1 x3=-1')), {
        kind: 'rawCall',
        conduit: 'smc',
        id: { kind: 'number', value: '2214592512n', unit: 'none', text: '0x84000000' },
        args: [
          { name: { text: 'x1' }, value: { kind: 'number', value: '1n', unit: 'none', text: '1' } },
          {
            name: { text: 'x3' },
            value: { kind: 'unary', op: '-', operand: { kind: 'number', value: '1n', unit: 'none', text: '1' } },
          },
        ],
      });
      const hvc = stmt('hvc 0xc4000003');
      assert.ok(hvc.kind === 'rawCall');
      assert.deepStrictEqual([hvc.conduit, sexpr(hvc.id), hvc.args], ['hvc', '0xc4000003', []]);
    });

    it('parses mmio reads and writes with optional widths', () => {
      const r = stmt('mmio read 0xe0000010');
      assert.ok(r.kind === 'mmioRead');
      assert.deepStrictEqual([sexpr(r.address), r.width], ['0xe0000010', undefined]);
      const rw = stmt('mmio read 0x10 width 8');
      assert.ok(rw.kind === 'mmioRead' && rw.width);
      assert.strictEqual(sexpr(rw.width), '8');
      const w = stmt('mmio write 0x10 = x1 | 0x80 width 16');
      assert.ok(w.kind === 'mmioWrite' && w.width);
      assert.deepStrictEqual([sexpr(w.address), sexpr(w.value), sexpr(w.width)], ['0x10', '(| x1 0x80)', '16']);
    });

    it('parses s2idle notify', () => {
      assert.deepStrictEqual(strip(stmt('s2idle notify')), { kind: 's2idleNotify' });
    });

    it('parses pci reads and writes by register, field or offset', () => {
      assert.deepStrictEqual(strip(stmt('pci write net0 pmcsr.state = D3hot')), {
        kind: 'pciWrite',
        device: { text: 'net0' },
        reg: { register: { text: 'pmcsr' }, field: { text: 'state' } },
        value: { kind: 'path', parts: [{ text: 'D3hot' }] },
      });
      assert.deepStrictEqual(strip(stmt('pci read gpu bar0')), {
        kind: 'pciRead',
        device: { text: 'gpu' },
        reg: { register: { text: 'bar0' } },
      });
      const raw = stmt('pci read gpu 0x44 width 16');
      assert.ok(raw.kind === 'pciRead' && raw.reg.offset && raw.width);
      assert.deepStrictEqual([sexpr(raw.reg.offset), raw.reg.register, sexpr(raw.width)], ['0x44', undefined, '16']);
      const rawWrite = stmt('pci write gpu 0x04 = 0x6 width 16');
      assert.ok(rawWrite.kind === 'pciWrite' && rawWrite.reg.offset && rawWrite.width);
      assert.deepStrictEqual(
        [sexpr(rawWrite.reg.offset), sexpr(rawWrite.value), sexpr(rawWrite.width)],
        ['0x04', '0x6', '16'],
      );
    });

    it('parses the virtio power-management statements', () => {
      assert.deepStrictEqual(strip(stmt('virtio freeze net0')), {
        kind: 'virtio',
        action: 'freeze',
        device: { text: 'net0' },
      });
      assert.deepStrictEqual(strip(stmt('virtio restore net0')), {
        kind: 'virtio',
        action: 'restore',
        device: { text: 'net0' },
      });
      assert.deepStrictEqual(strip(stmt('virtio status net0 = DRIVER_OK | SUSPEND')), {
        kind: 'virtio',
        action: 'status',
        device: { text: 'net0' },
        value: {
          kind: 'binary',
          op: '|',
          left: { kind: 'path', parts: [{ text: 'DRIVER_OK' }] },
          right: { kind: 'path', parts: [{ text: 'SUSPEND' }] },
        },
      });
    });

    it('parses irq enable (with wake), disable and ack', () => {
      const forms = ['irq enable 33 wake', 'irq enable 34', 'irq disable 35', 'irq ack 36'].map((text) => {
        const s = stmt(text);
        assert.ok(s.kind === 'irq');
        return [s.action, sexpr(s.irq), s.wake];
      });
      assert.deepStrictEqual(forms, [
        ['enable', '33', true],
        ['enable', '34', false],
        ['disable', '35', false],
        ['ack', '36', false],
      ]);
    });

    it('parses wfi, delay, signal, both waits, halt, return and break', () => {
      assert.deepStrictEqual(strip(stmt('wfi')), { kind: 'wfi' });
      assert.deepStrictEqual(strip(stmt('delay 1.5ms')), {
        kind: 'delay',
        duration: { kind: 'number', value: '1500000n', unit: 'time', text: '1.5ms' },
      });
      assert.deepStrictEqual(strip(stmt('signal cpu_down')), { kind: 'signal', name: { text: 'cpu_down' } });
      assert.deepStrictEqual(strip(stmt('wait signal cpu_down')), { kind: 'waitSignal', name: { text: 'cpu_down' } });
      const w = stmt('wait vcpu1.power == OFF');
      assert.ok(w.kind === 'waitExpr');
      assert.strictEqual(sexpr(w.condition), '(== vcpu1.power OFF)');
      assert.deepStrictEqual(strip(stmt('halt')), { kind: 'halt' });
      assert.deepStrictEqual(strip(stmt('return')), { kind: 'return' });
      assert.deepStrictEqual(strip(stmt('break')), { kind: 'break' });
    });

    it('parses calls: arguments in parentheses right after the name, or space-separated operands', () => {
      const a = stmt('call linux.pm_suspend s2idle');
      assert.ok(a.kind === 'call');
      assert.deepStrictEqual(
        [a.proc.parts.map((p) => p.text), a.args.map(sexpr)],
        [['linux', 'pm_suspend'], ['s2idle']],
      );
      const b = stmt('call add(x1 + 1, 2)');
      assert.ok(b.kind === 'call');
      assert.deepStrictEqual(b.args.map(sexpr), ['(+ x1 1)', '2']);
      const c = stmt('call add 1 (2 * 3) -4');
      assert.ok(c.kind === 'call');
      assert.deepStrictEqual(c.args.map(sexpr), ['1', '(* 2 3)', '(- 4)']);
      const d = stmt('call flush');
      assert.ok(d.kind === 'call');
      assert.deepStrictEqual(d.args, []);
      const e = stmt('call none()');
      assert.ok(e.kind === 'call');
      assert.deepStrictEqual(e.args, []);
    });

    it('parses set, expect with and without a message, and log', () => {
      const set = stmt('set x0 = x1 << 2');
      assert.ok(set.kind === 'set');
      assert.deepStrictEqual([set.target.parts.map((p) => p.text), sexpr(set.value)], [['x0'], '(<< x1 2)']);
      const e1 = stmt('expect x0 == 0xc0ffee');
      assert.ok(e1.kind === 'expect');
      assert.deepStrictEqual([sexpr(e1.condition), e1.message], ['(== x0 0xc0ffee)', undefined]);
      const e2 = stmt('expect gpu.bar0 == 0, "D3cold resets the function"');
      assert.ok(e2.kind === 'expect' && e2.message);
      assert.deepStrictEqual(e2.message.parts, ['D3cold resets the function']);
      const log = stmt('log "failed: {x0}"');
      assert.ok(log.kind === 'log');
      assert.deepStrictEqual(
        log.message.parts.map((p) => (typeof p === 'string' ? p : sexpr(p))),
        ['failed: ', 'x0'],
      );
    });

    it('parses loop with break', () => {
      assert.deepStrictEqual(strip(stmt('loop {\n    wfi\n    break\n  }')), {
        kind: 'loop',
        body: { kind: 'block', statements: [{ kind: 'wfi' }, { kind: 'break' }] },
      });
    });

    it('parses if, else if and else, with else on the closing line or the next one', () => {
      const s = stmt('if x0 == 1 {\n    halt\n  } else if x0 == 2 {\n    wfi\n  }\n  else {\n    return\n  }');
      assert.ok(s.kind === 'if');
      assert.strictEqual(sexpr(s.condition), '(== x0 1)');
      assert.deepStrictEqual(strip(s.then.statements), [{ kind: 'halt' }]);
      assert.ok(s.else && s.else.kind === 'if');
      assert.strictEqual(sexpr(s.else.condition), '(== x0 2)');
      assert.deepStrictEqual(strip(s.else.then.statements), [{ kind: 'wfi' }]);
      assert.ok(s.else.else && s.else.else.kind === 'block');
      assert.deepStrictEqual(strip(s.else.else.statements), [{ kind: 'return' }]);
      const plain = stmt('if irq 33 pending { wfi }');
      assert.ok(plain.kind === 'if');
      assert.deepStrictEqual([sexpr(plain.condition), plain.else], ['(irq-pending 33)', undefined]);
    });

    it('does not take an else that is not there: the next line is the next statement', () => {
      const statements = statementsOf(clean('g.vcpu0 {\n  if x0 { wfi }\n\n  halt\n}\n'));
      assert.deepStrictEqual(
        statements.map((s) => s.kind),
        ['if', 'halt'],
      );
      const first = statements[0];
      assert.ok(first.kind === 'if');
      assert.strictEqual(first.else, undefined);
    });

    it('parses on irq handlers', () => {
      const s = stmt('on irq 33 {\n    irq ack 33\n    return\n  }');
      assert.ok(s.kind === 'onIrq');
      assert.strictEqual(sexpr(s.irq), '33');
      assert.deepStrictEqual(
        s.body.statements.map((x) => x.kind),
        ['irq', 'return'],
      );
    });

    it('parses labels alone on a line or before a statement on the same line', () => {
      const text = 'g.vcpu0 {\n  halt\nresume:\n  expect x0 == 1\nagain: wfi\n}\n';
      const statements = statementsOf(clean(text));
      assert.deepStrictEqual(
        statements.map((s) => (s.kind === 'label' ? `label ${s.name.text}` : s.kind)),
        ['halt', 'label resume', 'expect', 'label again', 'wfi'],
      );
      const label = statements[1];
      assert.ok(label.kind === 'label');
      assert.deepStrictEqual(
        [label.name.span, label.span],
        [
          { start: 17, end: 23 },
          { start: 17, end: 24 },
        ],
      );
    });

    it('separates statements on one line with `;`', () => {
      const statements = statementsOf(clean('g.vcpu0 { set x0 = 1; set x1 = 2;; wfi }\n'));
      assert.deepStrictEqual(
        statements.map((s) => s.kind),
        ['set', 'set', 'wfi'],
      );
    });

    it('gives statements spans from their first to their last token', () => {
      const text = 'g.vcpu0 {\n  psci SYSTEM_SUSPEND entry=resume context=0xc0ffee   // c\n}\n';
      const [s] = statementsOf(clean(text));
      assert.strictEqual(text.slice(s.span.start, s.span.end), 'psci SYSTEM_SUSPEND entry=resume context=0xc0ffee');
      assert.ok(s.kind === 'psci');
      assert.strictEqual(text.slice(s.args[1].span.start, s.args[1].span.end), 'context=0xc0ffee');
    });
  });

  describe('expressions', () => {
    it('uses C precedence from || down to * / %', () => {
      assert.strictEqual(
        expr('a || b && c | d ^ e & f == g < h << i + j * k'),
        '(|| a (&& b (| c (^ d (& e (== f (< g (<< h (+ i (* j k))))))))))',
      );
      assert.strictEqual(
        expr('a * b + c << d < e == f & g ^ h | i && j || k'),
        '(|| (&& (| (^ (& (== (< (<< (+ (* a b) c) d) e) f) g) h) i) j) k)',
      );
    });

    it('gives == and != one level, and < <= > >= the next', () => {
      assert.strictEqual(expr('a == b != c'), '(!= (== a b) c)');
      assert.strictEqual(expr('a < b >= c'), '(>= (< a b) c)');
      assert.strictEqual(expr('a == b <= c'), '(== a (<= b c))');
      assert.strictEqual(expr('a & b == c'), '(& a (== b c))');
    });

    it('associates binary operators to the left', () => {
      assert.strictEqual(expr('a - b - c'), '(- (- a b) c)');
      assert.strictEqual(expr('a / b % c * d'), '(* (% (/ a b) c) d)');
      assert.strictEqual(expr('1 << 2 >> 3'), '(>> (<< 1 2) 3)');
    });

    it('binds unary ! - ~ tighter than any binary operator', () => {
      assert.strictEqual(expr('!a == b'), '(== (! a) b)');
      assert.strictEqual(expr('-a * b'), '(* (- a) b)');
      assert.strictEqual(expr('~x0 & 0xff'), '(& (~ x0) 0xff)');
      assert.strictEqual(expr('!!x0'), '(! (! x0))');
      assert.strictEqual(expr('- -1'), '(- (- 1))');
    });

    it('lets parentheses override precedence, keeping the inner node with the span of the parentheses', () => {
      const s = stmt('expect (a + b) * c');
      assert.ok(s.kind === 'expect' && s.condition.kind === 'binary');
      assert.strictEqual(sexpr(s.condition), '(* (+ a b) c)');
      assert.strictEqual(s.condition.left.kind, 'binary');
      assert.deepStrictEqual(s.condition.left.span, { start: 19, end: 26 });
    });

    it('parses literals: integers, sizes, times, percentages, booleans', () => {
      const s = stmt('expect 0x10 + 512M + 10us + 5% + true + false');
      assert.ok(s.kind === 'expect');
      const leaves: A.Expr[] = [];
      const walk = (e: A.Expr): void => {
        if (e.kind === 'binary') {
          walk(e.left);
          walk(e.right);
        } else leaves.push(e);
      };
      walk(s.condition);
      assert.deepStrictEqual(strip(leaves), [
        { kind: 'number', value: '16n', unit: 'none', text: '0x10' },
        { kind: 'number', value: '536870912n', unit: 'size', text: '512M' },
        { kind: 'number', value: '10000n', unit: 'time', text: '10us' },
        { kind: 'number', value: '5n', unit: 'percent', text: '5%' },
        { kind: 'bool', value: true },
        { kind: 'bool', value: false },
      ]);
    });

    it('parses state paths, now and irq N pending', () => {
      assert.strictEqual(expr('gpu.pmcsr.state == D3hot'), '(== gpu.pmcsr.state D3hot)');
      assert.strictEqual(
        expr('guest.vcpu1.power == OFF && host.state == running'),
        '(&& (== guest.vcpu1.power OFF) (== host.state running))',
      );
      assert.strictEqual(expr('now >= 10ms'), '(>= now 10ms)');
      assert.strictEqual(
        expr('irq 33 pending || irq (32 + 8) pending'),
        '(|| (irq-pending 33) (irq-pending (+ 32 8)))',
      );
      const s = stmt('expect vcpu1.x0 == 1');
      assert.ok(s.kind === 'expect' && s.condition.kind === 'binary' && s.condition.left.kind === 'path');
      assert.deepStrictEqual(
        s.condition.left.parts.map((p) => [p.text, p.span.start, p.span.end]),
        [
          ['vcpu1', 19, 24],
          ['x0', 25, 27],
        ],
      );
    });

    it('reads `-` in an expression as subtraction, spaces or not (hyphenated words are for declarations)', () => {
      assert.strictEqual(expr('x1 - x2'), '(- x1 x2)');
      assert.strictEqual(expr('x1-1'), '(- x1 1)');
      assert.strictEqual(expr('x1-x2'), '(- x1 x2)');
      const s = stmt('expect x1-x2');
      assert.ok(s.kind === 'expect' && s.condition.kind === 'binary');
    });

    it('records the operator span of a binary expression', () => {
      const s = stmt('expect now == 5');
      assert.ok(s.kind === 'expect' && s.condition.kind === 'binary');
      assert.deepStrictEqual(s.condition.opSpan, { start: 23, end: 25 });
    });
  });

  describe('newlines inside parentheses', () => {
    it('continue an expression onto the next lines, the closing parenthesis included', () => {
      const statements = statementsOf(clean('g.vcpu0 {\n  expect (x0 == 1 ||\n          x1 == 2\n  )\n  halt\n}\n'));
      assert.deepStrictEqual(
        statements.map((s) => s.kind),
        ['expect', 'halt'],
      );
      const e = statements[0];
      assert.ok(e.kind === 'expect');
      assert.strictEqual(sexpr(e.condition), '(|| (== x0 1) (== x1 2))');
    });

    it('continue argument and parameter lists', () => {
      const ast = clean(
        'proc add(a,\n         b) {\n  return\n}\ng.vcpu0 {\n  call add(1,\n           2)\n  halt\n}\n',
      );
      const proc = ast.items[0];
      assert.ok(proc.kind === 'proc');
      assert.deepStrictEqual(
        proc.params.map((p) => p.text),
        ['a', 'b'],
      );
      const statements = statementsOf(ast, 1);
      assert.deepStrictEqual(
        statements.map((s) => s.kind),
        ['call', 'halt'],
      );
      const call = statements[0];
      assert.ok(call.kind === 'call');
      assert.deepStrictEqual(call.args.map(sexpr), ['1', '2']);
    });

    it('do not continue when the next line starts a statement: that line is parsed as one', () => {
      const r = parseText('g.vcpu0 {\n  expect (x0 == 1 ||\n  halt\n}\n');
      assert.deepStrictEqual(r.errors, ['2:21 expected a value, found end of line']);
      assert.deepStrictEqual(
        statementsOf(r.ast).map((s) => s.kind),
        ['error', 'halt'],
      );
      const r2 = parseText('g.vcpu0 {\n  expect (x0 == 1\n  wait signal go\n}\n');
      assert.deepStrictEqual(r2.errors, ["2:18 expected ')' to close the parenthesis, found end of line"]);
      assert.deepStrictEqual(
        statementsOf(r2.ast).map((s) => s.kind),
        ['error', 'waitSignal'],
      );
    });

    it('do not continue outside parentheses', () => {
      const r = parseText('g.vcpu0 {\n  expect x0 ==\n    1\n}\n');
      assert.deepStrictEqual(r.errors, [
        '2:15 expected a value, found end of line',
        "3:5 expected a statement, found '1'",
      ]);
    });
  });

  describe('string templates', () => {
    it('splits text and {expr} holes, with escapes', () => {
      const s = stmt('log "x0={x0 + 1}\\t\\{literal\\} \\"q\\" {now}"');
      assert.ok(s.kind === 'log');
      assert.deepStrictEqual(
        s.message.parts.map((p) => (typeof p === 'string' ? p : sexpr(p))),
        ['x0=', '(+ x0 1)', '\t{literal} "q" ', 'now'],
      );
    });

    it('gives hole expressions spans in the file', () => {
      const text = 'g.vcpu0 {\n  log "a {vcpu1.power} b"\n}\n';
      const [s] = statementsOf(clean(text));
      assert.ok(s.kind === 'log');
      const hole = s.message.parts[1];
      assert.ok(typeof hole !== 'string');
      assert.strictEqual(text.slice(hole.span.start, hole.span.end), 'vcpu1.power');
      assert.deepStrictEqual(s.message.span, { start: 16, end: 35 });
    });

    it('reports errors inside holes at their place in the file', () => {
      const r = parseText('g.vcpu0 {\n  log "a {x0 +} b {x0 x1} c {} d {oops"\n  halt\n}\n');
      assert.deepStrictEqual(r.errors, [
        '2:15 expected a value, found end of line',
        "2:23 unexpected 'x1' in {} of a string",
        '2:29 empty {} in string',
        "2:34 unclosed '{' in string: write '\\{' for a literal brace",
      ]);
      const [log, halt] = statementsOf(r.ast);
      assert.ok(log.kind === 'log');
      assert.deepStrictEqual(
        log.message.parts.map((p) => (typeof p === 'string' ? p : sexpr(p))),
        ['a ', '<error>', ' b ', '<error>', ' c ', '<error>', ' d {oops'],
      );
      assert.strictEqual(halt.kind, 'halt');
    });
  });

  describe('the examples of SCENARIO-LANGUAGE.md', () => {
    it('parses the KVM SYSTEM_SUSPEND example with no diagnostic', () => {
      const ast = clean(KVM_EXAMPLE);
      assert.deepStrictEqual(
        ast.items.map((i) => i.kind),
        ['vm', 'host', 'program', 'program'],
      );
      const vcpu0 = ast.items[3];
      assert.ok(vcpu0.kind === 'program');
      assert.deepStrictEqual(
        vcpu0.body.statements.map((s) => s.kind),
        [
          'irq',
          'virtio',
          'pciWrite',
          'signal',
          'waitExpr',
          'psci',
          'log',
          'halt',
          'label',
          'expect',
          'pciWrite',
          'virtio',
          'expect',
        ],
      );
    });

    it('parses the s2idle example with no diagnostic', () => {
      const ast = clean(S2IDLE_EXAMPLE);
      assert.deepStrictEqual(
        ast.items.map((i) => i.kind),
        ['vm', 'host', 'program'],
      );
      const program = ast.items[2];
      assert.ok(program.kind === 'program');
      const call = program.body.statements[1];
      assert.ok(call.kind === 'call');
      assert.deepStrictEqual(
        [call.proc.parts.map((p) => p.text).join('.'), call.args.map(sexpr)],
        ['linux.pm_suspend', ['s2idle']],
      );
    });

    it('parses the passthrough D3cold example with no diagnostic', () => {
      const ast = clean(D3COLD_EXAMPLE);
      const program = ast.items[1];
      assert.ok(program.kind === 'program');
      assert.deepStrictEqual(
        program.body.statements.map((s) => s.kind),
        ['pciWrite', 'pciWrite', 'mmioWrite', 'pciWrite', 'mmioRead', 'pciWrite', 'expect'],
      );
    });
  });

  describe('error recovery', () => {
    it('reports exactly one error per broken statement and parses the statements after each', () => {
      const r = parseText(`vm guest {
  hypervisor kvm
  vcpus 1
  device net0 virtio-net at 00:01.0
}
guest.vcpu0 {
  psci
  wfi
  mmio poke 0x10
  delay 10us
  pci write net0 pmcsr.state D3hot
  signal ready
  frobnicate now
  wait signal ready
  expect x0 == (1 + 2
  halt
}
`);
      assert.deepStrictEqual(r.errors, [
        '7:7 expected a PSCI function name such as SYSTEM_SUSPEND, found end of line',
        "9:8 expected 'read' or 'write' after 'mmio', found 'poke'",
        "11:30 expected '=' between the register and the value, found 'D3hot'",
        "13:3 unknown statement 'frobnicate'",
        "15:22 expected ')' to close the parenthesis, found end of line",
      ]);
      assert.deepStrictEqual(
        r.ast.items.map((i) => i.kind),
        ['vm', 'program'],
      );
      const statements = statementsOf(r.ast, 1);
      assert.deepStrictEqual(strip(statements), [
        { kind: 'error' },
        { kind: 'wfi' },
        { kind: 'error' },
        { kind: 'delay', duration: { kind: 'number', value: '10000n', unit: 'time', text: '10us' } },
        { kind: 'error' },
        { kind: 'signal', name: { text: 'ready' } },
        { kind: 'error' },
        { kind: 'waitSignal', name: { text: 'ready' } },
        { kind: 'error' },
        { kind: 'halt' },
      ]);
      assert.deepStrictEqual(
        statements.filter((s) => s.kind === 'error').map((s) => r.file.slice(s.span)),
        ['psci', 'mmio poke 0x10', 'pci write net0 pmcsr.state D3hot', 'frobnicate now', 'expect x0 == (1 + 2'],
      );
    });

    it('recovers inside nested blocks and skips a broken statement together with its braces', () => {
      const r = parseText(
        'g.vcpu0 {\n  loop {\n    set x0 =\n    wfi\n  }\n  if x0 == { halt }\n  on 33 { wfi }\n  halt\n}\n',
      );
      assert.deepStrictEqual(r.errors, [
        '3:13 expected a value, found end of line',
        "6:12 expected a value, found '{'",
        "7:6 expected 'irq' after 'on' (a handler is 'on irq N { ... }'), found '33'",
      ]);
      assert.deepStrictEqual(strip(statementsOf(r.ast)), [
        { kind: 'loop', body: { kind: 'block', statements: [{ kind: 'error' }, { kind: 'wfi' }] } },
        { kind: 'error' },
        { kind: 'error' },
        { kind: 'halt' },
      ]);
    });

    it('reports a second statement on one line', () => {
      const r = parseText('g.vcpu0 {\n  halt halt\n  wfi\n}\n');
      assert.deepStrictEqual(r.errors, ["2:8 unexpected 'halt' after 'halt'; a statement ends at a newline or ';'"]);
      assert.deepStrictEqual(
        statementsOf(r.ast).map((s) => s.kind),
        ['error', 'wfi'],
      );
    });

    it('reports each malformed statement form with its own message', () => {
      const r = parseText(`g.vcpu0 {
  irq disable 33 wake
  irq frob 33
  virtio frob d
  call f (1, 2)
  set = 1
  set x0 1
  expect x0, 5
  log 5
  s2idle wake
  wait irq 33
  psci CPU_ON target
  psci CPU_ON 5
  mmio write 0x10 1
  if x0 halt
  loop halt
  12
}
`);
      assert.deepStrictEqual(r.errors, [
        "2:18 'wake' only goes with 'irq enable'",
        "3:7 expected 'enable', 'disable' or 'ack' after 'irq', found 'frob'",
        "4:10 expected 'freeze', 'restore' or 'status' after 'virtio', found 'frob'",
        "5:12 expected ')' to close the parenthesis, found ','",
        "6:7 expected a name, found '='",
        "7:10 expected '=' after 'set x0', found '1'",
        "8:14 expected a string in double quotes, found '5'",
        "9:7 expected a string in double quotes, found '5'",
        "10:10 expected 'notify' after 's2idle', found 'wake'",
        "11:14 expected 'pending' after 'irq N' in an expression ('irq 33 pending'), found end of line",
        "12:21 expected '=' after the argument name 'target' (arguments are name=value), found end of line",
        "13:15 expected an argument name=value, found '5'",
        "14:19 expected '=' between the address and the value, found '1'",
        "15:9 expected '{' to open the if body, found 'halt'",
        "16:8 expected '{' to open the loop body, found 'halt'",
        "17:3 expected a statement, found '12'",
      ]);
      assert.strictEqual(statementsOf(r.ast).length, 16);
      assert.ok(statementsOf(r.ast).every((s) => s.kind === 'error'));
    });

    it('recovers inside vm and host blocks, member by member', () => {
      const r = parseText(`vm a {
  hypervisor
  vcpus 2
  flavour kvm
  device n virtio-net 00:01.0
  device m virtio-net at 00:02.0 { pm d1; 7 }
  on system_suspend confirm
  vcpus 2 3
  ram 0x40000000 1G
}
host {
  at 5ms wake
  at 5ms: explode
  at 5ms: irq 33 guest
  frob
  at 6ms: wake
}
`);
      assert.deepStrictEqual(r.errors, [
        "2:13 expected a hypervisor flavour ('kvm' or 'xen'), found end of line",
        "4:3 unknown VM declaration 'flavour'; expected one of hypervisor, vcpus, ram, device, s2idle_notify, watchdog, role, on, statement_time, jitter, code_base",
        "5:23 expected 'at' before the PCI address, found '00:01.0'",
        "6:43 expected an option name, found '7'",
        "7:21 expected ':' after 'on system_suspend', found 'confirm'",
        "8:11 unexpected '3' after the 'vcpus' declaration; a statement ends at a newline or ';'",
        "12:10 expected ':' after the time of a host action, found 'wake'",
        "13:11 unknown host action 'explode'; expected 'irq N -> VM', 'request suspend', 'wake' or 'vmm VM confirm|deny|resume'",
        "14:18 expected '->' between the interrupt and its VM ('irq 33 -> guest'), found 'guest'",
        "15:3 unknown host declaration 'frob'; expected 'policy', 'at TIME: ACTION', 'suspend_latency TIME' or 's2idle_timeout TIME'",
      ]);
      const [vm, host] = r.ast.items;
      assert.ok(vm.kind === 'vm' && host.kind === 'host');
      assert.deepStrictEqual(
        vm.members.map((m) => m.kind),
        ['error', 'vcpus', 'error', 'error', 'device', 'error', 'error', 'ram'],
      );
      const device = vm.members[4];
      assert.ok(device.kind === 'device');
      assert.deepStrictEqual(
        device.options.map((o) => o.name.text),
        ['pm'],
      );
      assert.deepStrictEqual(
        host.members.map((m) => m.kind),
        ['error', 'error', 'error', 'error', 'at'],
      );
    });

    it('skips a broken top-level item up to its closing brace and goes on', () => {
      const r = parseText(
        'garbage here\n}\nvm {\n  vcpus 1\n}\nproc f(a b) { }\ng vcpu0 { wfi }\nvm ok { hypervisor kvm }\n',
      );
      assert.deepStrictEqual(r.errors, [
        "1:1 expected 'vm', 'host', 'proc', 'explore', 'expect violation' or a vCPU program 'VM.vcpuN { ... }', found 'garbage'",
        "2:1 expected 'vm', 'host', 'proc', 'explore', 'expect violation' or a vCPU program 'VM.vcpuN { ... }', found '}'",
        "3:4 expected a VM name, found '{'",
        "6:10 expected ')' after the parameter list, found 'b'",
        "7:1 expected 'vm', 'host', 'proc', 'explore', 'expect violation' or a vCPU program 'VM.vcpuN { ... }', found 'g'",
      ]);
      assert.deepStrictEqual(
        r.ast.items.map((i) => (i.kind === 'vm' ? `vm ${i.name.text}` : i.kind)),
        ['error', 'error', 'error', 'error', 'error', 'vm ok'],
      );
    });

    it('reports a block left open at the end of the file at its opening brace', () => {
      const r = parseText('g.vcpu0 {\n  wfi\n');
      assert.deepStrictEqual(r.errors, ["1:9 missing '}' to close this program body"]);
      assert.deepStrictEqual(
        statementsOf(r.ast).map((s) => s.kind),
        ['wfi'],
      );
    });

    it('leaves a character the lexer rejected to the lexer: one diagnostic, not two', () => {
      const r = parseText('g.vcpu0 {\n  $\n  expect x0 == 1 #\n  halt\n}\n');
      assert.deepStrictEqual(r.errors, ["2:3 unexpected character '$'", "3:18 unexpected character '#'"]);
      assert.deepStrictEqual(
        statementsOf(r.ast).map((s) => s.kind),
        ['error', 'error', 'halt'],
      );
    });
  });
});

/** The KVM example of the design note (SCENARIO-LANGUAGE.md), as written there. */
const KVM_EXAMPLE = fixture('design-note-kvm.sflow');

const S2IDLE_EXAMPLE = `vm vm0 {
  hypervisor kvm
  vcpus 1
  s2idle_notify at 0x0a001000
  device pt0 passthrough at 00:03.0 irq 40 { no_soft_reset true }
}
host {
  policy suspend waits-for vm0 s2idle
  at 0ms: request suspend
  at 0ms..5ms: irq 40 -> vm0           // explore finds the interleaving where the host suspends a running guest
}
vm0.vcpu0 {
  irq enable 40 wake
  call linux.pm_suspend s2idle
}
`;

const D3COLD_EXAMPLE = `vm guest {
  hypervisor kvm
  vcpus 1
  device gpu passthrough at 00:02.0 irq 50 { no_soft_reset true; d3cold promote }
}
guest.vcpu0 {
  pci write gpu bar0 = 0xe0000000
  pci write gpu command.memory = 1
  mmio write 0xe0000010 = 0x1234          // functional context the driver expects to keep
  pci write gpu pmcsr.state = D3hot       // vfio promotes it to D3cold
  mmio read 0xe0000010                    // BAR access is blocked while in D3: reads all ones
  pci write gpu pmcsr.state = D0
  expect gpu.bar0 == 0, "D3cold resets the function even though it reports No_Soft_Reset"
}
`;
