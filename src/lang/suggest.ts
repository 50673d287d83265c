// "did you mean" suggestions: the closest candidate by edit distance, if it is close enough to be a typo.
//
// The work is bounded: a candidate is only compared as far as it could still beat the best one so far (a length
// difference alone can rule it out), the comparison is a band of the distance table that stops as soon as the bound
// is exceeded, and a name longer than MAX_SUGGESTED_LENGTH gets no suggestion. What is suggested is what the full
// comparison of every candidate would suggest.

/** Names longer than this get no suggestion (nobody mistypes a 300-character name into another one). */
const MAX_SUGGESTED_LENGTH = 256;

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transposition: SUSPNED -> SUSPEND is one edit), or
 * `max + 1` when it is more than `max`: then only a band of 2 * max + 1 diagonals of the table is computed, and the
 * computation stops at the first row whose every cell is over `max`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  const m = a.length;
  const n = b.length;
  const k = Math.min(max, Math.max(m, n));
  const over = k + 1;
  if (Math.abs(m - n) > k) return over;
  if (m === 0 || n === 0) return Math.max(m, n);
  // Three rows of the table (the transposition looks two rows back); cells outside the band read as `over`.
  let before = new Array<number>(n + 1).fill(over);
  let prev = new Array<number>(n + 1).fill(over);
  let cur = new Array<number>(n + 1).fill(over);
  for (let j = 0; j <= Math.min(n, k); j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(1, i - k);
    const hi = Math.min(n, i + k);
    cur[lo - 1] = lo === 1 && i <= k ? i : over;
    let rowMin = cur[lo - 1];
    const ai = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const bj = b.charCodeAt(j - 1);
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj)
        d = Math.min(d, before[j - 2] + 1);
      if (d > over) d = over;
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (hi < n) cur[hi + 1] = over;
    if (rowMin > k) return over;
    const t = before;
    before = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[n], over);
}

/** How far a candidate may be from the word to be offered for it. */
function limitFor(word: string, candidate: string): number {
  return Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3));
}

/**
 * The candidate closest to `word` (case-insensitively; the first of equally close ones), if it is within a third of
 * the longer of the two names; undefined otherwise, also when the closest one is too far even though a farther one
 * would be within its own limit.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > MAX_SUGGESTED_LENGTH) return undefined;
  const upper = word.toUpperCase();
  const all = [...candidates];
  // No candidate is offered at a distance beyond the largest limit: that bounds every comparison.
  let bound = 0;
  for (const c of all) bound = Math.max(bound, limitFor(word, c));
  let best: string | undefined;
  let bestScore = bound + 1;
  for (const candidate of all) {
    // Only a candidate strictly closer than the best so far can take its place.
    const within = bestScore - 1;
    const other = candidate.toUpperCase();
    if (within < 0 || Math.abs(other.length - upper.length) > within) continue;
    const score = editDistance(upper, other, within);
    if (score <= within) {
      best = candidate;
      bestScore = score;
    }
  }
  if (best === undefined) return undefined;
  return bestScore <= limitFor(word, best) ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const guess = closest(word, candidates);
  return guess ? `; did you mean '${guess}'?` : '';
}
