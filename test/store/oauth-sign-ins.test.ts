// Sign-ins under way (store/oauth-sign-ins.ts), on both databases: the state is stored only as its hash
// and the PKCE verifier only sealed; a sign-in is taken once, even by callbacks racing for it; one bound
// to a browser is left alone by any other; an expired one cannot be taken; the outcome is recorded for
// the CLI that waits; old rows are purged.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  cancelSignIn,
  cancelSignInsOf,
  createSignIn,
  findSignIn,
  finishSignIn,
  purgeExpiredSignIns,
  signInId,
  takeSignIn,
  type NewSignIn,
} from '../../src/store/oauth-sign-ins.js';
import { createProfile } from '../../src/store/profiles.js';
import { SecretBox } from '../../src/store/secrets.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const secrets = SecretBox.forDataDir('/nonexistent', { MAILBIND_SECRET_KEY: 'b'.repeat(64) });

for (const dialect of await dialects()) {
  describe(`OAuth2 sign-ins under way (${dialect})`, () => {
    let t: TestStore;
    let profileId: number;
    let n = 0;
    before(async () => {
      t = await openTestStore(dialect);
      profileId = (await createProfile(t.store.db, { name: 'signing', rules: '' })).id;
    });
    after(() => t.cleanup());

    const signIn = (extra: Partial<NewSignIn> = {}): NewSignIn => ({
      state: `state-${dialect}-${++n}-Xq7`,
      profileId,
      codeVerifier: `verifier-${n}-secret-9f2`,
      nonce: `nonce-${n}`,
      redirectUri: 'http://localhost:8080/oauth/callback',
      via: 'cli',
      browserHash: null,
      startedBy: 'cli:tester',
      ...extra,
    });

    test('keeps the state only as its SHA-256 and the verifier only sealed', async () => {
      const s = signIn();
      const id = await createSignIn(t.store.db, secrets, s);
      assert.equal(id, signInId(s.state));
      assert.match(id, /^[0-9a-f]{64}$/);
      const row = await t.store.db.selectFrom('oauth_sign_ins').selectAll().where('state_hash', '=', id).executeTakeFirstOrThrow();
      const text = JSON.stringify(row);
      assert.ok(!text.includes(s.state), 'the state is not stored');
      assert.ok(!text.includes(s.codeVerifier), 'the verifier is not stored in plain');
      assert.match(row.code_verifier, /^v1:/);
      const record = await findSignIn(t.store.db, id);
      assert.equal(record?.expired, false);
      assert.equal(record?.completedAt, null);
      // Ten minutes by the database's clock.
      const ttl = Date.parse(record!.expiresAt) - Date.parse(record!.createdAt);
      assert.ok(Math.abs(ttl - 600_000) < 1000, `expires ${ttl} ms after it was made`);
    });

    test('is taken once: the second callback with the same state finds nothing', async () => {
      const s = signIn();
      const id = await createSignIn(t.store.db, secrets, s);
      const taken = await takeSignIn(t.store.db, secrets, id, null);
      assert.equal(taken?.codeVerifier, s.codeVerifier);
      assert.equal(taken?.nonce, s.nonce);
      assert.equal(taken?.redirectUri, s.redirectUri);
      assert.equal(await takeSignIn(t.store.db, secrets, id, null), null);
      assert.notEqual((await findSignIn(t.store.db, id))?.completedAt, null);
    });

    test('callbacks racing for one state: exactly one takes it', async () => {
      const id = await createSignIn(t.store.db, secrets, signIn());
      const takes = await Promise.all(Array.from({ length: 8 }, () => takeSignIn(t.store.db, secrets, id, null)));
      assert.equal(takes.filter(Boolean).length, 1);
    });

    test('a sign-in bound to a browser is left for that browser', async () => {
      const id = await createSignIn(t.store.db, secrets, signIn({ via: 'web', browserHash: 'hash-of-browser-a' }));
      assert.equal(await takeSignIn(t.store.db, secrets, id, null), null, 'without a browser');
      assert.equal(await takeSignIn(t.store.db, secrets, id, 'hash-of-browser-b'), null, 'another browser');
      const record = await findSignIn(t.store.db, id);
      assert.equal(record?.completedAt, null, 'still open');
      assert.equal(record?.boundToBrowser, true);
      assert.ok(await takeSignIn(t.store.db, secrets, id, 'hash-of-browser-a'));
    });

    test('an expired sign-in cannot be taken and says it expired', async () => {
      const id = await createSignIn(t.store.db, secrets, signIn());
      await t.store.db.updateTable('oauth_sign_ins').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('state_hash', '=', id).execute();
      assert.equal(await takeSignIn(t.store.db, secrets, id, null), null);
      const record = await findSignIn(t.store.db, id);
      assert.equal(record?.expired, true);
      assert.equal(record?.completedAt, null);
    });

    test('records how it ended, and forgets the verifier', async () => {
      const good = await createSignIn(t.store.db, secrets, signIn());
      await takeSignIn(t.store.db, secrets, good, null);
      await finishSignIn(t.store.db, good, { account: 'alice@example.test' });
      assert.equal((await findSignIn(t.store.db, good))?.account, 'alice@example.test');
      const row = await t.store.db.selectFrom('oauth_sign_ins').select('code_verifier').where('state_hash', '=', good).executeTakeFirstOrThrow();
      assert.equal(row.code_verifier, '');

      const bad = await createSignIn(t.store.db, secrets, signIn());
      await takeSignIn(t.store.db, secrets, bad, null);
      await finishSignIn(t.store.db, bad, { error: 'the provider refused' });
      const record = await findSignIn(t.store.db, bad);
      assert.equal(record?.error, 'the provider refused');
      assert.equal(record?.account, null);
    });

    test('a cancelled sign-in cannot be taken any more', async () => {
      const id = await createSignIn(t.store.db, secrets, signIn());
      assert.equal(await cancelSignIn(t.store.db, id, 'cancelled'), true);
      assert.equal(await takeSignIn(t.store.db, secrets, id, null), null);
      assert.equal((await findSignIn(t.store.db, id))?.error, 'cancelled');
      assert.equal(await cancelSignIn(t.store.db, id, 'again'), false, 'an ended sign-in stays as it ended');
    });

    test("a profile's sign-ins without an outcome are cancelled at once, waiting or taken; a taken one can then not finish", async () => {
      const own = (await createProfile(t.store.db, { name: `moved-${dialect}`, rules: '' })).id;
      const waiting = await createSignIn(t.store.db, secrets, signIn({ profileId: own }));
      const inFlight = await createSignIn(t.store.db, secrets, signIn({ profileId: own }));
      assert.ok(await takeSignIn(t.store.db, secrets, inFlight, null), 'a callback is exchanging its code');
      const done = await createSignIn(t.store.db, secrets, signIn({ profileId: own }));
      await takeSignIn(t.store.db, secrets, done, null);
      await finishSignIn(t.store.db, done, { account: 'alice@example.test' });
      const others = await createSignIn(t.store.db, secrets, signIn());

      assert.equal(await cancelSignInsOf(t.store.db, own, 'the settings changed'), 2);
      assert.equal(await takeSignIn(t.store.db, secrets, waiting, null), null);
      assert.equal((await findSignIn(t.store.db, waiting))?.error, 'the settings changed');
      assert.equal(await finishSignIn(t.store.db, inFlight, { account: 'alice@example.test' }), false, 'the callback under way cannot finish it');
      assert.equal((await findSignIn(t.store.db, inFlight))?.error, 'the settings changed');
      assert.equal((await findSignIn(t.store.db, inFlight))?.account, null);
      assert.equal((await findSignIn(t.store.db, done))?.account, 'alice@example.test', 'a finished one stays as it ended');
      assert.equal((await findSignIn(t.store.db, others))?.completedAt, null, "another profile's is left alone");
      const verifiers = await t.store.db.selectFrom('oauth_sign_ins').select('code_verifier').where('profile_id', '=', own).execute();
      assert.deepEqual(verifiers.map((v) => v.code_verifier), ['', '', ''], 'no verifier kept for a sign-in that cannot complete');
    });

    test('rows expired a while ago are purged; recent ones stay for a waiting CLI', async () => {
      const old = await createSignIn(t.store.db, secrets, signIn());
      const recent = await createSignIn(t.store.db, secrets, signIn());
      await t.store.db.updateTable('oauth_sign_ins').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('state_hash', '=', old).execute();
      await t.store.db.updateTable('oauth_sign_ins').set({ expires_at: new Date(Date.now() - 60_000).toISOString() }).where('state_hash', '=', recent).execute();
      assert.ok((await purgeExpiredSignIns(t.store.db)) >= 1);
      assert.equal(await findSignIn(t.store.db, old), null);
      assert.ok(await findSignIn(t.store.db, recent));
    });

    test('a deleted profile takes its sign-ins with it', async () => {
      const other = (await createProfile(t.store.db, { name: `gone-${dialect}`, rules: '' })).id;
      const id = await createSignIn(t.store.db, secrets, signIn({ profileId: other }));
      await sql`delete from profiles where id = ${other}`.execute(t.store.db);
      assert.equal(await findSignIn(t.store.db, id), null);
    });
  });
}
