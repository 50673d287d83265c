// Reading the files a user names (scenarios, replay files) safely: only regular files (after following symlinks),
// never more than a limit, never blocking on a FIFO or a device, and errors that say what is wrong in one line
// without quoting the file. The CLI reads every file through here; so can the debug adapter (nodeHost.readFile).
//
//   readScenarioFile(path)                              a scenario: a name ending in .sflow, 16 MiB at most
//   readTextFile(path, { what: 'replay file' })         16 MiB at most
//   readTextFile(path, { what: 'scenario', maxBytes })  any other limit
//
// Returns the text (UTF-8, a leading byte order mark dropped) or throws a FileError whose message is one line:
//   `no such file: PATH`, `PATH is a directory, not a scenario file`, `PATH is a FIFO, not a replay file`,
//   `PATH is too large for a scenario (more than 16 MiB)`, `PATH is not UTF-8 text (at byte N)`,
//   `cannot read PATH: EACCES` (the system's error code, never the file's text).

import * as fs from 'fs';
import { formatBytes, shownPath } from './text';

/** The most a scenario may hold. */
export const SCENARIO_MAX_BYTES = 16 * 1024 * 1024;
/** The most a replay file may hold. */
export const REPLAY_MAX_BYTES = 16 * 1024 * 1024;

export interface ReadOptions {
  /** what the file should be, for the messages: 'scenario', 'replay file' */
  what: string;
  /** the limit; by default SCENARIO_MAX_BYTES for a scenario, REPLAY_MAX_BYTES otherwise */
  maxBytes?: number;
}

/** A file that cannot be read as asked; the message is one line and quotes nothing from the file. */
export class FileError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'FileError';
  }
}

function kindOf(stat: fs.Stats): string | undefined {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return undefined;
}

const CHUNK = 64 * 1024;

/** A scenario's name ends in .sflow: anything else is not read as one (its diagnostics would quote its text). */
export function isScenarioName(file: string): boolean {
  return /\.sflow$/i.test(file);
}

/**
 * The text of a scenario: a regular file whose name ends in .sflow, of at most SCENARIO_MAX_BYTES; a FileError
 * otherwise (`PATH is not a scenario (a scenario's name ends in .sflow)`, or readTextFile's).
 */
export function readScenarioFile(file: string): string {
  if (!isScenarioName(file))
    throw new FileError(`${shownPath(file)} is not a scenario (a scenario's name ends in .sflow)`, file);
  return readTextFile(file, { what: 'scenario', maxBytes: SCENARIO_MAX_BYTES });
}

/** The text of a regular file of at most `maxBytes`, or a FileError. */
export function readTextFile(file: string, options: ReadOptions): string {
  const what = options.what;
  const maxBytes = options.maxBytes ?? (what === 'scenario' ? SCENARIO_MAX_BYTES : REPLAY_MAX_BYTES);
  const shown = shownPath(file);
  const fail = (message: string, code?: string): never => {
    throw new FileError(message, file, code);
  };
  const systemError = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(`no such file: ${shown}`, code);
    if (code === 'ELOOP') return fail(`${shown} is a symlink loop`, code);
    return fail(`cannot read ${shown}: ${code ?? (e as Error).message}`, code);
  };
  const refuse = (stat: fs.Stats) => {
    if (!stat.isFile()) {
      const kind = kindOf(stat);
      fail(kind ? `${shown} is ${kind}, not ${article(fileKind(what))}` : `${shown} is not a regular file`);
    }
    if (stat.size > maxBytes) fail(`${shown} is too large for ${article(what)} (more than ${formatBytes(maxBytes)})`);
  };

  // Look before opening: opening a FIFO would wait for a writer, and a device may never end.
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    return systemError(e);
  }
  refuse(stat);

  // O_NONBLOCK: should the path have become a FIFO since, opening it does not wait. Checked again on the open file.
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return systemError(e);
  }
  try {
    refuse(fs.fstatSync(fd));
    // Read to the end but never past the limit: some files (/proc) report no size, others grow while read.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      let n: number;
      try {
        n = fs.readSync(fd, buffer, 0, buffer.length, null);
      } catch (e) {
        return systemError(e);
      }
      if (n === 0) break;
      chunks.push(n === buffer.length ? buffer : buffer.subarray(0, n));
      total += n;
      if (total > maxBytes) fail(`${shown} is too large for ${article(what)} (more than ${formatBytes(maxBytes)})`);
    }
    return decodeUtf8(Buffer.concat(chunks, total), file);
  } finally {
    fs.closeSync(fd);
  }
}

/** 'scenario' -> 'scenario file'; 'replay file' stays. */
function fileKind(what: string): string {
  return /\bfile$/.test(what) ? what : `${what} file`;
}

function article(what: string): string {
  return /^[aeiou]/i.test(what) ? `an ${what}` : `a ${what}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** UTF-8 to text, a byte order mark dropped; invalid UTF-8 is an error naming the first bad byte, not showing it. */
function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new FileError(`${shownPath(file)} is not UTF-8 text (at byte ${firstInvalidUtf8(bytes)})`, file);
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    if (length > 1) {
      const valid = new TextDecoder('utf-8', { fatal: true });
      try {
        valid.decode(bytes.subarray(i, i + length));
      } catch {
        return i;
      }
    }
    i += length;
  }
  return i;
}
