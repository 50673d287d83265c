// Libraries written in the scenario language that every scenario may call (the Linux prelude). They are embedded
// as text so the bundle needs no files beside it.

import { SourceFile } from './source';

const LIBRARIES: { path: string; text: string }[] = [];

let cached: SourceFile[] | undefined;

export function preludeFiles(): SourceFile[] {
  cached ??= LIBRARIES.map((l) => new SourceFile(l.path, l.text));
  return cached;
}
