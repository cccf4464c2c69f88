// Processing: claim due inbox items, parse, decide, and execute the plan together with the recorded
// outcome in one transaction. Errors retry with backoff; a message the parser refuses is final at once
// (retrying the same bytes cannot help), with its raw bytes kept.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { UnparseableMessageError } from '../mail/index.js';
import type { Message } from '../mail/message.js';
import type { Db, Store } from '../store/database.js';
import { BlobStore } from '../store/blobs.js';
import {
  CLAIM_LEASE_MS,
  claimDueItems,
  renewClaims,
  getInboxItem,
  recordError,
  recordOutcome,
  type InboxItem,
  type IntakeTrace,
} from '../store/inbox.js';
import type { Outcome } from '../store/schema.js';
import { markBounced } from '../store/outbox.js';
import { getProfile, type Profile } from '../store/profiles.js';
import { SENDER_RATE_WINDOW_MS, senderHistory } from '../store/sender-rate.js';
import type { Tracker } from '../tracker/port.js';
import { DecisionProfiles, everyProfileAddress } from './decision-profile.js';
import { executePlan, emptyCreated, type Created } from './execute.js';
import { queueMail, type MailLimits } from './outbox/queue.js';
import { planActions } from './plan.js';
import { prepareAndDecide, type OutgoingMailKnowledge } from './prepare.js';

export interface ProcessResult {
  itemId: number;
  profileId: number;
  messageId: string | null;
  subject: string | null;
  /** null while the item waits for another attempt. */
  outcome: Outcome | null;
  rule: number | null;
  actions: string[];
  created: Created;
  reason: string | null;
  error?: string;
  /** The per-sender rate limit held it. */
  rateLimited?: boolean;
}

class AlreadyProcessedError extends Error {
  constructor(itemId: number) {
    super(`message ${itemId} was processed by another worker`);
  }
}

export interface ProcessorOptions {
  store: Store;
  /** Where plans are carried out; handed in, never built here. */
  tracker: Tracker<Db>;
  /** Domains of our own Message-IDs, for loop detection. */
  ownDomains: string[];
  logger?: Logger;
  /** How long a claim lasts without renewal; the processor renews it while it works. */
  leaseMs?: number;
  /** Who claims: the service's id (so a dead service's claims are taken over), or a command's own. */
  owner?: string;
  /** Told of every message this processor finished or put back for a retry (metrics observe it). */
  onProcessed?: (event: ProcessedEvent) => void;
  /** Mail we sent (replies to it thread back) and how new mail is written; without it no reply token is read or written. */
  outgoing?: OutgoingMailOptions;
}

export interface OutgoingMailOptions extends OutgoingMailKnowledge {
  /** Where the web UI is, for {{item.link}} in templates; null leaves it empty. */
  publicUrl: string | null;
  limits?: MailLimits;
}

/** One processing attempt: its outcome (null: it waits for a retry), how long it took, when the mail came in. */
export interface ProcessedEvent {
  profileId: number;
  itemId: number;
  outcome: Outcome | null;
  rule: number | null;
  ms: number;
  receivedAt: string;
  /** The per-sender rate limit held the message (outcome ignored, reason "rate limited: …"). */
  rateLimited: boolean;
}

export class Processor {
  private readonly store: Store;
  private readonly blobs: BlobStore;
  private readonly profiles = new DecisionProfiles();
  private readonly owner: string;
  private readonly leaseMs: number;

  constructor(private readonly options: ProcessorOptions) {
    this.store = options.store;
    this.blobs = new BlobStore(options.store.dataDir);
    this.owner = options.owner ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? CLAIM_LEASE_MS;
  }

