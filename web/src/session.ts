// Who is signed in, for the whole UI: read once at start (GET /session), set at sign-in, cleared at
// sign-out or when the API says the session is gone.
import { signal } from './signal.js';
import { api, setCsrfToken } from './api.js';

export interface Me {
  name: string;
  role: 'admin' | 'viewer';
  kind: string;
  csrfToken?: string;
}

/** undefined while loading; null when signed out. */
export const me = signal<Me | null | undefined>(undefined);

export const isAdmin = () => me.value?.role === 'admin';

export async function loadSession(): Promise<void> {
  try {
    const who = await api<Me>('/session');
    setCsrfToken(who.csrfToken);
    me.value = who;
  } catch {
    me.value = null;
  }
}

export async function signIn(name: string, password: string): Promise<void> {
  const who = await api<Me>('/session', { body: { name, password } });
  setCsrfToken(who.csrfToken);
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
