// The part of a snapshot that replies need: which items each thread Message-ID belongs to, and for the
// candidate items who may add to them, their state and what follows them up. A fixed number of queries
// per chunk of ids, never one per item or per Message-ID, each served by an index (migration 012).
import { sql } from 'kysely';
import { indexable } from '../../mail/indexable.js';
import { chunksOf } from '../../store/chunks.js';
import { compiledOnce } from '../../store/compiled-once.js';
import type { Db } from '../../store/database.js';
import type { ItemKind, ItemView, MessageThread } from '../port.js';

/**
 * The three ways a stored message belongs to an item, each a SELECT over a chunk of Message-IDs: it
 * created the item, made one of its comments, or is linked (attached) to it. Named so a test can check
 * each one's query plan; loadThreads runs them together (threadsQuery).
 */
export const THREAD_QUERIES = {
  created: (db: Db, messageIds: string[]) =>
    db
      .selectFrom('messages')
      .innerJoin('items', 'items.source_message_id', 'messages.id')
      .select(['messages.message_id', 'items.id as item_id'])
      .where('messages.message_id', 'in', messageIds),
  // A comment is linked to its item as well, but a comment row is the stronger evidence (and the only
  // one for comments written by another adapter or before links were kept).
  comment: (db: Db, messageIds: string[]) =>
    db
      .selectFrom('messages')
      .innerJoin('comments', 'comments.message_id', 'messages.id')
      .select(['messages.message_id', 'comments.item_id'])
      .where('messages.message_id', 'in', messageIds),
  attached: (db: Db, messageIds: string[]) =>
    db
      .selectFrom('messages')
      .innerJoin('item_messages', 'item_messages.message_id', 'messages.id')
      .select(['messages.message_id', 'item_messages.item_id'])
      .where('messages.message_id', 'in', messageIds),
} as const;

type Via = 'created' | 'comment' | 'attached';

/**
 * The three lookups as one statement (UNION ALL): a reply's thread is looked up for every message
 * processed, and three statements were three of the ~20 each message cost (issue 14). Each part keeps
 * its own index (thread-indexes.test.ts checks the plan of this one as well).
 */
export const threadsQuery = (db: Db, messageIds: string[]) =>
  THREAD_QUERIES.created(db, messageIds).select(sql<Via>`'created'`.as('via'))
    .unionAll(THREAD_QUERIES.comment(db, messageIds).select(sql<Via>`'comment'`.as('via')))
    .unionAll(THREAD_QUERIES.attached(db, messageIds).select(sql<Via>`'attached'`.as('via')));

/** threadsQuery compiled once (every message processed runs it: store/compiled-once.ts). */
const threadsOf = compiledOnce((db, v: { messageIds: string[] }) => threadsQuery(db, v.messageIds));

/** The items following up any of `itemIds` (a reply to a closed item made new): one query per chunk. */
export const followUpsQuery = (db: Db, itemIds: number[]) =>
  db.selectFrom('item_links').select(['item_id', 'linked_item_id']).where('kind', '=', 'follows-up').where('linked_item_id', 'in', itemIds);

/**
 * Every item each stored Message-ID belongs to, oldest item first, and for one item the strongest way
 * it belongs there first (created, comment, attached): the first names the item a reply binds to.
 */
export async function loadThreads(db: Db, messageIds: string[]): Promise<Map<string, MessageThread[]>> {
  const found = new Map<string, MessageThread[]>();
  // messages.message_id holds bounded values (writer.ts): look each id up so, and answer by the id asked.
  const asked = new Map<string, string[]>();
  for (const id of new Set(messageIds)) asked.set(indexable(id), [...(asked.get(indexable(id)) ?? []), id]);
  const add = (stored: string, thread: MessageThread) => {
    for (const id of asked.get(stored) ?? []) found.set(id, [...(found.get(id) ?? []), thread]);
  };
  for (const chunk of chunksOf([...asked.keys()])) {
    for (const row of (await threadsOf(db, { messageIds: chunk })).rows) add(row.message_id, { itemId: Number(row.item_id), via: row.via });
  }
  const order = { created: 0, comment: 1, attached: 2, sent: 3 } as const;
  // The oldest item wins when one Message-ID belongs to several (a reused id, a mail sent to two profiles).
  for (const all of found.values()) all.sort((a, b) => a.itemId - b.itemId || order[a.via] - order[b.via]);
  return found;
}

/** The items `ids` names that exist, with their requesters, participants, state and follow-ups. */
export async function loadItemViews(db: Db, ids: number[]): Promise<Map<number, ItemView>> {
  const items = new Map<number, ItemView>();
  for (const chunk of chunksOf([...new Set(ids)])) {
    const rows = await db
      .selectFrom('items')
      .innerJoin('projects', 'projects.id', 'items.project_id')
      .select(['items.id', 'items.kind', 'items.state', 'items.project_id', 'projects.deleted'])
      .where('items.id', 'in', chunk)
      .execute();
    for (const row of rows) {
      items.set(Number(row.id), {
        id: Number(row.id),
        kind: row.kind as ItemKind,
        state: row.state,
        projectId: Number(row.project_id),
        // Items are never deleted on their own here: a deleted project takes its items out of use.
        deleted: row.deleted !== 0,
        requesterEmails: [],
        participantEmails: [],
        requesterCompanyIds: [],
        followedUpBy: [],
      });
    }
    const requesters = await db
      .selectFrom('item_requesters')
      .innerJoin('requesters', 'requesters.id', 'item_requesters.requester_id')
      .select(['item_requesters.item_id', 'requesters.email', 'requesters.company_id'])
      .where('item_requesters.item_id', 'in', chunk)
      .execute();
    for (const row of requesters) {
      const item = items.get(Number(row.item_id));
      if (!item) continue;
      item.requesterEmails.push(row.email.toLowerCase());
      const company = row.company_id === null ? null : Number(row.company_id);
      if (company !== null && !item.requesterCompanyIds.includes(company)) item.requesterCompanyIds.push(company);
    }
    const participants = await db
      .selectFrom('item_participants')
      .select(['item_id', 'email'])
      .where('item_id', 'in', chunk)
      .execute();
    for (const row of participants) items.get(Number(row.item_id))?.participantEmails.push(row.email);
    for (const row of await followUpsQuery(db, chunk).execute()) items.get(Number(row.linked_item_id))?.followedUpBy.push(Number(row.item_id));
  }
  for (const item of items.values()) item.followedUpBy.sort((a, b) => a - b);
  return items;
}
