// Prepare and decide: the one path from a stored message to its plan. Processing, `rules test`,
// reprocessing and the preview all come through here, so a dry run says exactly what processing then
// does (DESIGN §5): the same snapshot request, the same rules, the same own addresses and domains.
import { findTicketReference, parseMessage, type AttachmentSink, type Message } from '../mail/index.js';
import type { RuleError, RuleSet } from '../rules/index.js';
import type { ThreadingSettings } from '../store/threading-settings.js';
import type { SnapshotRequest, Tracker } from '../tracker/port.js';
import { findSubjectTokens, threadIds } from './binders/index.js';
import { decide } from './decide.js';
import type { Plan } from './plan.js';
import { LazyReplySplit } from './reply-split.js';

/** What decide needs to know about the profile a message arrived on. */
export interface DecisionProfile {
  ruleSet: RuleSet;
  /** The mailbox's own addresses: never requesters. */
  ownAddresses: string[];
  /** The rules history version `ruleSet` was parsed from; null for unsaved rules. Named in the trace. */
  rulesVersion?: number | null;
  /** Lines of the stored rules that no longer parse: left out of `ruleSet`, named in every trace. */
  ruleErrors?: RuleError[];
  /** How replies bind and who may add to an item; the defaults when absent. */
  threading?: ThreadingSettings;
}

export interface DecisionContext {
  tracker: Tracker;
  /** Domains of our own Message-IDs: mail carrying them is our own, come back (a loop). */
  ownDomains: string[];
  /** Every profile's own addresses: a reply Cc'd to another of our mailboxes does not make it a participant. */
  allProfileAddresses?: string[];
}

/**
 * Everything the tracker must look up for this message, and nothing more: its people (To as well: they
 * may become participants, and staff among them must not), the items it names by number (Ticket#N in
 * its new words and in its whole body, a subject token) and its thread's Message-IDs.
 */
export function snapshotRequestFor(message: Message, split: LazyReplySplit = new LazyReplySplit(message)): SnapshotRequest {
  const people = [message.from, message.sender, ...message.cc, ...message.to, ...message.replyTo].filter((a) => a !== null);
  const inBody = findTicketReference(message.text) ?? (message.html ? findTicketReference(message.html) : null);
  // The new words are split only when the body has a token at all: most mail has none.
  const inReply = inBody === null ? null : findTicketReference(split.value.reply);
  const tickets = [inBody, inReply, ...findSubjectTokens(message.subject).map((t) => t.id)];
  return {
    emails: people.map((a) => a.address),
    itemIds: tickets.filter((id): id is number => id !== null),
    // Only the Message-IDs the binder reads: a References of thousands is trimmed as it trims it.
    messageIds: threadIds(message).map((t) => t.id),
    messageId: message.messageId,
  };
}

export async function decideMessage(message: Message, profile: DecisionProfile, context: DecisionContext): Promise<Plan> {
  return (await decideMessageUnder(message, [profile], context))[0]!;
}

/**
 * One message decided under several rule sets (a preview: the current rules and the new ones) with
 * one tracker snapshot, so that the plans differ only by what the rules say.
 */
export async function decideMessageUnder(message: Message, profiles: DecisionProfile[], context: DecisionContext): Promise<Plan[]> {
  const split = new LazyReplySplit(message);
  const snapshot = await context.tracker.snapshot(snapshotRequestFor(message, split));
  return profiles.map((profile) => {
    const plan = decide(message, profile.ruleSet, snapshot, {
      ownAddresses: profile.ownAddresses,
      ownDomains: context.ownDomains,
      ...(context.allProfileAddresses ? { allProfileAddresses: context.allProfileAddresses } : {}),
      ...(profile.threading ? { threading: profile.threading } : {}),
      split,
    });
    const unread = (profile.ruleErrors ?? []).map((e) => `rule line ${e.line} was left out: it cannot be read (${e.line}:${e.column}: ${e.message})`);
    return { ...plan, trace: { ...plan.trace, rulesVersion: profile.rulesVersion ?? null, warnings: [...unread, ...plan.trace.warnings] } };
  });
}

export interface RawMessage {
  raw: NodeJS.ReadableStream | Buffer;
  receivedAt: Date;
  /** Where attachment bodies go: the blob store when processing, nowhere for a dry run. */
  sink: AttachmentSink;
}

/** Parse, then decide. Throws UnparseableMessageError for bytes the parser refuses. */
export async function prepareAndDecide(
  input: RawMessage,
  profile: DecisionProfile,
  context: DecisionContext,
): Promise<{ message: Message; plan: Plan }> {
  const { message, plans } = await prepareAndDecideUnder(input, [profile], context);
  return { message, plan: plans[0]! };
}

/** Parse once, then decide under each rule set (see decideMessageUnder). */
export async function prepareAndDecideUnder(
  input: RawMessage,
  profiles: DecisionProfile[],
  context: DecisionContext,
): Promise<{ message: Message; plans: Plan[] }> {
  const message = await parseMessage(input.raw, { receivedAt: input.receivedAt, sink: input.sink });
  return { message, plans: await decideMessageUnder(message, profiles, context) };
}
