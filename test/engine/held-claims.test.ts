// What one processor's lanes hold (engine/held-claims.ts): claims take turns; a message taken over before
// (claimedAlone) is claimed only by a processor holding nothing else, and nothing is claimed beside it;
// once one is said to wait, no new claim is made until the messages held are done. The claims here are
// scripted (the store's side is proved in engine/stopped-holders and store/dead-holders).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldClaims } from '../../src/engine/held-claims.js';
import type { InboxItem } from '../../src/store/inbox.js';

const item = (id: number, takeovers = 0) => ({ id, state: 'processing', takeovers }) as InboxItem;

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
  assert.deepEqual((await first).map((i) => i.id), [1]);
  assert.deepEqual((await second).map((i) => i.id), [2]);
  assert.deepEqual(log, ['first begins', 'first ends', 'second begins']);
});

test('a message to hold alone may be claimed only while nothing else is held', async () => {
  const held = new HeldClaims();
  const allowed: boolean[] = [];
  const claimer = (items: InboxItem[]) => async (aloneAllowed: boolean) => {
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
  await held.claim(async () => [item(7, 2)]);
  assert.equal(held.alone, true);
  assert.deepEqual(await held.claim(async () => (asked++, [item(8)])), []);
  assert.equal(asked, 0, 'the claim was not even asked');
  held.settled(7);
  assert.equal(held.alone, false);
  assert.deepEqual((await held.claim(async () => (asked++, [item(8)]))).map((i) => i.id), [8]);
});

test('once a message waits to be held alone, no new claim is made until the messages held are done', async () => {
  const held = new HeldClaims();
  await held.claim(async () => [item(1)]);
  await held.claim(async (_allowed, onAloneWaiting) => {
    onAloneWaiting();
    return [item(2)];
  });
  let asked = 0;
  assert.deepEqual(await held.claim(async () => (asked++, [item(3)])), []);
  held.settled(1);
  assert.deepEqual(await held.claim(async () => (asked++, [item(3)])), [], 'one is still held');
  assert.equal(asked, 0);
  held.settled(2);
  const allowed: boolean[] = [];
  assert.deepEqual((await held.claim(async (aloneAllowed) => (allowed.push(aloneAllowed), [item(4, 2)]))).map((i) => i.id), [4]);
  assert.deepEqual(allowed, [true]);
  assert.equal(held.alone, true);
});

test('a claim that fails does not stop the ones after it', async () => {
  const held = new HeldClaims();
  await assert.rejects(held.claim(async () => {
    throw new Error('the database is away');
  }), /the database is away/);
  assert.deepEqual((await held.claim(async () => [item(1)])).map((i) => i.id), [1]);
});
