// Processing: claim due inbox items, parse, decide, and execute the plan together with the recorded
// outcome in one transaction. Errors retry with backoff; a message the parser refuses is final at once
// (retrying the same bytes cannot help), with its raw bytes kept.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { UnparseableMessageError } from '../mail/index.js';
import type { Message } from '../mail/message.js';
import { unknownMigrations, type Db, type Store } from '../store/database.js';
import { BlobBatch } from '../store/blob-batch.js';
import { BlobStore } from '../store/blobs.js';
import { RawMessages } from '../store/raw-messages.js';
import {
  CLAIM_LEASE_MS,
  claimDueItems,
  renewClaims,
  getInboxItem,
  originalInFlight,
  putOff,
  recordError,
  WAIT_FOR_ORIGINAL_MS,
  recordOutcome,
  type GivenUp,
  type InboxItem,
  type IntakeTrace,
} from '../store/inbox.js';
import type { Outcome } from '../store/schema.js';
import { markBounced } from '../store/outbox.js';
import { getProfile, type Profile } from '../store/profiles.js';
import { boundLockWaits, LOCK_WAIT_MS, lockWaitExplained } from '../store/lock-wait.js';
import { inSavepoint } from '../store/savepoint.js';
import { SENDER_RATE_WINDOW_MS, senderHistory } from '../store/sender-rate.js';
import type { Tracker } from '../tracker/port.js';
import { DecisionProfiles } from './decision-profile.js';
import { GroupContext } from './group-context.js';
import { HeldClaims } from './held-claims.js';
import { executePlan, emptyCreated, type Created } from './execute.js';
import { queueMail, type MailLimits } from './outbox/queue.js';
import { threadIds } from './binders/index.js';
import { planActions } from './plan.js';
import { inlineParser, type StoredParser } from './parsing/stored-parser.js';
import { decideParsed, type OutgoingMailKnowledge } from './prepare.js';

/**
 * Groups parsed ahead on the parse threads while one is decided and recorded (processDue). Groups take
 * unequal times to parse (attachments) and to record (new items, replies), and with one group ahead each
 * side often waited for the other; with two the parse threads keep a group in hand. Measured on 2,000
 * messages: 2.54 against 2.62 ms per message end to end, 6 rounds; three were no better
 * (docs/benchmarks.md, ninth slice). Each costs a group's claims held and its parse in memory: a lane
 * holds up to three groups' claims, so on PostgreSQL the work is shared among lanes and workers in
 * coarser parts, and a reply to a message in those groups waits (originalInFlight) a little longer.
 */
export const PARSE_AHEAD_GROUPS = 2;

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
  /** Put off for a moment, no attempt spent: the message it replies to is being processed elsewhere. */
  waiting?: boolean;
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
  /**
   * Parse threads (engine/parsing/parse-pool.ts; its owner closes it): they parse the next groups while
   * one is decided and recorded. A group with nothing before it to overlap is parsed on this thread.
   */
  parser?: StoredParser;
  /** How often tmp/ of the blob store is swept of leftovers (TEMP_SWEEP_INTERVAL_MS; tests shorten it). */
  tempSweepIntervalMs?: number;
  /** PostgreSQL: how long a message waits for a lock another session holds before it is retried later (LOCK_WAIT_MS). */
  lockWaitMs?: number;
}

export interface OutgoingMailOptions extends OutgoingMailKnowledge {
  /** The same knowledge read through `db` (the transaction a batch is decided in: see processDue). */
  on(db: Db): OutgoingMailKnowledge;
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
  /** Put off, no attempt spent: the message it replies to is on its way elsewhere (not a failed attempt). */
  waiting?: true;
  /** Failed by a claim for stopping its holders (store/inbox.ts, MAX_TAKEOVERS): an outcome with no processing to time. */
  givenUp?: true;
}

