// Errors over DAP: a scenario with errors fails launch with its diagnostics, bad launch arguments and requests out
// of order are answered with errors naming the problem, and a fuzz of malformed requests gets an answer to every
// one while the session goes on working.

import * as assert from 'assert';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Client, example, forEachTransport, lineOf, writeScenario } from './helpers';

const KVM = example('kvm-system-suspend.sflow');
const RACE = example('s2idle-notify-race.sflow');

const BROKEN = `vm guest {
  hypervisor kvm
  vcpus 1
}
guest.vcpu0 {
  psci SYSTEM_SUSPNED entry=x
  set x1 = nosuch
}
`;

const WARNINGS = `vm guest {
  hypervisor kvm
  vcpus 1
}
proc unused {
  halt
}
guest.vcpu0 {
  s2idle notify
  set x1 = 1
}
`;

/** Every DAP request the adapter knows, some it does not, and its custom ones. */
const COMMANDS = [
  'initialize',
  'launch',
  'attach',
  'restart',
  'terminate',
  'disconnect',
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
  'trace',
  'nosuchCommand',
  '',
];

const HUGE = {
  threadId: 1e15,
  frameId: 2 ** 53,
  variablesReference: 1e300,
  line: 1e9,
  endLine: -1e9,
  count: 1e9,
  offset: 1e12,
  targetId: 1e15,
  seq: 1e15,
  column: 1e9,
  levels: 1e9,
  startFrame: 1e9,
  bytes: 1e9,
};
const NEGATIVE = {
  threadId: -1,
  frameId: -1,
  variablesReference: -1,
  line: -1,
  count: -1,
  offset: -1,
  targetId: -1,
  seq: -1,
  column: -5,
  levels: -1,
  startFrame: -3,
  bytes: -5,
};

/** Arguments of every wrong shape: none, not objects, wrong types, missing fields, huge and negative numbers. */
const ARGUMENTS: unknown[] = [
  undefined,
  null,
  5,
  'str',
  [],
  {},
  true,
  NEGATIVE,
  HUGE,
  {
    threadId: '1',
    frameId: 'x',
    variablesReference: {},
    name: 5,
    value: {},
    expression: 42,
    text: 7,
    source: 'x',
    breakpoints: 'x',
    filters: 'x',
    lines: 'abc',
    memoryReference: 5,
    data: 7,
    dataId: 5,
    context: 9,
  },
  {
    source: { path: 5 },
    breakpoints: [null, 5, { line: 'x' }],
    filters: [5, null],
    expression: '',
    context: 'repl',
    text: '',
    memoryReference: '',
    data: '!!!',
  },
  { program: 5, seed: 'x', until: {}, stopOnEntry: 'yes' },
  { program: example('nope.sflow'), seed: -3 },
  { expression: 'trace 99999999999999', context: 'repl' },
  { expression: 'x0 / 0 + (', context: 'watch', frameId: 1024 },
  {
    breakpoints: [
      { dataId: 'mem:guest:0x0:99999', accessType: 'write' },
      { dataId: 'x0 +' },
      { dataId: 'mem:nosuch:0x10:4' },
      { dataId: null },
    ],
  },
  { name: '0xzz', asAddress: true, bytes: -5 },
  { name: '0xffffffffffffffffffff', asAddress: true, bytes: 1e9 },
  { memoryReference: 'guest:0xffffffffffffffffffff', count: 16, data: 'AAAA' },
  { memoryReference: 'config:guest:nosuch', count: 16 },
  { memoryReference: 'config:guest:net0', offset: -10, count: 1e9 },
  { memoryReference: '0x40000000', offset: -1e9, count: 4, data: 'AAAA' },
  {
    breakpoints: [
      { name: 'pmcsr:::' },
      { name: '' },
      { name: 'psci', condition: 'x0 ==' },
      { name: 'psci', hitCondition: 'abc' },
      { name: 7 },
    ],
  },
  {
    source: { path: KVM },
    breakpoints: [
      { line: -5 },
      { line: 1e9 },
      { line: 40, condition: ')' },
      { line: 40, hitCondition: '%0' },
      { line: 40, logMessage: '{' },
    ],
  },
  { source: { path: KVM }, line: 42, endLine: 1e9, column: -1 },
  { source: { sourceReference: 1e9 }, sourceReference: -1 },
];

/** What only JavaScript itself says: a stack, an error class, an engine message. */
export const INTERNAL =
  /\n\s+at |\bat .*\.(js|ts):\d+|TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|is not iterable|Maximum call stack|undefined is not/;

interface Answer {
  command: string;
  args: unknown;
  response: DebugProtocol.Response;
}

