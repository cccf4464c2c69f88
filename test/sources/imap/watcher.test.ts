// ImapWatcher against Dovecot: IDLE notifies of new mail, reconnects after a cut, backs off while the
// server is unreachable, and stop() logs out.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { freePort } from '../../support/ports.js';
import { startProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { makeMessage } from '../../support/messages.js';
import { memoryLog } from '../../support/memory-log.js';
import { waitFor } from '../../support/wait.js';
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

  test('new mail delivered while watching calls onNewMail (exists); stop() logs out', async () => {
    const mail = recorder();
    const watcher = new ImapWatcher({ ...sourceOptions(dc), settings: settingsFor(dc, 'w1'), onNewMail: mail.onNewMail });
    const connected = mail.next(10_000);
    watcher.start();
    assert.equal(await connected, 'connected');
    assert.ok(watcher.watching);
    // The watcher never polls: an 'exists' can only come from the server announcing the message.
    for (let i = 0; i < 2; i++) {
      const next = mail.next(10_000);
      await dc.deliver('w1', makeMessage({ subject: `new ${i}` }));
      assert.equal(await next, 'exists');
    }
    await watcher.stop();
    assert.equal(watcher.watching, false);
    // Dovecot writes the logout to its log a moment after the connection closes.
    await waitFor(async () => /imap\(w1\).*Disconnected: Logged out/.test(await dc.log()), {
      what: async () => `Dovecot to log the logout of w1; its log ends:\n${(await dc.log()).split('\n').slice(-10).join('\n')}`,
    });
  });

  test('reconnects after the connection is cut, and notices mail again', async () => {
    const mail = recorder();
    const watcher = new ImapWatcher({
      ...sourceOptions(dc), settings: settingsFor(dc, 'w2', { tls: 'none', port: proxy.port }), onNewMail: mail.onNewMail,
    });
    const connected = mail.next(10_000);
    watcher.start();
    try {
      assert.equal(await connected, 'connected');
      const disconnected = once(watcher, 'disconnected');
      const reconnected = mail.next(10_000);
      const cutAt = Date.now();
      proxy.cutAfterBytes(0);
      proxy.passThrough();
      await disconnected;
      assert.equal(await reconnected, 'connected');
      // A lower bound only: the retry waited its 1 s (a loaded machine can only make it later).
      const after = Date.now() - cutAt;
      assert.ok(after >= 900, `reconnected ${after} ms after the cut (first retry waits 1 s)`);
      const next = mail.next(10_000);
      await dc.deliver('w2', makeMessage({ subject: 'after the cut' }));
      assert.equal(await next, 'exists');
    } finally {
      await watcher.stop();
    }
    const accepted = proxy.accepted;
    // Not a wait for an event: watching for one that must not happen. A reconnect would come after the
    // 1 s retry delay, so watch for longer than that.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(proxy.accepted, accepted, 'no reconnect after stop()');
  });

  test('backs off while the server is unreachable: delays double up to the maximum', async () => {
    const port = await freePort();
    const times: number[] = [];
    const log = memoryLog();
    const watcher = new ImapWatcher({
      ...sourceOptions(dc), settings: settingsFor(dc, 'w3', { tls: 'none', port }), onNewMail: () => undefined,
      backoff: { initialMs: 50, maxMs: 200 }, logger: log.logger,
    });
    watcher.on('disconnected', () => times.push(Date.now()));
    watcher.start();
    while (times.length < 6) await once(watcher, 'disconnected');
    await watcher.stop();
    // The delays the watcher chose, as it logs them with each failed attempt: doubling, then capped.
    const delays = log.find('IMAP watcher could not connect').map((r) => r.retryInMs as number);
    assert.deepEqual(delays.slice(0, 6), [50, 100, 200, 200, 200, 200]);
    // And it really waited them between attempts (lower bounds only: a loaded machine can only add to them).
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    gaps.slice(0, 5).forEach((gap, i) => assert.ok(gap >= delays[i]! - 5, `gaps ${gaps.join(', ')}`));
  });
});
