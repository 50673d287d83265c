// The shapes of the params the language server accepts, per method, as the LSP specification (3.17, and 3.18 for
// workspace/textDocumentContent) types them; the server checks every request and notification against these
// before any feature sees them (./server.ts). A check answers with a short sentence naming the first field that
// is wrong (`'position.line' must be an integer from 0 to 2147483647, not -1`), or undefined when the params fit.
//
// Objects may carry fields the schema does not name (the protocol's types are open: work-done tokens, fields of
// newer protocol versions); a field the schema names must have its type when present. An optional field is either
// absent or of its type (null only where the protocol says `| null`).

/** Checks a value found at `path` (for the message); undefined when it fits. */
export type Schema = (value: unknown, path: string) => string | undefined;

/** LSP's uinteger: 0 to 2^31 - 1. */
export const MAX_UINTEGER = 2 ** 31 - 1;

const MAX_SHOWN = 40;

/** A value as a message shows it: short, never the whole of a long string or object. */
export function show(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': {
      const json = JSON.stringify(value);
      return json.length <= MAX_SHOWN ? json : `${json.slice(0, MAX_SHOWN - 2)}…"`;
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
    default:
      return `a ${typeof value}`;
  }
}

const named = (path: string) => (path ? `'${path}'` : 'params');
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const fail = (path: string, what: string, value: unknown) => `${named(path)} must be ${what}, not ${show(value)}`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ------------------------------------------------------------------------------------------ building blocks

export const string: Schema = (v, path) => (typeof v === 'string' ? undefined : fail(path, 'a string', v));

export const boolean: Schema = (v, path) => (typeof v === 'boolean' ? undefined : fail(path, 'true or false', v));

export const integer: Schema = (v, path) => (Number.isSafeInteger(v) ? undefined : fail(path, 'an integer', v));

export const uinteger: Schema = (v, path) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_UINTEGER
    ? undefined
    : fail(path, `an integer from 0 to ${MAX_UINTEGER}`, v);

/** Anything (LSPAny). */
export const any: Schema = () => undefined;

/** One of a few literal values (an enumeration of the protocol). */
export function oneOf(...values: (string | number)[]): Schema {
  const what =
    values.length === 1
      ? show(values[0])
      : `${values.slice(0, -1).map(show).join(', ')} or ${show(values[values.length - 1])}`;
  return (v, path) => (values.includes(v as string | number) ? undefined : fail(path, what, v));
}

/** The value is either of two shapes; the message is the first's unless the value has the second's type. */
export function either(first: Schema, second: Schema, what: string): Schema {
  return (v, path) => {
    const a = first(v, path);
    if (a === undefined) return undefined;
    const b = second(v, path);
    if (b === undefined) return undefined;
    return fail(path, what, v);
  };
}

export function nullable(schema: Schema): Schema {
  return (v, path) => (v === null ? undefined : schema(v, path));
}

