// The debug adapter: a thin translation between the Debug Adapter Protocol and the simulator. Threads are the host
// and every vCPU; stops come from the run engine's probes; time travel is the Timeline's. File access is injected,
// so the same session runs inline in the extension host, as an executable over stdio, and as a TCP server.

import {
  ContinuedEvent,
  DebugSession,
  ErrorDestination,
  Handles,
  InitializedEvent,
  InvalidatedEvent,
  MemoryEvent,
  OutputEvent,
  ProgressEndEvent,
  ProgressStartEvent,
  Source,
  StoppedEvent,
  TerminatedEvent,
  ExitedEvent,
  Thread,
} from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { check, compileExpression } from '../lang/checker';
import { formatDiagnostic, hasErrors } from '../lang/diagnostics';
import { preludeFiles } from '../lang/prelude';
import { Program } from '../lang/program';
import { SourceFile } from '../lang/source';
import { stateCompletions } from '../lang/state-paths';
import { constantNames } from '../lang/domain/constants';
import { TIME_UNITS } from '../lang/lexer';
import { Timeline, HOST_THREAD } from '../sim/timeline';
import {
  BackwardScan,
  Hit,
  Probe,
  isStatement,
  nextStatementProbe,
  runForward,
  stepBackScan,
  stepProbe,
} from '../sim/debug/engine';
import { LineIndex } from '../sim/debug/lines';
import { EXCEPTION_FILTERS, ExceptionHit, FilterOption, enabledExceptions } from '../sim/debug/exceptions';
import { memoryDataId } from '../sim/debug/watch';
import { describeEvent, eventSource, formatTime } from '../sim/describe-event';
import {
  StateNode,
  machineTree,
  namedStateNode,
  registersNode,
  powerNode,
  interruptsNode,
  devicesNode,
} from '../sim/inspect';
import { Breakpoints } from './breakpoints';
import { formatResult, parseNumber, setStateValue, stateWriter } from './values';
import { checkArguments } from './requests';
import { isScenarioName } from '../cli/files';
import { configBytes, peekPhysical, pokeRam } from '../sim/devices/registry';
import { inlineValues } from '../sim/debug/inline-values';
import { StackFrameInfo, callFrame, callFrameParams, stack } from '../sim/debug/stack';
import { CONSOLE_COMMANDS, consoleCommand } from '../sim/debug/console';
import { TimelineLog } from '../sim/debug/history';
import { initialLaneStates, timelineLanes, vcpuLane } from '../sim/debug/timeline-events';
import { judge, Verdict } from '../sim/verdict';
import { parseReplay, ReplayCheck, ReplayFile, replayOptions, scenarioHash, uncheckable } from '../sim/explore/replay';

export interface AdapterHost {
  /** a scenario's or a replay file's text; throws an error whose message says what is wrong without quoting the file */
  readFile(path: string, what: 'scenario' | 'replay file'): string;
  /** where the prelude's sources live on disk, so the editor can open them; undefined to serve them as text */
  libraryDir?: string;
  /**
   * A URI prefix under which the editor shows the prelude read-only (`sflow-prelude:/`, served by the language
   * server): frames and breakpoints in the prelude use `${libraryUri}linux.sflow` instead of the file on disk.
   */
  libraryUri?: string;
  fileExists(path: string): boolean;
  resolvePath(path: string): string;
  /** called after a long run, when the heap is full of the garbage replaying made: a chance to give memory back */
  afterLongRun?(): void;
  /** the client sent something (the adapter process uses it to collect garbage when the client goes quiet) */
  onActivity?(): void;
}

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  program: string;
  seed?: number;
  stopOnEntry?: boolean;
  /** stop when virtual time reaches this (a number of ns or `50ms`) */
  until?: string | number;
  /** stop at the end of the scenario (default) so it can be stepped back through; false ends the session there */
  stopAtEnd?: boolean;
  /** a replay file from `sflow explore`: follow its path */
  replay?: string;
}

/**
 * A stop as the session reports it: a hit, with the few words for the thread's badge when they are not the reason's,
 * and whether its thread is shown even when it is the host's (a step the user made on the host).
 */
type StopHit = Hit & { label?: string; keepThread?: boolean };

/** The badge of a stop by its reason (VS Code upper-cases it next to the thread). */
const STOP_LABELS: Record<Hit['reason'], string> = {
  breakpoint: 'Breakpoint',
  'function breakpoint': 'Function breakpoint',
  'data breakpoint': 'Data breakpoint',
  exception: 'Exception',
  step: 'Step',
  entry: 'Entry',
  pause: 'Paused',
  goto: 'Moved',
};

/** Trace events the adapter keeps for the timeline view. */
const TIMELINE_EVENTS_KEPT = 200_000;

/** A run longer than this lets the host reclaim memory afterwards. */
const LONG_RUN_MS = 250;

/** Units run between looks at incoming requests (pause) during a long run. */
const RUN_CHUNK = 20_000;

/** The longest error message the adapter sends (they quote what the client sent: an expression, a command). */
const MAX_MESSAGE = 400;

/** Milliseconds a scan back through history runs before it looks at incoming requests (pause). */
const SCAN_SLICE_MS = 30;

export class SuspendFlowSession extends DebugSession {
  private timeline?: Timeline;
  private program?: Program;
  private lines?: LineIndex;
  private bps?: Breakpoints;
  private launchArgs?: LaunchArguments;
  private untilTime?: number;
  private readonly handles = new Handles<() => StateNode[]>();
  private running = false;
  private pauseRequested = false;
  /** the run in progress (chunks of an older run, cancelled by restart, terminate or disconnect, stop silently) */
  private runToken = 0;
  private atEnd = false;
  private lastThread = HOST_THREAD;
  private lastException?: ExceptionHit;
  /** the virtual time the current stop shows (see Hit.time) */
  private presentTime = 0;
  /** the timeline position of the current stop when it is an exception (the host's frame then shows the cause) */
  private exceptionAt?: number;
  /** the thread whose unit raised that exception (the host's, when its own suspend broke a rule) */
  private exceptionThread?: number;
  private clientLinesStartAt1 = true;
  private clientSupportsProgress = false;
  private clientSupportsInvalidated = false;
  private clientSupportsMemoryEvent = false;
  private progressId = 0;
  private pendingBreakpoints: (() => void)[] = [];

  constructor(private readonly host: AdapterHost) {
    super();
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
    // The base class shuts the adapter down on any 'error', including a message that is not JSON or not an object
    // ("Error handling data"). Such a message cannot be answered (it has no seq), but it must not end the session:
    // only a failing stream does.
    this.removeAllListeners('error');
    this.on('error', (e: { body?: unknown }) => {
      const what = String(e?.body ?? e);
      // Said in the adapter's own words: what JavaScript made of the message is for the adapter's stderr only.
      if (what.startsWith('Error handling data')) {
        console.error(`suspend-flow adapter: ${what}`);
        this.output('ignored a message that is not a DAP request, response or event', 'stderr');
      } else this.shutdown();
    });
  }

  // ------------------------------------------------------------------------------------------ plumbing

