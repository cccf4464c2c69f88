// The streaming path for one large listed message (batches.ts says which): its bytes streamed into the
// inbox window by window, or only its header when it is over the size limit. intakeMessage() commits the
// bytes (fsync) and the inbox row before it resolves; nothing here touches the message on the server.
import { intakeMessage } from '../intake.js';
import type { PollContext } from '../source.js';
import type { ListedMessage } from './listing.js';
import { openMessage } from './message-stream.js';
import type { ImapSession } from './session.js';

export type StoreResult = 'stored' | 'existing' | 'gone';

/** Streams the message (or, over the size limit, its header) into the inbox. */
export async function storeMessage(session: ImapSession, ctx: PollContext, message: ListedMessage, originKey: string,
  chunkBytes: number): Promise<StoreResult> {
  const max = ctx.settings.maxMessageBytes;
  return session.run(`downloading UID ${message.uid}`, async (watch) => {
    const bytes = await openMessage(session, message, watch, { maxMessageBytes: max, chunkBytes });
    if (!bytes) return 'gone';
    const { inserted } = await intakeMessage(ctx.store, bytes.content, {
      profileId: ctx.profile.id,
      originKey,
      maxMessageBytes: max,
      acknowledge: true,
      // Header only: intake records it as ignored, too large, with the server's size.
      ...(bytes.headerOnly ? { serverSize: message.size } : {}),
    });
    return inserted ? 'stored' : 'existing';
  });
}
