// One SQLite data dir shared by many processes at once, as a mail server's burst of deliveries next
// to imports and the running service makes it: every command succeeds, and every message is processed
// exactly once (one inbox item, one request), none left pending. Real processes, real SQLite.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, runCli, startCli, type CliResult } from '../support/cli.js';
import { makeMessage } from '../support/messages.js';
import { waitFor } from '../support/wait.js';

const DELIVERIES = 20;
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function dataDirWithPipeProfile(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-shared-sqlite-'));
  dirs.push(dir);
  const env = { MAILBIND_DATA_DIR: join(dir, 'data') };
  await cliJson(['tracker', 'project', 'add', '--name', 'General'], env);
  writeFileSync(join(dir, 'rules.txt'), 'then attach to project 1 and create request in project 1\n');
  await cliJson(['profile', 'add', 'support', '--protocol', 'pipe', '--rules-file', join(dir, 'rules.txt')], env);
  return { dir, env };
}

function deliverBurst(env: Record<string, string>): Promise<CliResult>[] {
  return Array.from({ length: DELIVERIES }, (_, i) =>
    runCli(['deliver', '--profile', 'support'], env, makeMessage({ subject: `delivered ${i}`, from: `sender${i}@example.com` })),
  );
}

/** Every message once: as many items and requests as distinct subjects, each request from its own message. */
async function assertProcessedOnce(env: Record<string, string>, subjects: string[]): Promise<void> {
  const items: any[] = await cliJson(['messages', 'list'], env);
  assert.deepEqual(items.map((i) => i.subject).sort(), [...subjects].sort());
  assert.deepEqual(items.filter((i) => i.outcome !== 'imported').map((i) => [i.subject, i.state, i.outcome]), []);
  const requests: any[] = await cliJson(['tracker', 'list', 'requests'], env);
  assert.deepEqual(requests.map((r) => r.name).sort(), [...subjects].sort());
  const created = items.flatMap((i) => i.created.requests);
  assert.equal(new Set(created).size, subjects.length, 'each item created its own request');
}

function failures(results: CliResult[]): string[] {
  return results.filter((r) => r.code !== 0 || /locked|busy|retried/i.test(r.stderr)).map((r) => `exit ${r.code}: ${r.stderr}`);
}

test(`${DELIVERIES} concurrent deliveries with no service: each processes its message in place`, async () => {
  const { env } = await dataDirWithPipeProfile();
  const results = await Promise.all(deliverBurst(env));
  assert.deepEqual(failures(results), []);
  for (const r of results) assert.match(r.stdout, /^imported\s+#\d+: rule 1/);
  await assertProcessedOnce(env, Array.from({ length: DELIVERIES }, (_, i) => `delivered ${i}`));
});

test(`${DELIVERIES} deliveries and two imports of one folder at once, next to a running serve`, async () => {
  const { dir, env } = await dataDirWithPipeProfile();
  const folder = join(dir, 'mail');
  mkdirSync(folder);
  const imported = Array.from({ length: 10 }, (_, i) => `imported ${i}`);
  imported.forEach((subject, i) => writeFileSync(join(folder, `${i}.eml`), makeMessage({ subject, from: `importer${i}@example.com` })));
  const serve = startCli(['serve', '--port', '0'], env);
  let code: number | null;
  try {
    await waitFor(() => /mailbind is running/.test(serve.output()), { what: () => `serve to start: ${serve.output()}` });
    const results = await Promise.all([
      ...deliverBurst(env),
      runCli(['import', '--profile', 'support', folder], env),
      runCli(['import', '--profile', 'support', folder], env),
    ]);
    assert.deepEqual(failures(results), []);
    const subjects = [...Array.from({ length: DELIVERIES }, (_, i) => `delivered ${i}`), ...imported];
    await waitFor(
      async () => {
        const items: any[] = await cliJson(['messages', 'list'], env);
        return items.length === subjects.length && items.every((i) => i.outcome);
      },
      { what: async () => `every message to be processed: ${JSON.stringify((await cliJson(['messages', 'list'], env)).map((i: any) => [i.subject, i.state]))}`, timeoutMs: 20_000 },
    );
    await assertProcessedOnce(env, subjects);
  } finally {
    code = await serve.stop();
  }
  assert.equal(code, 0, serve.output());
  assert.doesNotMatch(serve.output(), /locked|busy|"level":50/i);
});
