// Params of the wrong type over the wire, for every method the server registers: a request is answered with
// InvalidParams (-32602) and a short message naming the field, never with an internal error or JavaScript's own
// words; a notification is ignored with a warning in the log; and the server goes on answering good requests.
// The messages are sent byte for byte (test/fuzz/lsp-wire.ts), so params can be null, lists, or missing.

import * as assert from 'assert';
import { GOOD_INITIALIZE, INTERNAL_TEXT, WireClient, WireResponse } from '../fuzz/lsp-wire';
import { positionOf } from './client';
import { KVM } from './scenarios';

const URI = 'file:///work/validation.sflow';
const UNKNOWN = 'file:///work/never-opened.sflow';
const DOC = { uri: URI };
const AT = { textDocument: DOC, position: positionOf(KVM, 'AFFINITY_INFO', 0, 3) };
const RANGE = { start: { line: 1, character: 0 }, end: { line: 3, character: 0 } };
const OPTIONS = { tabSize: 2, insertSpaces: true };

/** Every request the server registers, with good params. */
const REQUESTS: Record<string, Record<string, unknown>> = {
  'textDocument/completion': { ...AT, context: { triggerKind: 1 } },
  'textDocument/signatureHelp': { ...AT, context: { triggerKind: 1, isRetrigger: false } },
  'textDocument/hover': AT,
  'textDocument/definition': AT,
  'textDocument/references': { ...AT, context: { includeDeclaration: true } },
  'textDocument/documentHighlight': AT,
  'textDocument/prepareRename': { textDocument: DOC, position: positionOf(KVM, 'again:') },
  'textDocument/rename': { textDocument: DOC, position: positionOf(KVM, 'again:'), newName: 'again2' },
  'textDocument/documentSymbol': { textDocument: DOC },
  'textDocument/semanticTokens/full': { textDocument: DOC },
  'textDocument/formatting': { textDocument: DOC, options: OPTIONS },
  'textDocument/rangeFormatting': { textDocument: DOC, range: RANGE, options: OPTIONS },
  'textDocument/foldingRange': { textDocument: DOC },
  'textDocument/codeAction': { textDocument: DOC, range: RANGE, context: { diagnostics: [] } },
  'textDocument/willSaveWaitUntil': { textDocument: DOC, reason: 1 },
  'suspendFlow/evaluatableExpression': AT,
  'workspace/textDocumentContent': { uri: 'sflow-prelude:/linux.sflow' },
};

const WITH_POSITION = Object.keys(REQUESTS).filter((m) => 'position' in REQUESTS[m]);
const WITH_DOCUMENT = Object.keys(REQUESTS).filter((m) => 'textDocument' in REQUESTS[m]);
const WITH_RANGE = Object.keys(REQUESTS).filter((m) => 'range' in REQUESTS[m]);

/** `{ ...params }` with the value at a dotted path replaced (undefined: removed). */
function withField(params: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(params);
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  if (value === undefined) delete at[keys[keys.length - 1]];
  else at[keys[keys.length - 1]] = value;
  return copy;
}

interface Bad {
  method: string;
  params?: unknown;
  omit?: boolean;
  message: string;
}

