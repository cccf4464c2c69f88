// (g) of issue 14's benchmark: 500 IMAP profiles on one worker, idling. One Scheduler (as `mailbind
// worker` runs it) holds an IMAP IDLE connection per profile to a throwaway Dovecot (one mail user per
// profile, no mail); once every profile has made its first two polls and every IDLE connection is open, the
// worker's own CPU time and RSS are measured over 30 s of nothing arriving. Dovecot's processes are not
// counted. MAILBIND_BENCH_IDLE_PROFILES changes the count. Printed, never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { settingsToStore } from '../src/sources/profile-settings.js';
import { defaultSources } from '../src/sources/registry.js';
import { Scheduler } from '../src/sources/scheduler.js';
import { openStore } from '../src/store/database.js';
import { createProfile } from '../src/store/profiles.js';
import { SecretBox } from '../src/store/secrets.js';
import { addProject } from '../src/tracker/builtin/admin.js';
import { startDovecot } from '../test/support/dovecot.js';
import { waitFor } from '../test/support/wait.js';
import { saveResults } from './results.js';

const WINDOW_MS = 30_000;
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

export async function benchIdleProfiles(report: (name: string, value: string) => void): Promise<void> {
  const count = Number(process.env.MAILBIND_BENCH_IDLE_PROFILES ?? 500);
  if (!Number.isInteger(count) || count < 1) throw new Error(`MAILBIND_BENCH_IDLE_PROFILES must be a whole number above 0, not ${process.env.MAILBIND_BENCH_IDLE_PROFILES}`);
  const users = Array.from({ length: count }, (_, i) => ({ user: `idle${i}`, password: `idlepw${i}` }));
  // Each profile's first poll and its IDLE connection may be open at once.
  const dc = await startDovecot({ users, maxConnections: 2 * count + 20 });
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-bench-idle-'));
  try {
    const store = await openStore({ dataDir: dir });
    await addProject(store.db, { name: 'General' });
    const secrets = SecretBox.forDataDir(dir);
    for (const u of users) {
      await createProfile(store.db, {
        name: u.user,
        rules: 'then attach to project 1',
        // Hourly polls: after the first, none falls in the window; only IDLE is open.
        source: settingsToStore({ protocol: 'imap', host: '127.0.0.1', port: dc.ports.imaps, tls: 'tls', login: u.user, password: u.password, pollSeconds: 3600, idle: true }, secrets),
      });
    }
    const rssBefore = process.memoryUsage().rss;
    let polls = 0;
    let failures = 0;
    const scheduler = new Scheduler({
      store, secrets, sources: defaultSources,
      extras: { ca: dc.caCert, timeoutMs: 60_000 },
      onPoll: (_p, outcome) => void (outcome.error ? failures++ : polls++),
    });
    const started = performance.now();
    await scheduler.start();
    try {
      // Two polls each: the first, and the one the watcher's connect triggers; then only IDLE is left.
      await waitFor(() => polls >= 2 * count && scheduler.idleConnections() >= count, {
        what: () => `${2 * count} first polls and IDLE connections (${polls} polls, ${failures} failed, ${scheduler.idleConnections()} IDLE)`,
        timeoutMs: 300_000, intervalMs: 100,
      });
      const upMs = performance.now() - started;
      // The window is a measurement over time, not a wait for something to happen.
      const cpu = process.cpuUsage();
      const rss: number[] = [];
      const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
      await delay(WINDOW_MS);
      clearInterval(sampler);
      const used = process.cpuUsage(cpu);
      const idleAtEnd = scheduler.idleConnections();
      report(`idle (g): ${count} IMAP profiles, one worker, all IDLE`, `${(upMs / 1000).toFixed(1)} s to the first two polls each and ${count} IDLE connections (${failures} failed polls)`);
      report(`idle (g): worker CPU over ${WINDOW_MS / 1000} s idling`,
        `${(((used.user + used.system) / 1000 / WINDOW_MS) * 100).toFixed(2)}% of one core (user ${(used.user / 1000).toFixed(0)} ms, system ${(used.system / 1000).toFixed(0)} ms)`);
      report(`idle (g): worker RSS`, `${mb(rssBefore)} before start, ${mb(Math.min(...rss))}–${mb(Math.max(...rss))} over the window; ${idleAtEnd} IDLE at its end`);
      report('idle (g) results', saveResults('idle', {
        profiles: count, upMs, windowMs: WINDOW_MS, cpuUserUs: used.user, cpuSystemUs: used.system, rssBefore, rssSamples: rss, idleAtEnd, failures,
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
