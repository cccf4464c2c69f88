// A bounce of a mail we sent (issue 12, loop defence): ignored as every bounce is, and noted on the item
// the mail was about, with the recipient and the remote server's words; the outbox row is marked bounced.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dialects, type TestStore } from '../../support/store.js';
import { makeDsn, makeMessage } from '../../support/messages.js';
import { SmtpSink } from '../../support/smtp-sink.js';
import { OUR_DOMAIN, startOutgoingMail, type OutgoingMailRig } from '../../support/outgoing-mail.js';
import { createProfile } from '../../../src/store/profiles.js';
import { validateSettings } from '../../../src/sources/settings.js';
import { DEFAULT_THREADING } from '../../../src/store/threading-settings.js';
import { mergeSmtpSettings } from '../../../src/store/smtp-settings.js';
import { intakeMessage } from '../../../src/sources/intake.js';
import type { Processor, ProcessResult } from '../../../src/engine/process.js';
import type { OutboxSender } from '../../../src/engine/outbox/sender.js';
import type { App } from '../../../src/app/app.js';
import { retryMessage } from '../../../src/app/messages.js';
import { getInboxItem } from '../../../src/store/inbox.js';
import { getOutboxMail } from '../../../src/store/outbox.js';
import { installationSecret, REPLY_TOKEN_KEY } from '../../../src/store/installation-secrets.js';
import { checkBounceToken, makeBounceToken } from '../../../src/engine/outbox/reply-token.js';

const RULES = 'then attach to project 1 and create request in project 1\n';

