// Layer 1: In-Reply-To, then References newest first, naming a Message-ID the tracker holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageIdBinder } from '../../../src/engine/binders/message-id.js';
import { binderInput } from './binder-input.js';
import { fakeSnapshot, item } from './fake-snapshot.js';

const snapshot = fakeSnapshot({
  items: [item(12), item(13, { kind: 'bug' }), item(14)],
  threads: {
    'orig@x.example': { itemId: 12, via: 'created' },
    'comment@x.example': { itemId: 13, via: 'comment' },
    'old@x.example': { itemId: 14, via: 'attached' },
  },
});

test('In-Reply-To naming the message that created an item binds to it, in words', async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<orig@x.example>' } }, snapshot);
  assert.deepEqual(messageIdBinder.bind(input), { itemId: 12, layer: 'message-id', evidence: 'In-Reply-To <orig@x.example> is the message that created request 12' });
});

test("a comment's message binds to the comment's item", async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<comment@x.example>' } }, snapshot);
  assert.equal((messageIdBinder.bind(input) as any).evidence, 'In-Reply-To <comment@x.example> is the message of a comment on bug 13');
});

test('References is read newest first when In-Reply-To names nothing we hold', async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<unknown@x.example>', References: '<old@x.example> <orig@x.example> <unknown@x.example>' } }, snapshot);
  assert.deepEqual(messageIdBinder.bind(input), { itemId: 12, layer: 'message-id', evidence: 'References <orig@x.example> is the message that created request 12' });
});

test('In-Reply-To wins over References', async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<old@x.example>', References: '<orig@x.example>' } }, snapshot);
  assert.equal((messageIdBinder.bind(input) as any).itemId, 14);
});

test('a thread of Message-IDs we do not hold binds nothing', async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<a@y.example>', References: '<b@y.example>' } }, snapshot);
  assert.equal(messageIdBinder.bind(input), null);
});
