// The reply binders, in the order they are tried. A new binder is one file and one line here. The
// 'sent' answer of itemOfMessage (mail we sent) and the reply token (layer 2) come from the outbox.
import type { ItemView } from '../../tracker/port.js';
import { messageIdBinder } from './message-id.js';
import { replyTokenBinder } from './reply-token.js';
import { subjectTokenBinder } from './subject-token.js';
import { ticketBinder } from './ticket.js';
import type { Binder, BinderInput, Binding } from './types.js';

export type { Binder, BinderInput, Binding, BindingLayer, Refusal } from './types.js';
export { findSubjectTokens } from './subject-token.js';
export { threadIds } from './message-id.js';

export const BINDERS: readonly Binder[] = [messageIdBinder, replyTokenBinder, ticketBinder, subjectTokenBinder];

/** Whether the sender may add to an item: why they may, or why not (engine/reply-access.ts). */
export type MayAdd = (item: ItemView) => { allowed: true; as: string } | { allowed: false; why: string };

export interface BindResult {
  /** The item the reply belongs to: found, not gone, and the sender may add to it. Null otherwise. */
  binding: Binding | null;
  /** With `binding`: why the sender may add to it ("ann@x is a requester of request 12"). */
  access: string | null;
  /** Candidates that did not bind, each with why: a Ticket#N naming no item, a deleted item, a sender not allowed, … */
  refused: string[];
  /** Why a message whose evidence named an item is new mail after all (gone, or not allowed); null otherwise. */
  decisive: string | null;
}

/**
 * The first layer whose evidence names an item decides. Within it the candidates are tried strongest
 * first: a deleted item ends the search (the message is new mail: a weaker token must not send it to
 * some other item its thread never touched); an item the sender may not add to is passed over for the
 * layer's next candidate, so an outsider's refused reply in the thread (which became an item of its
 * own) does not take the replies that answer it too; those still reach the item the thread started
 * from. When every item a layer names refuses the sender, later layers are not tried: new mail.
 */
export function bindReply(input: BinderInput, mayAdd: MayAdd, binders: readonly Binder[] = BINDERS): BindResult {
  const refused: string[] = [];
  for (const binder of binders) {
    const tried = new Set<number>();
    let notAllowed: string | null = null;
    for (const found of binder.candidates(input)) {
      if ('refused' in found) {
        refused.push(found.refused);
        continue;
      }
      if (tried.has(found.itemId)) continue; // In-Reply-To and References often name the same message
      tried.add(found.itemId);
      const item = input.snapshot.item(found.itemId);
      if (!item || item.deleted) {
        const gone = `${found.evidence}, which was deleted`;
        return { binding: null, access: null, refused: [...refused, gone], decisive: gone };
      }
      const access = mayAdd(item);
      if (access.allowed) return { binding: found, access: access.as, refused, decisive: null };
      const why = `${found.evidence}, but ${access.why}`;
      refused.push(why);
      notAllowed ??= why;
    }
    if (notAllowed !== null) return { binding: null, access: null, refused, decisive: notAllowed };
  }
  return { binding: null, access: null, refused, decisive: null };
}