export class Processor {
  private readonly store: Store;
  private readonly blobs: BlobStore;
  private readonly raws: RawMessages;
  private readonly profiles = new DecisionProfiles();
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly lockWaitMs: number;
  private readonly inline: StoredParser;
  /** Parses ahead: parse threads, or none. */
  private readonly ahead: StoredParser | undefined;
  /** What this processor's lanes hold: a message taken over before is held alone (held-claims.ts). */
  private readonly held = new HeldClaims();
  private sweptAt = -Infinity;
  private schemaCheckedAt = -Infinity;
  private tooOld: Error | undefined;

  constructor(private readonly options: ProcessorOptions) {
    this.store = options.store;
    this.blobs = new BlobStore(options.store.dataDir);
    this.raws = new RawMessages(options.store.db, this.blobs);
    this.owner = options.owner ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? CLAIM_LEASE_MS;
    this.lockWaitMs = options.lockWaitMs ?? LOCK_WAIT_MS;
    this.inline = inlineParser(this.blobs);
    this.ahead = options.parser?.parallel ? options.parser : undefined;
  }

  /**
   * Claim and process due items (optionally only the given ids) until none is left or limit is hit.
   * A claimed batch is processed in groups (up to PROCESS_GROUP_SIZE messages and PROCESS_GROUP_BYTES of
   * raw mail): every message of a group is parsed first, then all are decided and recorded in one
   * transaction (on PostgreSQL it may end early: endsTransaction), each in a savepoint
   * of its own (one that fails rolls back alone and waits for a retry), with the group's attachment blobs
   * made durable once before the commit. Decisions read through that transaction, so a reply sees the
   * item its original, earlier in the group, made. A group that cannot commit is done again one message
   * per transaction. With parse threads (options.parser), the next groups (PARSE_AHEAD_GROUPS) are
   * parsed (and if need be claimed) while one is decided and recorded. Once `signal` aborts (the service
   * stops), the messages in hand are finished and no other begins; the service gives the rest of the
   * batch back as it stops (releaseClaims), and a killed one's claims are taken over once its lease or
   * heartbeat runs out.
   */
  async processDue(filter: DueFilter = {}): Promise<ProcessResult[]> {
    await this.refuseNewerSchema();
    const results: ProcessResult[] = [];
    let finished = 0;
    const limit = filter.limit ?? Infinity;
    // At start and then hourly: attachments of a group whose process was killed before its commit, or
    // being written by a parse thread that died, stay in tmp/ (written, never placed); a day is far
    // longer than any group takes to commit.
    if (Date.now() - this.sweptAt >= (this.options.tempSweepIntervalMs ?? TEMP_SWEEP_INTERVAL_MS)) {
      this.sweptAt = Date.now();
      await this.blobs.sweepTemp(TEMP_BLOB_MAX_AGE_MS).then(
        (removed) => void (removed && this.options.logger?.info({ removed }, 'removed unplaced blobs left in tmp/ by a stopped process or parse thread')),
        (error: Error) => this.options.logger?.warn({ err: error.message }, 'could not clean tmp/ of the blob store'),
      );
    }
    // Claimed and not finished yet: their claims last while this process lives, renewed well before
    // they run out, so that a slow message never lets another worker start on the rest of a batch.
    const open = new Set<number>();
    const renew = setInterval(() => {
      if (open.size === 0) return;
      renewClaims(this.store, [...open], this.owner, this.leaseMs).catch((error) =>
        this.options.logger?.warn({ err: (error as Error).message }, 'could not renew message claims'),
      );
    }, Math.max(1000, this.leaseMs / 3));
    const groups: InboxItem[][] = [];
    const givenUp: GivenUp[] = [];
    let drained = false;
    /** Claims the next batch into `groups`; none left (or the limit reached) drains the loop. */
    const claim = async () => {
      const room = limit - finished - open.size;
      const batch = drained || room <= 0 ? [] : await this.claimInTurn({
        limit: Math.min(20, room),
        leaseMs: this.leaseMs,
        owner: this.owner,
        onTakeover: (t) => this.options.logger?.warn({ item: t.itemId, from: t.from, why: t.why, takeovers: t.takeovers }, t.from === this.owner
          // Its own claim, whose lease ran out while this process lived (a pass that failed): no worker stopped.
          ? 'took back a message whose claim ran out in this process (lease expired)'
          : `took over a message whose worker stopped (${t.why})${t.takeovers > 1 ? `; taken over ${t.takeovers} times, it is processed alone` : ''}`),
        onGivenUp: (g) => givenUp.push(g),
        ...(filter.ids ? { ids: filter.ids } : {}),
        ...(filter.profileId !== undefined ? { profileId: filter.profileId } : {}),
        ...(filter.receivedBefore !== undefined ? { receivedBefore: filter.receivedBefore } : {}),
      });
      // Failed for stopping its holders (MAX_TAKEOVERS): an outcome of this call like any other.
      for (const result of givenUp.splice(0).map((g) => this.givenUp(g))) {
        finished++;
        if (filter.onResult) this.handOver(filter.onResult, result);
        else results.push(result);
      }
      // Held back beside a message held alone (held-claims.ts): asked again once the messages in hand are done.
      if (batch === undefined) return;
      if (batch.length === 0) drained = true;
      for (const item of batch) open.add(item.id);
      groups.push(...groupsOf(batch));
    };
    // With parse threads, the next groups (claimed now if need be) are parsed there while this one is
    // decided and recorded. A group of one message with none before it is parsed here: there is nothing
    // to overlap, and a single message (deliver, import, retry) starts no thread.
    const ahead: Array<Promise<ParsedGroup>> = [];
    // A claim that fails while groups are parsed ahead (the database gone, locked) ends the call, but
    // only after the groups in hand are recorded: their attachments are in tmp/ and their messages claimed.
    let claimFailed: { error: unknown } | undefined;
    try {
      while (!filter.signal?.aborted) {
        if (ahead.length === 0 && groups.length === 0) {
          if (claimFailed) break;
          await claim();
        }
        const turnedTo = performance.now();
        const next = ahead.shift() ?? this.parseFirst(groups.shift(), filter.signal);
        if (!next) break;
        const parsed = await next;
        // A group parsed ahead began parsing while the one before it was recorded: its messages' time
        // (logged, counted as processing duration) starts now, as a group parsed here would.
        for (const one of parsed.parsed) one.started = Math.max(one.started, turnedTo);
        // Nothing is claimed beside a message held alone (claimedAlone): no group is parsed ahead of it.
        if (this.ahead && !filter.signal?.aborted && !this.held.holdsAlone) {
          while (ahead.length < PARSE_AHEAD_GROUPS) {
            if (groups.length === 0 && !drained && !claimFailed) await claim().catch((error: unknown) => void (claimFailed = { error }));
            if (!groups.length) break;
            ahead.push(this.parseGroup(groups.shift()!, this.ahead, filter.signal));
          }
        }
        for (const result of await this.settleGroup(parsed, filter.signal)) {
          finished++;
          if (open.delete(result.itemId)) this.held.settled(result.itemId);
          if (filter.onResult) this.handOver(filter.onResult, result);
          else results.push(result);
        }
      }
      if (claimFailed) throw claimFailed.error;
    } finally {
      clearInterval(renew);
      // Stopped or failed with claims in hand: this call holds them no more (the service gives them back).
      for (const id of open) this.held.settled(id);
      // Stopped before the groups parsed ahead were recorded: their attachments are not needed. Each is
      // discarded whatever becomes of the others (parseGroup itself never rejects).
      await Promise.allSettled(ahead.map(async (group) => (await group).attachments.discard()));
    }
    return results;
  }

