// Raw RFC 5322 bytes → Message, with mailparser's streaming MailParser so that attachments flow to
// the sink one at a time and a large message never sits in memory twice. The raw bytes stay the
// source of truth (the caller stores them); this is a derived view that can be recomputed.
// What the parser is shown, and how it decides what is a file, is in line-endings.ts and
// mime-parser.ts; the files and body inside a winmail.dat come from tnef/.
import { Readable, pipeline } from 'node:stream';
import type { AttachmentStream, MailParser } from 'mailparser';
import { addressList, firstAddress } from './addresses.js';
import { saveAttachment, saveFile } from './attachments.js';
import { hadTextPart, MimeParser } from './mime-parser.js';
import { MAX_NAMED_BODY_BYTES, namedRootBody, type NamedBody } from './named-root-body.js';
import { parseMailDate } from './dates.js';
import { AttachmentTooLargeError, UnparseableMessageError } from './errors.js';
import { headerValue, headerValues, readHeaderFields, toHeaders } from './headers.js';
import type { AttachmentInfo, AttachmentSink, Header, Message } from './message.js';
import { BareCrToCrlf } from './line-endings.js';
import { RawTap } from './raw-tap.js';
import { HeadCopy, isReturnedMessagePart, readReturnedHeaders } from './returned-headers.js';
import { normalizeMessageId, parseMessageIdList } from './references.js';
import { ByteCopy, isTnefPart, MAX_TNEF_BYTES, tnefBody, tnefFiles, type TnefMessageBody } from './tnef/part.js';
import { readTnef, type TnefBody } from './tnef/reader.js';

export interface ParseOptions {
  /** When the message reached us; the date of a message without a usable Date header. */
  receivedAt: Date;
  /** Where attachment bodies go. */
  sink: AttachmentSink;
  /** Reject the message (UnparseableMessageError, reason 'attachment-too-large') past this size. */
  maxAttachmentBytes?: number;
}

/** Domain of synthesised Message-IDs: `.invalid` (RFC 2606) can never clash with a real one. */
export const SYNTHETIC_ID_DOMAIN = 'mailbind.invalid';

/**
 * Parses a raw message. Rejects with UnparseableMessageError when the bytes cannot be parsed (MIME
 * limits, nesting) or an attachment is over `maxAttachmentBytes`; with the original error when the
 * input stream or the sink fails (those are worth retrying).
 */
export function parseMessage(raw: Buffer | NodeJS.ReadableStream, opts: ParseOptions): Promise<Message> {
  return new Promise<Message>((resolve, reject) => {
    const parser = new MimeParser({
      // message/rfc822 parts stay whole and become .eml attachments instead of being merged into
      // the body text.
      ignoreEmbedded: true,
      // Only text and html are used; skip the work for textAsHtml, linkification and cid inlining.
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      // The sink hashes attachments itself; mailparser's md5 would be wasted work.
      checksumAlgo: false,
    });
    const tap = new RawTap();

    const attachments: AttachmentInfo[] = [];
    // Attachments are stored strictly one after the other, in message order.
    let saving: Promise<void> = Promise.resolve();
    let current: AttachmentStream | null = null;
    let parserError: unknown = null;
    let inputError: unknown = null;
    let settled = false;

    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      // Unwind a sink that is still reading, then stop the parser; both have error listeners.
      current?.content.destroy(err instanceof Error ? err : new Error(String(err)));
      parser.destroy();
      reject(err);
    };

    parser.on('error', (err: unknown) => {
      parserError = err;
      // pipeline() forwards an input failure into the parser; that is not the message's fault.
      fail(err === inputError ? err : unparseable(err));
    });

    parser.on('data', (data) => {
      if (data.type !== 'attachment') return; // the text object: read from the parser at the end
      saving = saving.then(() => store(data));
    });

    const store = async (attachment: AttachmentStream): Promise<void> => {
      if (settled) return;
      current = attachment;
      // A winmail.dat is stored as it is, and a copy is read for the files and body inside it.
      const tnefCopy = isTnefPart(attachment.contentType, attachment.filename) ? new ByteCopy(MAX_TNEF_BYTES) : null;
      // A message that is one named text part: that part is the only attachment, and also the body.
      const bodyCopy = !tnefCopy && parser.namedRootBody ? new ByteCopy(MAX_NAMED_BODY_BYTES) : null;
      // The first returned message of a delivery report: its headers say which of our mails bounced.
      const headCopy = returnedHeaders === null && isReturnedMessagePart(attachment.contentType) ? new HeadCopy() : null;
      try {
        attachments.push(await saveAttachment(attachment, opts.sink, opts.maxAttachmentBytes, (tnefCopy ?? bodyCopy ?? headCopy)?.add));
        if (tnefCopy) await storeTnefContents(tnefCopy.bytes());
        if (headCopy) returnedHeaders = readReturnedHeaders(headCopy.bytes());
        const bodyBytes = bodyCopy?.bytes();
        if (bodyBytes && parser.namedRootBody) namedBody = namedRootBody(bodyBytes, parser.namedRootBody);
      } catch (err) {
        fail(err instanceof AttachmentTooLargeError ? tooLarge(err) : err);
        return;
      } finally {
        current = null;
      }
      // Only now may mailparser continue: released early, it would drain the rest of the
      // attachment into memory without backpressure.
      attachment.release?.();
    };

    let namedBody: NamedBody | null = null;
    let returnedHeaders: Header[] | null = null;
    const tnefBodies: TnefBody[] = [];
    const storeTnefContents = async (bytes: Buffer | null): Promise<void> => {
      const content = bytes ? readSafely(() => readTnef(bytes)) : null;
      if (!content) return;
      tnefBodies.push(content.body);
      for (const file of tnefFiles(content)) {
        const info = { fileName: file.fileName, contentType: file.contentType, contentId: file.contentId, inline: false };
        attachments.push(await saveFile(info, file.data, opts.sink, opts.maxAttachmentBytes));
      }
    };

    parser.on('end', () => {
      void saving.then(() => {
        if (settled) return;
        try {
          const built = buildMessage(parser, attachments, namedBody, tnefBodies, tap.sha256(), tap.size, opts.receivedAt);
          const message = returnedHeaders?.length ? { ...built, returnedHeaders } : built;
          settled = true;
          resolve(message);
        } catch (err) {
          fail(unparseable(err));
        }
      });
    });

    const source = Buffer.isBuffer(raw) ? Readable.from([raw]) : raw;
    // Registered before pipeline() so the input's error is known when the parser reports it.
    source.on('error', (err: unknown) => (inputError = err));
    // The tap sees the bytes as received; only the parser's view has its line endings normalised.
    pipeline(source, tap, new BareCrToCrlf(), parser, (err) => {
      if (!err) return;
      // The parser's own errors arrive through its 'error' listener; anything else here is the
      // input failing (a dropped connection), which is not the message's fault.
      if (err === parserError) return;
      fail(err);
    });
  });
}

