// Reading a scenario from disk and checking it together with the libraries every scenario can call.

import { check, CheckResult } from '../lang/checker';
import { SourceFile } from '../lang/source';
import { TIME_UNITS } from '../lang/lexer';
import { UsageError } from './errors';
import { preludeFiles } from '../lang/prelude';
import { readScenarioFile } from './files';

/** The scenario checked with the prelude, and its text (whose hash a replay file records). */
export function loadScenario(path: string): CheckResult & { text: string } {
  const text = readScenarioFile(path);
  return { ...check([new SourceFile(path, text), ...preludeFiles()]), text };
}

/** `10ms`, `2s`, `500us`, `1000` (ns) -> nanoseconds. */
export function parseTime(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s)?$/.exec(text.trim());
  if (!m) throw new UsageError(`'${text}' is not a time (write it like 10ms, 500us, 2s)`);
  const scale = Number(TIME_UNITS[m[2] ?? 'ns']);
  return Math.round(Number(m[1]) * scale);
}

export function parseIntArg(name: string, text: string | undefined): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new UsageError(`${name} needs a non-negative integer`);
  return Number(text);
}