  /** claimDueItems in this processor's turn (held-claims.ts). */
  private claimInTurn(options: Omit<Parameters<typeof claimDueItems>[1], 'aloneAllowed' | 'onAloneWaiting' | 'makeWayForAlone'>): Promise<InboxItem[] | undefined> {
    const seesAll = !options.ids && options.profileId === undefined && options.receivedBefore === undefined;
    return this.held.claim((how) => claimDueItems(this.store, { ...options, ...how }), seesAll);
  }

  /**
   * Refuses to process while the database holds migrations this code does not know (checked at most once
   * a minute): a newer mailbind upgraded it and this process was left running. It would fail mail it
   * cannot read (spending attempts, ending `failed`); this way the mail waits, pending, for a process of
   * the new version, and the service's log says why on every pass.
   */
  private async refuseNewerSchema(): Promise<void> {
    // A database is not migrated back: once refused, always refused, with no query more.
    if (this.tooOld) throw this.tooOld;
    if (Date.now() - this.schemaCheckedAt < SCHEMA_CHECK_INTERVAL_MS) return;
    const unknown = await unknownMigrations(this.store);
    if (unknown.length) {
      this.tooOld = new Error(`this mailbind is older than its database, which a newer version has migrated (${unknown.join(', ')}): `
        + 'it processes nothing; stop it and start the new version');
      throw this.tooOld;
    }
    this.schemaCheckedAt = Date.now();
  }

