// Every full message of ../shared/corpus imports through the CLI with an outcome and without a crash;
// importing the same messages again creates nothing. Also folders, mbox and Maildir.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { cliJson, cliJsonLines, runCli } from '../support/cli.js';
import { corpusMessages, corpusSkip } from '../support/mail-corpus.js';
import { makeMessage } from '../support/messages.js';

const OUTCOMES = new Set(['imported', 'commented', 'skipped', 'ignored', 'failed']);
const HEADERLESS = ['malformedHeader-noheader.msg', 'malformedHeaderStartsBody-noheader.msg', 'msg_19.txt'];
let dir: string;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-import-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'rules.txt'), "when subject contains 'delivery' then attach to project 1\nthen attach to project 1 and create request in project 1\n");
  await cliJson(['profile', 'add', '--name', 'corpus', '--rules-file', join(dir, 'rules.txt')], env);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('every full corpus message imports with an outcome; a second import creates nothing', { skip: corpusSkip() }, async () => {
  const files = corpusMessages().map((m) => m.path);
  assert.equal(files.length, 340);
  const all = await cliJsonLines(['import', '--profile', 'corpus', ...files], env);
  assert.equal(all.length, files.length);
  // Three corpus files are bodies without any header: import refuses them as deliver does.
  const notMail = all.filter((l) => l.outcome === 'not-mail');
  assert.deepEqual(notMail.map((l) => basename(l.file)).sort(), HEADERLESS);
  const first = all.filter((l) => l.outcome !== 'not-mail');
  for (const line of first) {
    assert.ok(OUTCOMES.has(line.outcome), `${line.file}: outcome ${line.outcome} (${line.reason})`);
    assert.equal(typeof line.messageId === 'string' || line.outcome === 'failed', true, `${line.file} has no messageId`);
  }
  const byOutcome = (lines: any[]) => lines.reduce((acc, l) => ({ ...acc, [l.outcome]: (acc[l.outcome] ?? 0) + 1 }), {} as Record<string, number>);
  const counts = byOutcome(first);
  assert.ok(counts.imported > 200, `most corpus mail is imported: ${JSON.stringify(counts)}`);
  assert.ok(counts.ignored > 40, `bounces and auto-replies are ignored: ${JSON.stringify(counts)}`);

  const requestsBefore = (await cliJson(['tracker', 'list', 'requests'], env)).length;
  const messagesBefore = (await cliJson(['tracker', 'list', 'messages'], env)).length;
  const requestersBefore = (await cliJson(['tracker', 'list', 'requesters'], env)).length;
  const second = (await cliJsonLines(['import', '--profile', 'corpus', ...files], env)).filter((l) => l.outcome !== 'not-mail');
  assert.equal(second.length, first.length);
  assert.ok(second.every((l) => l.duplicate === true && l.created.length === 0));
  assert.deepEqual(byOutcome(second), counts, 'the second run reports the recorded outcomes');
  assert.equal((await cliJson(['tracker', 'list', 'requests'], env)).length, requestsBefore);
  assert.equal((await cliJson(['tracker', 'list', 'messages'], env)).length, messagesBefore);
  assert.equal((await cliJson(['tracker', 'list', 'requesters'], env)).length, requestersBefore);
  // Upstream sets share a few byte-identical messages: those are one inbox item each.
  const unique = first.filter((l) => !l.duplicate).length;
  assert.ok(unique >= first.length - 10, `only byte-identical copies are duplicates (${unique} unique)`);
  const inbox = await cliJson(['messages', 'list', '--profile', 'corpus'], env);
  assert.equal(inbox.length, unique);
});

test('folders, mbox files and Maildir folders; the same folder twice creates nothing', async () => {
  const folder = join(dir, 'folder');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  writeFileSync(join(folder, 'one.eml'), makeMessage({ subject: 'one', messageId: 'one@x' }));
  writeFileSync(join(folder, 'sub', 'two.eml'), makeMessage({ subject: 'two', messageId: 'two@x' }));
  writeFileSync(join(folder, 'README.md'), '# not mail\n');
  const mbox = [
    'From alice@example.com Tue Nov 24 10:00:00 2026',
    makeMessage({ subject: 'mbox one', messageId: 'm1@x', body: 'line\n>From the start' }).toString().replace(/\r\n/g, '\n'),
    'From bob@example.com Tue Nov 24 10:01:00 2026',
    makeMessage({ subject: 'mbox two', messageId: 'm2@x' }).toString().replace(/\r\n/g, '\n'),
  ].join('\n');
  writeFileSync(join(folder, 'archive.mbox'), mbox);
  const maildir = join(dir, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  writeFileSync(join(maildir, 'new', '1.host'), makeMessage({ subject: 'maildir new', messageId: 'md1@x' }));
  writeFileSync(join(maildir, 'cur', '2.host:2,S'), makeMessage({ subject: 'maildir cur', messageId: 'md2@x' }));

  const lines = await cliJsonLines(['import', '--profile', 'corpus', folder, maildir], env);
  // The README next to the messages is reported, not imported.
  assert.deepEqual(lines.filter((l) => l.skipped), [
    { file: join(folder, 'README.md'), outcome: 'not-mail', reason: 'not a mail file (.md is not a mail extension)', skipped: true },
  ]);
  const first = lines.filter((l) => !l.skipped);
  assert.deepEqual(first.map((l) => l.subject).sort(), ['maildir cur', 'maildir new', 'mbox one', 'mbox two', 'one', 'two']);
  assert.ok(first.every((l) => l.outcome === 'imported' && l.created.length === 1));
  const second = (await cliJsonLines(['import', '--profile', 'corpus', folder, maildir], env)).filter((l) => !l.skipped);
  assert.equal(second.length, 6);
  assert.ok(second.every((l) => l.duplicate && l.created.length === 0));

  const human = await runCli(['import', '--profile', 'corpus', folder], env);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /^4 messages: 4 already imported; 1 not mail$/m);
});
