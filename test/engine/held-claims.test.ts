// What one processor's lanes hold (engine/held-claims.ts): claims take turns; a message taken over before
// (claimedAlone) is claimed only by a processor holding nothing else, and nothing is claimed beside it;
// once one is said to wait, no new claim is made until the messages held are done; neither holds the
// lanes back longer than ALONE_WAIT_MS. The claims and the clock here are scripted (the store's side is
// proved in engine/stopped-holders and store/dead-holders).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALONE_WAIT_MS, HeldClaims, type Claimer } from '../../src/engine/held-claims.js';
import type { InboxItem } from '../../src/store/inbox.js';

const item = (id: number, heldAlone = false) => ({ id, state: 'processing', takeovers: heldAlone ? 2 : 0, ...(heldAlone ? { heldAlone } : {}) }) as InboxItem;
const ids = (items: InboxItem[] | undefined) => items?.map((i) => i.id);

test('claims take turns: the next begins once the one before has answered', async () => {
  const held = new HeldClaims();
  const log: string[] = [];
  let answer!: () => void;
  const first = held.claim(async () => {
    log.push('first begins');
    await new Promise<void>((resolve) => (answer = resolve));
    log.push('first ends');
    return [item(1)];
  });
  const second = held.claim(async () => {
    log.push('second begins');
    return [item(2)];
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['first begins']);
  answer();
  assert.deepEqual(ids(await first), [1]);
  assert.deepEqual(ids(await second), [2]);
  assert.deepEqual(log, ['first begins', 'first ends', 'second begins']);
});

test('a message to hold alone may be claimed only while nothing else is held', async () => {
  const held = new HeldClaims();
  const allowed: boolean[] = [];
  const claimer = (items: InboxItem[]) => async ({ aloneAllowed }: { aloneAllowed: boolean }) => {
    allowed.push(aloneAllowed);
    return items;
  };
  await held.claim(claimer([item(1), item(2)]));
  await held.claim(claimer([item(3)]));
  held.settled(1);
  held.settled(2);
  held.settled(3);
  await held.claim(claimer([]));
  assert.deepEqual(allowed, [true, false, true]);
});

test('nothing is claimed beside a message held alone, until it is settled', async () => {
  const held = new HeldClaims();
  let asked = 0;
  await held.claim(async () => [item(7, true)]);
  assert.equal(held.holdsAlone, true);
  assert.equal(await held.claim(async () => (asked++, [item(8)])), undefined, 'held back');
  assert.equal(asked, 0, 'the claim was not even asked');
  held.settled(7);
  assert.equal(held.holdsAlone, false);
  assert.deepEqual(ids(await held.claim(async () => (asked++, [item(8)]))), [8]);
});

test('once a message waits to be held alone, no new claim is made until the messages held are done', async () => {
  const held = new HeldClaims();
  await held.claim(async () => [item(1)]);
  await held.claim(async ({ onAloneWaiting }) => {
    onAloneWaiting();
    return [item(2)];
  });
  let asked = 0;
  assert.equal(await held.claim(async () => (asked++, [item(3)])), undefined);
  held.settled(1);
  assert.equal(await held.claim(async () => (asked++, [item(3)])), undefined, 'one is still held');
  assert.equal(asked, 0);
  held.settled(2);
  const allowed: boolean[] = [];
  assert.deepEqual(ids(await held.claim(async ({ aloneAllowed }) => (allowed.push(aloneAllowed), [item(4, true)]))), [4]);
  assert.deepEqual(allowed, [true]);
  assert.equal(held.holdsAlone, true);
});

/**
 * The store's side as claimDueItems has it, while a message taken over before waits: to a claim that may
 * take it alone, that message; else, making way, only a stopped holder's batch (none here), or, not
 * making way, the pending mail.
 */
function storeWithOneWaiting(pending: () => InboxItem[]) {
  const asked: Array<{ aloneAllowed: boolean; makeWayForAlone: boolean }> = [];
  const claimer: Claimer = async ({ aloneAllowed, makeWayForAlone, onAloneWaiting }) => {
    asked.push({ aloneAllowed, makeWayForAlone });
    if (aloneAllowed) return [item(99, true)];
    onAloneWaiting();
    return makeWayForAlone ? [] : pending();
  };
  return { claimer, asked };
}

test(`a message that hangs held alone holds the other lanes back ${ALONE_WAIT_MS / 1000} s at most, though others wait to be held alone`, async () => {
  let clock = 0;
  const held = new HeldClaims(() => clock);
  let next = 10;
  const store = storeWithOneWaiting(() => [item(++next)]);
  await held.claim(async () => [item(1, true)]); // it hangs
  clock += ALONE_WAIT_MS - 1;
  assert.equal(await held.claim(store.claimer), undefined);
  assert.deepEqual(store.asked, [], 'not even asked');
  clock += 1;
  assert.equal(held.holdsAlone, false, 'it hangs: it no longer holds the others back');
  assert.deepEqual(ids(await held.claim(store.claimer)), [11], 'pending mail beside it');
  assert.deepEqual(ids(await held.claim(store.claimer)), [12], 'and more');
  assert.deepEqual(store.asked, [{ aloneAllowed: false, makeWayForAlone: false }, { aloneAllowed: false, makeWayForAlone: false }]);
});

test(`lanes holding messages while one waits to be held alone are held back ${ALONE_WAIT_MS / 1000} s at most, counted from when it was first seen`, async () => {
  let clock = 0;
  const held = new HeldClaims(() => clock);
  let next = 10;
  const store = storeWithOneWaiting(() => [item(++next)]);
  await held.claim(async () => [item(1)]); // a lane hangs on it
  assert.equal(await held.claim(store.claimer), undefined, 'making way: nothing taken');
  assert.deepEqual(store.asked, [{ aloneAllowed: false, makeWayForAlone: true }]);
  clock = ALONE_WAIT_MS - 1;
  assert.equal(await held.claim(store.claimer), undefined, 'held back');
  assert.equal(store.asked.length, 1);
  clock = ALONE_WAIT_MS;
  assert.deepEqual(ids(await held.claim(store.claimer)), [11], 'claims go on beside the lane that hangs');
  assert.deepEqual(ids(await held.claim(store.claimer)), [12], 'and keep going');
  assert.deepEqual(store.asked.slice(1), [{ aloneAllowed: false, makeWayForAlone: false }, { aloneAllowed: false, makeWayForAlone: false }]);
  for (const id of [1, 11, 12]) held.settled(id);
  assert.deepEqual(ids(await held.claim(store.claimer)), [99], 'held alone once the hands are empty');
});

test('a claim that sees only some messages (one profile\'s) does not end the wait it cannot see', async () => {
  let clock = 0;
  const held = new HeldClaims(() => clock);
  await held.claim(async () => [item(1)]);
  await held.claim(async ({ onAloneWaiting }) => (onAloneWaiting(), []));
  held.settled(1);
  assert.deepEqual(ids(await held.claim(async () => [item(2)], false)), [2], 'one profile\'s mail, nothing else held');
  assert.equal(await held.claim(async () => [item(3)]), undefined, 'still held back: the message waits');
  held.settled(2);
  assert.deepEqual(ids(await held.claim(async () => [item(4)])), [4], 'a claim that sees all and hears of none ends the wait');
  assert.deepEqual(ids(await held.claim(async () => [item(5)])), [5]);
});

test('a claim that fails does not stop the ones after it', async () => {
  const held = new HeldClaims();
  await assert.rejects(held.claim(async () => {
    throw new Error('the database is away');
  }), /the database is away/);
  assert.deepEqual(ids(await held.claim(async () => [item(1)])), [1]);
});