  /**
   * Claim and process due items (optionally only the given ids) until none is left or limit is hit.
   * Once `signal` aborts (the service stops), the message in hand is finished and no other begins;
   * the rest of the batch stays claimed by this service only until it unregisters, then others take it.
   */
  async processDue(
    filter: { ids?: number[]; profileId?: number; receivedBefore?: string; limit?: number; signal?: AbortSignal } = {},
  ): Promise<ProcessResult[]> {
    const results: ProcessResult[] = [];
    const limit = filter.limit ?? Infinity;
    while (results.length < limit && !filter.signal?.aborted) {
      const batch = await claimDueItems(this.store, {
        limit: Math.min(20, limit - results.length),
        leaseMs: this.leaseMs,
        owner: this.owner,
        onTakeover: (t) =>
          this.options.logger?.warn({ item: t.itemId, from: t.from, why: t.why }, `took over a message whose worker stopped (${t.why})`),
        ...(filter.ids ? { ids: filter.ids } : {}),
        ...(filter.profileId !== undefined ? { profileId: filter.profileId } : {}),
        ...(filter.receivedBefore !== undefined ? { receivedBefore: filter.receivedBefore } : {}),
      });
      if (batch.length === 0) break;
      // The claims last while this process lives: renewed well before they run out, so that a slow
      // message never lets another worker start on the rest of the batch.
      const open = new Set(batch.map((i) => i.id));
      const renew = setInterval(() => {
        renewClaims(this.store.db, [...open], this.owner, this.leaseMs).catch((error) =>
          this.options.logger?.warn({ err: (error as Error).message }, 'could not renew message claims'),
        );
      }, Math.max(1000, this.leaseMs / 3));
      try {
        for (const item of batch) {
          if (filter.signal?.aborted) break;
          results.push(await this.processItem(item));
          open.delete(item.id);
        }
      } finally {
        clearInterval(renew);
      }
    }
    return results;
  }

  /** Process one claimed item to an outcome (or a scheduled retry). Never throws for bad mail. */
  async processItem(item: InboxItem): Promise<ProcessResult> {
    const started = performance.now();
    let message: Message | undefined;
    let profile: Profile | undefined;
    const done = (result: ProcessResult) => this.finished(item, profile, result, started);
    const base = { itemId: item.id, profileId: item.profileId, rule: null, actions: [], created: emptyCreated() };
    const { tracker, ownDomains, outgoing } = this.options;
    try {
      profile = await getProfile(this.store.db, item.profileId);
      const decision = this.profiles.of(profile);
      const unread = decision.ruleErrors?.[0];
      if (unread) {
        // The rules were valid when saved; a line this process cannot read (a plugin it did not load)
        // would route mail by a different rule set. The message waits, visibly, instead.
        throw new Error(
          `the profile's rules cannot be read here (line ${unread.line}:${unread.column}: ${unread.message}); ` +
            'is MAILBIND_PLUGINS the same for every process?',
        );
      }
      // Read before the blob is opened: a stream left waiting on another query could fail unheard.
      const allProfileAddresses = await everyProfileAddress(this.store.db);
      const prepared = await prepareAndDecide(
        { raw: this.blobs.open(item.rawRef), receivedAt: new Date(item.receivedAt), sink: this.blobs },
        decision,
        {
          tracker,
          ownDomains,
          allProfileAddresses,
          ...(outgoing ? { outgoing } : {}),
          senderHistory: (email, writtenAt) => {
            // A loop writes its mail now. Mail written over an hour ago (an archive imported, a mailbox's
            // backlog on its first fetch) is never held and never looked up. The hour counted is the one
            // before this decision, not before the message arrived: a held message retried later
            // (messages retry ID) goes through once the flood is over.
            const now = Date.now();
            if (Date.parse(writtenAt) < now - SENDER_RATE_WINDOW_MS) return Promise.resolve(undefined);
            return senderHistory(this.store.db, { profileId: item.profileId, email, receivedAt: new Date(now).toISOString(), excludeItemId: item.id });
          },
        },
      );
      message = prepared.message;
      const { plan, snapshot } = prepared;
      const actions = planActions(plan);
      const replyTokenKey = outgoing ? await outgoing.replyTokenKey() : null;
      const created = await this.store.db.transaction().execute(async (trx) => {
        const made = await executePlan(tracker.writer(trx), plan, prepared.message, item.id);
        // The mail a noted bounce returns is marked bounced with the note, in the same transaction.
        for (const step of plan.steps) if (step.kind === 'note' && step.bouncedMail !== null) await markBounced(trx, step.bouncedMail, step.text);
        // Mail the plan asks for commits with the outcome: it exists exactly when the item it is about does.
        const queued = await queueMail(trx, plan, prepared.message, made, item.id, {
          profile: profile!,
          ownAddresses: decision.ownAddresses,
          allProfileAddresses,
          ownDomains,
          messageIdDomain: ownDomains[0] ?? 'mailbind.invalid',
          replyTokenKey,
          publicUrl: outgoing?.publicUrl ?? null,
          projectName: (id) => snapshot.project(id)?.name ?? null,
          ...(outgoing?.limits ? { limits: outgoing.limits } : {}),
        });
        made.mails.push(...queued.ids);
        plan.trace.warnings.push(...queued.warnings);
        const first = await recordOutcome(trx, item.id, {
          outcome: plan.outcome,
          reason: plan.reason,
          ruleLine: plan.ruleLine,
          rulesVersion: plan.trace.rulesVersion ?? null,
          actions,
          created: made as unknown as Record<string, number[]>,
          trace: withIntakeNotes(item.trace, plan.trace),
          messageId: prepared.message.messageId,
          subject: prepared.message.subject,
          fromAddress: plan.trace.sender.email,
          claimedBy: item.claimedBy,
        });
        if (!first) throw new AlreadyProcessedError(item.id);
        return made;
      });
      return done({
        ...base,
        messageId: prepared.message.messageId,
        subject: prepared.message.subject,
        outcome: plan.outcome,
        rule: plan.ruleLine,
        actions,
        created,
        reason: plan.reason,
        rateLimited: plan.trace.rateLimit !== undefined,
      });
    } catch (error) {
      if (error instanceof UnparseableMessageError) {
        // Retrying the same bytes cannot help: final at once, raw bytes kept.
        const reason = `unparseable: ${error.message}`;
        await recordOutcome(this.store.db, item.id, {
          outcome: 'failed', reason, ruleLine: null, actions: [], created: {}, trace: { error: reason }, claimedBy: item.claimedBy,
        });
        return done({ ...base, messageId: item.messageId, subject: item.subject, outcome: 'failed', reason });
      }
      // Another worker's outcome: that worker logs and counts it.
      if (error instanceof AlreadyProcessedError) return this.storedResult(item.id);
      return done(await this.retryLater(item, error, message));
    }
  }

