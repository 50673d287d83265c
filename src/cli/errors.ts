// The CLI's errors. A UsageError is a wrong command line: its message and the usage text, exit 2. Any other error
// (a file that cannot be read, a replay that departs from its recording) is one line, `sflow: message`, exit 2.

export class UsageError extends Error {}
