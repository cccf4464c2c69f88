// What rule language v2 sets on the builtin tracker (migration 010), on SQLite and PostgreSQL: a database
// made before keeps its items and their states; project codes are checked and unique without case (in
// admin.ts and by the database's own index); an item created with every field reads back the same from
// listings and `show`; the snapshot finds projects by code, companies by id and staff by address.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { OwnSchemaPostgresDialect } from '../../../src/store/pg-introspector.js';
import pg from 'pg';
import { assemble, type App } from '../../../src/app/app.js';
import { readAudit } from '../../../src/app/audit.js';
import { cliPrincipal } from '../../../src/app/principal.js';
import * as tracker from '../../../src/app/tracker.js';
import { dropPgSchema, migrationsFor, openStore } from '../../../src/store/database.js';
import { normalizeItemState } from '../../../src/tracker/builtin/listable.js';
import { loadSnapshot } from '../../../src/tracker/builtin/snapshot.js';
import { BuiltinTrackerWriter } from '../../../src/tracker/builtin/writer.js';
import { refusal } from '../../support/refusal.js';
import { dialects, openTestStore, PG_URL, type TestDialect, type TestStore } from '../../support/store.js';

const who = cliPrincipal('tester');

test('normalizeItemState takes any case and a space for the hyphen, and nothing else', () => {
  assert.deepEqual(['Open', ' NEW ', 'In Progress', 'in-progress', 'IN  PROGRESS', 'Done', 'closed'].map(normalizeItemState), [
    'open', 'new', 'in-progress', 'in-progress', 'in-progress', 'done', 'closed',
  ]);
  assert.deepEqual(['', 'inprogress', 'in_progress', 'shelved', 'open!'].map(normalizeItemState), [null, null, null, null, null]);
});