/** Each kind of bad params for every method it applies to, with the message it must be answered with. */
function badRequests(): Bad[] {
  const out: Bad[] = [];
  for (const method of Object.keys(REQUESTS)) {
    const good = REQUESTS[method];
    out.push({ method, params: null, message: 'params must be an object, not null' });
    out.push({ method, params: 5, message: 'params must be an object, not 5' });
    out.push({ method, params: 'hover', message: 'params must be an object, not "hover"' });
    out.push({ method, params: true, message: 'params must be an object, not true' });
    // JSON-RPC's own checks, before the schemas: params by position, and none at all.
    out.push({
      method,
      params: [good],
      message: `Request ${method} defines parameters by name but received parameters by position`,
    });
    out.push({ method, omit: true, message: `Request ${method} defines 1 params but received none.` });
    const first = Object.keys(good)[0];
    out.push({ method, params: {}, message: `'${first}' is missing` });
  }
  for (const method of WITH_DOCUMENT) {
    const good = REQUESTS[method];
    out.push({
      method,
      params: withField(good, 'textDocument', null),
      message: "'textDocument' must be an object, not null",
    });
    out.push({
      method,
      params: withField(good, 'textDocument', URI),
      message: `'textDocument' must be an object, not "${URI}"`,
    });
    out.push({ method, params: withField(good, 'textDocument', {}), message: "'textDocument.uri' is missing" });
    out.push({
      method,
      params: withField(good, 'textDocument.uri', 5),
      message: "'textDocument.uri' must be a string, not 5",
    });
    out.push({
      method,
      params: withField(good, 'textDocument.uri', { path: URI }),
      message: "'textDocument.uri' must be a string, not an object",
    });
    out.push({
      method,
      params: withField(good, 'textDocument.uri', 'sflow-prelude:/%E0%A4%A'),
      message: '\'textDocument.uri\' is not a URI (bad percent-encoding): "sflow-prelude:/%E0%A4%A"',
    });
  }
  for (const method of WITH_POSITION) {
    const good = REQUESTS[method];
    out.push({ method, params: withField(good, 'position', undefined), message: "'position' is missing" });
    out.push({ method, params: withField(good, 'position', null), message: "'position' must be an object, not null" });
    out.push({
      method,
      params: withField(good, 'position', [20, 4]),
      message: "'position' must be an object, not a list",
    });
    out.push({ method, params: withField(good, 'position.line', undefined), message: "'position.line' is missing" });
    out.push({
      method,
      params: withField(good, 'position.character', undefined),
      message: "'position.character' is missing",
    });
    out.push({
      method,
      params: withField(good, 'position.line', -1),
      message: "'position.line' must be an integer from 0 to 2147483647, not -1",
    });
    out.push({
      method,
      params: withField(good, 'position.line', '20'),
      message: '\'position.line\' must be an integer from 0 to 2147483647, not "20"',
    });
    out.push({
      method,
      params: withField(good, 'position.character', 1.5),
      message: "'position.character' must be an integer from 0 to 2147483647, not 1.5",
    });
    out.push({
      method,
      params: withField(good, 'position.character', 2 ** 31),
      message: "'position.character' must be an integer from 0 to 2147483647, not 2147483648",
    });
    out.push({
      method,
      params: withField(good, 'position.line', 1e300),
      message: "'position.line' must be an integer from 0 to 2147483647, not 1e+300",
    });
    out.push({
      method,
      params: withField(good, 'position.line', null),
      message: "'position.line' must be an integer from 0 to 2147483647, not null",
    });
  }
  for (const method of WITH_RANGE) {
    const good = REQUESTS[method];
    out.push({
      method,
      params: withField(good, 'range', { start: { line: 3, character: 0 }, end: { line: 1, character: 5 } }),
      message: "'range.end' (1:5) is before 'range.start' (3:0)",
    });
    out.push({
      method,
      params: withField(good, 'range', { start: { line: 3, character: 7 }, end: { line: 3, character: 2 } }),
      message: "'range.end' (3:2) is before 'range.start' (3:7)",
    });
    out.push({ method, params: withField(good, 'range.start', undefined), message: "'range.start' is missing" });
    out.push({
      method,
      params: withField(good, 'range.end.character', -3),
      message: "'range.end.character' must be an integer from 0 to 2147483647, not -3",
    });
    out.push({ method, params: withField(good, 'range', 'all'), message: '\'range\' must be an object, not "all"' });
  }
  for (const method of ['textDocument/formatting', 'textDocument/rangeFormatting']) {
    const good = REQUESTS[method];
    out.push({ method, params: withField(good, 'options', undefined), message: "'options' is missing" });
    out.push({ method, params: withField(good, 'options', 2), message: "'options' must be an object, not 2" });
    out.push({
      method,
      params: withField(good, 'options.tabSize', '2'),
      message: '\'options.tabSize\' must be an integer from 0 to 2147483647, not "2"',
    });
    out.push({
      method,
      params: withField(good, 'options.tabSize', -4),
      message: "'options.tabSize' must be an integer from 0 to 2147483647, not -4",
    });
    out.push({
      method,
      params: withField(good, 'options.insertSpaces', 'yes'),
      message: '\'options.insertSpaces\' must be true or false, not "yes"',
    });
    out.push({
      method,
      params: withField(good, 'options.insertSpaces', undefined),
      message: "'options.insertSpaces' is missing",
    });
    out.push({
      method,
      params: withField(good, 'options.trimTrailingWhitespace', 1),
      message: "'options.trimTrailingWhitespace' must be true or false, not 1",
    });
    out.push({
      method,
      params: withField(good, 'options.custom', { a: 1 }),
      message: "'options.custom' must be true, false, an integer or a string, not an object",
    });
  }
  const completion = REQUESTS['textDocument/completion'];
  out.push({
    method: 'textDocument/completion',
    params: withField(completion, 'context.triggerKind', 9),
    message: "'context.triggerKind' must be 1, 2 or 3, not 9",
  });
  out.push({
    method: 'textDocument/completion',
    params: withField(completion, 'context.triggerCharacter', 46),
    message: "'context.triggerCharacter' must be a string, not 46",
  });
  out.push({
    method: 'textDocument/completion',
    params: withField(completion, 'context', null),
    message: "'context' must be an object, not null",
  });
  const signature = REQUESTS['textDocument/signatureHelp'];
  out.push({
    method: 'textDocument/signatureHelp',
    params: withField(signature, 'context.isRetrigger', undefined),
    message: "'context.isRetrigger' is missing",
  });
  out.push({
    method: 'textDocument/signatureHelp',
    params: withField(signature, 'context.activeSignatureHelp', { signatures: 3 }),
    message: "'context.activeSignatureHelp.signatures' must be a list, not 3",
  });
  const references = REQUESTS['textDocument/references'];
  out.push({
    method: 'textDocument/references',
    params: withField(references, 'context', undefined),
    message: "'context' is missing",
  });
  out.push({
    method: 'textDocument/references',
    params: withField(references, 'context.includeDeclaration', 'yes'),
    message: '\'context.includeDeclaration\' must be true or false, not "yes"',
  });
  const rename = REQUESTS['textDocument/rename'];
  out.push({
    method: 'textDocument/rename',
    params: withField(rename, 'newName', 5),
    message: "'newName' must be a string, not 5",
  });
  out.push({
    method: 'textDocument/rename',
    params: withField(rename, 'newName', undefined),
    message: "'newName' is missing",
  });
  const action = REQUESTS['textDocument/codeAction'];
  const diagnostic = { range: RANGE, message: 'm', data: { fixes: [{ title: 't', range: RANGE, newText: 'x' }] } };
  out.push({
    method: 'textDocument/codeAction',
    params: withField(action, 'context', undefined),
    message: "'context' is missing",
  });
  out.push({
    method: 'textDocument/codeAction',
    params: withField(action, 'context.diagnostics', {}),
    message: "'context.diagnostics' must be a list, not an object",
  });
  out.push({
    method: 'textDocument/codeAction',
    params: withField(action, 'context.diagnostics', [{ ...diagnostic, message: 5 }]),
    message: "'context.diagnostics[0].message' must be a string, not 5",
  });
  out.push({
    method: 'textDocument/codeAction',
    params: withField(action, 'context.diagnostics', [diagnostic, { ...diagnostic, severity: 7 }]),
    message: "'context.diagnostics[1].severity' must be 1, 2, 3 or 4, not 7",
  });
  out.push({
    method: 'textDocument/codeAction',
    params: withField(action, 'context.diagnostics', [{ ...diagnostic, data: { fixes: 'x' } }]),
    message: '\'context.diagnostics[0].data.fixes\' must be a list, not "x"',
  });
  out.push({
    method: 'textDocument/codeAction',
    params: withField(action, 'context.diagnostics', [
      { ...diagnostic, data: { fixes: [{ title: 't', newText: 'x' }] } },
    ]),
    message: "'context.diagnostics[0].data.fixes[0].range' is missing",
  });
  out.push({
    method: 'textDocument/codeAction',
    params: withField(action, 'context.only', 'quickfix'),
    message: '\'context.only\' must be a list, not "quickfix"',
  });
  out.push({
    method: 'textDocument/willSaveWaitUntil',
    params: withField(REQUESTS['textDocument/willSaveWaitUntil'], 'reason', 7),
    message: "'reason' must be 1, 2 or 3, not 7",
  });
  out.push({ method: 'workspace/textDocumentContent', params: { uri: 5 }, message: "'uri' must be a string, not 5" });
  out.push({
    method: 'workspace/textDocumentContent',
    params: { uri: 'sflow-prelude:/%zz' },
    message: '\'uri\' is not a URI (bad percent-encoding): "sflow-prelude:/%zz"',
  });
  out.push({
    method: 'textDocument/hover',
    params: { ...AT, workDoneToken: { id: 1 } },
    message: "'workDoneToken' must be an integer or a string, not an object",
  });
  return out;
}

