// (c) of the ingest benchmark, in a process of its own so that its peak RSS and its fsyncs are its own
// (and so it can run under strace): `mailbind fetch --once` as the CLI runs it, fetchOnce into the
// builtin tracker on SQLite (or on PostgreSQL: "postgres": {"url", "schema"} in the config, a fresh
// schema bench/ingest-pg.ts makes and drops), from a Dovecot that bench/ingest.ts started and filled,
// over IMAPS or (`"protocol":"pop3"`, the POP3S port) POP3. Start-up (imports, opening the store,
// creating the profile) is outside the timed part. Prints one JSON line. The fsyncs counted are
// SQLite's and the blob files'; PostgreSQL's own are not seen from here.
//
//   MAILBIND_BENCH_E2E='{"port":993,"user":"alice","password":"…","expected":2000}' \
//   NODE_EXTRA_CA_CERTS=ca.pem node dist/bench/ingest-e2e.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../src/app/app.js';
import { fetchOnce } from '../src/app/fetch.js';
import { settingsToStore } from '../src/sources/profile-settings.js';
import { openStore } from '../src/store/database.js';
import { countByOutcome } from '../src/store/inbox.js';
import { SecretBox } from '../src/store/secrets.js';
import { syncCounts, syncsSince } from '../src/store/sync-counts.js';
import { setUpBenchProfile } from './ingest-setup.js';

export interface EndToEndResult {
  /** What the run fetched over (absent from builds before the POP3 run: they fetch over IMAP). */
  protocol?: 'imap' | 'pop3';
  ms: number;
  messages: number;
  bytes: number;
  maxRssKb: number;
  syncs: { fileSyncs: number; dirSyncs: number; commits: number };
  outcomes: Record<string, number>;
}

interface Config {
  /** Default imap. */
  protocol?: 'imap' | 'pop3';
  port: number;
  user: string;
  password: string;
  expected: number;
  /** The profile's message size limit, when the run's messages exceed the default (bench/attachment.ts). */
  maxMessageBytes?: number;
  /** Run on PostgreSQL, in this (fresh) schema, instead of SQLite in the temp data dir. */
  postgres?: { url: string; schema: string };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.MAILBIND_BENCH_E2E ?? '') as Config;
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-bench-e2e-'));
  try {
    const store = await openStore({ dataDir: dir, ...(config.postgres ? { databaseUrl: config.postgres.url, schema: config.postgres.schema } : {}) });
    const secrets = SecretBox.forDataDir(dir);
    const profile = await setUpBenchProfile(store, settingsToStore({
      protocol: config.protocol ?? 'imap', host: '127.0.0.1', port: config.port, tls: 'tls', login: config.user, password: config.password,
      idle: false, firstRun: 'all', afterImport: 'leave', afterOther: 'leave',
      ...(config.maxMessageBytes ? { maxMessageBytes: config.maxMessageBytes } : {}),
    }, secrets));
    const app = assemble(store);
    await app.processor(); // loads what a processor needs once; fetchOnce makes its own
    const before = syncCounts();
    const started = performance.now();
    const report = await fetchOnce(app, profile.name);
    const ms = performance.now() - started;
    const syncs = syncsSince(before);
    if (report.messages.length !== config.expected || report.server.failed.length) {
      throw new Error(`fetched ${report.messages.length} of ${config.expected} messages, ${report.server.failed.length} failed`);
    }
    const bytes = Number((await store.db.selectFrom('inbox_items').select((eb) => eb.fn.sum<number>('raw_size').as('n')).executeTakeFirstOrThrow()).n);
    const outcomes = await countByOutcome(store.db, profile.id);
    await store.close();
    const result: EndToEndResult = { protocol: config.protocol ?? 'imap', ms, messages: report.messages.length, bytes, maxRssKb: process.resourceUsage().maxRSS, syncs, outcomes };
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
