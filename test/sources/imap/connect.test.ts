// How the IMAP source connects (TLS modes, certificates, logins) and what Check Connection says about
// each failure, against real Dovecots (plus one fake server that lacks STARTTLS).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { freePort } from '../../support/ports.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { makeMessage } from '../../support/messages.js';
import { ImapSource, ImapSourceError, imapCheckSteps, type ImapCheckResult } from '../../../src/sources/imap/index.js';
import type { ResolvedSettings } from '../../../src/sources/settings.js';
import { context, newProfile, settingsFor, sourceOptions, users } from './helpers.js';

const skip = dovecotSkip();

function stepsOf(result: ImapCheckResult): string[] {
  return result.steps.map((s) => `${s.step}:${s.ok ? 'ok' : 'FAIL'}`);
}

describe('IMAP connections and Check Connection', { skip }, () => {
  let dc: Dovecot;
  let strict: Dovecot;
  let expired: Dovecot;
  let ts: TestStore;
  before(async () => {
    [dc, strict, expired, ts] = await Promise.all([
      startDovecot({ users: users('c', 10) }),
      startDovecot({ users: users('s', 3), disablePlaintextAuth: true }),
      startDovecot({ users: users('e', 1), expiredCert: true }),
      openTestStore('sqlite'),
    ]);
  });
  after(async () => {
    await Promise.all([dc?.stop(), strict?.stop(), expired?.stop(), ts?.cleanup()]);
  });

  const poll = async (settings: ResolvedSettings, options = sourceOptions(dc)) =>
    new ImapSource(options).poll(context(ts.store, await newProfile(ts.store), settings));

  test('polls with tls none, starttls and tls; only none stays in clear', async () => {
    const modes = [['c1', 'none'], ['c2', 'starttls'], ['c3', 'tls']] as const;
    for (const [user, tls] of modes) {
      await dc.deliver(user, makeMessage({ subject: tls }));
      const report = await poll(settingsFor(dc, user, { tls }));
      assert.equal(report.stored, 1, tls);
    }
    const log = await dc.log();
    const login = (user: string) => log.split('\n').find((l) => l.includes(`Login: user=<${user}>`)) ?? '';
    assert.doesNotMatch(login('c1'), /\bTLS\b/);
    assert.match(login('c2'), /\bTLS\b/);
    assert.match(login('c3'), /\bTLS\b/);
  });

  test('check passes with every step, in protocol order', async () => {
    await dc.deliver('c4', makeMessage());
    const tls = await imapCheckSteps(settingsFor(dc, 'c4', { tls: 'tls' }), sourceOptions(dc));
    assert.ok(tls.ok, tls.message);
    assert.deepEqual(stepsOf(tls), ['tcp:ok', 'tls:ok', 'greeting:ok', 'capabilities:ok', 'auth:ok', 'folder:ok']);
    assert.match(tls.steps[1]!.message, /TLSv1\.[23] .*verified/);
    assert.match(tls.message, /folder 'INBOX' has 1 message \(UIDVALIDITY \d+\)/);
    const starttls = await imapCheckSteps(settingsFor(dc, 'c4', { tls: 'starttls' }), sourceOptions(dc));
    assert.deepEqual(stepsOf(starttls), ['tcp:ok', 'greeting:ok', 'capabilities:ok', 'tls:ok', 'auth:ok', 'folder:ok']);
    assert.match(starttls.steps[3]!.message, /^STARTTLS: TLSv1/);
    const none = await imapCheckSteps(settingsFor(dc, 'c4', { tls: 'none' }), sourceOptions(dc));
    assert.deepEqual(stepsOf(none), ['tcp:ok', 'greeting:ok', 'capabilities:ok', 'auth:ok', 'folder:ok']);
    const seen: string[] = [];
    await imapCheckSteps(settingsFor(dc, 'c4'), sourceOptions(dc), (s) => seen.push(s.step));
    assert.deepEqual(seen, ['tcp', 'tls', 'greeting', 'capabilities', 'auth', 'folder']);
  });

  test('wrong password', async () => {
    const settings = settingsFor(dc, 'c5', { password: 'wrong' });
    await assert.rejects(poll(settings), (err: ImapSourceError) => {
      assert.equal(err.step, 'auth');
      assert.match(err.message, /^the server refused the login or password/);
      return true;
    });
    const check = await imapCheckSteps(settings, sourceOptions(dc));
    assert.deepEqual(stepsOf(check), ['tcp:ok', 'tls:ok', 'greeting:ok', 'capabilities:ok', 'auth:FAIL']);
    assert.match(check.message, /^the server refused the login or password/);
  });

  test('a self-signed certificate is refused without its CA, accepted with allowInvalidCertificate', async () => {
    const noCa = sourceOptions(dc, { tlsOptions: {} });
    for (const tls of ['tls', 'starttls'] as const) {
      const settings = settingsFor(dc, 'c6', { tls });
      await assert.rejects(poll(settings, noCa), /self-signed .*install its CA or set allowInvalidCertificate/);
      const check = await imapCheckSteps(settings, noCa);
      assert.equal(check.steps.at(-1)!.step, 'tls');
      assert.match(check.message, /certificate is self-signed .*install its CA or set allowInvalidCertificate/);
    }
    await dc.deliver('c6', makeMessage());
    const lax = settingsFor(dc, 'c6', { allowInvalidCertificate: true });
    assert.equal((await poll(lax, noCa)).stored, 1);
    const check = await imapCheckSteps(lax, noCa);
    assert.ok(check.ok);
    assert.match(check.steps[1]!.message, /NOT verified .*accepted because allowInvalidCertificate is set/);
  });

  test('an expired certificate is refused, saying so', async () => {
    const settings = settingsFor(expired, 'e1');
    const check = await imapCheckSteps(settings, sourceOptions(expired));
    assert.deepEqual(stepsOf(check), ['tcp:ok', 'tls:FAIL']);
    assert.match(check.message, /^the server's certificate has expired/);
    await assert.rejects(poll(settings, sourceOptions(expired)), /certificate has expired/);
  });

  test('a certificate for another host name is refused, naming the name', async () => {
    const options = sourceOptions(dc, { tlsOptions: { ca: dc.caCert, servername: 'imap.wrong.example' } });
    const check = await imapCheckSteps(settingsFor(dc, 'c7'), options);
    assert.equal(check.steps.at(-1)!.step, 'tls');
    assert.match(check.message, /not valid for imap\.wrong\.example \(host name mismatch\)/);
    await assert.rejects(poll(settingsFor(dc, 'c7'), options), /not valid for imap\.wrong\.example/);
  });

  test('TLS required by the server but tls none: refused before any password is sent', async () => {
    const options = sourceOptions(strict, { tlsOptions: { ca: strict.caCert, localAddress: '127.0.0.5' } });
    const plain = settingsFor(strict, 's1', { tls: 'none' });
    await assert.rejects(poll(plain, options), /requires TLS before login .*LOGINDISABLED/);
    const check = await imapCheckSteps(plain, options);
    assert.deepEqual(stepsOf(check), ['tcp:ok', 'greeting:ok', 'capabilities:ok', 'auth:FAIL']);
    assert.match(check.steps[0]!.message, /from 127\.0\.0\.5/);
    assert.match(check.message, /choose TLS or STARTTLS/);
    assert.doesNotMatch(await strict.log(), /auth failed/);

    await strict.deliver('s1', makeMessage());
    assert.equal((await poll(settingsFor(strict, 's1', { tls: 'starttls' }), options)).stored, 1);
  });

  test('folder missing, connection refused, TLS on a plain port, plain on the TLS port', async () => {
    const missing = await imapCheckSteps(settingsFor(dc, 'c8', { folder: 'Nope' }), sourceOptions(dc));
    assert.equal(missing.steps.at(-1)!.step, 'folder');
    assert.equal(missing.message, "folder 'Nope' does not exist");
    await assert.rejects(poll(settingsFor(dc, 'c8', { folder: 'Nope' })), /^ImapSourceError: folder 'Nope' does not exist$/);

    const port = await freePort();
    const refused = await imapCheckSteps(settingsFor(dc, 'c8', { port }), sourceOptions(dc));
    assert.deepEqual(stepsOf(refused), ['tcp:FAIL']);
    assert.equal(refused.message, `nothing accepts connections on 127.0.0.1:${port} (connection refused): check the host and port`);
    await assert.rejects(poll(settingsFor(dc, 'c8', { port })), new RegExp(`127\\.0\\.0\\.1:${port} \\(connection refused\\)`));

    const tlsOnPlain = settingsFor(dc, 'c8', { tls: 'tls', port: dc.ports.imap });
    const wrongTls = await imapCheckSteps(tlsOnPlain, sourceOptions(dc));
    assert.deepEqual(stepsOf(wrongTls), ['tcp:ok', 'tls:FAIL']);
    assert.match(wrongTls.message, /does not speak TLS/);
    await assert.rejects(poll(tlsOnPlain), /does not speak TLS/);

    const plainOnTls = settingsFor(dc, 'c8', { tls: 'none', port: dc.ports.imaps });
    const quick = sourceOptions(dc, { connectTimeoutMs: 500 });
    const silent = await imapCheckSteps(plainOnTls, quick);
    assert.deepEqual(stepsOf(silent), ['tcp:ok', 'greeting:FAIL']);
    assert.match(silent.message, /sent no IMAP greeting within 500 ms; if this is the TLS port \(993\), choose TLS/);
    await assert.rejects(poll(plainOnTls, quick), /sent no IMAP greeting/);
  });

  test('starttls against a server without STARTTLS fails instead of continuing in clear', async () => {
    const fake = net.createServer((socket) => {
      socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake server ready\r\n');
      socket.on('data', (data) => {
        for (const line of data.toString('latin1').split('\r\n').filter(Boolean)) {
          const [tag, verb] = line.split(' ');
          if (verb?.toUpperCase() === 'CAPABILITY') socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
          else if (verb?.toUpperCase() === 'LOGOUT') socket.end(`* BYE\r\n${tag} OK bye\r\n`);
          else socket.write(`${tag} BAD not here\r\n`);
        }
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const settings = settingsFor(dc, 'c9', { tls: 'starttls', port: (fake.address() as net.AddressInfo).port });
      const check = await imapCheckSteps(settings, sourceOptions(dc));
      assert.deepEqual(stepsOf(check), ['tcp:ok', 'greeting:ok', 'capabilities:ok', 'tls:FAIL']);
      assert.match(check.message, /does not offer STARTTLS/);
      await assert.rejects(poll(settings), /does not offer STARTTLS/);
    } finally {
      fake.close();
    }
  });
});
