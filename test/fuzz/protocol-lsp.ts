// Random and wrongly typed LSP traffic at the wire (lsp-wire.ts) against the bundled server: documents opened and
// edited with fuzzed texts, every request the server registers with plausible, perturbed or random params, and
// notifications of every kind. Every request must be answered within the hang limit; an error must be one the
// protocol expects (-32602 invalid params, -32601 unknown method, -32600 a feature's refusal, -32800 cancelled),
// never -32603 (a feature threw), with a short message and no JavaScript in it; every range in an answer and in
// the published diagnostics lies inside the document; and a good request works after each session.

import { TextDocument } from 'vscode-languageserver-textdocument';
import { mutated } from './inputs';
import { WireClient, WireResponse } from './lsp-wire';
import { Rng } from './rng';
import { INTERNAL_TEXT, Lines } from './targets';

export interface ProtocolFinding {
  kind: 'crash' | 'hang' | 'internal' | 'invariant';
  message: string;
  /** the message sent (or a description), for the report */
  sent: string;
  session: number;
}

export interface ProtocolStats {
  messages: number;
  findings: ProtocolFinding[];
}

const HANG_MS = 5000;

const REQUESTS = [
  'textDocument/completion',
  'textDocument/signatureHelp',
  'textDocument/hover',
  'textDocument/definition',
  'textDocument/references',
  'textDocument/documentHighlight',
  'textDocument/prepareRename',
  'textDocument/rename',
  'textDocument/documentSymbol',
  'textDocument/semanticTokens/full',
  'textDocument/formatting',
  'textDocument/rangeFormatting',
  'textDocument/foldingRange',
  'textDocument/codeAction',
  'textDocument/willSaveWaitUntil',
  'suspendFlow/evaluatableExpression',
  'workspace/textDocumentContent',
  'initialize',
  'shutdownX',
  'nosuch/request',
  '$/suspendFlow/invalidParams',
];
const NOTIFICATIONS = [
  'textDocument/didOpen',
  'textDocument/didChange',
  'textDocument/didClose',
  'textDocument/didSave',
  'textDocument/willSave',
  '$/setTrace',
  '$/cancelRequest',
  'workspace/didChangeConfiguration',
  'initialized',
  '$/suspendFlow/ignoredNotification',
];
const EXPECTED_ERRORS = new Set([-32602, -32601, -32600, -32800, -32801]);

interface Doc {
  uri: string;
  version: number;
  doc: TextDocument;
}

function junk(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 1 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.pick([true, false]);
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 31, 2 ** 53, -1e300, 1e300, 7]);
    case 3:
      return rng.pick([
        '',
        'x',
        'file:///x.sflow',
        'sflow-prelude:/linux.sflow',
        '%E0%A4',
        'a'.repeat(rng.range(10, 5000)),
      ]);
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return Array.from({ length: rng.int(3) }, () => junk(rng, depth + 1));
    default:
      return Object.fromEntries(
        ['line', 'character', 'uri', 'textDocument', 'position', 'range', 'text']
          .filter(() => rng.chance(0.3))
          .map((k) => [k, junk(rng, depth + 1)]),
      );
  }
}

/** Replaces a random leaf or branch of a plausible value with junk. */
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

function position(doc: TextDocument | undefined, rng: Rng): { line: number; character: number } {
  if (!doc || rng.chance(0.1)) return { line: rng.int(200), character: rng.int(300) };
  return doc.positionAt(rng.int(doc.getText().length + 1));
}

function rangeIn(doc: TextDocument | undefined, rng: Rng) {
  const a = position(doc, rng);
  const b = position(doc, rng);
  return a.line < b.line || (a.line === b.line && a.character <= b.character)
    ? { start: a, end: b }
    : { start: b, end: a };
}

