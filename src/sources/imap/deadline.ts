// Watchdogs for IMAP work. imapflow's own inactivity timer answers a quiet download or lock with a NOOP
// probe first, so a hung server takes two socket timeouts to notice, and its message names no step.
// Here every command (and every download) runs under a timer that the work re-arms whenever it makes
// progress; when the timer runs out the connection is closed, which fails whatever imapflow was waiting
// for, and the caller gets a timeout error saying what we were doing.

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
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let running: Promise<T> = new Promise<T>(() => undefined);
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
    const watch: Watch = {
      kick() {
        if (settled) return;
        clearTimeout(timer);
        timer = setTimeout(fire, ms);
      },
      suspend() {
        clearTimeout(timer);
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
