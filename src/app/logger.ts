// The service's logger: JSON lines (one object per line, for log shippers), or readable lines when a
// person watches a terminal. MAILBIND_DEBUG=1 adds debug lines; MAILBIND_LOG_FORMAT=json|pretty overrides.
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

export function serviceLogger(name: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const level = env.MAILBIND_DEBUG ? 'debug' : 'info';
  const pretty = env.MAILBIND_LOG_FORMAT ? env.MAILBIND_LOG_FORMAT === 'pretty' : process.stdout.isTTY === true;
  if (!pretty) return pino({ name, level });
  // pino-pretty as a stream in this thread: a transport would need a worker thread and a module path,
  // which the bundled CLI does not have. Loaded only when a terminal shows the log.
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as (options: object) => NodeJS.WritableStream;
  return pino({ name, level }, pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
}
