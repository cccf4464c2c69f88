// Accounts: the first admin at first start, the rules for names and passwords, and never without an
// admin; every change in the audit log, naming who made it and holding no password.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addAccount, ensureFirstAdmin, listAccounts, removeAccount, setAccountRole } from '../../src/app/accounts.js';
import { assemble, type App } from '../../src/app/app.js';
import { readAudit } from '../../src/app/audit.js';
import { AppError } from '../../src/app/errors.js';
import { verifyPassword } from '../../src/app/passwords.js';
import { cliPrincipal, type Principal } from '../../src/app/principal.js';
import { findAccount } from '../../src/store/accounts.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const root: Principal = { kind: 'account', name: 'root', role: 'admin', accountId: 1 };

async function fresh(dialect: Parameters<typeof openTestStore>[0]): Promise<{ t: TestStore; app: App }> {
  const t = await openTestStore(dialect);
  return { t, app: assemble(t.store) };
}

async function refused(work: Promise<unknown>, category: string, message: RegExp): Promise<AppError> {
  const error = await work.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(error instanceof AppError, String(error));
  assert.equal(error.category, category);
  assert.match(error.message, message);
  return error;
}

for (const dialect of await dialects()) {
  describe(`accounts (${dialect})`, () => {
    test('first start with MAILBIND_ADMIN_PASSWORD creates admin with that password, once', async () => {
      const { t, app } = await fresh(dialect);
      try {
        const env = { MAILBIND_ADMIN_PASSWORD: 'first-admin-secret' };
        assert.deepEqual(await ensureFirstAdmin(app, env), { created: true, name: 'admin' });
        const admin = await findAccount(app.store.db, 'admin');
        assert.equal(admin?.role, 'admin');
        assert.equal(await verifyPassword('first-admin-secret', admin!.passwordHash), true);
        assert.deepEqual(await ensureFirstAdmin(app, env), { created: false });
        assert.equal((await listAccounts(app)).length, 1);
      } finally {
        await t.cleanup();
      }
    });

    test('first start without a password generates one, returned once so it can be printed', async () => {
      const { t, app } = await fresh(dialect);
      try {
        const result = await ensureFirstAdmin(app, {});
        assert.ok(result.created && result.generatedPassword);
        assert.ok(result.generatedPassword.length >= 20);
        const admin = await findAccount(app.store.db, 'admin');
        assert.equal(await verifyPassword(result.generatedPassword, admin!.passwordHash), true);
        const audit = JSON.stringify(await readAudit(app));
        assert.match(audit, /account\.add/);
        assert.ok(!audit.includes(result.generatedPassword), 'the password is not in the audit log');
      } finally {
        await t.cleanup();
      }
    });

    test('first start refuses a MAILBIND_ADMIN_PASSWORD that is too short, and creates nothing', async () => {
      const { t, app } = await fresh(dialect);
      try {
        await refused(ensureFirstAdmin(app, { MAILBIND_ADMIN_PASSWORD: 'short' }), 'user', /MAILBIND_ADMIN_PASSWORD: Password should have at least 10 characters/);
        assert.deepEqual(await listAccounts(app), []);
      } finally {
        await t.cleanup();
      }
    });

    describe('with accounts', () => {
      let t: TestStore;
      let app: App;
      before(async () => ({ t, app } = await fresh(dialect)));
      after(() => t.cleanup());

      test('add and list; names are unique regardless of case; the view holds no password', async () => {
        const added = await addAccount(app, { name: 'alice@example.com', role: 'admin', password: 'alice-password-1' }, root);
        assert.deepEqual(Object.keys(added).sort(), ['createdAt', 'id', 'name', 'role', 'updatedAt']);
        await addAccount(app, { name: 'viewer.one', role: 'viewer', password: 'viewer-password' }, root);
        await refused(addAccount(app, { name: 'ALICE@example.com', role: 'viewer', password: 'another-password' }, root), 'conflict', /'alice@example\.com' already exists/);
        assert.deepEqual((await listAccounts(app)).map((a) => [a.name, a.role]), [['alice@example.com', 'admin'], ['viewer.one', 'viewer']]);
      });

      test('a bad name and a short password are both named, per field, in words', async () => {
        const error = await refused(addAccount(app, { name: 'no spaces', role: 'viewer', password: 'short' }, root), 'user', /letters, digits/);
        assert.deepEqual(error.details.fields?.map((f) => f.field), ['name', 'password']);
        assert.equal(error.details.fields?.[1]?.message, 'Password should have at least 10 characters');
        await refused(addAccount(app, { name: 'x'.repeat(101), role: 'viewer', password: 'long-enough-1' }, root), 'user', /at most 100/);
        await refused(addAccount(app, { name: 'boss', role: 'owner' as never, password: 'long-enough-1' }, root), 'user', /admin or viewer/);
      });

      test('the last admin can be neither demoted nor removed; with a second admin, both work', async () => {
        await refused(setAccountRole(app, 'alice@example.com', 'viewer', root), 'conflict', /last admin/);
        await refused(removeAccount(app, 'alice@example.com', root), 'conflict', /last admin/);
        await setAccountRole(app, 'viewer.one', 'admin', root);
        assert.equal((await setAccountRole(app, 'alice@example.com', 'viewer', root)).role, 'viewer');
        await refused(removeAccount(app, 'viewer.one', root), 'conflict', /last admin/);
        await removeAccount(app, 'alice@example.com', root);
        assert.deepEqual((await listAccounts(app)).map((a) => a.name), ['viewer.one']);
        await refused(removeAccount(app, 'nobody', root), 'not-found', /no account named 'nobody'/);
      });

      test('every change is in the audit log with its actor, and no password is', async () => {
        await addAccount(app, { name: 'audited', role: 'viewer', password: 'audited-password-9' }, cliPrincipal('ops'));
        const { entries } = await readAudit(app, { limit: 500 });
        const actions = entries.map((e) => `${e.actor} ${e.action} ${e.target}`).reverse();
        assert.deepEqual(actions, [
          'root account.add account alice@example.com',
          'root account.add account viewer.one',
          'root account.role account viewer.one',
          'root account.role account alice@example.com',
          'root account.remove account alice@example.com',
          'cli:ops account.add account audited',
        ]);
        const text = JSON.stringify(entries);
        for (const secret of ['alice-password-1', 'viewer-password', 'audited-password-9', 'scrypt$']) assert.ok(!text.includes(secret), secret);
      });
    });
  });
}
