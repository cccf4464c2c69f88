// ImapWatcher against Dovecot: IDLE notifies promptly, reconnects after a cut, backs off while the
// server is unreachable, and stop() logs out.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { freePort } from '../../support/ports.js';
import { startProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { makeMessage } from '../../support/messages.js';
import { ImapWatcher, type NewMailReason } from '../../../src/sources/imap/index.js';
import { settingsFor, sourceOptions, users } from './helpers.js';

const skip = dovecotSkip();

/** Resolves with the next onNewMail reason. */
function recorder() {
  const waiting: Array<(reason: NewMailReason) => void> = [];
  const seen: NewMailReason[] = [];
  return {
    seen,
    onNewMail(reason: NewMailReason) {
      seen.push(reason);
      waiting.shift()?.(reason);
    },
    next(timeoutMs: number): Promise<NewMailReason> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no onNewMail within ${timeoutMs} ms`)), timeoutMs);
        waiting.push((reason) => {
          clearTimeout(timer);
          resolve(reason);
        });
      });
    },
  };
}

describe('ImapWatcher against Dovecot', { skip }, () => {
  let dc: Dovecot;
  let proxy: TcpProxy;
  before(async () => {
    dc = await startDovecot({ users: users('w', 3) });
    proxy = await startProxy({ targetPort: dc.ports.imap });
  });
  after(async () => {
    await Promise.all([proxy?.close(), dc?.stop()]);
  });

  test('new mail delivered while watching calls onNewMail within 2 s; stop() logs out', async () => {
    const mail = recorder();
    const watcher = new ImapWatcher({ ...sourceOptions(dc), settings: settingsFor(dc, 'w1'), onNewMail: mail.onNewMail });
    const connected = mail.next(5000);
    watcher.start();
    assert.equal(await connected, 'connected');
    assert.ok(watcher.watching);
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const next = mail.next(2000);
      await dc.deliver('w1', makeMessage({ subject: `new ${i}` }));
      assert.equal(await next, 'exists');
      assert.ok(Date.now() - started < 2000);
    }
    await watcher.stop();
    assert.equal(watcher.watching, false);
    let log = '';
    for (let i = 0; i < 50 && !/imap\(w1\).*Disconnected: Logged out/.test(log); i++) {
      await new Promise((r) => setTimeout(r, 20));
      log = await dc.log();
    }
    assert.match(log, /imap\(w1\).*Disconnected: Logged out/);
  });

  test('reconnects after the connection is cut, and notices mail again', async () => {
    const mail = recorder();
    const watcher = new ImapWatcher({
      ...sourceOptions(dc), settings: settingsFor(dc, 'w2', { tls: 'none', port: proxy.port }), onNewMail: mail.onNewMail,
    });
    const connected = mail.next(5000);
    watcher.start();
    try {
      assert.equal(await connected, 'connected');
      const disconnected = once(watcher, 'disconnected');
      const reconnected = mail.next(3000);
      const cutAt = Date.now();
      proxy.cutAfterBytes(0);
      proxy.passThrough();
      await disconnected;
      assert.equal(await reconnected, 'connected');
      const after = Date.now() - cutAt;
      assert.ok(after >= 900 && after < 2500, `reconnected ${after} ms after the cut (first retry waits 1 s)`);
      const next = mail.next(2000);
      await dc.deliver('w2', makeMessage({ subject: 'after the cut' }));
      assert.equal(await next, 'exists');
    } finally {
      await watcher.stop();
    }
    const accepted = proxy.accepted;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(proxy.accepted, accepted, 'no reconnect after stop()');
  });

  test('backs off while the server is unreachable: delays double up to the maximum', async () => {
    const port = await freePort();
    const times: number[] = [];
    const watcher = new ImapWatcher({
      ...sourceOptions(dc), settings: settingsFor(dc, 'w3', { tls: 'none', port }), onNewMail: () => undefined,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    watcher.on('disconnected', () => times.push(Date.now()));
    watcher.start();
    while (times.length < 6) await once(watcher, 'disconnected');
    await watcher.stop();
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const expected = [50, 100, 200, 200, 200];
    gaps.slice(0, 5).forEach((gap, i) => assert.ok(gap >= expected[i]! - 5 && gap < expected[i]! + 150, `gaps ${gaps.join(', ')}`));
  });
});
