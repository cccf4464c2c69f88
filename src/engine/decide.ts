// decide(message, rules, tracker snapshot) → Plan. Pure: no I/O, no clock. That is what makes dry
// runs (`rules test`), reprocessing and the trace possible.
import { classify, contentIdKey, quotedImageIds, type Classification } from '../mail/index.js';
import type { Message } from '../mail/message.js';
import { evaluateRules, exprToText, type RuleSet } from '../rules/index.js';
import { DEFAULT_THREADING, type ThreadingSettings } from '../store/threading-settings.js';
import type { TrackerSnapshot } from '../tracker/port.js';
import type { Plan, PlanStep, RuleTraceEntry, Trace } from './plan.js';
import { evalContext } from './message-view.js';
import { bounceNote, type BounceKnowledge } from './bounce-note.js';
import { decideReply } from './reply.js';
import { LazyReplySplit } from './reply-split.js';
import { ownMail as makeOwnMail } from './own-address.js';
import { planRequesters, resolveSender } from './sender.js';
import { rateLimitReason, type SenderHistory } from './sender-rate.js';

/** How many rules tried a trace lists one by one. */
export const MAX_TRACED_RULES = 100;

export interface DecideOptions {
  /** The profile's own mailbox addresses: never requesters, nor are their plus-addresses. */
  ownAddresses?: string[];
  /** Domains of our own outgoing mail, for loop detection. */
  ownDomains?: string[];
  /** Every profile's own addresses (this one's too): never participants or requesters of an item. */
  allProfileAddresses?: string[];
  /** The profile's threading settings (how replies bind, who may add, closed items); defaults when absent. */
  threading?: ThreadingSettings;
  /** The message's reply split, when the caller made (or may make) it already. */
  split?: LazyReplySplit;
  /**
   * The sender's mail in this profile in the hour before this message, for the rate limit
   * (threading.rateLimitPerSenderHour). Absent: no limit applies (a dry run that did not look it up).
   */
  senderHistory?: SenderHistory;
  /** The installation's key that signs reply tokens; without it tokens are not read. */
  replyTokenKey?: Buffer | null;
  /** For a bounce: the mail it returns and which of ours that was (prepare.ts looks it up). */
  bounce?: BounceKnowledge;
  /** The message's classification under `ownDomains`, when the caller made it already (prepare.ts does). */
  classification?: Classification;
}

