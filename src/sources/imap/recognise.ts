// After a UIDVALIDITY change every UID is new, but the mail mostly is not. A listed message is the one
// already in the inbox when the inbox has an item of this profile with the same Message-ID (or, without
// one, the same size) whose raw bytes hash the same as what we would store now. Only those candidates
// are downloaded (and only hashed); the rest is new mail.
import type { PollContext } from '../source.js';
import type { ListedMessage } from './listing.js';
import type { ImapSession } from './session.js';
import { hashMessage } from './store-message.js';
import { chunksOf } from '../../store/chunks.js';

/** UIDs of listed messages whose bytes are already in the inbox. */
export async function recogniseImported(session: ImapSession, ctx: PollContext, listed: ListedMessage[],
  chunkBytes: number): Promise<Set<number>> {
  const refsById = await refsByMessageId(ctx, [...new Set(listed.map((m) => m.messageId).filter((id): id is string => !!id))]);
  const refsBySize = await refsOfAnonymous(ctx, [...new Set(listed.filter((m) => !m.messageId).map((m) => m.size))]);
  const found = new Set<number>();
  for (const message of listed) {
    const refs = message.messageId ? refsById.get(message.messageId) : refsBySize.get(message.size);
    if (!refs?.size) continue;
    const hash = await hashMessage(session, message, ctx.settings.maxMessageBytes, chunkBytes);
    if (hash && refs.has(hash)) found.add(message.uid);
  }
  return found;
}

async function refsByMessageId(ctx: PollContext, ids: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const chunk of chunksOf(ids)) {
    const rows = await ctx.store.db.selectFrom('inbox_items').select(['message_id', 'raw_ref'])
      .where('profile_id', '=', ctx.profile.id).where('message_id', 'in', chunk).execute();
    for (const r of rows) add(out, r.message_id!, r.raw_ref);
  }
  return out;
}

async function refsOfAnonymous(ctx: PollContext, sizes: number[]): Promise<Map<number, Set<string>>> {
  const out = new Map<number, Set<string>>();
  for (const chunk of chunksOf(sizes)) {
    const rows = await ctx.store.db.selectFrom('inbox_items').select(['raw_size', 'raw_ref'])
      .where('profile_id', '=', ctx.profile.id).where('message_id', 'is', null)
      .where('raw_size', 'in', chunk).execute();
    for (const r of rows) add(out, Number(r.raw_size), r.raw_ref);
  }
  return out;
}

function add<K>(map: Map<K, Set<string>>, key: K, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}