  /**
   * The one log line of a processed message, and the event metrics observe. The subject stays out of
   * the log: subjects are people's data, and logs travel further (collectors, tickets) than the
   * database does; the item id leads to it for whoever may read the message.
   */
  private finished(item: InboxItem, profile: Profile | undefined, result: ProcessResult, started: number): ProcessResult {
    const ms = Math.round(performance.now() - started);
    const fields = { profile: profile?.name ?? item.profileId, item: item.id, outcome: result.outcome, rule: result.rule, ms };
    const err = result.error !== undefined ? { err: result.error } : {};
    // An outcome (failed included) is one info line; an attempt that waits for a retry is a warning.
    if (result.outcome) this.options.logger?.info({ ...fields, ...err }, 'processed');
    else this.options.logger?.warn({ ...fields, ...err }, 'processing failed; will retry');
    try {
      this.options.onProcessed?.({
        profileId: item.profileId, itemId: item.id, outcome: result.outcome, rule: result.rule, ms, receivedAt: item.receivedAt, rateLimited: result.rateLimited === true,
      });
    } catch (error) {
      // An observer's bug must not turn a processed message into a retry.
      this.options.logger?.error({ err: (error as Error).message }, 'onProcessed failed');
    }
    return result;
  }

  /** Another worker recorded this item's outcome first; its items stand, ours were rolled back. */
  private async storedResult(itemId: number): Promise<ProcessResult> {
    const stored = await getInboxItem(this.store.db, itemId);
    return {
      itemId,
      profileId: stored!.profileId,
      messageId: stored!.messageId,
      subject: stored!.subject,
      outcome: stored!.outcome,
      rule: stored!.ruleLine,
      actions: stored!.actions,
      created: emptyCreated(),
      reason: stored!.reason,
    };
  }

  private async retryLater(item: InboxItem, error: unknown, message?: Message): Promise<ProcessResult> {
    const text = error instanceof Error ? error.message : String(error);
    const updated = await recordError(this.store.db, item, text);
    return {
      itemId: item.id,
      profileId: item.profileId,
      messageId: message?.messageId ?? item.messageId,
      subject: message?.subject ?? item.subject,
      outcome: updated.outcome,
      rule: null,
      actions: [],
      created: emptyCreated(),
      reason: updated.reason ?? `will retry (attempt ${updated.attempts}): ${text}`,
      error: text,
    };
  }
}

/** Notes intake recorded on the item (e.g. a reused Message-ID) stay in front of the decision's warnings. */
function withIntakeNotes<T extends { warnings: string[] }>(stored: unknown, trace: T): T {
  const notes = (stored as IntakeTrace | null)?.warnings;
  if (!Array.isArray(notes) || !notes.length) return trace;
  return { ...trace, warnings: [...notes.filter((n) => !trace.warnings.includes(n)), ...trace.warnings] };
}
