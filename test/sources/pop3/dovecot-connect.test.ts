// Connecting to a real Dovecot: the three TLS modes, certificate refusals, login failures, "TLS required",
// and the step-by-step report used by Check Connection.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { connectSteps, describePop3Error, Pop3Client, Pop3Error } from '../../../src/sources/pop3/index.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { freePort } from '../../support/ports.js';
import { aliceOptions } from './helpers.js';

/** Asserts `promise` rejects with a Pop3Error and returns it. */
async function pop3Failure(promise: Promise<unknown>): Promise<Pop3Error> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Pop3Error, `expected a Pop3Error, got ${inspect(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

const HELLO = 'Subject: hello\r\n\r\nhi\r\n';
const SIZE = Buffer.byteLength(HELLO);

describe('POP3 against Dovecot: connecting', { skip: dovecotSkip() }, () => {
  let dc: Dovecot; // disable_plaintext_auth = yes (127.0.0.1 still counts as secure)
  let expired: Dovecot; // serves an expired certificate
  before(async () => {
    [dc, expired] = await Promise.all([startDovecot({ disablePlaintextAuth: true }), startDovecot({ expiredCert: true })]);
    await dc.deliver('alice', HELLO);
  });
  after(() => Promise.all([dc?.stop(), expired?.stop()]));

  for (const tls of ['none', 'starttls', 'tls'] as const) {
    test(`tls: '${tls}' logs in and reads the mailbox`, async () => {
      const client = await Pop3Client.connect(aliceOptions(dc, tls));
      assert.match(client.greeting, /Dovecot/);
      assert.equal(client.authMechanism, 'PLAIN', 'AUTH PLAIN when SASL PLAIN is advertised');
      assert.deepEqual(await client.stat(), { count: 1, size: SIZE });
      if (tls === 'none') {
        assert.equal(client.tls, undefined);
        assert.ok(client.capabilities.includes('STLS'));
      } else {
        assert.equal(client.tls?.authorized, true);
        assert.match(client.tls?.protocol ?? '', /^TLSv1\.[23]$/);
        assert.equal(client.tls?.subject, 'localhost');
        // After STLS the capabilities are re-read over TLS (RFC 2595): STLS is no longer offered.
        assert.ok(!client.capabilities.includes('STLS'));
      }
      await client.quit();
    });
  }

  for (const tls of ['starttls', 'tls'] as const) {
    test(`${tls}: a certificate from an untrusted CA is refused unless allowInvalidCertificate`, async () => {
      const err = await pop3Failure(Pop3Client.connect(aliceOptions(dc, tls, { ca: undefined })));
      assert.equal(err.step, 'tls');
      assert.equal(err.code, 'SELF_SIGNED_CERT_IN_CHAIN');
      assert.match(describePop3Error(err), /self-signed.*not trusted/);

      const client = await Pop3Client.connect(aliceOptions(dc, tls, { ca: undefined, allowInvalidCertificate: true }));
      assert.equal(client.tls?.authorized, false);
      assert.match(client.tls?.authorizationError ?? '', /SELF_SIGNED_CERT_IN_CHAIN/);
      await client.quit();
    });
  }

  test('a certificate for another host name is refused and named', async () => {
    const opts = aliceOptions(dc, 'tls', { servername: 'wrong.example' });
    const err = await pop3Failure(Pop3Client.connect(opts));
    assert.equal(err.step, 'tls');
    assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.match(describePop3Error(err, opts), /not valid for wrong\.example \(wrong host name\)/);
    // The host name it was issued for is accepted.
    const client = await Pop3Client.connect(aliceOptions(dc, 'tls', { host: 'localhost', servername: 'localhost' }));
    await client.quit();
  });

  test('an expired certificate is refused and named', async () => {
    const err = await pop3Failure(Pop3Client.connect(aliceOptions(expired, 'tls')));
    assert.equal(err.step, 'tls');
    assert.equal(err.code, 'CERT_HAS_EXPIRED');
    assert.match(describePop3Error(err), /certificate has expired/);
  });

  test('a wrong password fails at step auth and never shows the password', async () => {
    const password = 'Sup3r-Secret-Pa55';
    const err = await pop3Failure(Pop3Client.connect(aliceOptions(dc, 'tls', { password })));
    assert.equal(err.step, 'auth');
    assert.equal(err.responseCode, 'AUTH');
    assert.match(err.serverText ?? '', /Authentication failed/);
    assert.equal(describePop3Error(err), 'the server refused the login or password (server: "[AUTH] Authentication failed.")');
    const blob = Buffer.from(`\0alice\0${password}`).toString('base64');
    for (const shown of [err.message, inspect(err, { depth: 5 }), JSON.stringify(err), String(err.stack)]) {
      assert.ok(!shown.includes(password) && !shown.includes(blob), `password leaked in: ${shown}`);
    }
    const report = await connectSteps(aliceOptions(dc, 'tls', { password }));
    assert.ok(!JSON.stringify(report.steps.map((s) => s.message)).includes(password));
  });

  test('TLS required: a plain login from a non-local address is refused with a clear message', async () => {
    // Dovecot trusts 127.0.0.1→127.0.0.1; from 127.0.0.5 the connection is "insecure" (stack.md §12.3).
    const plain = aliceOptions(dc, 'none', { localAddress: '127.0.0.5' });
    const err = await pop3Failure(Pop3Client.connect(plain));
    assert.equal(err.step, 'auth');
    assert.match(err.serverText ?? '', /Plaintext authentication disallowed/);
    assert.match(describePop3Error(err), /^the server requires TLS before login: choose TLS or STARTTLS/);
    // The same address with STARTTLS works.
    const client = await Pop3Client.connect(aliceOptions(dc, 'starttls', { localAddress: '127.0.0.5' }));
    assert.equal(client.tls?.authorized, true);
    await client.quit();
  });

  test('STARTTLS against the TLS port times out at the greeting with a hint', async () => {
    const opts = aliceOptions(dc, 'starttls', { port: dc.ports.pop3s, timeoutMs: 400 });
    const err = await pop3Failure(Pop3Client.connect(opts));
    assert.equal(err.step, 'timeout');
    assert.equal(err.during, 'greeting');
    assert.match(describePop3Error(err, opts), /choose TLS instead of STARTTLS/);
  });

  test('TLS against the plain port is named', async () => {
    const err = await pop3Failure(Pop3Client.connect(aliceOptions(dc, 'tls', { port: dc.ports.pop3 })));
    assert.equal(err.step, 'tls');
    assert.match(describePop3Error(err), /does not speak TLS on this port/);
  });

  describe('connectSteps (Check Connection)', () => {
    test('reports every step in order, with times and messages, for each TLS mode', async () => {
      const expected = {
        none: ['tcp', 'greeting', 'capabilities', 'auth', 'stat'],
        starttls: ['tcp', 'greeting', 'capabilities', 'tls', 'auth', 'stat'],
        tls: ['tcp', 'tls', 'greeting', 'capabilities', 'auth', 'stat'],
      };
      for (const tls of ['none', 'starttls', 'tls'] as const) {
        const heard: string[] = [];
        const result = await connectSteps(aliceOptions(dc, tls), (s) => heard.push(s.step));
        assert.equal(result.ok, true, result.message);
        assert.deepEqual(result.steps.map((s) => s.step), expected[tls]);
        assert.deepEqual(heard, expected[tls], 'onStep hears each step as it finishes');
        for (const s of result.steps) {
          assert.equal(s.ok, true);
          assert.ok(Number.isInteger(s.ms) && s.ms >= 0);
          assert.ok(s.message.length > 0);
        }
        assert.deepEqual(result.stat, { count: 1, size: SIZE });
        assert.equal(result.steps.at(-1)!.message, `1 message, ${SIZE} bytes`);
      }
      // The check changed nothing.
      const client = await Pop3Client.connect(aliceOptions(dc, 'tls'));
      assert.equal((await client.stat()).count, 1);
      await client.quit();
    });

    test('stops at the failing step and says why', async () => {
      const cases: Array<[string, Parameters<typeof aliceOptions>[2], string, RegExp]> = [
        ['wrong password', { password: 'nope' }, 'auth', /^the server refused the login or password/],
        ['untrusted certificate', { ca: undefined }, 'tls', /self-signed/],
        ['wrong host', { servername: 'wrong.example' }, 'tls', /wrong host name/],
        ['nothing listening', { port: await freePort() }, 'tcp', /connection refused/],
      ];
      for (const [name, extra, step, message] of cases) {
        const result = await connectSteps(aliceOptions(dc, 'tls', extra));
        assert.equal(result.ok, false, name);
        const last = result.steps.at(-1)!;
        assert.equal(last.step, step, name);
        assert.equal(last.ok, false, name);
        assert.match(last.message, message, name);
        assert.equal(result.message, last.message);
        assert.ok(result.steps.slice(0, -1).every((s) => s.ok), `${name}: earlier steps passed`);
        assert.ok(result.error instanceof Pop3Error);
      }
    });

    test('bad options are reported, not thrown', async () => {
      const result = await connectSteps({ ...aliceOptions(dc, 'tls'), port: 0 });
      assert.equal(result.ok, false);
      assert.deepEqual(result.steps, []);
      assert.match(result.message, /invalid port/);
    });
  });
});
