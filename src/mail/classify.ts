// Is this mail from a person? Decided before any rule, because automatic mail must never create
// items or requesters and must never be answered (mail loops). Signals come from RFC 3834,
// RFC 3464/6522 and RFC 5965, from what RT, Zammad, FreeScout, osTicket and GitLab check
// (research/peers.md), and from SpamAssassin's and Mail::DeliveryStatus::BounceParser's
// challenge-response rules. Each detector is a file under classify/; docs/mail.md lists every
// signal with its reason text.
//
// Order matters, strongest and most specific first (first hit wins):
//   own-loop   our own mail coming back: always ignore, whatever else it looks like;
//   feedback   complaint reports: ARF is a multipart/report too, and must not pass for a bounce;
//   challenge  challenge-response systems, before bounce because some send their challenge as a
//              DSN (Boxbe) or are a DSN asking for confirmation (the "whitelist" rejection);
//   bounce     before auto-reply, because most MTAs also stamp DSNs `Auto-Submitted: auto-replied`;
//   auto-reply before bulk, because vacation responders often add `Precedence: bulk|junk`;
//   bulk       bulk and junk mail: Precedence bulk/junk, or a list header with a bulk-sender signal
//              (classify/bulk.ts). Not `Precedence: list` or a list header alone: mailing-list software
//              such as Google Groups stamps them on every relayed message, and a support address is
//              often such a group, so treating them as bulk would ignore real requests (RT draws the
//              same line).
//
// Every scan is bounded: header values and subjects are capped before a pattern sees them, the body
// is read only in its first 16 Ki characters, line by line (classify/body-scan.ts), and body phrases
// never decide alone.
import { headerValue } from './headers.js';
import type { Classification } from './classification-kinds.js';
import { autoReply } from './classify/auto-reply.js';
import { bounce } from './classify/bounce.js';
import { bulk } from './classify/bulk.js';
import { challenge } from './classify/challenge.js';
import { MailFacts } from './classify/facts.js';
import { feedback } from './classify/feedback.js';
import { clip } from './classify/text.js';
import type { Message } from './message.js';

export type { Classification, ClassificationKind } from './classification-kinds.js';

/** The header our own outgoing mail carries; seeing it on incoming mail means a loop. */
export const LOOP_HEADER = 'x-mailbind-loop';

export function classify(message: Message, ownDomains: readonly string[] = []): Classification {
  const own = ownLoop(message, ownDomains);
  if (own) return own;
  const facts = new MailFacts(message);
  return feedback(facts) ?? challenge(facts) ?? bounce(facts) ?? autoReply(facts) ?? bulk(facts) ?? { kind: 'human', reason: 'no automatic-mail signal' };
}

function ownLoop(message: Message, ownDomains: readonly string[]): Classification | null {
  const marker = headerValue(message.headers, LOOP_HEADER);
  if (marker !== null) return { kind: 'own-loop', reason: `X-Mailbind-Loop: ${clip(marker)}`.trimEnd() };
  if (message.messageIdSynthesized) return null;
  const idDomain = message.messageId.slice(message.messageId.lastIndexOf('@') + 1).toLowerCase();
  for (const raw of ownDomains) {
    const domain = raw.trim().replace(/^[@.]+/, '').toLowerCase();
    if (domain && (idDomain === domain || idDomain.endsWith(`.${domain}`))) {
      return { kind: 'own-loop', reason: `Message-ID on own domain ${domain}` };
    }
  }
  return null;
}
