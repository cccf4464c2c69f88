// "Is this one of our addresses?" — one answer for everything that must never treat our own mail
// as a person: participants, requesters and the recipients of our outgoing mail. Our own mail sets a
// reply token (`support+tb3xk2qa@…`) as its Reply-To, so an answer comes back addressed to a
// plus-address of ours: the tag is stripped before comparing, or our own token address would become
// a participant (or, in Cc, a requester) of the very item it names. Pure.
import { domainOf } from '../mail/index.js';
import { plusTag } from './binders/reply-token.js';

/** Our own addresses and domains. */
export interface OwnMail {
  /** The receiving profile's own addresses, lowercased; a reply's To counts only when there are any. */
  profileAddresses: ReadonlySet<string>;
  /** Every profile's addresses, this one's included, lowercased. */
  allAddresses: ReadonlySet<string>;
  /** Our own Message-ID domains: an address there (or under it) is ours. */
  domains: readonly string[];
}

/** The OwnMail of a profile, from plain lists (any case). */
export function ownMail(profileAddresses: readonly string[], allProfileAddresses: readonly string[], domains: readonly string[]): OwnMail {
  const lower = (list: readonly string[]) => new Set(list.map((a) => a.toLowerCase()));
  return { profileAddresses: lower(profileAddresses), allAddresses: lower(allProfileAddresses), domains };
}

/** True for any profile's address (with or without a plus tag, in any case) and any address at our domains. */
export function isOwnAddress(address: string, own: OwnMail): boolean {
  const email = address.trim().toLowerCase();
  const untagged = plusTag(email)?.base ?? email;
  for (const candidate of [email, untagged]) {
    if (own.profileAddresses.has(candidate) || own.allAddresses.has(candidate)) return true;
  }
  const domain = domainOf(email);
  if (!domain) return false;
  return own.domains.some((raw) => {
    const d = raw.trim().replace(/^[@.]+/, '').toLowerCase();
    return d !== '' && (domain === d || domain.endsWith(`.${d}`));
  });
}
