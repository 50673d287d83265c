// Text from a scenario (log strings, expectation messages, names, source excerpts) and from the file system (file
// names) in the CLI's line-oriented output. A scenario must never make a line of its own: tools read these lines
// (`replay: FILE`, `-- ...: PASS`, `PASS  file`), so a newline in a log string would forge one. Everything printed
// goes through printable(): line breaks and control characters become visible escapes; other text is left alone.

/**
 * C0 controls (newline, carriage return, escape, ...), DEL, C1 controls (U+0085 NEL among them), the Unicode line
 * and paragraph separators, and the bidirectional overrides and isolates, which reorder what a terminal shows.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with newlines and control characters as visible escapes (`\n`, `\r`, `\t`, `\x1b`, `\u2028`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A path (or any name) for a message: printable, and at most about 300 characters (the middle left out). */
export function shownPath(text: string): string {
  const shown = printable(text);
  return shown.length <= 300
    ? shown
    : `${shown.slice(0, 200)}...(${shown.length - 280} characters)...${shown.slice(-80)}`;
}

/** A size in bytes as a person writes it: `64 MiB`, `10 KiB`, `100 bytes`. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1 << 30],
    ['MiB', 1 << 20],
    ['KiB', 1 << 10],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  for (const [unit, size] of [
    ['GiB', 1 << 30],
    ['MiB', 1 << 20],
    ['KiB', 1 << 10],
  ] as const) {
    if (bytes >= size) return `${(bytes / size).toFixed(1)} ${unit}`;
  }
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}
