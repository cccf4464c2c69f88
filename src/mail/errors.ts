// Errors the mail core reports on purpose. Everything else that escapes parseMessage (a failing
// AttachmentSink, an input stream that breaks off) is an infrastructure error the caller may retry;
// an UnparseableMessageError is about the bytes themselves, so retrying cannot help: the caller keeps
// the raw message and marks it unparseable.

export type UnparseableReason =
  /** The MIME parser gave up: a size or nesting limit, or input it cannot make sense of. */
  | 'parser'
  /** An attachment grew past `maxAttachmentBytes`. */
  | 'attachment-too-large';

export class UnparseableMessageError extends Error {
  override readonly name = 'UnparseableMessageError';
  readonly reason: UnparseableReason;

  constructor(message: string, reason: UnparseableReason, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** Raised inside the attachment stream when it passes the size limit; parse turns it into the above. */
export class AttachmentTooLargeError extends Error {
  override readonly name = 'AttachmentTooLargeError';
  constructor(
    readonly fileName: string,
    readonly limit: number,
  ) {
    super(`attachment "${fileName}" is larger than the limit of ${limit} bytes`);
  }
}
