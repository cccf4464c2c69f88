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

export const SEED_RULES = [
  "when subject contains 'Targetprocess, tp' and company matched to project 2 then attach to project 2 and create request in project 2",
  'when company matched to project 2 then attach to project 2',
  'then attach to project 1 and create request in project 1',
  '',
].join('\n');
