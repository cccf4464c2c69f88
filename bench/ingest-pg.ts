// (c) on PostgreSQL (issue 14): the same mailbox as bench/ingest.ts, two measures.
//   1. `fetch --once` into the builtin tracker on PostgreSQL (a fresh schema), in a child process as the
//      SQLite (c) runs (bench/ingest-e2e.ts): intake and processing, one process.
//   2. Processing shared by workers: the mailbox stored first (intakeBatch, the same bytes, held back
//      with next_attempt_at far ahead), then P real `mailbind worker --concurrency L` processes started,
//      and once every one has registered the messages are made due at once; the time from then to the
//      last outcome is the measure (it includes each lane's pickup, at most its 1 s idle wait). Layouts
//      P×L: 1×1, 2×1, 3×1 (worker processes) and 1×2, 1×3 (lanes of one process);
//      MAILBIND_BENCH_PG_LAYOUTS=1x1,2x1 picks others. Each layout gets a fresh schema and data dir.
// Beside each run: CPU seconds of the workers and of the PostgreSQL backends serving them (by
// application_name, from /proc), how busy the machine's cores were, and what those backends were doing
// (pg_stat_activity sampled every 50 ms: running, waiting on a lock, on the WAL, or idle in a transaction
// while the worker computes). MAILBIND_BENCH_CPU_PROF=<dir> profiles the workers too.
// The workers run in the benchmark's session, so on a machine shared with other work (Linux schedules
// sessions fairly against each other: autogroup) more workers do not get more of the machine; with
// MAILBIND_BENCH_PG_SESSIONS=1 each starts a session of its own, as separate services would run.
// PostgreSQL at MAILBIND_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); skipped
// when it does not answer. Figures go to bench/results/ingest-pg-<host>-<time>.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { assemble } from '../src/app/app.js';
import { asTheBinStartsNode } from '../src/app/heap.js';
import { intakeBatch } from '../src/sources/intake.js';
import { dropPgSchema, openStore } from '../src/store/database.js';
import { countByOutcome } from '../src/store/inbox.js';
import { startDovecot } from '../test/support/dovecot.js';
import { PG_URL, postgresAvailable } from '../test/support/store.js';
import type { EndToEndResult } from './ingest-e2e.js';
import { endToEnd, fill, USER, warmUp } from './ingest.js';
import { setUpBenchProfile } from './ingest-setup.js';
import { benchMessage } from './mailbox.js';
import { saveResults } from './results.js';

const CLI = fileURLToPath(new URL('../bundle/main.js', import.meta.url));
const HELD = '9999-12-31T00:00:00.000Z';
const TICKS = 100; // getconf CLK_TCK on Linux

export interface Layout {
  processes: number;
  lanes: number;
}

export interface ProcessingRun {
  layout: Layout;
  messages: number;
  /** From making the messages due to the last outcome. */
  ms: number;
  /** From the first outcome to the last. */
  spanMs: number;
  msgPerS: number;
  /**
   * CPU seconds during the run: the workers; the backends serving them; PostgreSQL's own processes (WAL
   * writer, checkpointer, …, shared with whatever else uses the server); how busy the machine's cores
   * were (by anyone), and the share the hypervisor took (steal).
   */
  cpu: { workersS: number; backendsS: number; postgresOwnS: number; machineBusy: number; steal: number; cores: number };
  /** pg_stat_activity samples of the workers' backends, by what they were doing. */
  activity: Record<string, number>;
  samples: number;
  workersMaxRssKb: number[];
  outcomes: Record<string, number>;
  /** Log lines of the workers: claims taken over (none expected), attempts that failed and wait for a retry. */
  takeovers: number;
  retries: number;
}

type Report = (name: string, value: string) => void;

