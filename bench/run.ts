// `npm run bench`: throughput of the hot paths, measured side by side in one run so the ratios mean
// something on whatever machine runs them. Prints figures; asserts nothing (goals live here, not in
// timed tests). `npm run bench -- ingest` runs only the ingest benchmark (bench/ingest.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRules, evaluateRules } from '../src/rules/index.js';
import { benchContext, ruleEngineBench } from './rules.js';
import { replySplittingBench } from './replies.js';
import { parseMessage } from '../src/mail/index.js';
import { discardingSink } from '../src/store/blobs.js';
import { openStore } from '../src/store/database.js';
import { createProfile } from '../src/store/profiles.js';
import { addCompany, addProject } from '../src/tracker/builtin/admin.js';
import { intakeMessage } from '../src/sources/intake.js';
import { assemble } from '../src/app/app.js';
import { previewRules as previewRulesOf } from '../src/app/rules-preview.js';
import { Scheduler } from '../src/sources/scheduler.js';
import { defaultSources } from '../src/sources/registry.js';
import { settingsToStore } from '../src/sources/profile-settings.js';
import { listInboxItems } from '../src/store/inbox.js';
import { SecretBox } from '../src/store/secrets.js';
import { corpusAvailable, corpusMessages } from '../test/support/mail-corpus.js';
import { makeMessage } from '../test/support/messages.js';
import { dovecotAvailable, startDovecot } from '../test/support/dovecot.js';
import { memoryLog } from '../test/support/memory-log.js';
import { waitFor } from '../test/support/wait.js';
import { benchStartup } from './startup.js';
import { benchIngest } from './ingest.js';

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

const rows: Array<[string, string]> = [];
const report = (name: string, value: string) => {
  rows.push([name, value]);
  console.log(`${name.padEnd(48)} ${value}`);
};

if (process.argv[2] === 'ingest') {
  await benchIngest(report);
  process.exit(0);
}

// Rules: parse and evaluate a large rule set.
const lines = Array.from({ length: 4000 }, (_, i) =>
  i % 2 ? `when subject contains 'kw${i}, other ${i}' and company matched to project ${(i % 50) + 1} then attach to project ${(i % 50) + 1} and create request in project ${(i % 50) + 1}`
        : `when subject contains 'k${i}' then attach to project ${(i % 50) + 1}`,
).join('\n') + '\nthen attach to project 1\n';
const [{ ruleSet }, parseMs] = time(() => parseRules(lines));
report('rules: parse 4,001 rules', `${parseMs.toFixed(1)} ms (${(lines.length / 1024 / (parseMs / 1000)).toFixed(0)} KiB/s)`);
const badLines = Array.from({ length: 4000 }, () => 'when subjet contains x then atach to project').join('\n');
const [{ errors: badErrors }, badMs] = time(() => parseRules(badLines));
report(`rules: 4,000 bad lines (${badErrors.length} errors)`, `${badMs.toFixed(1)} ms`);
// One error on a 1 MiB line: linear scanning and bounded suggestions keep this near the good-rules rate.
const longLine = `when subject contains '${'kw, '.repeat(262144)}kw' then atach to project 1`;
const [{ errors: longErrors }, longMs] = time(() => parseRules(longLine));
report(`rules: one 1 MiB line (${longErrors.length} error)`, `${longMs.toFixed(1)} ms (${(longLine.length / 1024 / (longMs / 1000)).toFixed(0)} KiB/s)`);
const ctx = benchContext('nothing matches here', 3);
const [, evalMs] = time(() => {
  for (let i = 0; i < 100; i++) evaluateRules(ruleSet, ctx);
});
report('rules: evaluate 4,001 rules (fall through), ×100', `${(evalMs / 100).toFixed(2)} ms per message`);
ruleEngineBench(report);

// Start-up: the command line as a mail server runs it, once per message.
await benchStartup(report);

// Mail: parse the corpus.
let parseRate = 0;
if (corpusAvailable()) {
  const files = corpusMessages().map((m) => readFileSync(m.path));
  const bytes = files.reduce((n, f) => n + f.length, 0);
  const [, ms] = await timeAsync(async () => {
    for (const raw of files) await parseMessage(raw, { receivedAt: new Date(), sink: discardingSink }).catch(() => undefined);
  });
  parseRate = files.length / (ms / 1000);
  report(`mail: parse ${files.length} corpus messages (${(bytes / 1048576).toFixed(1)} MiB)`, `${parseRate.toFixed(0)} msg/s, ${(bytes / 1048576 / (ms / 1000)).toFixed(1)} MiB/s`);
}

