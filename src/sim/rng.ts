// A small seeded generator (mulberry32). Its whole state is one 32-bit number kept in the machine state, so a
// snapshot captures it and a restored run draws the same numbers.

function nextRandom(state: { rng: number }): number {
  state.rng = (state.rng + 0x6d2b79f5) >>> 0;
  let t = state.rng;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** An integer in [0, n). */
export function randomBelow(state: { rng: number }, n: number): number {
  return Math.floor(nextRandom(state) * n);
}

export function seedState(seed: number): number {
  // Spread small seeds (0, 1, 2) apart before the first draw.
  return Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
}
