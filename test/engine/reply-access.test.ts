// Who may add to an item: requesters, participants, staff, and a requester's company when the profile
// says so. Only From counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newParticipants, replyAccess } from '../../src/engine/reply-access.js';
import { DEFAULT_THREADING } from '../../src/store/threading-settings.js';
import { binderInput } from './binders/binder-input.js';
import { fakeSnapshot, item } from './binders/fake-snapshot.js';

const ticket = item(12, { requesterEmails: ['ann@acme.example'], participantEmails: ['cy@else.example'], requesterCompanyIds: [3] });
const snapshot = { ...fakeSnapshot({ items: [ticket], staff: ['staff@us.example'] }), companyByDomain: (d: string) => (d === 'acme.example' ? { id: 3, name: 'Acme' } : undefined) };

async function access(from: string, spec: { replyTo?: string } = {}, companyMayReply = false) {
  const { message } = await binderInput({ from, ...spec }, snapshot);
  return replyAccess(message, ticket, snapshot, { ...DEFAULT_THREADING, companyMayReply }, 'request 12');
}

test('requesters, participants and staff may add; the address is compared without case', async () => {
  assert.deepEqual(await access('Ann <ANN@acme.example>'), { allowed: true, as: 'ann@acme.example is a requester of request 12' });
  assert.deepEqual(await access('cy@else.example'), { allowed: true, as: 'cy@else.example is a participant of request 12' });
  assert.deepEqual(await access('staff@us.example'), { allowed: true, as: 'staff@us.example is staff' });
});

test('anyone else is not a participant; a Reply-To or a display name naming the requester changes nothing', async () => {
  assert.deepEqual(await access('eve@evil.example'), { allowed: false, why: 'eve@evil.example is not a participant of request 12' });
  assert.equal((await access('eve@evil.example', { replyTo: 'ann@acme.example' })).allowed, false);
  assert.equal((await access('"ann@acme.example" <eve@evil.example>')).allowed, false);
});

test("a requester's colleague (by domain) may add only with companyMayReply", async () => {
  assert.equal((await access('bob@acme.example')).allowed, false);
  assert.equal((await access('bob@acme.example', {}, true)).allowed, true);
});

test("an allowed reply's Cc joins (To only when our own addresses are known); known people and staff do not", async () => {
  const { message } = await binderInput({ from: 'ann@acme.example', to: 'support@us.example, dee@x.example', cc: 'cy@else.example, staff@us.example, Ed <ED@x.example>' }, snapshot);
  assert.deepEqual(newParticipants(message, ticket, snapshot, new Set()), [{ email: 'ed@x.example', source: 'cc' }]);
  assert.deepEqual(newParticipants(message, ticket, snapshot, new Set(['support@us.example'])), [
    { email: 'ed@x.example', source: 'cc' },
    { email: 'dee@x.example', source: 'to' },
  ]);
});
