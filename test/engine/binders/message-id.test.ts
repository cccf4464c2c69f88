// Layer 1: In-Reply-To, then References newest first, naming a Message-ID the tracker holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_REFERENCES, messageIdBinder, threadIds } from '../../../src/engine/binders/message-id.js';
import { allCandidates, binderInput, firstCandidate } from './binder-input.js';
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
  assert.deepEqual(firstCandidate(messageIdBinder, input), { itemId: 12, layer: 'message-id', evidence: 'In-Reply-To <orig@x.example> is the message that created request 12' });
});

test("a comment's message binds to the comment's item", async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<comment@x.example>' } }, snapshot);
  assert.equal((firstCandidate(messageIdBinder, input) as any).evidence, 'In-Reply-To <comment@x.example> is the message of a comment on bug 13');
});

test('References is read newest first when In-Reply-To names nothing we hold', async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<unknown@x.example>', References: '<old@x.example> <orig@x.example> <unknown@x.example>' } }, snapshot);
  assert.deepEqual(firstCandidate(messageIdBinder, input), { itemId: 12, layer: 'message-id', evidence: 'References <orig@x.example> is the message that created request 12' });
});

test('In-Reply-To wins over References', async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<old@x.example>', References: '<orig@x.example>' } }, snapshot);
  assert.equal((firstCandidate(messageIdBinder, input) as any).itemId, 14);
});

test('a thread of Message-IDs we do not hold binds nothing', async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<a@y.example>', References: '<b@y.example>' } }, snapshot);
  assert.equal(firstCandidate(messageIdBinder, input), null);
});

test("a long References keeps its first entry (the thread's start) and the newest, as RFC 5322 trimming does", async () => {
  const middle = Array.from({ length: 500 }, (_, i) => `<m${i}@y.example>`).join(' ');
  const input = await binderInput({ headers: { References: `<orig@x.example> ${middle}` } }, snapshot);
  assert.deepEqual(firstCandidate(messageIdBinder, input), { itemId: 12, layer: 'message-id', evidence: 'References <orig@x.example> is the message that created request 12' });
  const ids = threadIds(input.message);
  assert.equal(ids.length, MAX_REFERENCES);
  assert.equal(ids[0]!.id, 'm499@y.example', 'newest first');
  assert.equal(ids.at(-1)!.id, 'orig@x.example', "the thread's start last");
  assert.equal(input.message.references[0], 'orig@x.example', 'the message itself is left as parsed');
});

test('every Message-ID the thread names is a candidate, newest first', async () => {
  const input = await binderInput({ headers: { 'In-Reply-To': '<comment@x.example>', References: '<orig@x.example> <comment@x.example>' } }, snapshot);
  assert.deepEqual(allCandidates(messageIdBinder, input).map((c) => ('itemId' in c ? c.itemId : null)), [13, 13, 12]);
});
