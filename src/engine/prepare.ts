// Prepare and decide: the one path from a stored message to its plan. Processing, `rules test`,
// reprocessing and the preview all come through here, so a dry run says exactly what processing then
// does (DESIGN §5): the same snapshot request, the same rules, the same own addresses and domains.
import { bouncedOriginal, classify, findTicketReference, parseMessage, type AttachmentSink, type Classification, type Message } from '../mail/index.js';
import type { RuleError, RuleSet } from '../rules/index.js';
import { DEFAULT_RATE_LIMIT_PER_SENDER_HOUR, type ThreadingSettings } from '../store/threading-settings.js';
import type { SnapshotRequest, Tracker, TrackerSnapshot } from '../tracker/port.js';
import { findSubjectTokens, threadIds } from './binders/index.js';
import { deliveryAddresses, plusTag } from './binders/reply-token.js';
import { checkBounceToken, claimedItemId } from './outbox/reply-token.js';
import type { BounceKnowledge, SentMailView } from './bounce-note.js';
import { decide } from './decide.js';
import type { Plan } from './plan.js';
import { LazyReplySplit } from './reply-split.js';
import type { SenderHistory } from './sender-rate.js';

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
  /**
   * The sender's mail of the last hour, for the rate limit; `writtenAt` is the message's date (its Date
   * header, else when it arrived). Undefined when the limit does not apply to this message.
   */
  senderHistory?: (email: string, writtenAt: string) => Promise<SenderHistory | undefined>;
  /** Every profile's own addresses: a reply Cc'd to another of our mailboxes does not make it a participant. */
  allProfileAddresses?: string[];
  /** Mail we sent: what we know of it, so that answers thread back to its items. Absent: none is known. */
  outgoing?: OutgoingMailKnowledge;
}

/** What the outbox knows that replies need: the items of Message-IDs we sent, and the reply token key. */
export interface OutgoingMailKnowledge {
  sentThreads(messageIds: string[]): Promise<Map<string, number>>;
  replyTokenKey(): Promise<Buffer | null>;
  /** The mail we sent under these Message-IDs (what it was, to whom, about which item): what a bounce returns. */
  sentMail?(messageIds: string[]): Promise<Map<string, SentMailView>>;
  /** The mail we sent as this outbox row: what a bounce's return-path token (VERP) names. */
  sentMailById?(outboxId: number): Promise<SentMailView | null>;
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
  // Reply tokens are checked in decide (it has the key); the items they claim are loaded here.
  const tokens = deliveryAddresses(message).map((a) => {
    const plus = plusTag(a.address);
    return plus ? claimedItemId(plus.tag) : null;
  });
  const tickets = [inBody, inReply, ...findSubjectTokens(message.subject).map((t) => t.id), ...tokens];
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
  return (await decideWithSnapshot(message, profiles, context)).plans;
}

/** As decideMessageUnder, also handing back the snapshot (processing names projects in the mail it queues). */
async function decideWithSnapshot(
  message: Message,
  profiles: DecisionProfile[],
  context: DecisionContext,
): Promise<{ plans: Plan[]; snapshot: TrackerSnapshot }> {
  const split = new LazyReplySplit(message);
  const request = snapshotRequestFor(message, split);
  const sent = context.outgoing ? await context.outgoing.sentThreads(request.messageIds) : new Map<string, number>();
  const replyTokenKey = context.outgoing ? await context.outgoing.replyTokenKey() : null;
  // Once per message: bounceKnowledge and every profile's decide read the same classification.
  const classification = classify(message, context.ownDomains);
  const bounce = await bounceKnowledge(message, classification, context, profiles.flatMap((p) => p.ownAddresses), replyTokenKey);
  const bouncedItems = bounce ? [...bounce.sent.values(), ...(bounce.byReturnAddress ? [bounce.byReturnAddress] : [])].map((m) => m.itemId) : [];
  const snapshot = withSentMail(await context.tracker.snapshot({ ...request, itemIds: [...request.itemIds, ...sent.values(), ...bouncedItems] }), sent);
  // Looked up only when a limit can apply: some profile given has one (not 0), and the mail has a sender.
  const limited = profiles.some((p) => (p.threading?.rateLimitPerSenderHour ?? DEFAULT_RATE_LIMIT_PER_SENDER_HOUR) > 0);
  const from = message.from?.address.toLowerCase();
  const history = context.senderHistory && limited && from ? await context.senderHistory(from, message.date) : undefined;
  const plans = profiles.map((profile) => {
    const plan = decide(message, profile.ruleSet, snapshot, {
      ownAddresses: profile.ownAddresses,
      ownDomains: context.ownDomains,
      replyTokenKey,
      ...(context.allProfileAddresses ? { allProfileAddresses: context.allProfileAddresses } : {}),
      ...(profile.threading ? { threading: profile.threading } : {}),
      split,
      ...(history ? { senderHistory: history } : {}),
      ...(bounce ? { bounce } : {}),
      classification,
    });
    const unread = (profile.ruleErrors ?? []).map((e) => `rule line ${e.line} was left out: it cannot be read (${e.line}:${e.column}: ${e.message})`);
    return { ...plan, trace: { ...plan.trace, rulesVersion: profile.rulesVersion ?? null, warnings: [...unread, ...plan.trace.warnings] } };
  });
  return { plans, snapshot };
}