/** (c) on PostgreSQL; `e2e` runs bench/ingest-e2e.ts against a schema (ingest.ts's endToEnd). */
export async function benchIngestPostgres(report: Report, options: {
  count: number;
  rounds: number;
  e2e: (postgres: { url: string; schema: string }) => Promise<EndToEndResult>;
}): Promise<void> {
  if (!(await postgresAvailable())) {
    report('ingest (c) PostgreSQL', `skipped: PostgreSQL does not answer at ${PG_URL}`);
    return;
  }
  const layouts = layoutsFromEnv();
  const fetchRuns: EndToEndResult[] = [];
  const runs = new Map<string, ProcessingRun[]>(layouts.map((l) => [key(l), []]));
  for (let round = 0; round < options.rounds; round++) {
    fetchRuns.push(await fetchOncePostgres(options.e2e));
    // The layouts take turns going first, so that none always runs on the warmest (or quietest) minute.
    const order = layouts.map((_, i) => layouts[(i + round) % layouts.length]!);
    for (const layout of order) runs.get(key(layout))!.push(await processingRun(options.count, layout));
  }
  const fetch = median(fetchRuns);
  report('ingest (c) fetch --once, PostgreSQL, builtin tracker',
    `${(fetch.messages / (fetch.ms / 1000)).toFixed(0)} msg/s, ${(fetch.ms / fetch.messages).toFixed(2)} ms/msg, peak RSS ${(fetch.peakRssKb / 1024).toFixed(0)} MB; outcomes ${JSON.stringify(fetch.outcomes)}`);
  const medians = layouts.map((l) => median(runs.get(key(l))!));
  const one = medians.find((r) => r.layout.processes === 1 && r.layout.lanes === 1);
  const perMessage = (s: number) => ((s * 1000) / options.count).toFixed(1);
  for (const run of medians) {
    const ratio = one && run !== one ? `, ${(run.msgPerS / one.msgPerS).toFixed(2)}× 1×1` : '';
    report(`ingest (c) PostgreSQL processing, ${describe(run.layout)}`,
      `${run.msgPerS.toFixed(0)} msg/s (${(run.ms / 1000).toFixed(1)} s)${ratio}; CPU ms/msg: workers ${perMessage(run.cpu.workersS)}, `
      + `their backends ${perMessage(run.cpu.backendsS)}, PostgreSQL's own ${perMessage(run.cpu.postgresOwnS)}; cores used by these `
      + `${((run.cpu.workersS + run.cpu.backendsS + run.cpu.postgresOwnS) / (run.ms / 1000)).toFixed(2)}, machine busy ${(run.cpu.machineBusy * 100).toFixed(0)}% `
      + `of ${run.cpu.cores} cores (steal ${(run.cpu.steal * 100).toFixed(0)}%)`);
    report(`ingest (c) PostgreSQL ${key(run.layout)}: backends were`, activitySummary(run));
    if (run.takeovers || run.retries || run.outcomes.imported === undefined) {
      report(`ingest (c) PostgreSQL ${key(run.layout)}: note`, `${run.takeovers} takeovers, ${run.retries} retries; outcomes ${JSON.stringify(run.outcomes)}`);
    }
  }
  const ratio = (p: number, l: number) => {
    const run = medians.find((r) => r.layout.processes === p && r.layout.lanes === l);
    return one && run ? (run.msgPerS / one.msgPerS).toFixed(2) : 'n/a';
  };
  report('ingest (c) PostgreSQL ratios 2w/1w, 3w/1w (goal 2w ≥ 1.6)', `${ratio(2, 1)}, ${ratio(3, 1)}`);
  report('ingest (c) PostgreSQL ratios 2 lanes/1, 3 lanes/1', `${ratio(1, 2)}, ${ratio(1, 3)}`);
  report('ingest (c) PostgreSQL results', saveResults('ingest-pg', {
    messages: options.count, rounds: options.rounds, postgres: await serverFacts(),
    fetchOnce: { ...fetch, runsMs: fetchRuns.map((r) => r.ms) },
    processing: medians.map((m) => ({ ...m, runsMs: runs.get(key(m.layout))!.map((r) => r.ms) })),
  }));
}

/** `npm run bench -- ingest-pg`: only the PostgreSQL measures, on their own Dovecot with the same mailbox. */
export async function benchIngestPostgresAlone(report: Report): Promise<void> {
  const count = Number(process.env.MAILBIND_BENCH_MESSAGES ?? 2000);
  const rounds = Number(process.env.MAILBIND_BENCH_ROUNDS ?? 1);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(rounds) || rounds < 1) {
    throw new Error('MAILBIND_BENCH_MESSAGES and MAILBIND_BENCH_ROUNDS must be whole numbers above 0');
  }
  const dc = await startDovecot({ users: [USER] });
  try {
    await fill(dc, count);
    await warmUp(dc);
    const caPath = join(dc.dir, 'bench-ca.pem');
    writeFileSync(caPath, dc.caCert);
    const script = fileURLToPath(new URL('./ingest-e2e.js', import.meta.url));
    await benchIngestPostgres(report, { count, rounds, e2e: (postgres) => endToEnd(dc, caPath, count, { script, postgres }) });
  } finally {
    await dc.stop();
  }
}

function layoutsFromEnv(): Layout[] {
  const text = process.env.MAILBIND_BENCH_PG_LAYOUTS ?? '1x1,2x1,3x1,1x2,1x3';
  return text.split(',').map((part) => {
    const m = /^\s*([1-9])x([1-9])\s*$/.exec(part);
    if (!m) throw new Error(`MAILBIND_BENCH_PG_LAYOUTS: '${part}' is not PROCESSESxLANES (e.g. 2x1)`);
    return { processes: Number(m[1]), lanes: Number(m[2]) };
  });
}

