// The checker: every diagnostic with its exact message and range (1-based line and column, length in characters),
// the did-you-mean quick fixes, and the lowering to instructions (addresses, jumps, procs, handlers, constants).

import { HOST_SETTINGS } from '../../src/lang/domain/host';
import * as assert from 'assert';
import { check } from '../../src/lang/checker';
import { Diagnostic } from '../../src/lang/diagnostics';
import * as P from '../../src/lang/program';
import { SourceFile } from '../../src/lang/source';
import { checkSource, fixture } from '../helpers';

/**
 * `line:col+length severity message` for each diagnostic, in file order. Many tests here declare a world without a
 * program; that such a scenario has nothing to run is tested in limits.test.ts and left out here.
 */
function diags(text: string): string[] {
  return checkSource(text)
    .diagnostics.filter((d) => d.code !== 'nothing-to-run')
    .map(format);
}

function format(d: Diagnostic): string {
  const p = d.file.position(d.span.start);
  return `${p.line + 1}:${p.character + 1}+${d.span.end - d.span.start} ${d.severity} ${d.message}`;
}

/** The world most tests run in: 6 lines, so a program's first statement is on line 8. */
const WORLD = `vm guest {
  hypervisor kvm
  vcpus 2
  device net0 virtio-net at 00:01.0 irq 33
  device gpu passthrough at 00:02.0 irq 50
}
`;

/** WORLD plus `guest.vcpu0 { ... }` with one statement per line, the first on line 8, each indented by two. */
function program(...statements: string[]): string {
  return `${WORLD}guest.vcpu0 {\n${statements.map((s) => `  ${s}`).join('\n')}\n}\n`;
}

function vmOf(text: string, name?: string): P.VmConfig {
  const r = checkSource(text);
  assert.deepStrictEqual(
    r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'nothing-to-run').map(format),
    [],
  );
  const vm = name === undefined ? r.program.vms[0] : r.program.vms.find((v) => v.name === name);
  assert.ok(vm, `no VM ${name}`);
  return vm;
}

/**
 * The frame an instruction belongs to, from the layout: the frame with the greatest entry at or before it. (Not
 * `instr.frame`: on a call instruction that field holds the callee, see the lead's notes.)
 */
function ownerFrame(vm: P.VmConfig, index: number): string {
  let best = vm.frames[0];
  for (const f of vm.frames) if (f.entry <= index && f.entry >= best.entry) best = f;
  return best.name;
}

/** An instruction as a short string: its frame, `op` and the fields that matter for control flow and values. */
function show(vm: P.VmConfig, index: number): string {
  const instr = vm.code[index];
  const frame = ownerFrame(vm, index);
  const r = (e: P.RExpr): string => {
    switch (e.k) {
      case 'const':
        return e.value < 0n ? `-0x${(-e.value).toString(16)}` : `0x${e.value.toString(16)}`;
      case 'reg':
        return e.field;
      case 'param':
        return `param${e.index}`;
      case 'vcpu':
        return `vcpu${e.vcpu}.${e.field}`;
      case 'binary':
        return `(${e.op} ${r(e.left)} ${r(e.right)})`;
      case 'unary':
        return `(${e.op} ${r(e.operand)})`;
      case 'now':
        return 'now';
      case 'irqPending':
        return `(irq-pending ${r(e.irq)})`;
      case 'device':
        return `dev${e.device}.${e.path.kind === 'model' ? e.path.field : e.path.register.name + (e.path.field ? '.' + e.path.field.name : '')}`;
      case 'vm':
        return `vm${e.vm}.${e.field}`;
      case 'host':
        return `host.${e.field}`;
    }
  };
  switch (instr.op) {
    case 'jump':
      return `${frame}: jump ${instr.target}`;
    case 'branchIfFalse':
      return `${frame}: branchIfFalse ${r(instr.condition)} ${instr.target}`;
    case 'set':
      return `${frame}: set ${instr.field} ${r(instr.value)}`;
    case 'call':
      return `${frame}: call ${instr.target} ${vm.frames[instr.callee].name} ${instr.args.map(r).join(' ')}`.trimEnd();
    case 'halt':
    case 'return':
      return `${frame}: ${instr.op}${instr.implicit ? ' (implicit)' : ''}`;
    case 'psci':
      return `${frame}: psci ${instr.fn.fn.name}/${instr.fn.width} ${instr.args.map((a) => `x${a.register}=${r(a.value)}`).join(' ')}`.trimEnd();
    case 'waitExpr':
      return `${frame}: wait ${r(instr.condition)}`;
    case 'expect':
      return `${frame}: expect ${r(instr.condition)}`;
    case 'irq':
      return `${frame}: irq ${instr.action} ${r(instr.irq)}`;
    case 'clearSignal':
    case 'context':
    case 'delay':
    case 'log':
    case 'mmioRead':
    case 'mmioWrite':
    case 'pciRead':
    case 'pciState':
    case 'pciWrite':
    case 'rawCall':
    case 's2idleNotify':
    case 'signal':
    case 'virtio':
    case 'waitSignal':
    case 'wfi':
    default:
      return `${frame}: ${instr.op}`;
  }
}

function code(vm: P.VmConfig): string[] {
  return vm.code.map((_, index) => `${index} ${show(vm, index)}`);
}