function buildMessage(
  parser: MailParser,
  attachments: AttachmentInfo[],
  namedBody: NamedBody | null,
  tnefBodies: readonly TnefBody[],
  rawSha256: string,
  size: number,
  receivedAt: Date,
): Message {
  const fields = readHeaderFields(parser.headerLines);
  // A message whose only part is a named text part reads as that part; one whose only body is inside
  // its winmail.dat (Outlook sending "rich text") reads as that body.
  const ownBody = (parser.text || '').trim() !== '' || Boolean(parser.html);
  const fallback = ownBody ? null : (namedBody ?? firstTnefBody(tnefBodies));
  const headers = toHeaders(fields);
  const headerId = normalizeMessageId(headerValue(headers, 'message-id'));
  const headerDate = parseMailDate(headerValue(headers, 'date'));
  return {
    messageId: headerId ?? `${rawSha256.slice(0, 32)}@${SYNTHETIC_ID_DOMAIN}`,
    messageIdSynthesized: headerId === null,
    inReplyTo: normalizeMessageId(headerValue(headers, 'in-reply-to')),
    references: parseMessageIdList(headerValues(headers, 'references').join(' ')),
    from: firstAddress(fields, 'from'),
    sender: firstAddress(fields, 'sender'),
    replyTo: addressList(fields, 'reply-to'),
    to: addressList(fields, 'to'),
    cc: addressList(fields, 'cc'),
    subject: cleanSubject(headerValue(headers, 'subject') ?? ''),
    date: (headerDate ?? receivedAt).toISOString(),
    dateFromHeader: headerDate !== null,
    text: fallback?.text ?? (parser.text || ''),
    html: parser.html || fallback?.html || null,
    textFromHtml: fallback ? fallback.textFromHtml : Boolean(parser.html) && !hadTextPart(parser),
    attachments,
    headers,
    size,
  };
}

function firstTnefBody(bodies: readonly TnefBody[]): TnefMessageBody | null {
  for (const body of bodies) {
    const found = readSafely(() => tnefBody(body));
    if (found) return found;
  }
  return null;
}

/** A winmail.dat that cannot be read stays an opaque attachment; it never costs the message. */
function readSafely<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/**
 * A subject is one line: folding, encoded line breaks, tabs and control characters become one space.
 * Only ASCII whitespace is touched; an ideographic space (U+3000) in a Japanese subject is content.
 */
export function cleanSubject(subject: string): string {
  return subject.replace(/[\u0000-\u0020\u007f]+/g, ' ').trim();
}

function unparseable(err: unknown): UnparseableMessageError {
  const detail = err instanceof Error ? err.message : String(err);
  return new UnparseableMessageError(`the message cannot be parsed: ${detail}`, 'parser', { cause: err });
}

function tooLarge(err: AttachmentTooLargeError): UnparseableMessageError {
  return new UnparseableMessageError(`the message cannot be stored: ${err.message}`, 'attachment-too-large', { cause: err });
}