/** Sends every command with every argument shape; every one must be answered, well formed. */
async function fuzz(c: Client): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const command of COMMANDS) {
    for (const args of ARGUMENTS) {
      const response = await c.raw(command, args);
      answers.push({ command, args, response });
      const what = `${command} ${JSON.stringify(args)}`;
      assert.strictEqual(response.type, 'response', what);
      assert.strictEqual(response.command, command, what);
      assert.strictEqual(typeof response.success, 'boolean', what);
      if (!response.success) {
        assert.ok(
          typeof response.message === 'string' && response.message.length > 0,
          `${what} failed without saying why`,
        );
        // A short message of the adapter's, never what JavaScript said inside it.
        assert.doesNotMatch(response.message!, INTERNAL, what);
        assert.doesNotMatch(JSON.stringify(response.body ?? {}), INTERNAL, what);
      }
    }
  }
  return answers;
}

/** After whatever the fuzz did: clear it, start over at entry, and check the session answers and steps. */
async function stillWorks(c: Client): Promise<void> {
  await c.settle();
  await c.setLineBreakpoints(KVM, []);
  await c.setFunctionBreakpoints([]);
  await c.ok('setDataBreakpoints', { breakpoints: [] });
  await c.ok('setExceptionBreakpoints', { filters: [] });
  // A run the fuzz started (continue, restart) ends in one chunk: wait for the machine to be stopped.
  for (let i = 0; i < 50 && !(await c.raw('stackTrace', { threadId: 2 })).success; i++)
    await new Promise((r) => setTimeout(r, 20));
  await c.ok('restart', {});
  await c.settle();
  c.drain('stopped');
  assert.deepStrictEqual(
    (await c.threads()).map((t) => t.name),
    ['host', 'guest.vcpu0', 'guest.vcpu1'],
  );
  assert.strictEqual((await c.top(2)).line, 30);
  const stop = await c.stepAndStop('next', { threadId: 2 });
  assert.deepStrictEqual([stop.body.reason, stop.body.threadId], ['step', 2]);
  assert.strictEqual((await c.top(2)).line, 31);
  assert.strictEqual(await c.evaluate('x0 == SUCCESS', 'watch', 1024), 'true');
}

