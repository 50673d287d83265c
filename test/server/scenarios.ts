// Scenario texts the server tests share.

import { DEVICE_MODELS } from '../../src/lang/domain/devices';
import { VCPU_FIELDS } from '../../src/lang/domain/vcpu';
import { allStatePaths } from '../../src/lang/state-paths';
import { checkSource } from '../helpers';

/** A small KVM scenario that uses most of the language; line numbers in the tests refer to this text. */
export const KVM = `// KVM suspend-to-RAM
vm guest {
  hypervisor kvm psci 1.1
  vcpus 2
  device net0 virtio-net at 00:01.0 irq 33
  device gpu passthrough at 00:05.0 irq 45 { no_soft_reset true }
  on system_suspend: confirm
}

host {
  at 30ms: irq 33 -> guest
}

guest.vcpu1 {
  wait signal cpu_down
  psci CPU_OFF
}

guest.vcpu0 {
  irq enable 33 wake
  pci write net0 pmcsr.state = D3hot
  signal cpu_down
  loop {
    psci AFFINITY_INFO target=vcpu1 level=0
    if x0 == OFF { break }
    delay 10us
  }
  psci SYSTEM_SUSPEND entry=resume context=0xc0ffee
  halt

resume:
  expect x0 == 0xc0ffee
  pci write net0 pmcsr.state = D0
  expect net0.status & DRIVER_OK, "status {net0.status}"
  call settle(2)
}

proc settle(n) {
again:
  delay 1ms
  set x1 = x1 + 1
  if x1 < n { set pc = again }
}
`;

/**
 * A generated scenario of `lines` lines: two VMs with devices, vCPU programs, and many procs with labels, loops,
 * PSCI calls, config writes and logs, all valid; the last proc misspells SYSTEM_SUSPEND.
 */
export function largeScenario(lines: number): string {
  const out: string[] = [
    '// generated: a large scenario for the language server',
    'vm guest {',
    '  hypervisor kvm',
    '  vcpus 4',
    '  ram 0x40000000 1G',
    '  device net0 virtio-net at 00:01.0 irq 33',
    '  device blk0 virtio-blk at 00:02.0 irq 34',
    '  device gpu passthrough at 00:05.0 irq 45 { no_soft_reset true }',
    '}',
    'vm other {',
    '  hypervisor xen',
    '  vcpus 2',
    '  device gpio virtio-gpio at 00:03.0 irq 40',
    '}',
    'host {',
    '  at 30ms: irq 33 -> guest',
    '}',
    'guest.vcpu1 { call linux.secondary }',
    'other.vcpu0 { wfi }',
  ];
  const procs: string[] = [];
  let i = 0;
  // Each proc is 18 lines, plus the line that calls it; the boot program's frame is 7 lines.
  while (out.length + 18 + procs.length + 1 + 7 <= lines) {
    const name = `step${i}`;
    procs.push(name);
    out.push(
      `/** step ${i}: one round of device and CPU work */`,
      `proc ${name}(n) {`,
      `  set x1 = n + ${i}`,
      `  pci write net0 pmcsr.state = D3hot`,
      `  expect net0.dstate == D3hot, "net0 in {net0.dstate}"`,
      `  pci write net0 pmcsr.state = D0`,
      `  loop {`,
      `    psci AFFINITY_INFO target=vcpu1 level=0`,
      `    if x0 == OFF { break }`,
      `    delay 10us`,
      `  }`,
      `  if x1 > ${i + 100} {`,
      `    log "x1 is {x1}"`,
      `  } else {`,
      `    set x2 = x1 * 2`,
      `  }`,
      `  mmio write 0x40001000 = x1 width 32`,
      `}`,
    );
    i++;
  }
  out.push('guest.vcpu0 {', '  irq enable 33 wake');
  for (const p of procs) out.push(`  call ${p}(1)`);
  out.push('  psci SYSTEM_SUSPNED entry=wake context=0', '  halt', 'wake:', '  call linux.pm_suspend mem', '}');
  while (out.length < lines) out.push('');
  return out.join('\n');
}

/** A VM with two vCPUs and a device of each model (dev0 ... in the order of DEVICE_MODELS); HOLE in vcpu0's code. */
export const EVERY_MODEL = `vm guest {
  hypervisor kvm psci 1.1
  vcpus 2
${DEVICE_MODELS.map((m, i) => `  device dev${i} ${m.name} at 00:0${i + 1}.0 irq ${40 + i}`).join('\n')}
}

guest.vcpu1 {
  halt
}

guest.vcpu0 {
  HOLE
  halt
}
`;

/** Every path of EVERY_MODEL's state namespace: VM-qualified, and as its vCPU's code may write it. */
export function everyModelPaths(): { qualified: string[]; local: string[] } {
  const qualified = allStatePaths(checkSource(EVERY_MODEL.replace('HOLE', '')).program);
  // In the VM's own code a device and a vCPU need no VM, and a register names the running vCPU's.
  const local = [
    ...qualified.filter((p) => p.startsWith('guest.') && p.split('.').length > 2).map((p) => p.slice('guest.'.length)),
    ...VCPU_FIELDS.map((f) => f.name),
  ];
  return { qualified, local };
}
