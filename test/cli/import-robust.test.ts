// Issue 7 for import: nothing stranded, nothing skipped, nothing twice. Non-mail is refused and counted,
// an unreadable file is reported and the rest goes on, and messages an earlier run stored but never
// finished (it was killed) are processed by the next run, each exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cliJson, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { openTestStore, type TestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { claimDueItems, listInboxItems } from '../../src/store/inbox.js';

let dir: string;
let t: TestStore;
let env: Record<string, string>;
let profileCount = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-import-robust-'));
  t = await openTestStore('sqlite');
  env = t.env;
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
});
after(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh profile (so each test counts only its own messages); its name and id. */
async function newProfile(): Promise<{ name: string; id: number }> {
  profileCount += 1;
  const name = `p${profileCount}`;
  const profile = await cliJson(['profile', 'add', '--name', name, '--rules-file', join(dir, 'rules.txt')], env);
  return { name, id: profile.id };
}

/** Random bytes that cannot start like a header by chance. */
function junk(size: number): Buffer {
  return Buffer.concat([Buffer.from([0]), randomBytes(size - 1)]);
}

function jsonLines(stdout: string): any[] {
  return stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

function mail(subject: string): Buffer {
  return makeMessage({ subject, messageId: `${subject.replace(/\W/g, '-')}-${randomBytes(4).toString('hex')}@x` });
}

test('named files that are not mail are refused, never stored; exit 1 when nothing given was mail', async () => {
  const p = await newProfile();
  const empty = join(dir, 'empty.eml');
  const random = join(dir, 'random.bin');
  const binary = join(dir, 'ls');
  writeFileSync(empty, '');
  writeFileSync(random, junk(64 * 1024));
  copyFileSync('/bin/ls', binary);

  const r = await runCli(['import', '--profile', p.name, empty, random, binary, '--json'], env);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(jsonLines(r.stdout), [
    { file: empty, outcome: 'not-mail', reason: 'empty file', skipped: true },
    { file: random, outcome: 'not-mail', reason: 'not a mail message (it does not start with a header)', skipped: true },
    { file: binary, outcome: 'not-mail', reason: 'not a mail message (it does not start with a header)', skipped: true },
  ]);
  assert.match(r.stderr, /^0 messages; 3 not mail$/m);
  assert.match(r.stderr, /nothing imported: no path given held a mail message/);
  assert.equal((await listInboxItems(t.store.db, { profileId: p.id })).length, 0, 'nothing stored');

  // With one real message among them: the junk is still reported, the message imported, exit 0.
  const good = join(dir, 'good.eml');
  writeFileSync(good, mail('named good'));
  const human = await runCli(['import', '--profile', p.name, empty, good], env);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`^not-mail  ${empty}: empty file$`, 'm'));
  assert.match(human.stdout, new RegExp(`^imported  ${good}: rule 1:`, 'm'));
  assert.match(human.stdout, /^1 message: 1 imported; 1 not mail$/m);
  assert.equal((await listInboxItems(t.store.db, { profileId: p.id })).length, 1);
});

test('inside a folder: junk is reported and counted; an unreadable entry is reported on stderr and the rest goes on', async () => {
  const p = await newProfile();
  const folder = join(dir, 'mixed');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  writeFileSync(join(folder, 'a.eml'), mail('folder a'));
  writeFileSync(join(folder, 'b-empty.eml'), '');
  symlinkSync(join(folder, 'gone.eml'), join(folder, 'c-dangling.eml'));
  execFileSync('mkfifo', [join(folder, 'd-fifo.eml')]);
  writeFileSync(join(folder, 'e-random'), junk(4096));
  copyFileSync('/bin/ls', join(folder, 'f-ls'));
  writeFileSync(join(folder, 'g-notes.md'), 'Subject: looks like a header, but a .md file in a folder is not mail\n');
  writeFileSync(join(folder, 'sub', 'h.eml'), mail('folder h'));
  symlinkSync(join(folder, 'a.eml'), join(folder, 'i-link.eml')); // a link to mail is followed
  symlinkSync(folder, join(folder, 'sub', 'loop')); // a link back up the tree is walked once

  const r = await runCli(['import', '--profile', p.name, folder], env);
  assert.equal(r.code, 1, 'an unreadable file makes the run exit 1');
  const stdout = r.stdout.split('\n').filter(Boolean);
  assert.deepEqual(stdout.map((l) => l.split(' ')[0]), ['imported', 'not-mail', 'not-mail', 'not-mail', 'not-mail', 'imported', 'imported', '3']);
  assert.match(r.stdout, /not-mail  .*b-empty\.eml: empty file/);
  assert.match(r.stdout, /not-mail  .*e-random: not a mail message \(it does not start with a header\)/);
  assert.match(r.stdout, /not-mail  .*f-ls: not a mail message/);
  assert.match(r.stdout, /not-mail  .*g-notes\.md: not a mail file \(\.md is not a mail extension\)/);
  assert.match(r.stdout, /^imported  .*sub\/h\.eml: rule 1/m);
  // The link is the same bytes as a.eml: already in the inbox, nothing new.
  assert.match(r.stdout, /i-link\.eml: .*\(already in the inbox; nothing new\)/);
  assert.match(r.stdout, /^3 messages: 2 imported, 1 already imported; 4 not mail, 2 unreadable$/m);
  const stderr = r.stderr.split('\n').filter(Boolean);
  assert.deepEqual(stderr, [
    `mailbind: cannot read ${join(folder, 'c-dangling.eml')}: no such file or folder (or a symbolic link to nothing)`,
    `mailbind: cannot read ${join(folder, 'd-fifo.eml')}: not a regular file (a named pipe)`,
  ]);
  assert.equal((await listInboxItems(t.store.db, { profileId: p.id })).length, 2, 'only the two messages are stored');

  const json = jsonLines((await runCli(['import', '--profile', p.name, folder, '--json'], env)).stdout);
  assert.deepEqual(
    json.filter((l) => l.outcome === 'unreadable').map((l) => l.file),
    [join(folder, 'c-dangling.eml'), join(folder, 'd-fifo.eml')],
  );

  // A missing path named on the command line is reported the same way; the other paths are imported.
  const missing = await runCli(['import', '--profile', p.name, join(dir, 'no-such.eml'), join(folder, 'sub', 'h.eml')], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*no-such\.eml: no such file or folder/);
  assert.match(missing.stdout, /^1 message: 1 already imported; 1 unreadable$/m);
});

