// The new part of a reply: quoted history and the signature removed, so that a comment made from a
// reply says what the person wrote now (TargetProcess stripped quotes from comments too). Stripping
// is lossy, so the full text stays on the stored message; if nothing would remain, the full text is
// used rather than an empty comment.
import EmailReplyParser from 'email-reply-parser';
import type { ReplySource, ReplySplit } from './reply/split.js';

export function replyText(text: string): string {
  const full = text.trim();
  if (!full) return '';
  let reply: string;
  try {
    reply = new EmailReplyParser().parseReply(text).trim();
  } catch {
    return full;
  }
  return reply || full;
}

/** Stand-in until the corpus-measured stripper lands (src/mail/reply/): the same text, nothing kept aside. */
export function splitReply(source: ReplySource): ReplySplit {
  const reply = replyText(source.text);
  return { reply, removed: '', how: 'quoted text stripped by email-reply-parser', fullTextKept: reply === source.text.trim() };
}