function plausible(method: string, docs: Doc[], rng: Rng): unknown {
  const d = docs.length && rng.chance(0.9) ? rng.pick(docs) : undefined;
  const uri = d?.uri ?? rng.pick(['file:///fuzz/unknown.sflow', 'sflow-prelude:/linux.sflow', 'untitled:Untitled-1']);
  const textDocument = { uri };
  const at = { textDocument, position: position(d?.doc, rng) };
  const options = { tabSize: rng.pick([2, 4, 8]), insertSpaces: rng.chance(0.8) };
  switch (method) {
    case 'textDocument/completion':
      return {
        ...at,
        context: rng.pick([
          { triggerKind: 1 },
          { triggerKind: 2, triggerCharacter: rng.pick(['.', ' ', '=', ':']) },
          { triggerKind: 3 },
        ]),
      };
    case 'textDocument/signatureHelp':
      return { ...at, context: { triggerKind: 1, isRetrigger: rng.chance(0.3) } };
    case 'textDocument/references':
      return { ...at, context: { includeDeclaration: rng.chance(0.5) } };
    case 'textDocument/rename':
      return { ...at, newName: rng.pick(['renamed', 'x1', 'a.b', '', '9', 'vcpu0', 'new_name']) };
    case 'textDocument/documentSymbol':
    case 'textDocument/semanticTokens/full':
    case 'textDocument/foldingRange':
      return { textDocument };
    case 'textDocument/formatting':
      return { textDocument, options };
    case 'textDocument/rangeFormatting':
      return { textDocument, range: rangeIn(d?.doc, rng), options };
    case 'textDocument/codeAction': {
      const range = rangeIn(d?.doc, rng);
      const diagnostics = rng.chance(0.5)
        ? [
            {
              range,
              message: "unknown name 'x'",
              code: 'unknown-name',
              data: { fixes: [{ title: 'fix', range, newText: 'y' }] },
            },
          ]
        : [];
      return { textDocument, range, context: { diagnostics } };
    }
    case 'textDocument/willSaveWaitUntil':
      return { textDocument, reason: 1 };
    case 'workspace/textDocumentContent':
      return { uri: rng.pick(['sflow-prelude:/linux.sflow', 'sflow-prelude:/nothing.sflow', uri]) };
    case 'initialize':
      return { processId: null, capabilities: {}, rootUri: null };
    default:
      return at;
  }
}