/** The response is an InvalidParams error with exactly this message. */
function assertInvalid(r: WireResponse, bad: Bad): void {
  const what = `${bad.method} ${bad.omit ? '(no params)' : JSON.stringify(bad.params)}`;
  assert.ok(r.error, `${what} answered ${JSON.stringify(r.result)?.slice(0, 200)}`);
  assert.strictEqual(r.error.code, -32602, `${what}: ${r.error.message}`);
  assert.strictEqual(r.error.message, bad.message, what);
  assert.doesNotMatch(r.error.message, INTERNAL_TEXT, what);
}

describe('language server: params of the wrong type', function () {
  let client: WireClient;

  before(async function () {
    this.timeout(60_000);
    client = await WireClient.start();
    await client.open(URI, KVM);
  });
  after(async () => {
    await client?.stop();
  });

  /** Every registered request answers its good params (a result, or the feature's own error for rename). */
  async function goodRequestsWork(): Promise<void> {
    for (const [method, params] of Object.entries(REQUESTS)) {
      const r = await client.request(method, params);
      assert.strictEqual(r.error, undefined, `${method}: ${JSON.stringify(r.error)}`);
    }
    const hover = await client.request('textDocument/hover', AT);
    assert.match(JSON.stringify(hover.result), /PSCI|SYSTEM_SUSPEND|AFFINITY/);
  }

  it('every registered request answers good params', async function () {
    this.timeout(30_000);
    await goodRequestsWork();
  });

  it('answers each kind of bad params for every request with InvalidParams naming the field', async function () {
    this.timeout(60_000);
    const cases = badRequests();
    assert.ok(cases.length > 250, `${cases.length} cases`);
    for (const bad of cases) assertInvalid(await client.request(bad.method, bad.params, { omit: bad.omit }), bad);
    assert.ok(client.alive);
    await goodRequestsWork();
    // No feature threw on the way (a throw is logged as an error).
    assert.deepStrictEqual(
      client.logs().filter((l) => / failed: /.test(l)),
      [],
    );
  });

  it('answers well-formed params about a document that is not open with the empty answer', async function () {
    this.timeout(30_000);
    const empty: Record<string, unknown> = {
      'textDocument/completion': null,
      'textDocument/signatureHelp': null,
      'textDocument/hover': null,
      'textDocument/definition': [],
      'textDocument/references': [],
      'textDocument/documentHighlight': [],
      'textDocument/prepareRename': null,
      'textDocument/rename': null,
      'textDocument/documentSymbol': [],
      'textDocument/semanticTokens/full': { data: [] },
      'textDocument/formatting': [],
      'textDocument/rangeFormatting': [],
      'textDocument/foldingRange': [],
      'textDocument/codeAction': [],
      'textDocument/willSaveWaitUntil': [],
      'suspendFlow/evaluatableExpression': null,
    };
    for (const method of WITH_DOCUMENT) {
      for (const uri of [UNKNOWN, 'sflow-prelude:/nothing.sflow', '', 'not a uri at all']) {
        const r = await client.request(method, withField(REQUESTS[method], 'textDocument.uri', uri));
        assert.deepStrictEqual([r.error, r.result], [undefined, empty[method]], `${method} ${uri}`);
      }
    }
    const content = await client.request('workspace/textDocumentContent', { uri: 'sflow-prelude:/nothing.sflow' });
    assert.deepStrictEqual([content.error, content.result], [undefined, null]);
  });

  it('answers bad params in a burst, interleaved with good requests, each good one correctly', async function () {
    this.timeout(60_000);
    const cases = badRequests();
    const answers = await Promise.all(
      cases.flatMap((bad) => [
        client.request(bad.method, bad.params, { omit: bad.omit }),
        client.request('textDocument/foldingRange', { textDocument: DOC }),
      ]),
    );
    for (let i = 0; i < cases.length; i++) {
      assertInvalid(answers[2 * i], cases[i]);
      assert.ok(Array.isArray(answers[2 * i + 1].result) && (answers[2 * i + 1].result as unknown[]).length > 3);
    }
  });

  it('ignores bad notifications with a warning naming the field, and keeps the document as it was', async function () {
    this.timeout(30_000);
    const item = { uri: URI, languageId: 'suspend-flow', version: 5, text: 'vm x {' };
    const bad: [string, unknown, string][] = [
      ['textDocument/didOpen', null, 'params must be an object, not null'],
      ['textDocument/didOpen', { textDocument: { ...item, text: 5 } }, "'textDocument.text' must be a string, not 5"],
      [
        'textDocument/didOpen',
        { textDocument: { ...item, version: '5' } },
        '\'textDocument.version\' must be an integer, not "5"',
      ],
      ['textDocument/didOpen', { textDocument: { ...item, uri: undefined } }, "'textDocument.uri' is missing"],
      [
        'textDocument/didChange',
        {
          textDocument: { uri: URI, version: 9 },
          contentChanges: [{ range: { start: { line: 5, character: 0 }, end: { line: 2, character: 0 } }, text: 'x' }],
        },
        "'contentChanges[0].range.end' (2:0) is before 'contentChanges[0].range.start' (5:0)",
      ],
      [
        'textDocument/didChange',
        { textDocument: { uri: URI, version: null }, contentChanges: [{ text: 'x' }] },
        "'textDocument.version' must be an integer, not null",
      ],
      [
        'textDocument/didChange',
        { textDocument: { uri: URI, version: 9 }, contentChanges: { text: 'x' } },
        "'contentChanges' must be a list, not an object",
      ],
      [
        'textDocument/didChange',
        { textDocument: { uri: URI, version: 9 }, contentChanges: [{ text: 'x' }, { text: null }] },
        "'contentChanges[1].text' must be a string, not null",
      ],
      [
        'textDocument/didChange',
        { textDocument: { uri: URI, version: 9 }, contentChanges: [{ range: RANGE, rangeLength: -1, text: '' }] },
        "'contentChanges[0].rangeLength' must be an integer from 0 to 2147483647, not -1",
      ],
      ['textDocument/didClose', { textDocument: 'x' }, '\'textDocument\' must be an object, not "x"'],
      ['textDocument/didClose', 42, 'params must be an object, not 42'],
      ['textDocument/willSave', { textDocument: DOC, reason: 0 }, "'reason' must be 1, 2 or 3, not 0"],
      ['textDocument/didSave', { textDocument: DOC, text: 3 }, "'text' must be a string, not 3"],
      ['$/setTrace', { value: 5 }, '\'value\' must be "off", "messages" or "verbose", not 5'],
      ['$/setTrace', null, 'params must be an object, not null'],
    ];
    const logged = client.notifications.length;
    for (const [method, params] of bad) client.notify(method, params);
    client.notify('textDocument/didOpen', undefined, { omit: true });
    const symbols = await client.request('textDocument/documentSymbol', { textDocument: DOC });
    const logs = client.notifications
      .slice(logged)
      .filter((n) => n.method === 'window/logMessage')
      .map((n) => (n.params as { message: string }).message);
    assert.deepStrictEqual(logs, [
      ...bad.map(([method, , problem]) => `ignored ${method}: ${problem}`),
      'ignored textDocument/didOpen: params must be an object, not missing',
    ]);
    // The document is still open, unchanged, and no diagnostics were published for any of it.
    assert.strictEqual((symbols.result as unknown[]).length, 5);
    assert.deepStrictEqual(
      client.notifications.slice(logged).filter((n) => n.method === 'textDocument/publishDiagnostics'),
      [],
    );
    await goodRequestsWork();
  });

  it('answers a bad initialize with InvalidParams, and a good one afterwards', async function () {
    this.timeout(30_000);
    const fresh = await WireClient.start(undefined);
    try {
      const bad: [unknown, string][] = [
        [null, 'params must be an object, not null'],
        [7, 'params must be an object, not 7'],
        [{}, "'processId' is missing"],
        [{ processId: 'me', capabilities: {} }, '\'processId\' must be an integer, not "me"'],
        [{ processId: null }, "'capabilities' is missing"],
        [{ processId: null, capabilities: 5 }, "'capabilities' must be an object, not 5"],
        [
          { processId: null, capabilities: { workspace: true } },
          "'capabilities.workspace' must be an object, not true",
        ],
        [{ processId: null, capabilities: {}, rootUri: 5 }, "'rootUri' must be a string, not 5"],
        [
          { processId: null, capabilities: {}, trace: 'loud' },
          '\'trace\' must be "off", "messages", "compact" or "verbose", not "loud"',
        ],
        [
          { processId: null, capabilities: {}, workspaceFolders: [{ uri: 'file:///w' }] },
          "'workspaceFolders[0].name' is missing",
        ],
        [{ processId: null, capabilities: {}, clientInfo: 'code' }, '\'clientInfo\' must be an object, not "code"'],
      ];
      for (const [params, message] of bad) {
        const r = await fresh.request('initialize', params);
        assert.deepStrictEqual([r.error?.code, r.error?.message], [-32602, message], JSON.stringify(params));
      }
      const none = await fresh.request('initialize', undefined, { omit: true });
      assert.deepStrictEqual(
        [none.error?.code, none.error?.message],
        [-32602, 'params must be an object, not missing'],
      );
      const good = await fresh.request('initialize', GOOD_INITIALIZE);
      assert.strictEqual(good.error, undefined);
      assert.strictEqual(
        (good.result as { serverInfo: { name: string } }).serverInfo.name,
        'suspend-flow-language-server',
      );
      fresh.notify('initialized', {});
      await fresh.open(URI, KVM);
      const hover = await fresh.request('textDocument/hover', AT);
      assert.match(JSON.stringify(hover.result), /AFFINITY/);
    } finally {
      await fresh.stop();
    }
  });

  it('survives messages that are not requests, broken JSON and unknown methods', async function () {
    this.timeout(30_000);
    for (const body of [
      '{"jsonrpc":"2.0","id":',
      'null',
      '[1,2]',
      '"x"',
      '{}',
      '{"jsonrpc":"2.0","id":99999,"result":1}',
      '{"jsonrpc":"2.0","method":5}',
    ])
      client.writeRaw(body);
    const unknown = await client.request('nosuch/method', {});
    assert.strictEqual(unknown.error?.code, -32601);
    client.notify('$/cancelRequest', null);
    client.notify('$/cancelRequest', { id: { x: 1 } });
    client.notify('nosuch/notification', null);
    await goodRequestsWork();
    assert.ok(client.alive);
  });
});
