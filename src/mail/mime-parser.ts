// mailparser's streaming MailParser with our rule for what is a file. mailparser decides per MIME part,
// in its createNode(), that a text/plain or text/html part with an inline (or no) disposition is body
// text and merges it into `text`/`html`, even when the part carries a file name (`Content-Disposition:
// inline; filename=log.txt`, or only `Content-Type: text/plain; name=log.txt`): the file is lost and its
// content pasted under the message. Our rule: a part with a file name is a file. It goes through the
// sink and into `attachments`, and the body stays what the sender wrote as body.
//
// createNode() is internal to mailparser (no option reaches it), so this subclass depends on its shape;
// mailparser is pinned exactly, and the check below fails loudly at start-up if the method disappears.
// Deciding here, before mailparser routes the part, is the least invasive place: after it, the text
// is already merged and the part's bytes gone.
//
// One exception, kept as a file AND read as the body: a message whose only part (its root, not a
// multipart) is a named text part that mailparser would read as body. That part is what the sender
// wrote, whatever name the mail program gave it; without it the message would have no body at all.
// This class notes such a part (namedRootBody) and parse.ts reads the file's bytes as the body too
// (named-root-body.ts).
//
// The same hook gives a raw 8-bit file name the reading raw 8-bit headers get (part-file-name.ts):
// mailparser copies the node's filename onto the attachment after this method returns.
import { MailParser } from 'mailparser';
import { eightBitFileName, type RawHeaderLine } from './part-file-name.js';

/** What this file reads of mailsplit's MIME node (the `data` of a 'node' chunk). */
interface SplitNode {
  /** The part's file name (Content-Disposition filename, else Content-Type name), decoded; false when none. */
  filename: string | false;
  /** The Content-Type charset parameter; false when none. */
  charset: string | false;
  /** The message's own top-level part. */
  root?: boolean;
  headers: { getList(): RawHeaderLine[] };
}

/** What this file reads and changes of the node mailparser builds from it. */
interface ParserNode {
  /** Absent on multipart containers. */
  isAttachment?: boolean;
  /** Lower-case type/subtype. */
  contentType?: string;
}

/** The root part of a single-part message that is named and would otherwise be its body. */
export interface NamedRootPart {
  contentType: 'text/plain' | 'text/html';
  /** The Content-Type charset parameter; null when none (read as UTF-8, as mailparser does). */
  charset: string | null;
}

type CreateNode = (this: MailParser, node: SplitNode) => ParserNode;

const baseCreateNode = (MailParser.prototype as unknown as { createNode?: CreateNode }).createNode;
if (typeof baseCreateNode !== 'function') {
  throw new Error('mailparser no longer has createNode(); src/mail/mime-parser.ts must be adapted to the new version');
}

export class MimeParser extends MailParser {
  /** Set when the message is one named text part (see the top of this file); null otherwise. */
  namedRootBody: NamedRootPart | null = null;

  /** Called by MailParser for every MIME part, before it decides where the part's content goes. */
  createNode(node: SplitNode): ParserNode {
    if (node.filename) node.filename = eightBitFileName(node.headers.getList(), node.charset) ?? node.filename;
    const created = baseCreateNode!.call(this, node);
    if (created.isAttachment === false && node.filename) {
      created.isAttachment = true;
      if (node.root && (created.contentType === 'text/plain' || created.contentType === 'text/html')) {
        this.namedRootBody = { contentType: created.contentType, charset: node.charset || null };
      }
    }
    return created;
  }
}

/**
 * Whether the message had a text/plain body part. Without one mailparser writes `text` itself, from the
 * HTML, and reply splitting then reads the HTML instead, where the quote markers still are. `hasText`
 * is mailparser's own (internal, set per body part); a version without it reads as "had one", which
 * only costs the HTML-first splitting, never text.
 */
export function hadTextPart(parser: MailParser): boolean {
  const flag = (parser as unknown as { hasText?: unknown }).hasText;
  return typeof flag === 'boolean' ? flag : true;
}
