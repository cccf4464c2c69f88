// IMAP origin keys: `imap:<folder>:<UIDVALIDITY>:<UID>`. A UID names a message only together with its
// folder and the folder's UIDVALIDITY (RFC 9051 §2.3.1.1), so all three go into the key that makes
// intake idempotent. Folder names may contain ':', hence parsing from the right.

export interface ImapOrigin {
  folder: string;
  uidValidity: string;
  uid: number;
}

/** What every IMAP origin key begins with. */
export const IMAP_KEY_PREFIX = 'imap:';

export function originKey(folder: string, uidValidity: string, uid: number): string {
  return `${IMAP_KEY_PREFIX}${folder}:${uidValidity}:${uid}`;
}

/** The parts of an IMAP origin key, or null for any other key (POP3 UIDL, content hash, …). */
export function parseOriginKey(key: string): ImapOrigin | null {
  const match = /^imap:(.+):(\d+):(\d+)$/s.exec(key);
  if (!match) return null;
  return { folder: match[1]!, uidValidity: match[2]!, uid: Number(match[3]) };
}
