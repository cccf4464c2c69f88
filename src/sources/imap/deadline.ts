// Watchdogs for IMAP work. imapflow's own inactivity timer answers a quiet download or lock with a NOOP
// probe first, so a hung server takes two socket timeouts to notice, and its message names no step.
// Here every command (and every download) runs under a timer that the work re-arms whenever it makes
// progress; when the timer runs out the connection is closed, which fails whatever imapflow was waiting
// for, and the caller gets a timeout error saying what we were doing.
//
// Progress is also bytes arriving: a slow but steady link sends one large FETCH answer for longer than
// the timeout, and the work sees nothing of it until its last byte. Given a byte counter, the watchdog
// looks at it every quarter of the allowed silence, so it fires after between 1 and 1.25 times the
// allowed silence with no byte and no kick.
import { performance } from 'node:perf_hooks';

export interface Closable {
  close(): void;
}

export interface Watch {
  /** Progress was made: the silence allowed starts again. */
  kick(): void;
  /** The network part is over (e.g. the download ended while the database insert still runs). */
  suspend(): void;
}

export function watchdog<T>(
  connection: Closable,
  ms: number,
  onTimeout: () => Error,
  work: (watch: Watch) => Promise<T>,
  /** Bytes received so far on the connection (any count that grows while data arrives). */
  received?: () => number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let running: Promise<T> = new Promise<T>(() => undefined);
    let quietSince = performance.now();
    let seen = received?.();
    const step = received ? Math.max(1, Math.floor(ms / 4)) : ms;
    const fire = () => {
      if (settled) return;
      settled = true;
      const error = onTimeout();
      connection.close();
      // Closing fails whatever the work awaits from the server; let it clean up (a half-written blob is
      // removed) before reporting, so nothing of this poll still runs once the caller hears of it. The
      // grace period bounds a work that waits on something else.
      const grace = setTimeout(() => reject(error), ms);
      void running.then(() => undefined, () => undefined).then(() => {
        clearTimeout(grace);
        reject(error);
      });
    };
    const check = () => {
      timer = undefined;
      if (settled) return;
      const now = performance.now();
      const count = received?.();
      if (count !== seen) {
        seen = count;
        quietSince = now;
      }
      const left = quietSince + ms - now;
      if (left <= 0) fire();
      else timer = setTimeout(check, Math.min(Math.ceil(left), step));
    };
    const watch: Watch = {
      kick() {
        if (settled) return;
        quietSince = performance.now();
        // Re-arming on every kick (a row of a long listing) would cost a timer each; the armed one
        // finds the new quietSince when it runs.
        timer ??= setTimeout(check, step);
      },
      suspend() {
        clearTimeout(timer);
        timer = undefined;
      },
    };
    watch.kick();
    try {
      running = work(watch);
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(
      (value) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (settled) return; // the timeout already explained it; this is the fallout of closing
        settled = true;
        reject(err);
      },
    );
  });
}