/** Checks every {start, end} range in an answer about `doc` lies inside it. */
function rangesInside(value: unknown, lines: Lines, path: string, depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null || depth > 30) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.uri === 'string' && v.uri !== path) return undefined;
  if (v.start && v.end && typeof v.start === 'object' && typeof v.end === 'object') {
    const bad = lines.range(v as never);
    if (bad) return `range ${JSON.stringify(v)}: ${bad}`;
  }
  for (const [k, child] of Object.entries(v)) {
    if (k === 'changes' && child && typeof child === 'object') {
      for (const [u, edits] of Object.entries(child))
        if (u === path)
          for (const e of edits as unknown[]) {
            const bad = rangesInside(e, lines, path, depth + 1);
            if (bad) return bad;
          }
      continue;
    }
    const bad = rangesInside(child, lines, path, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/** One session: a fresh server, `count` messages, then a good request. */
export async function lspSession(
  seed: number,
  count: number,
  session: number,
  serverPath?: string,
): Promise<ProtocolStats> {
  const rng = new Rng(seed);
  const findings: ProtocolFinding[] = [];
  const find = (kind: ProtocolFinding['kind'], message: string, sent: string) =>
    findings.push({ kind, message, sent: sent.slice(0, 600), session });
  let messages = 0;
  const client = await WireClient.start(undefined, serverPath);
  const docs: Doc[] = [];
  const byUri = new Map<string, Doc>();
  /** the text of each version of each document sent, for checking the diagnostics published for it */
  const versions = new Map<string, string>();
  const lastVersion = new Map<string, number>();
  /** uri@version pairs a perturbed change used: the server's text of that version is not ours */
  const tainted = new Set<string>();
  const remember = (d: Doc) => {
    lastVersion.set(d.uri, d.version);
    if (versions.size < 2000 && !tainted.has(`${d.uri}@${d.version}`))
      versions.set(`${d.uri}@${d.version}`, d.doc.getText());
  };
  try {
    const init = await client.request(
      'initialize',
      rng.chance(0.3)
        ? junk(rng)
        : {
            processId: null,
            capabilities: rng.chance(0.5)
              ? {}
              : { textDocument: { completion: { completionItem: { snippetSupport: true } } } },
            rootUri: null,
          },
    );
    messages++;
    if (init.error) {
      if (!EXPECTED_ERRORS.has(init.error.code))
        find('crash', `initialize: ${init.error.code} ${init.error.message}`, 'initialize');
      await client.request('initialize', { processId: null, capabilities: {} });
    }
    client.notify('initialized', {});

    const open = (text: string) => {
      const uri = rng.pick([
        'file:///fuzz/a.sflow',
        'file:///fuzz/b.sflow',
        'file:///w/lib/linux.sflow',
        'untitled:Untitled-1',
        `file:///fuzz/${rng.int(100)}.sflow`,
      ]);
      // Versions go on rising when a document is opened again, so each names one text.
      const version = (lastVersion.get(uri) ?? 0) + 1;
      const doc = { uri, version, doc: TextDocument.create(uri, 'suspend-flow', version, text) };
      const old = byUri.get(uri);
      if (old) docs.splice(docs.indexOf(old), 1);
      docs.push(doc);
      byUri.set(uri, doc);
      remember(doc);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'suspend-flow', version, text } });
    };
    open(mutated(rng, { cheap: true }).text);

    const pending: Promise<void>[] = [];
    for (let k = 0; k < count; k++) {
      messages++;
      const r = rng.float();
      if (r < 0.2) {
        // A notification: mostly edits of open documents, kept in step with the server's copy when well-formed.
        const method = rng.weighted([
          [6, 'textDocument/didChange'],
          [2, 'textDocument/didOpen'],
          [1, 'textDocument/didClose'],
          [1, 'other'],
        ] as const);
        if (method === 'textDocument/didOpen') open(mutated(rng, { cheap: true }).text);
        else if (method === 'textDocument/didChange' && docs.length) {
          const d = rng.pick(docs);
          const text = d.doc.getText();
          const change = rng.chance(0.15)
            ? { text: mutated(rng, { cheap: true }).text }
            : {
                range: rangeIn(d.doc, rng),
                text: rng.pick([
                  '',
                  ' ',
                  'x',
                  '\n',
                  '}',
                  '{\n',
                  'psci SYSTEM_SUSPEND',
                  '"',
                  '\r\n',
                  '\r',
                  '0xffffffffffffffffff',
                  '((((',
                ]),
              };
          const params = { textDocument: { uri: d.uri, version: d.version + 1 }, contentChanges: [change] };
          if (rng.chance(0.15)) {
            // A perturbed change can still be one the server applies (say, a range edit with its version intact):
            // then the server's text and ours differ. Its version number names no text of ours, and a full-text
            // change at a fresh version brings both copies together again.
            const perturbed = perturb(params, rng) as { textDocument?: { version?: unknown } } | undefined;
            const taken = perturbed?.textDocument?.version;
            if (typeof taken === 'number') tainted.add(`${d.uri}@${taken}`);
            client.notify(method, perturbed);
            do d.version++;
            while (tainted.has(`${d.uri}@${d.version}`));
            d.doc = TextDocument.create(d.uri, 'suspend-flow', d.version, text);
            remember(d);
            client.notify(method, { textDocument: { uri: d.uri, version: d.version }, contentChanges: [{ text }] });
          } else {
            d.version++;
            d.doc = TextDocument.update(d.doc, [change], d.version);
            remember(d);
            client.notify(method, params);
            if (text.length > 200_000) d.doc = TextDocument.create(d.uri, 'suspend-flow', d.version, d.doc.getText());
          }
        } else if (method === 'textDocument/didClose' && docs.length && rng.chance(0.5)) {
          const d = docs.splice(rng.int(docs.length), 1)[0];
          byUri.delete(d.uri);
          client.notify(method, { textDocument: { uri: d.uri } });
        } else {
          const m = rng.pick(NOTIFICATIONS);
          const params = rng.chance(0.5)
            ? junk(rng)
            : perturb({ textDocument: { uri: docs[0]?.uri ?? 'file:///x' }, value: 'off', id: 1 }, rng);
          if (m === 'textDocument/didOpen' || m === 'textDocument/didChange' || m === 'textDocument/didClose') {
            // Broken on purpose: the server must ignore it (our copy stays as it is).
            client.notify(m, perturb({ textDocument: { uri: 'file:///fuzz/broken.sflow', version: 'x' } }, rng));
          } else client.notify(m, params);
        }
        continue;
      }
      if (r < 0.23) {
        client.writeRaw(
          rng.pick([
            '{',
            'null',
            '[]',
            '"x"',
            '{"jsonrpc":"2.0"}',
            '{"jsonrpc":"2.0","id":{},"method":"textDocument/hover"}',
            '{"jsonrpc":"2.0","id":1e999,"method":"x"}',
            '{"jsonrpc":"2.0","method":null}',
          ]),
        );
        continue;
      }
      const method = rng.pick(REQUESTS);
      const shape = rng.float();
      const params =
        shape < 0.55
          ? plausible(method, docs, rng)
          : shape < 0.9
            ? perturb(plausible(method, docs, rng), rng)
            : junk(rng);
      const omit = rng.chance(0.02);
      const sent = `${method} ${omit ? '(no params)' : JSON.stringify(params)}`;
      const target =
        params && typeof params === 'object'
          ? (params as { textDocument?: { uri?: unknown } }).textDocument?.uri
          : undefined;
      const snapshot = typeof target === 'string' ? byUri.get(target) : undefined;
      const lines = snapshot ? new Lines(snapshot.doc.getText()) : undefined;
      const t0 = Date.now();
      const answered = client.request(method, params, { omit, timeout: HANG_MS * 2 }).then(
        (res: WireResponse) => {
          const ms = Date.now() - t0;
          if (ms > HANG_MS) find('hang', `${method} answered after ${ms} ms`, sent);
          if (res.error) {
            if (res.error.code === -32603 || !EXPECTED_ERRORS.has(res.error.code))
              find('crash', `${method}: error ${res.error.code}: ${res.error.message.slice(0, 200)}`, sent);
            if (INTERNAL_TEXT.test(res.error.message))
              find('internal', `${method}: ${res.error.message.slice(0, 200)}`, sent);
            if (res.error.message.length > 600)
              find('invariant', `${method}: an error message of ${res.error.message.length} characters`, sent);
          } else if (lines && snapshot && method !== 'workspace/textDocumentContent') {
            const bad = rangesInside(res.result, lines, snapshot.uri);
            if (bad) find('invariant', `${method}: ${bad}`, sent);
          }
          if (res.result !== undefined && INTERNAL_TEXT.test(JSON.stringify(res.result) ?? ''))
            find('internal', `${method}: an answer with ${INTERNAL_TEXT.exec(JSON.stringify(res.result))![0]}`, sent);
        },
        (e: Error) => {
          find(client.alive ? 'hang' : 'crash', `${method}: ${e.message}`, sent);
        },
      );
      pending.push(answered);
      if (rng.chance(0.7) || pending.length > 20) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending.splice(0));

    // Published diagnostics lie inside the text of the version they are for (checked for the versions we know), and
    // no feature threw (the server logs that as an error).
    // (Waits a moment for the last of them.)
    await new Promise((r) => setTimeout(r, 50));
    let published = 0;
    for (const n of client.notifications) {
      if (n.method === 'textDocument/publishDiagnostics' && published < 1) {
        const p = n.params as { uri: string; version?: number; diagnostics: { range: never; message: string }[] };
        const text = versions.get(`${p.uri}@${p.version}`);
        if (text === undefined) continue;
        const lines = new Lines(text);
        for (const d of p.diagnostics) {
          const bad = lines.range(d.range);
          if (bad) {
            const cr = /\r/.test(text) ? ' (the text has CR line ends)' : '';
            find(
              'invariant',
              `published diagnostic at ${JSON.stringify(d.range)}: ${bad}${cr}`,
              `${p.uri} version ${p.version}: ${JSON.stringify(text.slice(0, 300))}`,
            );
            published++;
            break;
          }
          if (INTERNAL_TEXT.test(d.message))
            find('internal', `published diagnostic says ${d.message.slice(0, 200)}`, `${p.uri} version ${p.version}`);
        }
      }
      if (n.method === 'window/logMessage') {
        const p = n.params as { type?: number; message?: string };
        if (p.type === 1 && / failed: /.test(p.message ?? ''))
          find('crash', `logged: ${String(p.message).split('\n')[0].slice(0, 200)}`, '(log)');
      }
    }
    // A good request afterwards.
    const text =
      'vm g {\n  hypervisor kvm\n  vcpus 1\n}\ng.vcpu0 {\n  psci SYSTEM_SUSPEND entry=back context=1\n  halt\nback:\n  log "ok"\n}\n';
    const uri = 'file:///fuzz/final.sflow';
    await client.open(uri, text, 1, HANG_MS * 2);
    const hover = await client.request(
      'textDocument/hover',
      { textDocument: { uri }, position: { line: 5, character: 8 } },
      { timeout: HANG_MS * 2 },
    );
    if (hover.error || !/SYSTEM_SUSPEND/.test(JSON.stringify(hover.result)))
      find(
        'crash',
        `a good hover afterwards answered ${JSON.stringify(hover.error ?? hover.result).slice(0, 200)}`,
        'textDocument/hover (good)',
      );
  } catch (e) {
    find(
      client.alive ? 'hang' : 'crash',
      `session ${session}: ${(e as Error).message}${client.stderr ? ` (stderr: ${client.stderr.slice(0, 300)})` : ''}`,
      '(session)',
    );
  } finally {
    await client.stop();
  }
  return { messages, findings };
}
