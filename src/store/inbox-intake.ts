// Intake's side of the inbox: inserting new items, idempotently by origin key, and recognising the same
// message stored again (a duplicate, visible and ignored) or a Message-ID reused by other bytes (noted).
import { PostgresAdapter, sql } from 'kysely';
import { indexable } from '../mail/indexable.js';
import { chunksOf } from './chunks.js';
import { compiledOnce } from './compiled-once.js';
import type { Db } from './database.js';
import { now } from './database.js';
import { toInboxItem, type InboxItem } from './inbox-item.js';
import { withoutNul } from './nul-free.js';
import { insertRawMessages } from './raw-messages.js';
import { inSavepoint } from './savepoint.js';
import type { Outcome } from './schema.js';

export interface NewInboxItem {
  profileId: number;
  originKey: string;
  rawRef: string;
  rawSize: number;
  /** The raw bytes, when they are kept in the database with the row (raw-messages.ts); else a blob file holds them. */
  rawBytes?: Buffer;
  messageId?: string | null;
  subject?: string | null;
  fromAddress?: string | null;
  /** An item intake already decided (e.g. too large): stored done with this outcome. */
  outcome?: { outcome: Outcome; reason: string };
  /** The message stays on a server that must be told once the outcome is known (seen, move, delete). */
  acknowledge?: boolean;
}

/** The trace an item gets at intake, before processing: notes the processing trace keeps. */
export interface IntakeTrace {
  warnings: string[];
}

/** How the reason of a duplicate starts; the item number follows. */
export const DUPLICATE_OF = 'duplicate of message #';

/**
 * Idempotent: a second insert with the same (profile, origin key) returns the existing item.
 *
 * The same bytes under another origin key (delivered again: new IMAP UIDs, a failover, To and Cc the
 * same mailbox) are a duplicate: stored as their own item, ignored, `duplicate of message #N`, so the
 * server copy is acknowledged as any other ignored mail and nothing is skipped silently. Blobs are
 * content-addressed, so the same raw_ref is the same bytes (Message-ID included). Other bytes under a
 * Message-ID the profile already has are new mail; the reuse is noted in the item's trace.
 */
export async function insertInboxItem(db: Db, item: NewInboxItem): Promise<{ item: InboxItem; inserted: boolean }> {
  const result = (await insertInboxItems(db, [item]))[0]!;
  if ('error' in result) throw result.error;
  return result;
}

/** An item of insertInboxItems: stored (or found there already), or refused by the database, with why. */
export type InsertResult = { item: InboxItem; inserted: boolean } | { error: Error };

/**
 * insertInboxItem for several items, in order, in ONE transaction: one commit (one WAL fsync on SQLite)
 * for a whole batch. `beforeCommit` runs in the same transaction after the rows, with their results:
 * whatever must be committed together with them (a source's cursor). Each item is checked against the
 * earlier ones of the same call too, so a batch holding the same bytes twice stores one duplicate.
 *
 * Each item is inserted in a savepoint, so a row the database refuses fails alone: it is stored again
 * without its labels (Message-ID, Subject, From: what a sender chooses), with the refusal noted in its
 * trace, so the message still reaches processing; only if that is refused too does it come back as an
 * error, with no row. The others are stored either way.
 */
export async function insertInboxItems(db: Db, items: readonly NewInboxItem[],
  beforeCommit?: (trx: Db, results: readonly InsertResult[]) => Promise<void>): Promise<InsertResult[]> {
  if (items.length === 0 && !beforeCommit) return [];
  items = items.map(bounded);
  // Check and insert as one: two copies taken at the same moment (two workers, a burst of delivers)
  // must not both find no earlier copy. SQLite's transactions take the write lock up front; on
  // PostgreSQL a lock per profile, held until commit, does the same (taken in profile order, so two
  // batches never wait for each other's locks).
  return db.transaction().execute(async (trx) => {
    for (const profileId of [...new Set(items.map((i) => i.profileId))].sort((a, b) => a - b)) await lockIntake(trx, profileId);
    const earlier = await Earlier.load(trx, items);
    const results: InsertResult[] = [];
    for (const item of items) {
      const result = await insertAlone(trx, item, earlier);
      if ('item' in result && result.inserted) earlier.add(result.item);
      results.push(result);
    }
    // The bytes of the rows just inserted, in the same commit (an item found already has its own).
    await insertRawMessages(trx, items.flatMap((item, i) => {
      const result = results[i]!;
      return item.rawBytes && 'item' in result && result.inserted ? [{ ref: item.rawRef, bytes: item.rawBytes }] : [];
    }));
    await beforeCommit?.(trx, results);
    return results;
  });
}