for (const dialect of await dialects()) {
  describe(`bounces of our mail on ${dialect}`, () => {
    let t: TestStore;
    let app: App;
    let sink: SmtpSink;
    let processor: Processor;
    let sender: OutboxSender;
    let rig: OutgoingMailRig;
    let profileId: number;

    before(async () => {
      rig = await startOutgoingMail(dialect);
      ({ t, app, sink, processor, sender } = rig);
      const created = await createProfile(t.store.db, {
        name: `p-${randomBytes(4).toString('hex')}`,
        rules: RULES,
        source: validateSettings({ protocol: 'pipe', address: 'support@mailbind.test' }),
        threading: { ...DEFAULT_THREADING, acknowledge: true },
        smtp: mergeSmtpSettings(null, sink.settings({}), app.secrets()),
      });
      profileId = created.id;
    });
    after(() => rig.close());

    async function deliver(raw: Buffer): Promise<ProcessResult & { trace: any }> {
      const { item } = await intakeMessage(t.store, raw, { profileId });
      const [result] = await processor.processDue({ ids: [item.id] });
      assert.ok(result);
      return { ...result, trace: (await getInboxItem(t.store.db, item.id))?.trace };
    }

    const commentsOf = (itemId: number) =>
      t.store.db.selectFrom('comments').select(['body', 'kind', 'message_id', 'requester_id', 'user_id']).where('item_id', '=', itemId).execute();

    test('a DSN of our acknowledgement is ignored as a bounce and noted on its request with recipient and diagnostic', async () => {
      const request = await deliver(makeMessage({ from: 'Ann <ann@example.com>', subject: 'Export is broken' }));
      const itemId = request.created.requests[0]!;
      const [sent] = await sender.sendDue({ ids: request.created.mails });
      assert.equal(sent?.state, 'sent');
      const ours = (await getOutboxMail(t.store.db, request.created.mails[0]!))!.messageId;

      const bounce = await deliver(makeDsn({ originalMessageId: ours, recipient: 'ann@example.com' }));
      assert.equal(bounce.outcome, 'ignored');
      assert.match(bounce.reason ?? '', /^bounce: /);
      assert.equal(bounce.trace.bounce, `a bounce of our acknowledgement to ann@example.com, noted on request ${itemId}`);
      assert.equal(bounce.created.comments.length, 1);
      assert.deepEqual(bounce.created.requests, [], 'no item');
      assert.deepEqual(bounce.created.requesters, [], 'no requester');
      assert.deepEqual(bounce.created.mails, [], 'no acknowledgement of a bounce');

      assert.deepEqual(await commentsOf(itemId), [
        {
          body: 'acknowledgement to ann@example.com bounced: 550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown',
          kind: 'note',
          message_id: null,
          requester_id: null,
          user_id: null,
        },
      ]);
      const mail = await getOutboxMail(t.store.db, request.created.mails[0]!);
      assert.equal(mail?.state, 'bounced');
      assert.match(mail?.reason ?? '', /bounced: 550 5\.1\.1/);
    });

    test('a delay warning for our mail is ignored and noted nowhere: the mail may still arrive', async () => {
      const request = await deliver(makeMessage({ from: 'Cy <cy@example.com>', subject: 'Slow mailbox' }));
      const itemId = request.created.requests[0]!;
      await sender.sendDue({ ids: request.created.mails });
      const ours = (await getOutboxMail(t.store.db, request.created.mails[0]!))!.messageId;

      const warning = await deliver(makeDsn({ originalMessageId: ours, recipient: 'cy@example.com', action: 'delayed', status: '4.4.7', diagnostic: 'smtp; 451 4.4.7 try again later' }));
      assert.equal(warning.outcome, 'ignored');
      assert.match(warning.trace.bounce, /^a delay warning for our acknowledgement to cy@example\.com \(delayed\): not noted/);
      assert.deepEqual(await commentsOf(itemId), []);
      assert.equal((await getOutboxMail(t.store.db, request.created.mails[0]!))?.state, 'sent');
    });

    test('a bounce processed again (retried) does not note it twice', async () => {
      const request = await deliver(makeMessage({ from: 'Dee <dee@example.com>', subject: 'Twice' }));
      const itemId = request.created.requests[0]!;
      await sender.sendDue({ ids: request.created.mails });
      const ours = (await getOutboxMail(t.store.db, request.created.mails[0]!))!.messageId;
      const bounce = await deliver(makeDsn({ originalMessageId: ours, recipient: 'dee@example.com' }));
      assert.equal((await commentsOf(itemId)).length, 1);
      const again = await retryMessage(app, bounce.itemId);
      assert.equal(again.outcome, 'ignored');
      assert.equal((await commentsOf(itemId)).length, 1, 'the same note is not written again');
    });

    test('our mail goes out with a VERP envelope sender support+b<token>@ naming its outbox row; the From header is unchanged', async () => {
      const request = await deliver(makeMessage({ from: 'Eve <eve@example.com>', subject: 'Envelope' }));
      const before = sink.mails.length;
      await sender.sendDue({ ids: request.created.mails });
      const received = sink.mails[before]!;
      const match = /^support\+(b[a-z2-7]+)@mailbind\.test$/.exec(received.from);
      assert.ok(match, `MAIL FROM:<${received.from}>`);
      const key = await installationSecret(t.store.db, app.secrets(), REPLY_TOKEN_KEY);
      assert.deepEqual(checkBounceToken(key, match[1]!), { kind: 'valid', outboxId: request.created.mails[0]! });
      assert.deepEqual(received.to, ['eve@example.com']);
      assert.match(received.raw, /^From: .*<?support@mailbind\.test>?\r?$/m);
    });

    test('a DSN with no Message-ID at all is noted on its request, found by the return address it was sent to', async () => {
      const request = await deliver(makeMessage({ from: 'Fay <fay@example.com>', subject: 'No headers come back' }));
      const itemId = request.created.requests[0]!;
      const before = sink.mails.length;
      await sender.sendDue({ ids: request.created.mails });
      const returnPath = sink.mails[before]!.from;

      const bounce = await deliver(makeDsn({ originalMessageId: null, recipient: 'fay@example.com', to: returnPath }));
      assert.equal(bounce.outcome, 'ignored');
      assert.equal(bounce.trace.bounce, `a bounce of our acknowledgement to fay@example.com, found by its return address, noted on request ${itemId}`);
      assert.deepEqual(
        (await commentsOf(itemId)).map((c) => c.body),
        ['acknowledgement to fay@example.com bounced: 550 5.1.1 <fay@example.com>: Recipient address rejected: User unknown'],
      );
      assert.equal((await getOutboxMail(t.store.db, request.created.mails[0]!))?.state, 'bounced');
    });

    test('a DSN to a forged return-path token notes nothing', async () => {
      const request = await deliver(makeMessage({ from: 'Gus <gus@example.com>', subject: 'Forged' }));
      const itemId = request.created.requests[0]!;
      await sender.sendDue({ ids: request.created.mails });
      const forged = makeBounceToken(randomBytes(32), request.created.mails[0]!);

      const bounce = await deliver(makeDsn({ originalMessageId: null, recipient: 'gus@example.com', to: `support+${forged}@mailbind.test` }));
      assert.equal(bounce.outcome, 'ignored');
      assert.equal(bounce.trace.bounce, undefined);
      assert.deepEqual(await commentsOf(itemId), []);
      assert.equal((await getOutboxMail(t.store.db, request.created.mails[0]!))?.state, 'sent');
    });

    test('a DSN of a Message-ID we never sent is ignored as before, with no note anywhere', async () => {
      const request = await deliver(makeMessage({ from: 'bea@example.com', subject: 'Printer on fire' }));
      const itemId = request.created.requests[0]!;
      const before = await t.store.db.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();

      const bounce = await deliver(makeDsn({ originalMessageId: `never-${randomBytes(4).toString('hex')}@elsewhere.example`, recipient: 'bea@example.com' }));
      assert.equal(bounce.outcome, 'ignored');
      assert.match(bounce.reason ?? '', /^bounce: /);
      assert.equal(bounce.trace.bounce, undefined);
      assert.deepEqual(bounce.created.comments, []);
      assert.deepEqual(await commentsOf(itemId), []);
      const after = await t.store.db.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
    });
  });
}