test('an mbox entry that is not mail is reported; an empty mbox is not mail', async () => {
  const p = await newProfile();
  const mbox = join(dir, 'mixed.mbox');
  const message = mail('mbox good').toString().replace(/\r\n/g, '\n');
  // The first line of an mbox always opens an entry; a later "From " line does only before a header.
  writeFileSync(mbox, ['From b@x Tue Nov 24 10:01:00 2026', 'just text, no header', '', 'From a@x Tue Nov 24 10:00:00 2026', message].join('\n'));
  writeFileSync(join(dir, 'empty.mbox'), '');
  const r = await runCli(['import', '--profile', p.name, mbox, join(dir, 'empty.mbox')], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^not-mail  .*mixed\.mbox#1: not a mail message/m);
  assert.match(r.stdout, /^imported  .*mixed\.mbox#2: /m);
  assert.match(r.stdout, /^not-mail  .*empty\.mbox: empty file$/m);
  assert.match(r.stdout, /^1 message: 1 imported; 2 not mail$/m);
});

test('a Maildir: cur/ and new/ are messages; other folders in it are walked too; tmp/ and its index files are its own', async () => {
  const p = await newProfile();
  const box = join(dir, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp', 'archive', join('new', 'sub')]) mkdirSync(join(box, sub), { recursive: true });
  writeFileSync(join(box, 'cur', '1700000000.1.host:2,S'), mail('maildir cur'));
  writeFileSync(join(box, 'new', '1700000001.2.host'), mail('maildir new'));
  writeFileSync(join(box, 'new', 'sub', '2'), mail('maildir nested'));
  writeFileSync(join(box, 'archive', '1.eml'), mail('maildir archive'));
  writeFileSync(join(box, 'tmp', '1700000002.3.host'), 'Subject: half written');
  writeFileSync(join(box, 'dovecot-uidlist'), '3 V1 N4\n');
  const lines = jsonLines((await runCli(['import', '--profile', p.name, box, '--json'], env)).stdout);
  assert.deepEqual(lines.map((l) => l.subject).sort(), ['maildir archive', 'maildir cur', 'maildir nested', 'maildir new']);
});

test('a message stored earlier without an outcome is processed now if due, else reported as not yet processed', async () => {
  const p = await newProfile();
  const folder = join(dir, 'earlier');
  mkdirSync(folder);
  const files = ['due', 'held', 'fresh'].map((name) => {
    const path = join(folder, `${name}.eml`);
    writeFileSync(path, mail(`earlier ${name}`));
    return path;
  });
  // As a killed import leaves them: "due" stored but never claimed; "held" claimed by a worker whose
  // lease has not run out yet. Plus one message of the profile that is not in the folder at all.
  const { item: other } = await intakeMessage(t.store, makeMessage({ subject: 'earlier, elsewhere' }), { profileId: p.id });
  await intakeMessage(t.store, readFileSync(files[0]!), { profileId: p.id });
  const { item: held } = await intakeMessage(t.store, readFileSync(files[1]!), { profileId: p.id });
  await claimDueItems(t.store, { limit: 1, leaseMs: 5 * 60_000, ids: [held.id] });

  const r = await runCli(['import', '--profile', p.name, folder, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  const byFile = new Map(lines.map((l) => [l.file, l]));
  assert.deepEqual(pick(byFile.get(files[0])), { outcome: 'imported', duplicate: false, storedEarlier: true });
  assert.deepEqual(pick(byFile.get(files[1])), { outcome: 'pending', duplicate: true, storedEarlier: true });
  assert.equal(byFile.get(files[1])!.reason, 'stored earlier, not yet processed');
  assert.deepEqual(pick(byFile.get(files[2])), { outcome: 'imported', duplicate: false });
  // The profile's other unfinished message is processed too, after the paths.
  assert.deepEqual(pick(lines.at(-1)), { outcome: 'imported', duplicate: false, storedEarlier: true });
  assert.equal(lines.at(-1).itemId, other.id);
  assert.match(r.stderr, /^4 messages: 3 imported, 1 stored earlier, not yet processed; 2 stored earlier were processed now$/m);
});

function pick(line: any): Record<string, unknown> {
  return { outcome: line.outcome, duplicate: line.duplicate, ...(line.storedEarlier ? { storedEarlier: true } : {}) };
}


test('import killed mid-folder (SIGKILL): the next runs process every message exactly once', async () => {
  const p = await newProfile();
  const folder = join(dir, 'crash');
  mkdirSync(folder);
  const N = 200;
  const body = 'A line of text that makes the message a little longer.\n'.repeat(200);
  for (let i = 0; i < N; i++) {
    writeFileSync(join(folder, `${String(i).padStart(3, '0')}.eml`), makeMessage({ subject: `crash ${i}`, messageId: `crash-${i}@x`, body }));
  }
  const child = spawn(process.execPath, [CLI, 'import', '--profile', p.name, folder], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: 'ignore',
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  await waitFor(
    async () => {
      assert.ok(!exited, 'the import finished before it could be killed: make the folder larger');
      return (await listInboxItems(t.store.db, { profileId: p.id })).length >= 20;
    },
    { what: 'the import to store some messages', timeoutMs: 30_000, intervalMs: 10 },
  );
  child.kill('SIGKILL');
  await exit;
  const stored = await listInboxItems(t.store.db, { profileId: p.id });
  assert.ok(stored.length < N, `killed partway (${stored.length} of ${N} stored)`);
  const held = stored.filter((i) => i.state === 'processing').map((i) => i.id);
  const pending = stored.filter((i) => i.state === 'pending').map((i) => i.id);
  const done = stored.filter((i) => i.outcome).length;

  // At once: what the killed run left pending is processed now; what it held in 'processing' has a
  // lease that has not run out, so it is reported as not yet processed and never counted as imported.
  const again = await runCli(['import', '--profile', p.name, folder, '--json'], env);
  assert.equal(again.code, 0, again.stderr);
  const lines = jsonLines(again.stdout);
  for (const line of lines.filter((l) => held.includes(l.itemId))) {
    assert.deepEqual(pick(line), { outcome: 'pending', duplicate: true, storedEarlier: true });
  }
  for (const line of lines.filter((l) => pending.includes(l.itemId))) {
    assert.deepEqual(pick(line), { outcome: 'imported', duplicate: false, storedEarlier: true });
  }
  const waitingPart = held.length ? `, ${held.length} stored earlier, not yet processed` : '';
  const nowPart = pending.length ? `; ${pending.length} stored earlier ${pending.length === 1 ? 'was' : 'were'} processed now` : '';
  assert.match(
    again.stderr,
    new RegExp(`^${N} messages: ${N - done - held.length} imported, ${done} already imported${waitingPart}${nowPart}$`, 'm'),
  );

  // The held claim runs out (the 30 s lease of a command's claim; a dead service's is taken over sooner):
  // the next run processes those too.
  await t.store.db.updateTable('inbox_items').set({ lease_until: new Date(Date.now() - 1000).toISOString() }).where('state', '=', 'processing').execute();
  const last = await runCli(['import', '--profile', p.name, folder], env);
  assert.equal(last.code, 0, last.stderr);
  const heldPart = held.length ? `${held.length} imported, ` : '';
  const heldNow = held.length ? `; ${held.length} stored earlier ${held.length === 1 ? 'was' : 'were'} processed now` : '';
  assert.match(last.stdout, new RegExp(`^${N} messages: ${heldPart}${N - held.length} already imported${heldNow}$`, 'm'));

  const items = await listInboxItems(t.store.db, { profileId: p.id });
  assert.equal(items.length, N);
  assert.ok(items.every((i) => i.outcome === 'imported' && (i.created.requests ?? []).length === 1));
  const requestIds = new Set(items.flatMap((i) => i.created.requests ?? []));
  assert.equal(requestIds.size, N, 'one request per message');
  const requests = await cliJson(['tracker', 'list', 'requests'], env);
  const ours = requests.filter((r: any) => requestIds.has(r.id));
  assert.equal(ours.length, N, 'N messages → N requests, none twice');
});