  /** A result to its taker; a taker's bug is logged, and the rest of the group is still counted and handed over. */
  private handOver(onResult: (result: ProcessResult) => void, result: ProcessResult): void {
    try {
      onResult(result);
    } catch (error) {
      this.options.logger?.error({ err: (error as Error).message, item: result.itemId }, 'onResult failed');
    }
  }

  /** Process one claimed item to an outcome (or a scheduled retry), in a transaction of its own. Never throws for bad mail. */
  async processItem(item: InboxItem): Promise<ProcessResult> {
    return (await this.processGroup([item]))[0]!;
  }

  /**
   * A group with none parsed before it: on a parse thread unless it is a single new message (the hand-over
   * would only add to its wait). A message tried before (an attempt failed, or its holder stopped) goes to
   * a parse thread even alone: if parsing it never ends, a thread is stopped for it (parse-pool.ts) where
   * this thread would hang with the whole process.
   */
  private parseFirst(group: InboxItem[] | undefined, signal?: AbortSignal): Promise<ParsedGroup> | undefined {
    if (!group) return undefined;
    return this.parseGroup(group, this.parserFor(group), signal);
  }

  /**
   * See parseFirst. Tried before: a failed attempt, a stopped holder, or an outcome before this retry by
   * hand (which resets both counts, and keeps when it was processed: failed after its attempts, or given
   * up for stopping its holders, which leaves no last error).
   */
  private parserFor(group: readonly InboxItem[]): StoredParser {
    const threaded = group.length > 1 || group.some((item) => item.attempts > 0 || item.takeovers > 0 || item.processedAt !== null);
    return threaded ? this.ahead ?? this.inline : this.inline;
  }

  private async processGroup(items: InboxItem[], signal?: AbortSignal): Promise<ProcessResult[]> {
    return this.settleGroup(await this.parseGroup(items, this.parserFor(items), signal), signal);
  }

  /**
   * Parsing first, outside the transaction: it reads the raw bytes (one query for those in the
   * database) and writes attachment blobs, and the write lock (SQLite) is not held while it runs. Parse
   * threads get the whole group at once; on this thread the messages are parsed one after the other.
   */
  private async parseGroup(items: InboxItem[], parser: StoredParser, signal?: AbortSignal): Promise<ParsedGroup> {
    const attachments = new BlobBatch(this.blobs);
    const raws = await this.raws.forParsing(items).catch((error: unknown) => error as Error);
    // The database did not answer: each message fails this attempt with why, and is retried.
    if (raws instanceof Error) return { parsed: items.map((item) => ({ item, started: performance.now(), failed: raws })), attachments };
    const parse = (item: InboxItem) => this.parse(item, raws.get(item.rawRef), parser, attachments);
    if (parser.parallel) return { parsed: await Promise.all(items.map(parse)), attachments };
    const parsed: Parsed[] = [];
    for (const item of items) {
      if (signal?.aborted) break;
      parsed.push(await parse(item));
    }
    return { parsed, attachments };
  }

