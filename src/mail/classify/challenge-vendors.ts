// Challenge-response systems and how their challenges show themselves, as data. Sources: the
// challenge messages in the corpus (Bluebottle, Boxbe), SpamAssassin's CRBOUNCE rules
// (rules/20_vbounce.cf) and Mail::DeliveryStatus::BounceParser.
//
// Two strengths:
//   headers / localParts / Message-ID / subject tag / boundary: put on challenges by the system
//     itself and on nothing a person sends, so they decide alone;
//   domains and headerPrefixes: the vendor's own mail, which may also be a person working there
//     (or, for a prefix, a stamp on mail passing through): they count only with company.
// Deliberately absent: X-Sendio-* (Sendio stamps it on its customers' ordinary outgoing mail), and
// vendors whose challenges we have not seen (Sendio, Mailblocks' headers): their domains still count
// with company, and their Auto-Submitted or null sender already make the mail automatic.

export interface ChallengeVendor {
  name: string;
  /** Header names (lowercase) only this vendor's challenges carry, with their display spelling. */
  headers?: Record<string, string>;
  /** Header-name prefixes (lowercase) the vendor stamps; need company. */
  headerPrefixes?: string[];
  /** Sender domains (From, Sender, Return-Path; subdomains included); need company. */
  domains?: string[];
  /** Sender local parts only challenges use, on any domain. */
  localParts?: string[];
}

export const CHALLENGE_VENDORS: readonly ChallengeVendor[] = [
  { name: 'Bluebottle', headers: { 'x-bluebottle-request': 'X-Bluebottle-Request' }, domains: ['bluebottle.com'] },
  { name: 'Boxbe', headerPrefixes: ['x-boxbe-'], domains: ['boxbe.com'] },
  { name: 'BoxTrapper', headers: { 'x-boxtrapper': 'X-Boxtrapper' } },
  { name: 'ChoiceMail', headers: { 'x-choicemail-registration-request': 'X-ChoiceMail-Registration-Request' } },
  { name: 'Spam Arrest', headers: { 'x-spamarrest-noauth': 'X-Spamarrest-noauth' }, domains: ['spamarrest.com'] },
  { name: 'ASK (Active Spam Killer)', headers: { 'x-askversion': 'X-AskVersion' } },
  { name: 'Spamazoid', headers: { 'x-spamazoid-md': 'X-Spamazoid-MD' } },
  // EarthLink is also a mailbox provider: its domain says nothing, the challenge address does.
  { name: 'EarthLink spamBlocker', localParts: ['spamblocker-challenge'] },
  { name: 'Mailblocks', domains: ['mailblocks.com'] },
  { name: 'Sendio', domains: ['sendio.com'] },
  { name: 'Qurb', domains: ['qurb.com'] },
  { name: '0Spam', domains: ['0spam.com'] },
  { name: 'Vanquish', domains: ['spamguard.vanquish.com'] },
  { name: 'SpamStomp', domains: ['spamstomp.com'] },
  { name: 'iPermitMail', domains: ['ipermitmail.com'] },
  { name: 'Mailinblack', domains: ['mailinblack.com'] },
];

/**
 * TMDA's confirmation requests mark their Message-ID "-tmda-confirm": at the very end, as
 * SpamAssassin's __CRBOUNCE_TMDA expects, or (as make_msgid's idstring) before the "@".
 */
export const TMDA_MESSAGE_ID = /-tmda-confirm(?:@|$)/i;
/** Qurb tags the subject of its challenges "[Qurb #1234567]" at the end. */
export const QURB_SUBJECT_TAG = /\[Qurb #\d{1,20}\]\s*$/;
/** Mailinblack's multipart boundary (SpamAssassin __CRBOUNCE_MIB: "no other reliable signatures"). */
export const MAILINBLACK_BOUNDARY = 'mUlTiPaRtBoUnDaRy_MailInBlack';

// Subjects challenges use. Only with company: people write "please verify" too.
export const CHALLENGE_SUBJECT =
  /^(?:re:\s?)?(?:please verify\b|verify your (?:e-?mail|address|message)\b|your (?:e-?mail|message) requires verification\b|unverified (?:e-?mail|message) to\b|sender verification\b|verification required\b|\[?challenge\b)|\b(?:verification required|challenge[- ]response)\b/i;
