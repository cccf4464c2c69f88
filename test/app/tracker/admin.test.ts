// Tracker administration through the use cases the CLI and the API share: create, update and delete
// with field errors in words, conflicts for what is still referred to, item states, attachments, and
// one audit entry per change.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type App } from '../../../src/app/app.js';
import { readAudit } from '../../../src/app/audit.js';
import { cliPrincipal } from '../../../src/app/principal.js';
import * as tracker from '../../../src/app/tracker.js';
import { BlobStore } from '../../../src/store/blobs.js';
import { BuiltinTrackerWriter } from '../../../src/tracker/builtin/writer.js';
import { refusal } from '../../support/refusal.js';
import { dialects, openTestStore, type TestStore } from '../../support/store.js';

const who = cliPrincipal('tester');


for (const dialect of await dialects()) {
  describe(`tracker administration (${dialect})`, () => {
    let t: TestStore;
    let app: App;

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
    });
    after(() => t.cleanup());

    test('a company is created, renamed and given new domains; each change is in the audit log', async () => {
      const created = await tracker.addCompany(app, { name: 'Acme', domains: ['ACME.example', '@acme.test'] }, who);
      assert.deepEqual(created.domains, ['acme.example', 'acme.test']);
      const updated = await tracker.updateCompany(app, 'acme', { name: 'Acme Corp', domains: ['acme.example', 'acme.org'] }, who);
      assert.deepEqual({ name: updated.name, domains: updated.domains }, { name: 'Acme Corp', domains: ['acme.example', 'acme.org'] });
      assert.deepEqual(await tracker.getTrackerObject(app, 'companies', created.id), updated);
      const audit = (await readAudit(app)).entries.filter((e) => e.action.startsWith('company.'));
      assert.deepEqual(audit.map((e) => [e.action, e.target, e.actor]), [
        ['company.update', 'company Acme Corp', 'cli:tester'],
        ['company.create', 'company Acme', 'cli:tester'],
      ]);
    });

    test('bad input is refused with every field error in words, and nothing is stored', async () => {
      const error = await refusal(tracker.addCompany(app, { name: 'Broken', domains: ['exa mple.com', 'ok.example', 'bad_domain!'] }, who));
      assert.equal(error.category, 'user');
      assert.deepEqual(error.details.fields, [
        { field: 'domains', message: "'exa mple.com' is not a domain name" },
        { field: 'domains', message: "'bad_domain!' is not a domain name" },
      ]);
      assert.deepEqual((await refusal(tracker.addTeam(app, { name: '  ' }, who))).details.fields, [{ field: 'name', message: 'Name should not be empty' }]);
      assert.deepEqual((await refusal(tracker.addUser(app, { email: 'nobody', name: 'N' }, who))).details.fields, [
        { field: 'email', message: "'nobody' is not an email address" },
      ]);
      assert.equal((await tracker.listTracker(app, 'companies')).some((c) => c.name === 'Broken'), false);
    });

    test('names, addresses and domains are taken once: a conflict naming the owner', async () => {
      const other = await tracker.addCompany(app, { name: 'Other', domains: ['other.example'] }, who);
      const domain = await refusal(tracker.updateCompany(app, other.id, { domains: ['acme.org'] }, who));
      assert.equal(domain.category, 'conflict');
      assert.deepEqual(domain.details.fields, [{ field: 'domains', message: "'acme.org' already belongs to company 'Acme Corp'" }]);
      const name = await refusal(tracker.addCompany(app, { name: 'ACME CORP' }, who));
      assert.equal(name.category, 'conflict');
      assert.match(name.message, /a company named 'ACME CORP' already exists/);
      await tracker.addProject(app, { name: 'General' }, who);
      assert.equal((await refusal(tracker.addProject(app, { name: 'general' }, who))).category, 'conflict');
    });

    test('a company still holding projects or requesters cannot be deleted; an empty one can', async () => {
      const project = await tracker.addProject(app, { name: 'Acme support', company: 'Acme Corp' }, who);
      await tracker.addRequester(app, { email: 'Jo@acme.example', name: 'Jo', company: 'Acme Corp' }, who);
      const refused = await refusal(tracker.deleteCompany(app, 'Acme Corp', who));
      assert.equal(refused.category, 'conflict');
      assert.equal(refused.message, "company 'Acme Corp' still has 1 project and 1 requester; move them to another company or delete them first");
      assert.ok(await tracker.getTrackerObject(app, 'companies', (await tracker.listTracker(app, 'companies'))[0]!.id));

      await tracker.updateProject(app, project.id, { company: null }, who);
      await tracker.updateRequester(app, 'jo@acme.example', { company: null }, who);
      const deleted = await tracker.deleteCompany(app, 'Acme Corp', who);
      assert.equal(deleted.name, 'Acme Corp');
      assert.equal((await refusal(tracker.getTrackerObject(app, 'companies', deleted.id))).category, 'not-found');
      // Its domains went with it: another company may have them now.
      await tracker.updateCompany(app, 'Other', { domains: ['acme.org'] }, who);
    });

    test('a project is marked deleted and restored, never removed; the audit log names which', async () => {
      const project = await tracker.addProject(app, { name: 'Short-lived' }, who);
      assert.equal((await tracker.setProjectDeleted(app, 'Short-lived', true, who)).deleted, true);
      assert.equal((await tracker.setProjectDeleted(app, project.id, false, who)).deleted, false);
      const actions = (await readAudit(app, { limit: 2 })).entries.map((e) => e.action);
      assert.deepEqual(actions, ['project.restore', 'project.delete']);
    });

    test('teams, users and requesters are updated and deleted; deletion is refused while items or mail refer to them', async () => {
      const team = await tracker.addTeam(app, { name: 'Support' }, who);
      assert.equal((await tracker.updateTeam(app, team.id, { name: 'Second line' }, who)).name, 'Second line');
      const user = await tracker.addUser(app, { email: 'staff@mailbind.test', name: 'Staff' }, who);
      assert.deepEqual(await tracker.updateUser(app, 'STAFF@mailbind.test', { name: 'Staff Member', email: 'team@mailbind.test' }, who), {
        id: user.id, email: 'team@mailbind.test', name: 'Staff Member',
      });

      const general = (await tracker.listTracker(app, 'projects')).find((p) => p.name === 'General')!;
      const writer = new BuiltinTrackerWriter(t.store.db);
      const requester = await tracker.addRequester(app, { email: 'writer@example.net' }, who);
      const item = await writer.createItem({ kind: 'request', projectId: general.id, name: 'Help', description: '', isPrivate: true, teamId: team.id, sourceMessageId: null });
      await writer.linkRequesters(item, [requester.id]);

      const teamRefused = await refusal(tracker.deleteTeam(app, team.id, who));
      assert.equal(teamRefused.category, 'conflict');
      assert.match(teamRefused.message, /team 'Second line' still has 1 item/);
      assert.equal((await refusal(tracker.deleteRequester(app, 'writer@example.net', who))).category, 'conflict');

      const idle = await tracker.addTeam(app, { name: 'Idle' }, who);
      assert.equal((await tracker.deleteTeam(app, 'Idle', who)).id, idle.id);
      assert.equal((await tracker.deleteUser(app, user.id, who)).email, 'team@mailbind.test');
      assert.equal((await refusal(tracker.deleteUser(app, user.id, who))).category, 'not-found');
    });

    test("a request's state is set, checked against the states there are, and audited with before and after", async () => {
      const [request] = await tracker.listTracker(app, 'requests');
      assert.equal(request!.state, 'open', 'new items are open');
      await tracker.setItemState(app, 'request', request!.id, 'In Progress', who);
      assert.equal((await tracker.getTrackerObject(app, 'requests', request!.id)).state, 'in-progress', 'any case, a space for the hyphen');
      const [entry] = (await readAudit(app, { limit: 1 })).entries;
      assert.deepEqual([entry!.action, entry!.target, entry!.details], ['request.state', `request ${request!.id}`, { from: 'open', to: 'in-progress' }]);

      const bad = await refusal(tracker.setItemState(app, 'request', request!.id, 'shelved', who));
      assert.deepEqual(bad.details.fields, [{ field: 'state', message: "'shelved' is not a state: choose one of new, open, in-progress, done, closed" }]);
      // The id of a request is not the id of a bug.
      assert.equal((await refusal(tracker.setItemState(app, 'bug', request!.id, 'done', who))).category, 'not-found');
    });

    test('an attachment is offered with a safe file name and its bytes as a stream', async () => {
      const [request] = await tracker.listTracker(app, 'requests');
      const blob = await new BlobStore(t.dataDir).save(Buffer.from('%PDF-1.4 report'));
      const writer = new BuiltinTrackerWriter(t.store.db);
      const [id] = await writer.addAttachments({ itemId: request!.id }, [
        { blobRef: blob.ref, fileName: '../../etc/report\u202Efdp.exe', contentType: 'application/pdf', size: blob.size, contentId: null, inline: false },
      ]);
      const download = await tracker.openAttachment(app, id!);
      assert.equal(download.fileName, 'reportfdp.exe');
      assert.equal(download.contentType, 'application/pdf');
      const chunks: Buffer[] = [];
      for await (const chunk of download.stream) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), '%PDF-1.4 report');
      assert.equal((await refusal(tracker.openAttachment(app, 9999))).category, 'not-found');
    });
  });
}
