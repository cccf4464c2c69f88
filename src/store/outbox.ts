// The outbox: mail to send, written in the transaction that records the outcome asking for it, and
// sent by the worker. Rows are claimed as inbox items are (a lease, SKIP LOCKED on PostgreSQL), marked
// sent in a transaction right after the SMTP server accepts, and every attempt is kept with the
// server's reply. Skipped mail (rate limited, our own address, …) is a row too, with its reason.
import { PostgresAdapter, sql, type Selectable } from 'kysely';
import type { Db, Store } from './database.js';
import { now } from './database.js';
import { dbNow } from './db-clock.js';
import type { OutboxKind, OutboxState, OutboxTable } from './schema.js';

export interface OutboxMail {
  id: number;
  profileId: number;
  inboxItemId: number | null;
  itemId: number | null;
  kind: OutboxKind;
  template: string;
  recipient: string;
  recipientName: string;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  replyTo: string | null;
  state: OutboxState;
  reason: string | null;
  attempts: number;
  nextAttemptAt: string;
  claimedBy: string | null;
  lastError: string | null;
  smtpResponse: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxAttempt {
  at: string;
  ok: boolean;
  code: number | null;
  response: string;
}

function toMail(row: Selectable<OutboxTable>): OutboxMail {
  return {
    id: Number(row.id),
    profileId: Number(row.profile_id),
    inboxItemId: row.inbox_item_id === null ? null : Number(row.inbox_item_id),
    itemId: row.item_id === null ? null : Number(row.item_id),
    kind: row.kind,
    template: row.template,
    recipient: row.recipient,
    recipientName: row.recipient_name,
    subject: row.subject,
    bodyText: row.body_text,
    bodyHtml: row.body_html,
    messageId: row.message_id,
    inReplyTo: row.in_reply_to,
    references: JSON.parse(row.references) as string[],
    replyTo: row.reply_to,
    state: row.state,
    reason: row.reason,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    claimedBy: row.claimed_by,
    lastError: row.last_error,
    smtpResponse: row.smtp_response,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export type NewOutboxMail = Omit<OutboxMail, 'id' | 'state' | 'reason' | 'attempts' | 'nextAttemptAt' | 'claimedBy' | 'lastError' | 'smtpResponse' | 'createdAt' | 'sentAt'>;

/** Queue a mail (pending), or record one not sent with why (skipped). */
export async function insertOutboxMail(db: Db, mail: NewOutboxMail, skipped: string | null = null): Promise<number> {
  const at = now();
  const row = await db
    .insertInto('outbox')
    .values({
      profile_id: mail.profileId,
      inbox_item_id: mail.inboxItemId,
      item_id: mail.itemId,
      kind: mail.kind,
      template: mail.template,
      recipient: mail.recipient.toLowerCase(),
      recipient_name: mail.recipientName,
      subject: mail.subject,
      body_text: mail.bodyText,
      body_html: mail.bodyHtml,
      message_id: mail.messageId,
      in_reply_to: mail.inReplyTo,
      references: JSON.stringify(mail.references),
      reply_to: mail.replyTo,
      state: skipped === null ? 'pending' : 'skipped',
      reason: skipped,
      next_attempt_at: at,
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The first key of the PostgreSQL advisory lock that serialises queueing per profile (rate limits). */
const QUEUE_LOCK = 7_407_002;

/**
 * Hold the profile's queueing lock until the transaction ends, so that two workers counting a
 * recipient's mails at once cannot both stay under the limit. SQLite's write lock already does that.
 */
export async function lockProfileQueue(db: Db, profileId: number): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(${QUEUE_LOCK}, ${profileId})`.execute(db);
  }
}

/** Mails to `recipient` by this profile since `since` that went or will go out (pending, sending, sent; bounced went out too). */
export async function countRecentTo(db: Db, profileId: number, recipient: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('profile_id', '=', profileId)
    .where('recipient', '=', recipient.toLowerCase())
    .where('created_at', '>=', since)
    .where('state', 'in', ['pending', 'sending', 'sent', 'bounced'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Mails of this kind about the item that went or will go out (a bounced one went out too: it is not sent again). */
export async function countForItem(db: Db, itemId: number, kind: OutboxKind): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('item_id', '=', itemId)
    .where('kind', '=', kind)
    .where('state', 'in', ['pending', 'sending', 'sent', 'bounced'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How long a send claim lasts: long enough for a slow SMTP server (the client gives up well before). */
export const SEND_LEASE_MS = 5 * 60_000;

/** What a reclaimed mail's attempt says: its sender stopped (crashed, or could not record the outcome). */
export const LEASE_RAN_OUT = 'the worker sending it stopped before recording the outcome (its claim ran out)';

/**
 * Claim due mail: pending whose time has come, and sending whose holder's lease ran out. A lease that
 * ran out counts as a failed attempt: a mail that crashes the worker every time ends failed after
 * MAX_SEND_ATTEMPTS like any other, instead of taking every worker down for ever.
 */
export async function claimDueMail(store: Store, options: { limit: number; owner: string; leaseMs?: number; ids?: number[] }): Promise<OutboxMail[]> {
  const at = now();
  return store.db.transaction().execute(async (trx) => {
    const dbAt = (await sql<{ at: string }>`select ${dbNow(trx)} as at`.execute(trx)).rows[0]!.at;
    let query = trx
      .selectFrom('outbox')
      .select(['id', 'state', 'attempts'])
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', at)]),
          eb.and([eb('state', '=', 'sending'), eb('lease_until', '<', dbAt)]),
        ]),
      )
      .orderBy('id')
      .limit(options.limit);
    if (options.ids) query = query.where('id', 'in', options.ids.length ? options.ids : [-1]);
    if (store.dialect === 'postgres') query = query.forUpdate().skipLocked();
    const found = await query.execute();
    const claim: number[] = [];
    for (const row of found) {
      if (row.state !== 'sending') {
        claim.push(Number(row.id));
        continue;
      }
      const attempts = Number(row.attempts) + 1;
      const final = attempts >= MAX_SEND_ATTEMPTS;
      await trx.insertInto('outbox_attempts').values({ outbox_id: Number(row.id), at, ok: 0, code: null, response: LEASE_RAN_OUT }).execute();
      await trx
        .updateTable('outbox')
        .set({
          attempts,
          last_error: LEASE_RAN_OUT,
          ...(final ? { state: 'failed', lease_until: null, claimed_by: null, reason: `failed after ${attempts} attempts: ${LEASE_RAN_OUT}` } : {}),
        })
        .where('id', '=', Number(row.id))
        .execute();
      if (!final) claim.push(Number(row.id));
    }
    if (claim.length === 0) return [];
    const rows = await trx
      .updateTable('outbox')
      .set({ state: 'sending', lease_until: dbNow(trx, options.leaseMs ?? SEND_LEASE_MS), claimed_by: options.owner })
      .where('id', 'in', claim)
      .returningAll()
      .execute();
    return rows.map(toMail).sort((a, b) => a.id - b.id);
  });
}

/**
 * The server accepted the mail: mark it sent with its reply, in one short transaction, at once. Only
 * the claim's holder may (false otherwise: another worker took it over, and may send it again); the
 * ok attempt is recorded only with the update, so a second call (a retry after a commit whose answer
 * was lost) adds nothing.
 */
export async function markSent(db: Db, mail: OutboxMail, response: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const at = now();
    const updated = await trx
      .updateTable('outbox')
      .set({ state: 'sent', smtp_response: response, sent_at: at, attempts: mail.attempts + 1, lease_until: null, claimed_by: null, last_error: null })
      .where('id', '=', mail.id)
      .where('state', '=', 'sending')
      .where('claimed_by', '=', mail.claimedBy)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    await trx.insertInto('outbox_attempts').values({ outbox_id: mail.id, at, ok: 1, code: replyCode(response), response }).execute();
    return true;
  });
}

export const MAX_SEND_ATTEMPTS = 5;

/** Backoff: 30 s, 2 min, 8 min, 32 min, as for inbox items; the fifth failure is final. */
export function sendBackoffMs(attempts: number): number {
  return 30_000 * 4 ** Math.max(0, attempts - 1);
}

/**
 * A failed attempt: recorded with the server's reply code and text, then retried after the backoff,
 * or final (`permanent`: the server refused for good, say 550 no such user; or the attempts ran out).
 */
export async function recordSendFailure(
  db: Db,
  mail: OutboxMail,
  failure: { code: number | null; response: string; permanent: boolean },
): Promise<OutboxMail> {
  return db.transaction().execute(async (trx) => {
    const at = now();
    const attempts = mail.attempts + 1;
    const final = failure.permanent || attempts >= MAX_SEND_ATTEMPTS;
    await trx.insertInto('outbox_attempts').values({ outbox_id: mail.id, at, ok: 0, code: failure.code, response: failure.response }).execute();
    const row = await trx
      .updateTable('outbox')
      .set({
        attempts,
        last_error: failure.response,
        lease_until: null,
        claimed_by: null,
        state: final ? 'failed' : 'pending',
        next_attempt_at: new Date(Date.now() + sendBackoffMs(attempts)).toISOString(),
        ...(final ? { reason: failure.permanent ? `refused: ${failure.response}` : `failed after ${attempts} attempts: ${failure.response}` } : {}),
      })
      .where('id', '=', mail.id)
      .where('claimed_by', '=', mail.claimedBy)
      .returningAll()
      .executeTakeFirst();
    return row ? toMail(row) : mail;
  });
}

export async function getOutboxMail(db: Db, id: number): Promise<OutboxMail | undefined> {
  const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toMail(row) : undefined;
}

export async function listOutbox(db: Db, filter: { profileId?: number; itemId?: number; state?: OutboxState; limit?: number } = {}): Promise<OutboxMail[]> {
  let query = db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100);
  if (filter.profileId !== undefined) query = query.where('profile_id', '=', filter.profileId);
  if (filter.itemId !== undefined) query = query.where('item_id', '=', filter.itemId);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  return (await query.execute()).map(toMail);
}

export async function listAttempts(db: Db, outboxId: number): Promise<OutboxAttempt[]> {
  const rows = await db.selectFrom('outbox_attempts').selectAll().where('outbox_id', '=', outboxId).orderBy('id').execute();
  return rows.map((r) => ({ at: r.at, ok: r.ok === 1, code: r.code === null ? null : Number(r.code), response: r.response }));
}

/** The item each of these Message-IDs (of mail we sent) is about: how replies to our mail thread back. */
export async function sentThreads(db: Db, messageIds: string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const ids = [...new Set(messageIds)].slice(0, 500);
  if (!ids.length) return found;
  const rows = await db
    .selectFrom('outbox')
    .select(['message_id', 'item_id'])
    .where('message_id', 'in', ids)
    .where('item_id', 'is not', null)
    .where('state', '!=', 'skipped')
    .execute();
  for (const row of rows) found.set(row.message_id, Number(row.item_id));
  return found;
}

/** A mail we sent, as a bounce of it is told: what it was, to whom, about which item. */
export interface SentMail {
  outboxId: number;
  itemId: number;
  kind: OutboxKind;
  recipient: string;
}

/** The mail we sent (or tried to) under each of these Message-IDs, about an item: what a bounce names. */
export async function sentMailByMessageId(db: Db, messageIds: string[]): Promise<Map<string, SentMail>> {
  const found = new Map<string, SentMail>();
  const ids = [...new Set(messageIds)].slice(0, 50);
  if (!ids.length) return found;
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'message_id', 'item_id', 'kind', 'recipient'])
    .where('message_id', 'in', ids)
    .where('item_id', 'is not', null)
    .where('state', '!=', 'skipped')
    .orderBy('id')
    .execute();
  for (const row of rows) {
    if (!found.has(row.message_id)) found.set(row.message_id, { outboxId: Number(row.id), itemId: Number(row.item_id), kind: row.kind, recipient: row.recipient });
  }
  return found;
}

/** The mail we sent (or tried to) as this outbox row, about an item: what a bounce's return address names. */
export async function sentMailById(db: Db, outboxId: number): Promise<SentMail | null> {
  const row = await db
    .selectFrom('outbox')
    .select(['id', 'item_id', 'kind', 'recipient'])
    .where('id', '=', outboxId)
    .where('item_id', 'is not', null)
    .where('state', '!=', 'skipped')
    .executeTakeFirst();
  return row ? { outboxId: Number(row.id), itemId: Number(row.item_id), kind: row.kind, recipient: row.recipient } : null;
}

/**
 * A delivery report for a sent mail came back: state `bounced`, with the report's words as the reason.
 * Only a sent mail is marked; one still pending or sending is left to its worker.
 */
export async function markBounced(db: Db, outboxId: number, reason: string): Promise<boolean> {
  const updated = await db
    .updateTable('outbox')
    .set({ state: 'bounced', reason })
    .where('id', '=', outboxId)
    .where('state', 'in', ['sent', 'bounced'])
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

function replyCode(response: string): number | null {
  const code = /^(\d{3})\b/.exec(response.slice(0, 8));
  return code ? Number(code[1]) : null;
}
