// Processing end to end on SQLite and PostgreSQL: intake → decide → execute in one transaction with
// the outcome. The seed example of DESIGN/README, replies, requesters, idempotency and failures.
import { describe, test, before, after } from 'node:test';
import { processorFor } from '../support/processor.js';
import assert from 'node:assert/strict';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage, SEED_RULES } from '../support/messages.js';
import { memoryLog } from '../support/memory-log.js';
import { createProfile } from '../../src/store/profiles.js';
import { intakeMessage } from '../../src/sources/intake.js';
import type { Processor, ProcessResult } from '../../src/engine/process.js';
import { addCompany, addProject, addRequester, addUser, listTracker, setProjectDeleted } from '../../src/tracker/builtin/admin.js';
import { claimDueItems, getInboxItem, resetForRetry } from '../../src/store/inbox.js';
import { setRawAside, storedRaw } from '../support/raw-bytes.js';

for (const dialect of await dialects()) {
  describe(`processing on ${dialect}`, () => {
    let t: TestStore;
    let profileId: number;
    let processor: Processor;

    before(async () => {
      t = await openTestStore(dialect);
      const db = t.store.db;
      await addCompany(db, { name: 'TargetProcess', domains: ['targetprocess.com'] });
      await addCompany(db, { name: 'Other Inc' });
      await addProject(db, { name: 'General' }); // 1
      await addProject(db, { name: 'TP Support', company: 'TargetProcess' }); // 2
      await addRequester(db, { email: 'Known@Partner.example', name: 'Known Partner', company: 'TargetProcess' });
      await addUser(db, { email: 'staff@mailbind.test', name: 'Staff Member' });
      profileId = (await createProfile(db, { name: 'support', rules: SEED_RULES })).id;
      processor = processorFor(t.store);
    });
    after(() => t.cleanup());

    async function deliver(raw: Buffer): Promise<ProcessResult> {
      const { item, inserted } = await intakeMessage(t.store, raw, { profileId });
      assert.equal(inserted, true);
      const [result] = await processor.processDue({ ids: [item.id] });
      assert.ok(result);
      return result;
    }

    test('seed (a): a TargetProcess requester with "tp" in the subject → project 2 inbox and a request in project 2', async () => {
      const r = await deliver(makeMessage({ from: 'Known Partner <known@partner.example>', subject: 'Problem with TP login' }));
      assert.equal(r.outcome, 'imported');
      assert.equal(r.rule, 1);
      assert.deepEqual(r.actions, ['attach to project 2', 'create request in project 2']);
      assert.equal(r.created.requests.length, 1);
      const requests = await listTracker(t.store.db, 'requests', { projectId: 2 }) as any[];
      const request = requests.find((q) => q.id === r.created.requests[0]);
      assert.equal(request.name, 'Problem with TP login');
      assert.equal(request.isPrivate, true, 'plain "create request" is private');
      const messages = await listTracker(t.store.db, 'messages', { projectId: 2 }) as any[];
      assert.ok(messages.some((m) => m.id === r.created.messages[0]));
    });

    test('seed (b): same company, no keyword → attached to project 2 only', async () => {
      const r = await deliver(makeMessage({ from: 'known@partner.example', subject: 'Invoice question' }));
      assert.equal(r.outcome, 'imported');
      assert.equal(r.rule, 2);
      assert.deepEqual(r.actions, ['attach to project 2']);
      assert.deepEqual(r.created.requests, []);
      const inProject2 = await listTracker(t.store.db, 'messages', { projectId: 2 }) as any[];
      assert.ok(inProject2.some((m) => m.id === r.created.messages[0]));
    });

    test('seed (c): anyone else → attached to project 1 and a request in project 1', async () => {
      const r = await deliver(makeMessage({ from: 'Stranger <someone@elsewhere.example>', subject: 'tp is great' }));
      assert.equal(r.outcome, 'imported');
      assert.equal(r.rule, 3);
      assert.deepEqual(r.actions, ['attach to project 1', 'create request in project 1']);
      const requests = await listTracker(t.store.db, 'requests', { projectId: 1 }) as any[];
      assert.ok(requests.some((q) => q.id === r.created.requests[0]));
    });

    test('a first-time sender whose domain is a company domain joins that company and matches', async () => {
      const r = await deliver(makeMessage({ from: 'New Person <new.person@TargetProcess.com>', subject: 'tp question' }));
      assert.equal(r.rule, 1);
      const requesters = await listTracker(t.store.db, 'requesters') as any[];
      const created = requesters.find((q) => q.email === 'new.person@targetprocess.com');
      assert.equal(created.name, 'New Person');
      assert.equal(created.companyId, 1);
    });

    test('From, Cc and Reply-To become requesters linked to the request; staff do not', async () => {
      const r = await deliver(makeMessage({
        from: 'Carol <carol@cust.example>',
        cc: 'Dave <dave@cust.example>, Staff Member <STAFF@mailbind.test>',
        replyTo: 'Erin <erin@cust.example>',
        subject: 'Broken export',
      }));
      assert.equal(r.rule, 3);
      const [request] = (await listTracker(t.store.db, 'requests') as any[]).filter((q) => q.id === r.created.requests[0]);
      const requesters = await listTracker(t.store.db, 'requesters') as any[];
      const emails = request.requesterIds.map((id: number) => requesters.find((q) => q.id === id).email).sort();
      assert.deepEqual(emails, ['carol@cust.example', 'dave@cust.example', 'erin@cust.example']);
      assert.ok(!requesters.some((q) => q.email === 'staff@mailbind.test'));
    });

    test('Ticket#N in the body becomes a comment on item N instead of running rules', async () => {
      const first = await deliver(makeMessage({ from: 'frank@cust.example', subject: 'Original' }));
      const itemId = first.created.requests[0]!;
      const reply = await deliver(makeMessage({
        from: 'frank@cust.example',
        cc: 'Newcomer <newcomer@cust.example>',
        subject: 'Re: Original',
        body: `Thanks, it works now.\r\n\r\nOn Tue, 24 Nov 2026 Support <support@mailbind.test> wrote:\r\n> --- Please do not remove this line! Targetprocess Ticket#${itemId} ---`,
      }));
      assert.equal(reply.outcome, 'commented');
      assert.equal(reply.rule, null);
      assert.deepEqual(reply.actions, [`comment on item ${itemId}`, `add newcomer@cust.example as participants of item ${itemId}`]);
      assert.deepEqual(reply.created.requests, []);
      const comments = await listTracker(t.store.db, 'comments') as any[];
      const comment = comments.find((c) => c.id === reply.created.comments[0]);
      assert.equal(comment.itemId, itemId);
      assert.equal(comment.body, 'Thanks, it works now.', 'the quoted notification is not part of the comment');
      assert.match(comment.quotedText, /^On Tue, 24 Nov 2026 Support <support@mailbind\.test> wrote:/, 'what was stripped is kept with the comment');
      assert.match(comment.quotedText, new RegExp(`Ticket#${itemId}`));
      const stored = await getInboxItem(t.store.db, reply.itemId);
      const replyTrace = (stored?.trace as any).reply;
      assert.equal(replyTrace.fullTextKept, false);
      assert.match(replyTrace.how, /quote/i, 'the trace says what was cut');
      const requesters = await listTracker(t.store.db, 'requesters') as any[];
      assert.equal(comment.requesterId, requesters.find((q) => q.email === 'frank@cust.example').id);
      assert.ok(!requesters.some((q) => q.email === 'newcomer@cust.example'), 'a comment creates no requesters: the Cc joins as a participant');
    });

    test('Ticket#N naming no item runs the rules', async () => {
      const r = await deliver(makeMessage({ from: 'gina@cust.example', body: 'see Ticket#999999' }));
      assert.equal(r.outcome, 'imported');
      assert.equal(r.rule, 3);
      const item = await getInboxItem(t.store.db, r.itemId);
      assert.deepEqual((item?.trace as any).binding, null);
      assert.deepEqual((item?.trace as any).bindingRefused, ['Ticket#999999 in the new words of the reply names no item']);
    });

    test('a rule whose target projects are all deleted is skipped; the next rule wins', async () => {
      await setProjectDeleted(t.store.db, 2, true);
      try {
        const r = await deliver(makeMessage({ from: 'known@partner.example', subject: 'tp again' }));
        assert.equal(r.rule, 3);
        const item = await getInboxItem(t.store.db, r.itemId);
        const rules = (item?.trace as any).rules as any[];
        assert.equal(rules.length, 3);
        assert.equal(rules[0].matched, false);
      } finally {
        await setProjectDeleted(t.store.db, 2, false);
      }
    });

    test('an auto-reply is ignored: no message, no request, no requester', async () => {
      const before = (await listTracker(t.store.db, 'requesters')).length;
      const r = await deliver(makeMessage({
        from: 'away@cust.example', subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' },
      }));
      assert.equal(r.outcome, 'ignored');
      assert.match(r.reason ?? '', /auto-reply/);
      assert.deepEqual(r.created.messages, []);
      assert.equal((await listTracker(t.store.db, 'requesters')).length, before);
    });

    test('no matching rule is an outcome too: skipped, nothing created', async () => {
      const other = (await createProfile(t.store.db, { name: 'narrow', rules: "when subject contains 'zzz' then attach to project 1" })).id;
      const { item } = await intakeMessage(t.store, makeMessage({ from: 'henry@cust.example' }), { profileId: other });
      const [r] = await processor.processDue({ ids: [item.id] });
      assert.equal(r?.outcome, 'skipped');
      assert.equal(r?.reason, 'no rule matched');
      assert.ok(!(await listTracker(t.store.db, 'requesters') as any[]).some((q) => q.email === 'henry@cust.example'));
    });

    test('the same bytes delivered twice are stored once and create nothing the second time', async () => {
      const raw = makeMessage({ from: 'ivy@cust.example', messageId: 'twice@cust.example' });
      const first = await intakeMessage(t.store, raw, { profileId });
      const second = await intakeMessage(t.store, raw, { profileId });
      assert.equal(first.inserted, true);
      assert.equal(second.inserted, false);
      await processor.processDue({ ids: [first.item.id] });
      assert.deepEqual(await processor.processDue({ ids: [first.item.id] }), []);
    });

    test('an attachment is stored once and linked to the message and the request', async () => {
      const content = Buffer.from('%PDF-1.4 fake pdf bytes\n'.repeat(100));
      const r = await deliver(makeMessage({ from: 'jack@cust.example', attachment: { name: 'report.pdf', type: 'application/pdf', content } }));
      const attachments = (await listTracker(t.store.db, 'attachments') as any[]).filter((a) => r.created.attachments.includes(a.id));
      assert.equal(attachments.length, 2);
      assert.deepEqual(attachments.map((a) => a.fileName), ['report.pdf', 'report.pdf']);
      assert.equal(attachments[0].size, content.length);
      assert.equal(attachments[0].messageId, r.created.messages[0]);
      assert.equal(attachments[1].itemId, r.created.requests[0]);
    });

    test('an action on a deleted project, or an unknown team, is left out with a note; the rest runs', async () => {
      const p = await createProfile(t.store.db, {
        name: `partial-${dialect}`,
        rules: 'then attach to project 2 and create public request in project 1 and attach request to team 99\n',
      });
      await setProjectDeleted(t.store.db, 2, true);
      try {
        const { item } = await intakeMessage(t.store, makeMessage({ from: 'kim@cust.example' }), { profileId: p.id });
        const [r] = await processor.processDue({ ids: [item.id] });
        assert.equal(r?.outcome, 'imported');
        assert.deepEqual(r?.actions, ['create public request in project 1']);
        const [request] = (await listTracker(t.store.db, 'requests') as any[]).filter((q) => q.id === r?.created.requests[0]);
        assert.deepEqual([request.isPrivate, request.teamId], [false, null]);
        const warnings = ((await getInboxItem(t.store.db, item.id))?.trace as any).warnings;
        assert.deepEqual(warnings, [
          "left out 'attach to project 2': project 2 is deleted",
          'team 99 does not exist: the request in project 1 is created without a team',
        ]);
      } finally {
        await setProjectDeleted(t.store.db, 2, false);
      }
    });

    test('a failure retries with backoff, is failed after 5 attempts, and can be retried by hand', async () => {
      const { item } = await intakeMessage(t.store, makeMessage({ from: 'lee@cust.example', subject: 'Flaky' }), { profileId });
      const putBack = await setRawAside(t.store, item);
      try {
        const [first] = await processor.processDue({ ids: [item.id] });
        assert.equal(first?.outcome, null);
        assert.match(first?.reason ?? '', /^will retry \(attempt 1\): .*ENOENT/);
        assert.deepEqual(await processor.processDue({ ids: [item.id] }), [], 'not due before its backoff');
        for (let attempt = 2; attempt <= 5; attempt++) {
          await t.store.db.updateTable('inbox_items').set({ next_attempt_at: new Date(0).toISOString() }).where('id', '=', item.id).execute();
          await processor.processDue({ ids: [item.id] });
        }
        const failed = await getInboxItem(t.store.db, item.id);
        assert.deepEqual([failed?.outcome, failed?.attempts], ['failed', 5]);
        assert.match(failed?.reason ?? '', /^failed after 5 attempts: .*ENOENT/);
      } finally {
        await putBack();
      }
      await resetForRetry(t.store.db, item.id);
      const [retried] = await processor.processDue({ ids: [item.id] });
      assert.equal(retried?.outcome, 'imported');
    });

    test('an unparseable message fails at once with reason unparseable, raw bytes kept', async () => {
      // 2,000 nested multiparts: past the MIME parser's limit on child nodes.
      let nested = '';
      for (let i = 0; i < 2000; i++) nested += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
      const raw = Buffer.from(`From: a@b.example\r\nSubject: too deep\r\n${nested}Content-Type: text/plain\r\n\r\nx\r\n`);
      const { item } = await intakeMessage(t.store, raw, { profileId });
      const [r] = await processor.processDue({ ids: [item.id] });
      assert.equal(r?.outcome, 'failed');
      assert.match(r?.reason ?? '', /^unparseable: .*Max allowed child nodes exceeded/);
      const stored = await getInboxItem(t.store.db, item.id);
      assert.deepEqual([stored?.outcome, stored?.attempts, stored?.subject], ['failed', 0, 'too deep']);
      assert.deepEqual(await storedRaw(t.store, item), raw, 'raw bytes kept');
    });

    test('two workers racing for one item (an expired lease) create its items once', async () => {
      const { item } = await intakeMessage(t.store, makeMessage({ from: 'race@cust.example', subject: 'Raced' }), { profileId });
      // The race, built deterministically: worker a claims the item with a lease that has already expired, so
      // worker b's claim takes the same item while a still holds it. Both then process it to the end.
      const [claimedByA] = await claimDueItems(t.store, { limit: 1, leaseMs: -1, ids: [item.id] });
      const [claimedByB] = await claimDueItems(t.store, { limit: 1, leaseMs: 60_000, ids: [item.id] });
      assert.equal(claimedByA?.id, item.id);
      assert.equal(claimedByB?.id, item.id, 'the expired lease let a second worker claim the item');
      const logA = memoryLog();
      const logB = memoryLog();
      const a = processorFor(t.store, { logger: logA.logger });
      const b = processorFor(t.store, { logger: logB.logger });
      const results = await Promise.all([a.processItem(claimedByA!), b.processItem(claimedByB!)]);
      // Both ran the plan to its transaction; exactly one recorded the outcome ("processed"), the other found
      // it recorded, rolled its items back and reports the stored outcome with nothing created.
      assert.deepEqual(results.map((r) => [r.itemId, r.outcome, r.error]), [[item.id, 'imported', undefined], [item.id, 'imported', undefined]]);
      assert.equal(logA.find('processed').length + logB.find('processed').length, 1, 'one worker recorded the outcome');
      assert.deepEqual(results.map((r) => r.created.requests.length).sort(), [0, 1], 'the loser created nothing');
      const requests = (await listTracker(t.store.db, 'requests') as any[]).filter((q) => q.name === 'Raced');
      assert.equal(requests.length, 1);
      assert.deepEqual(requests.map((q) => q.id), results.flatMap((r) => r.created.requests));
      const messages = (await listTracker(t.store.db, 'messages') as any[]).filter((m) => m.subject === 'Raced');
      assert.equal(messages.length, 1);
      assert.equal((await getInboxItem(t.store.db, item.id))?.outcome, 'imported');
    });

    test('a worker whose claim was taken over records nothing, even when it finishes first (fencing)', async () => {
      const { item } = await intakeMessage(t.store, makeMessage({ from: 'slow@cust.example', subject: 'Fenced' }), { profileId });
      const [claimedByA] = await claimDueItems(t.store, { limit: 1, leaseMs: -1, ids: [item.id], owner: 'worker-a' });
      const [claimedByB] = await claimDueItems(t.store, { limit: 1, leaseMs: 60_000, ids: [item.id], owner: 'worker-b' });
      assert.equal(claimedByB?.claimedBy, 'worker-b', 'b took the item over');
      // a, taken for dead but still running, finishes first: its outcome is refused and rolled back.
      const late = await processorFor(t.store).processItem(claimedByA!);
      assert.deepEqual([late.outcome, late.created.requests], [null, []]);
      assert.equal((await getInboxItem(t.store.db, item.id))?.claimedBy, 'worker-b');
      const holder = await processorFor(t.store).processItem(claimedByB!);
      assert.equal(holder.outcome, 'imported');
      const requests = (await listTracker(t.store.db, 'requests') as any[]).filter((q) => q.name === 'Fenced');
      assert.deepEqual(requests.map((q) => q.id), holder.created.requests);
    });

    test('NUL bytes in headers and body are stored without them (PostgreSQL text cannot hold U+0000)', async () => {
      const raw = Buffer.from('From: Nul\u0000 Person <nul@cust.example>\r\nSubject: bad\u0000subject\r\nMessage-ID: <nul@cust.example>\r\n\r\nbody\u0000text\r\n', 'latin1');
      const { item } = await intakeMessage(t.store, raw, { profileId });
      assert.equal(item.subject, 'badsubject');
      const [r] = await processor.processDue({ ids: [item.id] });
      assert.equal(r?.outcome, 'imported');
      const [request] = (await listTracker(t.store.db, 'requests') as any[]).filter((q) => q.id === r?.created.requests[0]);
      // The MIME parser turns the NUL into a space, the header scan drops it: no U+0000 either way.
      assert.match(request.name, /^bad ?subject$/);
      assert.match(request.description, /^body ?text/);
      assert.deepEqual(await storedRaw(t.store, item), raw, 'the raw bytes keep their NUL');
    });

    test('an oversized message is ignored as too large at intake, headers kept', async () => {
      const { item } = await intakeMessage(t.store, makeMessage({ subject: 'Huge', body: 'x'.repeat(5000) }), { profileId, maxMessageBytes: 1000 });
      assert.equal(item.outcome, 'ignored');
      assert.match(item.reason ?? '', /^too large: \d+ bytes, the limit is 1000$/);
      assert.equal(item.subject, 'Huge');
    });
  });
}
