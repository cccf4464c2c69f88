// POP3 mailbox operations against a real Dovecot: STAT/LIST/UIDL, byte-exact RETR, TOP, DELE semantics.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Pop3Client, Pop3Error } from '../../../src/sources/pop3/index.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
import { corpusDir as CORPUS, corpusSkip } from '../../support/mail-corpus.js';
import { aliceOptions, crlfNormalise, readAll } from './helpers.js';

/**
 * Every .eml / .msg file of the shared corpus, sorted (bodies and expected files are .txt/.xml/…). More than the
 * SOURCE.md list of full messages: any file a server could be handed must come back byte for byte.
 */
function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(eml|msg)$/.test(name)) out.push(p);
    }
  };
  walk(CORPUS);
  return out;
}

describe('POP3 against Dovecot: mailbox operations', { skip: dovecotSkip() }, () => {
  let dc: Dovecot;
  // One user per test, so tests never see each other's messages.
  const users = ['stat', 'exact', 'corpus', 'dele', 'abandon', 'queue'].map((user) => ({ user, password: `${user}-pw` }));
  const as = (user: string, tls: 'none' | 'starttls' | 'tls' = 'tls') =>
    Pop3Client.connect(aliceOptions(dc, tls, { login: user, password: `${user}-pw` }));

  before(async () => {
    dc = await startDovecot({ users });
  });
  after(() => dc?.stop());

  test('STAT, LIST and UIDL agree, sizes are CRLF sizes, UIDs are stable across sessions', async () => {
    const raws = ['Subject: one\n\nfirst\n', 'Subject: two\r\n\r\nsecond\r\n', 'Subject: three\n\n' + 'x'.repeat(5000) + '\n'];
    for (const raw of raws) await dc.deliver('stat', raw);
    const first = await as('stat');
    const stat = await first.stat();
    const list = await first.list();
    const uidl = await first.uidl();
    await first.quit();
    assert.equal(stat.count, 3);
    assert.deepEqual(list.map((l) => l.n), [1, 2, 3]);
    assert.deepEqual(list.map((l) => l.size), raws.map((r) => crlfNormalise(Buffer.from(r)).length));
    assert.equal(stat.size, list.reduce((sum, l) => sum + l.size, 0));
    assert.deepEqual(uidl.map((u) => u.n), [1, 2, 3]);
    for (const { uid } of uidl) assert.match(uid, /^[0-9a-f]{16}$/i, 'pop3_uidl_format = %08Xv%08Xu');
    assert.equal(new Set(uidl.map((u) => u.uid)).size, 3);

    const second = await as('stat', 'none');
    assert.deepEqual(await second.uidl(), uidl, 'same UIDs in a later session');
    await second.quit();
  });

  test('RETR is byte-exact: dot lines, lone ".", 8-bit bytes, CRLF and LF-only sources, no final newline', async () => {
    const body = [
      '.starts with one dot',
      '..starts with two dots',
      '.',
      '...',
      '. space after a dot',
      'a line with . inside',
      '',
      '\u00c4rger \u00fcber Gr\u00fc\u00dfe \u00ff\u0080\u009f', // latin1 bytes 0xC4 … 0x9F: 8-bit, not UTF-8
      '.',
      'last line',
    ];
    const header = ['From: a@example.com', 'To: b@example.com', 'Subject: dots and bytes', 'Content-Type: text/plain; charset=iso-8859-1', ''];
    const fixtures = [
      Buffer.from([...header, ...body, ''].join('\r\n'), 'latin1'), // CRLF source
      Buffer.from([...header, ...body, ''].join('\n'), 'latin1'), // LF-only source (as MTAs usually store it)
      Buffer.from([...header, ...body].join('\n'), 'latin1'), // no final newline: the server adds CRLF
      Buffer.from('Subject: ends with a dot line\r\n\r\n.\r\n', 'latin1'), // "\r\n.\r\n" + terminator "\r\n..\r\n.\r\n"
      Buffer.from('Subject: bare CR\r\n\r\nx\ry\r\nCR CR LF\r\r\n', 'latin1'),
    ];
    for (const f of fixtures) await dc.deliver('exact', f);
    for (const tls of ['tls', 'starttls', 'none'] as const) {
      const client = await as('exact', tls);
      for (let i = 0; i < fixtures.length; i++) {
        const stream = await client.retr(i + 1);
        const got = await readAll(stream);
        const want = crlfNormalise(fixtures[i]!);
        assert.ok(got.equals(want), `${tls} RETR ${i + 1}: ${JSON.stringify(got.toString('latin1'))}`);
        assert.equal(stream.bytesReceived, want.length);
      }
      // TOP n 0: headers and the blank line only.
      const top = await readAll(await client.top(1, 0));
      assert.equal(top.toString('latin1'), header.join('\r\n') + '\r\n');
      await client.quit();
    }
  });

  test('RETR of every corpus message (.eml/.msg) is byte-identical to the CRLF-normalised file', { skip: corpusSkip() }, async () => {
    const files = corpusFiles();
    assert.ok(files.length >= 200, `corpus found at ${CORPUS} (${files.length} messages)`);
    for (const f of files) await dc.deliver('corpus', readFileSync(f));
    const client = await as('corpus');
    const list = await client.list();
    assert.equal(list.length, files.length);
    for (let i = 0; i < files.length; i++) {
      const got = await readAll(await client.retr(i + 1));
      const want = crlfNormalise(readFileSync(files[i]!));
      assert.ok(got.equals(want), `${path.relative(CORPUS, files[i]!)} differs (${got.length} vs ${want.length} bytes)`);
    }
    await client.quit();
  });

  test('DELE is committed by QUIT only; close() without QUIT deletes nothing', async () => {
    for (const n of [1, 2, 3]) await dc.deliver('dele', `Subject: m${n}\n\nbody ${n}\n`);
    const before = await as('dele');
    const uids = await before.uidl();
    await before.quit();

    const dropped = await as('dele');
    await dropped.dele(1);
    await dropped.dele(2);
    assert.equal((await dropped.stat()).count, 1, 'marked messages are hidden in the same session');
    dropped.close();
    assert.equal(dropped.closed, true);
    await assert.rejects(dropped.stat(), Pop3Error);

    const check = await as('dele');
    assert.equal((await check.stat()).count, 3, 'close() without QUIT must not delete');
    await check.dele(2);
    await check.rset();
    await check.dele(1);
    await check.quit();

    const after = await as('dele');
    assert.deepEqual((await after.uidl()).map((u) => u.uid), [uids[1]!.uid, uids[2]!.uid], 'only message 1 was deleted');
    await after.quit();
  });

  test('a RETR stream destroyed half-way leaves the session usable', async () => {
    const big = 'Subject: big\r\n\r\n' + '0123456789abcdef'.repeat(64).concat('\r\n').repeat(1000); // ~1 MB
    await dc.deliver('abandon', big);
    await dc.deliver('abandon', 'Subject: small\r\n\r\nsmall\r\n');
    const client = await as('abandon');
    const stream = await client.retr(1);
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.destroy();
    assert.equal((await client.stat()).count, 2, 'the next command gets its own reply, not the rest of message 1');
    assert.equal((await readAll(await client.retr(2))).toString(), 'Subject: small\r\n\r\nsmall\r\n');
    await client.quit();
  });

  test('commands issued without awaiting run one at a time, in order; errors stay per command', async () => {
    await dc.deliver('queue', 'Subject: q\r\n\r\nq\r\n');
    const client = await as('queue');
    const stream = client.retr(1).then(readAll);
    const [stat, body, missing, uidl] = await Promise.all([
      client.stat(),
      stream,
      client.retr(99).then(() => 'resolved', (e: Pop3Error) => e),
      client.uidl(),
    ]);
    assert.equal(stat.count, 1);
    assert.equal(body.toString(), 'Subject: q\r\n\r\nq\r\n');
    assert.ok(missing instanceof Pop3Error);
    assert.equal(missing.step, 'command');
    assert.match(missing.message, /^RETR refused by the server: /);
    assert.equal(uidl.length, 1);
    await assert.rejects(client.retr(0), TypeError);
    await client.quit();
  });
});
