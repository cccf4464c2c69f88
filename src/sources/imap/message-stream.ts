// A message's raw bytes from the server, streamed: imapflow's download() fetches BODY.PEEK[]<offset.len>
// window by window with backpressure, so memory stays at about one window whatever the message size,
// and PEEK leaves \Seen alone (a 'leave' profile really leaves mail unread). Messages over the size
// limit yield only their header's first MAX_HEADER_BYTES (BODY.PEEK[HEADER]<0.n>): that answer is held
// in memory, and a header has no size limit of its own. Every window re-arms the watchdog; a download
// cut short by a lost connection ends in an error, never in a truncated "complete" message.
import { Readable, Transform } from 'node:stream';
import { MAX_HEADER_BYTES } from '../../mail/header-scan.js';
import type { Watch } from './deadline.js';
import type { ListedMessage } from './listing.js';
import { ImapSourceError } from './errors.js';
import type { ImapSession } from './session.js';

export interface MessageBytes {
  content: Readable;
  /** Only the header (at most MAX_HEADER_BYTES of it) was fetched, because the message is over the size limit. */
  headerOnly: boolean;
}

/** null when the message is gone (expunged by someone else since it was listed). */
export async function openMessage(session: ImapSession, message: ListedMessage, watch: Watch,
  options: { maxMessageBytes: number; chunkBytes: number }): Promise<MessageBytes | null> {
  const { client } = session;
  if (message.size > options.maxMessageBytes) {
    const header = { key: 'HEADER', start: 0, maxLength: MAX_HEADER_BYTES };
    const row = await client.fetchOne(String(message.uid), { uid: true, bodyParts: [header] }, { uid: true });
    watch.kick();
    if (!row) return null;
    // Sent, but with NIL for its header: a failure of this message, not a message that is gone.
    if (!row.headers) throw new ImapSourceError('command', `the server sent no header for UID ${message.uid}`);
    watch.suspend();
    return { content: Readable.from([row.headers]), headerOnly: true };
  }
  const download = await client.download(String(message.uid), undefined, { uid: true, chunkSize: options.chunkBytes });
  watch.kick();
  if (!download.content) return null;
  const expected = download.meta.expectedSize ?? message.size;
  let received = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      watch.kick();
      received += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      if (received >= expected) {
        watch.suspend();
        done();
        return;
      }
      // Fewer bytes than RFC822.SIZE: imapflow ends a download early when a window comes back empty.
      // Some servers do over-count sizes, but a connection that died is a truncated message: a NOOP
      // tells the two apart before anything is stored.
      const truncated = new ImapSourceError('command',
        `the connection was lost while downloading UID ${message.uid} (after ${received} of ${expected} bytes)`);
      watch.kick();
      client.noop().then(
        () => {
          watch.suspend();
          done(client.usable ? null : truncated);
        },
        () => done(truncated),
      );
    },
  });
  const source = download.content;
  source.once('error', (err) => guard.destroy(err));
  // A consumer that gives up (disk full, timeout) must stop imapflow fetching further windows too.
  guard.once('close', () => source.destroy());
  source.pipe(guard);
  return { content: guard, headerOnly: false };
}
