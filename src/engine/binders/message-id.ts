// Layer 1: In-Reply-To, then References from the newest, naming a Message-ID we hold. The strongest
// evidence there is: mail clients set these headers themselves, people do not type them.
import type { MessageThread } from '../../tracker/port.js';
import { itemWords } from './item-words.js';
import type { Binder } from './types.js';

const HOW: Record<MessageThread['via'], string> = {
  created: 'the message that created',
  comment: 'the message of a comment on',
  attached: 'a message attached to',
  sent: 'a mail we sent about',
};

/** A References header is capped at this many ids read: a reply's own thread is rarely longer. */
const MAX_REFERENCES = 200;

export const messageIdBinder: Binder = {
  layer: 'message-id',
  bind({ message, snapshot }) {
    // References lists the thread oldest first: the newest is the closest parent.
    const newestFirst = message.references.slice(-MAX_REFERENCES).reverse();
    const candidates: Array<[string, string]> = [
      ...(message.inReplyTo ? [['In-Reply-To', message.inReplyTo] as [string, string]] : []),
      ...newestFirst.map((id) => ['References', id] as [string, string]),
    ];
    for (const [header, id] of candidates) {
      const thread = snapshot.itemOfMessage(id);
      if (!thread) continue;
      return {
        itemId: thread.itemId,
        layer: 'message-id',
        evidence: `${header} <${id}> is ${HOW[thread.via]} ${itemWords(snapshot, thread.itemId)}`,
      };
    }
    return null;
  },
};
