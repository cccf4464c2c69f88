// Is this mail from a person? Decided before any rule, because automatic mail must never create
// items or requesters and must never be answered (mail loops). Signals come from RFC 3834 and
// RFC 3464/6522, and from what RT, Zammad, FreeScout, osTicket and GitLab check (research/peers.md).
//
// Order matters, strongest and most specific first:
//   own-loop   our own mail coming back: always ignore, whatever else it looks like;
//   bounce     before auto-reply, because most MTAs also stamp DSNs `Auto-Submitted: auto-replied`;
//   auto-reply before bulk, because vacation responders often add `Precedence: bulk|junk`;
//   bulk       bulk and junk mail (Precedence). Not `Precedence: list`: mailing-list software such as
//              Google Groups stamps it on every relayed message, and a support address is often such a
//              group, so treating it as bulk would ignore real requests (RT draws the same line).
//
// X-Auto-Response-Suppress is deliberately NOT a signal on its own: it asks the *receiver* not to
// send auto-replies, and Outlook/Exchange, mail-merge tools and many notification senders put it on
// ordinary mail (Discourse had to stop treating it as "auto-generated", discourse/discourse#21367).
// Exchange out-of-office replies carry it together with X-MS-Exchange-Inbox-Rules-Loop, and only that
// combination counts. Their "Automatic reply:" subject and null Return-Path are caught anyway.
import libmime from 'libmime';
import { headerValue } from './headers.js';
import type { ClassificationKind } from './classification-kinds.js';
import type { Message } from './message.js';

export type { ClassificationKind };

export interface Classification {
  kind: ClassificationKind;
  /** The signal that decided, naming the header, e.g. `Auto-Submitted: auto-replied`. */
  reason: string;
}

/** The header our own outgoing mail carries; seeing it on incoming mail means a loop. */
export const LOOP_HEADER = 'x-mailbind-loop';

// Bounce subjects as MTAs write them (Postfix, Exim, Sendmail, qmail, Exchange, Gmail, Domino,
// OpenSMTPD, Messaging Server). Anchored at the start: "Fwd: Undeliverable: …" is a person
// forwarding a bounce to support, which is exactly the mail we must not drop.
const BOUNCE_SUBJECT =
  /^(?:undelivered mail returned to sender|delivery status notification \((?:failure|delay)\)|mail delivery failed|returned mail:|undeliverable(?::| mail\b)|delivery failure:|mail delivery (?:failure|problem)\b|failure notice$|delivery notification: delivery has failed|delivery status notification: error|non[- ]?deliverable mail|postmaster notify:)/i;

