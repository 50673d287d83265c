// `explore [{ max_states N; depth N; until TIME; skew TIME }]`: the declaration that makes `sflow test` explore a
// scenario's
// interleavings instead of running it once, and the bounds it may give. One row per member: the checker reads
// the names and value kinds, completion, hover and docs/reference.md read the same descriptions.

import type { ExploreDeclaration } from '../program';

export interface ExploreBound {
  /** as written in the block */
  name: string;
  /** where the checker puts the value in Program.explore */
  field: Exclude<keyof ExploreDeclaration, 'loc'>;
  /** a positive integer, or a positive time with a unit */
  value: 'count' | 'time';
  /** what the value looks like, for messages and completion */
  example: string;
  doc: string;
  /** left out of the `explore` snippet: a bound that changes what is explored, to be asked for on purpose */
  notInSnippet?: true;
}

/** What the declaration means (hover on `explore`, its completion item, the reference). */
export const EXPLORE_DOC =
  "`sflow test` explores this scenario's interleavings instead of running it once: every instant of each host " +
  'window `at A..B:`, every order of events due at the same instant, and every VMM answer a VM lists as ' +
  'alternatives (`on EVENT: A | B`), checking expectations and invariants on each path. A bare `explore` uses the ' +
  "CLI's default bounds; the CLI's flags override the bounds given here.";

export const EXPLORE_BOUNDS: readonly ExploreBound[] = [
  {
    name: 'max_states',
    field: 'maxStates',
    value: 'count',
    example: '200000',
    doc: 'stop after this many distinct states',
  },
  {
    name: 'depth',
    field: 'depth',
    value: 'count',
    example: '40',
    doc: 'branch at most this many times along one path; deeper, a path follows the default schedule',
  },
  { name: 'until', field: 'until', value: 'time', example: '600ms', doc: 'end each path at this virtual time' },
  {
    name: 'skew',
    field: 'skew',
    value: 'time',
    example: '2us',
    doc: 'let a vCPU run up to this much ahead of another that is due first, so vCPUs interleave beyond exact ties (as if their statements took a little more or less time); turns the partial-order reduction off',
    notInSnippet: true,
  },
];

export function lookupExploreBound(name: string): ExploreBound | undefined {
  return EXPLORE_BOUNDS.find((b) => b.name === name);
}

/** `a positive integer` / `a positive time such as 600ms`: what a bound's value must be. */
export function exploreValueText(bound: ExploreBound): string {
  return bound.value === 'count' ? 'a positive integer' : `a positive time such as ${bound.example}`;
}
