// Replies end to end on SQLite and PostgreSQL (issue 12): each binding layer, who may add to an item,
// participants, and each closed-item policy. A reply that is refused is new mail: the rules run and
// the trace says why.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { processorFor } from '../support/processor.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage, type MessageSpec } from '../support/messages.js';
import { createProfile } from '../../src/store/profiles.js';
import { validateSettings } from '../../src/sources/settings.js';
import { DEFAULT_THREADING, type ThreadingSettings } from '../../src/store/threading-settings.js';
import { intakeMessage } from '../../src/sources/intake.js';
import type { Processor, ProcessResult } from '../../src/engine/process.js';
import { addCompany, addProject, addUser, getTracker, listTracker, setItemState, setProjectDeleted } from '../../src/tracker/builtin/index.js';
import { getInboxItem } from '../../src/store/inbox.js';
import { listAudit } from '../../src/store/audit.js';
import { BuiltinTrackerWriter } from '../../src/tracker/builtin/writer.js';

const RULES = [
  "when subject contains 'acme' then attach to project 2 and create request in project 2",
  "when subject contains 'doomed' then create request in project 3",
  'then attach to project 1 and create request in project 1',
  '',
].join('\n');

const ON = 'Tue, 24 Nov 2026 Support <support@mailbind.test> wrote:';

