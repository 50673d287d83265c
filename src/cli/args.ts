// Reading a command line: `--flag value`, `--flag=value`, bare switches, and one scenario file. Each command says
// which flags it takes; the flags several commands share (which run to make) are read here once.

import { UsageError } from './errors';
import { parseIntArg, parseTime } from './load';
import { DEFAULT_MAX_OUTPUT, DEFAULT_MAX_SECONDS, DEFAULT_MAX_STEPS, parseSeconds, parseSize } from './bounds';

/** Answers a flag: `value()` takes the flag's value (inline or the next word); false means "not mine". */
export type FlagReader = (flag: string, value: () => string | undefined) => boolean;

/** Walks the arguments; returns the one positional argument (the scenario), if any. */
export function readArgs(command: string, args: string[], read: FlagReader): string | undefined {
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag.startsWith('-')) {
      if (!read(flag, value)) throw new UsageError(`unknown option ${a}`);
      continue;
    }
    if (file) throw new UsageError(`${command} takes one scenario file (got ${file} and ${a})`);
    file = a;
  }
  return file;
}

/** A flag's value, which must be there. */
export function required(flag: string, v: string | undefined, what = 'a value'): string {
  if (v === undefined || v === '') throw new UsageError(`${flag} needs ${what}`);
  return v;
}

export interface RunFlags {
  seed: number;
  until?: number;
  maxSteps: number;
  /** wall-clock seconds, 0 for none */
  maxSeconds: number;
  /** bytes of output, 0 for none */
  maxOutput: number;
}

/** The bounds a run has unless the command line says otherwise. */
export function defaultRunFlags(): RunFlags {
  return { seed: 0, maxSteps: DEFAULT_MAX_STEPS, maxSeconds: DEFAULT_MAX_SECONDS, maxOutput: DEFAULT_MAX_OUTPUT };
}

/**
 * `--seed N`, `--until TIME`, `--max-steps N`, `--max-seconds S`, `--max-output SIZE`: how a run is made and
 * bounded, for run and export.
 */
export function runFlag(options: Partial<RunFlags>): FlagReader {
  return (flag, value) => {
    switch (flag) {
      case '--seed':
        options.seed = parseIntArg('--seed', value());
        return true;
      case '--until':
        options.until = parseTime(required('--until', value(), 'a time'));
        return true;
      case '--max-steps':
        options.maxSteps = parseIntArg('--max-steps', value());
        return true;
      case '--max-seconds':
        options.maxSeconds = parseSeconds('--max-seconds', value());
        return true;
      case '--max-output':
        options.maxOutput = parseSize('--max-output', value());
        return true;
      default:
        return false;
    }
  };
}
