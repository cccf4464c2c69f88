// Delivery failure and delay reports: RFC 3464 DSNs and the free-text reports MTAs still send.
import type { Classification } from '../classification-kinds.js';
import { bodyReason, type MailFacts } from './facts.js';
import { clip } from './text.js';

// Bounce subjects as MTAs write them (Postfix, Exim, Sendmail, qmail, Exchange, Gmail, Domino,
// OpenSMTPD, Messaging Server). Anchored at the start: "Fwd: Undeliverable: …" is a person
// forwarding a bounce to support, which is exactly the mail we must not drop.
const BOUNCE_SUBJECT =
  /^(?:undelivered mail returned to sender|delivery status notification \((?:failure|delay)\)|mail delivery failed|returned mail:|undeliverable(?::| mail\b)|delivery failure:|mail delivery (?:failure|problem)\b|failure notice$|delivery notification: delivery has failed|delivery status notification: error|non[- ]?deliverable mail|postmaster notify:)/i;

export function bounce(facts: MailFacts): Classification | null {
  const report = facts.reportType();
  // Read receipts are reports too, but sent by a person's client: an automatic response (auto-reply.ts).
  // A missing report-type still means a machine-made report, and in practice a DSN.
  if (report !== null && report !== 'disposition-notification') {
    return { kind: 'bounce', reason: `Content-Type: multipart/report; report-type=${report || '(none)'}` };
  }
  if (facts.has('x-failed-recipients')) return { kind: 'bounce', reason: 'X-Failed-Recipients header' };

  const system = mailSystemSender(facts);
  // MAILER-DAEMON is never a person's mailbox. postmaster@ often is (the one address a small
  // company's admin has), so it counts only with a second automatic signal.
  if (system?.role === 'mailer-daemon') return { kind: 'bounce', reason: `From: ${clip(system.address)} (mail system sender)` };

  const subject = facts.subject;
  if (BOUNCE_SUBJECT.test(subject)) return { kind: 'bounce', reason: `Subject: "${clip(facts.message.subject)}"` };
  const autoSubmitted = facts.autoSubmitted();
  // Sendmail marks its DSNs "auto-generated (failure)" / "(warning-timeout)".
  if (autoSubmitted !== null && /^auto-generated\s*\((?:failure|warning)/i.test(autoSubmitted)) {
    return { kind: 'bounce', reason: `Auto-Submitted: ${clip(autoSubmitted)}` };
  }

  // From here on the headers alone do not say "bounce": a null sender or Auto-Submitted says
  // "automatic", and the body or a postmaster sender says which kind.
  const company = facts.nullSender() ? 'Return-Path: <> (null sender)' : autoSubmitted !== null ? `Auto-Submitted: ${clip(autoSubmitted)}` : null;
  const phrase = company !== null || system !== null ? facts.bodyPhrases().bounce : null;
  if (system !== null) {
    const withWhat = company ?? (phrase !== null ? bodyReason(phrase) : null);
    if (withWhat !== null) return { kind: 'bounce', reason: `From: ${clip(system.address)} (mail system sender) with ${withWhat}` };
  }
  if (company !== null && phrase !== null) return { kind: 'bounce', reason: `${bodyReason(phrase)} with ${company}` };
  return null;
}

/** The From address when it is a mail system's own (MAILER-DAEMON, postmaster), and which. */
function mailSystemSender(facts: MailFacts): { address: string; role: 'mailer-daemon' | 'postmaster' } | null {
  const address = facts.message.from?.address;
  if (address) {
    const local = address.slice(0, address.lastIndexOf('@'));
    return /^mailer[-_]?daemon$/i.test(local) ? { address, role: 'mailer-daemon' } : /^postmaster$/i.test(local) ? { address, role: 'postmaster' } : null;
  }
  // A From without a domain ("MAILER-DAEMON") is dropped by address parsing; look at the header.
  const raw = facts.header('from') ?? '';
  const match = /(?:^|[<\s])(mailer[-_]?daemon|postmaster)(?:$|[>\s@])/i.exec(raw);
  if (!match?.[1]) return null;
  return { address: match[1], role: /^postmaster$/i.test(match[1]) ? 'postmaster' : 'mailer-daemon' };
}
