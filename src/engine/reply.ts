// What a reply does: bind it to an item (binders/, first hit wins), check that its sender may add to
// that item, and apply the profile's policy for closed items. The answer is a comment with its steps,
// or "new mail" with every reason a candidate was refused (and the closed item to follow up). Pure.
import type { ItemView } from '../tracker/port.js';
import { bindReply, type BinderInput, type Binding } from './binders/index.js';
import { itemWords } from './binders/item-words.js';
import type { ReplyStep } from './plan.js';
import { newParticipants, replyAccess } from './reply-access.js';

export type ReplyDecision =
  | { kind: 'comment'; binding: Binding; access: string; steps: ReplyStep[]; refused: string[] }
  | {
      kind: 'new-mail';
      refused: string[];
      /** Why a reply bound to an item was still made new mail (deleted, not a participant, closed); null when nothing bound. */
      decisive: string | null;
      /** The closed item whatever the rules create follows up; null otherwise. */
      followsUp: number | null;
    };

/** The state a reply to which follows the profile's closed-item policy. 'done' is work finished, not a conversation ended. */
export const CLOSED_STATE = 'closed';

export function decideReply(input: BinderInput, ownAddresses: ReadonlySet<string>): ReplyDecision {
  const { binding, refused, gone } = bindReply(input);
  if (!binding) return { kind: 'new-mail', refused, decisive: gone, followsUp: null };
  const { message, snapshot, settings } = input;
  const item = snapshot.item(binding.itemId) as ItemView; // bindReply binds only items the snapshot has
  const name = itemWords(snapshot, item.id);
  const access = replyAccess(message, item, snapshot, settings, name);
  if (!access.allowed) {
    const why = `${binding.evidence}, but ${access.why}`;
    return { kind: 'new-mail', refused: [...refused, why], decisive: why, followsUp: null };
  }
  const closed = item.state === CLOSED_STATE;
  if (closed && settings.closedReplies === 'new-item') {
    const why = `${binding.evidence}, which is closed: this profile makes such replies new mail that follows it up`;
    return { kind: 'new-mail', refused: [...refused, why], decisive: why, followsUp: item.id };
  }
  const steps: ReplyStep[] = [{ kind: 'comment', itemId: item.id }];
  if (closed && settings.closedReplies === 'reopen') steps.push({ kind: 'reopen', itemId: item.id });
  const participants = newParticipants(message, item, snapshot, ownAddresses);
  if (participants.length) steps.push({ kind: 'add-participants', itemId: item.id, participants });
  return { kind: 'comment', binding, access: access.as, steps, refused };
}
