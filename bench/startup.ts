// Start-up of the command line as a mail server and a user meet it: a bare `node`, `mailbind --help`,
// and `mailbind deliver` of one small message, stored for a running service and processed in place.
// Each is the median of several runs of a real process; ratios are to the bare node start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/database.js';
import { registerService, unregisterService } from '../src/store/services.js';
import { makeMessage } from '../test/support/messages.js';

const BUNDLE = fileURLToPath(new URL('../bundle/main.js', import.meta.url));
const RUNS = 7;

/** Median times of each run, interleaved (a, b, c, a, b, c, …) so that every one meets the same load. */
function medianMs(runs: Array<(i: number) => void>): number[] {
  const times = runs.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) {
    runs.forEach((run, k) => {
      const start = performance.now();
      run(i);
      times[k]!.push(performance.now() - start);
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!);
}

function mailbind(args: string[], env: Record<string, string>, input = ''): void {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { input, env: { PATH: process.env.PATH ?? '', ...env } });
  if (r.status !== 0) throw new Error(`mailbind ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

export async function benchStartup(report: (name: string, value: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-bench-startup-'));
  const env = { MAILBIND_DATA_DIR: dir };
  try {
    mailbind(['tracker', 'project', 'add', '--name', 'General'], env);
    mailbind(['profile', 'add', 'support', '--protocol', 'pipe'], env);
    // A bare start runs an empty module file, as mailbind's is a file (`node -e` sets up more).
    writeFileSync(join(dir, 'empty.mjs'), '');
    // The same minimal environment for all: NODE_EXTRA_CA_CERTS alone (set on this machine) adds ~55 ms
    // to any node start, reading the CA bundle.
    const bareRun = () => void spawnSync(process.execPath, [join(dir, 'empty.mjs')], { env: { PATH: process.env.PATH ?? '' } });
    const message = (i: number, kind: string) => makeMessage({ subject: `${kind} ${i}`, messageId: `${kind}-${i}-${Date.now()}@bench.example` }).toString();
    const [bareA, help, inPlace] = medianMs([
      bareRun,
      () => mailbind(['--help'], env),
      (i) => mailbind(['deliver', '--profile', 'support'], env, message(i, 'in-place')),
    ]);
    // With a live service registered, deliver only stores.
    const store = await openStore({ dataDir: dir, create: false });
    await registerService(store.db, { id: 'bench', kind: 'worker', host: 'bench', pid: process.pid });
    const [bareB, queued] = medianMs([bareRun, (i) => mailbind(['deliver', '--profile', 'support'], env, message(i, 'queued'))]);
    await unregisterService(store.db, 'bench');
    await store.close();
    const bare = (bareA! + bareB!) / 2;
    const ratio = (ms: number | undefined) => ms === undefined ? '-' : `${ms.toFixed(0)} ms (${(ms / bare).toFixed(1)}× bare node)`;
    report('startup: bare node (an empty module)', `${bare.toFixed(0)} ms`);
    report('startup: mailbind --help', ratio(help));
    report('startup: deliver, a service running (stored only)', ratio(queued));
    report('startup: deliver, no service (stored and processed)', ratio(inPlace));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
