// Project codes and item fields on the command line, on SQLite and PostgreSQL: `tracker project add
// --code`, a clash refused in words, `project update --code` / `--no-code`; listings and `tracker show`
// with the code, and with an item's state, priority, severity, assignee, tags and custom fields.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BuiltinTrackerWriter } from '../../src/tracker/builtin/writer.js';
import { cliJson, runCli } from '../support/cli.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

for (const dialect of await dialects()) {
  describe(`tracker codes and item fields on the command line (${dialect})`, () => {
    let t: TestStore;
    let env: Record<string, string>;

    before(async () => {
      t = await openTestStore(dialect);
      env = { ...t.env, USER: 'tester' };
    });
    after(() => t.cleanup());

    test('project add --code, a clash without case refused naming the holder, update --code and --no-code', async () => {
      const acme = await cliJson<{ id: number; code: string | null }>(['tracker', 'project', 'add', '--name', 'Acme support', '--code', 'ACME'], env);
      assert.equal(acme.code, 'ACME');
      const clash = await runCli(['tracker', 'project', 'add', '--name', 'Other', '--code', 'acme'], env);
      assert.equal(clash.code, 1);
      assert.equal(clash.stderr, `mailbind: project code acme is already used by project ${acme.id}\n`);
      const bad = await runCli(['tracker', 'project', 'add', '--name', 'Other', '--code', '9lives'], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /'9lives' is not a project code: 2 to 20 letters, digits or _, starting with a letter/);

      const web = await cliJson<{ id: number; code: string | null }>(['tracker', 'project', 'add', '--name', 'Web'], env);
      assert.equal(web.code, null);
      const updated = await runCli(['tracker', 'project', 'update', 'Web', '--code', 'WEB'], env);
      assert.equal(updated.stdout, `updated project ${web.id}\tWeb\tcode=WEB\n`);
      assert.equal((await cliJson(['tracker', 'project', 'update', 'Acme support', '--no-code'], env)).code, null);

      const human = await runCli(['tracker', 'list', 'projects'], env);
      assert.equal(human.stdout, `${acme.id}\tAcme support\n${web.id}\tWeb\tcode=WEB\n`);
      assert.deepEqual((await cliJson<Array<{ name: string; code: string | null }>>(['tracker', 'list', 'projects'], env)).map((p) => [p.name, p.code]), [
        ['Acme support', null],
        ['Web', 'WEB'],
      ]);
    });

    test('list and show give an item its state, priority, severity, assignee, tags and custom fields', async () => {
      const user = await cliJson<{ id: number }>(['tracker', 'user', 'add', '--email', 'dev@mailbind.test', '--name', 'Dev'], env);
      const [web] = (await cliJson<Array<{ id: number; name: string }>>(['tracker', 'list', 'projects'], env)).filter((p) => p.name === 'Web');
      const id = await new BuiltinTrackerWriter(t.store.db).createItem({
        kind: 'bug', projectId: web!.id, name: 'Login fails', description: '', isPrivate: false, teamId: null, sourceMessageId: null,
        state: 'new', priority: 'High', severity: 'Critical', assigneeUserId: user.id, tags: ['login', 'Urgent'], fields: { Browser: 'Firefox' },
      });

      const human = await runCli(['tracker', 'list', 'bugs'], env);
      assert.equal(human.code, 0, human.stderr);
      assert.equal(human.stdout, `${id}\tLogin fails\tprojectId=${web!.id} state=new priority=High severity=Critical assignee=dev@mailbind.test tags=login,Urgent fields={"Browser":"Firefox"} isPrivate=false\n`);

      const [row] = await cliJson<Array<Record<string, unknown>>>(['tracker', 'list', 'bugs', '--project', String(web!.id)], env);
      assert.deepEqual([row!.state, row!.priority, row!.severity, row!.assigneeId, row!.assignee, row!.tags, row!.fields], [
        'new', 'High', 'Critical', user.id, 'dev@mailbind.test', ['login', 'Urgent'], { Browser: 'Firefox' },
      ]);

      const shown = await runCli(['tracker', 'show', 'bugs', String(id)], env);
      for (const line of ['state:        new', 'priority:     High', 'severity:     Critical', 'assignee:     dev@mailbind.test', 'tags:         ["login","Urgent"]', 'fields:       {"Browser":"Firefox"}']) {
        assert.ok(shown.stdout.split('\n').includes(line), `${line} in\n${shown.stdout}`);
      }
      const state = await runCli(['tracker', 'bug', 'state', String(id), 'In Progress'], env);
      assert.match(state.stdout, /^updated bug \d+\tLogin fails\t.*state=in-progress /);
    });
  });
}