  private async settleGroup({ parsed, attachments }: ParsedGroup, signal?: AbortSignal): Promise<ProcessResult[]> {
    if (parsed.length === 0) return [];
    let durable: Promise<void> | undefined;
    const settled: Settled[] = [];
    const redone = new Set<number>();
    try {
      // Read before the transaction: the first read of the key may create it.
      const replyTokenKey = this.options.outgoing ? await this.options.outgoing.replyTokenKey() : null;
      // Usually one transaction. On PostgreSQL a message whose work holds a lock other workers wait for
      // ends it, and the rest go on in the next (endsTransaction).
      while (settled.length < parsed.length) {
        settled.push(...await this.store.db.transaction().execute(async (trx) => {
          await boundLockWaits(trx, this.lockWaitMs);
          if (!durable) {
            durable = attachments.flush();
            durable.catch(() => {}); // awaited below, before the commit; not left unhandled meanwhile
          }
          const group = new GroupContext(trx, replyTokenKey);
          const done: Settled[] = [];
          for (const one of parsed.slice(settled.length)) {
            const next = await this.settle(trx, one, group, !redone.has(one.item.id));
            if ('redo' in next) {
              // Chosen as a deadlock's victim: what came before commits, and it goes first in the next transaction.
              this.options.logger?.info({ item: one.item.id, err: next.redo.message }, 'chosen as the victim of a conflict between workers; processing it again at once');
              redone.add(one.item.id);
              break;
            }
            done.push(next);
            if (this.endsTransaction(next)) break;
          }
          // The rows naming the attachments commit only once the attachments are on disk.
          await durable;
          return done;
        }));
      }
    } catch (error) {
      // Nothing placed is dropped: blobs flushed are on disk, and committed rows may name them.
      await attachments.discard();
      const rest = parsed.slice(settled.length);
      if (parsed.length === 1) {
        const [one] = parsed as [Parsed];
        const result = await this.retryLater(this.store.db, one.item, error, 'message' in one ? one.message : undefined);
        // Named in the log line as every other outcome is, when the database still answers.
        return [this.finished(one, await getProfile(this.store.db, one.item.profileId).catch(() => undefined), result)];
      }
      // The group could not commit (the database went away, a lock wait ran out): each message alone.
      this.options.logger?.warn({ err: (error as Error).message, messages: rest.length }, 'a group of messages could not be committed together; processing them one by one');
      const results = await this.committed(settled);
      for (const one of rest) {
        if (signal?.aborted) break;
        // One whose parse failed is settled as it is: parsed again, it could fail the same way, or never
        // end. The others are parsed again, for their attachments went with the group.
        if ('message' in one) results.push(await this.processItem(one.item));
        else results.push(...await this.settleGroup({ parsed: [one], attachments: new BlobBatch(this.blobs) }, signal));
      }
      return results;
    }
    return this.committed(settled);
  }

  /** Committed: each outcome gets its log line and event now, never for work that was rolled back. */
  private async committed(settled: Settled[]): Promise<ProcessResult[]> {
    const results: ProcessResult[] = [];
    for (const one of settled) {
      results.push(one.taken ? await this.storedResult(one.parsed.item.id) : this.finished(one.parsed, one.profile, one.result));
    }
    return results;
  }

  /**
   * Whether the group's transaction commits after this message. On SQLite never: one writer, nothing
   * waits on a group but the next transaction. On PostgreSQL several workers record at once, and a
   * transaction keeps the locks of the rows it wrote until it ends. A message that only made rows of its
   * own (its message, a new item and what hangs from it, its outcome) leaves nothing another worker
   * waits for, and the group goes on. One whose work wrote rows other workers may write too (Recorded
   * `shared`: a new requester, queued mail with the profile's outbox lock, an item that existed before)
   * commits at once: held over the rest of a group, those locks would make the other workers wait for
   * it, and two groups taking them in opposite order deadlock (process-workers-postgres.test.ts). So they
   * are held no longer than a transaction of one message held them. A message that failed holds none:
   * its savepoint's rollback released them, advisory locks included.
   */
  private endsTransaction(settled: Settled): boolean {
    return this.store.dialect === 'postgres' && !settled.taken && settled.shared === true;
  }

