// Who may add to an item by mail: its requesters, its participants, staff, and (when the profile says
// so) anyone of a requester's company. Only the From address counts: a Reply-To that differs names
// where answers go, not who wrote, and a display name is whatever the sender typed. Pure.
import { domainOf } from '../mail/index.js';
import type { Message } from '../mail/message.js';
import type { ThreadingSettings } from '../store/threading-settings.js';
import type { ItemView, NewParticipant, TrackerSnapshot } from '../tracker/port.js';

export type ReplyAccess = { allowed: true; as: string } | { allowed: false; why: string };

export function replyAccess(message: Message, item: ItemView, snapshot: TrackerSnapshot, settings: ThreadingSettings, itemName: string): ReplyAccess {
  const from = message.from?.address.toLowerCase() ?? null;
  if (!from || !from.includes('@')) return { allowed: false, why: `the message has no From address, so it cannot add to ${itemName}` };
  if (item.requesterEmails.includes(from)) return { allowed: true, as: `${from} is a requester of ${itemName}` };
  if (item.participantEmails.includes(from)) return { allowed: true, as: `${from} is a participant of ${itemName}` };
  if (snapshot.staffByEmail(from)) return { allowed: true, as: `${from} is staff` };
  if (settings.companyMayReply) {
    const company = companyOf(from, snapshot);
    if (company !== null && item.requesterCompanyIds.includes(company)) {
      return { allowed: true, as: `${from} is of company ${company}, as a requester of ${itemName} is` };
    }
  }
  return { allowed: false, why: `${from} is not a participant of ${itemName}` };
}

/** The sender's company by their requester record, else by their address's domain. */
function companyOf(email: string, snapshot: TrackerSnapshot): number | null {
  const recorded = snapshot.requesterByEmail(email)?.companyId ?? null;
  if (recorded !== null) return recorded;
  const domain = domainOf(email);
  return domain ? snapshot.companyByDomain(domain)?.id ?? null : null;
}

/**
 * The people an allowed reply brings onto the item's thread: its Cc and To, except our own mailbox
 * addresses, staff (who may always write) and those already allowed as requesters or participants.
 * To counts only when the profile knows its own addresses: a reply's To is mostly our mailbox, and a
 * profile that takes imported mail only cannot tell it from a person.
 */
export function newParticipants(message: Message, item: ItemView, snapshot: TrackerSnapshot, ownAddresses: ReadonlySet<string>): NewParticipant[] {
  const from = message.from?.address.toLowerCase() ?? null;
  const seen = new Set<string>([...item.requesterEmails, ...item.participantEmails, ...(from ? [from] : [])]);
  const found: NewParticipant[] = [];
  const candidates: Array<[string, NewParticipant['source']]> = [
    ...message.cc.map((a) => [a.address, 'cc'] as [string, NewParticipant['source']]),
    ...(ownAddresses.size > 0 ? message.to.map((a) => [a.address, 'to'] as [string, NewParticipant['source']]) : []),
  ];
  for (const [address, source] of candidates) {
    const email = address.toLowerCase();
    if (!email.includes('@') || seen.has(email) || ownAddresses.has(email) || snapshot.staffByEmail(email)) continue;
    seen.add(email);
    found.push({ email, source });
  }
  return found;
}
