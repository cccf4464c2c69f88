// The durable inbox: every received raw message, its origin key and its processing state. Intake only
// inserts here; processing claims due items, and records exactly one outcome per item.
import type { Db, Store } from './database.js';
import type { Dialect } from './migrations/001-initial.js';
import type { Database } from './schema.js';
import { now } from './database.js';
import { chunksOf } from './chunks.js';
import { compiledOnce } from './compiled-once.js';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { dbNow } from './db-clock.js';
import { staleBefore } from './services.js';
import type { Outcome } from './schema.js';
import { toInboxItem, type InboxItem } from './inbox-item.js';
import { indexable } from '../mail/indexable.js';
import { originKeysIn } from './origin-keys.js';

export { toInboxItem, type InboxItem } from './inbox-item.js';
export { DUPLICATE_OF, insertInboxItem, insertInboxItems, type IntakeTrace, type NewInboxItem } from './inbox-intake.js';

/** Which of these origin keys the profile's inbox holds. */
export function hasOriginKeys(db: Db, profileId: number, keys: string[]): Promise<Set<string>> {
  return originKeysIn(db, 'inbox_items', profileId, keys);
}

export async function getInboxItem(db: Db, id: number): Promise<InboxItem | undefined> {
  const row = await db.selectFrom('inbox_items').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toInboxItem(row) : undefined;
}

export async function listInboxItems(
  db: Db,
  filter: { outcome?: Outcome | 'pending'; profileId?: number; limit?: number } = {},
): Promise<InboxItem[]> {
  let query = db.selectFrom('inbox_items').selectAll().orderBy('id');
  if (filter.outcome === 'pending') query = query.where('outcome', 'is', null);
  else if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.profileId !== undefined) query = query.where('profile_id', '=', filter.profileId);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return (await query.execute()).map(toInboxItem);
}

/** Messages by outcome (`pending`/`processing` for those without one), optionally only those received since. */
export async function countByOutcome(db: Db, profileId?: number, receivedSince?: string): Promise<Record<string, number>> {
  let query = db
    .selectFrom('inbox_items')
    .select((eb) => ['outcome', 'state', eb.fn.countAll<number>().as('n')])
    .groupBy(['outcome', 'state']);
  if (profileId !== undefined) query = query.where('profile_id', '=', profileId);
  if (receivedSince !== undefined) query = query.where('received_at', '>=', receivedSince);
  const counts: Record<string, number> = {};
  for (const row of await query.execute()) {
    const key = row.outcome ?? (row.state === 'processing' ? 'processing' : 'pending');
    counts[key] = (counts[key] ?? 0) + Number(row.n);
  }
  return counts;
}

/** Which of these items were received before `at` (stored by an earlier run). */
export async function receivedBefore(db: Db, ids: number[], at: string): Promise<Set<number>> {
  const found = new Set<number>();
  for (const chunk of chunksOf(ids)) {
    const rows = await db.selectFrom('inbox_items').select('id').where('id', 'in', chunk).where('received_at', '<', at).execute();
    for (const r of rows) found.add(Number(r.id));
  }
  return found;
}