  private async parse(item: InboxItem, raw: Buffer | undefined, parser: StoredParser, sink: BlobBatch): Promise<Parsed> {
    const started = performance.now();
    try {
      const message = await parser.parse({ rawRef: item.rawRef, receivedAt: item.receivedAt, ...(raw ? { raw } : {}) }, sink);
      return { item, started, message };
    } catch (error) {
      // Retrying the same bytes cannot help: final at once, raw bytes kept. Anything else is retried.
      if (error instanceof UnparseableMessageError) return { item, started, unparseable: error };
      return { item, started, failed: error };
    }
  }

  /** One parsed message to its outcome (or a retry), inside the group's transaction. */
  private async settle(trx: Db, one: Parsed, group: GroupContext, mayRedo: boolean): Promise<Settled | { redo: Error }> {
    const { item } = one;
    // For the log line, whatever happens next; a profile deleted meanwhile makes the decision wait (below).
    const named = await group.profile(item.profileId).catch(() => undefined);
    if ('unparseable' in one) {
      const reason = `unparseable: ${one.unparseable.message}`;
      const first = await recordOutcome(trx, item.id, {
        outcome: 'failed', reason, ruleLine: null, actions: [], created: {}, trace: { error: reason }, claimedBy: item.claimedBy,
      });
      if (!first) return { parsed: one, taken: true };
      return { parsed: one, profile: named, result: { ...emptyResult(item), messageId: item.messageId, subject: item.subject, outcome: 'failed', reason } };
    }
    if ('failed' in one) return { parsed: one, profile: named, result: await this.retryLater(trx, item, one.failed) };
    // A reply whose original another worker (or lane) is recording right now would miss the item it
    // makes and become an item of its own: groups commit together, so that window lasts a group (and,
    // for a group parsed ahead, as long as the groups before it take).
    const original = await originalInFlight(trx, item, threadIds(one.message).map((t) => t.id), WAIT_FOR_ORIGINAL_MS);
    if (original !== undefined) {
      const why = `waiting for message ${original}, the one it replies to, which is being processed right now`;
      if (!(await putOff(trx, item, why, WAIT_FOR_ORIGINAL_MS))) return { parsed: one, taken: true };
      const result = { ...emptyResult(item), messageId: one.message.messageId, subject: one.message.subject, outcome: null, reason: why, waiting: true };
      return { parsed: one, profile: named, result };
    }
    const part = await inSavepoint(trx, async () => this.decideAndRecord(trx, item, await group.profile(item.profileId), one.message, group));
    if ('value' in part) return { parsed: one, profile: named, ...part.value };
    // Another worker's outcome: that worker logs and counts it; what this one wrote was rolled back.
    if (part.refused instanceof AlreadyProcessedError) return { parsed: one, taken: true };
    // PostgreSQL broke a deadlock (or a serialisation conflict) by failing this message's statement: no
    // fault of the message, and its savepoint's rollback let the other worker go on. It is done again at
    // once, first in the group's next transaction, instead of spending an attempt; a second time waits
    // for a retry.
    if (mayRedo && isConflict(part.refused)) return { redo: part.refused };
    return { parsed: one, profile: named, result: await this.retryLater(trx, item, part.refused, one.message) };
  }

