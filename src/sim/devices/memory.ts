// Guest RAM contents, kept sparse: only bytes a statement wrote exist; everything else reads as zero.

import { VmState } from '../state';

export function guestMemoryWrite(vm: VmState, address: bigint, width: number, value: bigint): void {
  for (let i = 0; i < width / 8; i++) {
    const byte = Number((value >> BigInt(8 * i)) & 0xffn);
    const at = address + BigInt(i);
    if (byte === 0) vm.memory.delete(at);
    else vm.memory.set(at, byte);
  }
}

export function guestMemoryRead(vm: VmState, address: bigint, width: number): bigint {
  let value = 0n;
  for (let i = width / 8 - 1; i >= 0; i--) value = (value << 8n) | BigInt(vm.memory.get(address + BigInt(i)) ?? 0);
  return value;
}
