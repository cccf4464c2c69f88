// A pino logger that keeps its records in memory, so a test can assert what was logged (a failed cycle,
// a retry) instead of inferring it from timing.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface MemoryLog {
  logger: Logger;
  records: LogRecord[];
  /** Records with this message (and level, when given: pino's numbers, e.g. 50 for error). */
  find(msg: string, level?: number): LogRecord[];
}

export function memoryLog(): MemoryLog {
  const records: LogRecord[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) records.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
  // pino writes each record with one synchronous write() on a plain Writable, so a record is in `records`
  // as soon as the logging call returns.
  const logger = pino({ level: 'trace' }, destination);
  return {
    logger,
    records,
    find: (msg, level) => records.filter((r) => r.msg === msg && (level === undefined || r.level === level)),
  };
}
