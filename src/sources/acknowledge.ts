// Acknowledgement bookkeeping shared by the mailbox sources. Items are stored with ack_state
// 'pending'; once their outcome is final, the source applies the profile's action for it and marks
// them 'done'. Items still waiting for a retry are not touched: their message stays as it is.
import type { Db } from '../store/database.js';
import { chunksOf } from '../store/chunks.js';
import type { Outcome } from '../store/schema.js';
import { afterActionText, type AfterAction, type ResolvedSettings } from './settings.js';
import { TOO_LARGE } from './intake.js';

export interface PendingAck {
  itemId: number;
  originKey: string;
  outcome: Outcome;
  action: AfterAction;
}

export function actionFor(settings: ResolvedSettings, outcome: Outcome, reason: string | null = null): AfterAction {
  const action = outcome === 'imported' || outcome === 'commented' ? settings.afterImport : settings.afterOther;
  // Of a message too large to take, only its headers were stored: deleting it on the server would
  // lose the rest, so it stays (seen or moved, if the profile says so).
  if (action.kind === 'delete' && outcome === 'ignored' && reason?.startsWith(TOO_LARGE)) return { kind: 'leave' };
  return action;
}

/** Items of this profile whose outcome is final and whose server action is still to be applied. */
export async function pendingAcks(db: Db, profileId: number, settings: ResolvedSettings): Promise<PendingAck[]> {
  const rows = await db
    .selectFrom('inbox_items')
    .select(['id', 'origin_key', 'outcome', 'reason'])
    .where('profile_id', '=', profileId)
    .where('ack_state', '=', 'pending')
    .where('outcome', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    itemId: Number(r.id),
    originKey: r.origin_key,
    outcome: r.outcome!,
    action: actionFor(settings, r.outcome!, r.reason),
  }));
}

export async function markAcknowledged(db: Db, itemIds: number[], action: AfterAction): Promise<void> {
  for (const chunk of chunksOf(itemIds)) {
    await db
      .updateTable('inbox_items')
      .set({ ack_state: 'done', ack_action: afterActionText(action) })
      .where('id', 'in', chunk)
      .execute();
  }
}
