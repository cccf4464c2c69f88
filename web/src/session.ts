// Who is signed in, for the whole UI: read once at start (GET /session), set at sign-in, cleared at
// sign-out. When the API says the session is gone while someone was signed in, the page stays and a
// sign-in dialog asks for the password again (`expired`), so nothing typed is lost. The pages show once
// the plugins' rule phrases are known (plugin-phrases.ts): an editor built before would mark them.
import { signal } from './signal.js';
import { api, ApiError, errorText, setCsrfToken } from './api.js';
import { loadPluginPhrases } from './plugin-phrases.js';

export interface Me {
  name: string;
  role: 'admin' | 'viewer';
  kind: string;
  csrfToken?: string;
}

/** undefined while loading; null when signed out. */
export const me = signal<Me | null | undefined>(undefined);
/** Why the session could not be read at start (not a 401: the service is starting, down, unreachable). */
export const sessionError = signal<string | null>(null);

export const isAdmin = () => me.value?.role === 'admin';

export async function loadSession(): Promise<void> {
  sessionError.value = null;
  me.value = undefined;
  try {
    const who = await api<Me>('/session');
    setCsrfToken(who.csrfToken);
    await loadPluginPhrases();
    me.value = who;
  } catch (e) {
    // Only a 401 means "nobody is signed in"; anything else is a problem to show, with a retry.
    if (e instanceof ApiError && e.status === 401) me.value = null;
    else sessionError.value = errorText(e);
  }
}

export async function signIn(name: string, password: string): Promise<void> {
  const who = await api<Me>('/session', { body: { name, password } });
  setCsrfToken(who.csrfToken);
  await loadPluginPhrases();
  me.value = who;
}

export async function signOut(): Promise<void> {
  try {
    await api('/session', { method: 'DELETE' });
  } finally {
    setCsrfToken(undefined);
    me.value = null;
  }
}

/** A sign-in the API asked for mid-page: `settle(true)` once signed in again, `settle(false)` if not. */
export interface Expiry {
  name: string;
  settle(signedIn: boolean): void;
}

export const expired = signal<Expiry | null>(null);
let waiting: Promise<boolean> | null = null;

/**
 * A request met a 401. Signed in before: ask again in the dialog and wait (every request that fails
 * meanwhile waits for the same answer). Never signed in: nothing to keep, the sign-in page shows.
 */
export function sessionEnded(): Promise<boolean> {
  const who = me.value;
  if (!who) {
    me.value = null;
    return Promise.resolve(false);
  }
  waiting ??= new Promise<boolean>((resolve) => {
    expired.value = {
      name: who.name,
      settle(signedIn) {
        waiting = null;
        expired.value = null;
        resolve(signedIn);
      },
    };
  });
  return waiting;
}
