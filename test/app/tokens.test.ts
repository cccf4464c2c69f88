// API tokens: shown once at creation, stored only hashed, listed by prefix, revoked for good; a
// revoked or unknown token authenticates no one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type App } from '../../src/app/app.js';
import { readAudit } from '../../src/app/audit.js';
import { AppError } from '../../src/app/errors.js';
import type { Principal } from '../../src/app/principal.js';
import { authenticateToken, createToken, listTokens, revokeToken } from '../../src/app/tokens.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const alice: Principal = { kind: 'account', name: 'alice', role: 'admin', accountId: 1 };

async function refused(work: Promise<unknown>, category: string, message: RegExp): Promise<void> {
  const error = await work.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(error instanceof AppError, String(error));
  assert.equal(error.category, category);
  assert.match(error.message, message);
}

for (const dialect of await dialects()) {
  describe(`API tokens (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store);
    });
    after(() => t.cleanup());

    test('a created token authenticates with its role; only its hash and prefix are stored', async () => {
      const { token, view } = await createToken(app, { name: 'ci', role: 'viewer' }, alice);
      assert.match(token, /^mbt_[A-Za-z0-9_-]{43}$/);
      assert.equal(view.prefix, token.slice(0, 12));
      assert.deepEqual({ ...view, id: 0, createdAt: '' }, { id: 0, name: 'ci', role: 'viewer', prefix: token.slice(0, 12), createdBy: 'alice', createdAt: '', lastUsedAt: null, revokedAt: null });
      assert.deepEqual(await authenticateToken(app, token), { kind: 'token', name: 'ci', role: 'viewer', tokenId: view.id });
      const rows = JSON.stringify(await app.store.db.selectFrom('api_tokens').selectAll().execute());
      assert.ok(!rows.includes(token), 'the token is not in the database');
      assert.equal(await authenticateToken(app, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), null);
      assert.equal(await authenticateToken(app, 'Bearer ' + token), null);
      assert.equal(await authenticateToken(app, ''), null);
    });

    test('last_used_at is written at first use and then at most once a minute', async () => {
      const { token, view } = await createToken(app, { name: 'metrics', role: 'admin' }, alice);
      const lastUsed = async () => (await listTokens(app)).find((v) => v.id === view.id)!.lastUsedAt;
      let at = Date.parse('2030-01-01T00:00:00Z');
      await authenticateToken(app, token, { now: () => at });
      assert.equal(await lastUsed(), '2030-01-01T00:00:00.000Z');
      at += 59_000;
      await authenticateToken(app, token, { now: () => at });
      assert.equal(await lastUsed(), '2030-01-01T00:00:00.000Z');
      at += 1_000;
      await authenticateToken(app, token, { now: () => at });
      assert.equal(await lastUsed(), '2030-01-01T00:01:00.000Z');
    });

    test('a revoked token authenticates no one and stays listed as revoked; by id or by name', async () => {
      const byName = await createToken(app, { name: 'deploy', role: 'admin' }, alice);
      await refused(createToken(app, { name: 'DEPLOY', role: 'admin' }, alice), 'conflict', /a token named 'DEPLOY' exists/);
      const revoked = await revokeToken(app, 'deploy', alice);
      assert.ok(revoked.revokedAt);
      assert.equal(await authenticateToken(app, byName.token), null);
      await refused(revokeToken(app, revoked.id, alice), 'conflict', /already revoked/);
      await refused(revokeToken(app, 'deploy', alice), 'not-found', /no token named 'deploy' that is not revoked/);

      const again = await createToken(app, { name: 'deploy', role: 'viewer' }, alice);
      await revokeToken(app, String(again.view.id), alice);
      assert.equal(await authenticateToken(app, again.token), null);
      await refused(revokeToken(app, 9999, alice), 'not-found', /no token with id 9999/);
      const listed = (await listTokens(app)).filter((v) => v.name === 'deploy');
      assert.equal(listed.length, 2);
      assert.ok(listed.every((v) => v.revokedAt));
    });

    test('names and roles are checked; the audit log names the actor and holds no token', async () => {
      await refused(createToken(app, { name: 'has space', role: 'viewer' }, alice), 'user', /token name may only use/);
      await refused(createToken(app, { name: 'x', role: 'root' as never }, alice), 'user', /admin or viewer/);
      const { token } = await createToken(app, { name: 'audited', role: 'viewer' }, { kind: 'token', name: 'ci', role: 'admin', tokenId: 1 });
      await revokeToken(app, 'audited', alice);
      const { entries } = await readAudit(app, { limit: 2 });
      assert.deepEqual(entries.map((e) => `${e.actor} ${e.action} ${e.target}`), ['alice token.revoke token audited', 'token:ci token.create token audited']);
      const all = JSON.stringify(await readAudit(app, { limit: 500 }));
      assert.ok(!all.includes(token) && !all.includes(token.slice(4, 20)), 'no token, nor a part of it, in the audit log');
    });
  });
}
