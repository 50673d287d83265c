// Libraries written in the scenario language that every scenario may call (the Linux prelude, lib/linux.sflow).
// They are embedded as text (src/lang/prelude-text.ts, generated) so no layer needs to read files to use them.

import { PRELUDE_SOURCES } from './prelude-text';
import { SourceFile } from './source';

let cached: SourceFile[] | undefined;

export function preludeFiles(): SourceFile[] {
  cached ??= PRELUDE_SOURCES.map((l) => new SourceFile(l.path, l.text));
  return cached;
}
