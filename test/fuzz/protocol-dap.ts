// Random and wrongly typed DAP traffic against the built adapter (dist/debugAdapter.js over stdio), at the wire:
// sessions that launch an example and then send every request the adapter knows (and some it does not), with
// plausible arguments (ids it handed out, lines of the scenario, expressions), perturbed ones, or junk; stepping
// forwards and backwards; frames that are not requests. Every request must be answered within the hang limit;
// a failure must be an error response with a short message and no JavaScript in it; the adapter must not print a
// stack to the debug console; and after each session the adapter still answers a good request.

import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { Rng } from './rng';
import { INTERNAL_TEXT } from './targets';
import { ProtocolFinding, ProtocolStats } from './protocol-lsp';

const ROOT = path.resolve(__dirname, '../..');
export const ADAPTER = path.join(ROOT, 'dist', 'debugAdapter.js');
const HANG_MS = 5000;

interface DapMessage {
  type: string;
  seq: number;
  command?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: unknown;
  event?: string;
}

/** The adapter at the wire: frames of any content, responses matched by request_seq. */
class DapWire {
  readonly events: DapMessage[] = [];
  stderr = '';
  private buffer = Buffer.alloc(0);
  private seq = 1;
  private readonly pending = new Map<number, { resolve: (r: DapMessage) => void; reject: (e: Error) => void }>();
  exited = false;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => this.receive(d));
    child.stderr!.on('data', (d) => (this.stderr += String(d)));
    child.stdin!.on('error', () => undefined);
    child.once('exit', () => {
      this.exited = true;
      for (const [, p] of this.pending)
        p.reject(new Error(`the adapter exited (code ${child.exitCode}, signal ${child.signalCode})`));
      this.pending.clear();
    });
  }

  static start(): DapWire {
    return new DapWire(spawn(process.execPath, [ADAPTER], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  private receive(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, end).toString('ascii'));
      const length = m ? Number(m[1]) : 0;
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + length);
      let message: DapMessage;
      try {
        message = JSON.parse(body);
      } catch {
        continue;
      }
      if (message.type === 'response' && this.pending.has(message.request_seq!)) {
        const p = this.pending.get(message.request_seq!)!;
        this.pending.delete(message.request_seq!);
        p.resolve(message);
      } else if (message.type === 'event') this.events.push(message);
      else if (message.type === 'request')
        this.write(
          JSON.stringify({
            type: 'response',
            seq: 0,
            request_seq: message.seq,
            command: message.command,
            success: true,
          }),
        );
    }
  }

  write(body: string): void {
    if (!this.exited) this.child.stdin!.write(`Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`);
  }

  request(command: unknown, args: unknown, options: { omit?: boolean; timeout?: number } = {}): Promise<DapMessage> {
    const seq = this.seq++;
    const request: Record<string, unknown> = { type: 'request', seq, command };
    if (!options.omit) request.arguments = args;
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new Error('the adapter has exited'));
      const timer = setTimeout(
        () => {
          this.pending.delete(seq);
          reject(new Error(`no response within ${options.timeout ?? HANG_MS * 2} ms`));
        },
        options.timeout ?? HANG_MS * 2,
      );
      this.pending.set(seq, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.write(JSON.stringify(request));
    });
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      await this.request('disconnect', {}, { timeout: 2000 }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!this.exited) {
      const gone = new Promise((r) => this.child.once('exit', r));
      this.child.kill();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
    }
  }
}