describe('checker', () => {
  describe('PSCI calls', () => {
    it('suggests the closest function for a misspelt one, with a quick fix that repairs the text', () => {
      const text = program('psci SYSTEM_SUSPNED entry=resume', 'halt', 'resume:', 'halt');
      const r = checkSource(text);
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "8:8+14 error unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?",
      ]);
      const [d] = r.diagnostics;
      const start = text.indexOf('SYSTEM_SUSPNED');
      assert.strictEqual(d.code, 'unknown-psci-function');
      assert.deepStrictEqual(d.fixes, [
        { title: "Change to 'SYSTEM_SUSPEND'", span: { start, end: start + 14 }, newText: 'SYSTEM_SUSPEND' },
      ]);
      const fixed = text.slice(0, d.fixes![0].span.start) + d.fixes![0].newText + text.slice(d.fixes![0].span.end);
      assert.deepStrictEqual(diags(fixed), []);
    });

    it('offers no suggestion when nothing is close, and only names with an SMC64 ID take the 32/64 suffixes', () => {
      assert.deepStrictEqual(diags(program('psci FROBNICATE')), ["8:8+10 error unknown PSCI function 'FROBNICATE'"]);
      assert.strictEqual(checkSource(program('psci FROBNICATE')).diagnostics[0].fixes, undefined);
      assert.deepStrictEqual(diags(program('psci CPU_OFF64')), [
        "8:8+9 error unknown PSCI function 'CPU_OFF64'; did you mean 'CPU_OFF'?",
      ]);
    });

    it('selects the SMC32 or SMC64 function ID by name; the plain name is the native 64-bit one', () => {
      const vm = vmOf(
        program(
          'psci CPU_ON target=vcpu1 entry=go',
          'psci CPU_ON32 target=vcpu1 entry=go',
          'psci CPU_ON64 target=vcpu1 entry=go',
          'psci CPU_OFF',
          'go:',
          'halt',
        ),
      );
      const fids = vm.code
        .slice(0, 4)
        .map((i) => (i.op === 'psci' ? [i.fn.fn.name, i.fn.width, i.fn.fid.toString(16)] : i.op));
      assert.deepStrictEqual(fids, [
        ['CPU_ON', 64, 'c4000003'],
        ['CPU_ON', 32, '84000003'],
        ['CPU_ON', 64, 'c4000003'],
        ['CPU_OFF', 32, '84000002'],
      ]);
    });

    it('reports an unknown argument with the ones the function takes', () => {
      assert.deepStrictEqual(diags(program('psci SYSTEM_SUSPEND entri=resume', 'resume:')), [
        "8:8+14 warning SYSTEM_SUSPEND without 'entry': the entry point is 0",
        "8:23+5 error SYSTEM_SUSPEND has no argument 'entri'; it takes entry, context; did you mean 'entry'?",
      ]);
      const fix = checkSource(program('psci SYSTEM_SUSPEND entri=resume', 'resume:')).diagnostics[1].fixes;
      assert.deepStrictEqual(
        fix?.map((f) => [f.title, f.newText]),
        [["Change to 'entry'", 'entry']],
      );
      assert.deepStrictEqual(diags(program('psci CPU_OFF target=1')), [
        "8:16+6 error CPU_OFF has no argument 'target'; it takes no arguments",
      ]);
      assert.deepStrictEqual(diags(program('psci AFFINITY_INFO target=1 lvl=0')), [
        "8:31+3 error AFFINITY_INFO has no argument 'lvl'; it takes target, level",
      ]);
    });

    it('reports an argument given twice at its second occurrence', () => {
      assert.deepStrictEqual(diags(program('psci SYSTEM_SUSPEND entry=resume entry=resume', 'resume:')), [
        "8:36+5 error 'entry' is given twice",
      ]);
    });

    it('warns when CPU_ON or SYSTEM_SUSPEND has no entry point', () => {
      assert.deepStrictEqual(diags(program('psci CPU_ON target=vcpu1')), [
        "8:8+6 warning CPU_ON without 'entry': the entry point is 0",
      ]);
    });

    it('checks raw calls take only x1..x3, once each', () => {
      assert.deepStrictEqual(diags(program('smc 0x84000000 x4=1 x1=1 x1=2', 'hvc 1ms')), [
        "8:18+2 error a raw smc takes x1=, x2= and x3=, not 'x4'",
        "8:28+2 error 'x1' is given twice",
        '9:7+3 error the function ID must be an integer, not a time',
      ]);
    });
  });

  describe('names', () => {
    it('reports an unknown VM with a suggestion and fix, in a program header and in the host', () => {
      const text = `${WORLD}gust.vcpu0 {\n}\nhost {\n  at 1ms: irq 33 -> guset\n  policy suspend privileged gest\n}\n`;
      const r = checkSource(text);
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "7:1+4 error unknown VM 'gust'; did you mean 'guest'?",
        "10:21+5 error unknown VM 'guset'; did you mean 'guest'?",
        "11:29+4 error unknown VM 'gest'; did you mean 'guest'?",
      ]);
      assert.deepStrictEqual(
        r.diagnostics.map((d) => d.fixes?.[0].newText),
        ['guest', 'guest', 'guest'],
      );
    });

    it("reports a program header that does not name a vCPU, or names one the VM doesn't have", () => {
      assert.deepStrictEqual(diags(`${WORLD}guest.cpu0 {\n}\nguest.vcpu2 {\n}\n`), [
        "7:7+4 error expected 'vcpuN' after 'guest.', found 'cpu0'",
        "9:7+5 error VM 'guest' has 2 vCPUs (vcpu0..vcpu1); there is no vcpu2",
      ]);
      assert.deepStrictEqual(diags('vm solo {\n  hypervisor kvm\n}\nsolo.vcpu1 {\n}\n'), [
        "4:6+5 error VM 'solo' has 1 vCPU (vcpu0..vcpu0); there is no vcpu1",
      ]);
    });

    it('reports vCPUs out of range in expressions and arguments', () => {
      assert.deepStrictEqual(
        diags(program('expect vcpu5.power == OFF', 'psci CPU_ON target=vcpu3 entry=0', 'expect guest.vcpu2.pc == 0')),
        [
          "8:10+5 error VM 'guest' has 2 vCPUs; there is no vcpu5",
          "9:22+5 error VM 'guest' has no vcpu3",
          "10:16+5 error VM 'guest' has 2 vCPUs; there is no vcpu2",
        ],
      );
    });

    it('reports an unknown device with a suggestion, and a virtio statement on a device that is not virtio', () => {
      const r = checkSource(program('pci write nett0 pmcsr.state = D0', 'virtio freeze gpu', 'virtio restore ne0'));
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "8:13+5 error VM 'guest' has no device 'nett0'; did you mean 'net0'?",
        "9:17+3 error 'gpu' is a passthrough device, not a virtio one",
        "10:18+3 error VM 'guest' has no device 'ne0'; did you mean 'net0'?",
      ]);
      assert.deepStrictEqual(
        r.diagnostics[0].fixes?.map((f) => f.newText),
        ['net0'],
      );
    });

    it('reports unknown config registers and fields with suggestions', () => {
      const r = checkSource(
        program(
          'pci write net0 pmcrs.state = D0',
          'pci write net0 pmcsr.stat = D0',
          'pci read gpu bar0.x',
          'expect net0.statu == 0',
          'expect gpu.pmcsr.pme_enn == 0',
        ),
      );
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "8:18+5 error unknown config register 'pmcrs'; did you mean 'pmcsr'?",
        "9:24+4 error pmcsr has no field 'stat'; its fields are state, no_soft_reset, pme_en, data_select, data_scale, pme_status; did you mean 'state'?",
        '10:21+1 error bar0 has no fields',
        "11:15+5 error device 'net0' has no 'statu'; did you mean 'status'?",
        "12:20+7 error pmcsr has no field 'pme_enn'; its fields are state, no_soft_reset, pme_en, data_select, data_scale, pme_status; did you mean 'pme_en'?",
      ]);
      assert.deepStrictEqual(
        r.diagnostics.map((d) => d.fixes?.[0].newText),
        ['pmcsr', 'state', undefined, 'status', 'pme_en'],
      );
    });

    it('reports an unknown proc with a suggestion; the proc it meant is then never called', () => {
      const text = `${program('call flsuh')}proc flush {\n}\n`;
      const r = checkSource(text);
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "8:8+5 error unknown proc 'flsuh'; did you mean 'flush'?",
        "10:6+5 warning proc 'flush' is never called",
      ]);
      assert.deepStrictEqual(
        r.diagnostics[0].fixes?.map((f) => [f.span.start, f.newText]),
        [[text.indexOf('flsuh'), 'flush']],
      );
    });

    it('reports a call with the wrong number of arguments', () => {
      assert.deepStrictEqual(diags(`${program('call add(1)')}proc add(a, b) {\n  set x0 = a + b\n}\n`), [
        "8:3+11 error proc 'add' takes 2 arguments (a, b), not 1",
      ]);
    });

    it('reports unknown labels and names with suggestions', () => {
      const r = checkSource(program('psci SYSTEM_SUSPEND entry=resme', 'expect x0 == SUCESS', 'resume:'));
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "8:29+5 error unknown name 'resme'; did you mean 'resume'?",
        "9:16+6 error unknown name 'SUCESS'; did you mean 'SUCCESS'?",
      ]);
      assert.deepStrictEqual(
        r.diagnostics.map((d) => d.fixes?.[0].newText),
        ['resume', 'SUCCESS'],
      );
    });

    it('reports unknown fields of vCPUs and of the host, and VMs or devices used as values', () => {
      const r = checkSource(
        program(
          'expect guest.vcpu1.powr == OFF',
          'expect host.stat == running',
          'expect guest == 1',
          'expect net0 == 1',
          'expect guest.sleeping',
        ),
      );
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "8:22+4 error vcpu1 has no 'powr'; it has x0..x30, lr, sp, pc, el, daif, mmu, mpidr, power, mp_state, halted, wakeup_pending; did you mean 'power'?",
        "9:15+4 error the host has no 'stat'; it has state; did you mean 'state'?",
        "10:10+5 error 'guest' is a VM, not a value; use guest.state or guest.vcpuN.FIELD",
        "11:10+4 error 'net0' is a device, not a value; use net0.dstate, net0.status or net0.REGISTER",
        "12:16+8 error VM 'guest' has no 'sleeping'",
      ]);
    });

    it('does not let a label take a register or constant name', () => {
      assert.deepStrictEqual(diags(program('halt', 'x0:', 'OFF:')), [
        "9:3+2 error 'x0' is a register or constant name and cannot be a label",
        "10:3+3 error 'OFF' is a register or constant name and cannot be a label",
      ]);
    });

    it('knows registers only while a vCPU runs, and now and irq N pending only at run time', () => {
      assert.deepStrictEqual(
        diags('vm a {\n  hypervisor kvm\n  vcpus x1\n  watchdog now\n}\nhost {\n  at irq 1 pending: wake\n}\n'),
        [
          "3:9+2 error register 'x1' is only known while a vCPU runs",
          "4:12+3 error 'now' is only known while the scenario runs",
          '4:12+3 error the watchdog timeout must be a constant',
          "7:6+13 error 'irq N pending' is only known while the scenario runs",
          '7:6+13 error the time of a host action is a time such as 10ms (units: ns, us, ms, s)',
        ],
      );
    });
  });

  describe('duplicate declarations', () => {
    it('reports a second VM, device, program, proc and label at its name, pointing at the first', () => {
      const text = `vm guest {
  hypervisor kvm
  device net0 virtio-net at 00:01.0
  device net0 virtio-blk at 00:02.0
}
vm guest {
  hypervisor xen
}
guest.vcpu0 {
  call p
resume:
  halt
resume:
}
guest.vcpu0 {
}
proc p {
}
proc p {
}
`;
      const r = checkSource(text);
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "4:10+4 error device 'net0' is already declared in VM 'guest'",
        "6:4+5 error VM 'guest' is already declared",
        "13:1+6 error label 'resume' is already defined in VM 'guest'",
        '15:7+5 error guest.vcpu0 already has a program',
        "19:6+1 error proc 'p' is already declared",
      ]);
      const related = r.diagnostics.map((d) =>
        d.related?.map(
          (x) =>
            `${x.file.position(x.span.start).line + 1}:${x.file.position(x.span.start).character + 1} ${x.message}`,
        ),
      );
      assert.deepStrictEqual(related, [
        ['3:10 first declared here'],
        ['1:4 first declared here'],
        ['11:1 first defined here'],
        ['9:1 first program here'],
        ['17:6 first declared here'],
      ]);
    });

    it('reports a VM member declared twice, a PCI address taken twice and a parameter named twice', () => {
      assert.deepStrictEqual(
        diags(
          `vm a {\n  hypervisor kvm\n  vcpus 1\n  vcpus 2\n  device x pci at 00:01.0\n  device y pci at 00:01.0\n}\n${'a.vcpu0 {\n  call p(1, 2)\n}\n'}proc p(v, v) {\n}\n`,
        ),
        [
          "4:3+7 error 'vcpus' is declared twice in VM 'a'",
          "6:19+7 error 00:01.0 is already taken by 'x'",
          "11:11+1 error parameter 'v' appears twice",
        ],
      );
    });
  });

  describe('types and units', () => {
    it('treats general-purpose registers as untyped: they hold numbers or times', () => {
      assert.deepStrictEqual(
        diags(
          program(
            'set x20 = now',
            'delay 1ms',
            'expect now - x20 == 1ms + 1us',
            'set x1 = 5',
            'expect x1 == 5',
            'set x2 = true',
          ),
        ),
        ['13:12+4 error the value of x2 must be a number or a time, not a boolean'],
      );
    });

    it('wants a time for delay and an integer for addresses and arguments', () => {
      assert.deepStrictEqual(
        diags(
          program('delay 5', 'psci SYSTEM_SUSPEND entry=10ms', 'set daif = 1ms', 'delay 2ms / 1ms', 'mmio read 1us'),
        ),
        [
          '8:9+1 error a delay must be a time such as 10us, not an integer',
          '9:29+4 error SYSTEM_SUSPEND entry must be an integer, not a time',
          '10:14+3 error the value of daif must be an integer, not a time',
          '11:9+9 error a delay must be a time such as 10us, not an integer',
          '12:13+3 error the address must be an integer, not a time',
        ],
      );
    });

    it('reports mixing times and integers at the operator', () => {
      assert.deepStrictEqual(
        diags(
          program(
            'expect now == 5',
            'expect 7 + 1ms > 0',
            'expect 1ms * 2ms == 0',
            'expect 7 / 1ms == 0',
            'expect 1ms & 1 == 0',
            'expect true + 1 == 2',
          ),
        ),
        [
          '8:14+2 error cannot compare a time with an integer',
          '9:12+1 error cannot add a time to an integer',
          '10:14+1 error cannot multiply two times',
          '11:12+1 error cannot divide an integer by a time',
          "12:14+1 error '&' works on integers, not times",
          "12:18+2 warning '==' binds tighter than '&' (as in C), so this compares first and then applies '&'; add parentheses: 'x == (A & B)' or '(x == A) & B'",
          "13:15+1 error '+' needs numbers, not booleans",
        ],
      );
    });

    it('warns of a comparison inside |, ^ or & written without parentheses (C precedence: it cannot fail)', () => {
      assert.deepStrictEqual(
        diags(
          program(
            'expect x0 == 1 | 2',
            'expect x0 != 1 ^ 2',
            'expect 4 & x0 < 2',
            'expect x0 == (1 | 2)',
            'expect (x0 == 1) | (x1 == 2)',
            'expect x0 == 1 || x0 == 2',
          ),
        ),
        [
          "8:13+2 warning '==' binds tighter than '|' (as in C), so this compares first and then applies '|'; add parentheses: 'x == (A | B)' or '(x == A) | B'",
          "9:13+2 warning '!=' binds tighter than '^' (as in C), so this compares first and then applies '^'; add parentheses: 'x != (A ^ B)' or '(x != A) ^ B'",
          "10:17+1 warning '<' binds tighter than '&' (as in C), so this compares first and then applies '&'; add parentheses: 'x < (A & B)' or '(x < A) & B'",
        ],
      );
    });

    it('accepts time arithmetic that keeps its unit, and mixes booleans and integers in conditions', () => {
      assert.deepStrictEqual(
        diags(program('delay 1ms * 2 + 500us - 10ns', 'delay 3ms / 3', 'expect now >= 1ms && x0', 'expect x0 == true')),
        [],
      );
    });

    it('checks the units of VM and host declarations', () => {
      assert.deepStrictEqual(
        diags(
          'vm a {\n  hypervisor kvm\n  vcpus 1ms\n  watchdog 10\n  jitter 10\n  statement_time 5\n}\nhost {\n  at 10: wake\n}\n',
        ),
        [
          '3:9+3 error the number of vCPUs is a number, not a time',
          '4:12+2 error the watchdog timeout is a time such as 10ms (units: ns, us, ms, s)',
          "5:10+2 error jitter is a percentage such as '10%'",
          '6:18+1 error the statement time is a time such as 10ms (units: ns, us, ms, s)',
          '9:6+2 error the time of a host action is a time such as 10ms (units: ns, us, ms, s)',
        ],
      );
    });
  });

  describe('values and registers', () => {
    it('reports a value too wide for a field or register, and explains D3cold', () => {
      assert.deepStrictEqual(
        diags(
          program(
            'pci write net0 pmcsr.state = D3cold',
            'pci write gpu command = 0x10000',
            'pci write gpu command.memory = 2',
            'pci write gpu pmcsr.state = -1',
          ),
        ),
        [
          '8:32+6 error 4 does not fit in pmcsr.state (2 bits): D3cold is not a PowerState value; it is reached by removing power (d3cold promote)',
          '9:27+7 error 65536 does not fit in command (16 bits)',
          '10:34+1 error 2 does not fit in command.memory (1 bit)',
          '11:31+2 error -1 does not fit in pmcsr.state (2 bits)',
        ],
      );
    });

    it('warns about writing a read-only field', () => {
      assert.deepStrictEqual(diags(program('pci write net0 pmcsr.no_soft_reset = 1')), [
        '8:40+1 warning pmcsr.no_soft_reset is read-only; the write has no effect',
      ]);
    });

    it('refuses set on read-only registers, on other vCPUs, and on unknown registers', () => {
      const r = checkSource(
        program(
          'set el = 1',
          'set mpidr = 0',
          'set power = OFF',
          'set vcpu1.x0 = 1',
          'set xx = 1',
          'set pc = 0x40080000',
        ),
      );
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "8:7+2 error 'el' is read-only (PSTATE.EL, the exception level (1 for a guest kernel))",
        "9:7+5 error 'mpidr' is read-only (MPIDR_EL1 as KVM assigns it: Aff0 = vCPU id[3:0], Aff1 = id[11:4], bit 31 set)",
        "10:7+5 error 'power' is read-only (PSCI power state: ON, OFF, ON_PENDING, STANDBY, POWERDOWN)",
        "11:7+8 error 'set' writes the running vCPU's own registers; 'vcpu1.x0' is not one (devices are written with 'pci write' or 'mmio write')",
        "12:7+2 error unknown register 'xx'; did you mean 'x0'?",
      ]);
    });

    it('checks config offsets, widths and interrupt numbers', () => {
      assert.deepStrictEqual(
        diags(
          program(
            'pci write gpu bar0 = 1 width 16',
            'pci read gpu 0x41 width 16',
            'pci read gpu 0xff',
            'mmio read 0 width 12',
            'irq enable 2000',
          ),
        ),
        [
          "8:32+2 error 'bar0' is 32 bits wide; 'width' is only for raw offsets",
          '9:16+4 error a 16-bit config access must be 2-byte aligned',
          '10:16+4 error config offset 0xff is outside the 256-byte config space',
          '11:21+2 error width is 8, 16, 32, 64 bits, not 12',
          '12:14+4 error interrupt 2000 is out of range (0 to 1019)',
        ],
      );
    });
  });

  describe('control flow and synchronisation', () => {
    it('reports break outside a loop and return outside a proc or handler', () => {
      assert.deepStrictEqual(diags(program('break', 'return', 'loop {', '  if x0 { break }', '}')), [
        "8:3+5 error 'break' outside a loop",
        "9:3+6 error 'return' is for procs and interrupt handlers; a vCPU program ends with 'halt'",
      ]);
      assert.deepStrictEqual(diags(`${program('call p', 'on irq 33 {', '  return', '}')}proc p {\n  return\n}\n`), []);
    });

    it('reports a handler that is not at the top level of a program', () => {
      assert.deepStrictEqual(diags(program('loop {', '  on irq 41 { wfi }', '}')), [
        "9:5+17 error 'on irq N { }' belongs at the top level of a vCPU program",
      ]);
      assert.deepStrictEqual(diags(program('on irq 33 { wfi }', 'on irq 33 { wfi }')), [
        '9:10+2 error vcpu0 already has a handler for irq 33',
      ]);
    });

    it('warns about waiting for a signal no statement of the VM raises', () => {
      const text = `${WORLD}vm other {\n  hypervisor kvm\n}\nguest.vcpu0 {\n  wait signal never\n  wait signal ready\n}\nguest.vcpu1 {\n  signal ready\n}\nother.vcpu0 {\n  signal never\n}\n`;
      assert.deepStrictEqual(diags(text), [
        "11:15+5 warning no statement in VM 'guest' raises signal 'never'; this wait never ends",
      ]);
    });

    it("refuses 'wait' on a condition of time", () => {
      assert.deepStrictEqual(diags(program('wait now > 10ms', 'wait (now > 1ms) && x0 == 1')), [
        "8:8+10 error 'wait' re-checks its condition when state changes, and time alone is not a change: use 'delay' to wait for time",
        "9:8+22 error 'wait' re-checks its condition when state changes, and time alone is not a change: use 'delay' to wait for time",
      ]);
    });

    it('warns that s2idle notify does nothing without the s2idle notify register', () => {
      assert.deepStrictEqual(diags(program('s2idle notify')), [
        "8:3+13 warning VM 'guest' has no s2idle notify register ('s2idle_notify at ADDR'): this does nothing",
      ]);
    });

    it('warns about an unused proc and still checks its body, labels included', () => {
      assert.deepStrictEqual(diags(`${program('halt')}proc unused {\nagain:\n  set pc = again\n  delay 5\n}\n`), [
        "10:6+6 warning proc 'unused' is never called",
        '13:9+1 error a delay must be a time such as 10us, not an integer',
      ]);
    });
  });

  describe('VM declarations', () => {
    it('accepts the PSCI versions each flavour offers and refuses the others', () => {
      const versions = (flavour: string, v: string) => diags(`vm a {\n  hypervisor ${flavour} psci ${v}\n}\n`);
      assert.deepStrictEqual(
        ['0.2', '1.0', '1.1', '1.3'].map((v) => versions('kvm', v)),
        [[], [], [], []],
      );
      assert.deepStrictEqual(versions('kvm', '0.1'), [
        '2:23+3 error PSCI 0.1 is not available on kvm: KVM offers PSCI 0.2, 1.0, 1.1, 1.3',
      ]);
      assert.deepStrictEqual(versions('kvm', '1.2'), [
        '2:23+3 error PSCI 1.2 is not available on kvm: KVM offers PSCI 0.2, 1.0, 1.1, 1.3',
      ]);
      assert.deepStrictEqual(versions('xen', '1.1'), []);
      assert.deepStrictEqual(versions('xen', '1.0'), [
        "2:23+3 error PSCI 1.0 is not available on xen: Xen's vPSCI implements PSCI 1.1 (xen/arch/arm/vpsci.c)",
      ]);
      assert.deepStrictEqual(vmOf('vm a {\n  hypervisor kvm psci 1.0\n}\n').psciVersion, { major: 1, minor: 0 });
      assert.deepStrictEqual(vmOf('vm a {\n  hypervisor kvm\n}\n').psciVersion, { major: 1, minor: 3 });
      assert.deepStrictEqual(vmOf('vm a {\n  hypervisor xen\n}\n').psciVersion, { major: 1, minor: 1 });
    });

    it('refuses an unknown flavour and a VM without one', () => {
      assert.deepStrictEqual(diags('vm a {\n  hypervisor kvn\n}\nvm b {\n  vcpus 1\n}\n'), [
        "2:14+3 error unknown hypervisor 'kvn'; expected 'kvm' or 'xen'; did you mean 'kvm'?",
        "4:4+1 error VM 'b' needs a 'hypervisor kvm' or 'hypervisor xen' declaration",
      ]);
    });

    it('checks hypervisor options per flavour', () => {
      assert.deepStrictEqual(
        diags(
          'vm a {\n  hypervisor kvm { system_suspend_exit of; suspend_check vmm; system_suspend on }\n}\nvm b {\n  hypervisor xen { system_suspend_exit off }\n}\n',
        ),
        [
          "2:40+2 error option 'system_suspend_exit' is on or off; did you mean 'on'?",
          "2:44+13 error unknown kvm option 'suspend_check'; expected system_suspend_exit or suspend_checks; did you mean 'suspend_checks'?",
          "2:63+14 error unknown kvm option 'system_suspend'; expected system_suspend_exit or suspend_checks; did you mean 'system_suspend_exit'?",
          "5:20+19 error unknown xen option 'system_suspend_exit'; expected system_suspend; did you mean 'system_suspend'?",
        ],
      );
      const kvm = vmOf('vm a {\n  hypervisor kvm { system_suspend_exit off; suspend_checks kernel }\n}\n');
      assert.deepStrictEqual(kvm.kvm, { systemSuspendExit: false, suspendChecks: 'kernel' });
      assert.deepStrictEqual(vmOf('vm a {\n  hypervisor xen { system_suspend on }\n}\n').xen, { systemSuspend: true });
      assert.deepStrictEqual(vmOf('vm a {\n  hypervisor xen\n}\n').xen, { systemSuspend: true });
    });

    it('checks the VMM answers each flavour allows', () => {
      assert.deepStrictEqual(
        diags(
          'vm a {\n  hypervisor kvm\n  on system_suspend: confirm | stop\n  on reboot: stop\n}\nvm b {\n  hypervisor xen\n  on system_suspend: confirm\n  on wakeup: ignore\n}\n',
        ),
        [
          "3:32+4 error the VMM answers 'system_suspend' with confirm, deny, defer, confirm-unchecked, resume, not 'stop'",
          "4:6+6 error unknown VMM event 'reboot'; expected system_suspend, wakeup, system_off, system_reset",
          '8:6+14 error Xen handles SYSTEM_SUSPEND in the hypervisor (vpsci.c); there is no VMM exit to answer',
          "9:14+6 error the VMM answers 'wakeup' with resume, defer, not 'ignore'",
        ],
      );
      assert.deepStrictEqual(diags('vm a {\n  hypervisor kvm\n  on wakeup: resume | resume\n}\n'), [
        "3:23+6 warning 'resume' is listed twice",
      ]);
      const vm = vmOf(
        'vm a {\n  hypervisor kvm\n  on system_suspend: confirm | deny\n  on wakeup: defer\n  on system_off: resume\n}\n',
      );
      assert.deepStrictEqual(vm.vmm, {
        system_suspend: ['confirm', 'deny'],
        wakeup: ['defer'],
        system_off: ['resume'],
        system_reset: ['stop'],
      });
    });

    it('checks device models and the options each model takes', () => {
      assert.deepStrictEqual(
        diags(`vm a {
  hypervisor kvm
  device n virtio-net at 00:01.0 { d3cold promote; pm d1 d3; no_soft_reset maybe }
  device g passthrough at 00:02.0 irq 20 { d3cold sometimes; feature suspend }
  device h virtio-foo at 00:04.0
  device i pci at 00:20.0 { reset_on_restore true }
}
`),
        [
          "3:36+6 error 'virtio-net' has no option 'd3cold'; it takes pm, no_soft_reset, pme, reset_on_restore, feature, suspend_rule",
          "3:58+2 error 'pm' lists d1, d2",
          "3:76+5 error option 'no_soft_reset' is true or false",
          '4:39+2 error a device interrupt is an SPI, 32 to 1019, not 20',
          "4:51+9 error option 'd3cold' is never or promote",
          "4:62+7 error 'passthrough' has no option 'feature'; it takes pm, no_soft_reset, pme, d3cold",
          "5:12+10 error unknown device model 'virtio-foo'; expected virtio-net, virtio-blk, virtio-gpio, passthrough, pci; did you mean 'virtio-net'?",
          '6:19+7 error PCI device number 32 is out of range (0-1f)',
          "6:29+16 error 'pci' has no option 'reset_on_restore'; it takes pm, no_soft_reset, pme",
        ],
      );
      const vm = vmOf(
        'vm a {\n  hypervisor kvm\n  device g passthrough at 0000:01:02.3 irq 50 { pm D1 d2; no_soft_reset true; d3cold promote }\n  device v virtio-gpio at 00:03.0 { feature suspend; reset_on_restore false }\n}\n',
      );
      assert.deepStrictEqual(
        vm.devices.map((d) => [d.name, d.model, d.virtio, d.bus, d.dev, d.fn, d.irq, d.options]),
        [
          ['g', 'passthrough', false, 1, 2, 3, 50, { pm: ['d1', 'd2'], no_soft_reset: ['true'], d3cold: ['promote'] }],
          ['v', 'virtio-gpio', true, 0, 3, 0, undefined, { feature: ['suspend'], reset_on_restore: ['false'] }],
        ],
      );
    });

    it('checks roles, RAM, s2idle notify, vCPU count and settings', () => {
      assert.deepStrictEqual(
        diags(`vm a {
  hypervisor kvm
  role hardware-domain
  vcpus 0
  ram 0x40000001 0
  s2idle_notify at 0x1002
  jitter 200%
  statement_time 0us
  code_base 0x10
}
vm b {
  hypervisor xen
  role hardware-domanin
}
`),
        [
          "3:8+15 error 'role hardware-domain' is a Xen concept (dom0); this VM runs on kvm",
          '4:9+1 error a VM has 1 to 512 vCPUs, not 0',
          '5:7+10 error RAM must start on a 4K page boundary',
          '5:18+1 error RAM size must be positive',
          '6:20+6 error the s2idle notify register is 4-byte aligned',
          '7:10+4 error jitter is at most 100%',
          '8:18+3 error statement_time must be positive',
          "9:3+14 error code_base must lie inside the VM's RAM",
          "13:8+16 error unknown role 'hardware-domanin'; the only role is 'hardware-domain' (Xen dom0)",
        ],
      );
      const vm = vmOf(
        'vm b {\n  hypervisor xen\n  role hardware-domain\n  vcpus 4\n  ram 0x80000000 64M\n  s2idle_notify at 0x0a001000\n  watchdog 2s\n  jitter 10%\n  statement_time 2us\n}\n',
      );
      assert.deepStrictEqual(
        [
          vm.flavour,
          vm.hardwareDomain,
          vm.vcpuCount,
          vm.ramBase,
          vm.ramSize,
          vm.s2idleNotify,
          vm.watchdog,
          vm.jitterPercent,
          vm.statementTime,
          vm.codeBase,
        ],
        ['xen', true, 4, 0x80000000n, 64n << 20n, 0x0a001000n, 2_000_000_000n, 10, 2000n, 0x80080000n],
      );
    });
  });

  describe('host declarations', () => {
    it('checks suspend policies', () => {
      assert.deepStrictEqual(
        diags(`vm a {
  hypervisor kvm
  s2idle_notify at 0x0a001000
}
vm b {
  hypervisor xen
}
host {
  policy suspend waits-for a s2idle
  policy suspend privileged b extra
  policy resume privileged b
  policy suspend waitsfor b
  policy suspend waits-for b
  policy suspend privileged zz
}
`),
        [
          "10:29+1 error VM 'b' has no 's2idle_notify at ADDR' register: it can never trigger the host's suspend",
          "10:31+5 error unexpected 'extra' after 'privileged b'",
          "11:10+6 error unknown policy subject 'resume'; the host has 'policy suspend ...'",
          "12:18+8 error unknown suspend policy 'waitsfor'; expected 'waits-for VM s2idle', 'privileged VM' or 'abort-on-wake'; did you mean 'waits-for'?",
          "13:3+26 error VM 'b' already has a suspend policy",
          "13:28+1 error 'waits-for' takes 'VM s2idle': the host waits for the guest's s2idle notification",
          "13:28+1 error VM 'b' has no 's2idle_notify at ADDR' register to wait for",
          "14:29+2 error unknown VM 'zz'",
        ],
      );
      const r = checkSource(
        'vm a {\n  hypervisor kvm\n  s2idle_notify at 0x0a001000\n}\nvm b {\n  hypervisor xen\n  s2idle_notify at 0x0b001000\n}\nhost {\n  policy suspend waits-for a s2idle\n  policy suspend privileged b\n  policy suspend abort-on-wake\n}\na.vcpu0 {\n  halt\n}\n',
      );
      assert.deepStrictEqual(r.diagnostics, []);
      assert.deepStrictEqual(
        r.program.host.policies.map((p) => [p.kind, p.vm, p.loc.line]),
        [
          ['waits-for', 0, 9],
          ['privileged', 1, 10],
          ['abort-on-wake', -1, 11],
        ],
      );
    });

    it('checks each host setting: a constant time, not negative, at most 1000s, once; its default otherwise', () => {
      // suspend_latency (1ms) and s2idle_timeout (crosvm trigger_vm_suspend_and_wait_for_entry's 15s), one row each.
      for (const s of HOST_SETTINGS) {
        const n = s.name.length;
        assert.deepStrictEqual(
          diags(`vm a {\n  hypervisor kvm\n}\nhost {\n  ${s.name} 5\n  ${s.name} -1ms\n  ${s.name} 2000s\n}\n`),
          [
            `5:${n + 4}+1 error ${s.what} is a time such as 10ms (units: ns, us, ms, s)`,
            `6:3+${n + 5} error '${s.name}' is already declared`,
            `6:${n + 4}+4 error ${s.name} cannot be negative`,
            `7:3+${n + 6} error '${s.name}' is already declared`,
            `7:${n + 4}+5 error ${s.name} is at most 1000s`,
          ],
        );
      }
      assert.deepStrictEqual(
        HOST_SETTINGS.map((s) => [s.name, s.what]),
        [
          ['suspend_latency', 'the host suspend latency'],
          ['s2idle_timeout', 'the host s2idle timeout'],
        ],
      );
      const host = checkSource(
        'vm a {\n  hypervisor kvm\n}\nhost {\n  suspend_latency 150ms + 500us\n  s2idle_timeout 2s\n}\n',
      ).program.host;
      assert.deepStrictEqual([host.suspendLatency, host.s2idleTimeout], [150_500_000, 2_000_000_000]);
      const defaults = checkSource('vm a {\n  hypervisor kvm\n}\n').program.host;
      assert.deepStrictEqual([defaults.suspendLatency, defaults.s2idleTimeout], [1_000_000, 15_000_000_000]);
    });

    it('checks host action times, windows, interrupts and VMM answers', () => {
      assert.deepStrictEqual(
        diags(`vm a {
  hypervisor kvm
}
host {
  at 5ms..1ms: request suspend
  at 1ms: irq 2000 -> a
  at 1ms: vmm a reboot
  at -1ms: wake
  at 1ms: irq 40 -> q
}
`),
        [
          '5:11+3 error the window ends before it starts',
          '6:15+4 error interrupt 2000 is out of range (0 to 1019)',
          "7:17+6 error 'vmm a' takes confirm, deny or resume",
          '8:6+4 error a host action cannot happen before time 0',
          "9:21+1 error unknown VM 'q'; did you mean 'a'?",
        ],
      );
    });

    it('lowers host actions with their windows', () => {
      const r = checkSource(
        'vm a {\n  hypervisor kvm\n}\nhost {\n  at 30ms: irq 33 -> a\n  at 0ms..5ms: request suspend\n  at 1ms + 1us: wake\n  at 2ms: vmm a deny\n}\na.vcpu0 {\n  halt\n}\n',
      );
      assert.deepStrictEqual(r.diagnostics, []);
      assert.deepStrictEqual(
        r.program.host.actions.map((a) => [a.index, a.from, a.to, a.action]),
        [
          [0, 30_000_000n, 30_000_000n, { kind: 'irq', irq: 33, vm: 0 }],
          [1, 0n, 5_000_000n, { kind: 'requestSuspend' }],
          [2, 1_001_000n, 1_001_000n, { kind: 'wake' }],
          [3, 2_000_000n, 2_000_000n, { kind: 'vmm', vm: 0, answer: 'deny' }],
        ],
      );
    });
  });

  describe('explore', () => {
    /** A world of 4 lines; `explore` text starts on line 5. */
    const world = 'vm g {\n  hypervisor kvm\n}\ng.vcpu0 { halt }\n';
    const exploreOf = (text: string) => {
      const r = checkSource(world + text);
      assert.deepStrictEqual(r.diagnostics.map(format), []);
      return r.program.explore;
    };

    it('fills Program.explore: the keyword where it is declared, counts as numbers, until in nanoseconds', () => {
      const full = exploreOf('explore { max_states 200000; depth 40; until 600ms }\n')!;
      assert.deepStrictEqual(
        [full.loc.span, full.loc.line, full.loc.file.path],
        [{ start: world.length, end: world.length + 7 }, 4, 'test.sflow'],
      );
      assert.deepStrictEqual([full.maxStates, full.depth, full.until], [200000, 40, 600_000_000n]);
      // Constant expressions, sizes and other units convert as everywhere else.
      const exprs = exploreOf('explore {\n  max_states 64K\n  depth 2 * 20\n  until 1s + 1.5ms\n}\n')!;
      assert.deepStrictEqual([exprs.maxStates, exprs.depth, exprs.until], [65536, 40, 1_001_500_000n]);
    });

    it('leaves the bounds not given to the CLI, and Program.explore undefined without the declaration', () => {
      const bare = exploreOf('explore\n')!;
      assert.deepStrictEqual(Object.keys(bare), ['loc']);
      assert.deepStrictEqual(bare.loc.span, { start: world.length, end: world.length + 7 });
      assert.deepStrictEqual(Object.keys(exploreOf('explore { }\n')!), ['loc']);
      const one = exploreOf('explore { until 2ms }\n')!;
      assert.deepStrictEqual([one.maxStates, one.depth, one.until], [undefined, undefined, 2_000_000n]);
      const skewed = exploreOf('explore { skew 2us }\n')!;
      assert.deepStrictEqual([skewed.until, skewed.skew], [undefined, 2_000n]);
      assert.strictEqual(exploreOf(''), undefined);
      assert.strictEqual(checkSource(world).program.explore, undefined);
    });

    it('reports a second explore at its keyword, pointing at the first, and keeps the first one', () => {
      const r = checkSource(`${world}explore { depth 3 }\nexplore { depth 5 }\nexplore\n`);
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "6:1+7 error 'explore' is already declared; a scenario has one set of bounds",
        "7:1+7 error 'explore' is already declared; a scenario has one set of bounds",
      ]);
      assert.deepStrictEqual(
        r.diagnostics.map((d) => d.code),
        ['duplicate-explore', 'duplicate-explore'],
      );
      const related = r.diagnostics.map((d) =>
        d.related?.map(
          (x) =>
            `${x.file.position(x.span.start).line + 1}:${x.file.position(x.span.start).character + 1}+${x.span.end - x.span.start} ${x.message}`,
        ),
      );
      assert.deepStrictEqual(related, [['5:1+7 first declared here'], ['5:1+7 first declared here']]);
      assert.strictEqual(r.program.explore?.depth, 3);
    });

    it('reports an unknown bound with a did-you-mean and a quick fix that repairs the text', () => {
      const text = `${world}explore {\n  max_state 5000\n  dpeth 4\n  frobnicate 1\n}\n`;
      const r = checkSource(text);
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "6:3+9 error 'explore' has no bound 'max_state'; it takes max_states, depth, until, skew; did you mean 'max_states'?",
        "7:3+5 error 'explore' has no bound 'dpeth'; it takes max_states, depth, until, skew; did you mean 'depth'?",
        "8:3+10 error 'explore' has no bound 'frobnicate'; it takes max_states, depth, until, skew",
      ]);
      assert.deepStrictEqual(
        r.diagnostics.map((d) => d.code),
        ['unknown-explore-bound', 'unknown-explore-bound', 'unknown-explore-bound'],
      );
      const start = text.indexOf('max_state ');
      assert.deepStrictEqual(r.diagnostics[0].fixes, [
        { title: "Change to 'max_states'", span: { start, end: start + 9 }, newText: 'max_states' },
      ]);
      assert.strictEqual(r.diagnostics[2].fixes, undefined);
      let fixed = text;
      for (const d of [...r.diagnostics].reverse())
        if (d.fixes)
          fixed = fixed.slice(0, d.fixes[0].span.start) + d.fixes[0].newText + fixed.slice(d.fixes[0].span.end);
      assert.deepStrictEqual(diags(fixed.replace('  frobnicate 1\n', '')), []);
      const repaired = checkSource(fixed).program.explore;
      assert.deepStrictEqual([repaired?.maxStates, repaired?.depth], [5000, 4]);
    });

    it('reports a value of the wrong type or out of range at the value, and a missing one at the name', () => {
      assert.deepStrictEqual(
        diags(`${world}explore {
  max_states 10ms
  depth true
  until 600
}
`),
        [
          "6:14+4 error 'max_states' is a positive integer, not a time",
          "7:9+4 error 'depth' is a positive integer, not a boolean",
          "8:9+3 error 'until' is a time such as 10ms (units: ns, us, ms, s)",
        ],
      );
      assert.deepStrictEqual(
        diags(`${world}explore { max_states 0; depth -3; until 0ms }\nexplore { max_states 9007199254740992 }\n`),
        [
          "5:22+1 error 'max_states' is a positive integer, not 0",
          "5:31+2 error 'depth' is a positive integer, not -3",
          "5:41+3 error 'until' is a positive time such as 600ms, not 0ns",
          "6:1+7 error 'explore' is already declared; a scenario has one set of bounds",
        ],
      );
      assert.deepStrictEqual(diags(`${world}explore { max_states 9007199254740992 }\n`), [
        "5:22+16 error 'max_states' is at most 9007199254740991",
      ]);
      assert.deepStrictEqual(diags(`${world}explore { depth; until now; max_states x0 }\n`), [
        "5:11+5 error 'depth' needs a value: a positive integer",
        "5:24+3 error 'now' is only known while the scenario runs",
        "5:24+3 error 'until' must be a constant",
        "5:40+2 error register 'x0' is only known while a vCPU runs",
      ]);
      assert.deepStrictEqual(diags(`${world}explore { until }\n`), [
        "5:11+5 error 'until' needs a value: a positive time such as 600ms",
      ]);
    });

    it('reports a bound given twice at its second name, pointing at the first, and keeps the first value', () => {
      const r = checkSource(`${world}explore {\n  depth 3\n  until 1ms; depth 7\n}\n`);
      assert.deepStrictEqual(r.diagnostics.map(format), ["7:14+5 error 'depth' is given twice in 'explore'"]);
      assert.strictEqual(r.diagnostics[0].code, 'duplicate-declaration');
      assert.deepStrictEqual(
        r.diagnostics[0].related?.map((x) => [x.file.position(x.span.start), x.message]),
        [[{ line: 5, character: 2 }, 'first given here']],
      );
      assert.deepStrictEqual([r.program.explore?.depth, r.program.explore?.until], [3, 1_000_000n]);
    });

    it('goes on after a bound that does not parse: one diagnostic, the other bounds kept', () => {
      const r = checkSource(`${world}explore {\n  depth 4 5\n  max_states 100\n}\n`);
      assert.deepStrictEqual(r.diagnostics.map(format), [
        "6:11+1 error unexpected '5' after the 'depth' bound; a statement ends at a newline or ';'",
      ]);
      assert.deepStrictEqual([r.program.explore?.depth, r.program.explore?.maxStates], [undefined, 100]);
    });

    it('refuses explore in a library file: it belongs to a scenario, not the prelude', () => {
      const r = check([
        new SourceFile('s.sflow', world),
        new SourceFile('lib.sflow', 'explore { depth 2 }\nproc p {\n  return\n}\n'),
      ]);
      assert.deepStrictEqual(
        r.diagnostics.map((d) => `${d.file.path} ${format(d)}`),
        ['lib.sflow 1:1+7 error a library file may only declare procs'],
      );
      assert.strictEqual(r.program.explore, undefined);
    });
  });

  describe('lowering', () => {
    it('lays statements out 4 bytes apart from RAM base + 0x80000 and gives labels their addresses', () => {
      const vm = vmOf(
        program('psci SYSTEM_SUSPEND entry=resume context=0xc0ffee', 'halt', 'resume:', 'expect x0 == 0xc0ffee'),
      );
      assert.strictEqual(vm.codeBase, 0x40080000n);
      assert.deepStrictEqual([...vm.labels], [['resume', 2]]);
      assert.deepStrictEqual(code(vm), [
        '0 guest.vcpu0: psci SYSTEM_SUSPEND/64 x1=0x40080008 x2=0xc0ffee',
        '1 guest.vcpu0: halt',
        '2 guest.vcpu0: expect (== x0 0xc0ffee)',
        '3 guest.vcpu0: halt (implicit)',
      ]);
      assert.deepStrictEqual(
        [
          P.instrAddress(vm, 2),
          P.instrIndexAt(vm, 0x40080008n),
          P.instrIndexAt(vm, 0x4008000an),
          P.instrIndexAt(vm, 0x40080010n),
        ],
        [0x40080008n, 2, undefined, undefined],
      );
    });

    it('follows the RAM base and code_base, and lays out programs by vCPU index, then handlers, then procs', () => {
      const text = `vm a {
  hypervisor kvm
  vcpus 2
  ram 0x80000000 64M
}
vm b {
  hypervisor kvm
  ram 0x80000000 64M
  code_base 0x80100000
}
a.vcpu1 {
here:
  set pc = here
}
a.vcpu0 {
  on irq 40 {
    return
  }
  call linux.resume
}
b.vcpu0 {
  set pc = there
there:
  psci CPU_ON target=vcpu0 entry=linux.resume
}
proc linux.resume {
  wfi
}
`;
      const a = vmOf(text, 'a');
      assert.strictEqual(a.codeBase, 0x80080000n);
      assert.deepStrictEqual(code(a), [
        '0 a.vcpu0: call 6 linux.resume',
        '1 a.vcpu0: halt (implicit)',
        '2 a.vcpu0 irq 40: return',
        '3 a.vcpu0 irq 40: return (implicit)',
        '4 a.vcpu1: set pc 0x80080010',
        '5 a.vcpu1: halt (implicit)',
        '6 linux.resume: wfi',
        '7 linux.resume: return (implicit)',
      ]);
      assert.deepStrictEqual(a.programEntry, [0, 4]);
      assert.deepStrictEqual(
        a.frames.map((f) => [f.name, f.kind, f.entry]),
        [
          ['a.vcpu0', 'program', 0],
          ['a.vcpu0 irq 40', 'handler', 2],
          ['a.vcpu1', 'program', 4],
          ['linux.resume', 'proc', 6],
        ],
      );
      const b = vmOf(text, 'b');
      assert.strictEqual(b.codeBase, 0x80100000n);
      assert.deepStrictEqual(code(b), [
        '0 b.vcpu0: set pc 0x80100004',
        '1 b.vcpu0: psci CPU_ON/64 x1=0x0 x2=0x8010000c',
        '2 b.vcpu0: halt (implicit)',
        '3 linux.resume: wfi',
        '4 linux.resume: return (implicit)',
      ]);
    });

    it('lowers loops and if / else if / else to branches and jumps', () => {
      const vm = vmOf(
        program(
          'set x1 = 0', //                 0
          'loop {',
          '  if x1 == 3 {', //             1 branchIfFalse -> 4
          '    break', //                  2 jump -> 10 (after the loop)
          '  } else if x1 == 1 {', //      3 jump -> 8 (end of the if), 4 branchIfFalse -> 7
          '    set x2 = 1', //             5
          '  } else {', //                 6 jump -> 8
          '    set x2 = 2', //             7
          '  }',
          '  set x1 = x1 + 1', //          8
          '}', //                          9 jump -> 1 (loop head)
          'halt', //                       10
        ),
      );
      assert.deepStrictEqual(code(vm), [
        '0 guest.vcpu0: set x1 0x0',
        '1 guest.vcpu0: branchIfFalse (== x1 0x3) 4',
        '2 guest.vcpu0: jump 10',
        '3 guest.vcpu0: jump 8',
        '4 guest.vcpu0: branchIfFalse (== x1 0x1) 7',
        '5 guest.vcpu0: set x2 0x1',
        '6 guest.vcpu0: jump 8',
        '7 guest.vcpu0: set x2 0x2',
        '8 guest.vcpu0: set x1 (+ x1 0x1)',
        '9 guest.vcpu0: jump 1',
        '10 guest.vcpu0: halt',
        '11 guest.vcpu0: halt (implicit)',
      ]);
      // The jumps the compiler adds are not statements a user steps to; break is.
      assert.deepStrictEqual(
        vm.code.map((i) => i.stmt),
        [true, true, true, false, true, true, false, true, true, false, true, false],
      );
      // Each instruction points back at its source line (0-based): the if at its condition, the loop's jump at its '}'.
      assert.deepStrictEqual(
        vm.code.map((i) => i.loc.line),
        [7, 9, 10, 11, 11, 12, 13, 14, 16, 17, 18, 19],
      );
    });

    it('lowers an if without else and nested loops, each break leaving its own loop', () => {
      const vm = vmOf(program('loop {', '  loop {', '    break', '  }', '  if x0 { break }', '}'));
      assert.deepStrictEqual(code(vm), [
        '0 guest.vcpu0: jump 2',
        '1 guest.vcpu0: jump 0',
        '2 guest.vcpu0: branchIfFalse x0 4',
        '3 guest.vcpu0: jump 5',
        '4 guest.vcpu0: jump 0',
        '5 guest.vcpu0: halt (implicit)',
      ]);
    });

    it('lowers procs with parameters: arguments at the call, parameters by index in the body', () => {
      const r = checkSource(`${program('call add(x1, 2)', 'call add 3 (4 + 5)')}proc add(a, b) {
  set x3 = a + b
}
`);
      assert.deepStrictEqual(r.diagnostics, []);
      const vm = r.program.vms[0];
      assert.deepStrictEqual(code(vm), [
        '0 guest.vcpu0: call 3 add x1 0x2',
        '1 guest.vcpu0: call 3 add 0x3 (+ 0x4 0x5)',
        '2 guest.vcpu0: halt (implicit)',
        '3 add: set x3 (+ param0 param1)',
        '4 add: return (implicit)',
      ]);
      assert.deepStrictEqual(
        vm.frames.map((f) => [f.name, f.kind, f.params, f.entry]),
        [
          ['guest.vcpu0', 'program', [], 0],
          ['add', 'proc', ['a', 'b'], 3],
        ],
      );
      const def = r.symbols.defs.find((d) => d.kind === 'proc' && d.name === 'add');
      assert.ok(def);
      assert.deepStrictEqual(def.detail, 'proc(a, b)');
      assert.strictEqual(r.symbols.referencesTo(def).length, 2);
    });

    it('lowers on irq handlers into their own frames, registered per vCPU', () => {
      const vm = vmOf(`${WORLD}guest.vcpu1 {
  on irq 50 {
    irq ack 50
  }
  wfi
}
guest.vcpu0 {
  irq enable 33 wake
  on irq 33 {
    irq ack 33
    return
  }
  wfi
}
`);
      assert.deepStrictEqual(code(vm), [
        '0 guest.vcpu0: irq enable 0x21',
        '1 guest.vcpu0: wfi',
        '2 guest.vcpu0: halt (implicit)',
        '3 guest.vcpu0 irq 33: irq ack 0x21',
        '4 guest.vcpu0 irq 33: return',
        '5 guest.vcpu0 irq 33: return (implicit)',
        '6 guest.vcpu1: wfi',
        '7 guest.vcpu1: halt (implicit)',
        '8 guest.vcpu1 irq 50: irq ack 0x32',
        '9 guest.vcpu1 irq 50: return (implicit)',
      ]);
      assert.deepStrictEqual(
        vm.handlers.map((h) => [...h].map(([irq, frame]) => [irq, vm.frames[frame].name, vm.frames[frame].kind])),
        [[[33, 'guest.vcpu0 irq 33', 'handler']], [[50, 'guest.vcpu1 irq 50', 'handler']]],
      );
      assert.deepStrictEqual(vm.programEntry, [0, 6]);
    });

    it('reads ON_PENDING as the power state next to vcpuN.power, and as the PSCI return code otherwise', () => {
      const vm = vmOf(
        program(
          'wait vcpu1.power == ON_PENDING',
          'wait ON_PENDING != vcpu1.power',
          'expect x0 == ON_PENDING',
          'expect ON_PENDING == x0',
          'set x1 = ON_PENDING',
          'expect vcpu1.power == OFF',
        ),
      );
      assert.deepStrictEqual(code(vm), [
        '0 guest.vcpu0: wait (== vcpu1.power 0x2)',
        '1 guest.vcpu0: wait (!= 0x2 vcpu1.power)',
        '2 guest.vcpu0: expect (== x0 -0x5)',
        '3 guest.vcpu0: expect (== -0x5 x0)',
        '4 guest.vcpu0: set x1 -0x5',
        '5 guest.vcpu0: expect (== vcpu1.power 0x1)',
        '6 guest.vcpu0: halt (implicit)',
      ]);
    });

    it('resolves constants, vCPU names, device state and VM state to values', () => {
      const text = program(
        'psci CPU_ON target=vcpu1 entry=0',
        'expect net0.status == DRIVER_OK',
        'expect gpu.pmcsr.state == D3hot',
        'expect gpu.dstate == D3cold',
        'expect guest.state == vm_suspended',
        'expect host.state == suspended',
        'expect irq 33 pending',
      );
      assert.deepStrictEqual(code(vmOf(text)), [
        '0 guest.vcpu0: psci CPU_ON/64 x1=0x1 x2=0x0',
        '1 guest.vcpu0: expect (== dev0.status 0x4)',
        '2 guest.vcpu0: expect (== dev1.pmcsr.state 0x3)',
        '3 guest.vcpu0: expect (== dev1.dstate 0x4)',
        '4 guest.vcpu0: expect (== vm0.state 0x1)',
        '5 guest.vcpu0: expect (== host.state 0x2)',
        '6 guest.vcpu0: expect (irq-pending 0x21)',
        '7 guest.vcpu0: halt (implicit)',
      ]);
    });

    it('compiles the KVM example of SCENARIO-LANGUAGE.md with no diagnostic', () => {
      const r = checkSource(KVM_EXAMPLE);
      assert.deepStrictEqual(r.diagnostics.map(format), []);
      const vm = r.program.vms[0];
      assert.deepStrictEqual([...vm.labels], [['resume', 8]]);
      const suspend = vm.code[5];
      assert.ok(suspend.op === 'psci');
      assert.deepStrictEqual(
        suspend.args.map((a) => [a.name, a.value]),
        [
          ['entry', { k: 'const', value: 0x40080020n }],
          ['context', { k: 'const', value: 0xc0ffeen }],
        ],
      );
      assert.deepStrictEqual(vm.programEntry, [0, 13]);
      assert.deepStrictEqual(
        r.program.host.actions.map((a) => [a.from, a.action]),
        [[30_000_000n, { kind: 'irq', irq: 33, vm: 0 }]],
      );
    });
  });
});

/** The KVM example of the design note (SCENARIO-LANGUAGE.md), as written there. */
const KVM_EXAMPLE = fixture('design-note-kvm.sflow');