/** The item with its indexed labels bounded (mail/indexable.ts): what is stored and what is matched. */
function bounded(item: NewInboxItem): NewInboxItem {
  return {
    ...item,
    ...(item.messageId ? { messageId: indexable(item.messageId) } : {}),
    ...(item.fromAddress ? { fromAddress: indexable(item.fromAddress) } : {}),
  };
}

/**
 * One item in a savepoint; if the database refuses its row, the row without the sender's labels (the
 * raw bytes are stored apart, so processing still reads everything); if that is refused too, the
 * first refusal. The message is then not stored, and the caller must not treat it as stored.
 */
async function insertAlone(trx: Db, item: NewInboxItem, earlier: Earlier): Promise<InsertResult> {
  const whole = await inSavepoint(trx, () => insertChecked(trx, item, earlier));
  if ('value' in whole) return whole.value;
  const why = clip(whole.refused.message);
  const bare = { ...item, messageId: null, subject: null, fromAddress: null };
  const note = `stored without its Message-ID, Subject and From: the database refused them (${why})`;
  const stored = await inSavepoint(trx, () => insertChecked(trx, bare, earlier, [note]));
  if ('value' in stored) return stored.value;
  return { error: new Error(`the database refused this message's inbox row: ${why}`, { cause: whole.refused }) };
}

