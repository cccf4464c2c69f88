// Telling the server what became of each message, once its outcome is recorded: add \Seen, move it,
// delete it (\Deleted + UID EXPUNGE of exactly those UIDs), or leave it. Only UIDs of the folder and
// UIDVALIDITY we have selected can be addressed; items from an earlier UIDVALIDITY, another folder or
// another protocol are settled as 'leave', since their UIDs no longer name anything reliably.
import { markAcknowledged, pendingAcks } from '../acknowledge.js';
import { afterActionText, type AfterAction } from '../settings.js';
import type { PollContext } from '../source.js';
import { ImapSourceError } from './errors.js';
import { parseOriginKey } from './origin.js';
import type { ImapSession } from './session.js';

interface Group {
  action: AfterAction;
  itemIds: number[];
  uids: number[];
}

/**
 * Applies every pending acknowledgement; returns how many items were settled. `connection` gives the
 * session to apply them over, asked for only when one asks something of the server: a poll that lost its
 * connection connects again only for those.
 */
export async function applyAcks(connection: () => Promise<ImapSession>, ctx: PollContext): Promise<number> {
  const pending = await pendingAcks(ctx.store.db, ctx.profile.id, ctx.settings);
  if (!pending.length) return 0;
  const settleAsLeave = pending.filter((ack) => ack.action.kind === 'leave').map((ack) => ack.itemId);
  const onServer = pending.filter((ack) => ack.action.kind !== 'leave');
  const session = onServer.length ? await connection() : undefined;
  const groups = new Map<string, Group>();
  for (const ack of onServer) {
    const origin = parseOriginKey(ack.originKey);
    const { folder } = session!;
    if (!origin || origin.folder !== folder.path || origin.uidValidity !== folder.uidValidity) {
      settleAsLeave.push(ack.itemId);
      continue;
    }
    const text = afterActionText(ack.action);
    let group = groups.get(text);
    if (!group) groups.set(text, (group = { action: ack.action, itemIds: [], uids: [] }));
    group.itemIds.push(ack.itemId);
    group.uids.push(origin.uid);
  }
  let settled = 0;
  if (settleAsLeave.length) {
    await markAcknowledged(ctx.store.db, settleAsLeave, { kind: 'leave' });
    settled += settleAsLeave.length;
  }
  for (const group of groups.values()) {
    // Chunks keep the command line short (servers limit it, Dovecot to 64 KiB) and record progress.
    for (let i = 0; i < group.itemIds.length; i += 500) {
      const chunk = { action: group.action, itemIds: group.itemIds.slice(i, i + 500), uids: group.uids.slice(i, i + 500) };
      await apply(session!, chunk, ctx);
      await markAcknowledged(ctx.store.db, chunk.itemIds, chunk.action);
      settled += chunk.itemIds.length;
    }
  }
  return settled;
}

async function apply(session: ImapSession, group: Group, ctx: PollContext): Promise<void> {
  const { client } = session;
  const range = uidSet(group.uids);
  const action = group.action;
  switch (action.kind) {
    case 'leave':
      return;
    case 'seen':
      await session.run('marking messages seen', () => client.messageFlagsAdd(range, ['\\Seen'], { uid: true }))
        .then((ok) => ok || fail(`the server refused to mark UIDs ${range} seen`));
      return;
    case 'delete':
      await session.run('deleting messages', () => client.messageDelete(range, { uid: true }))
        .then((ok) => ok || fail(`the server refused to delete UIDs ${range}`));
      return;
    case 'move': {
      const move = () => session.run(`moving messages to '${action.folder}'`, () => client.messageMove(range, action.folder, { uid: true }));
      if (await move()) return;
      // The usual reason is a missing target ([TRYCREATE]): an admin who says "move:Archive" wants an
      // Archive folder. Create it once and try again; a second refusal is a real error.
      let createError = '';
      const created = await session.run(`creating folder '${action.folder}'`, () => client.mailboxCreate(action.folder))
        .then((r) => r.created, (err: Error) => {
          createError = `; creating the folder failed: ${err.message}`;
          return false;
        });
      if (created) ctx.logger?.info({ folder: action.folder }, 'created the IMAP folder to move processed mail to');
      if (await move()) return;
      fail(`the server refused to move UIDs ${range} to '${action.folder}'${createError}`);
    }
  }
}

function fail(message: string): never {
  throw new ImapSourceError('command', message);
}

/** Compact UID set: 1,2,3,7 → "1:3,7". */
export function uidSet(uids: number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i]! + 1) i++;
    parts.push(start === sorted[i] ? String(start) : `${start}:${sorted[i]}`);
  }
  return parts.join(',');
}
