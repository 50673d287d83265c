// Times that wrapped silently (a negative delay sending the clock 584 years ahead, a huge one printing as
// `1e+26.393472 ms`), long and deep expressions at run time, and runaway recursion: each is a value printed
// right, a fault of the vCPU that made it, or the run it should be.

import * as assert from 'assert';
import { MAX_VIRTUAL_TIME } from '../../src/lang/program';
import { formatTime } from '../../src/sim/describe-event';
import { eventsOf, run, runGreen } from '../helpers';

const VM = 'vm g {\n  hypervisor kvm\n  vcpus 2\n}\n';
const program = (body: string) => `${VM}g.vcpu0 {\n${body}\n}\n`;

function faults(text: string): string[] {
  const r = run(text);
  return eventsOf(r.events, 'fault').map((e) => `${r.machine.vcpuName(e.vm, e.vcpu)} ${formatTime(e.t)}: ${e.message}`);
}

describe('virtual time limits', () => {
  it('is 2^53 - 1 ns, the largest time the clock holds exactly', () => {
    assert.strictEqual(MAX_VIRTUAL_TIME, BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('a negative delay at run time is a fault of that vCPU, not a jump of the clock', () => {
    assert.deepStrictEqual(faults(program('  set x1 = 0ns - 20ms\n  delay x1\n  log "after"')), [
      'g.vcpu0 0.001000 ms: delay of -20ms: a delay cannot be negative',
    ]);
    // A register holding the unsigned form of a negative number is the same delay.
    assert.deepStrictEqual(faults(program('  set x1 = 0xffff_ffff_fece_d300\n  delay x1')), [
      'g.vcpu0 0.001000 ms: delay of -20ms: a delay cannot be negative',
    ]);
  });

  it('a delay past the end of virtual time is a fault; the other vCPUs go on', () => {
    const text = `${VM}g.vcpu1 {\n  delay 5ms\n  log "vcpu1 goes on"\n}\ng.vcpu0 {\n  set x1 = 1 << 60\n  delay x1\n}\n`;
    const r = run(text);
    assert.deepStrictEqual(
      eventsOf(r.events, 'fault').map((e) => e.message),
      [
        'delay of 1152921504.606846976s: the clock would pass 9007199.254740991s (2^53 - 1 ns, about 104 days), the longest virtual time',
      ],
    );
    assert.deepStrictEqual(r.logs, ['vcpu1 goes on']);
    assert.strictEqual(r.machine.state.vms[0].vcpus[0].run, 'faulted');
  });

  it('a run may reach the limit exactly; a statement past it faults', () => {
    // set (1us), delay to the limit - 1us, log (1us), the implicit halt at the limit.
    const r = run(program(`  set x1 = ${MAX_VIRTUAL_TIME}ns - 2us\n  delay x1\n  log "at {now}"`));
    assert.deepStrictEqual(eventsOf(r.events, 'fault'), []);
    assert.deepStrictEqual(r.logs, ['at 9007199.254739991s']);
    assert.strictEqual(r.machine.state.now, Number.MAX_SAFE_INTEGER);
    assert.deepStrictEqual(
      faults(program(`  set x1 = ${MAX_VIRTUAL_TIME}ns - 1us\n  delay x1\n  log "at {now}"\n  halt`)).map((f) =>
        f.replace(/^.*: /, ''),
      ),
      ['the clock would pass 9007199.254740991s (2^53 - 1 ns, about 104 days), the longest virtual time'],
    );
  });

  it('prints times at any size', () => {
    assert.strictEqual(formatTime(0), '0.000000 ms');
    assert.strictEqual(formatTime(10_005_000), '10.005000 ms');
    assert.strictEqual(formatTime(Number.MAX_SAFE_INTEGER), '9007199254.740991 ms');
    assert.strictEqual(formatTime(1e26), '100000000000000004764.729344 ms');
    assert.strictEqual(formatTime(2n ** 64n), '18446744073709.551616 ms');
    assert.strictEqual(formatTime(-1500), '-0.001500 ms');
  });

  it('evaluates sums of 50,000 terms and long && chains with their short-circuit', () => {
    const r = runGreen(
      program(
        `  set x1 = 1${' + 1'.repeat(49_999)}\n  expect x1 == 50000\n  set x2 = 0${' - 1'.repeat(50_000)}\n  expect x2 == -50000\n  set x3 = 100${' / 1'.repeat(20_000)}\n  expect x3 == 100\n  expect ${'x1 > 0 && '.repeat(10_000)}true\n  expect !(false${' && x1'.repeat(10_000)})`,
      ),
    );
    assert.strictEqual(r.machine.state.vms[0].vcpus[0].run, 'halted');
  });

  it('the results of long chains are what the left-to-right evaluation gives, with 64-bit wrap-around', () => {
    const big = '0x7fff_ffff_ffff_ffff';
    runGreen(
      program(
        `  set x1 = ${big}${' + 1'.repeat(100)}\n  expect x1 == ${big} + 100\n  set x2 = 0${' - 3 + 1'.repeat(100)}\n  expect x2 == -200\n  set x3 = 1${' * 3'.repeat(100)}\n  expect x3 == ${BigInt.asIntN(64, 3n ** 100n)}\n  set x4 = 0${' | 1 << 3 ^ 2'.repeat(40)}\n  expect x4 == 10`,
      ),
    );
  });

  it('runaway recursion stays a fault of the vCPU; a deep chain of procs too', () => {
    assert.deepStrictEqual(
      faults(`proc r {\n  call r\n}\n${program('  call r')}`).map((f) => f.replace(/ \d+\.\d+ ms/, '')),
      ['g.vcpu0: call depth over 256: runaway recursion into r'],
    );
    let procs = '';
    for (let i = 0; i < 2000; i++) procs += `proc p${i} {\n  call p${i + 1}\n}\n`;
    const f = faults(program('  call p0') + procs + 'proc p2000 {\n}\n');
    assert.deepStrictEqual(
      f.map((x) => x.replace(/ \d+\.\d+ ms/, '')),
      ['g.vcpu0: call depth over 256: a chain of calls too deep to call p255'],
    );
  });
});
