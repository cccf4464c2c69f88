// One batch's bytes from the server: a single `UID FETCH <set> BODY.PEEK[]` (PEEK leaves \Seen alone),
// the answers collected in memory by UID; a batch is bounded in count and bytes (batches.ts). Every
// message that arrives re-arms the watchdog, and so do the bytes of one still arriving (session.run).
// Rows the server sends for other reasons (a flag change of
// another message) are ignored; a message of the set that does not come back was expunged since it
// was listed.
//
// What arrived stays in `into` even when the command fails half way (the connection cut, a timeout), so
// the caller can still store it: each message there is whole, because imapflow hands over a FETCH
// response only once its entire literal has been read.
import { uidSet } from './acks.js';
import type { ListedMessage } from './listing.js';
import type { ImapSession } from './session.js';

export async function fetchBatch(session: ImapSession, messages: readonly ListedMessage[], into: Map<number, Buffer>): Promise<void> {
  const wanted = new Set(messages.map((m) => m.uid));
  const set = uidSet([...wanted]);
  await session.run(`downloading UIDs ${set}`, async (watch) => {
    for await (const row of session.client.fetch(set, { uid: true, source: true }, { uid: true })) {
      watch.kick();
      if (row.source && wanted.has(row.uid) && !into.has(row.uid)) into.set(row.uid, row.source);
    }
  });
}
