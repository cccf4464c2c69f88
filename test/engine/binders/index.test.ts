// The binders in order: first hit wins, a gone item stops the search, refusals are collected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BINDERS, bindReply } from '../../../src/engine/binders/index.js';
import { binderInput } from './binder-input.js';
import { fakeSnapshot, item } from './fake-snapshot.js';

test('the order is Message-ID, reply token, Ticket#N, subject token', () => {
  assert.deepEqual(BINDERS.map((b) => b.layer), ['message-id', 'reply-token', 'ticket', 'subject-token']);
});

test('the first layer that binds wins over later ones', async () => {
  const snapshot = fakeSnapshot({ items: [item(1), item(2)], threads: { 'm@x': { itemId: 1, via: 'created' } } });
  const input = await binderInput({ body: 'Ticket#2', headers: { 'In-Reply-To': '<m@x>' } }, snapshot);
  const result = bindReply(input);
  assert.equal(result.binding?.itemId, 1);
  assert.equal(result.binding?.layer, 'message-id');
});

test("a refused candidate lets the next layer bind, and is kept for the trace", async () => {
  const snapshot = fakeSnapshot({ items: [item(2)] });
  const input = await binderInput({ body: 'Ticket#9', subject: 'Re: [#2]' }, snapshot, { subjectTokens: true });
  const result = bindReply(input);
  assert.equal(result.binding?.itemId, 2);
  assert.deepEqual(result.refused, ['Ticket#9 in the new words of the reply names no item']);
});

test('a bound item that was deleted makes it new mail, and no later layer is tried', async () => {
  const snapshot = fakeSnapshot({ items: [item(1, { deleted: true }), item(2)], threads: { 'm@x': { itemId: 1, via: 'created' } } });
  const input = await binderInput({ body: 'Ticket#2', headers: { 'In-Reply-To': '<m@x>' } }, snapshot);
  const result = bindReply(input);
  assert.equal(result.binding, null);
  assert.equal(result.gone, 'In-Reply-To <m@x> is the message that created request 1, which was deleted');
  assert.deepEqual(result.refused, [result.gone]);
});