/** Items of a profile that have no final outcome yet (pending, processing). */
export async function countUnfinished(db: Db, profileId: number): Promise<number> {
  const row = await db
    .selectFrom('inbox_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('profile_id', '=', profileId)
    .where('state', 'in', ['pending', 'processing'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How long a processing claim lasts unless its holder renews it (it does, while it lives). */
export const CLAIM_LEASE_MS = 30_000;

/** A claim taken from another holder: its lease ran out, or its service stopped beating. */
export interface Takeover {
  itemId: number;
  from: string | null;
  why: 'lease expired' | 'holder stopped';
  /** Times its holder stopped while holding it, this one included. */
  takeovers: number;
}

/**
 * Takeovers of an item after which it is failed instead of claimed again: its holder stopped while
 * holding it once more than that, the last two times with the item alone.
 * A message that makes mailbind crash (or hang) while processing it was otherwise claimed again by the
 * next process, forever, and took the messages claimed beside it along each time, so that nothing else
 * was processed. The first takeover comes with the rest of the stopped holder's batch (a killed process,
 * a deploy: most of those messages were never started); an item taken over before is then claimed
 * alone, with no other message in hand beside it (claimedAlone), so that the message that stops its
 * holder again is told apart from the ones that merely shared its batch; one whose holder stopped while
 * it was alone twice is failed, with why, and can be retried by hand (`mailbind messages retry`).
 */
export const MAX_TAKEOVERS = 3;

/** Whether claimDueItems took this item alone, for having been taken over before: it is held alone (processDue claims nothing beside it). */
export function claimedAlone(item: Pick<InboxItem, 'heldAlone'>): boolean {
  return item.heldAlone === true;
}

/** An item failed instead of claimed: its holder stopped while holding it MAX_TAKEOVERS times. */
export interface GivenUp {
  itemId: number;
  profileId: number;
  receivedAt: string;
  messageId: string | null;
  subject: string | null;
  takeovers: number;
  reason: string;
}

/** Whether a claim in hand is the claiming holder's own (its lease ran out in the living process). */
function ownedBy(row: { claimed_by: string | null }, owner: string | undefined): boolean {
  return owner !== undefined && row.claimed_by === owner;
}

/**
 * The outcome's reason of an item failed for stopping its holders: taken over `takeovers` times, its
 * holder stopped once more than that (the first holder claimed it pending), and every time but the
 * first two it was held alone.
 */
export function stoppedHoldersReason(takeovers: number, itemId: number): string {
  return `mailbind stopped ${takeovers + 1} times while this message was being processed (the process ended or hung), `
    + `the last ${takeovers - 1} times with no other message in hand: it is not tried again, so that the rest of the mail `
    + `is processed; retry it by hand once the cause is found (mailbind messages retry ${itemId})`;
}

/**
 * Claim due items for processing: pending ones whose time has come, and processing ones whose holder
 * is gone (lease expired, or another service whose heartbeat stopped). On PostgreSQL SKIP LOCKED keeps
 * concurrent workers, and the lanes of one, from claiming the same row; SQLite's claim is the only
 * writer while it runs (BEGIN IMMEDIATE). An item whose holder is gone for the second time or more is
 * claimed alone, and one whose holder stopped MAX_TAKEOVERS times is failed instead (onGivenUp).
 */
export async function claimDueItems(
  store: Store,
  options: {
    limit: number;
    leaseMs: number;
    ids?: number[];
    profileId?: number;
    /** Only items received before this moment: what earlier runs left, not what a concurrent one just stored. */
    receivedBefore?: string;
    owner?: string;
    onTakeover?: (t: Takeover) => void;
    onGivenUp?: (g: GivenUp) => void;
    /** False: the caller holds other messages, so no item taken over before is claimed (it is held alone). */
    aloneAllowed?: boolean;
    /** Such an item is due and was not claimed for it. */
    onAloneWaiting?: () => void;
    /**
     * While such an item waits, take only a stopped holder's batch (no pending mail), so that the caller's
     * hands empty soon (the default); false once it has waited long enough (engine/held-claims.ts).
     */
    makeWayForAlone?: boolean;
  },
): Promise<InboxItem[]> {
  const at = now();
  const givenUp: GivenUp[] = [];
  const claimed = await store.db.transaction().execute(async (trx) => {
    // Leases by the database's clock (several hosts may share it); retry times are our own.
    const dbAt = (await sql<{ at: string }>`select ${dbNow(trx)} as at`.execute(trx)).rows[0]!.at;
    const due = dueItems(trx, {
      at,
      dbAt,
      dialect: store.dialect,
      ...(options.profileId !== undefined ? { profileId: options.profileId } : {}),
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      ...(options.ids ? { ids: options.ids } : {}),
      ...(options.receivedBefore !== undefined ? { receivedBefore: options.receivedBefore } : {}),
    });
    // Items whose holder is gone first (work already begun and abandoned), then pending ones, each by
    // lowest id and only as many as there is room for. On PostgreSQL each lookup locks what it takes
    // and passes over what other workers' claims in progress hold: it never locks an item it leaves
    // (a row locked and then not claimed, below, is unlocked as this transaction ends).
    const take = async (lookup: typeof due.pending, room: number) => {
      const query = lookup.select(['takeovers', 'profile_id', 'received_at', 'message_id', 'subject']).limit(room);
      return store.dialect === 'postgres' ? query.forUpdate().skipLocked().execute() : query.execute();
    };
    const orphaned = await take(due.orphaned, options.limit);
    // Asked for by id (a retry by hand), it is claimed alone all the same: someone wants it tried. Nor
    // is one given up whose lease ran out in this very process: its holder did not stop.
    const stopping = options.ids ? [] : orphaned.filter((row) => row.takeovers >= MAX_TAKEOVERS && !ownedBy(row, options.owner));
    if (stopping.length) {
      // Each has stopped its holder while alone before: failed now, with why, not claimed again.
      for (const row of stopping) {
        givenUp.push({ itemId: Number(row.id), profileId: Number(row.profile_id), receivedAt: row.received_at, messageId: row.message_id,
          subject: row.subject, takeovers: row.takeovers, reason: stoppedHoldersReason(row.takeovers, Number(row.id)) });
      }
      for (const one of givenUp) {
        await trx.updateTable('inbox_items')
          .set({ state: 'failed', outcome: 'failed', reason: one.reason, processed_at: now(), lease_until: null, claimed_by: null })
          .where('id', '=', one.itemId).execute();
      }
    }
    const live = orphaned.filter((row) => !stopping.includes(row));
    const batchOfStopped = live.filter((row) => row.takeovers === 0);
    const again = live.filter((row) => row.takeovers > 0);
    // A stopped holder's batch is taken over together, with pending items while nothing else waits. An
    // item taken over before is taken alone (claimedAlone), and only by a caller that holds no other
    // message: while one does (told by onAloneWaiting), only a stopped holder's batch is taken, so that
    // the caller's hands empty soon and the item cannot take another message down with it.
    let found: typeof orphaned;
    const alone = !batchOfStopped.length && again.length > 0 && options.aloneAllowed !== false;
    if (alone) found = [again[0]!];
    else if (again.length && options.makeWayForAlone !== false) {
      options.onAloneWaiting?.();
      found = batchOfStopped;
    } else {
      if (again.length) options.onAloneWaiting?.();
      const room = options.limit - batchOfStopped.length;
      found = [...batchOfStopped, ...(room > 0 ? await take(due.pending, room) : [])];
    }
    if (found.length === 0) return [];
    for (const row of found) {
      if (row.state !== 'processing') continue;
      const expired = row.lease_until !== null && row.lease_until < dbAt;
      const takeovers = row.takeovers + (ownedBy(row, options.owner) ? 0 : 1);
      options.onTakeover?.({ itemId: Number(row.id), from: row.claimed_by, why: expired ? 'lease expired' : 'holder stopped', takeovers });
    }
    const rows = await trx
      .updateTable('inbox_items')
      .set((eb) => ({
        state: 'processing',
        lease_until: dbNow(trx, options.leaseMs),
        claimed_by: options.owner ?? null,
        // The old row's values on both databases: one more for each item taken over from another holder;
        // none for a pending one, nor for one whose lease ran out in this very process (it did not stop:
        // a pass that failed, the database away, left its claims to run out).
        takeovers: eb.case()
          .when(eb.and([eb('state', '=', sql.lit('processing')), eb('claimed_by', 'is distinct from', options.owner ?? null)]))
          .then(eb('takeovers', '+', 1)).else(eb.ref('takeovers')).end(),
      }))
      .where('id', 'in', found.map((r) => Number(r.id)))
      .returningAll()
      .execute();
    return rows.map((row) => (alone ? { ...toInboxItem(row), heldAlone: true as const } : toInboxItem(row))).sort((a, b) => a.id - b.id);
  });
  // Told once the transaction has committed: a rolled back one gave nothing up.
  for (const one of givenUp) options.onGivenUp?.(one);
  return claimed;
}

/**
 * The items a claim may take, in two lookups ordered by id: pending ones whose time has come, and
 * processing ones whose holder is gone. Each reads its state's items in id order from an index
 * (migration 020: inbox_items_claim_profile (state, profile, id, time) for one profile,
 * inbox_items_claim_any (state, id, time) for every profile), passing over pending items not yet due in
 * the index itself, and stops at the claim's limit: neither the items done long ago (migration 018's
 * problem, 20 ms per claim at 50,000 items on SQLite, every second an idle service looks) nor the other
 * waiting items are read; only pending items in a retry's backoff before them are (migration 020).
 *
 * Until the eleventh slice of issue 14 they were one query: the ids of every due item of both kinds in a
 * subquery, sorted, the first taken. While a large mailbox is taken in and its items wait, every claim
 * went through all of them (bench/claims.ts: 28 ms on SQLite and 90 ms on PostgreSQL with 100,000
 * waiting). Each lookup holds its own conditions, which PostgreSQL re-checks when it locks a row another
 * worker changed meanwhile (claim-race.test.ts).
 *
 * PostgreSQL's planner supposes the items a lookup wants spread evenly over the ids, and walked the
 * primary key past every done item whenever the waiting ones were a large share of the inbox: during an
 * import, and on an idle claim while many waited out a backoff (7-14 ms per claim past 50,000 done).
 * Waiting items are never spread evenly: they are the newest. Migration 021 gives it two indexes of the
 * pending items alone: by id, which it then prefers for the lookup in more of those shapes (not all:
 * docs/benchmarks.md), and by retry time, for a question asked first: is any pending item due at all?
 * When none is (the idle claim), the lookup is not run, whatever plan it has.
 */
export function dueItems(db: Db, at: { at: string; dbAt: string; dialect: Dialect; profileId?: number; owner?: string; ids?: number[]; receivedBefore?: string }) {
  // Each state is written into the statement, not bound: PostgreSQL uses an index of the pending items
  // alone (migration 021) only where the statement itself says `state = 'pending'`, and a prepared
  // statement's generic plan (mailbind prepares its statements; PostgreSQL may keep one plan after the
  // fifth run) knows a bound state only as one of a few, and expected half the inbox due.
  const lookup = (due: (eb: ExpressionBuilder<Database, 'inbox_items'>) => Expression<SqlBool>) => db.selectFrom('inbox_items')
    .select(['id', 'state', 'claimed_by', 'lease_until'])
    .where(due)
    .$if(at.profileId !== undefined, (q) => q.where('profile_id', '=', at.profileId!))
    .$if(at.ids !== undefined, (q) => q.where('id', 'in', at.ids!.length ? at.ids! : [-1]))
    .$if(at.receivedBefore !== undefined, (q) => q.where('received_at', '<', at.receivedBefore!))
    .orderBy('id');
  return {
    pending: lookup((eb) => eb.and([
      eb('state', '=', sql.lit('pending')),
      eb('next_attempt_at', '<=', at.at),
      // PostgreSQL: is any pending item due at all? Asked once, of the earliest retry time (migration
      // 021's inbox_items_pending_time, whose condition it says word for word); when none is, the lookup
      // is not run. Implied by the two conditions above (no item has fewer than no attempts: 021's
      // constraint), so it never hides a due item.
      ...(at.dialect === 'postgres' ? [eb(eb.selectFrom('inbox_items as earliest').select((e) => e.fn.min('earliest.next_attempt_at').as('at'))
        .where('earliest.state', '=', sql.lit('pending')).where('earliest.attempts', '>=', sql.lit(0)), '<=', at.at)] : []),
    ])),
    orphaned: lookup((eb) =>
      eb.and([
        eb('state', '=', sql.lit('processing')),
        eb.or([
          eb('lease_until', '<', at.dbAt),
          eb.and([
            // Never our own: a service claiming is alive whatever its heartbeat says, and its lanes
            // (worker --concurrency) share its id, so one must not take another's batch for dead.
            ...(at.owner !== undefined ? [eb('claimed_by', '!=', at.owner)] : []),
            eb.exists(
              eb.selectFrom('services').select('services.id')
                .whereRef('services.id', '=', 'inbox_items.claimed_by')
                .where('services.beat_at', '<', staleBefore(db)),
            ),
          ]),
        ]),
      ])),
  };
}

/** Extend the claims `owner` still holds; a claim another holder took meanwhile is left alone. */
export async function renewClaims(store: Store, ids: number[], owner: string, leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  let renewed = store.db.selectFrom('inbox_items').select('id').where('id', 'in', ids).where('state', '=', 'processing').where('claimed_by', '=', owner);
  // On PostgreSQL a row this process's group transaction has recorded stays locked until that commits.
  // Waiting for it could deadlock (the group goes on to a row this update locked first), and it needs no
  // renewal: no one takes over a locked row (claims skip them), and once the group commits it is done.
  if (store.dialect === 'postgres') renewed = renewed.forUpdate().skipLocked();
  await store.db.updateTable('inbox_items').set({ lease_until: dbNow(store.db, leaseMs) }).where('id', 'in', renewed).execute();
}

/**
 * A stopping service gives back the claims it holds and did not start on (nothing of it processes any
 * more): they are due again at once, instead of when their lease runs out; no attempt is spent. Answers
 * how many it gave back. Only for a service whose processing has ended: a claim in hand would be given
 * away while its holder works.
 */
export async function releaseClaims(db: Db, owner: string): Promise<number> {
  const result = await db
    .updateTable('inbox_items')
    // Never started by a holder that stops gracefully: nothing against them now (an item held alone is
    // finished before its holder stops). A pending item is claimed with others, so it counts from none.
    .set({ state: 'pending', lease_until: null, claimed_by: null, takeovers: 0 })
    .where('claimed_by', '=', owner)
    .where('state', '=', 'processing')
    .where('outcome', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Make a pending item (waiting for its backoff) due now; false when it is not pending. */
export async function makeDueNow(db: Db, id: number): Promise<boolean> {
  const result = await db
    .updateTable('inbox_items')
    .set({ next_attempt_at: now() })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * How long a reply waits when its original is being processed elsewhere: about a group's time. It waits
 * again while that lasts: as long as the holder takes to record it, or until its lease runs out if the
 * holder stops.
 */
export const WAIT_FOR_ORIGINAL_MS = 2_000;

/**
 * An earlier message of the profile, named by one of `messageIds` (a reply's In-Reply-To and References),
 * that is on its way to an outcome right now: claimed with its lease running, or put off a moment ago
 * itself (a reply waiting for its own original: putOff), due at most `putOffMs` ago. A reply decided now
 * would not find the item that message is making (it commits with its holder's group) and would become an
 * item of its own; it waits for it instead (engine/process.ts). Only earlier items count: what this
 * process recorded earlier in its own transaction has its outcome there already. A put-off message left
 * behind (its process stopped; nothing takes it up within a wait of falling due) holds nothing back.
 */
export async function originalInFlight(db: Db, reply: { id: number; profileId: number }, messageIds: string[], putOffMs: number): Promise<number | undefined> {
  if (messageIds.length === 0) return undefined;
  const recently = new Date(Date.now() - putOffMs).toISOString();
  const row = await db
    .selectFrom('inbox_items')
    .select('id')
    .where('profile_id', '=', reply.profileId)
    .where('message_id', 'in', [...new Set(messageIds.map(indexable))])
    .where('id', '<', reply.id)
    .where('outcome', 'is', null)
    .where((eb) => eb.or([
      eb.and([eb('state', '=', 'processing'), eb('lease_until', '>', dbNow(db))]),
      // Put off: the only rows with a reason and no outcome (recordError clears it, an outcome replaces it).
      eb.and([eb('state', '=', 'pending'), eb('reason', 'is not', null), eb('next_attempt_at', '>', recently)]),
    ]))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/**
 * Puts an item off for `ms` without spending an attempt (a reply waiting for its original), with `why` as
 * its reason until it gets an outcome; refused, like recordError, once it has an outcome or another holder
 * took it.
 */
export async function putOff(db: Db, item: InboxItem, why: string, ms: number): Promise<boolean> {
  let query = db
    .updateTable('inbox_items')
    // Its holder is alive and ended the attempt: whatever stopped holders before did not stop this one.
    .set({ state: 'pending', lease_until: null, claimed_by: null, reason: why, next_attempt_at: new Date(Date.now() + ms).toISOString(), takeovers: 0 })
    .where('id', '=', item.id)
    .where('outcome', 'is', null);
  if (item.claimedBy !== null) query = query.where('claimed_by', '=', item.claimedBy);
  return Number((await query.executeTakeFirst()).numUpdatedRows) === 1;
}

export interface RecordedOutcome {
  outcome: Outcome;
  reason: string | null;
  ruleLine: number | null;
  /** The rules version that decided (null when no rules were tried: the message could not be read). */
  rulesVersion?: number | null;
  actions: string[];
  created: Record<string, number[]>;
  trace: unknown;
  messageId?: string | null;
  subject?: string | null;
  fromAddress?: string | null;
  /** The claim the outcome is recorded under: refused when another holder has taken the item since. */
  claimedBy?: string | null;
}

/**
 * Record an item's outcome. Only the first outcome counts, and only the current holder's: if another
 * worker got there first, or took the item over meanwhile (this worker's claim ran out, or it was
 * taken for dead), nothing is written and false comes back, so the caller rolls back what it did in
 * the same transaction.
 */
export async function recordOutcome(db: Db, id: number, result: RecordedOutcome): Promise<boolean> {
  const { numAffectedRows } = await updateOutcome(db, {
    id,
    state: result.outcome === 'failed' ? 'failed' : 'done',
    outcome: result.outcome,
    reason: result.reason,
    ruleLine: result.ruleLine,
    rulesVersion: result.rulesVersion ?? null,
    actions: JSON.stringify(result.actions),
    created: JSON.stringify(result.created),
    trace: JSON.stringify(result.trace),
    processedAt: now(),
    // Indexed columns take bounded values (mail/indexable.ts), as intake stored them.
    messageId: result.messageId == null ? result.messageId : indexable(result.messageId),
    subject: result.subject,
    fromAddress: result.fromAddress == null ? result.fromAddress : indexable(result.fromAddress),
    claimedBy: result.claimedBy || undefined,
  });
  return Number(numAffectedRows) === 1;
}

/** recordOutcome's statement (every processed message runs it): the columns given, under the claim given. */
const updateOutcome = compiledOnce((db, v: {
  id: number;
  state: 'done' | 'failed';
  outcome: Outcome;
  reason: string | null;
  ruleLine: number | null;
  rulesVersion: number | null;
  actions: string;
  created: string;
  trace: string;
  processedAt: string;
  messageId?: string | null | undefined;
  subject?: string | null | undefined;
  fromAddress?: string | null | undefined;
  claimedBy?: string | undefined;
}) =>
  db
    .updateTable('inbox_items')
    .set({
      state: v.state,
      outcome: v.outcome,
      reason: v.reason,
      rule_line: v.ruleLine,
      rules_version: v.rulesVersion,
      actions: v.actions,
      created: v.created,
      trace: v.trace,
      lease_until: null,
      claimed_by: null,
      processed_at: v.processedAt,
      ...(v.messageId !== undefined ? { message_id: v.messageId } : {}),
      ...(v.subject !== undefined ? { subject: v.subject } : {}),
      ...(v.fromAddress !== undefined ? { from_address: v.fromAddress } : {}),
    })
    .where('id', '=', v.id)
    .where('outcome', 'is', null)
    .where((eb) => (v.claimedBy !== undefined ? eb('claimed_by', '=', v.claimedBy) : eb.lit(true))));

export const MAX_ATTEMPTS = 5;

/** Backoff: 30 s, 2 min, 8 min, 32 min; the fifth failure is final until retried by hand. */
export function backoffMs(attempts: number): number {
  return 30_000 * 4 ** Math.max(0, attempts - 1);
}

/**
 * Count a failed attempt, unless the item got an outcome meanwhile or another holder claimed it (then
 * it is returned as it is: a worker that lost its claim must not spend the new holder's attempt).
 */
export async function recordError(db: Db, item: InboxItem, error: string): Promise<InboxItem> {
  const attempts = item.attempts + 1;
  const final = attempts >= MAX_ATTEMPTS;
  let query = db
    .updateTable('inbox_items')
    .set({
      attempts,
      // Its holder is alive and ended the attempt: the count of holders stopped on it starts again.
      takeovers: 0,
      last_error: error,
      lease_until: null,
      claimed_by: null,
      state: final ? 'failed' : 'pending',
      next_attempt_at: new Date(Date.now() + backoffMs(attempts)).toISOString(),
      // A reason without an outcome says why it was put off (putOff); a failed attempt ends that.
      ...(final
        ? { outcome: 'failed' as const, reason: `failed after ${attempts} attempts: ${error}`, processed_at: now() }
        : { reason: null }),
    })
    .where('id', '=', item.id)
    .where('outcome', 'is', null);
  if (item.claimedBy !== null) query = query.where('claimed_by', '=', item.claimedBy);
  const row = await query.returningAll().executeTakeFirst();
  return row ? toInboxItem(row) : ((await getInboxItem(db, item.id)) ?? item);
}

/**
 * Make a failed, skipped or ignored item due again; its earlier outcome is cleared. Refused (undefined)
 * for an item that was imported or commented, or is being processed: that would create its items twice.
 */
export async function resetForRetry(db: Db, id: number): Promise<InboxItem | undefined> {
  const row = await db
    .updateTable('inbox_items')
    .set({
      state: 'pending',
      attempts: 0,
      takeovers: 0,
      next_attempt_at: now(),
      lease_until: null,
      claimed_by: null,
      outcome: null,
      reason: null,
      rule_line: null,
      rules_version: null,
      actions: null,
      created: null,
      trace: null,
    })
    .where('id', '=', id)
    .where('outcome', 'in', ['failed', 'skipped', 'ignored'])
    .returningAll()
    .executeTakeFirst();
  return row ? toInboxItem(row) : undefined;
}
