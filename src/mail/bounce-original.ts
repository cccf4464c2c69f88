// Which mail a bounce returns, and to whom it could not be delivered. Read from the report's parts as
// the parse step keeps them: the returned message's header block (Message.returnedHeaders), the
// message/delivery-status fields (mailparser appends that part to `text`), and for the free-text
// bounces MTAs still send (Exim, qmail, Gmail) the Message-ID lines of the original they quote and the
// first SMTP reply in their words. Pure, line by line, over a bounded prefix of the text.
import { addressesIn } from './bounce-addresses.js';
import { headerValue, headerValues } from './headers.js';
import type { Message } from './message.js';
import { normalizeMessageId } from './references.js';

export interface BouncedRecipient {
  address: string;
  /** The DSN Status (`5.1.1`); absent when the report gave none. */
  status?: string;
  /** The remote server's words (`550 5.1.1 <ann@example.com>: user unknown`), without the `smtp;` type. */
  diagnostic?: string;
  /** The DSN Action (`failed`, `delayed`, `delivered`, `relayed`, `expanded`), lowercased; absent when none. */
  action?: string;
}

/**
 * Whether the report says delivery to this recipient failed for good: Action `failed`, or, without an
 * Action, a 5.x.x Status or a 5xx reply. A delay warning (`delayed`, 4.x.x: greylisting, a mailbox full
 * for now) is not a failure: the mail may still arrive.
 */
export function deliveryFailed(recipient: BouncedRecipient): boolean {
  if (recipient.action !== undefined) return recipient.action === 'failed';
  if (recipient.status !== undefined) return recipient.status.startsWith('5');
  return recipient.diagnostic === undefined || !/^\s*4\d\d\b/.test(recipient.diagnostic);
}

export interface BouncedOriginal {
  /** Message-IDs the returned message may have had, most certain first (its own header, then quoted lines). */
  messageIds: string[];
  recipients: BouncedRecipient[];
}

/** Only the start of a bounce's text is read: the report and the quoted headers come first. */
const MAX_TEXT_CHARS = 256 * 1024;
/** A longer line is cut before any pattern sees it. */
const MAX_LINE_CHARS = 1000;
/** Message-IDs taken from quoted lines at most (a forwarded thread could carry many). */
const MAX_QUOTED_IDS = 5;
const MAX_RECIPIENTS = 50;

/**
 * The mail a bounce returns, or null when it tells nothing (no Message-ID and no failed recipient). Call it for mail the
 * classifier calls a bounce: on other mail a quoted `Message-ID:` line means nothing.
 */
export function bouncedOriginal(message: Message): BouncedOriginal | null {
  const ids: string[] = [];
  const add = (value: string | null): void => {
    const id = normalizeMessageId(value);
    if (id !== null && !ids.includes(id)) ids.push(id);
  };
  const returned = message.returnedHeaders ?? [];
  add(headerValue(returned, 'message-id'));

  const report = readReportText(message.text);
  for (const id of report.originalIds) add(id);
  for (const id of report.quotedIds.slice(0, MAX_QUOTED_IDS)) add(id);

  let recipients = report.recipients;
  if (recipients.length === 0) {
    // A free-text bounce: who failed is in X-Failed-Recipients (Exim, Gmail), why in its first SMTP reply.
    const failed = headerValues(message.headers, 'x-failed-recipients').flatMap((v) => addressesIn(v));
    recipients = failed.map((address) => (report.smtpReply ? { address, diagnostic: report.smtpReply } : { address }));
  }
  // A report with recipients but no Message-ID (Exchange 2003/2007, Domino, OpenSMTPD) still tells who
  // failed and why: the mail it returns is then found by our return address (prepare.ts).
  if (ids.length === 0 && recipients.length === 0) return null;
  return { messageIds: ids, recipients: recipients.slice(0, MAX_RECIPIENTS) };
}

interface ReportText {
  recipients: BouncedRecipient[];
  /** Original-Message-ID / X-Original-Message-ID fields (some MTAs add one to the report). */
  originalIds: string[];
  /** `Message-ID:` lines in the text, quoted or not: the original's own header as the bounce quotes it. */
  quotedIds: string[];
  /** The first SMTP reply (`550 …`) in the text, for free-text bounces. */
  smtpReply: string | null;
}

