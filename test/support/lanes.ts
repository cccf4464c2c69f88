// A burst of stored mail for the processing-lane tests (app/service-lanes, cli/worker-concurrency), and a
// real lock to hold one message up: an uncommitted requester row for its sender, which the lane that
// processes it waits on inside its transaction (ON CONFLICT waits for the other transaction to end).
import assert from 'node:assert/strict';
import type { App } from '../../src/app/app.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject } from '../../src/app/tracker.js';
import { intakeMessage } from '../../src/sources/intake.js';
import type { Store } from '../../src/store/database.js';
import { makeMessage } from './messages.js';

export const MESSAGES = 100;
/** The message whose sender's requester row the test holds locked (not the first of its batch). */
export const STUCK = 5;
export const STUCK_SENDER = 'stuck@example.com';

class Rollback extends Error {}

/** A transaction holding an uncommitted requester row for STUCK_SENDER until released (then rolled back). */
export async function holdRequesterLock(store: Store): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const held = store.db
    .transaction()
    .execute(async (trx) => {
      await trx.insertInto('requesters').values({ email: STUCK_SENDER, name: 'Stuck', company_id: null, created_at: new Date().toISOString() }).execute();
      locked();
      await released;
      throw new Rollback();
    })
    .catch((error) => {
      if (!(error instanceof Rollback)) throw error;
    });
  await Promise.race([isLocked, held]);
  return {
    release: async () => {
      release();
      await held;
    },
  };
}

/** MESSAGES stored messages, each from its own sender; message STUCK from STUCK_SENDER. */
export async function storeBurst(app: App): Promise<number[]> {
  await addProject(app, { name: 'General' }, cliPrincipal('test'));
  const { profile } = await createProfile(app, {
    name: 'support',
    rules: { text: 'then attach to project 1 and create request in project 1', label: 'rules' },
  }, cliPrincipal('test'));
  const ids: number[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const from = i === STUCK ? `Stuck <${STUCK_SENDER}>` : `Sender ${i} <sender${i}@example.com>`;
    ids.push((await intakeMessage(app.store, makeMessage({ from, subject: `message ${i}` }), { profileId: profile.id })).item.id);
  }
  return ids;
}

export async function counts(store: Store): Promise<{ pending: number; processing: number; processed: number }> {
  const rows = await store.db.selectFrom('inbox_items').select((eb) => ['state', eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
  const of = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
  return { pending: of('pending'), processing: of('processing'), processed: of('done') + of('failed') };
}

/** The other lanes did all they could: nothing waits unclaimed, and all but the stuck batch is processed. */
export async function allButTheStuckBatch(store: Store): Promise<boolean> {
  const c = await counts(store);
  return c.pending === 0 && c.processed > 0 && c.processed + c.processing === MESSAGES;
}

/** Every message once: one outcome, one tracker message, one request; the stuck sender one requester. */
export async function assertEachOnce(store: Store, ids: number[], processedEvents?: number[]): Promise<void> {
  const items = await store.db.selectFrom('inbox_items').select(['id', 'outcome', 'state']).orderBy('id').execute();
  assert.deepEqual(items.map((i) => [Number(i.id), i.state, i.outcome]), ids.map((id) => [id, 'done', 'imported']));
  const messages = await store.db.selectFrom('messages').select('inbox_item_id').execute();
  assert.deepEqual(messages.map((m) => Number(m.inbox_item_id)).sort((a, b) => a - b), ids, 'one tracker message per inbox item');
  const requests = await store.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(requests.n), MESSAGES, 'one request per message');
  const stuck = await store.db.selectFrom('requesters').select('id').where('email', '=', STUCK_SENDER).execute();
  assert.equal(stuck.length, 1);
  if (processedEvents) assert.deepEqual([...processedEvents].sort((a, b) => a - b), ids, 'each outcome recorded (and reported) once');
}

