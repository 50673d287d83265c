// A fast 53-bit hash of machine state, for telling explored states apart. Two 32-bit lanes mixed with
// multiply-rotate steps (the shape of MurmurHash3's body); the key is both lanes folded into one safe integer so a
// Set<number> can hold it. At 53 bits, a million states collide with probability about 5e-5.

const TWO_32 = 4294967296;
const STRING_CODES = new Map<string, number>();

export class StateHasher {
  private a = 0x3c6ef372;
  private b = 0x9b05688c;

  int(x: number): void {
    let a = Math.imul(this.a ^ x, 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    this.a = Math.imul(a, 0x1b873593) + 0xe6546b64;
    let b = Math.imul(this.b ^ x, 0x85ebca6b);
    b = (b << 13) | (b >>> 19);
    this.b = Math.imul(b, 0xc2b2ae35) + 0x52dce729;
  }

  /** Any finite number: times in ns go past 2^32. */
  num(n: number): void {
    if ((n | 0) === n) this.int(n);
    else if (Number.isFinite(n)) {
      this.int(n % TWO_32);
      this.int(Math.floor(n / TWO_32));
    } else this.int(0x7ff00000);
  }

  big(v: bigint): void {
    // Most register values fit a double exactly; only the rest pay for bigint arithmetic.
    const n = Number(v);
    if (Number.isSafeInteger(n)) this.num(n);
    else {
      this.int(0x5a17);
      this.int(Number(BigInt.asUintN(32, v)) | 0);
      this.int(Number(BigInt.asIntN(32, v >> 32n)));
    }
  }

  bool(v: boolean): void {
    this.int(v ? 1 : 0);
  }

  /** Strings here are names from small sets (run states, exit kinds, tags): each is hashed once and cached. */
  str(s: string): void {
    let code = STRING_CODES.get(s);
    if (code === undefined) {
      code = s.length;
      for (let i = 0; i < s.length; i++) code = (Math.imul(code, 31) + s.charCodeAt(i)) | 0;
      if (STRING_CODES.size < 4096) STRING_CODES.set(s, code);
    }
    this.int(code);
  }

  bytes(bytes: Uint8Array): void {
    this.int(bytes.length);
    for (let i = 0; i < bytes.length; i++) this.int(bytes[i]);
  }

  words(words: Uint32Array): void {
    this.int(words.length);
    for (let i = 0; i < words.length; i++) this.int(words[i]);
  }

  /** Folds another hasher's lanes in order-independently (for maps whose insertion order is history, not state). */
  addUnordered(other: StateHasher): void {
    this.a = (this.a + other.a) | 0;
    this.b = (this.b + other.b) | 0;
  }

  key(): number {
    return (this.a >>> 0) * 2097152 + ((this.b >>> 0) & 0x1fffff);
  }
}
