// One batch's bytes from the server: a single `UID FETCH <set> BODY.PEEK[]<0.n>` (PEEK leaves \Seen
// alone), the answers collected in memory by UID; a batch is bounded in count and bytes (batches.ts).
// Every message that arrives re-arms the watchdog, and so do the bytes of one still arriving
// (session.run). Rows the server sends for other reasons (a flag change of another message) are
// ignored; a message of the set that does not come back was expunged since it was listed.
//
// The bounds come from the sizes the listing gave (RFC822.SIZE), which a server may understate. So
// that memory stays bounded whatever it says, each answer is cut at `wholeBelow` bytes (the streaming
// threshold plus one: a message that long is not whole, and goes to the streaming path), and the
// collection stops once the batch holds more than its byte bound plus one such message's worth: the
// rest of the FETCH answer is then read and dropped by imapflow, one message at a time, and the
// messages not received go back to the caller, not as gone.
//
// What arrived stays in `into` even when the command fails half way (the connection cut, a timeout), so
// the caller can still store it: each message there is whole, because imapflow hands over a FETCH
// response only once its entire literal has been read.
import { uidSet } from './acks.js';
import type { ListedMessage } from './listing.js';
import type { ImapSession } from './session.js';

export interface BatchBounds {
  /** Bytes a batch may hold; collecting stops once it holds more than this plus `wholeBelow`. */
  maxBytes: number;
  /** An answer this long (or longer) is not a whole message: it is cut there and not kept. */
  wholeBelow: number;
}

export interface BatchBytes {
  /** Whole messages by UID. */
  received: Map<number, Buffer>;
  /** UIDs whose answer reached `wholeBelow`: larger than the listing said, for the streaming path. */
  larger: Set<number>;
  /** False when collecting stopped early: a UID not received then is not known to be gone. */
  complete: boolean;
}

export function emptyBatchBytes(): BatchBytes {
  return { received: new Map(), larger: new Set(), complete: true };
}

export async function fetchBatch(session: ImapSession, messages: readonly ListedMessage[], into: BatchBytes,
  bounds: BatchBounds): Promise<void> {
  const wanted = new Set(messages.map((m) => m.uid));
  const set = uidSet([...wanted]);
  let held = 0;
  await session.run(`downloading UIDs ${set}`, async (watch) => {
    const query = { uid: true, source: { start: 0, maxLength: bounds.wholeBelow } };
    for await (const row of session.client.fetch(set, query, { uid: true })) {
      watch.kick();
      if (!row.source || !wanted.has(row.uid) || into.received.has(row.uid) || into.larger.has(row.uid)) continue;
      if (row.source.length >= bounds.wholeBelow) {
        into.larger.add(row.uid);
      } else {
        into.received.set(row.uid, row.source);
        held += row.source.length;
      }
      const outstanding = into.received.size + into.larger.size < wanted.size;
      // Past a larger message the rest is fetched again after it (in UID order); past the bound, later.
      if (outstanding && (into.larger.size > 0 || held > bounds.maxBytes + bounds.wholeBelow)) {
        into.complete = false;
        break; // imapflow reads the rest of the answer and drops it
      }
    }
  });
}
