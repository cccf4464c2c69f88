// Layer 2: our reply token, a signed plus-address of one of our own addresses, found in To, Cc or
// Delivered-To. Pure: the key is handed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { replyTokenBinder } from '../../../src/engine/binders/reply-token.js';
import { checkBounceToken, checkReplyToken, claimedItemId, makeBounceToken, makeReplyToken, replyTokenAddress } from '../../../src/engine/outbox/reply-token.js';
import { binderInput } from './binder-input.js';
import { fakeSnapshot, item } from './fake-snapshot.js';

const key = randomBytes(32);
const own = new Set(['support@example.com']);
const snapshot = fakeSnapshot({ items: [item(12), item(70000)] });
const withKey = async (spec: Parameters<typeof binderInput>[0]) => ({ ...(await binderInput(spec, snapshot)), ownAddresses: own, replyTokenKey: key });


/** The binder's strongest candidate, or null when its evidence names nothing. */
const firstCandidate = (input: Parameters<typeof replyTokenBinder.candidates>[0]) => [...replyTokenBinder.candidates(input)][0] ?? null;

test('a token is t, the id in base32 and 6 signature characters, and verifies for its item only', () => {
  const token = makeReplyToken(key, 12);
  assert.match(token, /^tm[a-z2-7]{6}$/);
  assert.equal(makeReplyToken(key, 70000).length, 1 + 4 + 6);
  assert.deepEqual(checkReplyToken(key, token), { kind: 'valid', itemId: 12 });
  assert.deepEqual(checkReplyToken(key, token.toUpperCase()), { kind: 'valid', itemId: 12 }, 'a server may uppercase the local part');
  assert.equal(checkReplyToken(randomBytes(32), token).kind, 'forged', 'another installation cannot make ours');
  assert.equal(claimedItemId(token), 12);
  assert.equal(checkReplyToken(key, 'sales').kind, 'not-a-token');
  assert.equal(replyTokenAddress('support+old@example.com', token), `support+${token}@example.com`);
});

test('a token in To binds to its item', async () => {
  const address = `support+${makeReplyToken(key, 12)}@example.com`;
  assert.deepEqual(firstCandidate(await withKey({ to: address })), {
    itemId: 12,
    layer: 'reply-token',
    evidence: `the reply token in To <${address}> names request 12`,
  });
});

test('Cc and Delivered-To count too', async () => {
  const address = `support+${makeReplyToken(key, 70000)}@example.com`;
  assert.equal((firstCandidate(await withKey({ cc: address })) as any).itemId, 70000);
  const delivered = firstCandidate(await withKey({ to: 'list@other.example', headers: { 'Delivered-To': address } }));
  assert.equal((delivered as any).evidence, `the reply token in Delivered-To <${address}> names user story 70000`.replace('user story', 'request'));
});

test('a forged token is refused with the reason', async () => {
  const real = makeReplyToken(key, 12);
  const forged = real.slice(0, -1) + (real.endsWith('a') ? 'b' : 'a');
  assert.deepEqual(firstCandidate(await withKey({ to: `support+${forged}@example.com` })), {
    refused: `the reply token in To <support+${forged}@example.com> claims item 12 but its signature is wrong (forged or mistyped)`,
  });
});

test("a token on someone else's address, a plain plus tag, or no key: nothing", async () => {
  const token = makeReplyToken(key, 12);
  assert.equal(firstCandidate(await withKey({ to: `mallory+${token}@evil.example` })), null);
  assert.equal(firstCandidate(await withKey({ to: 'support+sales@example.com' })), null);
  const noKey = { ...(await binderInput({ to: `support+${token}@example.com` }, snapshot)), ownAddresses: own, replyTokenKey: null };
  assert.equal(firstCandidate(noKey), null);
});

test('a return-path token is b, the outbox id and a signature of its own: neither token passes for the other', () => {
  const bounceToken = makeBounceToken(key, 12);
  assert.match(bounceToken, /^bm[a-z2-7]{6}$/);
  assert.deepEqual(checkBounceToken(key, bounceToken), { kind: 'valid', outboxId: 12 });
  assert.equal(checkBounceToken(randomBytes(32), bounceToken).kind, 'forged', 'another key cannot make ours');
  assert.equal(checkBounceToken(key, `b${bounceToken.slice(1, -1)}${bounceToken.endsWith('a') ? 'b' : 'a'}`).kind, 'forged');
  assert.equal(checkReplyToken(key, bounceToken).kind, 'not-a-token', 'a return-path token is no reply token');
  assert.equal(checkBounceToken(key, makeReplyToken(key, 12)).kind, 'not-a-token', 'a reply token is no return-path token');
  // Same id, same key: the MACs differ, so swapping the prefix does not turn one into the other.
  assert.equal(checkReplyToken(key, `t${bounceToken.slice(1)}`).kind, 'forged');
  assert.equal(checkBounceToken(key, 'b' + 'a'.repeat(40)).kind, 'not-a-token', 'a long tag is no token');
});

test('a return-path token in To is not a reply token: the binder names nothing and refuses nothing', async () => {
  const address = `support+${makeBounceToken(key, 12)}@example.com`;
  assert.equal(firstCandidate(await withKey({ to: address })), null);
});