/** A list whose every element fits `element` (`path[3].line` in messages). */
export function list(element: Schema, max = Infinity): Schema {
  return (v, path) => {
    if (!Array.isArray(v)) return fail(path, 'a list', v);
    if (v.length > max) return `${named(path)} must have at most ${max} elements, not ${v.length}`;
    for (let i = 0; i < v.length; i++) {
      const problem = element(v[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

/**
 * An object with `required` fields (present, not undefined) and `optional` ones (absent or fitting); `rest`, when
 * given, checks every field not named (an index signature). `also` checks the whole once the fields fit.
 */
export function object(
  required: Record<string, Schema>,
  optional: Record<string, Schema> = {},
  extra: { rest?: Schema; also?: Schema } = {},
): Schema {
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  return (v, path) => {
    if (!isObject(v)) return fail(path, 'an object', v);
    for (const key of Object.keys(required)) {
      const field = join(path, key);
      if (v[key] === undefined) return `'${field}' is missing`;
      const problem = required[key](v[key], field);
      if (problem) return problem;
    }
    for (const key of Object.keys(optional)) {
      if (!(key in v)) continue;
      const problem = optional[key](v[key], join(path, key));
      if (problem) return problem;
    }
    if (extra.rest) {
      for (const key of Object.keys(v)) {
        if (known.has(key)) continue;
        const problem = extra.rest(v[key], join(path, key));
        if (problem) return problem;
      }
    }
    return extra.also?.(v, path);
  };
}

// ------------------------------------------------------------------------------------------ the protocol's types

export const position = object({ line: uinteger, character: uinteger });

export const range = object(
  { start: position, end: position },
  {},
  {
    also: (v, path) => {
      const { start, end } = v as {
        start: { line: number; character: number };
        end: { line: number; character: number };
      };
      const before = end.line < start.line || (end.line === start.line && end.character < start.character);
      return before
        ? `${named(join(path, 'end'))} (${end.line}:${end.character}) is before ${named(join(path, 'start'))} (${start.line}:${start.character})`
        : undefined;
    },
  },
);

/** A URI: a string whose percent-encoding decodes. */
const documentUri: Schema = (v, path) => {
  if (typeof v !== 'string') return fail(path, 'a string', v);
  try {
    decodeURIComponent(v);
    return undefined;
  } catch {
    return `${named(path)} is not a URI (bad percent-encoding): ${show(v)}`;
  }
};
const progressToken = either(integer, string, 'an integer or a string');

/** Work-done and partial-result tokens any request may carry. */
const TOKENS = { workDoneToken: progressToken, partialResultToken: progressToken };

export const textDocumentIdentifier = object({ uri: documentUri });
const versionedTextDocumentIdentifier = object({ uri: documentUri, version: integer });
const textDocumentItem = object({ uri: documentUri, languageId: string, version: integer, text: string });

const textDocumentPosition = (more: Record<string, Schema> = {}, optional: Record<string, Schema> = {}) =>
  object({ textDocument: textDocumentIdentifier, position, ...more }, { ...TOKENS, ...optional });
const textDocumentOnly = object({ textDocument: textDocumentIdentifier }, TOKENS);

const completionContext = object({ triggerKind: oneOf(1, 2, 3) }, { triggerCharacter: string });
const signatureHelpContext = object(
  { triggerKind: oneOf(1, 2, 3), isRetrigger: boolean },
  { triggerCharacter: string, activeSignatureHelp: object({ signatures: list(any) }) },
);

const formattingOptions = object(
  { tabSize: uinteger, insertSpaces: boolean },
  { trimTrailingWhitespace: boolean, insertFinalNewline: boolean, trimFinalNewlines: boolean },
  { rest: either(boolean, either(integer, string, ''), 'true, false, an integer or a string') },
);

/** The fixes this server puts in a diagnostic's `data` (./diagnostics.ts DiagnosticData); clients send them back. */
const diagnosticData = (v: unknown, path: string) =>
  isObject(v) && 'fixes' in v
    ? object({}, { fixes: list(object({ title: string, range, newText: string })) })(v, path)
    : undefined;

const diagnostic = object(
  { range, message: string },
  {
    severity: oneOf(1, 2, 3, 4),
    code: either(integer, string, 'an integer or a string'),
    codeDescription: object({ href: string }),
    source: string,
    tags: list(oneOf(1, 2)),
    relatedInformation: list(object({ location: object({ uri: documentUri, range }), message: string })),
    data: diagnosticData,
  },
);
const codeActionContext = object({ diagnostics: list(diagnostic) }, { only: list(string), triggerKind: oneOf(1, 2) });

const contentChange = object({ text: string }, { range, rangeLength: uinteger });

const initializeParams = object(
  {
    processId: nullable(integer),
    capabilities: object(
      {},
      { textDocument: object({}), workspace: object({}), window: object({}), general: object({}) },
    ),
  },
  {
    rootUri: nullable(documentUri),
    rootPath: nullable(string),
    clientInfo: object({ name: string }, { version: string }),
    locale: string,
    initializationOptions: any,
    trace: oneOf('off', 'messages', 'compact', 'verbose'),
    workspaceFolders: nullable(list(object({ uri: string, name: string }))),
    workDoneToken: progressToken,
  },
);

/** Requests, by method: the params each must have. */
export const REQUEST_PARAMS: Readonly<Record<string, Schema>> = {
  initialize: initializeParams,
  'textDocument/completion': textDocumentPosition({}, { context: completionContext }),
  'textDocument/signatureHelp': textDocumentPosition({}, { context: signatureHelpContext }),
  'textDocument/hover': textDocumentPosition(),
  'textDocument/definition': textDocumentPosition(),
  'textDocument/references': textDocumentPosition({ context: object({ includeDeclaration: boolean }) }),
  'textDocument/documentHighlight': textDocumentPosition(),
  'textDocument/prepareRename': textDocumentPosition(),
  'textDocument/rename': textDocumentPosition({ newName: string }),
  'textDocument/documentSymbol': textDocumentOnly,
  'textDocument/semanticTokens/full': textDocumentOnly,
  'textDocument/formatting': object({ textDocument: textDocumentIdentifier, options: formattingOptions }, TOKENS),
  'textDocument/rangeFormatting': object(
    { textDocument: textDocumentIdentifier, range, options: formattingOptions },
    TOKENS,
  ),
  'textDocument/foldingRange': textDocumentOnly,
  'textDocument/codeAction': object(
    { textDocument: textDocumentIdentifier, range, context: codeActionContext },
    TOKENS,
  ),
  'textDocument/willSaveWaitUntil': object({ textDocument: textDocumentIdentifier, reason: oneOf(1, 2, 3) }),
  'workspace/textDocumentContent': object({ uri: documentUri }, TOKENS),
  'suspendFlow/evaluatableExpression': object({ textDocument: textDocumentIdentifier, position }),
};

/** Notifications, by method. */
export const NOTIFICATION_PARAMS: Readonly<Record<string, Schema>> = {
  'textDocument/didOpen': object({ textDocument: textDocumentItem }),
  'textDocument/didChange': object({
    textDocument: versionedTextDocumentIdentifier,
    contentChanges: list(contentChange),
  }),
  'textDocument/didClose': object({ textDocument: textDocumentIdentifier }),
  'textDocument/willSave': object({ textDocument: textDocumentIdentifier, reason: oneOf(1, 2, 3) }),
  'textDocument/didSave': object({ textDocument: textDocumentIdentifier }, { text: string }),
  '$/setTrace': object({ value: oneOf('off', 'messages', 'verbose') }),
  'window/workDoneProgress/cancel': object({ token: progressToken }),
  'workspace/didChangeWorkspaceFolders': object({
    event: object({
      added: list(object({ uri: string, name: string })),
      removed: list(object({ uri: string, name: string })),
    }),
  }),
};

/** What is wrong with a message's params, or undefined (also for a method no schema names). */
export function paramsProblem(method: string, params: unknown): string | undefined {
  const schema = Object.hasOwn(REQUEST_PARAMS, method)
    ? REQUEST_PARAMS[method]
    : Object.hasOwn(NOTIFICATION_PARAMS, method)
      ? NOTIFICATION_PARAMS[method]
      : undefined;
  return schema?.(params, '');
}
