// (c) of the ingest benchmark, in a process of its own so that its peak RSS and its fsyncs are its own
// (and so it can run under strace): `mailbind fetch --once` as the CLI runs it, fetchOnce into the
// builtin tracker on SQLite (or on PostgreSQL: "postgres": {"url", "schema"} in the config, a fresh
// schema bench/ingest-pg.ts makes and drops), from a Dovecot that bench/ingest.ts started and filled,
// over IMAPS or (`"protocol":"pop3"`, the POP3S port) POP3. Start-up (imports, opening the store,
// creating the profile) is outside the timed part. Prints one JSON line. The fsyncs counted are
// SQLite's and the blob files'; PostgreSQL's own are not seen from here.
//
// Peak RSS is this process's own high-water mark (VmHWM in /proc/self/status), not getrusage's maxRSS:
// on Linux a child's maxRSS starts at its parent's RSS at the fork (the kernel keeps the larger of the
// two across exec), so a child of a benchmark holding 200 MB reported at least 200 MB whatever it used.
//
//   MAILBIND_BENCH_E2E='{"port":993,"user":"alice","password":"…","expected":2000}' \
//   NODE_EXTRA_CA_CERTS=ca.pem NODE_OPTIONS=--max-semi-space-size=4 node dist/bench/ingest-e2e.js
//
// The heap is sized as the shipped CLI sizes it (src/app/heap.ts): bench/ingest.ts starts this process
// with the bin's node options, and main() begins as the CLI's main.js does, with sizeHeap() and tuneTiering().
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver, type NodeGCPerformanceDetail } from 'node:perf_hooks';
import { appOptionsFromEnv, assemble } from '../src/app/app.js';
import { parseThreadsOf } from '../src/app/parse-threads.js';
import { sizeHeap } from '../src/app/heap.js';
import { tuneTiering } from '../src/app/tiering.js';
import { processedText } from '../src/cli/output.js';
import { fetchOnce } from '../src/app/fetch.js';
import { settingsToStore } from '../src/sources/profile-settings.js';
import { openStore } from '../src/store/database.js';
import { countByOutcome } from '../src/store/inbox.js';
import { SecretBox } from '../src/store/secrets.js';
import { syncCounts, syncsSince } from '../src/store/sync-counts.js';
import { setUpBenchProfile } from './ingest-setup.js';
import { cpuByThread, readThreads, type CpuByThread } from './thread-cpu.js';

export interface EndToEndResult {
  /** What the run fetched over (absent from builds before the POP3 run: they fetch over IMAP). */
  protocol?: 'imap' | 'pop3';
  ms: number;
  messages: number;
  bytes: number;
  /** This process's peak RSS (VmHWM); getrusage's maxRSS where /proc is missing (see the top). */
  peakRssKb: number;
  /** getrusage's maxRSS, which on Linux includes the parent's RSS at the fork: kept to compare. */
  ruMaxRssKb: number;
  /** CPU time (user + system) of the timed part, all threads of the process. */
  cpuMs: number;
  /** Time in garbage collection pauses during the timed part, and how many of them were full (mark-compact). */
  gcMs: number;
  majorGcs: number;
  syncs: { fileSyncs: number; dirSyncs: number; commits: number };
  outcomes: Record<string, number>;
  /** Parse threads the run had (MAILBIND_PARSE_THREADS or the default; absent from builds before them). */
  parseThreads?: number;
  /** The timed part's CPU by kind of thread (bench/thread-cpu.ts); absent without /proc and from older builds. */
  threads?: CpuByThread;
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
  sizeHeap(); // as the CLI's main.js does; the bench starts this process with the bin's node options
  tuneTiering(); // and as it does
  const config = JSON.parse(process.env.MAILBIND_BENCH_E2E ?? '') as Config;
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-bench-e2e-'));
  try {
    // MAILBIND_DATABASE_PREPARE as the CLI reads it, so that it can be compared (pg-prepared.ts).
    const { prepareStatements } = appOptionsFromEnv(dir);
    const store = await openStore({
      dataDir: dir,
      ...(config.postgres ? { databaseUrl: config.postgres.url, schema: config.postgres.schema } : {}),
      ...(prepareStatements !== undefined ? { prepareStatements } : {}),
    });
    const secrets = SecretBox.forDataDir(dir);
    const profile = await setUpBenchProfile(store, settingsToStore({
      protocol: config.protocol ?? 'imap', host: '127.0.0.1', port: config.port, tls: 'tls', login: config.user, password: config.password,
      idle: false, firstRun: 'all', afterImport: 'leave', afterOther: 'leave',
      ...(config.maxMessageBytes ? { maxMessageBytes: config.maxMessageBytes } : {}),
    }, secrets));
    const parseThreads = parseThreadsOf();
    const app = assemble(store, { parseThreads });
    await app.processor(); // loads what a processor needs once; fetchOnce makes its own
    const gc = gcTime();
    const before = syncCounts();
    const cpuBefore = process.cpuUsage();
    const threadsBefore = readThreads();
    const started = performance.now();
    // As the CLI's fetch runs it (src/cli/fetch.ts): each message's line kept as text, to print at the end.
    const lines: string[] = [];
    const report = await fetchOnce(app, profile.name, { onMessage: (line) => void lines.push(processedText(line, false)) });
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const threadsAfter = threadsBefore && readThreads();
    const syncs = syncsSince(before);
    const { gcMs, majorGcs } = await gc.stop();
    if (report.processed !== config.expected || lines.length !== config.expected || report.server.failed.length) {
      throw new Error(`fetched ${report.processed} of ${config.expected} messages, ${report.server.failed.length} failed`);
    }
    const bytes = Number((await store.db.selectFrom('inbox_items').select((eb) => eb.fn.sum<number>('raw_size').as('n')).executeTakeFirstOrThrow()).n);
    const outcomes = await countByOutcome(store.db, profile.id);
    await app.close();
    const result: EndToEndResult = {
      protocol: config.protocol ?? 'imap', ms, messages: report.processed, bytes, peakRssKb: peakRssKb(), ruMaxRssKb: process.resourceUsage().maxRSS,
      cpuMs: (cpu.user + cpu.system) / 1000, gcMs, majorGcs, syncs, outcomes, parseThreads,
      ...(threadsBefore && threadsAfter ? { threads: cpuByThread(threadsBefore, threadsAfter) } : {}),
    };
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The process's own peak RSS in KiB: VmHWM where /proc has it (Linux), else getrusage's maxRSS. */
function peakRssKb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // no /proc: not Linux
  }
  return process.resourceUsage().maxRSS;
}

/** Garbage collection pauses from now until stop(), as the performance timeline reports them. */
function gcTime(): { stop: () => Promise<{ gcMs: number; majorGcs: number }> } {
  let gcMs = 0;
  let majorGcs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      const detail = (entry as { detail?: unknown }).detail as NodeGCPerformanceDetail | undefined;
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: async () => {
      await new Promise((resolve) => setImmediate(resolve)); // entries are delivered asynchronously
      observer.disconnect();
      return { gcMs, majorGcs };
    },
  };
}

await main();
