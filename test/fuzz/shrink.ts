// Shrinking a failing input (delta debugging): drop chunks of lines, then of characters, then simplify characters,
// keeping every step that still fails the same way, within a budget of evaluations and time. The predicate runs the
// candidate (in a worker, with a time limit), so a candidate that hangs costs one limit, not the campaign.

import { Input } from './inputs';

export type StillFails = (input: Input) => Promise<boolean>;

export interface ShrinkBudget {
  evaluations: number;
  ms: number;
}

/** Pieces of a text to try removing: lines (with their line ends) or single characters. */
function split(text: string, unit: 'line' | 'char'): string[] {
  if (unit === 'char') return [...text];
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

async function ddmin(
  parts: string[],
  test: (candidate: string) => Promise<boolean>,
  budget: () => boolean,
): Promise<string[]> {
  let n = 2;
  while (parts.length >= 2 && budget()) {
    const size = Math.ceil(parts.length / n);
    let reduced = false;
    for (let start = 0; start < parts.length && budget(); start += size) {
      const candidate = [...parts.slice(0, start), ...parts.slice(start + size)];
      if (await test(candidate.join(''))) {
        parts = candidate;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= parts.length) break;
      n = Math.min(parts.length, n * 2);
    }
  }
  return parts;
}

/** A smaller input that still fails, and how many evaluations it took. */
export async function shrink(
  input: Input,
  stillFails: StillFails,
  budget: ShrinkBudget,
): Promise<{ input: Input; evaluations: number }> {
  const deadline = Date.now() + budget.ms;
  let evaluations = 0;
  const more = () => evaluations < budget.evaluations && Date.now() < deadline;
  let best = input;
  const seen = new Set<string>();
  const test = (make: (text: string) => Input) => async (text: string) => {
    const candidate = make(text);
    const key = `${candidate.text}\u0000${candidate.before ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    evaluations++;
    const fails = await stillFails(candidate);
    if (fails) best = candidate;
    return fails;
  };
  for (const field of ['text', 'before'] as const) {
    if (best[field] === undefined) continue;
    const make = (text: string): Input => ({ ...best, [field]: text });
    // Long runs of one character first: halve them while they still fail (a line of 50,000 spaces).
    for (let changed = true; changed && more();) {
      changed = false;
      const m = /(.)\1{63,}/s.exec(best[field]!);
      if (m) {
        const t = best[field]!;
        const half = t.slice(0, m.index) + m[1].repeat(Math.floor(m[0].length / 2)) + t.slice(m.index + m[0].length);
        changed = await test(make)(half);
      }
    }
    for (const unit of ['line', 'char'] as const) {
      if (!more()) break;
      const parts = split(best[field]!, unit);
      if (unit === 'char' && parts.length > 4000) continue;
      await ddmin(parts, test(make), more);
    }
  }
  return { input: best, evaluations };
}
