// The binders in order: first hit wins, a gone item stops the search, refusals are collected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BINDERS, bindReply } from '../../../src/engine/binders/index.js';
import { binderInput } from './binder-input.js';
import { fakeSnapshot, item } from './fake-snapshot.js';
import type { ItemView } from '../../../src/tracker/port.js';

const allowed = () => ({ allowed: true as const, as: 'allowed' });

test('the order is Message-ID, reply token, Ticket#N, subject token', () => {
  assert.deepEqual(BINDERS.map((b) => b.layer), ['message-id', 'reply-token', 'ticket', 'subject-token']);
});

test('the first layer that binds wins over later ones', async () => {
  const snapshot = fakeSnapshot({ items: [item(1), item(2)], threads: { 'm@x': { itemId: 1, via: 'created' } } });
  const input = await binderInput({ body: 'Ticket#2', headers: { 'In-Reply-To': '<m@x>' } }, snapshot);
  const result = bindReply(input, allowed);
  assert.equal(result.binding?.itemId, 1);
  assert.equal(result.binding?.layer, 'message-id');
});

test("a refused candidate lets the next layer bind, and is kept for the trace", async () => {
  const snapshot = fakeSnapshot({ items: [item(2)] });
  const input = await binderInput({ body: 'Ticket#9', subject: 'Re: [#2]' }, snapshot, { subjectTokens: true });
  const result = bindReply(input, allowed);
  assert.equal(result.binding?.itemId, 2);
  assert.deepEqual(result.refused, ['Ticket#9 in the new words of the reply names no item']);
});

test('a bound item that was deleted makes it new mail, and no later layer is tried', async () => {
  const snapshot = fakeSnapshot({ items: [item(1, { deleted: true }), item(2)], threads: { 'm@x': { itemId: 1, via: 'created' } } });
  const input = await binderInput({ body: 'Ticket#2', headers: { 'In-Reply-To': '<m@x>' } }, snapshot);
  const result = bindReply(input, allowed);
  assert.equal(result.binding, null);
  assert.equal(result.decisive, 'In-Reply-To <m@x> is the message that created request 1, which was deleted');
  assert.deepEqual(result.refused, [result.decisive]);
});

test("an item the sender may not add to is passed over for the layer's older candidates", async () => {
  // Bea's request 1; Mallory's refused reply became request 2; Bea answers all (In-Reply-To Mallory's).
  const snapshot = fakeSnapshot({
    items: [item(1, { requesterEmails: ['bea@x'] }), item(2, { requesterEmails: ['mallory@y'] })],
    threads: { 'orig@x': { itemId: 1, via: 'created' }, 'mallory@y': { itemId: 2, via: 'created' } },
  });
  const input = await binderInput({ from: 'bea@x', body: 'Ticket#2', headers: { 'In-Reply-To': '<mallory@y>', References: '<orig@x> <mallory@y>' } }, snapshot);
  const onlyRequesters = (i: ItemView) =>
    i.requesterEmails.includes('bea@x') ? { allowed: true as const, as: 'requester' } : { allowed: false as const, why: 'bea@x is not a participant' };
  const result = bindReply(input, onlyRequesters);
  assert.equal(result.binding?.itemId, 1);
  assert.equal(result.binding?.evidence, 'References <orig@x> is the message that created request 1');
  assert.deepEqual(result.refused, ['In-Reply-To <mallory@y> is the message that created request 2, but bea@x is not a participant'], 'item 2 is refused once, not again for References');
});

test('when every item a layer names refuses the sender it is new mail: later layers are not tried', async () => {
  const snapshot = fakeSnapshot({ items: [item(1), item(2)], threads: { 'm@x': { itemId: 1, via: 'created' } } });
  const input = await binderInput({ from: 'eve@y', body: 'Ticket#2', headers: { 'In-Reply-To': '<m@x>' } }, snapshot);
  const result = bindReply(input, (i) => (i.id === 2 ? allowed() : { allowed: false, why: 'eve@y is not a participant' }));
  assert.equal(result.binding, null);
  assert.equal(result.decisive, 'In-Reply-To <m@x> is the message that created request 1, but eve@y is not a participant');
});

test('a deleted item still ends the search after a refused one', async () => {
  const snapshot = fakeSnapshot({
    items: [item(1, { deleted: true }), item(2), item(3)],
    threads: { 'a@x': { itemId: 2, via: 'created' }, 'b@x': { itemId: 1, via: 'created' }, 'c@x': { itemId: 3, via: 'created' } },
  });
  const input = await binderInput({ headers: { References: '<c@x> <b@x> <a@x>' } }, snapshot);
  const result = bindReply(input, (i) => (i.id === 2 ? { allowed: false, why: 'no' } : allowed()));
  assert.equal(result.binding, null);
  assert.equal(result.decisive, 'References <b@x> is the message that created request 1, which was deleted');
});
