// Layer 3: Ticket#N in the body, the reply's new words first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ticketBinder } from '../../../src/engine/binders/ticket.js';
import { binderInput, firstCandidate } from './binder-input.js';
import { fakeSnapshot, item } from './fake-snapshot.js';

const snapshot = fakeSnapshot({ items: [item(5), item(7, { kind: 'task' })] });
const QUOTE = 'On Tue, 24 Nov 2026 Support <support@mailbind.test> wrote:\r\n';

test('Ticket#N in the new words wins over a Ticket#N quoted before it', async () => {
  const input = await binderInput({ body: `${QUOTE}> Ticket#5 notification\r\n\r\nNow about Ticket#7.` }, snapshot);
  assert.deepEqual(firstCandidate(ticketBinder, input), { itemId: 7, layer: 'ticket', evidence: 'Ticket#7 in the new words of the reply names task 7' });
});

test('a Ticket#N only in the quote still binds, as TargetProcess read it', async () => {
  const input = await binderInput({ body: `Thanks!\r\n\r\n${QUOTE}> Ticket#5 notification` }, snapshot);
  assert.deepEqual(firstCandidate(ticketBinder, input), { itemId: 5, layer: 'ticket', evidence: 'Ticket#5 in the quoted part of the body names request 5' });
});

test('a Ticket#N naming no item is refused with the reason, so later layers are tried', async () => {
  const input = await binderInput({ body: 'see Ticket#99' }, snapshot);
  assert.deepEqual(firstCandidate(ticketBinder, input), { refused: 'Ticket#99 in the new words of the reply names no item' });
});

test('no token: nothing', async () => {
  assert.equal(firstCandidate(ticketBinder, await binderInput({ body: 'ticket 5 please' }, snapshot)), null);
});

test('no token: the reply split is never asked for (it is the dearest part of deciding new mail)', async () => {
  const input = await binderInput({ body: 'ticket 5 please' }, snapshot);
  let asked = 0;
  const counting: typeof input = { ...input, get split() {
    asked++;
    return input.split;
  } };
  assert.equal(firstCandidate(ticketBinder, counting), null);
  assert.equal(asked, 0);
});