export function decide(message: Message, ruleSet: RuleSet, snapshot: TrackerSnapshot, options: DecideOptions = {}): Plan {
  const classification = options.classification ?? classify(message, options.ownDomains ?? []);
  const sender = resolveSender(message, snapshot);
  const trace: Trace = { classification, sender, binding: null, bindingRefused: [], rules: [], warnings: [] };
  const base = { requesters: [], trace };

  if (classification.kind !== 'human') {
    // Automatic mail never creates work; a bounce of our own mail is noted on its item all the same.
    const noted = classification.kind === 'bounce' && options.bounce ? bounceNote(options.bounce, snapshot) : null;
    if (noted) trace.bounce = noted.trace;
    const steps = noted?.step ? [noted.step] : [];
    return { ...base, outcome: 'ignored', reason: `${classification.kind}: ${classification.reason}`, ruleLine: null, steps };
  }
  // Loop defence after the classifier: a person (or a machine that looks like one) sending more than
  // the profile allows in an hour is held before any reply binding or rule (engine/sender-rate.ts).
  const threading = options.threading ?? DEFAULT_THREADING;
  const limited = rateLimitReason(sender.email, options.senderHistory, threading.rateLimitPerSenderHour);
  if (limited !== null) {
    trace.rateLimit = { limit: threading.rateLimitPerSenderHour, reached: options.senderHistory!.reached, held: options.senderHistory!.held };
    return { ...base, outcome: 'ignored', reason: limited, ruleLine: null, steps: [] };
  }
  const ownMail = makeOwnMail(options.ownAddresses ?? [], options.allProfileAddresses ?? [], options.ownDomains ?? []);
  const own = ownMail.profileAddresses;
  const requesters = planRequesters(message, snapshot, ownMail);

  // A reply to an item we hold, from someone allowed to add to it, is a comment; anything else is new
  // mail for the rules, with every refused candidate in the trace.
  const split = options.split ?? new LazyReplySplit(message);
  const reply = decideReply(
    { message, get split() { return split.value; }, settings: threading, snapshot, ownAddresses: own, replyTokenKey: options.replyTokenKey ?? null },
    ownMail,
  );
  trace.bindingRefused = reply.refused;
  if (reply.kind === 'already') {
    // Delivered to two of our mailboxes, bound to the same item: the first made the comment.
    trace.binding = { layer: reply.binding.layer, evidence: reply.binding.evidence, itemId: reply.binding.itemId };
    trace.replyAccess = reply.access;
    return { ...base, outcome: 'skipped', reason: reply.why, ruleLine: null, steps: [] };
  }
  if (reply.kind === 'comment') {
    const { binding } = reply;
    trace.binding = { layer: binding.layer, evidence: binding.evidence, itemId: binding.itemId };
    trace.replyAccess = reply.access;
    // Requesters are created only for imported mail: a comment links the people we already know.
    const known = requesters.filter((r) => r.existingId !== null);
    // Only what was written now; the whole text, quotes included, stays on the message.
    const { reply: body, removed, how, fullTextKept } = split.value;
    trace.reply = { how, fullTextKept };
    const quotedImages = quotedInlineImages(message);
    const comment = { body, quotedText: removed === '' ? null : removed, ...(quotedImages.length ? { quotedImages } : {}) };
    return { outcome: 'commented', reason: binding.evidence, ruleLine: null, steps: reply.steps, requesters: known, trace, comment };
  }
  const refusal = reply.decisive ?? reply.refused[reply.refused.length - 1] ?? null;

  if (ruleSet.rules.length === 0) {
    const reason = reply.decisive !== null ? `${reply.decisive}, and the profile has no rules` : 'the profile has no rules';
    return { ...base, outcome: 'skipped', reason, ruleLine: null, steps: [] };
  }
  const evaluation = evaluateRules(ruleSet, evalContext(message, snapshot, sender));
  // A trace names each rule tried; past the first hundred (a profile of a thousand rules) it counts them,
  // keeping the stored trace small and its building cheap. The deciding rule is always listed.
  const listed = evaluation.traceHead(MAX_TRACED_RULES);
  if (evaluation.tried > listed.length) trace.rulesNotListed = evaluation.tried - listed.length;
  trace.rules = listed.map(
    (t): RuleTraceEntry => ({
      line: t.rule.line,
      source: t.rule.source,
      matched: t.matched,
      reason: t.reason,
      conditions: t.conditions.map((c) => ({ condition: exprToText(c.condition), matched: c.matched, reason: c.reason })),
    }),
  );
  const rule = evaluation.matched;
  if (!rule) {
    const reason = refusal !== null ? `${refusal}, and no rule matched` : 'no rule matched';
    return { ...base, outcome: 'skipped', reason, ruleLine: null, steps: [] };
  }
  trace.warnings.push(...evaluation.warnings);
  const creates = evaluation.effects.some((e) => e.kind === 'create');
  // A reply is about an item (its token, its number): a rule that makes none has nothing to answer with.
  const steps: PlanStep[] = evaluation.effects.filter((e) => {
    if (e.kind !== 'reply' || creates) return true;
    trace.warnings.push(`left out 'reply with template '${e.template}'': the rule creates no item for the reply to be about`);
    return false;
  });
  const ignore = evaluation.effects.find((e) => e.kind === 'ignore');
  if (ignore) {
    // Ignored by a rule: no requester, no item; the reason is the rule's own words.
    return { ...base, outcome: 'ignored', reason: ignore.reason ?? `ignored by the rule on line ${rule.line}`, ruleLine: rule.line, steps };
  }
  if (steps.length === 0) {
    // Everything the rule asked for was left out (a capture with no value, say): importing would store a
    // message nobody sees. Skipped, it shows up with the reason and can be reprocessed once rules change.
    return { ...base, outcome: 'skipped', reason: `the rule on line ${rule.line} matched, but every action was left out (see the warnings)`, ruleLine: rule.line, steps };
  }
  // A reply to a closed item, made new mail by the profile: what the rule creates follows that item up.
  if (reply.followsUp !== null && creates) steps.push({ kind: 'follow-up', itemId: reply.followsUp });
  // New work from a person (automatic mail returned above): the profile may acknowledge it by mail.
  if (threading.acknowledge && creates) steps.push({ kind: 'acknowledge' });
  // Why mail that answered an item is new mail after all shows with the outcome, not only in the trace.
  return { outcome: 'imported', reason: reply.decisive, ruleLine: rule.line, steps, requesters, trace };
}

/**
 * The inline images of a reply that only its quoted HTML shows (the logo of the mail it answers): left
 * off its comment. The HTML is read for this only when the message has inline images at all.
 */
function quotedInlineImages(message: Message): string[] {
  const inline = message.attachments.filter((a) => a.inline && a.contentId !== null);
  if (!inline.length || message.html === null) return [];
  const quoted = quotedImageIds(message.html);
  return inline.map((a) => contentIdKey(a.contentId!)).filter((id) => quoted.has(id));
}
