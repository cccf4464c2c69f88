// The reply binders, in the order they are tried: the first that binds wins. A new binder is one file
// and one line here.
import { messageIdBinder } from './message-id.js';
import { replyTokenBinder } from './reply-token.js';
import { subjectTokenBinder } from './subject-token.js';
import { ticketBinder } from './ticket.js';
import type { Binder, BinderInput, Binding } from './types.js';

export type { Binder, BinderInput, Binding, BindingLayer, Refusal } from './types.js';
export { findSubjectToken } from './subject-token.js';

export const BINDERS: readonly Binder[] = [messageIdBinder, replyTokenBinder, ticketBinder, subjectTokenBinder];

export interface BindResult {
  /** The item the reply belongs to, found and not gone; null when no binder bound (or the item is gone). */
  binding: Binding | null;
  /** Candidates that did not bind, each with why: a Ticket#N naming no item, a deleted item, … */
  refused: string[];
  /** The refusal that ended the search: the item the first hit named is gone. Null otherwise. */
  gone: string | null;
}

/**
 * Tries each binder in order. The first one that names an item decides, even when that item is gone
 * (then the message is new mail and `refused` says why): a later, weaker layer must not send a reply
 * to some other item its thread never touched.
 */
export function bindReply(input: BinderInput, binders: readonly Binder[] = BINDERS): BindResult {
  const refused: string[] = [];
  for (const binder of binders) {
    const found = binder.bind(input);
    if (found === null) continue;
    if ('refused' in found) {
      refused.push(found.refused);
      continue;
    }
    const item = input.snapshot.item(found.itemId);
    if (!item || item.deleted) {
      const gone = `${found.evidence}, which was deleted`;
      return { binding: null, refused: [...refused, gone], gone };
    }
    return { binding: found, refused, gone: null };
  }
  return { binding: null, refused, gone: null };
}
