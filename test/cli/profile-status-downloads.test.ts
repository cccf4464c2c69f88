// `mailbind profile status` names the messages the latest poll could not download, under the profile's
// poll line: how many, each listed one with since when and why, and how many more; --json has the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/app/app.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { LISTED_DOWNLOAD_FAILURES, recordPollSuccess } from '../../src/sources/status.js';
import { cliJson, runCli } from '../support/cli.js';
import { openTestStore, type TestStore } from '../support/store.js';

let t: TestStore;

before(async () => {
  t = await openTestStore('sqlite');
  const app = assemble(t.store);
  const next = new Date(Date.now() + 60_000).toISOString();
  const one = (await createProfile(app, { name: 'one', source: { protocol: 'pop3', host: 'mail.example', login: 'a', password: 'pw' } }, cliPrincipal('test'))).profile;
  const many = (await createProfile(app, { name: 'many', source: { protocol: 'pop3', host: 'mail.example', login: 'b', password: 'pw' } }, cliPrincipal('test'))).profile;
  await createProfile(app, { name: 'fine', source: { protocol: 'pop3', host: 'mail.example', login: 'c', password: 'pw' } }, cliPrincipal('test'));
  await recordPollSuccess(t.store.db, one.id, next, [{ key: 'pop3:a@mail.example:u7', error: 'RETR refused by the server: -ERR unreadable' }]);
  await recordPollSuccess(t.store.db, many.id, next, Array.from({ length: 23 }, (_, i) => ({ key: `pop3:b@mail.example:u${i}`, error: 'refused' })));
});
after(() => t.cleanup());

test('profile status lists what could not be downloaded under its profile; nothing for a profile without', async () => {
  const r = await runCli(['profile', 'status'], t.env);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const under = (name: string) => {
    const at = lines.findIndex((l) => l.startsWith(`${name} (`));
    const end = lines.findIndex((l, i) => i > at && !l.startsWith(' '));
    return lines.slice(at + 1, end < 0 ? undefined : end);
  };
  const one = under('one');
  assert.equal(one[0], '  not downloaded: 1 message (each stays on the server; every poll tries again)');
  assert.match(one[1]!, /^ {4}pop3:a@mail\.example:u7 since \d{4}-\d\d-\d\dT[\d:.]+Z: RETR refused by the server: -ERR unreadable$/);
  assert.equal(one.length, 2);
  const many = under('many');
  assert.equal(many[0], '  not downloaded: 23 messages (each stays on the server; every poll tries again)');
  assert.equal(many.length, 1 + LISTED_DOWNLOAD_FAILURES + 1);
  assert.equal(many.at(-1), '    and 3 more');
  assert.deepEqual(under('fine'), []);

  const json = await cliJson(['profile', 'status', 'one'], t.env);
  assert.equal(json.downloadFailures.total, 1);
  assert.equal(json.downloadFailures.first[0].key, 'pop3:a@mail.example:u7');
});