/** A database as release 009 left it (every migration up to 009-failing-since), written through Kysely directly. */
async function databaseAt009(dialect: TestDialect): Promise<{ db: Kysely<any>; open(): ReturnType<typeof openStore>; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailbind-test-010-'));
  let db: Kysely<any>;
  let schema: string | undefined;
  if (dialect === 'sqlite') {
    const file = new BetterSqlite3(join(dataDir, 'mailbind.sqlite'));
    file.pragma('journal_mode = WAL');
    file.pragma('foreign_keys = ON');
    db = new Kysely<any>({ dialect: new SqliteDialect({ database: file }) });
  } else {
    schema = `t_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`create schema "${schema}"`);
    await client.end();
    // The introspector that asks about its own schema only (as the store uses): other test files drop
    // their schemas meanwhile, and the stock one fails on a schema that vanished mid-query.
    db = new Kysely<any>({ dialect: new OwnSchemaPostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, options: `-c search_path="${schema}"` }) }) });
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrationsFor(dialect) }, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error } = await migrator.migrateTo('009-failing-since');
  if (error) throw error;
  return {
    db,
    open: () => openStore(schema ? { dataDir, databaseUrl: PG_URL, schema } : { dataDir }),
    async cleanup() {
      if (schema) await dropPgSchema(PG_URL, schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

for (const dialect of await dialects()) {
  describe(`migration 010 on an existing database (${dialect})`, () => {
    test('items made before keep their state and everything else; they have no priority, tags or fields yet', async () => {
      const old = await databaseAt009(dialect);
      try {
        const project = await old.db.insertInto('projects').values({ name: 'General', deleted: 0 }).returning('id').executeTakeFirstOrThrow();
        const at = '2024-05-01T10:00:00.000Z';
        for (const [name, state] of [['First', 'open'], ['Second', 'in-progress'], ['Third', 'done']]) {
          await old.db.insertInto('items').values({ kind: 'request', project_id: project.id, name, description: `about ${name}`, is_private: 0, created_at: at, state }).execute();
        }
        await old.db.destroy();

        const store = await old.open();
        try {
          const rows = await tracker.listTracker(assemble(store), 'requests');
          assert.deepEqual(rows.map((r) => [r.name, r.description, r.state, r.createdAt]), [
            ['First', 'about First', 'open', at],
            ['Second', 'about Second', 'in-progress', at],
            ['Third', 'about Third', 'done', at],
          ]);
          assert.deepEqual(rows.map((r) => [r.priority, r.severity, r.assignee, r.tags, r.fields]), Array(3).fill([null, null, null, [], {}]));
          assert.deepEqual((await tracker.listTracker(assemble(store), 'projects')).map((p) => [p.name, p.code]), [['General', null]]);
        } finally {
          await store.close();
        }
      } finally {
        await old.cleanup();
      }
    });
  });

  describe(`project codes, item fields and the snapshot (${dialect})`, () => {
    let t: TestStore;
    let app: App;

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
    });
    after(() => t.cleanup());

    test('a project keeps its code as typed; the code is unique without case and the clash names its holder', async () => {
      const acme = await tracker.addProject(app, { name: 'Acme support', code: 'AcMe' }, who);
      assert.equal(acme.code, 'AcMe');
      const taken = await refusal(tracker.addProject(app, { name: 'Other', code: 'ACME' }, who));
      assert.equal(taken.category, 'conflict');
      assert.equal(taken.message, `project code ACME is already used by project ${acme.id}`);
      assert.deepEqual(taken.details.fields, [{ field: 'code', message: `project code ACME is already used by project ${acme.id}` }]);
      assert.equal((await tracker.listTracker(app, 'projects')).some((p) => p.name === 'Other'), false, 'nothing stored');

      // A word of the rule language could never name the project in a rule.
      const word = await refusal(tracker.addProject(app, { name: 'Oregon', code: 'OR' }, who));
      assert.deepEqual(word.details.fields, [{ field: 'code', message: "'OR' is not a project code: rules read 'OR' as the word 'or'" }]);
      const web = await tracker.addProject(app, { name: 'Web' }, who);
      assert.equal(web.code, null);
      assert.equal((await refusal(tracker.updateProject(app, 'Web', { code: 'acme' }, who))).category, 'conflict');
      // Its own code in another case is no clash.
      assert.equal((await tracker.updateProject(app, acme.id, { code: 'ACME' }, who)).code, 'ACME');
      // Cleared, the code is free for another project.
      assert.equal((await tracker.updateProject(app, acme.id, { code: null }, who)).code, null);
      assert.equal((await tracker.updateProject(app, 'Web', { code: ' acme ' }, who)).code, 'acme');

      const audit = (await readAudit(app, { limit: 3 })).entries.map((e) => [e.action, e.details]);
      assert.deepEqual(audit, [
        ['project.update', { id: web.id, code: ' acme ' }],
        ['project.update', { id: acme.id, code: null }],
        ['project.update', { id: acme.id, code: 'ACME' }],
      ]);
    });

    test('a malformed code is a field error in words', async () => {
      const rule = '2 to 20 letters, digits or _, starting with a letter';
      for (const code of ['1AB', 'A', 'X'.repeat(21), 'AC-ME', 'ÄBC', 'two words']) {
        const error = await refusal(tracker.addProject(app, { name: `Bad ${code}`, code }, who));
        assert.equal(error.category, 'user', code);
        assert.deepEqual(error.details.fields, [{ field: 'code', message: `'${code}' is not a project code: ${rule}` }]);
      }
      assert.deepEqual((await refusal(tracker.updateProject(app, 'Web', { code: '  ' }, who))).details.fields, [{ field: 'code', message: 'Code should not be empty' }]);
      for (const code of ['AB', 'X'.repeat(20), 'web_2', 'Q1']) assert.equal((await tracker.updateProject(app, 'Web', { code }, who)).code, code);
      await tracker.updateProject(app, 'Web', { code: 'acme' }, who);
    });

    test('the database itself refuses a second code differing only in case', async () => {
      await assert.rejects(t.store.db.insertInto('projects').values({ name: 'Sneaky', code: 'ACME', company_id: null, deleted: 0 }).execute(), /unique|UNIQUE/);
      // Projects without a code are many.
      await t.store.db.insertInto('projects').values({ name: 'No code 1', code: null, company_id: null, deleted: 0 }).execute();
      await t.store.db.insertInto('projects').values({ name: 'No code 2', code: null, company_id: null, deleted: 0 }).execute();
    });

    test('an item created with every field reads back the same from the listing and from show', async () => {
      const project = (await tracker.listTracker(app, 'projects')).find((p) => p.name === 'Web')!;
      const staff = await tracker.addUser(app, { email: 'Dev@mailbind.test', name: 'Dev' }, who);
      const writer = new BuiltinTrackerWriter(t.store.db);
      const id = await writer.createItem({
        kind: 'bug', projectId: project.id, name: 'Login fails', description: 'see mail', isPrivate: false, teamId: null, sourceMessageId: null,
        state: 'In Progress', priority: 'High', severity: 'Critical', assigneeUserId: staff.id,
        tags: ['Login', 'urgent', 'login', ' LOGIN ', '', 'Urgent', 'api'],
        fields: { Browser: 'Firefox 128', 'Customer ref': 'A-17', Empty: '' },
      });
      const expected = {
        state: 'in-progress', priority: 'High', severity: 'Critical', assigneeId: staff.id, assignee: 'dev@mailbind.test',
        tags: ['api', 'Login', 'urgent'],
        fields: { Browser: 'Firefox 128', 'Customer ref': 'A-17', Empty: '' },
      };
      const pick = (row: Record<string, unknown>) => Object.fromEntries(Object.keys(expected).map((k) => [k, row[k]]));
      const shown = await tracker.getTrackerObject(app, 'bugs', id);
      assert.deepEqual(pick(shown), expected);
      assert.deepEqual(pick((await tracker.listTracker(app, 'bugs', { projectId: project.id })).find((b) => b.id === id)!), expected);
      assert.deepEqual(Object.keys(shown.fields), ['Browser', 'Customer ref', 'Empty'], 'fields in name order');

      // Nothing given: open, and nothing else set.
      const plain = await writer.createItem({ kind: 'task', projectId: project.id, name: 'Plain', description: '', isPrivate: false, teamId: null, sourceMessageId: null });
      assert.deepEqual(pick(await tracker.getTrackerObject(app, 'tasks', plain)), { state: 'open', priority: null, severity: null, assigneeId: null, assignee: null, tags: [], fields: {} });
      const closed = await writer.createItem({ kind: 'story', projectId: project.id, name: 'Closed', description: '', isPrivate: false, teamId: null, sourceMessageId: null, state: 'CLOSED' });
      assert.equal((await tracker.getTrackerObject(app, 'stories', closed)).state, 'closed');

      // The assignee stays: deleting them is refused while items are theirs.
      const refused = await refusal(tracker.deleteUser(app, staff.id, who));
      assert.equal(refused.category, 'conflict');
      assert.equal(refused.message, 'user dev@mailbind.test is the assignee of 1 item; it stays');
    });

    test('a severity on anything but a bug, and a state there is not, are refused and nothing is written', async () => {
      const project = (await tracker.listTracker(app, 'projects')).find((p) => p.name === 'Web')!;
      const writer = new BuiltinTrackerWriter(t.store.db);
      const base = { projectId: project.id, description: '', isPrivate: false, teamId: null, sourceMessageId: null };
      await assert.rejects(writer.createItem({ ...base, kind: 'request', name: 'With severity', severity: 'Low' }), /a request has no severity \(only bugs do\)/);
      await assert.rejects(writer.createItem({ ...base, kind: 'request', name: 'Shelved', state: 'shelved' }), /'shelved' is not a state/);
      const names = (await tracker.listTracker(app, 'requests')).map((r) => r.name);
      assert.deepEqual(names.filter((n) => n === 'With severity' || n === 'Shelved'), []);
    });

    test('the snapshot finds projects by code without case, companies by id, staff by any address', async () => {
      await tracker.addCompany(app, { name: 'Customer Ltd', domains: ['customer.example'] }, who);
      await tracker.addCompany(app, { name: 'Partner', domains: [] }, who);
      await tracker.addCompany(app, { name: 'Unrelated', domains: ['elsewhere.example'] }, who);
      const ada = await tracker.addRequester(app, { email: 'ada@partner.example', name: 'Ada', company: 'Partner' }, who);
      const lead = await tracker.addUser(app, { email: 'lead@mailbind.test', name: 'Lead' }, who);
      const [partner, customer, unrelated] = await Promise.all(['Partner', 'Customer Ltd', 'Unrelated'].map((name) =>
        tracker.listTracker(app, 'companies').then((all) => all.find((c) => c.name === name)!)));

      const snapshot = await loadSnapshot(t.store.db, { emails: ['ADA@partner.example', 'bob@customer.example'], itemIds: [], messageIds: [] });
      const web = (await tracker.listTracker(app, 'projects')).find((p) => p.name === 'Web')!;
      assert.deepEqual(snapshot.projectByCode('ACME'), { id: web.id, name: 'Web', live: true, companyId: null, code: 'acme' });
      assert.equal(snapshot.projectByCode('Acme')?.id, web.id);
      assert.equal(snapshot.project(web.id)?.code, 'acme');
      assert.equal(snapshot.projectByCode('NOPE'), undefined);

      assert.equal(snapshot.requesterByEmail('ada@partner.example')?.id, ada.id);
      // The requester's company (it has no domain this message uses) and the sender domain's company.
      assert.deepEqual(snapshot.company(partner!.id), { id: partner!.id, name: 'Partner' });
      assert.deepEqual(snapshot.company(customer!.id), { id: customer!.id, name: 'Customer Ltd' });
      assert.equal(snapshot.company(unrelated!.id), undefined, 'only the companies the message leads to');

      // Staff not named in the message are found for rules that assign to them; userByEmail keeps to the message.
      assert.deepEqual(snapshot.staffByEmail('LEAD@mailbind.test'), { id: lead.id, email: 'lead@mailbind.test', name: 'Lead' });
      assert.equal(snapshot.userByEmail('lead@mailbind.test'), undefined);
      assert.equal(snapshot.staffByEmail('nobody@mailbind.test'), undefined);
      const fromStaff = await loadSnapshot(t.store.db, { emails: ['Lead@mailbind.test'], itemIds: [], messageIds: [] });
      assert.equal(fromStaff.userByEmail('lead@MAILBIND.test')?.id, lead.id);
    });
  });
}
