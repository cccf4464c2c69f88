// The data dir holds people's mail (database, raw messages, attachments) and the secret key. mailbind
// creates it for its owner only; one made earlier (by hand, or by an older mailbind) may be open to
// others. Finding that out is here; saying it (where a service starts) is the caller's.
import { statSync } from 'node:fs';
import type { Store } from './database.js';

export interface ExposedPath {
  path: string;
  /** Permission bits, e.g. 0o755. */
  mode: number;
  /** The command that closes it. */
  fix: string;
}

/** The data dir and the SQLite database, where group or others may read them. */
export function exposedDataPaths(store: Pick<Store, 'dataDir' | 'dialect' | 'location'>): ExposedPath[] {
  const candidates: { path: string; ownerOnly: number }[] = [{ path: store.dataDir, ownerOnly: 0o700 }];
  if (store.dialect === 'sqlite') candidates.push({ path: store.location, ownerOnly: 0o600 });
  const exposed: ExposedPath[] = [];
  for (const { path, ownerOnly } of candidates) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue;
    }
    if (mode & 0o077) exposed.push({ path, mode, fix: `chmod ${ownerOnly.toString(8)} ${shellQuote(path)}` });
  }
  return exposed;
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
