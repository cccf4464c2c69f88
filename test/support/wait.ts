// Waiting for a condition in tests, instead of sleeping and hoping it happened meanwhile.
//
//   const item = await waitFor(async () => (await listInboxItems(db, { profileId })).find((i) => i.outcome),
//     { what: 'the item to get an outcome', timeoutMs: 10_000 });
//
// The probe runs at once and then every intervalMs until it returns something other than undefined, null
// or false; that value is returned. After timeoutMs it throws `timed out after … waiting for <what>`, so a
// failure names what did not happen (what may be a function, to describe the state at that moment). A probe
// that throws fails the wait at once: a broken probe is a bug in the test, not something to wait out.
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the failure message ("the first poll to succeed"). */
  what: string | (() => string | Promise<string>);
  /** Default 10 000 ms. */
  timeoutMs?: number;
  /** Default 50 ms. */
  intervalMs?: number;
}

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions,
): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value as Exclude<T, undefined | null | false>;
    if (Date.now() >= deadline) {
      const what = typeof options.what === 'function' ? await options.what() : options.what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
