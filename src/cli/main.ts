// `sflow`: runs and checks suspend-flow scenarios headless.
//
//   sflow run FILE [--seed N] [--until TIME] [--max-steps N] [--format text|json]
//   sflow check FILE...
//
// Exit codes: 0 every expectation held; 1 an expectation failed, a vCPU faulted, or the run hung or hit a limit;
// 2 the scenario has errors (or the command line is wrong). Errors never print a stack trace.

import { runCommand } from './run';
import { checkCommand } from './check';

export const USAGE = `usage:
  sflow run FILE [--seed N] [--until TIME] [--max-steps N] [--format text|json]
  sflow check FILE...

  run     runs the scenario and prints its timeline (text: one line per event; json: the trace)
  check   prints diagnostics as file:line:col: severity: message

exit codes: 0 ok, 1 an expectation failed or the run hung, 2 the scenario has errors`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export class UsageError extends Error {}

export function main(argv: string[], io: Io): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return runCommand(rest, io);
      case 'check':
        return checkCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sflow: ${e.message}\n${USAGE}`);
      return 2;
    }
    io.err(`sflow: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

if (require.main === module) {
  const io: Io = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };
  const code = main(process.argv.slice(2), io);
  // Let stdout drain before exiting (large timelines piped to another program).
  process.stdout.write('', () => process.exit(code));
}
