// A bad link: a proxy that cuts every connection after ~1 MB, between the sources and a real Dovecot.
// Repeated polls must bring a whole mailbox in, each message once, processed and acknowledged, over IMAP
// and over POP3: every poll keeps what it stored (the IMAP cursor is committed per batch, each batch is
// processed at once), so even a poll that dies turns its share into work.
//
// The default suite uses a small mailbox; `npm run test:faults` runs 1,000 messages
// (MAILBIND_FAULT_MESSAGES). Figures (bytes per poll, polls, duration) are printed as diagnostics.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { openTestStore, type TestStore } from '../support/store.js';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { ImapSource } from '../../src/sources/imap/index.js';
import { Pop3Source } from '../../src/sources/pop3/source.js';
import { countByOutcome, listInboxItems } from '../../src/store/inbox.js';
import type { MailSource } from '../../src/sources/source.js';
import { context, newProfile, serverMessages, settingsFor, sourceOptions, users } from './imap/helpers.js';

const skip = dovecotSkip();
const COUNT = Number(process.env.MAILBIND_FAULT_MESSAGES ?? 250);
const CUT_BYTES = 1_000_000;
const MESSAGE_BYTES = 10_000;

describe(`a link that drops every ~1 MB, ${COUNT} messages`, { skip }, () => {
  let dc: Dovecot;
  let ts: TestStore;
  const proxies: TcpProxy[] = [];
  before(async () => {
    [dc, ts] = await Promise.all([startDovecot({ users: users('b', 2) }), openTestStore('sqlite')]);
    for (const user of ['b1', 'b2']) {
      for (let i = 0; i < COUNT; i++) {
        // Text of ~10 KB, different in every message.
        const body = Array.from({ length: MESSAGE_BYTES / 100 }, () => randomBytes(73).toString('base64')).join('\r\n');
        await dc.deliver(user, makeMessage({ subject: `message ${i + 1}`, body }));
      }
    }
  });
  after(async () => {
    await Promise.all([...proxies.map((p) => p.close()), dc?.stop(), ts?.cleanup()]);
  });

  async function untilDone(source: MailSource, user: string, protocol: 'imap' | 'pop3', targetPort: number) {
    const proxy = await startProxy({ targetPort });
    proxies.push(proxy);
    const profile = await newProfile(ts.store);
    const processor = processorFor(ts.store);
    const settings = settingsFor(dc, user, {
      protocol, tls: 'none', port: proxy.port,
      // IMAP marks what is done seen; POP3 leaves it (its only other action is delete).
      ...(protocol === 'imap' ? { afterImport: { kind: 'seen' as const }, afterOther: { kind: 'seen' as const } } : {}),
    });
    const perPoll: number[] = [];
    let failedPolls = 0;
    const started = Date.now();
    const bound = Math.ceil((COUNT * MESSAGE_BYTES) / (CUT_BYTES / 4)) + 10;
    proxy.cutAfterBytes(CUT_BYTES);
    for (let poll = 1; ; poll++) {
      assert.ok(poll <= bound, `not complete after ${bound} polls: ${JSON.stringify(await countByOutcome(ts.store.db, profile.id))}`);
      const before = proxy.bytesToClient;
      const before_ = (await listInboxItems(ts.store.db, { profileId: profile.id })).length;
      const ok = await source.poll(context(ts.store, profile, settings, {
        afterIntake: async () => void (await processor.processDue({ profileId: profile.id })),
      })).then(() => true, () => false);
      perPoll.push(proxy.bytesToClient - before);
      const items = await listInboxItems(ts.store.db, { profileId: profile.id });
      // Whatever a poll stored, even one that died, was processed in it: nothing waits for a whole intake.
      assert.deepEqual(items.filter((i) => i.outcome === null).map((i) => i.id), [], `poll ${poll} left items unprocessed`);
      if (!ok) {
        failedPolls++;
        assert.ok(items.length > before_ || poll === 1, `poll ${poll} failed without progress`);
        continue;
      }
      if (items.length === COUNT && items.every((i) => i.ackState === 'done')) break;
    }
    const items = await listInboxItems(ts.store.db, { profileId: profile.id });
    assert.equal(new Set(items.map((i) => i.subject)).size, COUNT, 'each message once');
    assert.equal(items.length, COUNT);
    const seconds = (Date.now() - started) / 1000;
    const total = perPoll.reduce((a, b) => a + b, 0);
    const figures = { protocol, messages: COUNT, polls: perPoll.length, failedPolls, totalBytes: total,
      bytesPerPoll: perPoll, overhead: +(total / (COUNT * MESSAGE_BYTES)).toFixed(2), seconds };
    console.log(`# bad link: ${JSON.stringify(figures)}`);
    return { profile, figures };
  }

  test('IMAP: repeated polls complete the mailbox, resuming where each one stopped', async () => {
    const { figures } = await untilDone(new ImapSource(sourceOptions(dc)), 'b1', 'imap', dc.ports.imap);
    // Resuming, not re-listing or re-downloading: all the polls together move little more than the mail.
    assert.ok(figures.overhead < 1.6, `moved ${figures.overhead}× the mail`);
    assert.ok((await serverMessages(dc, 'b1')).every((m) => m.flags.includes('\\Seen')), 'every message acknowledged');
  });

  test('POP3: repeated polls complete the mailbox', async () => {
    const { figures } = await untilDone(new Pop3Source({ ca: dc.caCert, timeoutMs: 5000 }), 'b2', 'pop3', dc.ports.pop3);
    assert.ok(figures.overhead < 1.6, `moved ${figures.overhead}× the mail`);
  });
});
