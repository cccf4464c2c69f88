// `npm run bench`: throughput of the hot paths, measured side by side in one run so the ratios mean
// something on whatever machine runs them. Prints figures; asserts nothing (goals live here, not in
// timed tests). `npm run bench -- ingest` runs only the ingest benchmark (bench/ingest.ts); likewise
// `-- latency` (bench/latency.ts), `-- rules` (bench/rule-eval.ts), `-- attachment` (bench/attachment.ts),
// `-- idle` (bench/idle-profiles.ts), `-- ingest-pg` (only the PostgreSQL part of ingest, bench/ingest-pg.ts),
// `-- claims` (bench/claims.ts).
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
import { corpusAvailable, corpusMessages } from '../test/support/mail-corpus.js';
import { makeMessage } from '../test/support/messages.js';
import { dovecotAvailable } from '../test/support/dovecot.js';
import { benchStartup } from './startup.js';
import { benchIngest } from './ingest.js';
import { benchIngestPostgresAlone } from './ingest-pg.js';
import { benchLatency } from './latency.js';
import { benchRuleEvaluation } from './rule-eval.js';
import { benchAttachment } from './attachment.js';
import { benchIdleProfiles } from './idle-profiles.js';
import { benchClaims } from './claims.js';

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

// One benchmark alone: `npm run bench -- <name>`.
const alone: Record<string, (r: typeof report) => Promise<void>> = {
  ingest: benchIngest, 'ingest-pg': benchIngestPostgresAlone, latency: benchLatency, rules: benchRuleEvaluation, attachment: benchAttachment, idle: benchIdleProfiles, claims: benchClaims,
};
const only = process.argv[2];
if (only !== undefined) {
  const bench = alone[only];
  if (!bench) {
    console.error(`no benchmark named '${only}'; run one of ${Object.keys(alone).join(', ')}, or none for all of them`);
    process.exit(2);
  }
  await bench(report);
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

// Push (d): IMAP IDLE through the scheduler, 200 deliveries one by one (skipped without Dovecot).
if (dovecotAvailable()) await benchLatency(report);

// Rule evaluation (e): 1,000 rules × 10,000 parsed messages.
await benchRuleEvaluation(report);

// One claim of 20 while 1,000 to 100,000 items wait, on SQLite and PostgreSQL.
await benchClaims(report);

// One 50 MiB attachment (f) through fetch --once (skipped without Dovecot).
if (dovecotAvailable()) await benchAttachment(report);

// 500 IMAP profiles idling on one worker (g): CPU and RSS over 30 s (skipped without Dovecot).
if (dovecotAvailable()) await benchIdleProfiles(report);

// Ingest: raw IMAP fetch, bare parse and fetch --once of one generated mailbox (skipped without Dovecot).
if (dovecotAvailable()) await benchIngest(report);
