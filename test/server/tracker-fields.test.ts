// Project codes and item fields over HTTP, on SQLite and PostgreSQL: a code on create and change (null
// clears it), 409 for a clash and 400 at the field for a malformed code; listings and single items carry
// exactly the fields the OpenAPI document declares for them (TrackerProject, TrackerItem).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BuiltinTrackerWriter } from '../../src/tracker/builtin/writer.js';
import { openTestServer, type TestServer } from '../support/http.js';
import { dialects } from '../support/store.js';

type Schema = { properties: Record<string, unknown>; required?: string[] };

for (const dialect of await dialects()) {
  describe(`tracker codes and item fields over HTTP (${dialect})`, () => {
    let s: TestServer;
    let schemas: Record<string, Schema>;
    before(async () => {
      s = await openTestServer(dialect);
      schemas = (await s.call('/api/v1/openapi.json')).json.components.schemas;
    });
    after(() => s.close());

    test('a project is created with a code and changed; a clash is 409, a malformed code 400 at its field', async () => {
      const created = await s.call('/api/v1/tracker/projects', { json: { name: 'Acme support', code: 'ACME' } });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(created.json, { id: created.json.id, name: 'Acme support', code: 'ACME', companyId: null, deleted: false });

      const clash = await s.call('/api/v1/tracker/projects', { json: { name: 'Other', code: 'Acme' } });
      assert.equal(clash.status, 409);
      assert.equal(clash.json.error, `project code Acme is already used by project ${created.json.id}`);
      const bad = await s.call('/api/v1/tracker/projects', { json: { name: 'Other', code: 'A' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.json.errors, [{ field: 'code', message: "'A' is not a project code: 2 to 20 letters, digits or _, starting with a letter" }]);

      const web = await s.call('/api/v1/tracker/projects', { json: { name: 'Web' } });
      assert.equal(web.json.code, null);
      const taken = await s.call(`/api/v1/tracker/projects/${web.json.id}`, { method: 'PATCH', json: { code: 'acme' } });
      assert.equal(taken.status, 409);
      const cleared = await s.call(`/api/v1/tracker/projects/${created.json.id}`, { method: 'PATCH', json: { code: null } });
      assert.equal(cleared.json.code, null);
      const given = await s.call(`/api/v1/tracker/projects/${web.json.id}`, { method: 'PATCH', json: { code: 'acme' } });
      assert.equal(given.status, 200, given.text);
      assert.equal(given.json.code, 'acme');

      const listed = (await s.call('/api/v1/tracker/projects', { token: 'viewer' })).json.projects;
      assert.deepEqual(listed.map((p: { name: string; code: string | null }) => [p.name, p.code]), [['Acme support', null], ['Web', 'acme']]);
      for (const p of listed) assert.deepEqual(Object.keys(p).sort(), Object.keys(schemas.TrackerProject!.properties).sort(), 'as documented');
    });

    test('items carry state, priority, severity, assignee, tags and fields, exactly as documented', async () => {
      const user = await s.call('/api/v1/tracker/users', { json: { email: 'dev@mailbind.test', name: 'Dev' } });
      const project = (await s.call('/api/v1/tracker/projects')).json.projects.find((p: { name: string }) => p.name === 'Web');
      const id = await new BuiltinTrackerWriter(s.t.store.db).createItem({
        kind: 'bug', projectId: project.id, name: 'Login fails', description: '', isPrivate: false, teamId: null, sourceMessageId: null,
        state: 'new', priority: 'High', severity: 'Critical', assigneeUserId: user.json.id, tags: ['login', 'Urgent', 'LOGIN'], fields: { Browser: 'Firefox' },
      });
      const one = await s.call(`/api/v1/tracker/bugs/${id}`, { token: 'viewer' });
      assert.equal(one.status, 200);
      const { state, priority, severity, assigneeId, assignee, tags, fields } = one.json;
      assert.deepEqual({ state, priority, severity, assigneeId, assignee, tags, fields }, {
        state: 'new', priority: 'High', severity: 'Critical', assigneeId: user.json.id, assignee: 'dev@mailbind.test', tags: ['login', 'Urgent'], fields: { Browser: 'Firefox' },
      });
      const [listed] = (await s.call(`/api/v1/tracker/bugs?projectId=${project.id}`)).json.bugs;
      assert.deepEqual(listed, one.json);
      const documented = schemas.TrackerItem!;
      assert.deepEqual(Object.keys(one.json).sort(), Object.keys(documented.properties).sort());
      assert.deepEqual([...(documented.required ?? [])].sort(), Object.keys(documented.properties).sort(), 'every field is always there');

      const changed = await s.call(`/api/v1/tracker/bugs/${id}`, { method: 'PATCH', json: { state: 'closed' } });
      assert.deepEqual(changed.json, { before: 'new', state: 'closed' });
    });
  });
}
