import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findTicketReference, normalizeMessageId, parseMessageIdList } from '../../src/mail/index.js';

test('findTicketReference: the TargetProcess notification footer', () => {
  assert.equal(findTicketReference('Thanks!\n> --- Please do not remove this line! Targetprocess Ticket#164 ---'), 164);
  assert.equal(findTicketReference('Targetprocess Service Desk Ticket#12345'), 12345);
});

test('findTicketReference: the first match decides, as in TargetProcess', () => {
  assert.equal(findTicketReference('Ticket#5 and Ticket#7'), 5);
  // A first Ticket#0 means "no reference"; TargetProcess does not go on to the next one.
  assert.equal(findTicketReference('Ticket#0 then Ticket#9'), null);
});

test('findTicketReference: case-sensitive and exact', () => {
  assert.equal(findTicketReference('ticket#164'), null);
  assert.equal(findTicketReference('TICKET#164'), null);
  assert.equal(findTicketReference('Ticket #164'), null);
  assert.equal(findTicketReference('Ticket#'), null);
  assert.equal(findTicketReference('MyTicket#42x'), 42); // substring match, as the original regex
});

test('findTicketReference: leading zeros, zero and numbers beyond an entity id', () => {
  assert.equal(findTicketReference('Ticket#007'), 7);
  assert.equal(findTicketReference('Ticket#000'), null);
  assert.equal(findTicketReference('Ticket#2147483647'), 2147483647);
  assert.equal(findTicketReference('Ticket#2147483648'), null);
  assert.equal(findTicketReference('Ticket#99999999999999999999999'), null);
  // Any number of leading zeros, as Number() reads them; eleven significant digits are too many.
  assert.equal(findTicketReference(`Ticket#${'0'.repeat(30)}12 and more`), 12);
  assert.equal(findTicketReference('Ticket#10000000000'), null);
  assert.equal(findTicketReference('Ticket#1000000000'), 1000000000);
  assert.equal(findTicketReference(''), null);
});

test('normalizeMessageId: brackets, whitespace, folding, comments', () => {
  assert.equal(normalizeMessageId('<abc@example.com>'), 'abc@example.com');
  assert.equal(normalizeMessageId('  <abc@example.com>  '), 'abc@example.com');
  assert.equal(normalizeMessageId('abc@example.com'), 'abc@example.com');
  assert.equal(normalizeMessageId('<abc@\r\n example.com>'), 'abc@example.com');
  assert.equal(normalizeMessageId('<abc@example.com> (added by relay)'), 'abc@example.com');
  assert.equal(normalizeMessageId('<first@x> <second@y>'), 'first@x');
  assert.equal(normalizeMessageId('Your message of Mon, 1 Jan 2001 <old@style.example>'), 'old@style.example');
  assert.equal(normalizeMessageId('<unterminated@x'), 'unterminated@x');
  assert.equal(normalizeMessageId('<CaseKept@Example.COM>'), 'CaseKept@Example.COM');
});

test('normalizeMessageId: nothing usable gives null', () => {
  assert.equal(normalizeMessageId(''), null);
  assert.equal(normalizeMessageId('   '), null);
  assert.equal(normalizeMessageId('<>'), null);
  assert.equal(normalizeMessageId('< >'), null);
  assert.equal(normalizeMessageId(null), null);
  assert.equal(normalizeMessageId(undefined), null);
});

test('normalizeMessageId: bare tokens prefer the one that looks like an id', () => {
  assert.equal(normalizeMessageId('abc123'), 'abc123');
  assert.equal(normalizeMessageId('see id@host'), 'id@host');
});

test('parseMessageIdList: order kept, duplicates and empties dropped', () => {
  assert.deepEqual(parseMessageIdList('<a@x> <b@y>\r\n <c@z> <a@x> <>'), ['a@x', 'b@y', 'c@z']);
  assert.deepEqual(parseMessageIdList('<a@x>,<b@y>'), ['a@x', 'b@y']);
  assert.deepEqual(parseMessageIdList('a@x b@y'), ['a@x', 'b@y']);
  assert.deepEqual(parseMessageIdList(''), []);
  assert.deepEqual(parseMessageIdList(null), []);
});