  /** Decide a parsed message and record its outcome with the work its plan makes, all through `trx`. */
  private async decideAndRecord(trx: Db, item: InboxItem, profile: Profile, message: Message, group: GroupContext): Promise<Recorded> {
    const { tracker, ownDomains, outgoing } = this.options;
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
    const allProfileAddresses = await group.allProfileAddresses();
    const { replyTokenKey } = group;
    const { plan, snapshot } = await decideParsed(message, decision, {
      tracker: { snapshot: (request) => tracker.snapshot(request, trx), writer: (t) => tracker.writer(t as Db) },
      ownDomains,
      allProfileAddresses,
      ...(outgoing ? { outgoing: { ...outgoing.on(trx), replyTokenKey: () => Promise.resolve(replyTokenKey) } } : {}),
      senderHistory: (email, writtenAt) => {
        // A loop writes its mail now. Mail written over an hour ago (an archive imported, a mailbox's
        // backlog on its first fetch) is never held and never looked up. The hour counted is the one
        // before this decision, not before the message arrived: a held message retried later
        // (messages retry ID) goes through once the flood is over.
        const now = Date.now();
        if (Date.parse(writtenAt) < now - SENDER_RATE_WINDOW_MS) return Promise.resolve(undefined);
        return senderHistory(trx, { profileId: item.profileId, email, receivedAt: new Date(now).toISOString(), excludeItemId: item.id });
      },
    });
    const actions = planActions(plan);
    const made = await executePlan(tracker.writer(trx), plan, message, item.id);
    // The mail a noted bounce returns is marked bounced with the note, in the same transaction.
    for (const step of plan.steps) if (step.kind === 'note' && step.bouncedMail !== null) await markBounced(trx, step.bouncedMail, step.text);
    // Mail the plan asks for commits with the outcome: it exists exactly when the item it is about does.
    const queued = await queueMail(trx, plan, message, made, item.id, {
      profile,
      ownAddresses: decision.ownAddresses,
      allProfileAddresses,
      ownDomains,
      messageIdDomain: ownDomains[0] ?? 'mailbind.invalid',
      replyTokenKey: outgoing ? replyTokenKey : null,
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
      messageId: message.messageId,
      subject: message.subject,
      fromAddress: plan.trace.sender.email,
      claimedBy: item.claimedBy,
    });
    if (!first) throw new AlreadyProcessedError(item.id);
    const result: ProcessResult = {
      ...emptyResult(item),
      messageId: message.messageId,
      subject: message.subject,
      outcome: plan.outcome,
      rule: plan.ruleLine,
      actions,
      created: made,
      reason: plan.reason,
      rateLimited: plan.trace.rateLimit !== undefined,
    };
    // Rows other transactions may write too: a requester inserted (its address is unique), mail queued
    // (the profile's outbox lock), and any step on an item that existed before (a comment, participants,
    // a reopen, a bounce's note): two workers' replies to the same items meet there.
    const shared = made.requesters.length > 0 || made.mails.length > 0 || plan.steps.some((step) => 'itemId' in step);
    return { result, shared };
  }

  /**
   * The one log line of a processed message, and the event metrics observe. The subject stays out of
   * the log: subjects are people's data, and logs travel further (collectors, tickets) than the
   * database does; the item id leads to it for whoever may read the message.
   */
  private finished({ item, started }: Parsed, profile: Profile | undefined, result: ProcessResult): ProcessResult {
    const ms = Math.round(performance.now() - started);
    const fields = { profile: profile?.name ?? item.profileId, item: item.id, outcome: result.outcome, rule: result.rule, ms };
    const err = result.error !== undefined ? { err: result.error } : {};
    // An outcome (failed included) is one info line; an attempt that waits for a retry is a warning.
    if (result.outcome) this.options.logger?.info({ ...fields, ...err }, 'processed');
    else if (result.waiting) this.options.logger?.info({ ...fields, reason: result.reason }, 'put off: the message it replies to is being processed');
    else this.options.logger?.warn({ ...fields, ...err }, 'processing failed; will retry');
    try {
      this.options.onProcessed?.({
        profileId: item.profileId, itemId: item.id, outcome: result.outcome, rule: result.rule, ms, receivedAt: item.receivedAt, rateLimited: result.rateLimited === true,
        ...(result.waiting ? { waiting: true as const } : {}),
      });
    } catch (error) {
      // An observer's bug must not turn a processed message into a retry.
      this.options.logger?.error({ err: (error as Error).message }, 'onProcessed failed');
    }
    return result;
  }