forEachTransport('errors', (adapter) => {
  describe('launch', () => {
    it('a scenario with errors fails launch naming the first error short (file:line:col), all of them on stderr, and the session goes on', async () => {
      const c = await adapter.open();
      const file = writeScenario('broken.sflow', BROKEN);
      await c.initialize();
      const message = await c.fails('launch', { program: file });
      const diagnostics = [
        `${file}:6:8: error: unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'?`,
        `${file}:7:12: error: unknown name 'nosuch'`,
      ];
      assert.strictEqual(
        message,
        "broken.sflow:6:8: unknown PSCI function 'SYSTEM_SUSPNED'; did you mean 'SYSTEM_SUSPEND'? (and 1 more error)",
      );
      const stderr = c
        .drain<DebugProtocol.OutputEvent>('output')
        .filter((e) => e.body.category === 'stderr')
        .map((e) => e.body.output);
      assert.deepStrictEqual(
        stderr,
        diagnostics.map((d) => d + '\n'),
      );
      assert.deepStrictEqual(await c.threads(), []);
      assert.deepStrictEqual(c.drain('initialized'), []);
      // The same session launches a good scenario afterwards.
      await c.ok('launch', { program: KVM, stopOnEntry: true });
      await c.event('initialized');
      await c.ok('configurationDone');
      assert.strictEqual((await c.stopped()).body.reason, 'entry');
    });

    it('a scenario with only warnings launches', async () => {
      const c = await adapter.open();
      const file = writeScenario('warnings.sflow', WARNINGS);
      const stop = await c.launch({ program: file });
      assert.strictEqual(stop.body.description, 'End of scenario');
      assert.match(stop.body.text!, /^finished at 0\.002000 ms, \d+ events, trace [0-9a-f]{16}: PASS$/);
      assert.strictEqual(await c.evaluate('x1', 'watch', 1024), '0x1');
    });

    it('a message quoting what the client sent is at most a line long', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      const long = 'n'.repeat(20_000);
      for (const [command, args] of [
        ['evaluate', { expression: long, context: 'hover', frameId: 1024 }],
        [long.slice(0, 2500), {}],
      ] as const) {
        const message = await c.fails(command, args);
        assert.ok(message.length <= 400, `${message.length} characters`);
      }
    });

    it('bad or missing launch arguments are answered with what is wrong', async () => {
      const c = await adapter.open();
      await c.initialize();
      assert.strictEqual(await c.fails('launch', {}), "launch needs 'program': the path of a .sflow scenario");
      assert.strictEqual(
        await c.fails('launch', { program: '' }),
        "launch needs 'program': the path of a .sflow scenario",
      );
      assert.strictEqual(await c.fails('launch', { program: 42 }), "launch: 'program' should be a string");
      assert.strictEqual(
        await c.fails('launch', { program: '/nonexistent/x.sflow' }),
        'no such file: /nonexistent/x.sflow',
      );
      assert.strictEqual(
        await c.fails('launch', { program: KVM, until: 'soon' }),
        "'until' is a time such as 50ms, not 'soon'",
      );
      for (const seed of [-1, 1.5, 'abc'])
        assert.strictEqual(
          await c.fails('launch', { program: KVM, seed }),
          "launch: 'seed' should be a non-negative integer",
        );
      assert.strictEqual(
        await c.fails('launch', { program: KVM, until: {} }),
        "launch: 'until' should be a string or an integer",
      );
      assert.strictEqual(
        await c.fails('launch', { program: KVM, stopOnEntry: 'yes' }),
        "launch: 'stopOnEntry' should be true or false",
      );
      assert.deepStrictEqual(c.drain('initialized'), []);
    });
  });

  describe('requests out of order', () => {
    it('before launch: each request that needs a scenario says so; the others answer with nothing', async () => {
      const c = await adapter.open();
      await c.initialize();
      const needsLaunch = 'no scenario is running: send launch first';
      for (const [command, args] of [
        ['next', { threadId: 2 }],
        ['stepIn', { threadId: 2 }],
        ['stepOut', { threadId: 2 }],
        ['stepBack', { threadId: 2 }],
        ['continue', { threadId: 2 }],
        ['reverseContinue', { threadId: 2 }],
        ['pause', { threadId: 2 }],
        ['stackTrace', { threadId: 2 }],
        ['scopes', { frameId: 1024 }],
        ['setVariable', { variablesReference: 1000, name: 'x0', value: '1' }],
        ['evaluate', { expression: 'x0', context: 'watch' }],
        ['readMemory', { memoryReference: '0x40000000', count: 4 }],
        ['writeMemory', { memoryReference: '0x40000000', data: 'AA==' }],
        ['goto', { threadId: 2, targetId: 1 }],
        ['gotoTargets', { source: { path: KVM }, line: 30 }],
        ['setFunctionBreakpoints', { breakpoints: [{ name: 'psci' }] }],
        ['setDataBreakpoints', { breakpoints: [] }],
        ['gotoEvent', { seq: 0 }],
        ['trace', {}],
      ] as const) {
        assert.strictEqual(await c.fails(command, args), needsLaunch, command);
      }
      assert.strictEqual(await c.fails('restart', {}), 'nothing to restart: launch first');
      assert.strictEqual(await c.fails('exceptionInfo', { threadId: 2 }), 'not stopped on an exception');
      assert.strictEqual(await c.fails('variables', { variablesReference: 1000 }), 'no variables reference 1000');
      assert.deepStrictEqual((await c.ok<DebugProtocol.ThreadsResponse>('threads')).body.threads, []);
      assert.deepStrictEqual((await c.ok<DebugProtocol.LoadedSourcesResponse>('loadedSources')).body.sources, []);
      assert.deepStrictEqual(
        (
          await c.ok<DebugProtocol.BreakpointLocationsResponse>('breakpointLocations', {
            source: { path: KVM },
            line: 30,
          })
        ).body.breakpoints,
        [],
      );
      const bps = await c.ok<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', {
        source: { path: KVM },
        breakpoints: [{ line: 30 }],
      });
      assert.deepStrictEqual(bps.body.breakpoints, [
        { verified: false, line: 30, message: 'the scenario is not loaded yet' },
      ]);
      const info = await c.ok<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', { name: 'x0' });
      assert.deepStrictEqual(info.body, { dataId: null, description: 'no scenario is running' });
      const completions = await c.ok<DebugProtocol.CompletionsResponse>('completions', { text: 'DEN', column: 4 });
      assert.deepStrictEqual(
        completions.body.targets.map((t) => t.label),
        ['DENIED'],
      );
      await c.ok('configurationDone');
      assert.deepStrictEqual(c.drain('stopped'), []);
    });

    it('exception filters set before launch apply to the launched scenario', async () => {
      const c = await adapter.open();
      await c.initialize();
      await c.ok('setExceptionBreakpoints', { filters: [] });
      await c.ok('launch', { program: RACE });
      await c.event('initialized');
      await c.ok('configurationDone');
      assert.strictEqual(
        (await c.stopped()).body.text,
        'finished at 501.012000 ms, 40 events, trace 4ae2b8de371e96a4, expected violation host-suspended-while-guest-running shown: PASS',
      );
    });

    it('unknown and unsupported requests are answered with an error', async () => {
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      assert.strictEqual(await c.fails('nosuchCommand', { a: 1 }), "unknown request 'nosuchCommand'");
      assert.strictEqual(await c.fails('', {}), "unknown request ''");
      // Requests the adapter does not announce are still answered.
      for (const command of ['attach', 'restartFrame', 'stepInTargets', 'disassemble', 'modules']) {
        const r = await c.raw(command, { frameId: 1024, memoryReference: '0x40080000', instructionCount: 4 });
        assert.strictEqual(r.command, command);
      }
      // The session is unharmed.
      assert.strictEqual((await c.top(2)).line, 30);
    });
  });

  describe('fuzz', () => {
    it('answers every malformed request before launch, and works afterwards', async function () {
      this.timeout(30_000);
      const c = await adapter.open();
      const answers = await fuzz(c);
      assert.strictEqual(answers.length, COMMANDS.length * ARGUMENTS.length);
      assert.ok(answers.filter((a) => !a.response.success).length > COMMANDS.length * 5, 'most of them fail');
      await c.launch({ program: KVM, stopOnEntry: true });
      await stillWorks(c);
    });

    it('answers every malformed request while stopped in a scenario, and works afterwards', async function () {
      this.timeout(30_000);
      const c = await adapter.open();
      await c.launch({ program: KVM, stopOnEntry: true });
      const answers = await fuzz(c);
      assert.strictEqual(answers.length, COMMANDS.length * ARGUMENTS.length);
      // Named problems, not crashes: no answer is a bare JavaScript error.
      const messages = answers.filter((a) => !a.response.success).map((a) => a.response.message!);
      assert.ok(messages.some((m) => m === 'no scenario is running: send launch first') === false);
      assert.ok(messages.includes("unknown request 'nosuchCommand'"));
      assert.ok(messages.includes('no thread 1000000000000000'));
      await stillWorks(c);
    });

    it('answers requests while a scenario runs, and survives messages that are not requests at all', async function () {
      this.timeout(30_000);
      const c = await adapter.open();
      const file = writeScenario(
        'spin.sflow',
        `vm guest {\n  hypervisor kvm\n  vcpus 1\n}\nguest.vcpu0 {\n  loop { delay 1us }\n}\n`,
      );
      await c.initialize();
      await c.ok('launch', { program: file });
      await c.event('initialized');
      await c.ok('configurationDone');
      for (const command of [
        'next',
        'stepBack',
        'stackTrace',
        'scopes',
        'evaluate',
        'setVariable',
        'goto',
        'readMemory',
        'trace',
      ]) {
        const args = {
          threadId: 2,
          frameId: 1024,
          expression: 'x0',
          targetId: 1,
          variablesReference: 1,
          name: 'x1',
          value: '1',
          memoryReference: '0x40000000',
          count: 4,
        };
        assert.match(
          await c.fails(command, args),
          new RegExp(`^'${command}' needs the scenario stopped; it is running \\(send pause\\)$`),
        );
      }
      // Not JSON, not an object, a response, an event: nothing to answer, and the adapter goes on.
      const inner = c.dc as unknown as { outputStream: { write(s: string): void } };
      for (const body of [
        '{"type":"request","seq":99,"command":',
        'null',
        '[1,2,3]',
        '"text"',
        '{"type":"response","request_seq":1}',
        '{"type":"event","event":"x"}',
        '{"type":"request"}',
      ]) {
        inner.outputStream.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      }
      // Said in the adapter's words, not JavaScript's.
      await new Promise((r) => setTimeout(r, 100));
      const said = c.drain<DebugProtocol.OutputEvent>('output').map((o) => o.body.output);
      for (const line of said) assert.doesNotMatch(line, INTERNAL, line);
      assert.ok(said.includes('ignored a message that is not a DAP request, response or event\n'), said.join(''));
      // (An adapter that took one of them for a fatal error would exit within 100 ms.)
      await new Promise((r) => setTimeout(r, 250));
      await c.ok('pause', { threadId: 2 });
      assert.strictEqual((await c.stopped()).body.reason, 'pause');
      assert.deepStrictEqual(
        (await c.threads()).map((t) => t.name),
        ['host', 'guest.vcpu0'],
      );
      const stop = await c.stepAndStop('next', { threadId: 2 });
      assert.strictEqual(stop.body.reason, 'step');
      assert.strictEqual((await c.top(2)).line, lineOf(file, 'loop { delay 1us }'));
    });
  });
});