/** A database error for a reason or a trace: its first line, at most 300 characters. */
function clip(message: string): string {
  const line = message.split('\n', 1)[0]!;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** One item, inside a transaction that holds the intake lock of its profile. */
async function insertChecked(trx: Db, item: NewInboxItem, earlier: Earlier, warnings: string[] = []):
  Promise<{ item: InboxItem; inserted: boolean }> {
  const existing = earlier.byOriginKey(item);
  if (existing) return { item: existing, inserted: false };
  const same = earlier.sameMessage(item);
  let outcome = item.outcome;
  const notes = [...warnings];
  if (same.duplicateOf !== null && !outcome) {
    outcome = { outcome: 'ignored', reason: `${DUPLICATE_OF}${same.duplicateOf}` };
  } else if (same.reusedBy !== null) {
    notes.push(`Message-ID also used by message #${same.reusedBy} with different content`);
  }
  return insertRow(trx, { ...item, ...(outcome ? { outcome } : {}) }, notes.length ? { warnings: notes } : null);
}

/** The first key of PostgreSQL advisory locks taken at intake (the second is the profile id). */
const INTAKE_LOCK = 7_407_001;

/**
 * Holds a profile's intake until `trx` ends: what else writes its inbox keys (sources/imap/other-account.ts)
 * waits for a batch under way, and a batch for it. On SQLite the transaction's write lock does that already.
 */
export async function lockIntake(trx: Db, profileId: number): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(${INTAKE_LOCK}, ${profileId})`.execute(trx);
}

interface Stored {
  id: number;
  rawRef: string;
}

/**
 * What the inbox holds that the items of one call can match, read with a few queries up front (not
 * three per item) and kept up to date as the call inserts: items by origin key, and by Message-ID or,
 * for items without one, by bytes (raw_ref). Values are compared as the database stores them (without
 * U+0000, nul-free.ts).
 */
class Earlier {
  private readonly items = new Map<string, InboxItem>();
  private readonly byMessageId = new Map<string, Stored[]>();
  private readonly byRawRef = new Map<string, Stored[]>();

  static async load(db: Db, items: readonly NewInboxItem[]): Promise<Earlier> {
    const earlier = new Earlier();
    for (const profileId of new Set(items.map((i) => i.profileId))) {
      const mine = items.filter((i) => i.profileId === profileId);
      const unique = (values: string[]) => [...new Set(values.map((v) => withoutNul(v) as string))];
      for (const keys of chunksOf(unique(mine.map((i) => i.originKey)))) {
        const rows = await db.selectFrom('inbox_items').selectAll().where('profile_id', '=', profileId).where('origin_key', 'in', keys).execute();
        for (const row of rows) earlier.items.set(key(profileId, row.origin_key), toInboxItem(row));
      }
      // By Message-ID the (profile, message_id) index finds both; without one, only the bytes can match.
      for (const ids of chunksOf(unique(mine.flatMap((i) => (i.messageId ? [i.messageId] : []))))) {
        const rows = await db.selectFrom('inbox_items').select(['id', 'raw_ref', 'message_id'])
          .where('profile_id', '=', profileId).where('message_id', 'in', ids).orderBy('id').execute();
        for (const row of rows) push(earlier.byMessageId, key(profileId, row.message_id!), { id: Number(row.id), rawRef: row.raw_ref });
      }
      for (const refs of chunksOf(unique(mine.flatMap((i) => (i.messageId ? [] : [i.rawRef]))))) {
        const rows = await db.selectFrom('inbox_items').select(['id', 'raw_ref'])
          .where('profile_id', '=', profileId).where('raw_ref', 'in', refs).orderBy('id').execute();
        for (const row of rows) push(earlier.byRawRef, key(profileId, row.raw_ref), { id: Number(row.id), rawRef: row.raw_ref });
      }
    }
    return earlier;
  }

  byOriginKey(item: NewInboxItem): InboxItem | undefined {
    return this.items.get(key(item.profileId, item.originKey));
  }

  /** The first earlier item with these bytes, or else the first with this Message-ID and other bytes. */
  sameMessage(item: NewInboxItem): { duplicateOf: number | null; reusedBy: number | null } {
    const rows = (item.messageId ? this.byMessageId.get(key(item.profileId, item.messageId)) : this.byRawRef.get(key(item.profileId, item.rawRef))) ?? [];
    const rawRef = withoutNul(item.rawRef);
    const same = rows.find((r) => r.rawRef === rawRef);
    return { duplicateOf: same ? same.id : null, reusedBy: !same && rows[0] ? rows[0].id : null };
  }

  /** An item this call inserted: later items of the call can match it. */
  add(item: InboxItem): void {
    const stored = { id: item.id, rawRef: item.rawRef };
    this.items.set(key(item.profileId, item.originKey), item);
    if (item.messageId) push(this.byMessageId, key(item.profileId, item.messageId), stored);
    push(this.byRawRef, key(item.profileId, item.rawRef), stored);
  }
}

function key(profileId: number, value: string): string {
  return `${profileId}\u0000${withoutNul(value) as string}`;
}

function push(map: Map<string, Stored[]>, at: string, stored: Stored): void {
  const list = map.get(at);
  if (list) list.push(stored);
  else map.set(at, [stored]);
}

/** One message's inbox row, or none when its origin is there already (compiled once: every message stored runs it). */
const insertItemRow = compiledOnce((db, v: Pick<InboxItem, 'profileId' | 'originKey' | 'rawRef' | 'rawSize' | 'messageId' | 'subject' | 'fromAddress'
  | 'attempts' | 'nextAttemptAt' | 'outcome' | 'reason' | 'processedAt' | 'receivedAt'> & {
  state: 'done' | 'pending';
  ackState: 'pending' | null;
  trace: string | null;
}) =>
  db
    .insertInto('inbox_items')
    .values({
      profile_id: v.profileId,
      origin_key: v.originKey,
      raw_ref: v.rawRef,
      raw_size: v.rawSize,
      message_id: v.messageId,
      subject: v.subject,
      from_address: v.fromAddress,
      state: v.state,
      attempts: v.attempts,
      next_attempt_at: v.nextAttemptAt,
      outcome: v.outcome,
      reason: v.reason,
      processed_at: v.processedAt,
      received_at: v.receivedAt,
      ack_state: v.ackState,
      trace: v.trace,
    })
    .onConflict((oc) => oc.columns(['profile_id', 'origin_key']).doNothing())
    .returningAll());

async function insertRow(db: Db, item: NewInboxItem, trace: IntakeTrace | null): Promise<{ item: InboxItem; inserted: boolean }> {
  const at = now();
  const [row] = (await insertItemRow(db, {
    profileId: item.profileId,
    originKey: item.originKey,
    rawRef: item.rawRef,
    rawSize: item.rawSize,
    messageId: item.messageId ?? null,
    subject: item.subject ?? null,
    fromAddress: item.fromAddress ?? null,
    state: item.outcome ? 'done' : 'pending',
    attempts: 0,
    nextAttemptAt: at,
    outcome: item.outcome?.outcome ?? null,
    reason: item.outcome?.reason ?? null,
    processedAt: item.outcome ? at : null,
    receivedAt: at,
    ackState: item.acknowledge ? 'pending' : null,
    trace: trace ? JSON.stringify(trace) : null,
  })).rows;
  if (row) return { item: toInboxItem(row), inserted: true };
  const existing = await db
    .selectFrom('inbox_items')
    .selectAll()
    .where('profile_id', '=', item.profileId)
    .where('origin_key', '=', item.originKey)
    .executeTakeFirstOrThrow();
  return { item: toInboxItem(existing), inserted: false };
}
