// A bounce of mail we sent about an item becomes a note on that item: the team sees that the requester
// never got the acknowledgement (a typo in the address, a full mailbox) where they look, on the item,
// instead of in the ignored mail. The bounce itself stays ignored: no requester, no item, no answer.
// Pure: the mail we sent under the bounce's Message-IDs is looked up before decide (prepare.ts).
import { deliveryFailed, type BouncedOriginal, type BouncedRecipient } from '../mail/index.js';
import type { TrackerSnapshot } from '../tracker/port.js';
import type { ReplyStep } from './plan.js';

/** A mail we sent about an item, as the outbox knows it (store/outbox.ts SentMail). */
export interface SentMailView {
  outboxId: number;
  itemId: number;
  /** 'acknowledgement' or 'reply'. */
  kind: string;
  recipient: string;
}

/** What a bounce told, and which of our mails it returns (none found: an empty map). */
export interface BounceKnowledge {
  original: BouncedOriginal;
  sent: ReadonlyMap<string, SentMailView>;
  /** The mail our return-path token (VERP) in the bounce's address names: when no Message-ID found one. */
  byReturnAddress?: SentMailView;
}

export type NoteStep = Extract<ReplyStep, { kind: 'note' }>;

const MAX_NOTE_REASON = 500;

/** The note for a bounce of our mail, and the trace's words for it; null when it returns none of ours. */
export function bounceNote(bounce: BounceKnowledge, snapshot: TrackerSnapshot): { step: NoteStep | null; trace: string } | null {
  // The Message-ID first: it names the very mail; the return address only when the bounce quotes none of ours.
  const id = bounce.original.messageIds.find((m) => bounce.sent.has(m));
  const sent = id !== undefined ? bounce.sent.get(id)! : bounce.byReturnAddress;
  if (!sent) return null;
  const failed = recipientOf(bounce.original.recipients, sent.recipient);
  const found = id === undefined ? ', found by its return address' : '';
  const mail = `our ${sent.kind} to ${failed?.address ?? sent.recipient}${found}`;
  // A delay warning is not a bounce of the mail: it may still arrive. Ignored as automatic mail, unnoted.
  if (failed && !deliveryFailed(failed)) return { step: null, trace: `a delay warning for ${mail} (${failed.action ?? `status ${failed.status ?? '?'}`}): not noted, the mail may still arrive` };
  const item = snapshot.item(sent.itemId);
  if (!item || item.deleted) return { step: null, trace: `a bounce of ${mail}; item ${sent.itemId} is gone, so nothing was noted` };
  const text = `${sent.kind} to ${failed?.address ?? sent.recipient} bounced: ${reasonOf(failed)}`;
  return {
    step: { kind: 'note', itemId: item.id, text, bouncedMail: sent.outboxId },
    trace: `a bounce of ${mail}, noted on ${item.kind} ${item.id}`,
  };
}

/** The report's entry for the address we sent to; else its only (or first) recipient. */
function recipientOf(recipients: readonly BouncedRecipient[], sentTo: string): BouncedRecipient | undefined {
  return recipients.find((r) => r.address === sentTo.toLowerCase()) ?? recipients[0];
}

function reasonOf(recipient: BouncedRecipient | undefined): string {
  const reason = recipient?.diagnostic ?? (recipient?.status ? `status ${recipient.status}` : 'the report gives no reason');
  return [...reason].slice(0, MAX_NOTE_REASON).join('');
}
