// Builds small RFC 5322 messages for tests that need a particular sender, subject or body.
import { randomBytes } from 'node:crypto';

export interface MessageSpec {
  from?: string;
  to?: string;
  cc?: string;
  replyTo?: string;
  subject?: string;
  body?: string;
  messageId?: string | null;
  headers?: Record<string, string>;
  date?: string;
  attachment?: { name: string; type: string; content: Buffer };
}

export function makeMessage(spec: MessageSpec = {}): Buffer {
  const lines: string[] = [];
  lines.push(`From: ${spec.from ?? 'Alice Example <alice@example.com>'}`);
  lines.push(`To: ${spec.to ?? 'support@mailbind.test'}`);
  if (spec.cc) lines.push(`Cc: ${spec.cc}`);
  if (spec.replyTo) lines.push(`Reply-To: ${spec.replyTo}`);
  lines.push(`Subject: ${spec.subject ?? 'Hello'}`);
  lines.push(`Date: ${spec.date ?? 'Tue, 24 Nov 2026 10:00:00 +0000'}`);
  if (spec.messageId !== null) lines.push(`Message-ID: <${spec.messageId ?? randomBytes(8).toString('hex') + '@example.com'}>`);
  for (const [name, value] of Object.entries(spec.headers ?? {})) lines.push(`${name}: ${value}`);
  lines.push('MIME-Version: 1.0');
  const body = spec.body ?? 'Hello, something is broken.';
  if (!spec.attachment) {
    lines.push('Content-Type: text/plain; charset=utf-8', '', body, '');
    return Buffer.from(lines.join('\r\n'), 'utf8');
  }
  const boundary = 'b_' + randomBytes(6).toString('hex');
  lines.push(`Content-Type: multipart/mixed; boundary="${boundary}"`, '');
  lines.push(`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', body, '');
  lines.push(`--${boundary}`, `Content-Type: ${spec.attachment.type}; name="${spec.attachment.name}"`);
  lines.push(`Content-Disposition: attachment; filename="${spec.attachment.name}"`, 'Content-Transfer-Encoding: base64', '');
  // Line by line: a spread of a multi-megabyte attachment's lines would overflow the call stack.
  for (const line of spec.attachment.content.toString('base64').match(/.{1,76}/g) ?? []) lines.push(line);
  lines.push('');
  lines.push(`--${boundary}--`, '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/**
 * A message whose header alone is `headerBytes` long (lines of X-Filler after From, To, Subject), with a
 * short body: what a hostile or broken sender makes to exhaust a reader that takes headers whole.
 */
export function hugeHeaderMessage(subject: string, headerBytes: number): Buffer {
  const lines = ['From: Alice Example <alice@example.com>', 'To: support@mailbind.test', `Subject: ${subject}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@example.com>`];
  const filler = 'X-Filler: ' + 'x'.repeat(88);
  for (let size = 0; size < headerBytes; size += filler.length + 2) lines.push(filler);
  lines.push('Content-Type: text/plain', '', 'the body', '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

export const SEED_RULES = [
  "when subject contains 'Targetprocess, tp' and company matched to project 2 then attach to project 2 and create request in project 2",
  'when company matched to project 2 then attach to project 2',
  'then attach to project 1 and create request in project 1',
  '',
].join('\n');

export interface DsnSpec {
  /**
   * The Message-ID of the mail that bounced (without brackets). Null: a report that names no Message-ID
   * at all and returns no part of the mail (Exchange 2003/2007, Domino, OpenSMTPD).
   */
  originalMessageId: string | null;
  recipient: string;
  /** The report's To; our plain address unless given (a VERP return address: `support+b…@`). */
  to?: string;
  status?: string;
  diagnostic?: string;
  /** Return only the original's headers (text/rfc822-headers) instead of the whole message. */
  headersOnly?: boolean;
  messageId?: string;
  /** The DSN Action; `failed` unless given (`delayed` makes a delay warning). */
  action?: string;
}

/**
 * A delivery failure report as Postfix writes one (RFC 3464): multipart/report with the human-readable
 * part, message/delivery-status, and the original as message/rfc822 (or its headers only).
 */
export function makeDsn(spec: DsnSpec): Buffer {
  const boundary = 'dsn_' + randomBytes(6).toString('hex');
  const status = spec.status ?? '5.1.1';
  const diagnostic = spec.diagnostic ?? `smtp; 550 ${status} <${spec.recipient}>: Recipient address rejected: User unknown`;
  const original = [
    'Received: by mail.mailbind.test (Postfix, from userid 1000)',
    `Message-ID: <${spec.originalMessageId}>`,
    'From: Support <support@mailbind.test>',
    `To: ${spec.recipient}`,
    'Subject: [#12] We received your request',
    'Date: Tue, 24 Nov 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ];
  const lines = [
    'Return-Path: <>',
    'From: MAILER-DAEMON@mail.mailbind.test (Mail Delivery System)',
    `To: ${spec.to ?? 'support@mailbind.test'}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Date: Tue, 24 Nov 2026 10:00:05 +0000',
    `Message-ID: <${spec.messageId ?? randomBytes(8).toString('hex') + '@mail.mailbind.test'}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mail.mailbind.test.',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    `<${spec.recipient}>: host mx.example.com said: ${diagnostic.replace(/^smtp;\s*/, '')}`,
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mail.mailbind.test',
    'Arrival-Date: Tue, 24 Nov 2026 10:00:00 +0000',
    '',
    `Final-Recipient: rfc822; ${spec.recipient}`,
    `Original-Recipient: rfc822;${spec.recipient}`,
    `Action: ${spec.action ?? 'failed'}`,
    `Status: ${status}`,
    'Remote-MTA: dns; mx.example.com',
    `Diagnostic-Code: ${diagnostic}`,
    '',
    ...(spec.originalMessageId === null
      ? []
      : [
          `--${boundary}`,
          spec.headersOnly ? 'Content-Description: Undelivered Message Headers' : 'Content-Description: Undelivered Message',
          spec.headersOnly ? 'Content-Type: text/rfc822-headers' : 'Content-Type: message/rfc822',
          '',
          ...original,
          ...(spec.headersOnly ? [] : ['', 'Thank you for writing: we received your request.']),
          '',
        ]),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
