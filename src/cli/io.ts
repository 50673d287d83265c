// Where a command writes: standard output and standard error, or a test's capture of them.

export interface Io {
  out(text: string): void;
  err(text: string): void;
}
