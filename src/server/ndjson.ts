// Answers a person watches as they grow (Check Connection): one JSON value per line
// (application/x-ndjson), each written the moment the work reports it, for clients that ask for it
// in Accept. JSON stays the default, so existing clients keep their one-object answer.
import type { Context } from 'hono';
import { toAppError } from '../app/error-translation.js';
import type { HttpEnv } from './env.js';

export const NDJSON = 'application/x-ndjson';

export function wantsNdjson(c: Context): boolean {
  return (c.req.header('accept') ?? '').split(',').some((part) => part.trim().toLowerCase().startsWith(NDJSON));
}

/**
 * Runs `work`, writing each value it emits as a line and then `last(result)`. The answer starts only
 * when the first line exists, so an error before it (no such profile) still answers with its own
 * status and JSON body; an error after it can only be told in the stream, as an `{error}` line.
 */
export async function ndjsonStream<T, R>(
  c: Context<HttpEnv>,
  work: (emit: (value: T) => void) => Promise<R>,
  last: (result: R) => unknown,
): Promise<Response> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (ready) => void (controller = ready) });
  const write = (value: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
  let begun = false;
  let begin!: () => void;
  const firstLine = new Promise<void>((resolve) => (begin = resolve));
  const done = work((value) => {
    write(value);
    begun = true;
    begin();
  }).then(
    (result) => {
      write(last(result));
      controller.close();
    },
    (error: unknown) => {
      if (!begun) throw error;
      const appError = toAppError(error);
      if (appError.category === 'internal') c.get('logger')?.error({ err: appError.details.cause ?? error }, 'streamed request failed');
      write({ error: appError.category === 'internal' ? 'internal error; the log says more' : appError.message });
      controller.close();
    },
  );
  await Promise.race([firstLine, done]);
  return c.body(body, 200, { 'content-type': `${NDJSON}; charset=utf-8`, 'cache-control': 'no-store' });
}