/**
 * For a bounce, the mail it returns and which of ours that was. Looked up only for mail the classifier
 * calls a bounce (decide is given the same classification): elsewhere a quoted Message-ID means nothing.
 */
async function bounceKnowledge(message: Message, classification: Classification, context: DecisionContext, ownAddresses: string[], key: Buffer | null): Promise<BounceKnowledge | null> {
  if (!context.outgoing?.sentMail || classification.kind !== 'bounce') return null;
  const original = bouncedOriginal(message);
  const sent = original ? await context.outgoing.sentMail(original.messageIds) : new Map<string, SentMailView>();
  const found = sent.size > 0 ? null : await returnAddressMail(message, context.outgoing, ownAddresses, key);
  if (!original && !found) return null;
  return { original: original ?? { messageIds: [], recipients: [] }, sent, ...(found ? { byReturnAddress: found } : {}) };
}

/**
 * The mail a bounce's return-path token names: `support+b…@` of one of our own addresses, in the
 * bounce's To, Cc, Delivered-To or X-Original-To, with a signature that holds (a forged one names nothing).
 */
async function returnAddressMail(message: Message, outgoing: OutgoingMailKnowledge, ownAddresses: string[], key: Buffer | null): Promise<SentMailView | null> {
  if (!key || !outgoing.sentMailById) return null;
  const own = new Set(ownAddresses.map((a) => a.toLowerCase()));
  for (const { address } of deliveryAddresses(message)) {
    const plus = plusTag(address);
    if (!plus || !own.has(plus.base)) continue;
    const check = checkBounceToken(key, plus.tag);
    if (check.kind !== 'valid') continue;
    const mail = await outgoing.sentMailById(check.outboxId);
    if (mail) return mail;
  }
  return null;
}

/** The tracker's snapshot, answering `via: 'sent'` for the Message-IDs of mail we sent (the tracker's own answer first). */
function withSentMail(snapshot: TrackerSnapshot, sent: Map<string, number>): TrackerSnapshot {
  if (sent.size === 0) return snapshot;
  // Everything else is the tracker's own snapshot (its methods found through the prototype).
  const wrapped = Object.create(snapshot) as TrackerSnapshot;
  wrapped.itemOfMessage = (messageId) => {
    const own = snapshot.itemOfMessage(messageId);
    if (own) return own;
    const itemId = sent.get(messageId);
    return itemId === undefined ? undefined : { itemId, via: 'sent' };
  };
  return wrapped;
}

export interface RawMessage {
  raw: NodeJS.ReadableStream | Buffer;
  receivedAt: Date;
  /** Where attachment bodies go: the blob store when processing, nowhere for a dry run. */
  sink: AttachmentSink;
}

/** Decide a message parsed already, also handing back the snapshot decided on. */
export async function decideParsed(
  message: Message,
  profile: DecisionProfile,
  context: DecisionContext,
): Promise<{ plan: Plan; snapshot: TrackerSnapshot }> {
  const { plans, snapshot } = await decideWithSnapshot(message, [profile], context);
  return { plan: plans[0]!, snapshot };
}

/** Parse, then decide. Throws UnparseableMessageError for bytes the parser refuses. */
export async function prepareAndDecide(
  input: RawMessage,
  profile: DecisionProfile,
  context: DecisionContext,
): Promise<{ message: Message; plan: Plan; snapshot: TrackerSnapshot }> {
  const message = await parseMessage(input.raw, { receivedAt: input.receivedAt, sink: input.sink });
  const { plans, snapshot } = await decideWithSnapshot(message, [profile], context);
  return { message, plan: plans[0]!, snapshot };
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
