// Outgoing mail end to end on SQLite and PostgreSQL (issue 12), against smtp-server on loopback as the
// real SMTP peer (STARTTLS, AUTH): acknowledgements queued with the outcome and sent by the worker,
// retried while the server is down and sent once when it is back, a wrong password recorded in words,
// and answers threading back by our Message-ID or by the reply token alone.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { processorFor } from '../../support/processor.js';
import { dialects, type TestStore } from '../../support/store.js';
import { makeMessage, type MessageSpec } from '../../support/messages.js';
import { SmtpSink } from '../../support/smtp-sink.js';
import { OUR_DOMAIN, startOutgoingMail, type OutgoingMailRig } from '../../support/outgoing-mail.js';
import { createProfile } from '../../../src/store/profiles.js';
import { validateSettings } from '../../../src/sources/settings.js';
import { DEFAULT_THREADING } from '../../../src/store/threading-settings.js';
import { mergeSmtpSettings } from '../../../src/store/smtp-settings.js';
import { intakeMessage } from '../../../src/sources/intake.js';
import type { Processor, ProcessResult } from '../../../src/engine/process.js';
import { OutboxSender, runOutboxLoop } from '../../../src/engine/outbox/sender.js';
import { waitFor } from '../../support/wait.js';
import type { App } from '../../../src/app/app.js';
import { getTracker, listTracker } from '../../../src/tracker/builtin/index.js';
import { getInboxItem } from '../../../src/store/inbox.js';
import { claimDueMail, getOutboxMail, LEASE_RAN_OUT, listAttempts, listOutbox, markSent } from '../../../src/store/outbox.js';
import { makeReplyToken } from '../../../src/engine/outbox/reply-token.js';
import { sql } from '../../../src/store/database.js';
import { saveTemplate } from '../../../src/store/templates.js';
import { getProfile } from '../../../src/store/profiles.js';
import { discardingSink } from '../../../src/store/blobs.js';
import { BuiltinTracker } from '../../../src/tracker/builtin/index.js';
import { prepareAndDecide } from '../../../src/engine/prepare.js';
import { DecisionProfiles } from '../../../src/engine/decision-profile.js';
import { emptyCreated } from '../../../src/engine/execute.js';
import { queueMail } from '../../../src/engine/outbox/queue.js';

const RULES = 'then attach to project 1 and create request in project 1\n';