/** The report fields we read, by lowercase name. */
type ReportField = 'final-recipient' | 'original-recipient' | 'status' | 'diagnostic-code' | 'action';
const REPORT_FIELDS = new Set<string>(['final-recipient', 'original-recipient', 'status', 'diagnostic-code', 'action']);

function readReportText(text: string): ReportText {
  const out: ReportText = { recipients: [], originalIds: [], quotedIds: [], smtpReply: null };
  let current: { address: string; status?: string; diagnostic?: string; action?: string } | null = null;
  // The field a continuation line (leading whitespace) belongs to: Diagnostic-Code is often folded.
  let folding: ReportField | null = null;
  const flush = (): void => {
    if (current && out.recipients.length < MAX_RECIPIENTS && !out.recipients.some((r) => r.address === current!.address)) out.recipients.push(current);
    current = null;
  };
  for (const rawLine of text.slice(0, MAX_TEXT_CHARS).split(/\r\n|\n|\r/)) {
    const line = rawLine.length > MAX_LINE_CHARS ? rawLine.slice(0, MAX_LINE_CHARS) : rawLine;
    if (folding !== null && /^[ \t]/.test(line) && line.trim() !== '' && current) {
      if (folding === 'diagnostic-code') current.diagnostic = `${current.diagnostic ?? ''} ${line.trim()}`.trim().slice(0, MAX_LINE_CHARS);
      continue;
    }
    folding = null;
    const field = fieldOf(line);
    if (field) {
      if (field.name === 'message-id') {
        out.quotedIds.push(field.value);
        continue;
      }
      if (field.name === 'original-message-id' || field.name === 'x-original-message-id') {
        out.originalIds.push(field.value);
        continue;
      }
      if (REPORT_FIELDS.has(field.name)) {
        const name = field.name as ReportField;
        folding = name;
        if (name === 'final-recipient' || (name === 'original-recipient' && !current)) {
          // Each recipient's block starts with its Final-Recipient (Original-Recipient may come first).
          if (name === 'final-recipient') flush();
          const address = addressesIn(typed(field.value))[0];
          if (address) current = { ...(current ?? {}), address };
        } else if (name === 'status' && current) {
          const status = /^\s*([245]\.\d{1,3}\.\d{1,3})/.exec(field.value);
          if (status?.[1]) current.status = status[1];
        } else if (name === 'action' && current) {
          const action = /^\s*([a-z]{1,16})/i.exec(field.value);
          if (action?.[1]) current.action = action[1].toLowerCase();
        } else if (name === 'diagnostic-code' && current) {
          const diagnostic = typed(field.value).slice(0, MAX_LINE_CHARS);
          if (diagnostic !== '') current.diagnostic = diagnostic;
        }
        continue;
      }
    }
    if (out.smtpReply === null && out.recipients.length === 0 && !current) out.smtpReply = smtpReplyIn(line);
  }
  flush();
  return out;
}

/** `Name: value` on a line, quoted (`> `) or indented or not; the name lowercase. */
function fieldOf(line: string): { name: string; value: string } | null {
  const match = /^[\s>]{0,8}([A-Za-z][A-Za-z0-9-]{1,40}):[ \t]*(.*)$/.exec(line);
  if (!match) return null;
  return { name: match[1]!.toLowerCase(), value: match[2]!.trim() };
}

/** A DSN field value without its type: `rfc822; ann@x` → `ann@x`, `smtp; 550 …` → `550 …`. */
function typed(value: string): string {
  const semicolon = value.indexOf(';');
  return (semicolon >= 0 && semicolon < 20 ? value.slice(semicolon + 1) : value).trim();
}

/** The SMTP reply on a line (`…: 550 5.1.1 <ann@x>… User unknown`), from its code to the line's end. */
function smtpReplyIn(line: string): string | null {
  const match = /(?:^|[\s:#(])([45]\d\d[ -](?:[45]\.\d{1,3}\.\d{1,3}\s)?\S.*)$/.exec(line);
  return match?.[1] ? match[1].trim() : null;
}
