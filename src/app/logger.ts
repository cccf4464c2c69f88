// The service's logger: JSON lines (pino) for collectors, readable colored lines (pino-pretty) when a
// person watches the terminal. pino-pretty is loaded only then: a service under a supervisor never
// pays for it.
import type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default standard output. Pretty when it is a terminal. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function createLogger(name: string, options: LoggerOptions = {}): Promise<Logger> {
  const { default: pino } = await import('pino');
  const settings = { name, level: options.level ?? 'info' };
  const tty = options.stream ? options.stream.isTTY === true : process.stdout.isTTY === true;
  if (!tty) return options.stream ? pino(settings, options.stream) : pino(settings);
  const { default: pretty } = await import('pino-pretty');
  // Synchronous: a line is out before the next is written or the process exits on a signal.
  return pino(settings, pretty({ sync: true, ...(options.stream ? { destination: options.stream, colorize: false } : {}) }));
}