for (const dialect of await dialects()) {
  describe(`outgoing mail on ${dialect}`, () => {
    let t: TestStore;
    let app: App;
    let sink: SmtpSink;
    let processor: Processor;
    let sender: OutboxSender;
    let rig: OutgoingMailRig;

    before(async () => {
      rig = await startOutgoingMail(dialect);
      ({ t, app, sink, processor, sender } = rig);
    });
    after(() => rig.close());

    async function profile(options: { acknowledge?: boolean; smtp?: Record<string, unknown> | null; rules?: string } = {}): Promise<number> {
      const smtp = options.smtp === null ? null : mergeSmtpSettings(null, sink.settings(options.smtp ?? {}), app.secrets());
      const created = await createProfile(t.store.db, {
        name: `p-${randomBytes(4).toString('hex')}`,
        rules: options.rules ?? RULES,
        source: validateSettings({ protocol: 'pipe', address: 'support@mailbind.test' }),
        threading: { ...DEFAULT_THREADING, acknowledge: options.acknowledge ?? true },
        smtp,
      });
      return created.id;
    }

    async function deliver(profileId: number, spec: MessageSpec): Promise<ProcessResult & { trace: any }> {
      const { item } = await intakeMessage(t.store, makeMessage(spec), { profileId });
      const [result] = await processor.processDue({ ids: [item.id] });
      assert.ok(result);
      return { ...result, trace: (await getInboxItem(t.store.db, item.id))?.trace };
    }

    /** Make every waiting mail due now, instead of waiting out its backoff. */
    async function dueNow(): Promise<void> {
      await t.store.db.updateTable('outbox').set({ next_attempt_at: new Date(0).toISOString() }).where('state', '=', 'pending').execute();
    }

    test('a new request is acknowledged once, over STARTTLS with AUTH, threading back to the original', async () => {
      const p = await profile();
      const before = sink.mails.length;
      const original = `orig-${randomBytes(4).toString('hex')}@acme.example`;
      const r = await deliver(p, { from: 'Ann Acme <ann@acme.example>', subject: 'Export is broken', messageId: original });
      assert.equal(r.outcome, 'imported');
      assert.ok(r.actions.includes('acknowledge the new items to the sender by mail'), r.actions.join('; '));
      const itemId = r.created.requests[0]!;
      assert.equal(r.created.mails.length, 1);
      const queued = await getOutboxMail(t.store.db, r.created.mails[0]!);
      assert.equal(queued?.state, 'pending', 'queued with the outcome, sent by the worker');

      const sent = await sender.sendDue({ ids: r.created.mails });
      assert.deepEqual(sent.map((s) => s.state), ['sent']);
      assert.equal(sink.mails.length, before + 1);
      const mail = sink.mails.at(-1)!;
      assert.equal(mail.secure, true, 'upgraded with STARTTLS');
      assert.equal(mail.user, 'mailer', 'authenticated');
      assert.deepEqual(mail.to, ['ann@acme.example']);
      const h = (name: string) => SmtpSink.header(mail.raw, name);
      assert.equal(h('Auto-Submitted'), 'auto-replied');
      assert.equal(h('X-Mailbind-Loop'), OUR_DOMAIN);
      assert.equal(h('In-Reply-To'), `<${original}>`);
      assert.equal(h('References'), `<${original}>`);
      assert.match(h('Message-ID') ?? '', new RegExp(`@${OUR_DOMAIN.replace(/\./g, '\\.')}>$`));
      assert.equal(h('Subject'), `Re: Export is broken [#${itemId}]`);
      const key = await app.outgoing.replyTokenKey();
      assert.equal(h('Reply-To'), `support+${makeReplyToken(key!, itemId)}@mailbind.test`);
      assert.match(mail.raw, /Hello Ann Acme,/);
      assert.match(mail.raw, new RegExp(`Reference: Ticket#${itemId}`));

      const stored = await getOutboxMail(t.store.db, r.created.mails[0]!);
      assert.equal(stored?.state, 'sent');
      assert.equal(stored?.smtpResponse, `250 Ok: queued as SINK${sink.mails.length}`);
      const attempts = await listAttempts(t.store.db, stored!.id);
      assert.deepEqual(attempts.map((a) => [a.ok, a.code]), [[true, 250]]);
      assert.deepEqual(await sender.sendDue({ ids: r.created.mails }), [], 'nothing is sent twice');
    });

    test("a reply to our acknowledgement threads by its Message-ID, is a comment, and is not acknowledged", async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'bea@acme.example', subject: 'Printer on fire' });
      const itemId = r.created.requests[0]!;
      await sender.sendDue({ ids: r.created.mails });
      const ours = (await getOutboxMail(t.store.db, r.created.mails[0]!))!.messageId;
      const reply = await deliver(p, { from: 'bea@acme.example', subject: 'Re: Printer on fire', body: 'Still burning.', headers: { 'In-Reply-To': `<${ours}>` } });
      assert.equal(reply.outcome, 'commented');
      assert.equal(reply.trace.binding.evidence, `In-Reply-To <${ours}> is a mail we sent about request ${itemId}`);
      assert.deepEqual(reply.created.mails, [], 'no acknowledgement for a comment');
    });

    test('automatic mail gets no acknowledgement', async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'cal@acme.example', subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } });
      assert.equal(r.outcome, 'ignored');
      assert.deepEqual(r.created.mails, []);
      assert.deepEqual(await listOutbox(t.store.db, { profileId: p }), []);
    });

    test('an address gets at most the hourly limit of mails; the rest are recorded as skipped with why', async () => {
      const p = await profile();
      const limited = processorFor(t.store, { ownDomains: app.ownDomains, outgoing: { ...app.outgoing, limits: { acknowledgementsPerItem: 1, perAddressPerHour: 2 } } });
      const states: string[] = [];
      for (let i = 0; i < 3; i++) {
        const { item } = await intakeMessage(t.store, makeMessage({ from: 'dee@acme.example', subject: `Request ${i}` }), { profileId: p });
        const [result] = await limited.processDue({ ids: [item.id] });
        const mail = await getOutboxMail(t.store.db, result!.created.mails[0]!);
        states.push(mail!.state + (mail!.reason ? `: ${mail!.reason}` : ''));
      }
      assert.deepEqual(states, ['pending', 'pending', 'skipped: rate limited: 2 mails to dee@acme.example in the last hour (at most 2)']);
    });

    test('a profile without SMTP settings records the acknowledgement as skipped', async () => {
      const p = await profile({ smtp: null });
      const r = await deliver(p, { from: 'eli@acme.example', subject: 'Hello' });
      const mail = await getOutboxMail(t.store.db, r.created.mails[0]!);
      assert.equal(mail?.state, 'skipped');
      assert.equal(mail?.reason, 'the profile has no SMTP settings');
    });

    test('SMTP down: the mail waits for its backoff and is sent once when the server is back', async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'fay@acme.example', subject: 'Server down test' });
      await sink.stop();
      try {
        const first = await sender.sendDue({ ids: r.created.mails });
        assert.equal(first[0]?.state, 'pending');
        assert.match(first[0]!.response, /refused the connection/);
        const waiting = await getOutboxMail(t.store.db, r.created.mails[0]!);
        assert.equal(waiting?.attempts, 1);
        assert.ok(Date.parse(waiting!.nextAttemptAt) > Date.now() + 20_000, 'retried after 30 s, not at once');
        assert.deepEqual(await sender.sendDue({ ids: r.created.mails }), [], 'not due before its backoff');
      } finally {
        await sink.listen();
      }
      const before = sink.mails.length;
      await dueNow();
      const second = await sender.sendDue({ ids: r.created.mails });
      assert.equal(second[0]?.state, 'sent');
      await dueNow();
      assert.deepEqual(await sender.sendDue({ ids: r.created.mails }), []);
      assert.equal(sink.mails.filter((m) => m.to.includes('fay@acme.example')).length, 1, 'exactly one mail reached the server');
      assert.equal(sink.mails.length, before + 1);
      const attempts = await listAttempts(t.store.db, r.created.mails[0]!);
      assert.deepEqual(attempts.map((a) => a.ok), [false, true]);
    });

    test('a wrong SMTP password is recorded on the mail in words, with the reply code', async () => {
      const p = await profile({ smtp: { password: 'Pa55-not-this-one' } });
      const r = await deliver(p, { from: 'gus@acme.example', subject: 'Bad password' });
      const [outcome] = await sender.sendDue({ ids: r.created.mails });
      assert.equal(outcome?.state, 'pending');
      const mail = await getOutboxMail(t.store.db, r.created.mails[0]!);
      assert.match(mail!.lastError!, /refused the login of mailer: wrong user or password \(the server said: 535/);
      assert.ok(!mail!.lastError!.includes('Pa55'), 'the password is not in the record');
      const attempts = await listAttempts(t.store.db, mail!.id);
      assert.equal(attempts[0]?.code, 535);
    });

    test('a recipient the server refuses for good fails at once, with the reply', async () => {
      const refusing = await SmtpSink.start({ refuse: ['nobody@acme.example'] });
      try {
        const p = await profile({ smtp: { port: refusing.port } });
        const r = await deliver(p, { from: 'nobody@acme.example', subject: 'No such user' });
        const own = new OutboxSender({ store: t.store, secrets: app.secrets(), loopMarker: OUR_DOMAIN, extras: { ca: refusing.pki.caCert } });
        const [outcome] = await own.sendDue({ ids: r.created.mails });
        assert.equal(outcome?.state, 'failed');
        const mail = await getOutboxMail(t.store.db, r.created.mails[0]!);
        assert.match(mail!.reason!, /^refused: .*550.*User unknown/);
      } finally {
        await refusing.stop();
      }
    });

    test('a database error after the 250 is retried, never recorded as a failed send: the mail is sent once', async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'rae@acme.example', subject: 'Mark sent fails once' });
      let calls = 0;
      const flaky = new OutboxSender({
        store: t.store,
        secrets: app.secrets(),
        loopMarker: OUR_DOMAIN,
        extras: { ca: sink.pki.caCert },
        markSentRetryMs: [10],
        markSent: async (...args) => {
          if (calls++ === 0) throw new Error('database is locked');
          return markSent(...args);
        },
      });
      const before = sink.mails.length;
      const [outcome] = await flaky.sendDue({ ids: r.created.mails });
      assert.equal(outcome?.state, 'sent');
      assert.equal(calls, 2, 'recording the 250 was tried again');
      await dueNow();
      assert.deepEqual(await sender.sendDue({ ids: r.created.mails }), [], 'nothing left to send');
      assert.deepEqual(sink.mails.slice(before).map((m) => m.to[0]), ['rae@acme.example'], 'one mail received');
      assert.equal((await getOutboxMail(t.store.db, r.created.mails[0]!))?.state, 'sent');
      assert.deepEqual((await listAttempts(t.store.db, r.created.mails[0]!)).map((a) => [a.ok, a.code]), [[true, 250]], 'no failed attempt');
    });

    test('recording a 250 that keeps failing leaves the mail sending, not failed, until its claim runs out', async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'sol@acme.example', subject: 'Mark sent keeps failing' });
      const broken = new OutboxSender({
        store: t.store,
        secrets: app.secrets(),
        loopMarker: OUR_DOMAIN,
        extras: { ca: sink.pki.caCert },
        markSentRetryMs: [1, 1],
        markSent: async () => {
          throw new Error('database is gone');
        },
      });
      const [outcome] = await broken.sendDue({ ids: r.created.mails });
      assert.equal(outcome?.state, 'sent');
      const mail = await getOutboxMail(t.store.db, r.created.mails[0]!);
      assert.deepEqual([mail?.state, mail?.attempts, mail?.lastError], ['sending', 0, null]);
      assert.deepEqual(await listAttempts(t.store.db, mail!.id), []);
    });

    test('a send that outlasts its deadline is cut off and retried: the claim is never outlived', async () => {
      const hanging = await SmtpSink.start({ holdData: true });
      try {
        const p = await profile({ smtp: { port: hanging.port } });
        const r = await deliver(p, { from: 'tia@acme.example', subject: 'Hanging server' });
        const impatient = new OutboxSender({ store: t.store, secrets: app.secrets(), loopMarker: OUR_DOMAIN, extras: { ca: hanging.pki.caCert, timeoutMs: 30_000 }, sendDeadlineMs: 500 });
        const started = Date.now();
        const [outcome] = await impatient.sendDue({ ids: r.created.mails });
        assert.equal(hanging.held, 1, 'the server had the data and never answered');
        assert.ok(Date.now() - started < 10_000, 'cut off by the deadline, not by the socket timeout');
        assert.equal(outcome?.state, 'pending');
        assert.match(outcome!.response, /did not finish the mail in time/);
      } finally {
        await hanging.stop();
      }
    });

    test('a claim that ran out counts as an attempt: a mail that kills its worker ends failed after the usual five', async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'uma@acme.example', subject: 'Crashes the worker' });
      const id = r.created.mails[0]!;
      const expire = (attempts: number) =>
        t.store.db.updateTable('outbox').set({ state: 'sending', attempts, claimed_by: 'crashed', lease_until: new Date(0).toISOString() }).where('id', '=', id).execute();
      await expire(0);
      const [claimed] = await claimDueMail(t.store, { limit: 1, owner: 'next', ids: [id] });
      assert.equal(claimed?.attempts, 1, 'the crashed try is counted');
      await expire(4);
      assert.deepEqual(await claimDueMail(t.store, { limit: 1, owner: 'next', ids: [id] }), [], 'not sent a sixth time');
      const mail = await getOutboxMail(t.store.db, id);
      assert.deepEqual([mail?.state, mail?.reason], ['failed', `failed after 5 attempts: ${LEASE_RAN_OUT}`]);
      assert.deepEqual((await listAttempts(t.store.db, id)).map((a) => [a.ok, a.response]), [[false, LEASE_RAN_OUT], [false, LEASE_RAN_OUT]]);
    });

    test('markSent records its ok attempt only when it marked the row', async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'val@acme.example', subject: 'Marked twice' });
      const [claimed] = await claimDueMail(t.store, { limit: 1, owner: 'me', ids: r.created.mails });
      assert.equal(await markSent(t.store.db, claimed!, '250 Ok'), true);
      assert.equal(await markSent(t.store.db, claimed!, '250 Ok'), false, 'a second call matches no row');
      assert.equal((await listAttempts(t.store.db, claimed!.id)).length, 1);
    });

    test('the reply token alone threads a reply whose client dropped In-Reply-To and References', async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'hal@acme.example', subject: 'Token test' });
      const itemId = r.created.requests[0]!;
      await sender.sendDue({ ids: r.created.mails });
      const replyTo = (await getOutboxMail(t.store.db, r.created.mails[0]!))!.replyTo!;
      const reply = await deliver(p, { from: 'hal@acme.example', to: replyTo, subject: 'Token test', body: 'Any news?' });
      assert.equal(reply.outcome, 'commented');
      assert.equal(reply.trace.binding.layer, 'reply-token');
      assert.equal(reply.trace.binding.evidence, `the reply token in To <${replyTo}> names request ${itemId}`);
    });

    test('our own reply-token address in To or Cc never becomes a participant or a requester', async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'hal@acme.example', subject: 'Token participants' });
      const itemId = r.created.requests[0]!;
      const replyTo = (await getOutboxMail(t.store.db, r.created.mails[0]!))!.replyTo!;
      assert.match(replyTo, /^support\+t[a-z0-9]+@mailbind\.test$/);
      const reply = await deliver(p, { from: 'hal@acme.example', to: replyTo, cc: 'ivy@acme.example', subject: 'Token participants', body: 'More.' });
      assert.equal(reply.outcome, 'commented');
      assert.deepEqual((await getTracker(t.store.db, 'requests', itemId))?.participants, ['ivy@acme.example'], 'the Cc is a participant, our token address in To is not');

      // A stranger may not add to the item: the token binds nothing, the mail is new, and its Cc (our token) is no requester.
      const fresh = await deliver(p, { from: 'zed@elsewhere.example', to: 'support@mailbind.test', cc: replyTo.toUpperCase(), subject: 'Cc our token' });
      assert.equal(fresh.outcome, 'imported');
      const requesters = (await listTracker(t.store.db, 'requesters')).map((q) => q.email);
      assert.ok(requesters.includes('zed@elsewhere.example'));
      assert.deepEqual(requesters.filter((e) => e.startsWith('support')), [], 'no requester for our own address');
    });

    test('a forged reply token binds nothing and says why', async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'ida@acme.example', subject: 'Forgery target' });
      const itemId = r.created.requests[0]!;
      const real = makeReplyToken((await app.outgoing.replyTokenKey())!, itemId);
      const forged = real.slice(0, -1) + (real.endsWith('a') ? 'b' : 'a');
      const reply = await deliver(p, { from: 'ida@acme.example', to: `support+${forged}@mailbind.test`, subject: 'Forgery', body: 'hi' });
      assert.equal(reply.outcome, 'imported', 'new mail, not a comment');
      assert.ok(
        reply.trace.bindingRefused.some((why: string) => why === `the reply token in To <support+${forged}@mailbind.test> claims item ${itemId} but its signature is wrong (forged or mistyped)`),
        reply.trace.bindingRefused.join('; '),
      );
    });

    test("a rule's `reply with template` mails the profile's template about the item it created", async () => {
      const p = await profile({
        acknowledge: false,
        rules: "when subject contains 'invoice' then create request in project 1 and reply with template 'billing'\n" +
          "when subject contains 'attach only' then attach to project 1 and reply with template 'billing'\n" + RULES,
      });
      await saveTemplate(t.store.db, p, { name: 'billing', subject: 'About your invoice, {{requester.name}}', text: '{{item.kind}} {{item.id}}: {{item.title}} in {{project.name}}', html: '<b>{{item.title}}</b>' });
      const r = await deliver(p, { from: 'Jo <jo@acme.example>', subject: 'invoice <wrong>' });
      assert.ok(r.actions.includes("reply with template 'billing'"), r.actions.join('; '));
      const itemId = r.created.requests[0]!;
      const mail = await getOutboxMail(t.store.db, r.created.mails[0]!);
      assert.equal(mail?.kind, 'reply');
      assert.equal(mail?.subject, 'About your invoice, Jo');
      assert.equal(mail?.bodyText, `request ${itemId}: invoice <wrong> in General\n\n-- \nReference: Ticket#${itemId}\n`);
      assert.match(mail!.bodyHtml!, /^<b>invoice &lt;wrong&gt;<\/b>/);
      await sender.sendDue({ ids: r.created.mails });
      assert.equal((await getOutboxMail(t.store.db, mail!.id))?.state, 'sent');

      const none = await deliver(p, { from: 'jo@acme.example', subject: 'attach only please' });
      assert.deepEqual(none.created.mails, []);
      assert.ok(none.trace.warnings.some((w: string) => w.includes('the rule creates no item for the reply to be about')), none.trace.warnings.join('; '));
    });

    test('a rule naming a template the profile does not have records the reply as skipped', async () => {
      const p = await profile({ acknowledge: false, rules: "then create request in project 1 and reply with template 'gone'\n" });
      const r = await deliver(p, { from: 'kim@acme.example', subject: 'Hello' });
      const mail = await getOutboxMail(t.store.db, r.created.mails[0]!);
      assert.deepEqual([mail?.state, mail?.reason], ['skipped', "the profile has no template named 'gone'"]);
    });

    test('a stored template that no longer renders records the mail as skipped and the message is still processed', async () => {
      const p = await profile({ acknowledge: false, rules: "then create request in project 1 and reply with template 'broken'\n" });
      await saveTemplate(t.store.db, p, { name: 'broken', subject: 'About {{item.title}}', text: 'Hello', html: null });
      // Saving checks a template; one changed behind its back (an older version, the database edited) is not.
      await t.store.db.updateTable('reply_templates').set({ body_text: 'Hello {{item.number}}' }).where('profile_id', '=', p).execute();
      const r = await deliver(p, { from: 'ola@acme.example', subject: 'Broken template' });
      assert.equal(r.outcome, 'imported', 'the item is made');
      const mail = await getOutboxMail(t.store.db, r.created.mails[0]!);
      assert.equal(mail?.state, 'skipped');
      assert.match(mail!.reason!, /^the template 'broken' no longer renders: .*unknown placeholder \{\{item\.number\}\}/);
      assert.ok(r.trace.warnings.some((w: string) => w.startsWith(`reply about item ${r.created.requests[0]} not sent: the template 'broken' no longer renders`)), r.trace.warnings.join('; '));
    });

    test('an item is acknowledged once however often its plan is queued; our own addresses and automatic mail never get one', async () => {
      const p = await profile();
      const prepared = await decidedFor(p, { from: 'lee@acme.example', subject: 'Once' });
      const created = { ...emptyCreated(), messages: [1], items: [990001], requests: [990001] };
      const context = { profile: { id: p, smtp: (await getProfile(t.store.db, p)).smtp }, ownAddresses: ['support@mailbind.test'], allProfileAddresses: ['support@mailbind.test', 'sales@mailbind.test'], ownDomains: [OUR_DOMAIN], messageIdDomain: OUR_DOMAIN, replyTokenKey: null, publicUrl: null, projectName: () => 'General' };
      const { ids: first } = await queueMail(t.store.db, prepared.plan, prepared.message, created, null, context);
      const { ids: second } = await queueMail(t.store.db, prepared.plan, prepared.message, created, null, context);
      assert.equal((await getOutboxMail(t.store.db, first[0]!))?.state, 'pending');
      const again = await getOutboxMail(t.store.db, second[0]!);
      assert.deepEqual([again?.state, again?.reason], ['skipped', 'item 990001 was acknowledged already']);

      const ours = await decidedFor(p, { from: 'support@mailbind.test', subject: 'From ourselves' });
      const { ids: own } = await queueMail(t.store.db, ours.plan, ours.message, { ...created, items: [990002], requests: [990002] }, null, context);
      assert.equal((await getOutboxMail(t.store.db, own[0]!))?.reason, 'support@mailbind.test is one of our own addresses');
      // Another profile's mailbox, a plus-address of ours (a reply token), an address at our Message-ID domain.
      let next = 990010;
      for (const address of ['Sales@mailbind.test', 'support+tabc123@mailbind.test', `robot@${OUR_DOMAIN}`]) {
        const ours = await decidedFor(p, { from: address, subject: 'From one of ours' });
        const { ids: [id] } = await queueMail(t.store.db, ours.plan, ours.message, { ...created, items: [next], requests: [next++] }, null, context);
        assert.equal((await getOutboxMail(t.store.db, id!))?.reason, `${address.toLowerCase()} is one of our own addresses`);
      }

      const automatic = { ...prepared.plan, trace: { ...prepared.plan.trace, classification: { kind: 'auto-reply' as const, reason: 'Auto-Submitted: auto-replied' } } };
      await assert.rejects(queueMail(t.store.db, automatic, prepared.message, created, null, context), /refusing to answer automatic mail \(auto-reply\)/);
    });

    /** The plan processing would make for this message on profile `p`, without carrying it out. */
    async function decidedFor(p: number, spec: MessageSpec) {
      const stored = await getProfile(t.store.db, p);
      return prepareAndDecide(
        { raw: makeMessage(spec), receivedAt: new Date(), sink: discardingSink },
        new DecisionProfiles().of(stored),
        { tracker: new BuiltinTracker(t.store.db), ownDomains: app.ownDomains, outgoing: app.outgoing },
      );
    }

    test('two workers sending at once send each mail exactly once', async () => {
      const p = await profile();
      const queued: number[] = [];
      for (const who of ['nia', 'oto', 'pam', 'quy']) queued.push(...(await deliver(p, { from: `${who}@race.example`, subject: `Race ${who}` })).created.mails);
      const before = sink.mails.length;
      const other = new OutboxSender({ store: t.store, secrets: app.secrets(), loopMarker: OUR_DOMAIN, extras: { ca: sink.pki.caCert } });
      const [a, b] = await Promise.all([sender.sendDue({ ids: queued }), other.sendDue({ ids: queued })]);
      assert.equal(a.length + b.length, queued.length, 'each mail was claimed by one of them');
      // Which worker sends which mail is up to the scheduler; what must hold is exactly once.
      const sent = sink.mails.slice(before).map((m) => m.to[0]).sort();
      assert.deepEqual(sent, ['nia@race.example', 'oto@race.example', 'pam@race.example', 'quy@race.example'], 'every mail received once, none twice');
      for (const id of queued) {
        assert.equal((await getOutboxMail(t.store.db, id))?.state, 'sent');
        assert.deepEqual((await listAttempts(t.store.db, id)).map((x) => [x.ok, x.code]), [[true, 250]], `one attempt recorded for mail ${id}`);
      }
    });

    test("the service's sending loop sends what processing queued, and stops with its signal", async () => {
      const p = await profile();
      const r = await deliver(p, { from: 'max@acme.example', subject: 'Loop test' });
      const stop = new AbortController();
      const loop = runOutboxLoop(sender, { signal: stop.signal, idleMs: 20 });
      try {
        await waitFor(() => sink.mails.some((m) => m.to.includes('max@acme.example')), { what: 'the loop to send the acknowledgement' });
      } finally {
        stop.abort();
        await loop;
      }
      assert.equal((await getOutboxMail(t.store.db, r.created.mails[0]!))?.state, 'sent');
    });

    test('the installation keeps one reply token key, sealed', async () => {
      const rows = await sql<{ sealed: string }>`select sealed from installation_secrets`.execute(t.store.db);
      assert.equal(rows.rows.length, 1);
      assert.match(rows.rows[0]!.sealed, /^v1:/);
    });
  });
}
