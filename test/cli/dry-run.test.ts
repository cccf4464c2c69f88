// `mailbind rules test` says what `mailbind import` then does, found as a new user would: import a
// message (request 1), then dry-run a reply quoting Ticket#1. Also: rules can be tried before any
// profile exists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, cliJsonLines, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';

let dir: string;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-dryrun-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
  writeFileSync(join(dir, 'first.eml'), makeMessage({ subject: 'Printer on fire' }));
  writeFileSync(join(dir, 'reply.eml'), makeMessage({ subject: 'Re: Printer on fire', body: 'Still burning.\n\n> Ticket#1\n' }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('rules test of a reply quoting Ticket#1 says "commented", and import then comments', async () => {
  await cliJson(['profile', 'add', 'support', '--rules-file', join(dir, 'rules.txt')], env);
  const [first] = await cliJsonLines(['import', '--profile', 'support', join(dir, 'first.eml')], env);
  assert.deepEqual(first.created, [1]);

  const human = await runCli(['rules', 'test', '--profile', 'support', join(dir, 'reply.eml')], env);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /reply to item 1: Ticket#1 in the quoted part of the body names request 1 \(ticket\)/);
  assert.match(human.stdout, /may add to it: alice@example\.com is a requester of request 1/);
  assert.match(human.stdout, /outcome: commented/);
  assert.match(human.stdout, /plan: comment on item 1/);
  const dry = await cliJson(['rules', 'test', '--profile', 'support', join(dir, 'reply.eml')], env);

  const [done] = await cliJsonLines(['import', '--profile', 'support', join(dir, 'reply.eml')], env);
  assert.deepEqual([done.outcome, done.actions], [dry.outcome, dry.actions]);
  assert.deepEqual([done.outcome, done.actions], ['commented', ['comment on item 1']]);
});

test('rules test --rules-file works without a profile', async () => {
  writeFileSync(join(dir, 'try.txt'), "when subject contains 'printer' then attach to project 1\n");
  const r = await cliJson(['rules', 'test', '--rules-file', join(dir, 'try.txt'), join(dir, 'first.eml')], env);
  assert.deepEqual([r.outcome, r.rule, r.actions], ['imported', 1, ['attach to project 1']]);
  const neither = await runCli(['rules', 'test', join(dir, 'first.eml')], env);
  assert.equal(neither.code, 1);
  assert.match(neither.stderr, /needs --profile NAME, --rules-file FILE, or both/);
});

test('rules test prints one line per top-level condition: as written, then why; a compound explains its parts', async () => {
  writeFileSync(join(dir, 'compound.txt'), [
    "when not (from contains 'alice' or sender is known) then ignore because 'a stranger'",
    "when subject contains 'printer' (from contains 'nobody' or has attachment) then attach to project 1",
    "when subject matches /(?<what>printer)/i and not has attachment then create bug in project 1 with title 'About the {what}' and set severity 'High'",
    '',
  ].join('\n'));
  const r = await runCli(['rules', 'test', '--rules-file', join(dir, 'compound.txt'), join(dir, 'first.eml')], env);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  /** The condition lines under a rule's head line and its source line. */
  const after = (head: RegExp) => {
    const at = lines.findIndex((l) => head.test(l));
    assert.ok(at >= 0, `${head} in\n${r.stdout}`);
    const rest = lines.slice(at + 2);
    const end = rest.findIndex((l) => !/^ {4}[✓✗] /.test(l));
    return rest.slice(0, end);
  };
  assert.deepEqual(after(/^rule 1: no/), [
    "    ✗ not (from contains 'alice' or sender is known): from contains 'alice' matched, sender is known not tried → true, negated → false",
  ]);
  assert.deepEqual(after(/^rule 2: no/), [
    "    ✓ subject contains 'printer': subject contains 'printer'",
    "    ✗ from contains 'nobody' or has attachment: from contains 'nobody' did not match, has attachment did not match → false",
  ]);
  assert.deepEqual(after(/^rule 3: MATCHED/), [
    '    ✓ subject matches /(?<what>printer)/i: subject matches /(?<what>printer)/i (what=Printer)',
    '    ✓ not has attachment: the message has no attachments, negated → true',
  ]);
  assert.match(r.stdout, /\nplan: create bug in project 1 with title 'About the Printer' and set severity 'High'\n/);
});
