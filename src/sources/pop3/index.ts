// Public surface of the POP3 source's protocol client. See client.ts for usage, steps.ts for Check Connection.
export { Pop3Client, type Pop3Stat, type RetrAnswer, type RetrBatch, type RetrBounds } from './client.js';
export { Pop3Error, type Pop3ErrorStep } from './errors.js';
export { Pop3MessageStream } from './message-stream.js';
export { DEFAULT_TIMEOUT_MS, defaultPort, type Pop3Options, type TlsMode } from './options.js';
export { connectSteps, type CheckResult } from './steps.js';
export type { AuthMechanism, StepName, StepObserver, StepReport } from './session.js';
export { describePop3Error } from './describe.js';
export type { TlsInfo } from './tls-handshake.js';