/** Every request the adapter knows and a few it does not; not `disconnect`, which ends a stdio adapter (sent last). */
const COMMANDS = [
  'initialize',
  'launch',
  'attach',
  'restart',
  'terminate',
  'setBreakpoints',
  'setFunctionBreakpoints',
  'setExceptionBreakpoints',
  'dataBreakpointInfo',
  'setDataBreakpoints',
  'setInstructionBreakpoints',
  'configurationDone',
  'continue',
  'next',
  'stepIn',
  'stepOut',
  'stepBack',
  'reverseContinue',
  'restartFrame',
  'goto',
  'pause',
  'stackTrace',
  'scopes',
  'variables',
  'setVariable',
  'setExpression',
  'source',
  'threads',
  'terminateThreads',
  'modules',
  'loadedSources',
  'evaluate',
  'stepInTargets',
  'gotoTargets',
  'completions',
  'exceptionInfo',
  'readMemory',
  'writeMemory',
  'disassemble',
  'cancel',
  'breakpointLocations',
  'gotoEvent',
  'where',
  'inlineValues',
  'timeline',
  'trace',
  'nosuchCommand',
  '',
];
const EXAMPLES = [
  'kvm-system-suspend.sflow',
  's2idle-notify-race.sflow',
  'vfio-d3hot.sflow',
  'xen-dom0-domu-suspend.sflow',
  'virtio-gpio-pins.sflow',
  'xen-system-suspend.sflow',
];
const EXPRESSIONS = [
  'x0',
  'x1 + 1',
  'vcpu1.power == OFF',
  'net0.pmcsr.state',
  'now',
  'host.state',
  'trace 5',
  'trace 99999999999',
  'explain',
  'x0 / 0',
  '(((',
  '',
  'pc',
  'guest.vcpu0.x0',
  'D3hot',
  '0xffffffffffffffffffff',
  '1 << 70',
  '-x0',
  'x' + '1'.repeat(500),
  'a'.repeat(20000),
  '"str"',
  '{x0}',
  'x0 ==',
  `${'('.repeat(3000)}1${')'.repeat(3000)}`,
  '!'.repeat(5000) + '1',
  'vcpu99.power',
  'nosuch.field',
  'x0\n',
  '\u0000',
  'now + 10ms',
];

function junk(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 1 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 31, 2 ** 53, 1e300, -1e300, 1000, 1024, 1e15]);
    case 3:
      return rng.pick([
        '',
        'x',
        '0x40000000',
        'repl',
        'watch',
        'hover',
        path.join(ROOT, 'examples', rng.pick(EXAMPLES)),
        '/dev/null',
        '/tmp',
        'a'.repeat(rng.range(10, 3000)),
      ]);
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return Array.from({ length: rng.int(4) }, () => junk(rng, depth + 1));
    default:
      return Object.fromEntries(
        ['threadId', 'frameId', 'line', 'source', 'expression', 'name', 'value', 'variablesReference', 'breakpoints']
          .filter(() => rng.chance(0.3))
          .map((k) => [k, junk(rng, depth + 1)]),
      );
  }
}

function perturb(value: unknown, rng: Rng): unknown {
  if (typeof value !== 'object' || value === null || rng.chance(0.15)) return junk(rng);
  const copy = structuredClone(value) as Record<string, unknown>;
  const keys = Object.keys(copy);
  if (!keys.length) return junk(rng);
  const key = rng.pick(keys);
  if (rng.chance(0.2)) delete copy[key];
  else copy[key] = rng.chance(0.5) ? perturb(copy[key], rng) : junk(rng);
  return copy;
}

interface Known {
  program: string;
  threads: number[];
  frames: number[];
  refs: number[];
  seqs: number[];
}

