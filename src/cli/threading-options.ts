// The threading flags of `profile add` and `profile update`: how replies find their item and who may
// add to it (docs/conversations.md). Only the flags given change.
import { Option, type Command } from 'commander';
import type { ThreadingChange } from '../app/threading-input.js';
import { CLOSED_REPLIES } from '../app/threading-choices.js';

const ON_OFF = ['on', 'off'] as const;

export function addThreadingOptions(command: Command): Command {
  return command
    .addOption(new Option('--subject-tokens <on|off>', "[#N] / [CODE-N] in a subject binds a reply to item N (default off)").choices([...ON_OFF]))
    .addOption(new Option('--company-may-reply <on|off>', "anyone of a requester's company may add to the item (default off)").choices([...ON_OFF]))
    .addOption(new Option('--closed-replies <policy>', 'a reply to a closed item: comment (default), reopen, or new-item').choices([...CLOSED_REPLIES]))
    .addOption(new Option('--rate-limit-per-sender-hour <n>', 'messages from one sender that may reach the rules in an hour; the next are ignored (default 20; 0: off)'))
    .addOption(new Option('--acknowledge <on|off>', "mail the sender the profile's acknowledgement for each item made from new mail (default off; needs SMTP settings)").choices([...ON_OFF]));
}

export function threadingInputFromOptions(opts: Record<string, any>): ThreadingChange {
  const change: ThreadingChange = {};
  if (opts.subjectTokens !== undefined) change.subjectTokens = opts.subjectTokens === 'on';
  if (opts.companyMayReply !== undefined) change.companyMayReply = opts.companyMayReply === 'on';
  if (opts.closedReplies !== undefined) change.closedReplies = opts.closedReplies;
  // A number when it reads as one; otherwise as typed, so the settings schema names the mistake.
  const rate = opts.rateLimitPerSenderHour;
  if (rate !== undefined) change.rateLimitPerSenderHour = (/^\s*\d+\s*$/.test(rate) ? Number(rate) : rate) as number;
  if (opts.acknowledge !== undefined) change.acknowledge = opts.acknowledge === 'on';
  return change;
}
