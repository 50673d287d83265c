// `sflow`: runs and checks suspend-flow scenarios headless.
//
//   sflow run FILE [--seed N] [--until TIME] [--max-steps N] [--max-seconds S] [--max-output SIZE] [--format text|json]
//   sflow check FILE...
//   sflow explore FILE [options]
//   sflow test [PATHS...] [--junit FILE]
//   sflow export FILE [--format perfetto|json]
//
// Exit codes: 0 every expectation held; 1 an expectation failed, a vCPU faulted, or the run hung or hit a limit;
// 2 the scenario has errors (or the command line is wrong, a file cannot be read, a replay departs from its
// recording). Errors never print a stack trace; only a wrong command line prints the usage.

import { runCommand } from './run';
import { checkCommand } from './check';
import { exportCommand } from './export';
import { exploreCommand, runExploreJob, WorkerJob } from './explore';
import { testCommand } from './test';
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { UsageError } from './errors';
import { Io } from './io';
import { printable } from './text';

export const USAGE = `usage:
  sflow run FILE [--seed N] [--until TIME] [--max-steps N] [--max-seconds S] [--max-output SIZE] [--format text|json]
  sflow check FILE...
  sflow run [FILE] --replay REPLAY.json
  sflow explore FILE [--all] [--max-states N] [--depth N] [--until TIME] [--time TIME] [--skew TIME] [--seed N]
                     [--no-reduction] [--shard I/N] [--workers K] [--out DIR] [--results FILE.json]
                     [--progress|--no-progress]
  sflow test [PATHS...] [--junit FILE]
  sflow export FILE [--format perfetto|json] [--seed N] [--until TIME] [--max-steps N] [--max-seconds S]
                    [--max-output SIZE] [--out FILE]

  run     runs the scenario and prints its timeline (text: one line per event; json: the trace, written as the
          run goes); a run stops at --until, after --max-steps units (default 50,000,000), --max-seconds of wall
          clock (default 60, 0 for none) or --max-output of output (default 64M, 0 for none);
          --replay follows a path explore wrote, stops where explore stopped it and checks it is that path
  check   prints diagnostics as file:line:col: severity: message
  explore tries every interleaving the scenario allows (windows, same-instant order, VMM alternatives) and
          checks every path; each problem is printed and written as a replay file (--out, default .);
          --results writes a JSON summary naming them; --workers is at most the number of CPUs
  test    runs every scenario under PATHS (default: examples), exploring those that declare \`explore\`;
          one line each, then N passed, N failed
  export  writes the timeline as Chrome trace-event JSON for Perfetto (ui.perfetto.dev) or as the run's JSON

scenarios are files whose name ends in .sflow, at most 16 MiB; replay files at most 16 MiB

exit codes: 0 ok, 1 an expectation failed, an invariant broke, the run hung or hit a bound, or explore found a
problem, 2 the scenario has errors, the command line is wrong, a file cannot be read or a replay departs from its
recording`;

export function main(argv: string[], io: Io): number | Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return runCommand(rest, io);
      case 'check':
        return checkCommand(rest, io);
      case 'explore':
        return exploreCommand(rest, io).catch((e: unknown) => failure(e, io));
      case 'test':
        return testCommand(rest, io).catch((e: unknown) => failure(e, io));
      case 'export':
        return exportCommand(rest, io);
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
    return failure(e, io);
  }
}

function failure(e: unknown, io: Io): number {
  // The usage helps with a wrong command line only; any other problem is one line.
  if (e instanceof UsageError) {
    io.err(`sflow: ${printable(e.message)}\n${USAGE}`);
    return 2;
  }
  io.err(`sflow: ${printable(e instanceof Error ? e.message : String(e))}`);
  return 2;
}

if (!isMainThread && (workerData as WorkerJob | undefined)?.kind === 'sflow-explore') {
  // A worker thread of `sflow explore --workers K`: one shard, the result posted back.
  parentPort!.postMessage(runExploreJob(workerData as WorkerJob, (p) => parentPort!.postMessage({ progress: p })));
} else if (require.main === module) {
  const io: Io = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };
  void Promise.resolve(main(process.argv.slice(2), io)).then((code) => {
    // Let stdout drain before exiting (large timelines piped to another program).
    process.stdout.write('', () => process.exit(code));
  });
}
