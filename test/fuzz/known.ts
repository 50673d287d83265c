// Known bugs: what each finding is, by what its shrunk input and message show, so that the mocha fuzz test can
// tolerate the ones being fixed now and fail on anything new. When a fix lands, drop its category from KNOWN_FAILING
// (or run with FUZZ_STRICT=1 to fail on every finding, known or not).

import type { Finding } from './campaign';

export interface Category {
  id: string;
  description: string;
  matches(f: Finding, text: string): boolean;
}

export const CATEGORIES: Category[] = [
  {
    id: 'deep-nesting',
    description: 'deep nesting (blocks, parentheses, unary operators, nested JSON in a replay) overflows the stack',
    matches: (f) => /Maximum call stack|stack overflow/i.test(f.message),
  },
  {
    id: 'line-endings',
    description:
      'CR and CRLF line endings: the server counts lines at LF only (a range ends between CR and LF, or past a lone CR)',
    matches: (f, text) =>
      (/\r/.test(text) || /CR line ends/.test(f.message)) &&
      (f.kind === 'invariant' || f.kind === 'crash') &&
      f.target !== 'dap',
  },
  {
    id: 'bom',
    description: 'a byte order mark shifts columns or is taken for text',
    matches: (f, text) => text.includes('\ufeff') && f.kind !== 'hang',
  },
  {
    id: 'formatter-regex',
    description: 'formatting is quadratic in a run of white space',
    matches: (f, text) => f.kind === 'hang' && /[ \t]{500,}/.test(text),
  },
  {
    id: 'formatter-deep-indent',
    description:
      'formatting thousands of nested blocks indents each line by its depth: a 50 KB file becomes 64 MB (and the next request on it takes seconds)',
    matches: (f, text) =>
      f.target === 'formatter' &&
      (/grows the text/.test(f.message) || (f.kind === 'hang' && /(?:\{[^{}]*){500,}/.test(text))),
  },
  {
    id: 'did-you-mean',
    description: '"did you mean" is unbounded on a long unknown name',
    matches: (f, text) => f.kind === 'hang' && /[A-Za-z_][\w.]{500,}/.test(text),
  },
  {
    id: 'file-limits',
    description: 'reading a file with no size limit (a replay naming /dev/zero or /proc)',
    matches: (f) => f.target === 'replay-cli' && /\/dev\/|\/proc\//.test(f.sent ?? ''),
  },
  {
    id: 'replay-unchecked',
    description:
      '`sflow run --replay` follows a replay file without `steps` (an older file, or the field deleted) to the end of the run without saying its path is not checked, though it ends elsewhere',
    matches: (f) => f.target === 'replay-cli' && /run without a word about it/.test(f.message),
  },
  {
    id: 'dap-arguments',
    description:
      "the adapter: a malformed frame logged with JavaScript's message on the debug console; an error message quoting a whole argument (20,000 characters)",
    matches: (f) =>
      f.target === 'dap' &&
      (/malformed message|Error handling data/.test(f.message) || /an error message of \d+ characters/.test(f.message)),
  },
  {
    id: 'codeaction-client-fixes',
    description:
      "textDocument/codeAction turns the fixes in a diagnostic's data, as the client sent them, into edits without checking them against the document",
    matches: (f) => f.target === 'lsp' && /^textDocument\/codeAction: range /.test(f.message),
  },
];

/**
 * Categories the mocha fuzz test tolerates today: each was found by the full campaign, is reported, and is being
 * fixed (or waits for a decision); drop it here when the fix lands, so that it can never come back. The other
 * categories above were found by earlier campaigns and are fixed in the tree: finding one again fails the test.
 */
/** Every category found so far is fixed: any finding fails the test. */
export const KNOWN_FAILING: string[] = [];

export function categorize(f: Finding): string | undefined {
  const text = (f.shrunk ?? f.input)?.text ?? f.sent ?? '';
  return CATEGORIES.find((c) => c.matches(f, text))?.id;
}

/**
 * Findings the mocha test fails on: every one outside the known-failing categories (all of them with FUZZ_STRICT=1).
 * A protocol request that was answered, only late, is left out unless strict: on a machine busy with other work a
 * cheap request can take seconds, while one never answered is always a finding.
 */
export function fresh<F extends { category?: string; kind: string; message: string }>(findings: F[]): F[] {
  if (process.env.FUZZ_STRICT === '1') return findings;
  return findings.filter(
    (f) =>
      (!f.category || !KNOWN_FAILING.includes(f.category)) &&
      !(f.kind === 'hang' && /answered after \d+ ms|took \d+ ms/.test(f.message)),
  );
}