const key = (l: Layout) => `${l.processes}x${l.lanes}`;
const describe = (l: Layout) =>
  `${l.processes} worker${l.processes > 1 ? 's' : ''}${l.lanes > 1 ? ` × ${l.lanes} lanes` : ''}`;

function median<T extends { ms: number }>(runs: T[]): T {
  return [...runs].sort((x, y) => x.ms - y.ms)[Math.floor((runs.length - 1) / 2)]!;
}

async function fetchOncePostgres(e2e: (postgres: { url: string; schema: string }) => Promise<EndToEndResult>): Promise<EndToEndResult> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  try {
    return await e2e({ url: PG_URL, schema });
  } finally {
    await dropPgSchema(PG_URL, schema);
  }
}

/** One layout: the mailbox stored and held, the workers up, then all of it made due and timed to the last outcome. */
export async function processingRun(count: number, layout: Layout): Promise<ProcessingRun> {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-bench-pg-'));
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const store = await openStore({ dataDir: dir, databaseUrl: PG_URL, schema });
  const workers: ChildProcess[] = [];
  const logFile = join(dir, 'workers.log');
  const log = openSync(logFile, 'a');
  try {
    const profile = await setUpBenchProfile(store);
    // The reply token key is made once per installation: here, not by several workers racing at their first message.
    await assemble(store).outgoing.replyTokenKey();
    for (let first = 0; first < count; first += 100) {
      const batch = Array.from({ length: Math.min(100, count - first) }, (_, j) => ({ content: benchMessage(first + j).raw, originKey: `bench-${first + j}` }));
      const results = await intakeBatch(store, batch, { profileId: profile.id });
      const failed = results.find((r) => 'error' in r);
      if (failed && 'error' in failed) throw failed.error;
    }
    await store.db.updateTable('inbox_items').set({ next_attempt_at: HELD }).execute();

    const appName = `mailbind-bench-${schema}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env, MAILBIND_DATA_DIR: dir, MAILBIND_DATABASE_URL: PG_URL, MAILBIND_DATABASE_SCHEMA: schema,
      PGAPPNAME: appName, MAILBIND_LOG_FORMAT: 'json',
      // Started as the bin starts node (src/app/heap.ts): the young generation and malloc's arenas as shipped.
      ...asTheBinStartsNode(process.env),
    };
    delete env.MAILBIND_CONCURRENCY;
    for (let i = 0; i < layout.processes; i++) {
      workers.push(spawn(process.execPath, [...profiling(), CLI, 'worker', '--concurrency', String(layout.lanes)], {
        env, stdio: ['ignore', log, log], detached: process.env.MAILBIND_BENCH_PG_SESSIONS === '1',
      }));
    }
    const alive = () => {
      const dead = workers.find((w) => w.exitCode !== null || w.signalCode !== null);
      if (dead) throw new Error(`a worker exited (${dead.exitCode ?? dead.signalCode}): ${tail(logFile)}`);
    };
    await until(async () => {
      alive();
      const n = await store.db.selectFrom('services').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(n.n) === layout.processes;
    }, 60_000, 'the workers to register');

    const cpu0 = { workers: workers.map((w) => cpuSeconds(w.pid!)), machine: machineTicks() };
    const sampler = sampleActivity(appName);
    const releasedAt = Date.now();
    await store.db.updateTable('inbox_items').set({ next_attempt_at: new Date(releasedAt).toISOString() }).execute();
    await until(async () => {
      alive();
      const n = await store.db.selectFrom('inbox_items').select((eb) => eb.fn.countAll<number>().as('n')).where('outcome', 'is not', null).executeTakeFirstOrThrow();
      return Number(n.n) === count;
    }, 15 * 60_000, `all ${count} messages to be processed`, 100);
    const activity = await sampler.stop();
    const workersMaxRssKb = workers.map((w) => maxRssKb(w.pid!));
    const workersS = workers.reduce((sum, w, i) => sum + cpuSeconds(w.pid!) - cpu0.workers[i]!, 0);
    const machine = machineTicks();
    const ticks = Math.max(1, machine.total - cpu0.machine.total);

    const span = await store.db.selectFrom('inbox_items')
      .select((eb) => [eb.fn.min<string>('processed_at').as('first'), eb.fn.max<string>('processed_at').as('last')])
      .executeTakeFirstOrThrow();
    const ms = Date.parse(span.last) - releasedAt;
    const outcomes = await countByOutcome(store.db, profile.id);
    await stopAll(workers);
    const lines = readFileSync(logFile, 'utf8');
    return {
      layout, messages: count, ms, spanMs: Date.parse(span.last) - Date.parse(span.first), msgPerS: count / (ms / 1000),
      cpu: {
        workersS, backendsS: activity.backendsS, postgresOwnS: activity.postgresOwnS,
        machineBusy: (machine.busy - cpu0.machine.busy) / ticks, steal: (machine.steal - cpu0.machine.steal) / ticks, cores: os.availableParallelism(),
      },
      activity: activity.counts, samples: activity.samples, workersMaxRssKb, outcomes,
      takeovers: (lines.match(/took over a message/g) ?? []).length,
      retries: (lines.match(/processing failed; will retry/g) ?? []).length,
    };
  } finally {
    await stopAll(workers);
    closeSync(log);
    await store.close();
    await dropPgSchema(PG_URL, schema);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function stopAll(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => {
    if (w.exitCode !== null || w.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.kill('SIGTERM');
    return exited;
  }));
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function tail(file: string): string {
  return readFileSync(file, 'utf8').slice(-2000);
}

/** MAILBIND_BENCH_CPU_PROF=<dir>: each worker writes a V8 CPU profile there when it stops. */
function profiling(): string[] {
  const dir = process.env.MAILBIND_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** User + system CPU seconds of a process so far (0 once it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

function maxRssKb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** All cores' ticks from /proc/stat: busy (not idle, not waiting for I/O, not stolen), stolen, and in all. */
function machineTicks(): { busy: number; steal: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3]! - ticks[4]! - ticks[7]!, steal: ticks[7]!, total };
}

/**
 * What the workers' backends do, every 50 ms: `active` ones running (no wait event: on the CPU) or
 * waiting (Lock, LWLock, IO: the WAL flush of a commit, …); `idle in transaction` ones wait for their
 * worker (parsing, deciding) in the middle of a transaction. Also the CPU seconds, from /proc, of those
 * backends and of PostgreSQL's own processes, each counted from when it is first seen to when it is last
 * seen (a backend that closes between samples loses up to 50 ms).
 */
function sampleActivity(appName: string): { stop(): Promise<{ counts: Record<string, number>; samples: number; backendsS: number; postgresOwnS: number }> } {
  const client = new pg.Client({ connectionString: PG_URL, application_name: 'mailbind-bench-sampler' });
  const counts: Record<string, number> = {};
  const firstCpu = new Map<number, number>();
  const ours = new Set<number>();
  const own = new Set<number>();
  const lastCpu = new Map<number, number>();
  let samples = 0;
  let stopped = false;
  const running = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query<{ pid: number; ours: boolean; state: string | null; wait_event_type: string | null; wait_event: string | null }>(
        `select pid, application_name = $1 as ours, state, wait_event_type, wait_event from pg_stat_activity
          where application_name = $1 or backend_type <> 'client backend'`, [appName]);
      samples++;
      for (const row of rows) {
        if (row.ours) {
          const what = row.state === 'active' ? `active: ${row.wait_event_type ? `${row.wait_event_type}/${row.wait_event}` : 'on CPU'}` : `${row.state}`;
          counts[what] = (counts[what] ?? 0) + 1;
        }
        const cpu = cpuSeconds(row.pid);
        if (!firstCpu.has(row.pid)) firstCpu.set(row.pid, cpu);
        lastCpu.set(row.pid, cpu);
        (row.ours ? ours : own).add(row.pid);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await running;
      await client.end();
      const used = (pids: Set<number>) => [...pids].reduce((sum, pid) => sum + lastCpu.get(pid)! - firstCpu.get(pid)!, 0);
      return { counts, samples, backendsS: used(ours), postgresOwnS: used(own) };
    },
  };
}

/** Per sample, how many of the workers' backends were in each state; the busiest first. */
function activitySummary(run: ProcessingRun): string {
  const entries = Object.entries(run.activity).sort((a, b) => b[1] - a[1]);
  return entries.map(([what, n]) => `${what} ${(n / Math.max(1, run.samples)).toFixed(2)}`).join('; ') || 'no samples';
}

async function serverFacts(): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const facts: Record<string, string> = {};
    for (const setting of ['server_version', 'synchronous_commit', 'fsync', 'shared_buffers', 'max_connections', 'wal_sync_method']) {
      facts[setting] = (await client.query<{ v: string }>(`select current_setting('${setting}') as v`)).rows[0]!.v;
    }
    return facts;
  } finally {
    await client.end();
  }
}
