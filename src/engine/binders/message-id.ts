// Layer 1: In-Reply-To, then References from the newest, naming a Message-ID we hold. The strongest
// evidence there is: mail clients set these headers themselves, people do not type them.
import type { Message } from '../../mail/message.js';
import type { MessageThread } from '../../tracker/port.js';
import { itemWords } from './item-words.js';
import type { Binder, Binding } from './types.js';

const HOW: Record<MessageThread['via'], string> = {
  created: 'the message that created',
  comment: 'the message of a comment on',
  attached: 'a message attached to',
  sent: 'a mail we sent about',
};

/**
 * How many References are read: the first (the thread's start, which RFC 5322 §3.6.4 trimming keeps
 * too) and the newest MAX_REFERENCES - 1. A reply's own thread is rarely longer; a header of thousands
 * must not cost thousands of lookups.
 */
export const MAX_REFERENCES = 200;

export interface ThreadId {
  header: 'In-Reply-To' | 'References';
  id: string;
}

/**
 * The Message-IDs this binder reads, in the order it reads them: In-Reply-To, then References newest
 * first, the thread's first entry last. The snapshot is asked for exactly these (engine/prepare.ts).
 */
export function threadIds(message: Pick<Message, 'inReplyTo' | 'references'>): ThreadId[] {
  const refs = message.references;
  const kept = refs.length <= MAX_REFERENCES ? refs : [refs[0]!, ...refs.slice(refs.length - (MAX_REFERENCES - 1))];
  return [
    ...(message.inReplyTo ? [{ header: 'In-Reply-To' as const, id: message.inReplyTo }] : []),
    // References lists the thread oldest first: the newest is the closest parent.
    ...[...kept].reverse().map((id) => ({ header: 'References' as const, id })),
  ];
}

export const messageIdBinder: Binder = {
  layer: 'message-id',
  *candidates({ message, snapshot }) {
    for (const { header, id } of threadIds(message)) {
      const thread = snapshot.itemOfMessage(id);
      if (!thread) continue;
      const binding: Binding = {
        itemId: thread.itemId,
        layer: 'message-id',
        evidence: `${header} <${id}> is ${HOW[thread.via]} ${itemWords(snapshot, thread.itemId)}`,
      };
      yield binding;
    }
  },
};
