// What a reply says now, apart from what it carries along: quoted history, a forwarded or embedded
// mail, the signature. Used for comments made from replies (TargetProcess stripped quotes from
// comments too). Stripping is lossy, so the whole text always stays on the stored message and the
// removed part is returned alongside, to be shown on request.

export interface ReplySplit {
  /** What the person wrote now. Never empty when the message has any text: see `fullTextKept`. */
  reply: string;
  /** What was removed (quote, forwarded mail, signature), as text; '' when nothing was. */
  removed: string;
  /** One line for the trace: what was cut and by which signal, or why nothing was. */
  how: string;
  /** True when stripping would have left nothing, so the whole text is the reply (the trace says so). */
  fullTextKept: boolean;
}

export interface ReplySource {
  text: string;
  html: string | null;
  /** The text was made from the HTML (no text part): the HTML is read, where the quote markers still are. */
  textFromHtml?: boolean;
}
