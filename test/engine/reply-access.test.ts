// Who may add to an item: requesters, participants, staff, and a requester's company when the profile
// says so. Only From counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { companyOf, newParticipants, replyAccess } from '../../src/engine/reply-access.js';
import { fromAuthenticationFailure } from '../../src/mail/authentication-results.js';
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

const own = (profile: string[] = [], all: string[] = [], domains: string[] = []) => ({ profileAddresses: new Set(profile), allAddresses: new Set(all), domains });

test("an allowed reply's Cc joins (To only when our own addresses are known); known people and staff do not", async () => {
  const { message } = await binderInput({ from: 'ann@acme.example', to: 'support@us.example, dee@x.example', cc: 'cy@else.example, staff@us.example, Ed <ED@x.example>' }, snapshot);
  assert.deepEqual(newParticipants(message, ticket, snapshot, own()), [{ email: 'ed@x.example', source: 'cc' }]);
  assert.deepEqual(newParticipants(message, ticket, snapshot, own(['support@us.example'])), [
    { email: 'ed@x.example', source: 'cc' },
    { email: 'dee@x.example', source: 'to' },
  ]);
});

test("no profile's own address and no address at our own domains becomes a participant", async () => {
  const { message } = await binderInput({ from: 'ann@acme.example', to: 'support@us.example', cc: 'sales@us.example, bot@mailbind.host.example, x@mail.mailbind.host.example, ed@x.example' }, snapshot);
  assert.deepEqual(newParticipants(message, ticket, snapshot, own(['support@us.example'], ['support@us.example', 'sales@us.example'], ['mailbind.host.example'])), [
    { email: 'ed@x.example', source: 'cc' },
  ]);
});

test('a plus-address of our own address (the reply token an answer is sent to) does not become a participant', async () => {
  const { message } = await binderInput({ from: 'ann@acme.example', to: 'support+tb2gmqi3@us.example', cc: 'sales+x@us.example, ed+y@x.example' }, snapshot);
  assert.deepEqual(newParticipants(message, ticket, snapshot, own(['support@us.example'], ['support@us.example', 'sales@us.example'])), [
    { email: 'ed+y@x.example', source: 'cc' },
  ]);
});

test("a requester record decides the company alone: taken out of the company, the domain does not let them back in", async () => {
  const withRecords = {
    ...snapshot,
    requesterByEmail: (e: string) => (e === 'left@acme.example' ? { id: 9, email: e, name: 'Left', companyId: null } : e === 'moved@other.example' ? { id: 10, email: e, name: 'Moved', companyId: 3 } : undefined),
  };
  assert.equal(companyOf('left@acme.example', withRecords), null);
  assert.equal(companyOf('moved@other.example', withRecords), 3, 'an admin may put someone in a company whatever their domain');
  assert.equal(companyOf('new@acme.example', withRecords), 3, 'no record: the domain');
  const { message } = await binderInput({ from: 'left@acme.example' }, withRecords);
  assert.equal(replyAccess(message, ticket, withRecords, { ...DEFAULT_THREADING, companyMayReply: true }, 'request 12').allowed, false);
});

test('a free-mail domain never makes anyone a company\'s, even when a company lists it', async () => {
  const gmailCompany = { ...snapshot, companyByDomain: (d: string) => (['gmail.com', 'gmx.de', 'acme.example'].includes(d) ? { id: 3, name: 'Acme' } : undefined) };
  assert.equal(companyOf('stranger@gmail.com', gmailCompany), null);
  assert.equal(companyOf('stranger@gmx.de', gmailCompany), null);
  assert.equal(companyOf('bob@acme.example', gmailCompany), 3);
  const { message } = await binderInput({ from: 'stranger@gmail.com' }, gmailCompany);
  assert.equal(replyAccess(message, ticket, gmailCompany, { ...DEFAULT_THREADING, companyMayReply: true }, 'request 12').allowed, false);
});

const DMARC_FAIL = 'mx.us.example; dkim=none; spf=softfail smtp.mailfrom=evil.example; dmarc=fail (p=NONE) header.from=us.example';

test("a From our server says failed authentication grants no staff, participant or company access; a requester's stays", async () => {
  const fail = (from: string) => binderInput({ from, headers: { 'Authentication-Results': DMARC_FAIL.replaceAll('us.example', from.split('@')[1]!) } }, snapshot);
  const staff = await fail('staff@us.example');
  assert.deepEqual(replyAccess(staff.message, ticket, snapshot, DEFAULT_THREADING, 'request 12', fromAuthenticationFailure(staff.message)), {
    allowed: false,
    why: 'staff@us.example failed authentication (the Authentication-Results of mx.us.example says dmarc=fail for us.example), so it cannot add to request 12 as staff',
  });
  const participant = await fail('cy@else.example');
  assert.equal(replyAccess(participant.message, ticket, snapshot, DEFAULT_THREADING, 'request 12', fromAuthenticationFailure(participant.message)).allowed, false);
  const colleague = await fail('bob@acme.example');
  assert.equal(replyAccess(colleague.message, ticket, snapshot, { ...DEFAULT_THREADING, companyMayReply: true }, 'request 12', fromAuthenticationFailure(colleague.message)).allowed, false);
  const requester = await fail('ann@acme.example');
  assert.equal(replyAccess(requester.message, ticket, snapshot, DEFAULT_THREADING, 'request 12', fromAuthenticationFailure(requester.message)).allowed, true);
});