  /** A message failed by a claim for stopping its holders (store/inbox.ts, MAX_TAKEOVERS): logged, counted and reported like any outcome. */
  private givenUp(g: GivenUp): ProcessResult {
    this.options.logger?.error({ item: g.itemId, takeovers: g.takeovers }, `gave a message up: ${g.reason}`);
    try {
      this.options.onProcessed?.({ profileId: g.profileId, itemId: g.itemId, outcome: 'failed', rule: null, ms: 0, receivedAt: g.receivedAt, rateLimited: false,
        givenUp: true });
    } catch (error) {
      this.options.logger?.error({ err: (error as Error).message }, 'onProcessed failed');
    }
    return { itemId: g.itemId, profileId: g.profileId, messageId: g.messageId, subject: g.subject, outcome: 'failed', rule: null, actions: [],
      created: emptyCreated(), reason: g.reason };
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

  private async retryLater(db: Db, item: InboxItem, cause: unknown, message?: Message): Promise<ProcessResult> {
    const error = lockWaitExplained(cause, this.lockWaitMs);
    const text = error instanceof Error ? error.message : String(error);
    const updated = await recordError(db, item, text);
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

/** How often a processor sweeps the blob store's tmp/ (the first processDue sweeps at once). */
export const TEMP_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** How old a file in the blob store's tmp/ must be before a processor takes it for a killed process's leftover. */
export const TEMP_BLOB_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Raw mail parsed in one group at most (the parsed messages are held until the group commits). */
export const PROCESS_GROUP_BYTES = 8 * 1024 * 1024;

/**
 * Messages per group: a claimed batch. On PostgreSQL a group's transaction may end early, after a
 * message that holds locks other workers wait for (Processor.endsTransaction).
 */
const PROCESS_GROUP_SIZE = 20;

/** How often a processor looks for migrations newer than its code (refuseNewerSchema). */
const SCHEMA_CHECK_INTERVAL_MS = 60_000;

/** PostgreSQL's deadlock_detected and serialization_failure: a conflict between transactions, not a fault. */
function isConflict(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/** A claimed batch in groups of at most PROCESS_GROUP_SIZE messages and PROCESS_GROUP_BYTES of raw mail (a larger message is a group alone). */
function groupsOf(items: InboxItem[]): InboxItem[][] {
  const groups: InboxItem[][] = [];
  let bytes = Infinity;
  for (const item of items) {
    if (bytes + item.rawSize > PROCESS_GROUP_BYTES || groups.at(-1)!.length >= PROCESS_GROUP_SIZE) {
      groups.push([]);
      bytes = 0;
    }
    groups.at(-1)!.push(item);
    bytes += item.rawSize;
  }
  return groups;
}

/** Which due messages processDue takes, and what becomes of their results. */
export interface DueFilter {
  ids?: number[];
  profileId?: number;
  receivedBefore?: string;
  limit?: number;
  signal?: AbortSignal;
  /**
   * Each result as its group commits, instead of all of them returned at the end (processDue then returns
   * none): the service drains a backlog of any size without holding a result (about 860 bytes) per message.
   */
  onResult?: (result: ProcessResult) => void;
}

/** A group's messages parsed, and their attachments waiting for the group's commit. */
interface ParsedGroup {
  parsed: Parsed[];
  attachments: BlobBatch;
}

/** A claimed item after parsing: its message, or why it has none. */
type Parsed = { item: InboxItem; started: number } & ({ message: Message } | { unparseable: Error } | { failed: unknown });

/** A parsed item inside the group's transaction: its result, or taken (another worker recorded it first). */
type Settled = { parsed: Parsed; taken: true } | ({ parsed: Parsed; taken?: false; profile: Profile | undefined } & Recorded);

/** A message decided and recorded: its result, and whether its work wrote rows other workers may write too. */
interface Recorded {
  result: ProcessResult;
  shared?: boolean;
}

function emptyResult(item: InboxItem): Omit<ProcessResult, 'messageId' | 'subject' | 'outcome' | 'reason'> {
  return { itemId: item.id, profileId: item.profileId, rule: null, actions: [], created: emptyCreated() };
}

/** Notes intake recorded on the item (e.g. a reused Message-ID) stay in front of the decision's warnings. */
function withIntakeNotes<T extends { warnings: string[] }>(stored: unknown, trace: T): T {
  const notes = (stored as IntakeTrace | null)?.warnings;
  if (!Array.isArray(notes) || !notes.length) return trace;
  return { ...trace, warnings: [...notes.filter((n) => !trace.warnings.includes(n)), ...trace.warnings] };
}
