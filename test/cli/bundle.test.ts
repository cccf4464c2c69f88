// The bundled command line (dist/bundle, what `bin` and `npm start` run, and what every other CLI test
// runs through test/support/cli.ts) keeps its parts lazy: deliver next to a running service loads no chunk holding the mail parser,
// the IMAP client or the engine. esbuild marks each bundled module with a `// path` comment, which
// is how a loaded chunk's contents are recognised.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
