// The import progress bar appears on a terminal (a real pseudo-terminal from util-linux `script`) when
// there are more than 50 messages, and never in piped output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cliJson, runCli } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';

let dir: string;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-progress-'));
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1\n');
  await cliJson(['profile', 'add', '--name', 'p', '--rules-file', join(dir, 'rules.txt')], env);
  for (const [folder, count] of [['many', 60], ['few', 3]] as const) {
    mkdirSync(join(dir, folder));
    for (let i = 0; i < count; i++) writeFileSync(join(dir, folder, `${i}.eml`), makeMessage({ subject: `${folder} ${i}` }));
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

function onTerminal(args: string[]): string {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return execFileSync('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
}

test('on a terminal, more than 50 messages get a progress bar and a summary', { skip: !existsSync('/usr/bin/script') && 'no util-linux script' }, () => {
  const out = onTerminal(['import', '--profile', 'p', join(dir, 'many')]);
  assert.match(out, /\[#{30}\] 60\/60/);
  assert.match(out, /60 messages: 60 imported/);
  const few = onTerminal(['import', '--profile', 'p', join(dir, 'few')]);
  assert.doesNotMatch(few, /\[[#.]+\]/);
  assert.match(few, /imported +.*few\/0\.eml: rule 1: attach to project 1/);
});

test('piped output never has a progress bar', async () => {
  const r = await runCli(['import', '--profile', 'p', join(dir, 'many')], env);
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stdout + r.stderr, /\[[#.]+\]/);
  assert.match(r.stdout, /60 messages: 60 already imported/);
});