function plausible(command: string, k: Known, rng: Rng): unknown {
  const threadId = k.threads.length && rng.chance(0.85) ? rng.pick(k.threads) : rng.pick([1, 2, 3, 99, -1]);
  const frameId = k.frames.length && rng.chance(0.85) ? rng.pick(k.frames) : rng.pick([1024, 0, 1, 99999]);
  const variablesReference = k.refs.length && rng.chance(0.85) ? rng.pick(k.refs) : rng.pick([1000, 0, 1, 77777]);
  const source = {
    path: rng.chance(0.85)
      ? k.program
      : rng.pick([
          '/nonexistent.sflow',
          path.join(ROOT, 'lib', 'linux.sflow'),
          'sflow-prelude:/linux.sflow',
          '/dev/null',
        ]),
  };
  const line = rng.range(1, 80);
  switch (command) {
    case 'initialize':
      return {
        adapterID: 'suspend-flow',
        clientID: 'fuzz',
        linesStartAt1: rng.chance(0.9),
        columnsStartAt1: true,
        pathFormat: 'path',
        supportsInvalidatedEvent: true,
        supportsMemoryEvent: rng.chance(0.5),
      };
    case 'launch':
      return {
        program: rng.chance(0.9)
          ? path.join(ROOT, 'examples', rng.pick(EXAMPLES))
          : rng.pick(['/nonexistent.sflow', '/dev/null', '/tmp', path.join(ROOT, 'README.md')]),
        stopOnEntry: rng.chance(0.7),
        seed: rng.pick([0, 1, 42, undefined]),
        until: rng.pick([undefined, '50ms', '1s', 1000, '0ms']),
        stopAtEnd: rng.chance(0.8),
      };
    case 'setBreakpoints':
      return {
        source,
        breakpoints: Array.from({ length: rng.int(4) }, () => ({
          line: rng.range(1, 80),
          condition: rng.chance(0.2) ? rng.pick(EXPRESSIONS) : undefined,
          hitCondition: rng.chance(0.1) ? rng.pick(['2', '>3', '%2', 'x']) : undefined,
          logMessage: rng.chance(0.1) ? 'x0={x0}' : undefined,
        })),
      };
    case 'setFunctionBreakpoints':
      return {
        breakpoints: Array.from({ length: rng.int(3) }, () => ({
          name: rng.pick([
            'SYSTEM_SUSPEND',
            'CPU_OFF',
            's2idle_notify',
            'pmcsr:net0:D3hot',
            'exit:SUSPEND',
            'psci',
            'nosuch',
            '',
          ]),
        })),
      };
    case 'setExceptionBreakpoints':
      return { filters: rng.pick([[], ['invariant'], ['expectation', 'psci-error'], ['nosuch']]) };
    case 'dataBreakpointInfo':
      return {
        name: rng.pick(['x0', 'pmcsr', 'state', 'power']),
        variablesReference: rng.chance(0.5) ? variablesReference : undefined,
        frameId,
      };
    case 'setDataBreakpoints':
      return {
        breakpoints: rng.chance(0.5)
          ? []
          : [{ dataId: rng.pick(['x0', 'mem:guest:0x40000000:4', 'reg:0:0:x0', 'nosuch']), accessType: 'write' }],
      };
    case 'continue':
    case 'next':
    case 'stepIn':
    case 'stepOut':
    case 'stepBack':
    case 'reverseContinue':
    case 'pause':
      return { threadId, granularity: rng.pick([undefined, 'statement', 'line', 'instruction']) };
    case 'goto':
      return { threadId, targetId: rng.range(0, 100) };
    case 'gotoTargets':
    case 'breakpointLocations':
      return { source, line, endLine: rng.chance(0.3) ? line + rng.int(10) : undefined };
    case 'stackTrace':
      return { threadId, startFrame: rng.int(3), levels: rng.pick([undefined, 1, 20, 0]) };
    case 'scopes':
      return { frameId };
    case 'variables':
      return {
        variablesReference,
        start: rng.chance(0.2) ? rng.int(10) : undefined,
        count: rng.chance(0.2) ? rng.int(10) : undefined,
        filter: rng.pick([undefined, 'named', 'indexed']),
      };
    case 'setVariable':
      return {
        variablesReference,
        name: rng.pick(['x0', 'x1', 'pc', 'state', 'power', 'nosuch']),
        value: rng.pick(['1', '0x10', 'D3hot', 'x0 +', '-1', '0xffffffffffffffffffff', '']),
      };
    case 'setExpression':
      return { expression: rng.pick(EXPRESSIONS), value: '1', frameId };
    case 'evaluate':
      return {
        expression: rng.pick(EXPRESSIONS),
        context: rng.pick(['watch', 'repl', 'hover', 'clipboard', 'variables']),
        frameId: rng.chance(0.8) ? frameId : undefined,
      };
    case 'completions':
      return { text: rng.pick(['DEN', 'x', 'vcpu1.', 'net0.pmcsr.', '', 'trace ']), column: rng.range(0, 12), frameId };
    case 'exceptionInfo':
      return { threadId };
    case 'readMemory':
      return {
        memoryReference: rng.pick(['0x40000000', '0x40080000', 'config:guest:net0', 'guest:0x40000000', '0']),
        offset: rng.pick([0, 4, -4]),
        count: rng.pick([4, 16, 256, 0]),
      };
    case 'writeMemory':
      return {
        memoryReference: rng.pick(['0x40000000', 'config:guest:net0']),
        offset: rng.pick([0, 4]),
        data: rng.pick(['AAAA', 'AQIDBA==', '', '!!']),
      };
    case 'source':
      return { source, sourceReference: rng.int(5) };
    case 'gotoEvent':
      return {
        seq: k.seqs.length && rng.chance(0.8) ? rng.pick(k.seqs) : rng.int(200),
        lane: rng.pick([undefined, 'guest.vcpu0', 'host', 'nosuch']),
      };
    case 'trace':
      return { count: rng.int(50) };
    case 'restart':
      return { arguments: { program: k.program } };
    default:
      return {};
  }
}

