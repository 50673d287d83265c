// The typed trace: everything observable the simulator does is one of these events, stamped with virtual time,
// VM and vCPU. The machine folds each event into a running hash (the determinism oracle) and hands it to
// listeners; it keeps only the last few itself, so a long run costs no memory for history.

export type ExitKind = 'SUSPEND' | 'WAKEUP' | 'SHUTDOWN' | 'RESET' | 'MMIO';

/** KVM_SYSTEM_EVENT_* types (Linux uapi kvm.h). */
export const KVM_SYSTEM_EVENT_TYPE: Record<Exclude<ExitKind, 'MMIO'>, number> = {
  SHUTDOWN: 1,
  RESET: 2,
  WAKEUP: 4,
  SUSPEND: 5,
};

export type EventBody =
  | { kind: 'psci.call'; fn: string; fid: number; conduit: 'smc' | 'hvc'; args: bigint[] }
  | { kind: 'psci.return'; fn: string; result: bigint; name: string }
  | { kind: 'vmm.exit'; exit: ExitKind; flags: number; detail: string; via: string }
  | { kind: 'vmm.answer'; exit: ExitKind; answer: string; result: string }
  | { kind: 'irq.raise'; irq: number; target: number }
  | { kind: 'irq.wake'; irq: number; from: string }
  | { kind: 'irq.deliver'; irq: number }
  | { kind: 'irq.masked'; irq: number; why: string }
  | { kind: 'irq.config'; irq: number; enabled: boolean; wake: boolean }
  | { kind: 'power'; from: string; to: string; mp: string; why: string }
  | { kind: 'vm.state'; from: string; to: string; why: string }
  | { kind: 'signal'; name: string; raised: boolean }
  | { kind: 'log'; text: string }
  | { kind: 'expect.fail'; text: string; message: string }
  | { kind: 'fault'; message: string }
  | { kind: 'halt'; implicit: boolean }
  | { kind: 'host.action'; action: string }
  /** `device` names the PCI function whose BAR the address is in, or '' */
  | {
      kind: 'mmio';
      access: 'read' | 'write';
      address: bigint;
      width: number;
      value: bigint;
      target: string;
      blocked: boolean;
      device: string;
    }
  | {
      kind: 'pci.config';
      access: 'read' | 'write';
      device: string;
      offset: number;
      size: number;
      value: bigint;
      register: string;
      note: string;
    }
  | { kind: 'device'; device: string; what: string; detail: string }
  /** a function came back without the functional context it had (a reset nobody undid) */
  | { kind: 'context.lost'; device: string; cause: string; noSoftReset: boolean }
  | { kind: 'violation'; invariant: string; message: string; title: string }
  | { kind: 'host.state'; from: string; to: string; why: string }
  | { kind: 's2idle.notify'; count: number };

export type TraceEvent = EventBody & {
  /** position in the trace, from 0 */
  seq: number;
  /** virtual time, ns */
  t: number;
  /** VM index, or -1 for the host */
  vm: number;
  /** vCPU index, or -1 for the VM or host as a whole */
  vcpu: number;
  /** the instruction the vCPU was executing when this happened (its source line), or -1 */
  pc: number;
};

/** The payload fields of each kind of event, in a fixed order (computed once per kind). */
const PAYLOAD_KEYS = new Map<string, string[]>();
const HEADER_KEYS = new Set(['seq', 't', 'vm', 'vcpu', 'kind', 'pc']);

function payloadKeys(e: TraceEvent): string[] {
  let keys = PAYLOAD_KEYS.get(e.kind);
  if (!keys) {
    keys = Object.keys(e)
      .filter((k) => !HEADER_KEYS.has(k))
      .sort();
    PAYLOAD_KEYS.set(e.kind, keys);
  }
  return keys;
}

function fieldText(v: unknown): string {
  return Array.isArray(v) ? v.map(String).join(',') : String(v);
}

/** A stable text form of an event (what the trace hash covers). */
export function canonicalEvent(e: TraceEvent): string {
  let out = `${e.seq}|${e.t}|${e.vm}|${e.vcpu}|${e.kind}`;
  const rec = e as unknown as Record<string, unknown>;
  for (const key of payloadKeys(e)) out += `|${key}=${fieldText(rec[key])}`;
  return out;
}

/** Folds an event into the running hash field by field, numbers as numbers, without building its text. */
export function hashEvent(h: [number, number], e: TraceEvent): [number, number] {
  let acc = hashNumber(h, e.seq);
  acc = hashNumber(acc, e.t);
  acc = hashNumber(acc, e.vm);
  acc = hashNumber(acc, e.vcpu);
  acc = hashString(acc, e.kind);
  const rec = e as unknown as Record<string, unknown>;
  for (const key of payloadKeys(e)) acc = hashValue(acc, rec[key]);
  return acc;
}

function hashValue(h: [number, number], v: unknown): [number, number] {
  switch (typeof v) {
    case 'number':
      return hashNumber(h, v);
    case 'string':
      return hashString(h, v);
    case 'boolean':
      return hashNumber(h, v ? 1 : 0);
    case 'bigint':
      return hashNumber(hashNumber(h, Number(BigInt.asUintN(32, v))), Number(BigInt.asUintN(32, v >> 32n)));
    case 'function':
    case 'object':
    case 'symbol':
    case 'undefined':
    default:
      if (Array.isArray(v)) {
        let acc = hashNumber(h, v.length);
        for (const x of v) acc = hashValue(acc, x);
        return acc;
      }
      return hashString(h, String(v));
  }
}

/** Mixes a number (an integer up to 2^53, or any double by its low and high words) into the hash. */
function hashNumber(h: [number, number], n: number): [number, number] {
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  let a = Math.imul(h[0] ^ lo, 0x01000193) >>> 0;
  let b = Math.imul(h[1] ^ hi ^ (a >>> 11), 0x01000193) >>> 0;
  a = Math.imul(a ^ (b >>> 13), 0x85ebca6b) >>> 0;
  b = (b + a) >>> 0;
  return [a, b];
}

/** 64-bit FNV-1a as two 32-bit lanes; the machine's trace hash. */
export function hashString(h: [number, number], s: string): [number, number] {
  let a = h[0];
  let b = h[1];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ ((c * 31 + 7) & 0xffff), 0x01000193) >>> 0;
    b = (b + (a >>> 16)) >>> 0;
  }
  return [a, b];
}

export const HASH_SEED: [number, number] = [0x811c9dc5, 0x050c5d1f];

export function hashHex(h: [number, number]): string {
  return h[0].toString(16).padStart(8, '0') + h[1].toString(16).padStart(8, '0');
}

export function eventToJson(e: TraceEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (typeof v === 'bigint') out[k] = '0x' + BigInt.asUintN(64, v).toString(16);
    else if (Array.isArray(v))
      out[k] = v.map((x) => (typeof x === 'bigint' ? '0x' + BigInt.asUintN(64, x).toString(16) : x));
    else out[k] = v;
  }
  return out;
}
