// Config as code: export → apply on a fresh database → export gives the same bytes; applying twice
// changes nothing; an invalid file changes nothing and names every error by its YAML path; a dry run
// writes nothing; the exported document never holds a secret.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type App } from '../../../src/app/app.js';
import { readAudit } from '../../../src/app/audit.js';
import { applyConfig } from '../../../src/app/config/apply.js';
import { exportConfig } from '../../../src/app/config/export.js';
import { cliPrincipal } from '../../../src/app/principal.js';
import { createProfile } from '../../../src/app/profiles.js';
import * as tracker from '../../../src/app/tracker.js';
import { refusal } from '../../support/refusal.js';
import { dialects, openTestStore, type TestStore } from '../../support/store.js';

const who = cliPrincipal('tester');
const SECRET = 'correct-horse-battery-staple';
const RULES = "# routing\nwhen subject contains 'invoice' then attach to project 3\nthen attach to project 1 and create request in project 1 and attach request to team 2\n";


for (const dialect of await dialects()) {
  describe(`config export and apply (${dialect})`, () => {
    let source: TestStore;
    let target: TestStore;
    let from: App;
    let to: App;
    let exported: string;

    before(async () => {
      source = await openTestStore(dialect);
      target = await openTestStore(dialect);
      from = assemble(source.store);
      to = assemble(target.store);
      await tracker.addCompany(from, { name: 'Acme', domains: ['acme.example', 'acme.org'] }, who);
      await tracker.addProject(from, { name: 'General' }, who);
      await tracker.addProject(from, { name: 'Scratch' }, who);
      await tracker.addProject(from, { name: 'Acme support', company: 'Acme' }, who);
      await tracker.setProjectDeleted(from, 'Scratch', true, who);
      // Ids with a gap: the file must keep them, since the rules name project 3 and team 2.
      await tracker.deleteTeam(from, (await tracker.addTeam(from, { name: 'Gone' }, who)).id, who);
      await tracker.addTeam(from, { name: 'Support' }, who);
      await tracker.addUser(from, { email: 'staff@mailbind.test', name: 'Staff' }, who);
      await createProfile(from, {
        name: 'support desk',
        source: { protocol: 'imap', host: 'imap.example.com', login: 'support@example.com', password: SECRET, tls: 'starttls', afterImport: 'move:Done' },
        rules: { text: RULES, label: 'rules' },
      }, who);
      await createProfile(from, { name: 'pushed', source: { protocol: 'pipe' }, threading: { subjectTokens: true, closedReplies: 'reopen' } }, who);
      await createProfile(from, { name: 'imports' }, who);
      exported = await exportConfig(from);
    });
    after(async () => {
      await source.cleanup();
      await target.cleanup();
    });

    test('the export holds every object, the rules as a block literal, and no secret', () => {
      assert.match(exported, /^ {4}rules: \|\n {6}# routing\n {6}when subject contains 'invoice' then attach to project 3\n/m);
      assert.match(exported, /passwordEnv: MAILBIND_PASSWORD_SUPPORT_DESK/);
      assert.match(exported, /- id: 3\n {4}name: Acme support\n {4}company: Acme/);
      assert.match(exported, /- id: 2\n {4}name: Support/);
      assert.match(exported, /name: Scratch\n {4}deleted: true/);
      assert.doesNotMatch(exported, new RegExp(SECRET));
      assert.doesNotMatch(exported, /v1:|password:/, 'not even sealed');
    });

    test('applied to an empty database, the export comes back byte for byte', async () => {
      const env = { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET };
      const result = await applyConfig(to, exported, who, { env });
      assert.ok(result.changes.every((c) => c.change === 'create'), JSON.stringify(result.changes));
      assert.equal(result.changes.length, 9);
      assert.equal(await exportConfig(to), exported);
      // The password arrived sealed, from the environment variable.
      const profile = (await import('../../../src/store/profiles.js')).getProfile(target.store.db, 'support desk');
      assert.equal(to.secrets().decrypt((await profile).source!.password!), SECRET);
    });

    test('applying the same file again changes nothing and writes no audit entry', async () => {
      const before = (await readAudit(to, { limit: 1 })).entries[0]!.id;
      const result = await applyConfig(to, exported, who, { env: { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET } });
      assert.deepEqual([...new Set(result.changes.map((c) => c.change))], ['unchanged']);
      assert.equal((await readAudit(to, { limit: 1 })).entries[0]!.id, before);
    });

    test('a dry run reports the plan and changes nothing', async () => {
      const edited = exported.replace('name: Staff', 'name: Staff Member').replace('acme.org', 'acme.net') + '  - name: extra\n';
      const audit = (await readAudit(to, { limit: 1 })).entries[0]!.id;
      const plan = await applyConfig(to, edited, who, { dryRun: true, env: { MAILBIND_PASSWORD_SUPPORT_DESK: 'a new one' } });
      const changed = plan.changes.filter((c) => c.change !== 'unchanged');
      assert.deepEqual(changed, [
        { kind: 'company', name: 'Acme', change: 'update', fields: ['domains'] },
        { kind: 'user', name: 'staff@mailbind.test', change: 'update', fields: ['name'] },
        { kind: 'profile', name: 'support desk', change: 'update', fields: ['source.password'] },
        { kind: 'profile', name: 'extra', change: 'create' },
      ]);
      assert.equal(await exportConfig(to), exported, 'nothing changed');
      assert.equal((await readAudit(to, { limit: 1 })).entries[0]!.id, audit);
    });

    test('an invalid file changes nothing and names each error by its YAML path', async () => {
      const bad = [
        'companies:',
        '  - name: Acme',
        '    domains: [acme.example, exa mple.com]',
        'users:',
        '  - email: staff@mailbind.test',
        '    name: Renamed',
        'profiles:',
        '  - name: support desk',
        '    source: { protocol: imap, host: "", login: x, passwordEnv: MAILBIND_PASSWORD_SUPPORT_DESK }',
        '  - name: pushed',
        '    source: { protocol: smtp }',
        '    rules: |',
        '      then attach to project 1',
        '      when subject contain \'x\' then attach to project 1',
        '  - name: PUSHED',
        '  - name: fresh',
        '    source: { protocol: pop3, host: pop.example.com, login: x, passwordEnv: NOT_SET_ANYWHERE }',
        '',
      ].join('\n');
      const error = await refusal(applyConfig(to, bad, who, { env: { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET } }));
      assert.equal(error.category, 'user');
      assert.deepEqual(error.details.fields, [
        { field: 'companies[0].domains[1]', message: "'exa mple.com' is not a domain name" },
        { field: 'profiles[2].name', message: "'pushed' appears twice (also profiles[1])" },
        { field: 'profiles[0].source.host', message: 'Server should not be empty' },
        { field: 'profiles[1].rules:2:14', message: "expected 'contains' or 'matches' after 'subject' but found 'contain' (did you mean 'subject contains'?)" },
        { field: 'profiles[1].source.protocol', message: "'smtp' is not a protocol: choose one of pop3, imap, pipe" },
        { field: 'profiles[3].source.passwordEnv', message: 'the environment variable NOT_SET_ANYWHERE is not set' },
      ]);
      assert.match(error.message, /^the configuration has 6 errors; nothing was changed\ncompanies\[0\]\.domains\[1\]: /);
      assert.equal(await exportConfig(to), exported, 'not even the valid parts were applied');
    });

    test('the audit log of a created profile names only the threading settings off their defaults', async () => {
      const created = (await readAudit(to, { limit: 500 })).entries.filter((e) => e.action === 'profile.create');
      const settingsOf = (name: string) => ((created.find((e) => e.target === `profile ${name}`)?.details?.['settings'] ?? []) as string[]).filter((n) => n.startsWith('threading.'));
      assert.deepEqual(settingsOf('pushed'), ['threading.closedReplies', 'threading.subjectTokens']);
      assert.deepEqual(settingsOf('imports'), [], 'every threading setting at its default');
    });

    test('threading settings: only those off their defaults are exported; a change is an update of those fields', async () => {
      assert.match(exported, /- name: pushed\n {4}source:\n {6}protocol: pipe\n(?: {6}.*\n)* {4}threading:\n {6}subjectTokens: true\n {6}closedReplies: reopen\n/);
      assert.doesNotMatch(exported, /companyMayReply/, 'a default is left out');
      const changed = exported.replace('closedReplies: reopen', 'closedReplies: new-item\n      companyMayReply: true');
      const plan = await applyConfig(to, changed, who, { dryRun: true, env: { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET } });
      assert.deepEqual(plan.changes.filter((c) => c.change !== 'unchanged'), [
        { kind: 'profile', name: 'pushed', change: 'update', fields: ['threading.companyMayReply', 'threading.closedReplies'] },
      ]);
      // Left out of the file: back to the defaults.
      const reset = exported.replace(/ {4}threading:\n {6}subjectTokens: true\n {6}closedReplies: reopen\n/, '');
      const resetPlan = await applyConfig(to, reset, who, { dryRun: true, env: { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET } });
      assert.deepEqual(resetPlan.changes.filter((c) => c.change !== 'unchanged').map((c) => c.fields), [['threading.subjectTokens', 'threading.closedReplies']]);
      const bad = exported.replace('closedReplies: reopen', 'closedReplies: ignore');
      const error = await refusal(applyConfig(to, bad, who, { env: { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET } }));
      assert.deepEqual(error.details.fields?.map((f) => f.field), ['profiles[1].threading.closedReplies']);
    });

    test("a file whose ids disagree with the database's is refused: its rules would mean other projects", async () => {
      const moved = exported.replace('- id: 3\n    name: Acme support', '- id: 7\n    name: Acme support');
      const error = await refusal(applyConfig(to, moved, who, { env: { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET } }));
      assert.deepEqual(error.details.fields?.map((f) => f.field), ['projects[2].id']);
    });

    test('without --prune what the file leaves out stays; with it, it goes (projects only marked deleted)', async () => {
      const smaller = [
        'companies: [{ name: Acme, domains: [acme.example, acme.org] }]',
        'projects: [{ id: 1, name: General }, { id: 2, name: Scratch, deleted: true }]',
        'profiles: [{ name: pushed, source: { protocol: pipe }, threading: { subjectTokens: true, closedReplies: reopen } }]',
      ].join('\n');
      const kept = await applyConfig(to, smaller, who, {});
      assert.equal(kept.changes.filter((c) => c.change !== 'unchanged').length, 0);
      assert.equal((await tracker.listTracker(to, 'users')).length, 1);

      const pruned = await applyConfig(to, smaller, who, { prune: true });
      assert.deepEqual(pruned.changes.filter((c) => c.change === 'delete').map((c) => `${c.kind} ${c.name}`), [
        'profile support desk', 'profile imports', 'user staff@mailbind.test', 'team Support', 'project Acme support',
      ]);
      assert.deepEqual((await tracker.listTracker(to, 'projects')).map((p) => [p.name, p.deleted]), [['General', false], ['Scratch', true], ['Acme support', true]]);
      assert.equal((await tracker.listTracker(to, 'teams')).length, 0);
    });

    test('after ids were given by a file, new projects and teams take the next free ones', async () => {
      assert.equal((await tracker.addProject(to, { name: 'Later' }, who)).id, 4);
      assert.equal((await tracker.addTeam(to, { name: 'Later' }, who)).id, 3);
    });

    test('SMTP settings: exported without the password (passwordEnv), applied with it, left out removes them', async () => {
      const smtpSecret = 'smtp-horse-battery';
      await createProfile(from, { name: 'mailer', smtp: { host: 'smtp.example.com', user: 'mailer', password: smtpSecret, fromAddress: 'help@example.com' }, threading: { acknowledge: true } }, who);
      const text = await exportConfig(from);
      assert.match(text, /- name: mailer\n {4}threading:\n {6}acknowledge: true\n {4}smtp:\n {6}host: smtp\.example\.com\n {6}tls: starttls\n {6}allowInvalidCertificate: false\n {6}user: mailer\n {6}fromAddress: help@example\.com\n {6}passwordEnv: MAILBIND_SMTP_PASSWORD_MAILER\n/);
      assert.doesNotMatch(text, new RegExp(smtpSecret));
      const third = await openTestStore(dialect);
      try {
        const fresh = assemble(third.store);
        const env = { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET, MAILBIND_SMTP_PASSWORD_MAILER: smtpSecret };
        const missing = await refusal(applyConfig(fresh, text, who, { env: { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET } }));
        assert.deepEqual(missing.details.fields?.map((f) => f.field), ['profiles[3].smtp.passwordEnv']);
        await applyConfig(fresh, text, who, { env });
        assert.equal(await exportConfig(fresh), text, 'the SMTP settings come back byte for byte');
        const other = await applyConfig(fresh, text.replace('host: smtp.example.com', 'host: smtp2.example.com'), who, { dryRun: true, env });
        assert.deepEqual(other.changes.filter((c) => c.change !== 'unchanged').map((c) => c.fields), [['smtp.host']]);
        const without = text.replace(/ {4}smtp:\n(?: {6}.*\n)+/, '');
        const removed = await applyConfig(fresh, without, who, { env });
        assert.deepEqual(removed.changes.filter((c) => c.change !== 'unchanged').map((c) => c.fields), [['smtp']]);
        assert.doesNotMatch(await exportConfig(fresh), /smtp:/);
      } finally {
        await third.cleanup();
      }
    });

    test('an OAuth2 mailbox: exported without its client secret (oauthClientSecretEnv), applied with it, the same secret is no change', async () => {
      const clientSecret = 'GOCSPX-client-secret-marker';
      await createProfile(from, {
        name: 'gmail',
        source: { protocol: 'imap', auth: 'oauth2', oauthProvider: 'google', oauthClientId: 'abc.apps.googleusercontent.com', oauthClientSecret: clientSecret },
      }, who);
      const text = await exportConfig(from);
      assert.match(text, /- name: gmail\n {4}source:\n(?: {6}.*\n)* {6}oauthClientSecretEnv: MAILBIND_OAUTH_CLIENT_SECRET_GMAIL\n/);
      assert.doesNotMatch(text, new RegExp(clientSecret));
      assert.doesNotMatch(text, /oauthClientSecret:|v1:/, 'not even sealed');
      const third = await openTestStore(dialect);
      try {
        const fresh = assemble(third.store);
        const env = { MAILBIND_PASSWORD_SUPPORT_DESK: SECRET, MAILBIND_SMTP_PASSWORD_MAILER: 'smtp-horse-battery', MAILBIND_OAUTH_CLIENT_SECRET_GMAIL: clientSecret };
        const missing = await refusal(applyConfig(fresh, text, who, { env: { ...env, MAILBIND_OAUTH_CLIENT_SECRET_GMAIL: undefined } }));
        assert.ok(missing.details.fields?.some((f) => /\.source\.oauthClientSecretEnv$/.test(f.field) && /not set/.test(f.message)), JSON.stringify(missing.details.fields));
        const written = await refusal(applyConfig(fresh, text.replace('oauthClientSecretEnv: MAILBIND_OAUTH_CLIENT_SECRET_GMAIL', `oauthClientSecret: ${clientSecret}`), who, { env }));
        assert.ok(written.details.fields?.some((f) => /does not belong in this file: .* oauthClientSecretEnv/.test(f.message)), JSON.stringify(written.details.fields));
        await applyConfig(fresh, text, who, { env });
        assert.equal(await exportConfig(fresh), text, 'the OAuth2 settings come back byte for byte');
        // Sealed once, not the ciphertext sealed again: the stored secret opens to the plain one.
        const stored = (await fresh.store.db.selectFrom('profiles').select('source').where('name', '=', 'gmail').executeTakeFirstOrThrow()).source;
        assert.equal(fresh.secrets().decrypt(JSON.parse(stored).oauthClientSecret), clientSecret);
        const again = await applyConfig(fresh, text, who, { dryRun: true, env });
        assert.ok(again.changes.every((c) => c.change === 'unchanged'), JSON.stringify(again.changes));
        const rotated = await applyConfig(fresh, text, who, { dryRun: true, env: { ...env, MAILBIND_OAUTH_CLIENT_SECRET_GMAIL: 'new-secret' } });
        assert.deepEqual(rotated.changes.filter((c) => c.change !== 'unchanged').map((c) => c.fields), [['source.oauthClientSecret']]);
      } finally {
        await third.cleanup();
      }
    });
  });
}