// Mail: reply splitting on expensive shapes.
replySplittingBench(report);

// Pipeline: intake (fsynced blob + inbox row) and processing (parse, decide, execute) on SQLite.
const dir = mkdtempSync(join(tmpdir(), 'mailbind-bench-'));
try {
  const store = await openStore({ dataDir: dir });
  await addCompany(store.db, { name: 'Acme', domains: ['acme.example'] });
  await addProject(store.db, { name: 'General' });
  await addProject(store.db, { name: 'Acme', company: 'Acme' });
  const profile = await createProfile(store.db, {
    name: 'bench',
    rules: "when subject contains 'urgent' and company matched to project 2 then attach to project 2 and create request in project 2\nthen attach to project 1 and create request in project 1\n",
  });
  const messages = Array.from({ length: 500 }, (_, i) =>
    makeMessage({ from: i % 3 ? `user${i}@acme.example` : `someone${i}@else.example`, subject: i % 2 ? `urgent ${i}` : `hello ${i}`, body: 'text '.repeat(200) }),
  );
  const [, intakeMs] = await timeAsync(async () => {
    for (const raw of messages) await intakeMessage(store, raw, { profileId: profile.id });
  });
  const intakeRate = messages.length / (intakeMs / 1000);
  report('pipeline: intake 500 messages (fsync each)', `${intakeRate.toFixed(0)} msg/s`);
  const processor = await assemble(store).processor();
  const [, processMs] = await timeAsync(() => processor.processDue());
  const processRate = messages.length / (processMs / 1000);
  report('pipeline: process 500 messages (one transaction each)', `${processRate.toFixed(0)} msg/s`);
  if (parseRate) report('ratio: processing / bare corpus parse rate', (processRate / parseRate).toFixed(2));
  // Preview: unsaved rules over the profile's last 1,000 messages (decide twice per parse; nothing written).
  for (const raw of messages) await intakeMessage(store, Buffer.concat([raw, Buffer.from('\r\nmore\r\n')]), { profileId: profile.id });
  const previewRules = "when subject contains 'hello' then attach to project 2\nthen attach to project 1 and create request in project 1\n";
  const [preview, previewMs] = await timeAsync(() => previewRulesOf(assemble(store), { profile: profile.id, rules: { text: previewRules, label: 'bench' }, last: 1000 }));
  report(`rules preview: last ${preview.examined} messages (${preview.changed.length} change)`, `${(previewMs / 1000).toFixed(2)} s (${(preview.examined / (previewMs / 1000)).toFixed(0)} msg/s; goal: seconds)`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Push: IMAP IDLE through the scheduler against a throwaway Dovecot, from delivery into the Maildir to the
// processed inbox item (the profile polls every 60 s, so only the push is measured). Skipped without Dovecot.
if (dovecotAvailable()) {
  const dc = await startDovecot();
  const pushDir = mkdtempSync(join(tmpdir(), 'mailbind-bench-push-'));
  try {
    const store = await openStore({ dataDir: pushDir });
    await addProject(store.db, { name: 'General' });
    const secrets = SecretBox.forDataDir(pushDir);
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
      for (let i = 0; i < 10; i++) {
        const subject = `push ${i}`;
        const started = performance.now();
        await dc.deliver('alice', makeMessage({ subject }));
        await waitFor(async () => (await listInboxItems(store.db, { profileId: profile.id })).some((it) => it.subject === subject && it.outcome !== null),
          { what: `${subject} to be processed`, timeoutMs: 30_000, intervalMs: 5 });
        latencies.push(performance.now() - started);
      }
      latencies.sort((a, b) => a - b);
      report('push: IMAP IDLE, delivery → processed (×10)', `median ${((latencies[4]! + latencies[5]!) / 2).toFixed(0)} ms, max ${latencies[9]!.toFixed(0)} ms (goal < 2000)`);
    } finally {
      await scheduler.stop();
      await store.close();
    }
  } finally {
    await dc.stop();
    rmSync(pushDir, { recursive: true, force: true });
  }
}

// Ingest: raw IMAP fetch, bare parse and fetch --once of one generated mailbox (skipped without Dovecot).
if (dovecotAvailable()) await benchIngest(report);
