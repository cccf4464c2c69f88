// Commands load only what they use: `--help` loads no mail client, tracker or database library, and
// `deliver` (run by a mail server once per message) loads no IMAP or POP3 client, and with a service
// running not even the parser or the engine. Checked by tracing
// every module Node resolves, through a module hook (node:module register), in a real process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/database.js';
import { registerService, unregisterService } from '../../src/store/services.js';
import { CLI_MODULES, cliJson } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { moduleTraceArgs } from '../support/module-trace.js';

let dir: string;
let env: Record<string, string>;
let trace: string[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-startup-'));
  trace = moduleTraceArgs(dir);
  env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  await cliJson(['profile', 'add', 'support', '--protocol', 'pipe'], env);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The module URLs a CLI run resolved. */
function modulesLoadedBy(args: string[], input = ''): string[] {
  const log = join(dir, `load-${args[0]}.log`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, [...trace, CLI_MODULES, ...args], {
    input,
    env: { PATH: process.env.PATH ?? '', ...env, MAILBIND_LOAD_LOG: log },
  });
  assert.equal(r.status, 0, r.stderr.toString());
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

const loads = (urls: string[], part: string) => urls.some((u) => u.includes(part));

test('--help loads no mail client, parser, tracker or database library', () => {
  const urls = modulesLoadedBy(['--help']);
  assert.ok(loads(urls, '/node_modules/commander/'), 'the trace works');
  for (const part of ['/node_modules/imapflow/', '/sources/pop3/', '/tracker/builtin/index', '/node_modules/kysely/', '/node_modules/mailparser/', '/node_modules/zod/', '/node_modules/pg/']) {
    assert.ok(!loads(urls, part), `--help loaded ${part}`);
  }
});

test('deliver stores and processes a message without loading an IMAP or POP3 client', () => {
  const urls = modulesLoadedBy(['deliver', '--profile', 'support'], makeMessage().toString());
  assert.ok(loads(urls, '/src/app/deliver.js') && loads(urls, '/node_modules/kysely/'), 'the trace works');
  for (const part of ['/node_modules/imapflow/', '/sources/pop3/', '/sources/imap/', '/node_modules/pg/', '/node_modules/pino/', '/node_modules/zod/']) {
    assert.ok(!loads(urls, part), `deliver loaded ${part}`);
  }
});

test('with a live service, deliver only stores: neither the mail parser nor the engine is loaded', async () => {
  const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR!, create: false });
  await registerService(store.db, { id: 'test-service', kind: 'worker', host: 'here', pid: process.pid });
  try {
    const urls = modulesLoadedBy(['deliver', '--profile', 'support'], makeMessage().toString());
    assert.ok(loads(urls, '/src/app/deliver.js') && loads(urls, '/src/sources/intake.js'), 'the trace works');
    for (const part of ['/node_modules/mailparser/', '/src/engine/', '/node_modules/imapflow/', '/sources/pop3/', '/node_modules/pg/', '/node_modules/zod/']) {
      assert.ok(!loads(urls, part), `deliver loaded ${part}`);
    }
  } finally {
    await unregisterService(store.db, 'test-service');
    await store.close();
  }
});
