// The arguments of every request the adapter answers, checked against the protocol's types in one place before any
// handler sees them: a request with a field of the wrong type is answered with a short message naming that field
// (`setBreakpoints: 'breakpoints[0].line' should be an integer`), never with what a handler would have thrown.
// Types follow the Debug Adapter Protocol's specification (debugProtocol.json); fields the adapter ignores are not
// checked, and unknown fields are allowed, as the protocol allows them.

type Scalar = 'string' | 'integer' | 'count' | 'number' | 'boolean' | 'object' | 'string|integer';

/** A field: its type (`?` after it: optional); an array of items, or a nested object. */
type FieldType =
  `${Scalar}` | `${Scalar}?` | { array: FieldType | Shape; optional?: boolean } | { shape: Shape; optional?: boolean };

interface Shape {
  [field: string]: FieldType;
}

const source: FieldType = { shape: { path: 'string?', name: 'string?', sourceReference: 'integer?' } };
const optionalSource: FieldType = {
  shape: { path: 'string?', name: 'string?', sourceReference: 'integer?' },
  optional: true,
};
const thread: Shape = { threadId: 'integer' };
const stepping: Shape = { threadId: 'integer', singleThread: 'boolean?', granularity: 'string?' };
const conditions = { condition: 'string?', hitCondition: 'string?' } as const;

/** Each request's arguments; a command not listed takes none the adapter reads. */
const REQUEST_ARGUMENTS: Record<string, Shape> = {
  initialize: {
    adapterID: 'string?',
    clientID: 'string?',
    linesStartAt1: 'boolean?',
    columnsStartAt1: 'boolean?',
    pathFormat: 'string?',
    supportsProgressReporting: 'boolean?',
    supportsInvalidatedEvent: 'boolean?',
    supportsMemoryEvent: 'boolean?',
  },
  launch: {
    program: 'string?',
    seed: 'count?',
    stopOnEntry: 'boolean?',
    until: 'string|integer?',
    stopAtEnd: 'boolean?',
    replay: 'string?',
    svdPath: 'string?',
    noDebug: 'boolean?',
  },
  restart: { arguments: 'object?' },
  disconnect: { restart: 'boolean?', terminateDebuggee: 'boolean?', suspendDebuggee: 'boolean?' },
  terminate: { restart: 'boolean?' },
  setBreakpoints: {
    source,
    breakpoints: {
      array: { shape: { line: 'integer', column: 'integer?', ...conditions, logMessage: 'string?' } },
      optional: true,
    },
    lines: { array: 'integer', optional: true },
    sourceModified: 'boolean?',
  },
  breakpointLocations: { source, line: 'integer', column: 'integer?', endLine: 'integer?', endColumn: 'integer?' },
  setFunctionBreakpoints: { breakpoints: { array: { shape: { name: 'string', ...conditions } } } },
  setExceptionBreakpoints: {
    filters: { array: 'string' },
    filterOptions: { array: { shape: { filterId: 'string', condition: 'string?' } }, optional: true },
  },
  dataBreakpointInfo: {
    variablesReference: 'integer?',
    name: 'string',
    frameId: 'integer?',
    bytes: 'count?',
    asAddress: 'boolean?',
  },
  setDataBreakpoints: { breakpoints: { array: { shape: { dataId: 'string', accessType: 'string?', ...conditions } } } },
  continue: { threadId: 'integer', singleThread: 'boolean?' },
  next: stepping,
  stepIn: { ...stepping, targetId: 'integer?' },
  stepOut: stepping,
  stepBack: stepping,
  reverseContinue: { threadId: 'integer', singleThread: 'boolean?' },
  pause: thread,
  stackTrace: { threadId: 'integer', startFrame: 'count?', levels: 'count?', format: 'object?' },
  scopes: { frameId: 'integer' },
  variables: { variablesReference: 'integer', filter: 'string?', start: 'count?', count: 'count?', format: 'object?' },
  setVariable: { variablesReference: 'integer', name: 'string', value: 'string', format: 'object?' },
  evaluate: { expression: 'string', frameId: 'integer?', context: 'string?', format: 'object?' },
  completions: { text: 'string', column: 'integer', line: 'integer?', frameId: 'integer?' },
  exceptionInfo: thread,
  gotoTargets: { source, line: 'integer', column: 'integer?' },
  goto: { threadId: 'integer', targetId: 'integer' },
  source: { source: optionalSource, sourceReference: 'integer' },
  readMemory: { memoryReference: 'string', offset: 'integer?', count: 'count' },
  writeMemory: { memoryReference: 'string', offset: 'integer?', allowPartial: 'boolean?', data: 'string' },
  // The adapter's own requests (the extension's status bar, inline values and timeline use them).
  gotoEvent: { seq: 'count', lane: 'string?' },
  inlineValues: { frameId: 'integer?', path: 'string?', fromLine: 'count?', toLine: 'count?' },
  timeline: { since: 'integer?', max: 'count?' },
};

/** What is wrong with a request's arguments, or undefined when they match the protocol. */
export function checkArguments(command: string, args: unknown): string | undefined {
  const shape = REQUEST_ARGUMENTS[command];
  if (!shape) return undefined;
  if (args === undefined || args === null) {
    const required = Object.entries(shape).find(([, type]) => !isOptional(type));
    return required ? `'${command}' needs arguments ('${required[0]}')` : undefined;
  }
  if (typeof args !== 'object' || Array.isArray(args)) return `the arguments of '${command}' should be an object`;
  return checkShape(shape, args as Record<string, unknown>, '');
}

function isOptional(type: FieldType): boolean {
  return typeof type === 'string' ? type.endsWith('?') : !!type.optional;
}

function checkShape(shape: Shape, value: Record<string, unknown>, prefix: string): string | undefined {
  for (const [field, type] of Object.entries(shape)) {
    const problem = checkField(type, value[field], `${prefix}${field}`);
    if (problem) return problem;
  }
  return undefined;
}

function checkField(type: FieldType, value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return isOptional(type) ? undefined : `'${name}' is missing`;
  if (typeof type === 'string') {
    const scalar = type.replace(/\?$/, '') as Scalar;
    return matches(scalar, value) ? undefined : `'${name}' should be ${DESCRIPTIONS[scalar]}`;
  }
  if ('array' in type) {
    if (!Array.isArray(value)) return `'${name}' should be an array`;
    for (let i = 0; i < value.length; i++) {
      const problem = checkItem(type.array, value[i], `${name}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return `'${name}' should be an object`;
  return checkShape(type.shape, value as Record<string, unknown>, `${name}.`);
}

function checkItem(item: FieldType | Shape, value: unknown, name: string): string | undefined {
  if (typeof item === 'string' || 'array' in item || 'shape' in item) return checkField(item as FieldType, value, name);
  return checkField({ shape: item as Shape }, value, name);
}

const DESCRIPTIONS: Record<Scalar, string> = {
  string: 'a string',
  integer: 'an integer',
  count: 'a non-negative integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  'string|integer': 'a string or an integer',
};

function matches(type: Scalar, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'count':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'string|integer':
      return typeof value === 'string' || Number.isSafeInteger(value);
  }
}
