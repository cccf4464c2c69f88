// The dry run behind `rules test`: what processing would do to a message (raw bytes, or one already
// stored, by its inbox id), through the very path processing takes (engine/prepare.ts), changing
// nothing. The view says which rule matched and, for each rule before it, why it did not, per condition.
import { DecisionProfiles, everyProfileAddress } from '../engine/decision-profile.js';
import { planActions, type PlannedRequester, type PlanStep, type RuleTraceEntry, type Trace } from '../engine/plan.js';
import { prepareAndDecide, type DecisionProfile } from '../engine/prepare.js';
import { BlobStore, discardingSink } from '../store/blobs.js';
import { getInboxItem } from '../store/inbox.js';
import { RawMessages } from '../store/raw-messages.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { notFound, unavailable, userError } from './errors.js';
import type { RulesInput } from './profiles.js';
import { rulesToTry } from './rules.js';

export interface DryRunView {
  messageId: string;
  subject: string;
  /** The stored message tested, when tested by its inbox id. */
  itemId?: number;
  outcome: 'imported' | 'commented' | 'skipped' | 'ignored';
  reason: string | null;
  rule: number | null;
  /** The rule that matched, as written; null when none did (or none was tried). */
  matchedRule: { line: number; source: string } | null;
  /** Every rule tried that did not match, top to bottom: why not, and each condition with why it failed or held. */
  notMatched: RuleTraceEntry[];
  /** The saved rules version that decided; null for rules tried without saving them. */
  rulesVersion: number | null;
  actions: string[];
  steps: PlanStep[];
  requesters: PlannedRequester[];
  trace: Trace;
}

export interface DryRunInput {
  /** The message's bytes; or give `itemId`. */
  raw?: Buffer;
  /** A stored message (its inbox id) instead of raw bytes; its profile applies unless `profile` is given. */
  itemId?: number;
  /** The profile whose rules and mailbox addresses apply. */
  profile?: string | number;
  /** Rules to try instead of the profile's (or without any profile). */
  rules?: RulesInput;
  receivedAt?: Date;
}

export async function dryRun(app: App, input: DryRunInput): Promise<DryRunView> {
  if ((input.raw === undefined) === (input.itemId === undefined)) {
    const message = 'Give either the message itself or the id of a stored message, not both';
    throw userError(message, { fields: [{ field: input.raw === undefined ? 'raw' : 'messageId', message }] });
  }
  const stored = input.itemId !== undefined ? await storedMessage(app, input.itemId) : null;
  const profileRef = input.profile ?? stored?.profileId;
  if (profileRef === undefined && !input.rules) throw userError('a dry run needs a profile or rules to try');
  const profile = profileRef !== undefined ? await getProfile(app.store.db, profileRef) : null;
  let decisionProfile: DecisionProfile = profile ? new DecisionProfiles().of(profile) : { ruleSet: { rules: [] }, ownAddresses: [] };
  if (input.rules) {
    // Other rules, the same profile: its own addresses and threading settings still apply (as in rules-preview).
    decisionProfile = { ...decisionProfile, ruleSet: rulesToTry(input.rules.text, input.rules.label), ruleErrors: [], rulesVersion: null };
  }
  const allProfileAddresses = await everyProfileAddress(app.store.db);
  const { message, plan } = await prepareAndDecide(
    { raw: stored?.raw ?? input.raw!, receivedAt: input.receivedAt ?? stored?.receivedAt ?? new Date(), sink: discardingSink },
    decisionProfile,
    { tracker: app.tracker, ownDomains: app.ownDomains, allProfileAddresses, outgoing: app.outgoing },
  );
  const matched = plan.trace.rules.find((r) => r.matched);
  return {
    messageId: message.messageId,
    subject: message.subject,
    ...(input.itemId !== undefined ? { itemId: input.itemId } : {}),
    outcome: plan.outcome,
    reason: plan.reason,
    rule: plan.ruleLine,
    matchedRule: matched ? { line: matched.line, source: matched.source } : null,
    notMatched: plan.trace.rules.filter((r) => !r.matched),
    rulesVersion: plan.trace.rulesVersion ?? null,
    actions: planActions(plan),
    steps: plan.steps,
    requesters: plan.requesters,
    trace: plan.trace,
  };
}

/** A stored message's bytes (from the database or streamed from its blob file) and when it arrived. */
async function storedMessage(app: App, itemId: number): Promise<{ raw: NodeJS.ReadableStream; receivedAt: Date; profileId: number }> {
  const item = await getInboxItem(app.store.db, itemId);
  if (!item) throw notFound(`no message ${itemId}`);
  const blobs = new BlobStore(app.store.dataDir);
  const raw = await new RawMessages(app.store.db, blobs).open(item);
  if (!raw) throw unavailable(`the stored bytes of message ${itemId} are missing from the database and from ${blobs.root}`);
  return { raw, receivedAt: new Date(item.receivedAt), profileId: item.profileId };
}