  /** Every request is answered: a request that throws gets an error response naming the problem. */
  /**
   * Every request is answered. Its arguments are checked against the protocol's types first (src/adapter/requests.ts):
   * a wrongly typed one gets a short message naming the field, and no handler sees it.
   */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const response: DebugProtocol.Response = {
      seq: 0,
      type: 'response',
      request_seq: request.seq,
      command: String(request.command),
      success: false,
    };
    if (typeof request.command !== 'string') {
      this.sendErrorResponse(response, { id: 1001, format: "a request needs a 'command'", showUser: false });
      return;
    }
    const problem = checkArguments(request.command, request.arguments);
    if (problem) {
      this.sendErrorResponse(response, { id: 1001, format: `${request.command}: ${problem}`, showUser: false });
      return;
    }
    // Arguments that are all optional may be left out: handlers then see none set.
    request.arguments ??= {};
    // The protocol's default path format is 'path'; the base class refuses a client that leaves it out.
    if (request.command === 'initialize')
      (request.arguments as DebugProtocol.InitializeRequestArguments).pathFormat ??= 'path';
    try {
      super.dispatchRequest(request);
    } catch (e) {
      this.sendErrorResponse(response, 1104, '', {
        _exception: e instanceof Error ? e.message : String(e),
        _stack: e instanceof Error ? e.stack : undefined,
      });
    }
  }

  /**
   * A handler that threw (a defect: arguments are checked before) is answered without its JavaScript message or
   * stack, which go to the adapter's own stderr for a bug report; the base class would send them to the client.
   */
  protected override sendErrorResponse(
    response: DebugProtocol.Response,
    codeOrMessage: number | DebugProtocol.Message,
    format?: string,
    variables?: { _exception?: string; _stack?: string },
    dest?: ErrorDestination,
  ): void {
    if (codeOrMessage === 1104) {
      console.error(
        `suspend-flow adapter: '${response.command}' failed: ${variables?._stack ?? variables?._exception ?? format}`,
      );
      super.sendErrorResponse(response, {
        id: 1104,
        format: `'${response.command}' could not be answered (an internal error of the adapter)`,
        showUser: false,
      });
      return;
    }
    // A message quotes what the client sent (a name, a command): never more than a line's worth of it.
    if (typeof codeOrMessage === 'object' && codeOrMessage.format.length > MAX_MESSAGE)
      codeOrMessage = { ...codeOrMessage, format: `${codeOrMessage.format.slice(0, MAX_MESSAGE - 1)}…` };
    super.sendErrorResponse(response, codeOrMessage as DebugProtocol.Message, format, variables, dest);
  }

  /**
   * Answers a request with an error. `quiet` errors are for what a person types or points at (a hover, a watch, the
   * debug console, Set Value): the client shows them where they were asked for, never as a notification.
   */
  private fail(response: DebugProtocol.Response, message: string, quiet = false): void {
    this.sendErrorResponse(response, { id: 2000, format: message, showUser: !quiet });
  }

  private requireTimeline(response: DebugProtocol.Response): Timeline | undefined {
    if (!this.timeline) {
      this.fail(response, 'no scenario is running: send launch first');
      return undefined;
    }
    if (this.running && !['pause', 'threads', 'disconnect', 'terminate'].includes(response.command)) {
      this.fail(response, `'${response.command}' needs the scenario stopped; it is running (send pause)`);
      return undefined;
    }
    return this.timeline;
  }

  /** The timeline and the simulator thread a request names, or an error response saying which is missing. */
  private requireThread(
    response: DebugProtocol.Response,
    threadId: number | undefined,
  ): { t: Timeline; thread: number } | undefined {
    const t = this.requireTimeline(response);
    if (!t) return undefined;
    const thread = this.simThread(threadId);
    if (thread === undefined) {
      this.fail(response, `no thread ${threadId}`);
      return undefined;
    }
    return { t, thread };
  }

  private dapThread(thread: number): number {
    return thread + 1;
  }

  private simThread(threadId: number | undefined): number | undefined {
    if (threadId === undefined || !this.timeline) return undefined;
    const t = threadId - 1;
    return t >= 0 && t < this.timeline.threads.length ? t : undefined;
  }

  private output(text: string, category: 'console' | 'stdout' | 'stderr' | 'important' = 'console'): void {
    this.sendEvent(new OutputEvent(text.endsWith('\n') ? text : text + '\n', category));
  }

  // ------------------------------------------------------------------------------------------ sources

  /** The editor's path for a source file of the program (the prelude lives beside the adapter). */
  private sourceFor(file: SourceFile): Source {
    if (file.path.startsWith('lib/')) {
      if (this.host.libraryUri) return new Source(file.path.slice(4), `${this.host.libraryUri}${file.path.slice(4)}`);
      const dir = this.host.libraryDir;
      const onDisk = dir ? `${dir}/${file.path.slice(4)}` : undefined;
      if (onDisk && this.host.fileExists(onDisk)) return new Source(file.path.slice(4), onDisk);
      const src = new Source(file.path.slice(4));
      src.sourceReference = 1 + preludeFiles().findIndex((f) => f.path === file.path);
      return src;
    }
    return new Source(file.path.split(/[\\/]/).pop() ?? file.path, file.path);
  }

  /** The program's name for a path the editor sent. */
  private simPath(path: string | undefined, sourceReference?: number): string | undefined {
    if (sourceReference) return preludeFiles()[sourceReference - 1]?.path;
    if (!path) return undefined;
    const uri = this.host.libraryUri;
    if (uri && path.startsWith(uri)) return `lib/${path.slice(uri.length)}`;
    const dir = this.host.libraryDir;
    if (dir && path.startsWith(dir + '/')) return `lib/${path.slice(dir.length + 1)}`;
    return this.host.resolvePath(path);
  }

  private dapLine(line: number): number {
    return this.clientLinesStartAt1 ? line + 1 : line;
  }

  private simLine(line: number): number {
    return this.clientLinesStartAt1 ? line - 1 : line;
  }

  // ------------------------------------------------------------------------------------------ lifecycle

  protected override initializeRequest(
    response: DebugProtocol.InitializeResponse,
    args: DebugProtocol.InitializeRequestArguments,
  ): void {
    this.clientLinesStartAt1 = args.linesStartAt1 !== false;
    this.clientSupportsProgress = !!args.supportsProgressReporting;
    this.clientSupportsInvalidated = !!args.supportsInvalidatedEvent;
    this.clientSupportsMemoryEvent = !!args.supportsMemoryEvent;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsBreakpointLocationsRequest: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsGotoTargetsRequest: true,
      supportsSetVariable: true,
      supportsEvaluateForHovers: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['.'],
      supportsExceptionInfoRequest: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsLoadedSourcesRequest: true,
      supportsValueFormattingOptions: false,
      supportsDelayedStackTraceLoading: true,
      supportsCancelRequest: false,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({
        filter: f.id,
        label: f.label,
        description: f.description,
        default: f.default,
        supportsCondition: f.conditionDescription !== undefined,
        conditionDescription: f.conditionDescription,
      })),
    };
    this.sendResponse(response);
  }

  /** the replay being followed, if the launch named one, and the check that it is followed */
  private replay?: ReplayFile;
  private replayCheck?: ReplayCheck;
  /** the session has stopped at (or past) the end of the recorded path, or where it left the recording */
  private replayEndShown = false;

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
    if (!this.begin(response, args)) return;
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  /** Loads the scenario the arguments name and starts a session on it (launch and restart); false after failing. */
  private begin(response: DebugProtocol.Response, args: LaunchArguments): boolean {
    const loaded = this.load(args);
    if ('error' in loaded) {
      this.fail(response, loaded.error);
      return false;
    }
    this.cancelRun();
    this.launchArgs = args;
    this.untilTime = loaded.until;
    this.replay = loaded.replay;
    this.startSession(loaded.program, args);
    return true;
  }

  /** Checks the launch arguments, reads the scenario and checks it with the prelude (launch and restart). */
  private load(args: LaunchArguments): { program: Program; until?: number; replay?: ReplayFile } | { error: string } {
    if (!args || typeof args !== 'object') return { error: "launch needs 'program': the path of a .sflow scenario" };
    let replay: ReplayFile | undefined;
    if (args.replay !== undefined) {
      if (typeof args.replay !== 'string' || args.replay === '')
        return { error: "'replay' is the path of a replay file written by sflow explore" };
      const replayPath = this.host.resolvePath(args.replay);
      let replayText: string;
      try {
        replayText = this.host.readFile(replayPath, 'replay file');
      } catch (e) {
        return { error: (e as Error).message };
      }
      const parsed = parseReplay(replayText);
      if ('error' in parsed) return { error: `${replayPath}: ${parsed.error}` };
      const unchecked = uncheckable(parsed);
      if (unchecked) return { error: `${replayPath}: ${unchecked}` };
      replay = parsed;
    }
    const programPath = typeof args.program === 'string' && args.program !== '' ? args.program : replay?.scenario;
    if (!programPath) return { error: "launch needs 'program': the path of a .sflow scenario" };
    let until: number | undefined;
    if (args.until !== undefined) {
      until = typeof args.until === 'number' ? args.until : parseTimeText(args.until);
      if (until === undefined) return { error: `'until' is a time such as 50ms, not '${args.until}'` };
    }
    const path = this.host.resolvePath(programPath);
    // Only a scenario is read as one: a diagnostic about any other file would quote what is in it.
    if (!isScenarioName(path)) return { error: `${path} is not a scenario (a scenario's name ends in .sflow)` };
    let text: string;
    try {
      text = this.host.readFile(path, 'scenario');
    } catch (e) {
      return { error: (e as Error).message };
    }
    const checked = check([new SourceFile(path, text), ...preludeFiles()]);
    if (hasErrors(checked.diagnostics)) {
      // Every error goes to the console in full; the answer names the first one, short, with where it is.
      const errors = checked.diagnostics.filter((d) => d.severity === 'error');
      for (const d of errors) this.output(formatDiagnostic(d), 'stderr');
      const first = errors[0];
      const at = first.file.position(first.span.start);
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
      return { error: `${baseName(first.file.path)}:${at.line + 1}:${at.character + 1}: ${first.message}${more}` };
    }
    if (replay) {
      if (replay.scenarioHash && replay.scenarioHash !== scenarioHash(text))
        this.output(
          `${path} changed since the replay was written: the path it records may lead elsewhere now\n`,
          'stderr',
        );
      this.output(
        `replaying ${replay.choices.length} choice${replay.choices.length === 1 ? '' : 's'} explore made; it found: ${replay.problems.join('; ') || 'no problem recorded'}\n`,
        'console',
      );
    }
    return { program: checked.program, until, replay };
  }

  private startSession(program: Program, args: LaunchArguments): void {
    this.program = program;
    const keep = this.bps;
    this.lines = new LineIndex(program);
    // A replay follows explore's path: open scheduling, with the recorded choice at each decision, checked as it goes
    // (src/sim/explore/replay.ts, as `sflow run --replay` checks it).
    const replay = this.replay;
    this.replayCheck = replay
      ? new ReplayCheck(replay, {
          onDeviation: (d) => this.output(`the replay leaves its recording: ${d.message}`, 'stderr'),
        })
      : undefined;
    this.replayEndShown = false;
    this.timeline = new Timeline(program, replay ? replayOptions(replay, this.replayCheck!) : { seed: args.seed ?? 0 });
    this.replayCheck?.attach(this.timeline.machine);
    this.bps = new Breakpoints(program, this.lines);
    if (keep) this.bps.exceptionFilters = keep.exceptionFilters;
    this.atEnd = false;
    this.timelineLog.clear();
    const timeline = this.timeline;
    this.timeline.onEvent((e) => {
      this.timelineLog.record(timeline, e);
      if (e.kind === 'log') this.output(`${eventSource(program, e)}: ${e.text}`, 'stdout');
      else if (e.kind === 'violation' || e.kind === 'expect.fail' || e.kind === 'fault')
        this.output(`${formatTime(e.t)} ${eventSource(program, e)}: ${describeEvent(e)}`, 'stderr');
    });
    for (const replay of this.pendingBreakpoints.splice(0)) replay();
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    if (!this.timeline) return;
    if (this.launchArgs?.stopOnEntry) this.stopAt({ reason: 'entry', thread: this.entryThread() });
    // Nothing has stopped yet: a breakpoint on the very first statement stops there.
    else this.run([], false);
  }

  private entryThread(): number {
    const t = this.timeline!;
    const unit = t.machine.peek();
    return this.focusThread(unit ? t.threadOfUnit(unit) : HOST_THREAD);
  }

  /**
   * The thread a stop shows: the thread the stop names when it is a vCPU; otherwise (the host, which has no code of
   * its own) the vCPU about to run, else the first vCPU with code, preferring the VM the stop is about. The host
   * only when no vCPU has anything to show.
   */
  private focusThread(thread: number, vm?: number): number {
    const t = this.timeline!;
    if (t.threads[thread]?.vm >= 0) return thread;
    const vcpus = t.threads.map((_, i) => i).filter((i) => i !== HOST_THREAD);
    const inVm = vm === undefined ? vcpus : vcpus.filter((i) => t.threads[i].vm === vm);
    const next = t.machine.peek();
    const nextThread = next?.kind === 'vcpu' ? t.threadOfUnit(next) : undefined;
    if (nextThread !== undefined && inVm.includes(nextThread)) return nextThread;
    const hasCode = (i: number) => {
      const ref = t.threads[i];
      const v = t.machine.state.vms[ref.vm].vcpus[ref.vcpu];
      return v.run !== 'off' && v.pc >= 0 && v.stack.length > 0;
    };
    return inVm.find(hasCode) ?? vcpus.find(hasCode) ?? thread;
  }

  /**
   * Starts over: the scenario is read and checked again (the user restarts after editing it), with the launch
   * configuration the client sends (or the one launched with), and every breakpoint carried over with its id.
   */
  protected override restartRequest(
    response: DebugProtocol.RestartResponse,
    args: DebugProtocol.RestartArguments,
  ): void {
    if (!this.program || !this.launchArgs) {
      this.fail(response, 'nothing to restart: launch first');
      return;
    }
    const given = args?.arguments as LaunchArguments | undefined;
    const launchArgs =
      given && typeof given === 'object' && (typeof given.program === 'string' || typeof given.replay === 'string')
        ? given
        : this.launchArgs;
    // A new launch configuration is checked as launch's arguments are.
    const problem = checkArguments('launch', launchArgs);
    if (problem) {
      this.fail(response, `restart: ${problem}`);
      return;
    }
    const previous = this.bps;
    if (!this.begin(response, launchArgs)) return;
    if (previous) this.bps!.carryOver(previous, this.timeline!.machine);
    this.sendResponse(response);
    if (launchArgs.stopOnEntry) this.stopAt({ reason: 'entry', thread: this.entryThread() });
    else this.run([], false);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.cancelRun();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.cancelRun();
    this.sendResponse(response);
  }

  /** Abandons a run in progress: its remaining chunks do nothing and it sends no stopped event. */
  private cancelRun(): void {
    this.runToken++;
    this.running = false;
    this.pauseRequested = false;
  }

  // ------------------------------------------------------------------------------------------ breakpoints

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    const path = this.simPath(args?.source?.path, args?.source?.sourceReference);
    if (!path) {
      this.fail(response, 'setBreakpoints needs a source with a path');
      return;
    }
    const requested = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    if (!this.bps) {
      response.body = {
        breakpoints: requested.map((r) => ({
          verified: false,
          line: r.line,
          message: 'the scenario is not loaded yet',
        })),
      };
      this.sendResponse(response);
      return;
    }
    response.body = {
      breakpoints: this.bps.setLineBreakpoints(
        path,
        requested,
        (l) => this.dapLine(l),
        (l) => this.simLine(l),
      ),
    };
    for (const b of response.body.breakpoints) if (b.verified) b.source = args.source;
    this.sendResponse(response);
  }

  protected override breakpointLocationsRequest(
    response: DebugProtocol.BreakpointLocationsResponse,
    args: DebugProtocol.BreakpointLocationsArguments,
  ): void {
    const path = this.simPath(args?.source?.path, args?.source?.sourceReference);
    if (!path || !this.lines || typeof args.line !== 'number') {
      response.body = { breakpoints: [] };
      this.sendResponse(response);
      return;
    }
    const from = this.simLine(args.line);
    const to = args.endLine !== undefined ? this.simLine(args.endLine) : from;
    response.body = { breakpoints: this.lines.linesIn(path, from, to).map((l) => ({ line: this.dapLine(l) })) };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): void {
    if (!this.bps) {
      this.fail(response, 'no scenario is running: send launch first');
      return;
    }
    response.body = { breakpoints: this.bps.setFunctionBreakpoints(args?.breakpoints ?? []) };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    // Clients that know filter options send the enabled filters there (with their conditions), the others in `filters`.
    const options: FilterOption[] = [
      ...(Array.isArray(args?.filters) ? args.filters : []).map((f) => ({ filterId: String(f) })),
      ...(Array.isArray(args?.filterOptions) ? args.filterOptions : []).map((o) => ({
        filterId: String(o?.filterId),
        condition: typeof o?.condition === 'string' ? o.condition : undefined,
      })),
    ];
    const { enabled, results } = enabledExceptions(options);
    const apply = () => {
      this.bps!.exceptionFilters = enabled;
    };
    if (this.bps) apply();
    else this.pendingBreakpoints.push(apply);
    response.body = { breakpoints: results };
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(
    response: DebugProtocol.DataBreakpointInfoResponse,
    args: DebugProtocol.DataBreakpointInfoArguments,
  ): void {
    const t = this.timeline;
    if (!t || !args || typeof args.name !== 'string') {
      response.body = { dataId: null, description: 'no scenario is running' };
      this.sendResponse(response);
      return;
    }
    if (args.asAddress) {
      const address = parseNumber(args.name);
      const vm = this.vmOfThread(this.lastThread);
      if (address === undefined) response.body = { dataId: null, description: `'${args.name}' is not an address` };
      else {
        const bytes = Math.min(8, Math.max(1, args.bytes ?? 4));
        response.body = {
          dataId: memoryDataId(t.machine.vmConfig(vm).name, address, bytes),
          description: `${bytes} bytes at 0x${address.toString(16)}`,
          accessTypes: ['write', 'readWrite'],
        };
      }
      this.sendResponse(response);
      return;
    }
    const node = args.variablesReference
      ? this.handles
          .get(args.variablesReference)?.()
          .find((n) => n.name === args.name)
      : undefined;
    const path = node?.path ?? (args.variablesReference ? undefined : args.name);
    if (!path || !compileExpression(t.machine.program, path).expr) {
      response.body = { dataId: null, description: `'${args.name}' cannot be watched` };
    } else {
      response.body = { dataId: path, description: path, accessTypes: ['write', 'readWrite'], canPersist: true };
    }
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(
    response: DebugProtocol.SetDataBreakpointsResponse,
    args: DebugProtocol.SetDataBreakpointsArguments,
  ): void {
    const t = this.requireTimeline(response);
    if (!t) return;
    response.body = { breakpoints: this.bps!.setDataBreakpoints(t.machine, args?.breakpoints ?? []) };
    this.sendResponse(response);
  }

  // ------------------------------------------------------------------------------------------ running

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    if (!this.requireTimeline(response)) return;
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.run([], true);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.step(response, args?.threadId, 'next');
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.step(response, args?.threadId, 'in');
  }

  protected override stepOutRequest(
    response: DebugProtocol.StepOutResponse,
    args: DebugProtocol.StepOutArguments,
  ): void {
    this.step(response, args?.threadId, 'out');
  }

  private step(response: DebugProtocol.Response, threadId: number | undefined, kind: 'next' | 'in' | 'out'): void {
    const named = this.requireThread(response, threadId);
    if (!named) return;
    const { t, thread } = named;
    this.sendResponse(response);
    this.allThreadsMove(thread);
    if (thread === HOST_THREAD && kind === 'in') {
      // Into, from the host: into the guest, at the next statement any vCPU runs (the host's own steps are next).
      const next = t.machine.peek();
      if (next && isStatement(t, next)) this.stopAt({ reason: 'step', thread: t.threadOfUnit(next) });
      else this.run([nextStatementProbe(t)], true);
      return;
    }
    // Over or out on the host steps the host, from one of its events to the next, and stops there.
    this.run([stepProbe(kind, thread, t)], true, thread === HOST_THREAD);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    if (!this.timeline) {
      this.fail(response, 'no scenario is running: send launch first');
      return;
    }
    this.sendResponse(response);
    if (this.running) this.pauseRequested = true;
    else this.stopAt({ reason: 'pause', thread: this.lastThread });
  }

  /** Runs forward in chunks, yielding between them so that pause can arrive; stops on the first hit. */
  private run(extra: Probe[], skipFirst: boolean, keepThread = false): void {
    const t = this.timeline!;
    if (this.atEnd && !t.machine.peek()) {
      // At the end of the scenario a step stays there (history can still be stepped back through); continue ends it.
      if (extra.length > 0) {
        const verdict = this.verdict();
        this.stopAt({
          reason: 'pause',
          thread: this.lastThread,
          label: verdict.ok ? 'End of scenario' : 'End of scenario: FAIL',
          description: verdict.summary,
        });
        return;
      }
      this.sendEvent(new ExitedEvent(this.verdict().ok ? 0 : 1));
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.bps!.resetWatches(t.machine);
    const probes = [...this.bps!.probes(t), ...this.replayProbes(), ...extra];
    this.running = true;
    this.pauseRequested = false;
    const token = ++this.runToken;
    const started = Date.now();
    let progress: string | undefined;
    const chunk = (first: boolean) => {
      if (token !== this.runToken) {
        if (progress) this.sendEvent(new ProgressEndEvent(progress));
        return;
      }
      if (this.pauseRequested) {
        this.finishRun(progress, started);
        this.stopAt({ reason: 'pause', thread: this.lastThread, label: 'Paused' });
        return;
      }
      const r = runForward(t, probes, RUN_CHUNK, { skipFirstBefore: first, untilTime: this.untilTime });
      this.flushLogs();
      if (r.kind === 'budget') {
        if (!progress && this.clientSupportsProgress && Date.now() - started > 300) {
          progress = `run-${++this.progressId}`;
          this.sendEvent(
            new ProgressStartEvent(progress, 'Running the scenario', `at ${formatTime(t.machine.state.now)}`),
          );
        }
        setImmediate(() => chunk(false));
        return;
      }
      this.finishRun(progress, started);
      if (r.kind === 'hit') this.stopAt({ ...r.hit, keepThread: keepThread && r.hit.reason === 'step' });
      else if (r.kind === 'time-limit') {
        // 'until' stops the first run that reaches it; continuing from there goes on. Nothing happens between the last
        // unit and the next, which is past 'until': the world is as it is at 'until'.
        const until = this.untilTime!;
        this.untilTime = undefined;
        this.stopAt({
          reason: 'pause',
          thread: this.lastThread,
          label: 'Reached until',
          description: `reached 'until' at ${formatTime(until)}`,
          time: until,
        });
      } else this.reachEnd();
    };
    chunk(skipFirst);
  }

  /**
   * A replay stops where explore stopped its path (its problem, when no exception filter stopped there first) or
   * where it leaves its recording, once: from there on it is not the recorded path.
   */
  private replayProbes(): Probe[] {
    const check = this.replayCheck;
    if (!check) return [];
    return [
      {
        after: (result) => {
          if (this.replayEndShown) return undefined;
          const m = this.timeline!.machine;
          let stop: StopHit | undefined;
          if (check.departed)
            stop = {
              reason: 'pause',
              thread: result.thread,
              label: 'Left the recording',
              description: check.deviations[0].message,
            };
          else if (check.atEnd(m))
            stop = {
              reason: 'pause',
              thread: result.thread,
              label: 'End of the recorded path',
              description: check.finish(m).message,
            };
          return stop;
        },
      },
    ];
  }

  private finishRun(progress: string | undefined, started: number): void {
    this.running = false;
    this.pauseRequested = false;
    if (progress) this.sendEvent(new ProgressEndEvent(progress));
    if (Date.now() - started > LONG_RUN_MS) this.host.afterLongRun?.();
  }

  private flushLogs(): void {
    for (const l of this.bps!.logs.splice(0)) this.output(l, 'console');
  }

  /**
   * The verdict of the scenario as it ended: the one `sflow run` and `sflow test` give (src/sim/verdict.ts), so the
   * debugger never calls PASS what the CLI calls FAIL (a faulted vCPU, a hang, an expected violation missing).
   */
  private verdict(): Verdict {
    const m = this.timeline!.machine;
    return judge(m, { kind: 'outcome', outcome: m.outcome() });
  }

  /** The scenario has nothing left to run: stop there (so it can be stepped back through) or end the session. */
  private reachEnd(): void {
    const verdict = this.verdict();
    this.output(`-- ${verdict.summary}`, verdict.ok ? 'console' : 'stderr');
    if (this.launchArgs?.stopAtEnd === false) {
      this.sendEvent(new ExitedEvent(verdict.ok ? 0 : 1));
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.atEnd = true;
    this.stopAt({
      reason: 'pause',
      thread: this.lastThread,
      label: verdict.ok ? 'End of scenario' : 'End of scenario: FAIL',
      description: verdict.summary,
    });
  }

  /** The moment the next unit executes (a stop before it shows the world then); the clock itself at the end. */
  private timeBefore(): number {
    const m = this.timeline!.machine;
    return Math.max(m.state.now, m.peek()?.time ?? m.state.now);
  }

  /**
   * Tells the client the session stopped. The thread is the one a person wants to see (see focusThread); the
   * description is a few words (VS Code shows it as the thread's badge) and the detail goes in the event's text.
   */
  private stopAt(hit: StopHit): void {
    const thread = hit.keepThread ? hit.thread : this.focusThread(hit.thread, hit.vm);
    this.lastThread = thread;
    this.noteReplayEnd();
    this.presentTime = hit.time ?? this.timeBefore();
    if (hit.exception) this.lastException = hit.exception;
    this.exceptionAt = hit.exception ? this.timeline?.position : undefined;
    this.exceptionThread = hit.exception ? (hit.cause ?? hit.thread) : undefined;
    const e = new StoppedEvent(hit.reason, this.dapThread(thread)) as DebugProtocol.StoppedEvent;
    e.body.allThreadsStopped = true;
    e.body.description = hit.label ?? hit.exception?.label ?? STOP_LABELS[hit.reason];
    const text = hit.exception?.message ?? hit.description;
    if (text) e.body.text = text;
    if (hit.breakpointIds) e.body.hitBreakpointIds = hit.breakpointIds;
    this.sendEvent(e);
  }

  /**
   * After an edit (Set Value, writeMemory): the past stays as it was and the future is recomputed from the edited
   * state. A replay's recording no longer applies from here.
   */
  private forkHistory(): void {
    this.timeline!.fork();
    this.atEnd = false;
    if (this.replayCheck && !this.replayEndShown) {
      this.replayEndShown = true;
      this.output('replay: an edit changed the state, so the run no longer follows the recording from here', 'console');
    }
  }

  /** The first stop at the end of a replay's recorded path (or after it left it) says whether it was followed. */
  private noteReplayEnd(): void {
    const check = this.replayCheck;
    const m = this.timeline?.machine;
    if (!check || !m || this.replayEndShown || !(check.departed || check.atEnd(m))) return;
    this.replayEndShown = true;
    const report = check.finish(m);
    this.output(`replay: ${report.message}`, report.faithful ? 'console' : 'stderr');
  }

  /**
   * The whole machine moves on a step, a step back or a jump, not only the thread the request names: say so, so
   * that a client forgets why each thread stopped before (VS Code otherwise keeps showing an old reason on them).
   */
  private allThreadsMove(thread: number): void {
    this.sendEvent(new ContinuedEvent(this.dapThread(thread), true));
  }

  // ------------------------------------------------------------------------------------------ time travel

  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    args: DebugProtocol.StepBackArguments,
  ): void {
    const named = this.requireThread(response, args?.threadId);
    if (!named) return;
    const { t, thread } = named;
    this.sendResponse(response);
    this.allThreadsMove(thread);
    this.scanBack(stepBackScan(t, thread), (found) => {
      const target = found[0]?.position;
      t.seek(target ?? 0);
      this.atEnd = false;
      if (target === undefined)
        this.stopAt({ reason: 'entry', thread: this.entryThread(), label: 'Start of scenario' });
      else this.stopAt({ reason: 'step', thread });
    });
  }

  /**
   * Runs a scan back through history in slices of a few milliseconds, so that a long one (a breakpoint never hit
   * in millions of units) answers pause and keeps the adapter responsive; a progress notification says it is busy.
   * The first slice runs at once, so a short scan answers without delay. `done` gets what it found. Paused, the
   * session stops where the scan got to, unless `paused` says otherwise.
   */
  private scanBack(
    scan: BackwardScan,
    done: (found: { position: number; hit: Hit }[]) => void,
    paused?: () => void,
  ): void {
    const t = this.timeline!;
    this.running = true;
    this.pauseRequested = false;
    const token = ++this.runToken;
    const started = Date.now();
    let progress: string | undefined;
    const slice = () => {
      if (token !== this.runToken) {
        if (progress) this.sendEvent(new ProgressEndEvent(progress));
        return;
      }
      if (this.pauseRequested) {
        this.finishRun(progress, started);
        t.seek(scan.reached);
        this.atEnd = false;
        if (paused) paused();
        else
          this.stopAt({
            reason: 'pause',
            thread: this.lastThread,
            label: 'Paused',
            description: 'paused while going back through history',
          });
        return;
      }
      const until = Date.now() + SCAN_SLICE_MS;
      let finished = scan.step();
      while (!finished && Date.now() < until) finished = scan.step();
      if (finished) {
        this.finishRun(progress, started);
        done(scan.found);
        return;
      }
      if (!progress && this.clientSupportsProgress && Date.now() - started > 300) {
        progress = `back-${++this.progressId}`;
        this.sendEvent(
          new ProgressStartEvent(progress, 'Going back through history', `at ${formatTime(t.machine.state.now)}`),
        );
      }
      setImmediate(slice);
    };
    slice();
  }

  protected override reverseContinueRequest(
    response: DebugProtocol.ReverseContinueResponse,
    args: DebugProtocol.ReverseContinueArguments,
  ): void {
    const t = this.requireTimeline(response);
    if (!t) return;
    this.sendResponse(response);
    this.allThreadsMove(this.simThread(args?.threadId) ?? this.lastThread);
    this.scanBack(new BackwardScan(t, this.bps!.probes(t), t.position, 1), ([found]) => {
      t.seek(found ? found.position : 0);
      this.atEnd = false;
      if (found) this.stopAt(found.hit);
      else this.stopAt({ reason: 'entry', thread: this.entryThread(), label: 'Start of scenario' });
    });
  }

  protected override gotoTargetsRequest(
    response: DebugProtocol.GotoTargetsResponse,
    args: DebugProtocol.GotoTargetsArguments,
  ): void {
    const t = this.requireTimeline(response);
    if (!t) return;
    const path = this.simPath(args?.source?.path, args?.source?.sourceReference);
    const line = typeof args?.line === 'number' ? this.simLine(args.line) : undefined;
    const sites = path && line !== undefined ? this.lines!.sites(path, line) : [];
    const keys = new Set(sites.map((s) => `${s.vm}:${s.pc}`));
    // Earlier executions of that line, newest first: going there is travelling back to just before it ran.
    const probe: Probe = {
      before: (unit) =>
        unit.kind === 'vcpu' && keys.has(`${unit.vm}:${unit.pc}`)
          ? { reason: 'goto', thread: t.threadOfUnit(unit) }
          : undefined,
    };
    const here = t.position;
    const answer = (found: { position: number; hit: Hit }[]) => {
      t.seek(here);
      response.body = {
        targets: found.map(({ position, hit }) => {
          const ref = t.threads[hit.thread];
          return {
            id: position + 1,
            label: `${t.machine.vcpuName(ref.vm, ref.vcpu)}, step ${position}`,
            line: args.line,
          };
        }),
      };
      this.sendResponse(response);
    };
    if (keys.size === 0) {
      answer([]);
      return;
    }
    // A long history is scanned in slices; a pause meanwhile answers with the targets found so far.
    const scan = new BackwardScan(t, [probe], here, 20);
    this.scanBack(scan, answer, () => answer(scan.found));
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    const t = this.requireTimeline(response);
    if (!t) return;
    const position = (args?.targetId ?? 0) - 1;
    if (!Number.isInteger(position) || position < 0 || position > t.head) {
      this.fail(response, `no goto target ${args?.targetId}`);
      return;
    }
    this.sendResponse(response);
    this.travelTo(position, this.simThread(args.threadId));
  }

  /** Moves to a position of history and stops there, on the given thread or the one about to run. */
  private travelTo(position: number, thread?: number, stop: Partial<StopHit> = {}): void {
    const t = this.timeline!;
    this.allThreadsMove(thread ?? this.lastThread);
    t.seek(position);
    this.atEnd = false;
    const unit = t.machine.peek();
    this.stopAt({ reason: 'goto', thread: thread ?? (unit ? t.threadOfUnit(unit) : this.lastThread), ...stop });
  }

  /**
   * Custom requests: `gotoEvent { seq, lane? }` travels to trace event `seq` (the timeline view's click), `where`,
   * `inlineValues`, `timeline` and `trace`.
   */
  protected override customRequest(
    command: string,
    response: DebugProtocol.Response,
    args: { seq?: number; lane?: string } | undefined,
  ): void {
    if (command === 'gotoEvent') {
      const t = this.requireTimeline(response);
      if (!t) return;
      const after = typeof args?.seq === 'number' ? t.positionAfterEvent(args.seq) : undefined;
      if (after === undefined) {
        this.fail(response, `no trace event ${args?.seq}`);
        return;
      }
      this.sendResponse(response);
      this.gotoEvent(after, args!.seq!, typeof args?.lane === 'string' ? args.lane : undefined);
      return;
    }
    if (command === 'where') {
      const t = this.requireTimeline(response);
      if (!t) return;
      response.body = {
        position: t.position,
        head: t.head,
        time: formatTime(this.presentTime),
        now: this.presentTime,
        hostState: t.machine.state.host.state,
        hash: t.machine.traceHash(),
        events: t.machine.state.events,
      };
      this.sendResponse(response);
      return;
    }
    if (command === 'inlineValues') {
      const t = this.requireTimeline(response);
      if (!t) return;
      const a = args as { frameId?: number; path?: string; fromLine?: number; toLine?: number } | undefined;
      const thread = typeof a?.frameId === 'number' ? Math.floor(a.frameId / 1024) : this.lastThread;
      const ref = t.threads[thread];
      const path = this.simPath(a?.path);
      const values =
        ref && ref.vm >= 0 && path
          ? inlineValues(t.machine, ref.vm, path, a?.fromLine ?? 0, a?.toLine ?? Number.MAX_SAFE_INTEGER)
          : [];
      response.body = { values };
      this.sendResponse(response);
      return;
    }
    if (command === 'timeline') {
      const t = this.requireTimeline(response);
      if (!t) return;
      const a = args as { since?: number; max?: number } | undefined;
      const since = typeof a?.since === 'number' ? a.since : -1;
      const max = Math.max(1, Math.min(typeof a?.max === 'number' ? a.max : 5000, TIMELINE_EVENTS_KEPT));
      const { events, truncatedFrom } = this.timelineLog.take(since, max);
      response.body = {
        events,
        lanes: timelineLanes(t.machine.program),
        initialStates: initialLaneStates(t.machine.program),
        position: t.machine.state.events,
        now: this.presentTime,
        truncatedFrom,
      };
      this.sendResponse(response);
      return;
    }
    if (command === 'trace') {
      const t = this.requireTimeline(response);
      if (!t) return;
      response.body = {
        events: t.machine.state.recent.map((e) => ({
          seq: e.seq,
          t: e.t,
          source: eventSource(t.machine.program, e),
          text: describeEvent(e),
        })),
        position: t.position,
        hash: t.machine.traceHash(),
      };
      this.sendResponse(response);
      return;
    }
    this.fail(response, `unknown request '${command}'`);
  }

  /**
   * Travels to just before the unit that emitted trace event `seq` (it ends at `after`): the current line is the
   * statement that did it
   * and the clock reads its moment. The thread shown is the lane's vCPU when a vCPU's lane was clicked, else the one
   * whose unit emitted it, else the vCPU the event is about.
   */
  private gotoEvent(after: number, seq: number, lane: string | undefined): void {
    const t = this.timeline!;
    // Just after its unit the event is among the machine's recent ones: read it there, then go to just before.
    t.seek(after);
    const event = t.machine.state.recent.find((e) => e.seq === seq);
    const position = after - 1;
    const laneThread =
      lane === undefined
        ? undefined
        : t.threads.findIndex((ref) => ref.vm >= 0 && vcpuLane(t.machine.vmConfig(ref.vm), ref.vcpu) === lane);
    t.seek(position);
    const unit = t.machine.peek();
    const emitter = unit ? t.threadOfUnit(unit) : HOST_THREAD;
    const about = event && event.vm >= 0 && event.vcpu >= 0 ? t.threadOf(event.vm, event.vcpu) : undefined;
    const thread =
      laneThread !== undefined && laneThread >= 0 ? laneThread : emitter !== HOST_THREAD ? emitter : (about ?? emitter);
    const text = event
      ? `#${seq} at ${formatTime(event.t)} ${eventSource(t.machine.program, event)}: ${describeEvent(event)}`
      : `trace event #${seq}`;
    this.travelTo(position, thread, {
      label: 'Event',
      description: text,
      vm: event && event.vm >= 0 ? event.vm : undefined,
    });
  }

  // ------------------------------------------------------------------------------------------ timeline view

  /** What the timeline view draws: every event history has, once (see src/sim/debug/history.ts). */
  private readonly timelineLog = new TimelineLog(TIMELINE_EVENTS_KEPT);

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const t = this.timeline;
    response.body = {
      threads: t
        ? t.threads.map(
            (ref, i) => new Thread(this.dapThread(i), ref.vm < 0 ? 'host' : t.machine.vcpuName(ref.vm, ref.vcpu)),
          )
        : [],
    };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    const named = this.requireThread(response, args?.threadId);
    if (!named) return;
    const { thread } = named;
    const frames = this.framesOf(thread);
    const start = args.startFrame ?? 0;
    const levels = args.levels || frames.length;
    response.body = { stackFrames: frames.slice(start, start + levels), totalFrames: frames.length };
    this.sendResponse(response);
  }

  /** Frame ids: thread * 1024 + level. */
  private framesOf(thread: number): DebugProtocol.StackFrame[] {
    const t = this.timeline!;
    const exception =
      this.lastException && this.exceptionAt !== undefined && this.exceptionThread !== undefined
        ? { message: this.lastException.message, position: this.exceptionAt, thread: this.exceptionThread }
        : undefined;
    return stack(t, thread, exception).map((f) => this.dapFrame(thread, f));
  }

  private dapFrame(thread: number, f: StackFrameInfo): DebugProtocol.StackFrame {
    const frame: DebugProtocol.StackFrame = { id: thread * 1024 + f.level, name: f.name, line: 0, column: 0 };
    if (f.place) {
      frame.source = this.sourceFor(f.place.file);
      frame.line = this.dapLine(f.place.line);
      frame.column = f.place.character + 1;
      if (f.place.end) {
        frame.endLine = this.dapLine(f.place.end.line);
        frame.endColumn = f.place.end.character + 1;
      }
    }
    if (f.label) frame.presentationHint = 'label';
    if (f.address !== undefined) frame.instructionPointerReference = `0x${f.address.toString(16)}`;
    return frame;
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const t = this.requireTimeline(response);
    if (!t) return;
    const thread = Math.floor((args?.frameId ?? -1) / 1024);
    if (!(thread >= 0 && thread < t.threads.length)) {
      this.fail(response, `no frame ${args?.frameId}`);
      return;
    }
    const m = t.machine;
    const ref = t.threads[thread];
    const scope = (
      name: string,
      children: () => StateNode[],
      expensive = false,
      hint?: string,
    ): DebugProtocol.Scope => ({
      name,
      variablesReference: this.handles.create(children),
      expensive,
      presentationHint: hint,
    });
    const tree = () => machineTree(m, this.presentTime);
    const hostScope = scope('Host', () => tree()[0].children!().filter((n) => n.name !== 'trace'));
    const traceScope = scope('Trace', () => tree()[0].children!().find((n) => n.name === 'trace')!.children!(), true);
    if (ref.vm < 0) {
      response.body = {
        scopes: [
          hostScope,
          ...m.program.vms.map((cfg, i) => scope(cfg.name, () => tree()[1 + i].children!())),
          traceScope,
        ],
      };
    } else {
      response.body = {
        scopes: [
          scope('Registers', () => registersNode(m, ref.vm, ref.vcpu).children!(), false, 'registers'),
          scope('Power', () => powerNode(m, ref.vm, ref.vcpu).children!()),
          scope('Interrupts', () => interruptsNode(m, ref.vm).children!()),
          scope('Devices', () => devicesNode(m, ref.vm).children!(), true),
          hostScope,
          traceScope,
        ],
      };
    }
    this.sendResponse(response);
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    const children = this.handles.get(args?.variablesReference ?? -1);
    if (!children) {
      this.fail(response, `no variables reference ${args?.variablesReference}`);
      return;
    }
    let nodes = children();
    const start = args.start ?? 0;
    if (args.count) nodes = nodes.slice(start, start + args.count);
    const vm = this.vmOfThread(this.lastThread);
    const vmName = this.program!.vms[vm]?.name;
    const parent = args.variablesReference;
    response.body = {
      variables: nodes.map((n) => {
        // A child's reference finds its node again through its parent each time, so it always shows the machine as
        // it is now (a node's own children closure keeps the values read when the node was made).
        const v: DebugProtocol.Variable = {
          name: n.name,
          value: n.value,
          variablesReference: n.children ? this.handles.create(() => this.childrenOf(parent, n.name)) : 0,
        };
        if (n.path) v.evaluateName = n.path;
        if (!n.path || 'error' in stateWriter(this.timeline!.machine, n.path))
          v.presentationHint = { attributes: ['readOnly'] };
        if (n.description) v.type = n.description;
        const address = /^0x[0-9a-f]+/.exec(n.value);
        if (address && n.path && /\.(x\d+|sp|pc|lr|bar\d)$/.test(n.path))
          v.memoryReference = `${n.path.split('.')[0] ?? vmName}:${address[0]}`;
        return v;
      }),
    };
    this.sendResponse(response);
  }

  private childrenOf(parent: number, name: string): StateNode[] {
    return (
      this.handles
        .get(parent)?.()
        .find((n) => n.name === name)
        ?.children?.() ?? []
    );
  }

  protected override setVariableRequest(
    response: DebugProtocol.SetVariableResponse,
    args: DebugProtocol.SetVariableArguments,
  ): void {
    const t = this.requireTimeline(response);
    if (!t) return;
    const node = this.handles
      .get(args?.variablesReference ?? -1)?.()
      .find((n) => n.name === args.name);
    if (!node?.path) {
      this.fail(response, `'${args?.name}' cannot be set`, true);
      return;
    }
    const result = setStateValue(t.machine, node.path, String(args.value ?? ''));
    if ('error' in result) {
      this.fail(response, result.error, true);
      return;
    }
    this.forkHistory();
    const after = this.handles
      .get(args.variablesReference)?.()
      .find((n) => n.name === args.name);
    response.body = { value: after?.value ?? String(args.value) };
    this.sendResponse(response);
    if (this.clientSupportsInvalidated) this.sendEvent(new InvalidatedEvent(['variables']));
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    const t = this.requireTimeline(response);
    if (!t) return;
    const text = (args?.expression ?? '').trim();
    if (args.context === 'repl') {
      const command = consoleCommand(t, text, { lastException: this.lastException, presentTime: this.presentTime });
      if (command !== undefined) {
        response.body = { result: command, variablesReference: 0 };
        this.sendResponse(response);
        return;
      }
    }
    const thread = typeof args.frameId === 'number' ? Math.floor(args.frameId / 1024) : this.lastThread;
    const ref = t.threads[thread] ?? t.threads[HOST_THREAD];
    const vm = ref.vm >= 0 ? ref.vm : undefined;
    const level = args.frameId === undefined ? 0 : args.frameId % 1024;
    const params = callFrameParams(t, thread, level);
    // A device, a VM or the host by name is a thing, not a number: its node of the Variables view, to expand.
    const node = namedStateNode(t.machine, text, vm, this.presentTime);
    if (node) {
      response.body = {
        result: node.value,
        type: node.description,
        variablesReference: node.children ? this.handles.create(node.children) : 0,
      };
      this.sendResponse(response);
      return;
    }
    const compiled = compileExpression(t.machine.program, text, vm, params);
    if (!compiled.expr) {
      // Failing quietly: a hover, a watch or the console shows the message where it was asked for.
      this.fail(response, compiled.diagnostics.map((d) => d.message).join('; ') || `cannot evaluate '${text}'`, true);
      return;
    }
    const frameScope =
      ref.vm >= 0
        ? { ...t.machine.scope(ref.vm, ref.vcpu), args: callFrame(t, thread, level)?.args ?? [] }
        : { vm: 0, vcpu: 0, args: [] };
    response.body = {
      result: formatResult(t.machine, compiled, { ...frameScope, now: this.presentTime }),
      variablesReference: 0,
    };
    this.sendResponse(response);
  }

  protected override completionsRequest(
    response: DebugProtocol.CompletionsResponse,
    args: DebugProtocol.CompletionsArguments,
  ): void {
    const t = this.timeline;
    const text = (args?.text ?? '').slice(0, (args?.column ?? 1) - 1);
    // The word before the cursor, scanned backwards (a regex anchored at the end retries from every position).
    let from = text.length;
    while (from > 0 && /[A-Za-z0-9_.]/.test(text[from - 1])) from--;
    const word = text.slice(from);
    const candidates = new Set<string>([...CONSOLE_COMMANDS, 'host.state', 'now', ...constantNames()]);
    if (t) {
      // Every path of the state namespace, segment by segment, in the VM of the frame asked about.
      const thread = typeof args.frameId === 'number' ? Math.floor(args.frameId / 1024) : this.lastThread;
      const ref = t.threads[thread] ?? t.threads[HOST_THREAD];
      const vm = ref.vm >= 0 ? ref.vm : undefined;
      for (const c of stateCompletions(t.machine.program, word, { vm })) candidates.add(c);
    }
    response.body = {
      targets: [...candidates]
        .filter((c) => c.startsWith(word) && c !== word)
        .sort()
        .slice(0, 200)
        .map((c) => ({ label: c, start: text.length - word.length, length: word.length })),
    };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const e = this.lastException;
    if (!e) {
      this.fail(response, 'not stopped on an exception');
      return;
    }
    response.body = {
      exceptionId: e.filter,
      description: e.message,
      breakMode: 'always',
      details: { message: e.message, stackTrace: e.details },
    };
    this.sendResponse(response);
  }

  // ------------------------------------------------------------------------------------------ memory

  private vmOfThread(thread: number): number {
    const ref = this.timeline?.threads[thread];
    return ref && ref.vm >= 0 ? ref.vm : 0;
  }

  /** `0xADDR` (in the VM of the last stop), `VM:0xADDR`, or `config:VM:DEVICE`. */
  private parseMemoryReference(
    reference: string,
  ): { vm: number; address: bigint } | { vm: number; device: number } | undefined {
    const m = this.timeline!.machine;
    const config = /^config:([^:]+):([^:]+)$/.exec(reference);
    if (config) {
      const vm = m.program.vms.findIndex((v) => v.name === config[1]);
      const device = vm >= 0 ? m.vmConfig(vm).devices.findIndex((d) => d.name === config[2]) : -1;
      return device >= 0 ? { vm, device } : undefined;
    }
    const qualified = /^(?:([^:]+):)?(0x[0-9a-fA-F]+|\d+)$/.exec(reference);
    if (!qualified) return undefined;
    const vm = qualified[1]
      ? m.program.vms.findIndex((v) => v.name === qualified[1])
      : this.vmOfThread(this.lastThread);
    return vm >= 0 ? { vm, address: BigInt(qualified[2]) } : undefined;
  }

  protected override readMemoryRequest(
    response: DebugProtocol.ReadMemoryResponse,
    args: DebugProtocol.ReadMemoryArguments,
  ): void {
    const t = this.requireTimeline(response);
    if (!t) return;
    const ref = this.parseMemoryReference(String(args?.memoryReference ?? ''));
    const count = Math.max(0, Math.min(args?.count ?? 0, 1 << 16));
    if (!ref) {
      this.fail(
        response,
        `'${args?.memoryReference}' is not a memory reference (0xADDR, VM:0xADDR or config:VM:DEVICE)`,
      );
      return;
    }
    const offset = args.offset ?? 0;
    const bytes: number[] = [];
    let unreadable = 0;
    if ('device' in ref) {
      const config = configBytes(t.machine, ref.vm, ref.device);
      for (let i = 0; i < count && offset + i < 256; i++) bytes.push(config[offset + i]);
      unreadable = count - bytes.length;
    } else {
      for (let i = 0; i < count; i++) {
        const b = peekPhysical(t.machine, ref.vm, ref.address + BigInt(offset + i));
        if (b === undefined) {
          unreadable = count - i;
          break;
        }
        bytes.push(b);
      }
    }
    response.body = {
      address: 'device' in ref ? `0x${offset.toString(16)}` : `0x${(ref.address + BigInt(offset)).toString(16)}`,
      data: Buffer.from(bytes).toString('base64'),
      unreadableBytes: unreadable,
    };
    this.sendResponse(response);
  }

  protected override writeMemoryRequest(
    response: DebugProtocol.WriteMemoryResponse,
    args: DebugProtocol.WriteMemoryArguments,
  ): void {
    const t = this.requireTimeline(response);
    if (!t) return;
    const ref = this.parseMemoryReference(String(args?.memoryReference ?? ''));
    if (!ref || 'device' in ref) {
      this.fail(
        response,
        'writeMemory writes guest RAM (0xADDR or VM:0xADDR); change device registers through their variables',
      );
      return;
    }
    const data = Buffer.from(String(args.data ?? ''), 'base64');
    const base = ref.address + BigInt(args.offset ?? 0);
    let written = 0;
    for (const b of data) {
      if (!pokeRam(t.machine, ref.vm, base + BigInt(written), b)) break;
      written++;
    }
    if (written === 0 && data.length > 0) {
      this.fail(response, `0x${base.toString(16)} is not RAM of ${t.machine.vmConfig(ref.vm).name}`);
      return;
    }
    this.forkHistory();
    response.body = { bytesWritten: written };
    this.sendResponse(response);
    if (this.clientSupportsMemoryEvent)
      this.sendEvent(new MemoryEvent(String(args.memoryReference), args.offset ?? 0, written));
    if (this.clientSupportsInvalidated) this.sendEvent(new InvalidatedEvent(['variables']));
  }

  // ------------------------------------------------------------------------------------------ sources

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    const file = preludeFiles()[(args?.sourceReference ?? args?.source?.sourceReference ?? 0) - 1];
    if (!file) {
      this.fail(response, `no source ${args?.sourceReference}`);
      return;
    }
    response.body = { content: file.text, mimeType: 'text/x-suspend-flow' };
    this.sendResponse(response);
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    response.body = { sources: this.program ? this.program.files.map((f) => this.sourceFor(f)) : [] };
    this.sendResponse(response);
  }
}

/** The last part of a path, as an editor names a file. */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** `50ms`, `2s`, `1500us`, `1000` (ns). */
export function parseTimeText(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|s)?\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * Number(TIME_UNITS[m[2] ?? 'ns']));
}
