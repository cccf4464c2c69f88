// The bundled command line (dist/bundle, what `bin` and `npm start` run, and what every other CLI test
// runs through test/support/cli.ts) keeps its parts lazy: deliver next to a running service loads no chunk holding the mail parser,
// the IMAP client or the engine. esbuild marks each bundled module with a `// path` comment, which
// is how a loaded chunk's contents are recognised.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/database.js';
import { registerService, unregisterService } from '../../src/store/services.js';
import { CLI as BUNDLE } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { moduleTraceArgs } from '../support/module-trace.js';

let dir: string;
let env: Record<string, string>;
let trace: string[];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-bundle-'));
  env = { PATH: process.env.PATH ?? '', MAILBIND_DATA_DIR: join(dir, 'data') };
  trace = moduleTraceArgs(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function bundled(args: string[], input = '', extra: string[] = [], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...extra, BUNDLE, ...args], { input, env: { ...env, ...extraEnv } });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

test('the bundle finds its version and runs a delivery end to end', () => {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'));
  assert.equal(bundled(['--version']).stdout.trim(), pkg.version);
  assert.equal(bundled(['tracker', 'project', 'add', '--name', 'General']).code, 0);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
  assert.equal(bundled(['profile', 'add', 'support', '--protocol', 'pipe', '--rules-file', join(dir, 'rules.txt')]).code, 0);
  const delivered = bundled(['deliver', '--profile', 'support'], makeMessage({ subject: 'bundled' }).toString());
  assert.equal(delivered.code, 0, delivered.stderr);
  assert.match(delivered.stdout, /^imported\s+#1: rule 1: attach to project 1, create request in project 1 → request 1/);
  const listed = bundled(['messages', 'list', '--json']);
  assert.deepEqual(JSON.parse(listed.stdout).map((m: any) => [m.subject, m.outcome]), [['bundled', 'imported']]);
});

test('deliver from the bundle next to a live service loads no parser, IMAP client or engine', async () => {
  const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR!, create: false });
  await registerService(store.db, { id: 'bundle-test', kind: 'worker', host: 'here', pid: process.pid });
  try {
    const log = join(dir, 'load.log');
    writeFileSync(log, '');
    const r = bundled(['deliver', '--profile', 'support'], makeMessage({ subject: 'queued' }).toString(),
      trace, { MAILBIND_LOAD_LOG: log });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /stored as message 2; the running service processes it/);
    const chunks = readFileSync(log, 'utf8').split('\n').filter((u) => u.includes('/dist/bundle/'));
    const text = chunks.map((u) => readFileSync(fileURLToPath(u), 'utf8')).join('\n');
    assert.match(text, /\/\/ dist\/src\/app\/deliver\.js/, 'the chunk comments are there to read');
    for (const part of ['node_modules/mailparser/', 'node_modules/imapflow/', 'dist/src/engine/process.js', 'node_modules/zod/']) {
      assert.ok(!text.includes(`// ${part}`), `deliver loaded a chunk holding ${part}`);
    }
  } finally {
    await unregisterService(store.db, 'bundle-test');
    await store.close();
  }
});

test('the bundle parses ahead on a parse thread: its script is found beside the chunk that starts it', () => {
  const threaded = { MAILBIND_PARSE_THREADS: '1' };
  writeFileSync(join(dir, 'nothing.txt'), "when subject contains 'no such words' then attach to project 1\n");
  assert.equal(bundled(['profile', 'add', 'threads', '--protocol', 'pipe', '--rules-file', join(dir, 'nothing.txt')]).code, 0);
  // 25 messages, one by one (each processed on its own, all skipped); then all at once (reprocess): the
  // second group of 20 is parsed on the parse thread while the first is recorded.
  const content = Buffer.from('parsed on a parse thread\n'.repeat(30));
  let mbox = '';
  for (let i = 0; i < 25; i++) {
    const spec = i === 22 ? { subject: 'threaded 22', attachment: { name: 'threaded.txt', type: 'text/plain', content } } : { subject: `threaded ${i}` };
    mbox += `From sender@example.com Mon Nov 30 10:00:00 2026\n${makeMessage(spec).toString().replace(/\r\n/g, '\n')}\n`;
  }
  writeFileSync(join(dir, 'threads.mbox'), mbox);
  const imported = bundled(['import', '--profile', 'threads', join(dir, 'threads.mbox')], '', [], threaded);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /25 messages: 25 skipped/);
  assert.equal(bundled(['profile', 'set-rules', 'threads', join(dir, 'rules.txt')]).code, 0);
  const reprocessed = bundled(['messages', 'reprocess', '--profile', 'threads', '--json'], '', [], threaded);
  assert.equal(reprocessed.code, 0, reprocessed.stderr);
  const messages = reprocessed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { subject: string; outcome: string });
  assert.deepEqual(messages.map((m) => m.outcome), Array(25).fill('imported'));
  // The attachment the parse thread wrote was placed under its hash before the group committed.
  const hash = createHash('sha256').update(content).digest('hex');
  assert.ok(existsSync(join(env.MAILBIND_DATA_DIR!, 'blobs', hash.slice(0, 2), hash)));
});

test('a bad MAILBIND_PARSE_THREADS is refused with one line, before any data directory is made', () => {
  const fresh = join(dir, 'never-made');
  const r = bundled(['messages', 'list'], '', [], { MAILBIND_PARSE_THREADS: 'lots', MAILBIND_DATA_DIR: fresh });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), "mailbind: MAILBIND_PARSE_THREADS must be a whole number of parse threads from 0 (parse on the processing thread) to 16, got 'lots'");
  assert.equal(existsSync(fresh), false);
});
