// Complaint (abuse) reports from mailbox providers' feedback loops: someone marked mail as spam and
// the provider tells the sender. Never work for a tracker, never answered.
//
// ARF (RFC 5965) says so in its Content-Type. Before ARF, and beside it, providers used their own
// formats; only headers that appear on those reports and nowhere else count (the same ones
// PHP-Bounce-Handler's is_an_ARF uses):
//   X-HmXmrOriginalRecipient   Outlook.com / Hotmail JMRP reports, naming the complaining mailbox;
//   X-Loop: scomp              AOL's pre-ARF "SComp" reports.
// Feedback-ID / X-Feedback-ID are deliberately NOT signals: bulk senders put them on their *own*
// outgoing mail for Gmail's feedback loop, so they mark a campaign, not a complaint.
import type { Classification } from '../classification-kinds.js';
import type { MailFacts } from './facts.js';
import { clip } from './text.js';

export function feedback(facts: MailFacts): Classification | null {
  if (facts.reportType() === 'feedback-report') {
    return { kind: 'feedback', reason: 'Content-Type: multipart/report; report-type=feedback-report (ARF abuse report)' };
  }
  const jmrp = facts.header('x-hmxmroriginalrecipient');
  if (jmrp !== null) return { kind: 'feedback', reason: `X-HmXmrOriginalRecipient:${jmrp ? ` ${clip(jmrp)}` : ''} (Outlook.com complaint report, JMRP)` };
  const loop = facts.header('x-loop');
  if (loop !== null && /(?:^|[\s,;])scomp(?:$|[\s,;])/i.test(loop)) return { kind: 'feedback', reason: `X-Loop: ${clip(loop)} (AOL complaint report)` };
  return null;
}
