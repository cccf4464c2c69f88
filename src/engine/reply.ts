// What a reply does: bind it to an item the sender may add to (binders/, first layer that names an
// item decides), and apply the profile's policy for closed items. The answer is a comment with its
// steps, "already there" for the same mail come again, or "new mail" with every reason a candidate was
// refused (and the closed item to follow up). Pure.
import { fromAuthenticationFailure } from '../mail/authentication-results.js';
import type { ItemView, TrackerSnapshot } from '../tracker/port.js';
import { bindReply, type BinderInput, type Binding } from './binders/index.js';
import { itemWords } from './binders/item-words.js';
import type { ReplyStep } from './plan.js';
import { newParticipants, replyAccess, type OwnMail } from './reply-access.js';

export type ReplyDecision =
  | { kind: 'comment'; binding: Binding; access: string; steps: ReplyStep[]; refused: string[] }
  /** The item already holds this very message (the same mail, delivered to two of our mailboxes). */
  | { kind: 'already'; binding: Binding; access: string; why: string; refused: string[] }
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

export function decideReply(input: BinderInput, own: OwnMail): ReplyDecision {
  const { message, snapshot, settings } = input;
  const unauthenticated = fromAuthenticationFailure(message);
  const mayAdd = (item: ItemView) => replyAccess(message, item, snapshot, settings, itemWords(snapshot, item.id), unauthenticated);
  const { binding, access, refused, decisive } = bindReply(input, mayAdd);
  if (!binding || access === null) return { kind: 'new-mail', refused, decisive, followsUp: null };
  const bound = snapshot.item(binding.itemId) as ItemView; // bindReply binds only items the snapshot has

  // Staff answering a closed item ("closing this, thanks") continue it as it is: the policy is for
  // the people the item was for, whose new words may be a new problem. Staff by a From that passed.
  const from = message.from?.address ?? '';
  const byStaff = unauthenticated === null && snapshot.staffByEmail(from) !== undefined;
  const closed = bound.state === CLOSED_STATE && !byStaff;
  let item = bound;
  let evidence = binding.evidence;
  if (closed && settings.closedReplies === 'new-item') {
    const followUp = liveFollowUp(bound, snapshot);
    if (followUp === null) {
      const why = `${binding.evidence}, which is closed: this profile makes such replies new mail that follows it up`;
      return { kind: 'new-mail', refused: [...refused, why], decisive: why, followsUp: bound.id };
    }
    // One follow-up per closed item, not one per reply: the conversation goes on where it moved.
    item = followUp;
    evidence = `${binding.evidence}, which is closed and followed up by ${itemWords(snapshot, followUp.id)}`;
  }
  const target: Binding = { ...binding, itemId: item.id, evidence };
  if (snapshot.itemHoldsMessage(item.id, message.messageId)) {
    const why = `${itemWords(snapshot, item.id)} already has this message (the same mail came before, by another mailbox): no second comment`;
    return { kind: 'already', binding: target, access, why, refused };
  }
  const steps: ReplyStep[] = [{ kind: 'comment', itemId: item.id }];
  if (closed && settings.closedReplies === 'reopen') steps.push({ kind: 'reopen', itemId: item.id });
  const participants = newParticipants(message, item, snapshot, own);
  if (participants.length) steps.push({ kind: 'add-participants', itemId: item.id, participants });
  return { kind: 'comment', binding: target, access, steps, refused };
}

/** The newest item following `item` up that is not closed (or gone) itself; null when there is none. */
function liveFollowUp(item: ItemView, snapshot: TrackerSnapshot): ItemView | null {
  for (const id of [...item.followedUpBy].reverse()) {
    const followUp = snapshot.item(id);
    if (followUp && !followUp.deleted && followUp.state !== CLOSED_STATE) return followUp;
  }
  return null;
}
