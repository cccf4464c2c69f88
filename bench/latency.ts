// (d) of issue 14's benchmark: delivery → outcome latency with IMAP IDLE through the Scheduler, against a
// throwaway Dovecot. Messages are delivered one by one into the Maildir (a file and a rename, as an MDA
// does), each timed until its inbox item has an outcome, before the next is delivered; the profile polls
// every 60 s, so only the push is measured. 200 messages (MAILBIND_BENCH_LATENCY_MESSAGES), p50/p95/p99.
// Goal p50 ≤ 1 s, p99 ≤ 2 s; printed, never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../src/app/app.js';
import { settingsToStore } from '../src/sources/profile-settings.js';
import { defaultSources } from '../src/sources/registry.js';
import { Scheduler } from '../src/sources/scheduler.js';
import { openStore } from '../src/store/database.js';
import { listInboxItems } from '../src/store/inbox.js';
import { createProfile } from '../src/store/profiles.js';
import { SecretBox } from '../src/store/secrets.js';
import { addProject } from '../src/tracker/builtin/admin.js';
import { startDovecot } from '../test/support/dovecot.js';
import { memoryLog } from '../test/support/memory-log.js';
import { makeMessage } from '../test/support/messages.js';
import { waitFor } from '../test/support/wait.js';
import { saveResults } from './results.js';

/** The value below which a share `q` of the sorted values lie (nearest rank). */
export function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function benchLatency(report: (name: string, value: string) => void): Promise<void> {
  const count = Number(process.env.MAILBIND_BENCH_LATENCY_MESSAGES ?? 200);
  if (!Number.isInteger(count) || count < 1) throw new Error(`MAILBIND_BENCH_LATENCY_MESSAGES must be a whole number above 0, not ${process.env.MAILBIND_BENCH_LATENCY_MESSAGES}`);
  const dc = await startDovecot();
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-bench-push-'));
  try {
    const store = await openStore({ dataDir: dir });
    await addProject(store.db, { name: 'General' });
    const secrets = SecretBox.forDataDir(dir);
    const profile = await createProfile(store.db, {
      name: 'push',
      rules: 'then attach to project 1 and create request in project 1',
      source: settingsToStore({ protocol: 'imap', host: '127.0.0.1', port: dc.ports.imaps, tls: 'tls', login: 'alice', password: 'alicepw', pollSeconds: 60, idle: true }, secrets),
    });
    const processor = await assemble(store).processor();
    const log = memoryLog();
    let polls = 0;
    const scheduler = new Scheduler({
      store, secrets, sources: defaultSources, logger: log.logger,
      extras: { ca: dc.caCert, timeoutMs: 10_000 },
      afterIntake: async (p) => void (await processor.processDue({ profileId: p.id })),
      onPoll: () => void polls++,
    });
    await scheduler.start();
    try {
      // The first poll and the one the watcher's connect triggers, then IDLE.
      await waitFor(() => polls >= 2, { what: 'the first two polls', timeoutMs: 30_000 });
      await waitFor(() => log.find('Initiated IDLE, waiting for server input').length > 0, { what: 'IDLE', timeoutMs: 30_000 });
      const latencies: number[] = [];
      for (let i = 0; i < count; i++) {
        const subject = `push ${i}`;
        const started = performance.now();
        await dc.deliver('alice', makeMessage({ subject }));
        await waitFor(async () => (await listInboxItems(store.db, { profileId: profile.id })).some((it) => it.subject === subject && it.outcome !== null),
          { what: `${subject} to be processed`, timeoutMs: 30_000, intervalMs: 5 });
        latencies.push(performance.now() - started);
      }
      latencies.sort((a, b) => a - b);
      const ms = (q: number) => `${percentile(latencies, q).toFixed(0)} ms`;
      report(`push (d): IMAP IDLE, delivery → outcome (×${count}, one by one)`,
        `p50 ${ms(0.5)}, p95 ${ms(0.95)}, p99 ${ms(0.99)}, max ${ms(1)} (goal p50 ≤ 1000, p99 ≤ 2000)`);
      report('push (d) results', saveResults('latency', {
        messages: count, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99), latenciesMs: latencies,
      }));
    } finally {
      await scheduler.stop();
      await store.close();
    }
  } finally {
    await dc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