/** Records the ids a response hands out, for later requests to use. */
function learn(command: string, r: DapMessage, k: Known): void {
  if (!r.success || !r.body || typeof r.body !== 'object') return;
  const b = r.body as Record<string, unknown>;
  const add = (list: number[], v: unknown) => {
    if (typeof v === 'number' && !list.includes(v)) list.push(v);
    if (list.length > 60) list.shift();
  };
  if (command === 'threads') for (const t of (b.threads as { id: number }[]) ?? []) add(k.threads, t.id);
  if (command === 'stackTrace') for (const f of (b.stackFrames as { id: number }[]) ?? []) add(k.frames, f.id);
  if (command === 'scopes')
    for (const s of (b.scopes as { variablesReference: number }[]) ?? []) add(k.refs, s.variablesReference);
  if (command === 'variables')
    for (const v of (b.variables as { variablesReference: number }[]) ?? [])
      if (v.variablesReference > 0) add(k.refs, v.variablesReference);
  if (command === 'evaluate') add(k.refs, b.variablesReference);
}

/** One session: a fresh adapter, `count` messages, then a good request. */
export async function dapSession(seed: number, count: number, session: number): Promise<ProtocolStats> {
  const rng = new Rng(seed);
  const findings: ProtocolFinding[] = [];
  const find = (kind: ProtocolFinding['kind'], message: string, sent: string) =>
    findings.push({ kind, message, sent: sent.slice(0, 600), session });
  const dap = DapWire.start();
  const program = path.join(ROOT, 'examples', rng.pick(EXAMPLES));
  const known: Known = { program, threads: [], frames: [], refs: [], seqs: [] };
  let messages = 0;

  const send = async (command: unknown, args: unknown, omit = false): Promise<DapMessage | undefined> => {
    messages++;
    const sent = `${JSON.stringify(command)?.slice(0, 100)} ${omit ? '(no arguments)' : (JSON.stringify(args) ?? 'undefined')}`;
    // Findings name the command, or say it was junk (its text would make every finding a different one).
    const name =
      typeof command === 'string' && COMMANDS.includes(command)
        ? command
        : typeof command === 'string' && command.length < 20
          ? command
          : '(junk command)';
    const t0 = Date.now();
    let r: DapMessage;
    try {
      r = await dap.request(command, args, { omit });
    } catch (e) {
      find(dap.exited ? 'crash' : 'hang', `${name}: ${(e as Error).message}`, sent);
      return undefined;
    }
    const ms = Date.now() - t0;
    if (ms > HANG_MS) find('hang', `${name} answered after ${ms} ms`, sent);
    if (r.success === false) {
      const message = r.message ?? '';
      const format = (r.body as { error?: { format?: string } } | undefined)?.error?.format ?? '';
      if (!message) find('invariant', `${name} failed without a message`, sent);
      if (INTERNAL_TEXT.test(message) || INTERNAL_TEXT.test(format))
        find('internal', `${name}: ${(message + ' ' + format).slice(0, 240)}`, sent);
      else if (/internal error of the adapter/.test(message)) find('crash', `${name}: ${message}`, sent);
      if (message.length > 600) find('invariant', `${name}: an error message of ${message.length} characters`, sent);
    } else if (r.body !== undefined) {
      const json = JSON.stringify(r.body) ?? '';
      const m = INTERNAL_TEXT.exec(json);
      if (m)
        find(
          'internal',
          `${name} answered with '${m[0]}': ${json.slice(Math.max(0, m.index - 80), m.index + 120)}`,
          sent,
        );
    }
    if (typeof command === 'string') learn(command, r, known);
    return r;
  };

  try {
    await send('initialize', plausible('initialize', known, rng));
    if (rng.chance(0.85)) {
      await send('launch', { program, stopOnEntry: true, seed: rng.int(5) });
      await send('configurationDone', {});
      await new Promise((r) => setTimeout(r, 20));
      await send('threads', {});
      if (known.threads.length > 1) await send('stackTrace', { threadId: known.threads[1] });
      if (known.frames.length) await send('scopes', { frameId: known.frames[0] });
    }
    for (let k = 0; k < count; k++) {
      const r = rng.float();
      if (r < 0.04) {
        messages++;
        dap.write(
          rng.pick([
            '{',
            'null',
            '[1,2]',
            '"x"',
            '{"type":"request"}',
            '{"type":"request","seq":"x","command":5}',
            '{"type":"response","request_seq":1,"success":true}',
            '{"type":"event","event":"stopped"}',
          ]),
        );
        continue;
      }
      const command = rng.chance(0.02)
        ? junk(rng)
        : rng.chance(0.3)
          ? rng.pick(['threads', 'stackTrace', 'scopes', 'variables', 'evaluate', 'next', 'stepBack', 'setVariable'])
          : rng.pick(COMMANDS);
      const shape = rng.float();
      const args =
        shape < 0.6
          ? plausible(String(command), known, rng)
          : shape < 0.9
            ? perturb(plausible(String(command), known, rng), rng)
            : junk(rng);
      await send(command, args, rng.chance(0.03));
      // Stepping leaves the scenario running for a moment: let it stop, and learn the new ids.
      if (
        [
          'continue',
          'next',
          'stepIn',
          'stepOut',
          'stepBack',
          'reverseContinue',
          'goto',
          'restart',
          'launch',
          'gotoEvent',
        ].includes(String(command))
      ) {
        await new Promise((res) => setTimeout(res, 15));
        if (rng.chance(0.5)) await send('pause', { threadId: known.threads[0] ?? 1 });
        await send('threads', {});
      }
    }
    // The debug console: nothing the adapter printed there may be a stack or JavaScript's words.
    for (const e of dap.events) {
      if (e.event !== 'output') continue;
      const body = e.body as { output?: string; category?: string };
      const m = INTERNAL_TEXT.exec(body.output ?? '');
      if (m)
        find(
          'internal',
          `output event (${body.category}) with '${m[0]}': ${String(body.output).slice(0, 200)}`,
          '(output event)',
        );
    }
    if (/ failed: /.test(dap.stderr))
      find(
        'crash',
        `the adapter logged a failure: ${dap.stderr
          .split('\n')
          .find((l) => / failed: /.test(l))!
          .slice(0, 300)}`,
        '(stderr)',
      );
    // A good request afterwards.
    const threads = await send('threads', {});
    if (!threads?.success) find('crash', 'threads does not work after the session', 'threads {}');
    const value = await send('evaluate', { expression: '1 + 1', context: 'repl' });
    if (
      value &&
      value.success &&
      (value.body as { result?: string }).result !== '0x2' &&
      (value.body as { result?: string }).result !== '2'
    ) {
      find('invariant', `evaluate 1 + 1 answered ${JSON.stringify(value.body)}`, 'evaluate 1 + 1');
    }
  } catch (e) {
    find('crash', `session ${session}: ${(e as Error).message}`, '(session)');
  } finally {
    await dap.stop();
  }
  return { messages, findings };
}
