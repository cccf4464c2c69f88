// Waiting for a sign-in to end wherever it completes: the service's callback, the CLI's own listener or
// a pasted address all finish the same row, so whoever waits only watches that row.
import { findSignIn } from '../store/oauth-sign-ins.js';
import type { App } from './app.js';
import { SIGN_IN_MINUTES, SignInFailed } from './oauth-sign-in.js';

/** How often the row is read: a person finishing at the provider does not notice half a second. */
const POLL_MS = 500;

export interface SignInEnded {
  account: string;
  profileId: number;
}

/**
 * Resolves with the account once the sign-in succeeded; rejects with SignInFailed when it failed,
 * expired (10 minutes) or vanished; rejects with the signal's reason when aborted.
 */
export async function waitForSignIn(app: App, id: string, signal?: AbortSignal): Promise<SignInEnded> {
  for (;;) {
    signal?.throwIfAborted();
    const record = await findSignIn(app.store.db, id);
    if (!record) throw new SignInFailed('user', 'the sign-in is gone (the profile was deleted?): start it again');
    if (record.account) return { account: record.account, profileId: record.profileId };
    if (record.error) throw new SignInFailed('user', record.error, { profileId: record.profileId, via: record.via });
    // Taken by a callback (completedAt set, no outcome yet): the exchange is under way, keep watching.
    if (record.expired && !record.completedAt) {
      throw new SignInFailed('user', `nobody came back from the provider within ${SIGN_IN_MINUTES} minutes: run the sign-in again`, { profileId: record.profileId, via: record.via });
    }
    // A callback that took the row and then died leaves no outcome: give up a minute after expiry.
    if (record.expired && Date.parse(record.expiresAt) + 60_000 < Date.now()) {
      throw new SignInFailed('unavailable', 'the sign-in was taken by a callback that never finished (did the service stop?): run it again', { profileId: record.profileId, via: record.via });
    }
    await pause(POLL_MS, signal);
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
