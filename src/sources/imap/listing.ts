// What is in the selected folder: UID, size and INTERNALDATE of every message from a UID on, plus the
// Message-ID when the caller needs to recognise mail it already has (after a UIDVALIDITY change). One
// UID FETCH streams the rows; the watchdog is re-armed per row, so a long listing is not a timeout but
// a stalled one is.
import type { ImapSession } from './session.js';

export interface ListedMessage {
  uid: number;
  /** RFC822.SIZE in bytes; 0 when the server sent none (then nothing is known of it). */
  size: number;
  /** INTERNALDATE: when the server received the message; null if the server sent none. */
  internalDate: Date | null;
  /** Message-ID without angle brackets; only when listed with `envelope`. */
  messageId?: string | null;
}

export async function listMessages(session: ImapSession, fromUid: number, options: { envelope?: boolean } = {}): Promise<ListedMessage[]> {
  if (session.folder.exists === 0) return [];
  const out: ListedMessage[] = [];
  await session.run(`listing folder '${session.folder.path}'`, async (watch) => {
    const query = { uid: true, size: true, internalDate: true, ...(options.envelope ? { envelope: true } : {}) };
    // `N:*` always includes the highest UID even when it is below N (RFC 9051 §6.4.8), hence the filter.
    for await (const msg of session.client.fetch(`${Math.max(1, fromUid)}:*`, query, { uid: true })) {
      watch.kick();
      if (msg.uid < fromUid) continue;
      const date = msg.internalDate === undefined ? null : new Date(msg.internalDate);
      out.push({
        uid: msg.uid,
        size: msg.size ?? 0,
        internalDate: date && !Number.isNaN(date.getTime()) ? date : null,
        ...(options.envelope ? { messageId: bareMessageId(msg.envelope?.messageId) } : {}),
      });
    }
  });
  return out.sort((a, b) => a.uid - b.uid);
}

/** `<abc@x>` → `abc@x`, as intake stores it (mail/header-scan.ts). */
export function bareMessageId(value: string | undefined | null): string | null {
  if (!value) return null;
  const match = /<([^<>]+)>/.exec(value);
  const id = (match ? match[1]! : value).trim();
  return id || null;
}
