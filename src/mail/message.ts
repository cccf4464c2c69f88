// The parsed, normalised mail every later stage works on. Derived from the raw bytes, which stay the
// source of truth (kept as a blob): a parser upgrade can always re-derive this.

export interface Address {
  /** Display name, RFC 2047 decoded; '' when absent. */
  name: string;
  /** The address as written (local part case kept); compare with lowercase. */
  address: string;
}

export interface AttachmentInfo {
  /** Safe file name: no path separators, control characters or leading dots; never empty. */
  fileName: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  /** Reference of the content in blob storage (SHA-256 hex of the bytes). */
  blobRef: string;
}

export interface Header {
  name: string;
  value: string;
}

export interface Message {
  messageId: string;
  /** True when the message had no usable Message-ID and one was derived from a hash of its bytes. */
  messageIdSynthesized: boolean;
  inReplyTo: string | null;
  references: string[];
  from: Address | null;
  sender: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  /** RFC 2047 decoded, CR/LF folded to single spaces, trimmed. '' when absent. */
  subject: string;
  /** ISO 8601. The Date header, or the received time when it is missing or unparsable. */
  date: string;
  dateFromHeader: boolean;
  text: string;
  html: string | null;
  /** True when the message has no text part and `text` was made from `html` (rules read it; reply splitting reads the HTML). */
  textFromHtml: boolean;
  attachments: AttachmentInfo[];
  /** Every header in order, decoded to text as the parser gives it. */
  headers: Header[];
  /** Size of the raw message in bytes. */
  size: number;
  /**
   * For a delivery report: the header fields of the message it returns (its message/rfc822 or
   * text/rfc822-headers part), read from the part's first 16 KiB. Absent for any other mail.
   */
  returnedHeaders?: Header[];
}

/** Where attachment bodies go while parsing; the store implements it with content-addressed files. */
export interface AttachmentSink {
  /** Consume the stream fully; resolve with the blob reference and byte count. */
  save(content: NodeJS.ReadableStream): Promise<{ ref: string; size: number }>;
}
