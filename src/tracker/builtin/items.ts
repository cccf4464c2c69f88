// What an admin changes on the builtin tracker's work items: their state. Items themselves are made
// by processing mail, never by hand.
import type { Db } from '../../store/database.js';
import type { ItemKind } from '../port.js';
import { ITEM_STATES, normalizeItemState, type ItemState } from './listable.js';
import { fieldError, TrackerInputError } from './validate.js';

/** One of ITEM_STATES, named in any case and with a space for the hyphen; else a field error. */
export function requireItemState(raw: string): ItemState {
  const state = normalizeItemState(raw);
  if (!state) throw fieldError('state', `'${raw}' is not a state: choose one of ${ITEM_STATES.join(', ')}`);
  return state;
}

/** Sets the state of item `id`, which must be of `kind`; returns the state it had before. */
export async function setItemState(db: Db, kind: ItemKind, id: number, raw: string): Promise<{ before: string; state: ItemState }> {
  const state = requireItemState(raw);
  const item = await db.selectFrom('items').select(['kind', 'state']).where('id', '=', id).executeTakeFirst();
  if (!item || item.kind !== kind) throw new TrackerInputError(`no ${kind} ${id}`, 'missing');
  await db.updateTable('items').set({ state }).where('id', '=', id).execute();
  return { before: item.state, state };
}
