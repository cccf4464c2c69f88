// What the classifier reads from a message, read once: the first value of each top-level header
// (one pass over the headers, then lookups), the Content-Type, the sender addresses and, only when
// a detector asks, the phrases at the start of the body. Every value a pattern sees is capped, so no
// header or subject can make a scan slow.
import libmime from 'libmime';
import type { Message } from '../message.js';
import { scanBody, type BodyPhrases } from './body-scan.js';
import { clip } from './text.js';

/** Longest header value a pattern is run on; real values that matter here are a few dozen characters. */
export const MAX_HEADER_CHARS = 4096;
/** Subjects are matched at their start and end only. */
const SUBJECT_HEAD_CHARS = 1000;
const SUBJECT_TAIL_CHARS = 200;

export class MailFacts {
  private readonly headers = new Map<string, string>();
  private body: BodyPhrases | null = null;
  readonly contentType: { value: string; params: Record<string, string> };
  /** The start of the subject, for prefix patterns. */
  readonly subject: string;
  /** The end of the subject, for suffix patterns ("(Automatic Response)", "[Qurb #123]"). */
  readonly subjectTail: string;

  constructor(readonly message: Message) {
    for (const { name, value } of message.headers) {
      if (!this.headers.has(name)) this.headers.set(name, value.length > MAX_HEADER_CHARS ? value.slice(0, MAX_HEADER_CHARS) : value);
    }
    const parsed = libmime.parseHeaderValue(this.header('content-type') ?? '');
    this.contentType = { value: (parsed.value ?? '').trim().toLowerCase(), params: parsed.params ?? {} };
    this.subject = message.subject.slice(0, SUBJECT_HEAD_CHARS);
    this.subjectTail = message.subject.slice(-SUBJECT_TAIL_CHARS);
  }

  /** The first value of a top-level header (lowercase name), capped; null when absent. */
  header(name: string): string | null {
    return this.headers.get(name) ?? null;
  }

  has(name: string): boolean {
    return this.headers.has(name);
  }

  /** Header names in order of first appearance, for prefix checks (`x-boxbe-…`). */
  headerNames(): IterableIterator<string> {
    return this.headers.keys();
  }

  /** The Auto-Submitted value when it marks automatic mail (anything but "no", RFC 3834 §5), else null. */
  autoSubmitted(): string | null {
    const value = (this.header('auto-submitted') ?? '').trim();
    const keyword = value.split(/[\s;(]/, 1)[0]?.toLowerCase() ?? '';
    return keyword !== '' && keyword !== 'no' ? value : null;
  }

  /** RFC 5321 §4.5.5: a null reverse-path is reserved for notifications; no person sends with one. */
  nullSender(): boolean {
    const value = this.header('return-path');
    return value !== null && /^<?\s*>?$/.test(value.trim());
  }

  /** The report type of a top-level multipart/report, '' when it names none, null when not a report. */
  reportType(): string | null {
    return this.contentType.value === 'multipart/report' ? (this.contentType.params['report-type'] ?? '').toLowerCase() : null;
  }

  /** Phrases at the start of the body, scanned on first use (bounded: see body-scan.ts). */
  bodyPhrases(): BodyPhrases {
    this.body ??= scanBody(this.message.text);
    return this.body;
  }

  /**
   * The header signal that makes this mail automatic whatever else it says, as a reason fragment:
   * the company a weaker signal (a postmaster sender, a vendor's domain, a subject, a body phrase)
   * needs before it counts. Null when the headers say nothing automatic.
   */
  company(): string | null {
    const report = this.reportType();
    if (report !== null) return `Content-Type: multipart/report; report-type=${report || '(none)'}`;
    if (this.nullSender()) return 'Return-Path: <> (null sender)';
    const autoSubmitted = this.autoSubmitted();
    if (autoSubmitted !== null) return `Auto-Submitted: ${clip(autoSubmitted)}`;
    return null;
  }
}

/** `body: "first matching line"` for a reason. */
export function bodyReason(line: string): string {
  return `body: "${clip(line)}"`;
}