for (const dialect of await dialects()) {
  describe(`replies on ${dialect}`, () => {
    let t: TestStore;
    let processor: Processor;
    const profiles = new Map<string, number>();

    before(async () => {
      t = await openTestStore(dialect);
      const db = t.store.db;
      await addCompany(db, { name: 'Acme', domains: ['acme.example'] });
      await addProject(db, { name: 'General' }); // 1
      await addProject(db, { name: 'Acme Support', code: 'ACME', company: 'Acme' }); // 2
      await addProject(db, { name: 'Doomed' }); // 3
      await addUser(db, { email: 'staff@mailbind.test', name: 'Staff Member' });
      processor = processorFor(t.store);
    });
    after(() => t.cleanup());

    /** A profile with these threading settings (one per distinct set, made on first use). */
    async function profileWith(settings: Partial<ThreadingSettings>): Promise<number> {
      const threading = { ...DEFAULT_THREADING, ...settings };
      const key = JSON.stringify(threading);
      if (!profiles.has(key)) {
        const name = `p${profiles.size}-${randomBytes(3).toString('hex')}`;
        profiles.set(key, (await createProfile(t.store.db, { name, rules: RULES, threading })).id);
      }
      return profiles.get(key)!;
    }

    async function deliver(spec: MessageSpec, settings: Partial<ThreadingSettings> = {}): Promise<ProcessResult & { trace: any }> {
      const { item, inserted } = await intakeMessage(t.store, makeMessage(spec), { profileId: await profileWith(settings) });
      assert.equal(inserted, true);
      const [result] = await processor.processDue({ ids: [item.id] });
      assert.ok(result);
      return { ...result, trace: (await getInboxItem(t.store.db, item.id))?.trace };
    }

    /** Raw bytes, as deliver does with a spec. */
    async function deliverRaw(raw: Buffer, settings: Partial<ThreadingSettings> = {}, profileId?: number): Promise<ProcessResult & { trace: any }> {
      const { item, inserted } = await intakeMessage(t.store, raw, { profileId: profileId ?? (await profileWith(settings)) });
      assert.equal(inserted, true);
      const [result] = await processor.processDue({ ids: [item.id] });
      assert.ok(result);
      return { ...result, trace: (await getInboxItem(t.store.db, item.id))?.trace };
    }

    /** A new request from `from`; its Message-ID is returned with it. */
    async function newRequest(from: string, spec: MessageSpec = {}): Promise<{ itemId: number; messageId: string }> {
      const messageId = `${randomBytes(6).toString('hex')}@${from.split('@')[1]}`;
      const r = await deliver({ from, subject: 'Export is broken', messageId, ...spec });
      assert.equal(r.outcome, 'imported');
      return { itemId: r.created.requests[0]!, messageId };
    }

    const reply = (parent: string, spec: MessageSpec = {}): MessageSpec => ({
      subject: 'Re: Export is broken',
      body: 'Still broken here.',
      headers: { 'In-Reply-To': `<${parent}>`, References: `<${parent}>` },
      ...spec,
    });

    test('a reply threads by In-Reply-To onto the item its original created', async () => {
      const { itemId, messageId } = await newRequest('ann@cust.example');
      const r = await deliver(reply(messageId, { from: 'Ann <ann@cust.example>' }));
      assert.equal(r.outcome, 'commented');
      assert.deepEqual(r.actions, [`comment on item ${itemId}`]);
      assert.deepEqual(r.trace.binding, {
        layer: 'message-id',
        evidence: `In-Reply-To <${messageId}> is the message that created request ${itemId}`,
        itemId,
      });
      const comment = await getTracker(t.store.db, 'comments', r.created.comments[0]!);
      assert.equal(comment?.itemId, itemId);
      assert.equal(comment?.body, 'Still broken here.');
    });

    test('a 12 KB Message-ID (too long for an index): its message is imported, and a reply to it threads onto its item', async () => {
      const long = `${randomBytes(6000).toString('hex')}@cust.example`;
      const { itemId } = await newRequest('kim@cust.example', { messageId: long });
      const r = await deliver(reply(long, { from: 'kim@cust.example' }));
      assert.equal(r.outcome, 'commented');
      assert.equal(r.trace.binding.itemId, itemId);
      // Another Message-ID with the same first 12,000 characters is another message.
      const other = await deliver(reply(`${long.slice(0, -4)}.org`, { from: 'kim@cust.example' }));
      assert.equal(other.outcome, 'imported');
    });

    test('References binds when In-Reply-To names a Message-ID we do not hold', async () => {
      const { itemId, messageId } = await newRequest('ben@cust.example');
      const r = await deliver({
        from: 'ben@cust.example',
        subject: 'Re: Export is broken',
        headers: { 'In-Reply-To': '<never-seen@cust.example>', References: `<older@cust.example> <${messageId}> <never-seen@cust.example>` },
      });
      assert.equal(r.outcome, 'commented');
      assert.equal(r.trace.binding.itemId, itemId);
      assert.equal(r.trace.binding.evidence, `References <${messageId}> is the message that created request ${itemId}`);
    });

    test("a reply to a comment's message threads onto that comment's item", async () => {
      const { itemId, messageId } = await newRequest('cat@cust.example');
      const firstReplyId = `r1-${randomBytes(4).toString('hex')}@cust.example`;
      const first = await deliver(reply(messageId, { from: 'cat@cust.example', messageId: firstReplyId }));
      assert.equal(first.outcome, 'commented');
      // Only In-Reply-To, naming the comment's message: the thread's start is not named at all.
      const second = await deliver({ from: 'cat@cust.example', subject: 'Re: Re: Export', headers: { 'In-Reply-To': `<${firstReplyId}>` } });
      assert.equal(second.outcome, 'commented');
      assert.equal(second.trace.binding.evidence, `In-Reply-To <${firstReplyId}> is the message of a comment on request ${itemId}`);
    });

    test('Ticket#N in the new words wins over a Ticket#N in the quote', async () => {
      const quoted = await newRequest('dan@cust.example');
      const meant = await newRequest('dan@cust.example');
      const r = await deliver({
        from: 'dan@cust.example',
        subject: 'about the other one',
        // Bottom-posted: the quote (and its token) comes first, as TargetProcess's first match would take.
        body: `On ${ON}\r\n> Ticket#${quoted.itemId} old notification\r\n\r\nThis is about Ticket#${meant.itemId} now.`,
      });
      assert.equal(r.outcome, 'commented');
      assert.deepEqual(r.actions, [`comment on item ${meant.itemId}`]);
      assert.deepEqual(r.trace.binding, {
        layer: 'ticket',
        evidence: `Ticket#${meant.itemId} in the new words of the reply names request ${meant.itemId}`,
        itemId: meant.itemId,
      });
    });

    test('[#N] in the subject binds only when the profile turns subject tokens on', async () => {
      const { itemId } = await newRequest('eve@cust.example');
      const off = await deliver({ from: 'eve@cust.example', subject: `Re: [#${itemId}] Export is broken` });
      assert.equal(off.outcome, 'imported', 'subject tokens are off by default: new mail');
      assert.ok(off.trace.bindingRefused.some((r: string) => r.includes(`[#${itemId}] in the subject was not read`)), off.trace.bindingRefused.join('; '));
      const on = await deliver({ from: 'eve@cust.example', subject: `Re: [#${itemId}] Export is broken` }, { subjectTokens: true });
      assert.equal(on.outcome, 'commented');
      assert.deepEqual(on.trace.binding, { layer: 'subject-token', evidence: `[#${itemId}] in the subject names request ${itemId}`, itemId });
    });

    test('[CODE-N] binds by the project code, and not to an item of another project', async () => {
      const inAcme = await newRequest('fay@cust.example', { subject: 'acme export' });
      const inGeneral = await newRequest('fay@cust.example');
      const r = await deliver({ from: 'fay@cust.example', subject: `Re: [acme-${inAcme.itemId}] acme export` }, { subjectTokens: true });
      assert.equal(r.outcome, 'commented');
      assert.equal(r.trace.binding.itemId, inAcme.itemId);
      const wrong = await deliver({ from: 'fay@cust.example', subject: `Re: [ACME-${inGeneral.itemId}] hello` }, { subjectTokens: true });
      assert.equal(wrong.outcome, 'imported');
      assert.ok(wrong.trace.bindingRefused.some((x: string) => x.includes(`is in project 1, not in ACME`)), wrong.trace.bindingRefused.join('; '));
    });

    test('a reply to a deleted item is new mail, and the trace says why', async () => {
      const { itemId, messageId } = await newRequest('gus@cust.example', { subject: 'doomed export' });
      await setProjectDeleted(t.store.db, 3, true);
      try {
        const r = await deliver(reply(messageId, { from: 'gus@cust.example', subject: 'Re: export' }));
        assert.equal(r.outcome, 'imported');
        assert.equal(r.rule, 3);
        const why = `In-Reply-To <${messageId}> is the message that created request ${itemId}, which was deleted`;
        assert.equal(r.reason, why);
        assert.deepEqual(r.trace.bindingRefused, [why]);
        assert.equal(r.trace.binding, null);
      } finally {
        await setProjectDeleted(t.store.db, 3, false);
      }
    });

    test("an outsider quoting Ticket#N is new mail: not a participant of the item", async () => {
      const { itemId } = await newRequest('hal@cust.example');
      const r = await deliver({ from: 'mallory@elsewhere.example', subject: 'me too', body: `Please look. Ticket#${itemId}` });
      assert.equal(r.outcome, 'imported');
      assert.deepEqual(r.created.comments, []);
      assert.match(r.reason ?? '', new RegExp(`mallory@elsewhere\\.example is not a participant of request ${itemId}$`));
      assert.equal(r.trace.binding, null);
    });

    test("neither a Reply-To nor a display name naming the requester grants access", async () => {
      const { itemId, messageId } = await newRequest('ivy@cust.example');
      const spoofed = await deliver(reply(messageId, { from: 'mallory@elsewhere.example', replyTo: 'ivy@cust.example' }));
      assert.equal(spoofed.outcome, 'imported');
      assert.match(spoofed.reason ?? '', new RegExp(`not a participant of request ${itemId}`));
      const named = await deliver(reply(messageId, { from: '"ivy@cust.example" <mallory@elsewhere.example>' }));
      assert.equal(named.outcome, 'imported');
      assert.match(named.reason ?? '', /mallory@elsewhere\.example is not a participant/);
    });

    test("a colleague Cc'd on an allowed reply becomes a participant and can then reply", async () => {
      const { itemId, messageId } = await newRequest('jan@cust.example');
      const before = await deliver(reply(messageId, { from: 'kim@partner.example' }));
      assert.equal(before.outcome, 'imported', 'not yet a participant');
      const cc = await deliver(reply(messageId, { from: 'jan@cust.example', cc: 'Kim <Kim@Partner.example>, Staff <staff@mailbind.test>' }));
      assert.equal(cc.outcome, 'commented');
      assert.deepEqual(cc.actions, [`comment on item ${itemId}`, `add kim@partner.example as participants of item ${itemId}`]);
      const request = await getTracker(t.store.db, 'requests', itemId);
      assert.deepEqual(request?.participants, ['kim@partner.example'], 'staff need no participation');
      const after = await deliver(reply(messageId, { from: 'kim@partner.example' }));
      assert.equal(after.outcome, 'commented');
      assert.equal(after.trace.replyAccess, `kim@partner.example is a participant of request ${itemId}`);
    });

    test("a reply's To joins too, except our own mailbox address", async () => {
      const piped = (await createProfile(t.store.db, {
        name: `piped-${dialect}`,
        rules: RULES,
        source: validateSettings({ protocol: 'pipe', address: 'support@mailbind.test' }),
      })).id;
      const viaPipe = async (spec: MessageSpec) => {
        const { item } = await intakeMessage(t.store, makeMessage(spec), { profileId: piped });
        return (await processor.processDue({ ids: [item.id] }))[0]!;
      };
      const messageId = `${randomBytes(6).toString('hex')}@cust.example`;
      const itemId = (await viaPipe({ from: 'una@cust.example', messageId })).created.requests[0]!;
      const r = await viaPipe(reply(messageId, { from: 'una@cust.example', to: 'Support <Support@mailbind.test>, vic@cust.example' }));
      assert.equal(r.outcome, 'commented');
      assert.deepEqual((await getTracker(t.store.db, 'requests', itemId))?.participants, ['vic@cust.example']);
    });

    test('staff can always comment', async () => {
      const { itemId, messageId } = await newRequest('lou@cust.example');
      const r = await deliver(reply(messageId, { from: 'Staff <STAFF@mailbind.test>' }));
      assert.equal(r.outcome, 'commented');
      assert.equal(r.trace.replyAccess, 'staff@mailbind.test is staff');
      assert.equal((await getTracker(t.store.db, 'comments', r.created.comments[0]!))?.itemId, itemId);
    });

    test("companyMayReply lets a requester's colleague add to the item, and only when on", async () => {
      const { itemId, messageId } = await newRequest('max@acme.example');
      const off = await deliver(reply(messageId, { from: 'ned@acme.example' }));
      assert.equal(off.outcome, 'imported');
      assert.match(off.reason ?? '', new RegExp(`ned@acme\\.example is not a participant of request ${itemId}`));
      const on = await deliver(reply(messageId, { from: 'ned@acme.example' }), { companyMayReply: true });
      assert.equal(on.outcome, 'commented');
      assert.match(on.trace.replyAccess, /of company 1, as a requester of request/);
      const stranger = await deliver(reply(messageId, { from: 'oz@other.example' }), { companyMayReply: true });
      assert.equal(stranger.outcome, 'imported', 'another company is still outside');
    });

    test("closed items, 'comment' (the default): the reply comments and the item stays closed", async () => {
      const { itemId, messageId } = await newRequest('pat@cust.example');
      await setItemState(t.store.db, 'request', itemId, 'closed');
      const r = await deliver(reply(messageId, { from: 'pat@cust.example' }));
      assert.equal(r.outcome, 'commented');
      assert.equal((await getTracker(t.store.db, 'requests', itemId))?.state, 'closed');
    });

    test("closed items, 'reopen': the reply comments and the item is open again", async () => {
      const { itemId, messageId } = await newRequest('quin@cust.example');
      await setItemState(t.store.db, 'request', itemId, 'closed');
      const r = await deliver(reply(messageId, { from: 'quin@cust.example' }), { closedReplies: 'reopen' });
      assert.equal(r.outcome, 'commented');
      assert.deepEqual(r.actions, [`comment on item ${itemId}`, `reopen item ${itemId}`]);
      assert.equal((await getTracker(t.store.db, 'requests', itemId))?.state, 'open');
    });

    test("closed items, 'new-item': the reply is new mail whose request follows the closed one up", async () => {
      const { itemId, messageId } = await newRequest('rae@cust.example');
      await setItemState(t.store.db, 'request', itemId, 'closed');
      const r = await deliver(reply(messageId, { from: 'rae@cust.example' }), { closedReplies: 'new-item' });
      assert.equal(r.outcome, 'imported');
      assert.deepEqual(r.created.comments, []);
      assert.match(r.reason ?? '', /which is closed/);
      const made = r.created.requests[0]!;
      assert.notEqual(made, itemId);
      assert.equal((await getTracker(t.store.db, 'requests', made))?.followsUp, itemId);
      assert.equal((await getTracker(t.store.db, 'requests', itemId))?.state, 'closed');
      // 'done' is work finished, not a conversation ended: replies to it comment.
      await setItemState(t.store.db, 'request', itemId, 'done');
      const onDone = await deliver(reply(messageId, { from: 'rae@cust.example' }), { closedReplies: 'new-item' });
      assert.equal(onDone.outcome, 'commented');
    });

    test("an outsider's refused reply in the thread does not take the requester's reply-all to it", async () => {
      const bea = await newRequest('bea@cust.example');
      const malloryId = `m-${randomBytes(4).toString('hex')}@elsewhere.example`;
      const mallory = await deliver(reply(bea.messageId, { from: 'mallory@elsewhere.example', messageId: malloryId }));
      assert.equal(mallory.outcome, 'imported', "Mallory's reply is new mail: a request of her own");
      const malloryItem = mallory.created.requests[0]!;
      const r = await deliver({
        from: 'bea@cust.example',
        subject: 'Re: Export is broken',
        body: 'No, I did not ask for that.',
        headers: { 'In-Reply-To': `<${malloryId}>`, References: `<${bea.messageId}> <${malloryId}>` },
      });
      assert.equal(r.outcome, 'commented');
      assert.deepEqual(r.actions, [`comment on item ${bea.itemId}`]);
      assert.equal(r.trace.binding.evidence, `References <${bea.messageId}> is the message that created request ${bea.itemId}`);
      assert.deepEqual(r.trace.bindingRefused, [`In-Reply-To <${malloryId}> is the message that created request ${malloryItem}, but bea@cust.example is not a participant of request ${malloryItem}`]);
    });

    test('the same reply delivered to two profiles makes one comment; the second is skipped and says why', async () => {
      const { itemId, messageId } = await newRequest('abe@cust.example');
      const raw = makeMessage(reply(messageId, { from: 'abe@cust.example', messageId: `twice-${randomBytes(4).toString('hex')}@cust.example` }));
      const first = await deliverRaw(raw);
      assert.equal(first.outcome, 'commented');
      const second = await deliverRaw(raw, { subjectTokens: true });
      assert.equal(second.outcome, 'skipped');
      assert.equal(second.reason, `request ${itemId} already has this message (the same mail came before, by another mailbox): no second comment`);
      assert.deepEqual(second.created.comments, []);
      const comments = (await listTracker(t.store.db, 'comments')).filter((c) => c.itemId === itemId);
      assert.equal(comments.length, 1);
    });

    test("closed items, 'new-item': later replies go on in the open follow-up instead of making one per reply", async () => {
      const { itemId, messageId } = await newRequest('bob@cust.example');
      await setItemState(t.store.db, 'request', itemId, 'closed');
      const first = await deliver(reply(messageId, { from: 'bob@cust.example' }), { closedReplies: 'new-item' });
      const followUp = first.created.requests[0]!;
      const second = await deliver(reply(messageId, { from: 'bob@cust.example', body: 'And another thing.' }), { closedReplies: 'new-item' });
      assert.equal(second.outcome, 'commented');
      assert.deepEqual(second.actions, [`comment on item ${followUp}`]);
      assert.equal(second.trace.binding.evidence, `In-Reply-To <${messageId}> is the message that created request ${itemId}, which is closed and followed up by request ${followUp}`);
      assert.deepEqual((await getTracker(t.store.db, 'requests', itemId))?.followedUpBy, [followUp]);
      // Once the follow-up is closed too, the next reply makes a new one again.
      await setItemState(t.store.db, 'request', followUp, 'closed');
      const third = await deliver(reply(messageId, { from: 'bob@cust.example' }), { closedReplies: 'new-item' });
      assert.equal(third.outcome, 'imported');
      assert.deepEqual((await getTracker(t.store.db, 'requests', itemId))?.followedUpBy, [followUp, third.created.requests[0]!]);
    });

    test('a staff reply to a closed item is a plain comment: it neither reopens it nor makes a follow-up', async () => {
      for (const closedReplies of ['reopen', 'new-item'] as const) {
        const { itemId, messageId } = await newRequest('cal@cust.example');
        await setItemState(t.store.db, 'request', itemId, 'closed');
        const r = await deliver(reply(messageId, { from: 'staff@mailbind.test', body: 'Closing this, thanks.' }), { closedReplies });
        assert.equal(r.outcome, 'commented', closedReplies);
        assert.deepEqual(r.actions, [`comment on item ${itemId}`], closedReplies);
        assert.equal((await getTracker(t.store.db, 'requests', itemId))?.state, 'closed', closedReplies);
      }
    });

    test('reopening is audited like a manual state change, and an item no longer closed is left as it is', async () => {
      const { itemId, messageId } = await newRequest('dot@cust.example');
      await setItemState(t.store.db, 'request', itemId, 'closed');
      const replyId = `reopen-${randomBytes(4).toString('hex')}@cust.example`;
      await deliver(reply(messageId, { from: 'dot@cust.example', messageId: replyId }), { closedReplies: 'reopen' });
      const entries = (await listAudit(t.store.db, { limit: 50 })).filter((e) => e.target === `request ${itemId}`);
      assert.deepEqual(entries.map((e) => ({ actor: e.actor, action: e.action, details: e.details })), [
        { actor: 'mail:dot@cust.example', action: 'request.state', details: { from: 'closed', to: 'open', messageId: replyId } },
      ]);
      // An admin set it to 'done' after the snapshot was read: the reopen must not overwrite that.
      await setItemState(t.store.db, 'request', itemId, 'done');
      const writer = new BuiltinTrackerWriter(t.store.db);
      assert.equal(await writer.reopenItem(itemId, { messageId: replyId, from: 'dot@cust.example' }), false);
      assert.equal((await getTracker(t.store.db, 'requests', itemId))?.state, 'done');
      assert.equal((await listAudit(t.store.db, { limit: 50 })).filter((e) => e.target === `request ${itemId}`).length, 1);
    });

    test("another profile's mailbox Cc'd on a reply does not become a participant", async () => {
      await createProfile(t.store.db, { name: `sales-${dialect}`, rules: RULES, source: validateSettings({ protocol: 'pipe', address: 'sales@mailbind.test' }) });
      const { itemId, messageId } = await newRequest('eli@cust.example');
      const r = await deliver(reply(messageId, { from: 'eli@cust.example', cc: 'Sales <SALES@mailbind.test>, fay@cust.example' }));
      assert.equal(r.outcome, 'commented');
      assert.deepEqual((await getTracker(t.store.db, 'requests', itemId))?.participants, ['fay@cust.example']);
    });

    test('staff whose From our server says failed DMARC cannot comment: the mail is new, and the reason says why', async () => {
      const { itemId, messageId } = await newRequest('gil@cust.example');
      const forged = await deliver(reply(messageId, {
        from: 'staff@mailbind.test',
        headers: { 'In-Reply-To': `<${messageId}>`, 'Authentication-Results': 'mx.mailbind.test; spf=fail smtp.mailfrom=evil.example; dmarc=fail (p=NONE) header.from=mailbind.test' },
      }));
      assert.equal(forged.outcome, 'imported');
      assert.match(forged.reason ?? '', new RegExp(`staff@mailbind\\.test failed authentication \\(the Authentication-Results of mx\\.mailbind\\.test says dmarc=fail for mailbind\\.test\\), so it cannot add to request ${itemId} as staff`));
      const without = await deliver(reply(messageId, { from: 'staff@mailbind.test' }));
      assert.equal(without.outcome, 'commented', 'no Authentication-Results: as before');
    });

    test('inline images only the quote shows stay with the message, not on the comment', async () => {
      const { itemId, messageId } = await newRequest('hub@cust.example');
      const boundary = 'rel_' + randomBytes(4).toString('hex');
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a48a0000000049454e44ae426082', 'hex').toString('base64');
      const raw = Buffer.from([
        'From: hub@cust.example', 'To: support@mailbind.test', 'Subject: Re: Export is broken', 'Date: Tue, 24 Nov 2026 10:00:00 +0000',
        `Message-ID: <img-${randomBytes(4).toString('hex')}@cust.example>`, `In-Reply-To: <${messageId}>`, 'MIME-Version: 1.0',
        `Content-Type: multipart/related; boundary="${boundary}"`, '',
        `--${boundary}`, 'Content-Type: text/html; charset=utf-8', '',
        '<div>Here is what I see: <img src="cid:shot@cust"></div>',
        '<div class="gmail_quote"><div class="gmail_attr">On Tue, Support wrote:</div><blockquote class="gmail_quote"><img src="cid:logo@us"> Did you restart it?</blockquote></div>', '',
        `--${boundary}`, 'Content-Type: image/png; name="shot.png"', 'Content-ID: <shot@cust>', 'Content-Disposition: inline; filename="shot.png"', 'Content-Transfer-Encoding: base64', '', png, '',
        `--${boundary}`, 'Content-Type: image/png; name="logo.png"', 'Content-ID: <logo@us>', 'Content-Disposition: inline; filename="logo.png"', 'Content-Transfer-Encoding: base64', '', png, '',
        `--${boundary}--`, '',
      ].join('\r\n'));
      const r = await deliverRaw(raw);
      assert.equal(r.outcome, 'commented');
      const commentId = r.created.comments[0]!;
      const all = await listTracker(t.store.db, 'attachments');
      const onComment = all.filter((a) => a.commentId === commentId).map((a) => a.fileName);
      const onMessage = all.filter((a) => a.messageId === r.created.messages[0]).map((a) => a.fileName).sort();
      assert.deepEqual(onComment, ['shot.png']);
      assert.deepEqual(onMessage, ['logo.png', 'shot.png'], 'the message keeps both');
      assert.equal((await getTracker(t.store.db, 'comments', commentId))?.itemId, itemId);
    });
  });
}
