// Challenge-response systems: the recipient's filter holds our mail and asks the sender to prove
// they are a person (click a link, reply, join a "guest list"). Never work, never answered: answering
// would confirm to the filter that a machine is on our side, or start a loop with it.
import type { Classification } from '../classification-kinds.js';
import { CHALLENGE_SUBJECT, CHALLENGE_VENDORS, MAILINBLACK_BOUNDARY, QURB_SUBJECT_TAG, TMDA_MESSAGE_ID, type ChallengeVendor } from './challenge-vendors.js';
import { bodyReason, type MailFacts } from './facts.js';
import { clip, display } from './text.js';

export function challenge(facts: MailFacts): Classification | null {
  return vendorMark(facts) ?? vendorSender(facts) ?? challengeWording(facts);
}

/** What only a challenge carries: decides alone. */
function vendorMark(facts: MailFacts): Classification | null {
  const from = senders(facts);
  for (const vendor of CHALLENGE_VENDORS) {
    for (const [name, spelled] of Object.entries(vendor.headers ?? {})) {
      if (facts.has(name)) return found(`${spelled} header`, vendor);
    }
    for (const [header, address] of from) {
      const local = address.slice(0, address.lastIndexOf('@')).toLowerCase();
      if (vendor.localParts?.includes(local)) return found(`${header}: ${clip(address)}`, vendor);
    }
  }
  const message = facts.message;
  if (!message.messageIdSynthesized && TMDA_MESSAGE_ID.test(message.messageId.slice(-1000))) {
    return { kind: 'challenge', reason: `Message-ID: <${clip(message.messageId)}> (TMDA challenge-response)` };
  }
  if (QURB_SUBJECT_TAG.test(facts.subjectTail)) return { kind: 'challenge', reason: `Subject: "${clip(message.subject)}" (Qurb challenge-response)` };
  if ((facts.contentType.params['boundary'] ?? '').includes(MAILINBLACK_BOUNDARY)) {
    return { kind: 'challenge', reason: `Content-Type boundary ${MAILINBLACK_BOUNDARY} (Mailinblack challenge-response)` };
  }
  return null;
}

/** The vendor's own mail (its domain, its header prefix): a challenge when anything else is automatic. */
function vendorSender(facts: MailFacts): Classification | null {
  const from = senders(facts);
  for (const vendor of CHALLENGE_VENDORS) {
    const mark = vendorDomainSender(from, vendor) ?? vendorHeaderPrefix(facts, vendor);
    if (mark === null) continue;
    const company = facts.company();
    if (company !== null) return found(mark, vendor, company);
  }
  return null;
}

/** A challenge subject or body phrase, with a header that says the mail is automatic. */
function challengeWording(facts: MailFacts): Classification | null {
  // Company first: mail no header calls automatic (most mail) never has its body read.
  const company = facts.company() ?? (facts.has('x-failed-recipients') ? 'X-Failed-Recipients header' : null);
  if (company === null) return null;
  const said = wording(facts);
  return said === null ? null : { kind: 'challenge', reason: `${said} with ${company}` };
}

function wording(facts: MailFacts): string | null {
  if (CHALLENGE_SUBJECT.test(facts.subject)) return `Subject: "${clip(facts.message.subject)}"`;
  const line = facts.bodyPhrases().challenge;
  return line === null ? null : `${bodyReason(line)} (challenge-response)`;
}

function vendorDomainSender(from: Array<[string, string]>, vendor: ChallengeVendor): string | null {
  if (!vendor.domains) return null;
  for (const [header, address] of from) {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    if (vendor.domains.some((d) => domain === d || domain.endsWith(`.${d}`))) return `${header}: ${clip(address)}`;
  }
  return null;
}

function vendorHeaderPrefix(facts: MailFacts, vendor: ChallengeVendor): string | null {
  if (!vendor.headerPrefixes) return null;
  for (const name of facts.headerNames()) {
    if (vendor.headerPrefixes.some((prefix) => name.startsWith(prefix))) return `${display(name)} header`;
  }
  return null;
}

/** The sender addresses a challenge comes from, with the header each is in. */
function senders(facts: MailFacts): Array<[string, string]> {
  const message = facts.message;
  const out: Array<[string, string]> = [];
  if (message.from?.address) out.push(['From', message.from.address]);
  if (message.sender?.address) out.push(['Sender', message.sender.address]);
  const returnPath = pathAddress(facts.header('return-path') ?? '');
  if (returnPath) out.push(['Return-Path', returnPath]);
  return out;
}

/** The address of a Return-Path (`<a@b>` or bare `a@b`), or null for the null path and oddities. */
function pathAddress(value: string): string | null {
  const open = value.indexOf('<');
  const close = open >= 0 ? value.indexOf('>', open) : -1;
  const inner = (open >= 0 ? value.slice(open + 1, close >= 0 ? close : undefined) : value).trim();
  return inner.includes('@') && !/\s/.test(inner) ? inner : null;
}

function found(mark: string, vendor: ChallengeVendor, company?: string): Classification {
  return { kind: 'challenge', reason: `${mark} (${vendor.name} challenge-response)${company ? ` with ${company}` : ''}` };
}
