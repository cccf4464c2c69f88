// The few phrases of a message body the classifier reads, found in bounded, linear time: only the
// first BODY_SCAN_CHARS of the text, line by line, each line cut to MAX_LINE_CHARS before a pattern
// sees it, and no pattern with nested quantifiers. A 50 MB body costs what 16 Ki characters cost.
//
// Body phrases are never a signal on their own: a person pasting a bounce or a challenge into a
// request to support writes exactly these lines. They only say *what kind* of automatic mail it is
// when a header already says it is automatic (see facts.ts, "company").

export const BODY_SCAN_CHARS = 16 * 1024;
export const MAX_LINE_CHARS = 400;

// What mail systems write at the top of a free-text (or RFC 3464) bounce: Postfix, Exim, qmail,
// Sendmail, Exchange 2003/2007/365, Gmail, Domino, Messaging Server, OpenSMTPD, IIS, Amazon SES,
// Yahoo, AOL, SurfControl, and the German "automatic bounce notification" of sisimai's rb-issue-368.
const BOUNCE_LINE =
  /^(?:this is the (?:mail system|postfix program) at host\b|i'?m sorry to have to inform you that your message could not\b|this message was created automatically by mail delivery software\b|a message that you sent could not be delivered\b|hi\. this is the qmail-send program\b|-+ ?the following addresses had permanent fatal errors\b|delivery to the following recipients? failed\b|delivery has failed to these recipients\b|your message did not reach some or all of the intended recipients\b|this report relates to a message you sent\b|your message cannot be delivered to the following recipients\b|the following message to \S{1,320} was undeliverable\b|this is an automatically generated delivery status notification\b|\*\* message not delivered \*\*|this is the mailer-daemon\b|your message could not be sent\.?$|sorry, we were unable to deliver your message\b|an error occurred while trying to deliver the mail to the following recipients\b|your message wasn'?t delivered\b|(?:user )?mailbox exceeds allowed size\b|reject reason:|#+\s*automatic bounce notification\b|was not delivered to:?$|did not reach the following recipient|(?:sorry \S{1,320} )?your mail to the following recipients could not be delivered\b|\*+ ?this is a warning message only\b|the original message was received at\b|this message was undeliverable due to the following reason)/i;

// What challenge-response systems ask of the sender (Bluebottle, Boxbe, TMDA, the "requires
// confirmation" SMTP rejection Mail::DeliveryStatus::BounceParser calls a challenge, and the
// wording of SpamAssassin's CRBOUNCE rules).
const CHALLENGE_LINE =
  /(?:\byour server requires confirmation\b|\bthis (?:account|mailbox|address|e-?mail address) is protected by\b|\badd(?:ed)? (?:you|yourself|your (?:e-?mail )?address) to (?:my|the|his|her|our) (?:boxbe )?(?:guest|allowed|approved|safe|trusted|white) ?(?:senders? )?list\b|\bto have your (?:e-?mail )?address added to\b|\bhas been waitlisted\b|\bchallenge[- /]response\b|\bverify (?:that )?you are (?:a )?(?:human|real person|person|not a (?:spammer|robot|machine))\b|\bto release your message\b)/i;

// Where a free-text bounce starts quoting the returned message (Exim, qmail, Gmail, SMTP32, Domino)
// or a person starts quoting: what follows was written by someone else, so the scan stops there. A
// returned message of ours that mentions "challenge-response" must not make its bounce a challenge.
const QUOTED_MESSAGE_START =
  /^(?:-+ ?this is a copy of the message\b|-*\s*below this line is a copy of the message\b|original message follows\b|-+ ?original message ?-+$|-+ ?forwarded message ?-+$|bounced e-?mail:?$)/i;

export interface BodyPhrases {
  /** The first line that reads like a mail system reporting a failed delivery. */
  bounce: string | null;
  /** The first line that reads like a challenge-response system asking the sender to verify. */
  challenge: string | null;
}

/**
 * One pass over the start of the text, both kinds of phrase at once. Quoted lines (`>`) are skipped,
 * and the scan ends where a returned or forwarded message begins.
 */
export function scanBody(text: string): BodyPhrases {
  const found: BodyPhrases = { bounce: null, challenge: null };
  const window = text.length > BODY_SCAN_CHARS ? text.slice(0, BODY_SCAN_CHARS) : text;
  let start = 0;
  while (start < window.length && (found.bounce === null || found.challenge === null)) {
    let end = window.indexOf('\n', start);
    if (end < 0) end = window.length;
    const line = window.slice(start, Math.min(end, start + MAX_LINE_CHARS)).trim();
    start = end + 1;
    if (line === '' || line.startsWith('>')) continue;
    if (QUOTED_MESSAGE_START.test(line)) break;
    if (found.bounce === null && BOUNCE_LINE.test(line)) found.bounce = line;
    if (found.challenge === null && CHALLENGE_LINE.test(line)) found.challenge = line;
  }
  return found;
}