// Auto-reply subjects. Prefixes in the languages we have seen, an optional "[" (Polish clients
// write "[Automatyczna odpowiedź] …"), and AOL's "(Automatic Response)" suffix.
const AUTO_REPLY_SUBJECT =
  /^\[?(?:auto:|automatic reply\b|auto[- ]?reply\b|autoreply\b|auto[- ]?response\b|out of (?:the )?office\b|abwesenheitsnotiz\b|automatische antwort\b|réponse automatique\b|respuesta automática\b|risposta automatica\b|automatyczna odpowiedź|automatisch antwoord\b|resposta automática\b)|\((?:automatic response|auto-?reply)\)\s*$/i;

const DAEMON_LOCAL_PART = /^(?:mailer[-_]?daemon|postmaster)$/i;

export function classify(message: Message, ownDomains: readonly string[] = []): Classification {
  return ownLoop(message, ownDomains) ?? bounce(message) ?? autoReply(message) ?? bulk(message) ?? { kind: 'human', reason: 'no automatic-mail signal' };
}

function ownLoop(message: Message, ownDomains: readonly string[]): Classification | null {
  const marker = headerValue(message.headers, LOOP_HEADER);
  if (marker !== null) return { kind: 'own-loop', reason: `X-Mailbind-Loop: ${marker}`.trimEnd() };
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

function bounce(message: Message): Classification | null {
  const type = contentType(message);
  if (type.value === 'multipart/report') {
    const reportType = (type.params['report-type'] ?? '').toLowerCase();
    // Read receipts are reports too, but sent by a person's client: an automatic response.
    if (reportType !== 'disposition-notification') {
      // A missing report-type still means a machine-made report, and in practice a DSN.
      return { kind: 'bounce', reason: `Content-Type: multipart/report; report-type=${reportType || '(none)'}` };
    }
  }
  if (headerValue(message.headers, 'x-failed-recipients') !== null) {
    return { kind: 'bounce', reason: 'X-Failed-Recipients header' };
  }
  const daemon = daemonSender(message);
  if (daemon) return { kind: 'bounce', reason: `From: ${daemon} (mail system sender)` };
  const subject = message.subject;
  if (BOUNCE_SUBJECT.test(subject)) return { kind: 'bounce', reason: `Subject: "${clip(subject)}"` };
  const autoSubmitted = headerValue(message.headers, 'auto-submitted') ?? '';
  // Sendmail marks its DSNs "auto-generated (failure)" / "(warning-timeout)".
  if (/^auto-generated\s*\((?:failure|warning)/i.test(autoSubmitted.trim())) {
    return { kind: 'bounce', reason: `Auto-Submitted: ${autoSubmitted}` };
  }
  return null;
}

function autoReply(message: Message): Classification | null {
  const headers = message.headers;
  const autoSubmitted = (headerValue(headers, 'auto-submitted') ?? '').trim();
  const keyword = autoSubmitted.split(/[\s;(]/)[0]?.toLowerCase() ?? '';
  // RFC 3834 §5: any value but "no" marks automatic mail (auto-replied, auto-generated, auto-notified).
  if (keyword !== '' && keyword !== 'no') return { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted}` };

  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-autoreply-from', 'x-mail-autoreply']) {
    const value = headerValue(headers, name);
    if (value !== null && !/^(?:no|false|0)$/i.test(value.trim())) return { kind: 'auto-reply', reason: `${display(name)}: ${value}`.trimEnd() };
  }
  const checks: [string, RegExp][] = [
    ['x-autogenerated', /^reply\b/i],
    ['x-apple-action', /^vacation\b/i],
    ['x-fc-machinegenerated', /^true\b/i],
    ['precedence', /^auto[_-]reply\b/i],
  ];
  for (const [name, pattern] of checks) {
    const value = headerValue(headers, name);
    if (value !== null && pattern.test(value.trim())) return { kind: 'auto-reply', reason: `${display(name)}: ${value}` };
  }

  const suppress = headerValue(headers, 'x-auto-response-suppress');
  if (suppress !== null && /\b(?:all|oof|autoreply)\b/i.test(suppress) && headerValue(headers, 'x-ms-exchange-inbox-rules-loop') !== null) {
    return { kind: 'auto-reply', reason: `X-Auto-Response-Suppress: ${suppress} with X-MS-Exchange-Inbox-Rules-Loop (Exchange automatic reply)` };
  }

  const type = contentType(message);
  if (type.value === 'multipart/report') return { kind: 'auto-reply', reason: 'Content-Type: multipart/report; report-type=disposition-notification (read receipt)' };

  if (AUTO_REPLY_SUBJECT.test(message.subject)) return { kind: 'auto-reply', reason: `Subject: "${clip(message.subject)}"` };

  // RFC 5321 §4.5.5: a null reverse-path is reserved for notifications; no person sends with one.
  // (Bounces with a null sender were recognised above.)
  if (nullReturnPath(message)) return { kind: 'auto-reply', reason: 'Return-Path: <> (null sender)' };
  return null;
}

function bulk(message: Message): Classification | null {
  for (const name of ['precedence', 'x-precedence']) {
    const value = headerValue(message.headers, name)?.trim() ?? '';
    const match = /^(bulk|junk)\b/i.exec(value);
    if (match) return { kind: 'bulk', reason: `${display(name)}: ${value}` };
  }
  return null;
}

function contentType(message: Message): { value: string; params: Record<string, string> } {
  const parsed = libmime.parseHeaderValue(headerValue(message.headers, 'content-type') ?? '');
  return { value: (parsed.value ?? '').trim().toLowerCase(), params: parsed.params ?? {} };
}

/** The From address when it is a mail system's own (MAILER-DAEMON, postmaster), else null. */
function daemonSender(message: Message): string | null {
  const address = message.from?.address;
  if (address) return DAEMON_LOCAL_PART.test(address.slice(0, address.lastIndexOf('@'))) ? address : null;
  // A From without a domain ("MAILER-DAEMON") is dropped by address parsing; look at the header.
  const raw = headerValue(message.headers, 'from') ?? '';
  const match = /(?:^|[<\s])(mailer[-_]?daemon|postmaster)(?:$|[>\s@])/i.exec(raw);
  return match?.[1] ?? null;
}

function nullReturnPath(message: Message): boolean {
  const value = headerValue(message.headers, 'return-path');
  return value !== null && /^<?\s*>?$/.test(value.trim());
}

function display(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
