// Our own Message-ID domain (loop detection): configured, or derived from the host name without
// taking the mail server's own Message-IDs for ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownMessageIdDomains } from '../../src/app/app.js';
import { classify, parseMessage } from '../../src/mail/index.js';
import { discardingSink } from '../../src/store/blobs.js';

const withId = (id: string) =>
  parseMessage(Buffer.from(`From: a@example.com\r\nSubject: x\r\nMessage-ID: <${id}>\r\n\r\nbody\r\n`), { receivedAt: new Date(), sink: discardingSink });

test('the configured domain is used as it is', () => {
  assert.deepEqual(ownMessageIdDomains('Loop.Example', 'mx.example.com'), ['loop.example']);
});

test('by default: mailbind. + the host name, so the mail server our pipe runs on is not taken for us', async () => {
  const domains = ownMessageIdDomains(undefined, 'mx.example.com');
  assert.deepEqual(domains, ['mailbind.mx.example.com']);
  // Postfix on mx.example.com stamps its users' mail <…@mx.example.com>: a person, not a loop.
  assert.equal(classify(await withId('20261130.1A2B@mx.example.com'), domains).kind, 'human');
  assert.equal(classify(await withId('reply.7@mailbind.mx.example.com'), domains).kind, 'own-loop');
});
