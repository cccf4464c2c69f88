// Bulk and junk mail: newsletters, campaigns, list traffic sent by machines.
//
// Two ways in:
//   Precedence (or X-Precedence) bulk or junk, alone: the sender says so itself. Not `list`: mailing-
//     list software such as Google Groups stamps it on every post it relays, and a support address is
//     often such a group, so a person's request would be ignored (RT draws the same line).
//   a list header (List-Id, List-Unsubscribe) *together with* a bulk-sender signal. A list header alone
//     is a person's post relayed by a list; the signal says a bulk sender made the mail:
//       Feedback-ID / X-Feedback-ID    Gmail's feedback loop id, which bulk senders add to their own mail;
//       List-Unsubscribe-Post          RFC 8058 one-click unsubscribe, required of bulk senders by Gmail
//                                      and Yahoo (2024). Not when a discussion list relayed the mail
//                                      (Precedence: list, X-Google-Group-Id): Google Groups puts its own
//                                      one-click unsubscribe on the posts it relays;
//       an ESP's own header            X-SES-Outgoing (Amazon SES), X-Mailgun-* (Mailgun), X-SG-EID
//                                      (SendGrid), X-MC-User / X-Mandrill-User (Mailchimp/Mandrill): put on
//                                      every mail those services send, and kept when a list relays it;
//       a campaign id                  X-Campaign, X-CampaignID, X-Campaign-Id: campaign tools number
//                                      each send (the corpus's returned newsletters carry X-Campaignid
//                                      with List-Unsubscribe).
// None of these signals decides alone: transactional mail (an order form through SES) is often a
// person's request. X-Mailer does not count either: it names the client (Outlook posts to lists too).
import type { Classification } from '../classification-kinds.js';
import type { MailFacts } from './facts.js';
import { clip, display } from './text.js';

/** [header, as it is written, the service]. */
const ESP_HEADERS: [string, string, string][] = [
  ['x-ses-outgoing', 'X-SES-Outgoing', 'Amazon SES'],
  ['x-sg-eid', 'X-SG-EID', 'SendGrid'],
  ['x-mc-user', 'X-MC-User', 'Mailchimp/Mandrill'],
  ['x-mandrill-user', 'X-Mandrill-User', 'Mailchimp/Mandrill'],
];
const FEEDBACK_HEADERS: [string, string][] = [
  ['feedback-id', 'Feedback-ID'],
  ['x-feedback-id', 'X-Feedback-ID'],
];
const CAMPAIGN_HEADERS = ['x-campaign', 'x-campaignid', 'x-campaign-id'];

export function bulk(facts: MailFacts): Classification | null {
  const list = listHeader(facts);
  const precedence = precedenceBulk(facts);
  if (precedence !== null) return { kind: 'bulk', reason: list !== null ? `${precedence} with ${list}` : precedence };
  if (list === null) return null;
  const signal = bulkSenderSignal(facts);
  return signal !== null ? { kind: 'bulk', reason: `${list} with ${signal}` } : null;
}

function precedenceBulk(facts: MailFacts): string | null {
  for (const name of ['precedence', 'x-precedence']) {
    const value = facts.header(name)?.trim() ?? '';
    if (/^(?:bulk|junk)\b/i.test(value)) return `${display(name)}: ${clip(value)}`;
  }
  return null;
}

function listHeader(facts: MailFacts): string | null {
  for (const name of ['list-id', 'list-unsubscribe']) {
    // Folded values (a tab before the list's address) read as one line in the reason.
    const value = facts.header(name)?.replace(/\s+/g, ' ').trim();
    if (value) return `${display(name)}: ${clip(value)}`;
  }
  return null;
}

function bulkSenderSignal(facts: MailFacts): string | null {
  for (const [name, written] of FEEDBACK_HEADERS) {
    const value = facts.header(name)?.trim();
    if (value) return `${written}: ${clip(value)}`;
  }
  const oneClick = facts.header('list-unsubscribe-post')?.trim();
  if (oneClick && !relayedByDiscussionList(facts)) return `List-Unsubscribe-Post: ${clip(oneClick)} (RFC 8058 one-click unsubscribe)`;
  for (const [name, written, service] of ESP_HEADERS) {
    const value = facts.header(name);
    if (value !== null) return `${written}${headerTail(value)} (${service})`;
  }
  // Mailgun names its headers by prefix (X-Mailgun-Sid, -Tag, -Variables, …). One pass over the
  // distinct header names, only for mail that has a list header.
  for (const name of facts.headerNames()) {
    if (name.startsWith('x-mailgun-')) return `${display(name)}${headerTail(facts.header(name) ?? '')} (Mailgun)`;
  }
  for (const name of CAMPAIGN_HEADERS) {
    const value = facts.header(name)?.trim();
    if (value) return `${display(name)}: ${clip(value)} (campaign id)`;
  }
  return null;
}

/** `: value` for a reason, or nothing when the header is empty (its presence is the signal). */
function headerTail(value: string): string {
  const trimmed = value.trim();
  return trimmed ? `: ${clip(trimmed)}` : '';
}

/** A discussion list relayed it, and may have added list headers of its own (Google Groups). */
function relayedByDiscussionList(facts: MailFacts): boolean {
  return /^list\b/i.test(facts.header('precedence')?.trim() ?? '') || facts.has('x-google-group-id');
}
