// The new part of a reply: quoted history and the signature removed, so that a comment made from a
// reply says what the person wrote now (TargetProcess stripped quotes from comments too). Stripping
// is lossy, so the full text stays on the stored message; if nothing would remain, the full text is
// used rather than an empty comment.
import EmailReplyParser from 'email-reply-parser';

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
