// Who may add to an item by mail: its requesters, its participants, staff, and (when the profile says
// so) anyone of a requester's company. Only the From address counts: a Reply-To that differs names
// where answers go, not who wrote, and a display name is whatever the sender typed. From itself is
// unauthenticated; when our receiving server says it failed authentication (Authentication-Results),
// it grants no staff, participant or company access. Pure.
import { domainOf } from '../mail/index.js';
import { isFreeMailDomain } from '../mail/free-mail.js';
import type { Message } from '../mail/message.js';
import type { ThreadingSettings } from '../store/threading-settings.js';
import type { ItemView, NewParticipant, TrackerSnapshot } from '../tracker/port.js';
import { isOwnAddress, type OwnMail } from './own-address.js';

export type { OwnMail } from './own-address.js';

export type ReplyAccess = { allowed: true; as: string } | { allowed: false; why: string };

/**
 * `unauthenticated`: why From failed authentication (mail/authentication-results.ts), or null. It
 * refuses staff, participant and company access. A requester keeps access to their own item: their
 * replies are the conversation itself, a domain with a DMARC record it fails would split every
 * customer's thread into new items, and a forger gains no more than that one requester's items.
 */
export function replyAccess(
  message: Message,
  item: ItemView,
  snapshot: TrackerSnapshot,
  settings: ThreadingSettings,
  itemName: string,
  unauthenticated: string | null = null,
): ReplyAccess {
  const from = message.from?.address.toLowerCase() ?? null;
  if (!from || !from.includes('@')) return { allowed: false, why: `the message has no From address, so it cannot add to ${itemName}` };
  if (item.requesterEmails.includes(from)) return { allowed: true, as: `${from} is a requester of ${itemName}` };
  const grant = otherGrant(from, item, snapshot, settings, itemName);
  if (grant !== null && unauthenticated !== null) {
    return { allowed: false, why: `${from} failed authentication (${unauthenticated}), so it cannot add to ${itemName} as ${grant.who}` };
  }
  if (grant !== null) return { allowed: true, as: grant.as };
  return { allowed: false, why: `${from} is not a participant of ${itemName}` };
}

/** Access by anything but being a requester: each rests on From alone, so authentication can take it back. */
function otherGrant(from: string, item: ItemView, snapshot: TrackerSnapshot, settings: ThreadingSettings, itemName: string): { as: string; who: string } | null {
  if (item.participantEmails.includes(from)) return { as: `${from} is a participant of ${itemName}`, who: 'a participant' };
  if (snapshot.staffByEmail(from)) return { as: `${from} is staff`, who: 'staff' };
  if (settings.companyMayReply) {
    const company = companyOf(from, snapshot);
    if (company !== null && item.requesterCompanyIds.includes(company)) {
      return { as: `${from} is of company ${company}, as a requester of ${itemName} is`, who: "a requester's colleague" };
    }
  }
  return null;
}

/**
 * The sender's company. A requester record decides alone: an admin who took someone out of a company
 * (company cleared) must not see them let back in by their domain. Without a record, the domain's
 * company, but never a free-mail domain's (mail/free-mail.ts): unrelated people share gmail.com.
 */
export function companyOf(email: string, snapshot: TrackerSnapshot): number | null {
  const requester = snapshot.requesterByEmail(email);
  if (requester) return requester.companyId;
  const domain = domainOf(email);
  if (!domain || isFreeMailDomain(domain)) return null;
  return snapshot.companyByDomain(domain)?.id ?? null;
}

/**
 * The people an allowed reply brings onto the item's thread: its Cc and To, except our own addresses
 * (own-address.ts: every profile's, their plus-addresses such as our reply token, any at our own
 * domains), staff (who may always write) and those already allowed as requesters or participants. To counts only when the profile knows its own addresses: a
 * reply's To is mostly our mailbox, and a profile that takes imported mail only cannot tell it from a person.
 */
export function newParticipants(message: Message, item: ItemView, snapshot: TrackerSnapshot, own: OwnMail): NewParticipant[] {
  const from = message.from?.address.toLowerCase() ?? null;
  const seen = new Set<string>([...item.requesterEmails, ...item.participantEmails, ...(from ? [from] : [])]);
  const found: NewParticipant[] = [];
  const candidates: Array<[string, NewParticipant['source']]> = [
    ...message.cc.map((a) => [a.address, 'cc'] as [string, NewParticipant['source']]),
    ...(own.profileAddresses.size > 0 ? message.to.map((a) => [a.address, 'to'] as [string, NewParticipant['source']]) : []),
  ];
  for (const [address, source] of candidates) {
    const email = address.toLowerCase();
    if (!email.includes('@') || seen.has(email) || isOwnAddress(email, own) || snapshot.staffByEmail(email)) continue;
    seen.add(email);
    found.push({ email, source });
  }
  return found;
}

