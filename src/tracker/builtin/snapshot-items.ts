// The part of a snapshot that replies need: which item each thread Message-ID belongs to, and for the
// candidate items who may add to them and their state. A fixed number of queries per chunk of ids,
// never one per item or per Message-ID (a References header may name hundreds).
import { chunksOf } from '../../store/chunks.js';
import type { Db } from '../../store/database.js';
import type { ItemKind, ItemView, MessageThread } from '../port.js';

/** Each stored Message-ID's item: the one it created, else one it made a comment on, else one it is attached to. */
export async function loadThreads(db: Db, messageIds: string[]): Promise<Map<string, MessageThread>> {
  const found = new Map<string, MessageThread[]>();
  const add = (messageId: string, thread: MessageThread) => found.set(messageId, [...(found.get(messageId) ?? []), thread]);
  for (const chunk of chunksOf([...new Set(messageIds)])) {
    const created = await db
      .selectFrom('messages')
      .innerJoin('items', 'items.source_message_id', 'messages.id')
      .select(['messages.message_id', 'items.id as item_id'])
      .where('messages.message_id', 'in', chunk)
      .execute();
    for (const row of created) add(row.message_id, { itemId: Number(row.item_id), via: 'created' });
    // Comments' messages: a comment is linked to its item as well, but a comment row is the stronger
    // evidence (and the only one for comments written by another adapter or before links were kept).
    const commented = await db
      .selectFrom('messages')
      .innerJoin('comments', 'comments.message_id', 'messages.id')
      .select(['messages.message_id', 'comments.item_id'])
      .where('messages.message_id', 'in', chunk)
      .execute();
    for (const row of commented) add(row.message_id, { itemId: Number(row.item_id), via: 'comment' });
    const attached = await db
      .selectFrom('messages')
      .innerJoin('item_messages', 'item_messages.message_id', 'messages.id')
      .select(['messages.message_id', 'item_messages.item_id'])
      .where('messages.message_id', 'in', chunk)
      .execute();
    for (const row of attached) add(row.message_id, { itemId: Number(row.item_id), via: 'attached' });
  }
  const order = { created: 0, comment: 1, attached: 2, sent: 3 } as const;
  const threads = new Map<string, MessageThread>();
  for (const [messageId, all] of found) {
    // The oldest item wins when one Message-ID belongs to several (a reused id, a mail sent to two
    // profiles); for one item, the strongest way it belongs there names it in the trace.
    all.sort((a, b) => a.itemId - b.itemId || order[a.via] - order[b.via]);
    threads.set(messageId, all[0]!);
  }
  return threads;
}

/** The items `ids` names that exist, with their requesters, participants and state. */
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
  }
  return items;
}
