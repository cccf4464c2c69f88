// /metrics as the server serves it (metricsFor(app).render()): processing counted by profile and
// outcome as it happens, with durations and intake→outcome latency; backlog and poll health read from
// the database at each scrape; the IDLE count taken from whoever holds the connections.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, type App } from '../../src/app/app.js';
import { importPaths, type ImportLine } from '../../src/app/import.js';
import { metricsFor, type Metrics } from '../../src/app/metrics.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject } from '../../src/app/tracker.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { getStatus, recordPollFailure, recordPollSuccess } from '../../src/sources/status.js';
import { claimDueItems, MAX_TAKEOVERS, releaseClaims } from '../../src/store/inbox.js';
import { registerService } from '../../src/store/services.js';
import { makeMessage } from '../support/messages.js';
import { parseMetrics, sampleValue } from '../support/prometheus.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const RULES = { text: 'then attach to project 1 and create request in project 1', label: 'rules' };
const later = () => new Date(Date.now() + 60_000).toISOString();

for (const dialect of await dialects()) {
  describe(`metrics (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let metrics: Metrics;
    let files: string;
    let support: { id: number };
    let sales: { id: number };

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
      files = mkdtempSync(join(tmpdir(), 'mailbind-metrics-'));
      await addProject(app, { name: 'General' }, cliPrincipal('test'));
      support = (await createProfile(app, { name: 'support', rules: RULES }, cliPrincipal('test'))).profile;
      sales = (await createProfile(app, { name: 'sales', rules: RULES }, cliPrincipal('test'))).profile;
      metrics = metricsFor(app);
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await t.cleanup();
    });

    const scrape = async () => parseMetrics(await metrics.render());
    const of = (p: { id: number }, name: string) => ({ profile_id: String(p.id), profile: name });

    test('processed messages are counted by profile and outcome, with durations and intake→outcome latency', async () => {
      writeFileSync(join(files, 'a.eml'), makeMessage({ subject: 'Printer on fire' }));
      writeFileSync(join(files, 'b.eml'), makeMessage({ subject: 'Login broken' }));
      writeFileSync(join(files, 'c.eml'), makeMessage({ subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } }));
      const lines: ImportLine[] = [];
      for await (const line of importPaths(app, 'support', [files])) lines.push(line);
      const byOutcome = new Map<string, number>();
      for (const line of lines) byOutcome.set(line.outcome, (byOutcome.get(line.outcome) ?? 0) + 1);
      assert.equal(byOutcome.get('imported'), 2, JSON.stringify([...byOutcome]));
      assert.equal(byOutcome.size, 2, `the auto-reply gets another outcome: ${JSON.stringify([...byOutcome])}`);

      const samples = await scrape();
      for (const [outcome, n] of byOutcome) {
        assert.equal(sampleValue(samples, 'mailbind_messages_processed_total', { ...of(support, 'support'), outcome }), n, outcome);
      }
      assert.equal(sampleValue(samples, 'mailbind_messages_processed_total', of(sales, 'sales')), undefined, 'nothing counted for sales');
      assert.equal(sampleValue(samples, 'mailbind_processing_duration_seconds_count', of(support, 'support')), 3);
      assert.equal(sampleValue(samples, 'mailbind_intake_to_outcome_seconds_count', of(support, 'support')), 3);
      const inf = sampleValue(samples, 'mailbind_intake_to_outcome_seconds_bucket', { ...of(support, 'support'), le: '+Inf' });
      assert.equal(inf, 3, 'every observation is in the +Inf bucket');
      assert.ok(sampleValue(samples, 'mailbind_processing_duration_seconds_sum', of(support, 'support'))! > 0, 'durations are measured');
    });

    test('backlog, last success, consecutive failures and messages not downloaded are read from the database at each scrape', async () => {
      await intakeMessage(t.store, makeMessage({ subject: 'waiting 1' }), { profileId: sales.id });
      await intakeMessage(t.store, makeMessage({ subject: 'waiting 2' }), { profileId: sales.id });
      await recordPollSuccess(t.store.db, support.id, later());
      await recordPollFailure(t.store.db, sales.id, 'connection refused', later());
      await recordPollFailure(t.store.db, sales.id, 'connection refused', later());
      await recordPollSuccess(t.store.db, support.id, later(), [{ key: 'k1', error: 'refused' }, { key: 'k2', error: 'refused' }]);

      let samples = await scrape();
      assert.equal(sampleValue(samples, 'mailbind_profile_messages_not_downloaded', of(support, 'support')), 2);
      assert.equal(sampleValue(samples, 'mailbind_profile_messages_not_downloaded', of(sales, 'sales')), 0);
      assert.equal(sampleValue(samples, 'mailbind_inbox_backlog', of(sales, 'sales')), 2);
      assert.equal(sampleValue(samples, 'mailbind_inbox_backlog', of(support, 'support')), 0);
      const { lastSuccessAt } = await getStatus(t.store.db, support.id);
      assert.equal(sampleValue(samples, 'mailbind_profile_last_success_timestamp_seconds', of(support, 'support')), Date.parse(lastSuccessAt!) / 1000);
      assert.equal(sampleValue(samples, 'mailbind_profile_last_success_timestamp_seconds', of(sales, 'sales')), undefined, 'no success yet: no sample');
      assert.equal(sampleValue(samples, 'mailbind_profile_consecutive_failures', of(sales, 'sales')), 2);
      assert.equal(sampleValue(samples, 'mailbind_profile_consecutive_failures', of(support, 'support')), 0);

      // The next scrape sees what changed meanwhile, done by anyone (here: another processor, a poll).
      const processor = await app.processor();
      assert.equal((await processor.processDue({ profileId: sales.id })).length, 2);
      await recordPollSuccess(t.store.db, sales.id, later());
      await recordPollSuccess(t.store.db, support.id, later(), []);
      samples = await scrape();
      assert.equal(sampleValue(samples, 'mailbind_profile_messages_not_downloaded', of(support, 'support')), 0);
      assert.equal(sampleValue(samples, 'mailbind_inbox_backlog', of(sales, 'sales')), 0);
      assert.equal(sampleValue(samples, 'mailbind_profile_consecutive_failures', of(sales, 'sales')), 0);
      assert.ok(sampleValue(samples, 'mailbind_profile_last_success_timestamp_seconds', of(sales, 'sales')));
      assert.equal(sampleValue(samples, 'mailbind_messages_processed_total', { ...of(sales, 'sales'), outcome: 'imported' }), 2);
    });

    test('IDLE connections are the count the scheduler reports, and 0 once it lets go', async () => {
      let open = 2;
      const release = metrics.countIdleWith(() => open);
      assert.equal(sampleValue(await scrape(), 'mailbind_idle_connections'), 2);
      open = 1;
      assert.equal(sampleValue(await scrape(), 'mailbind_idle_connections'), 1);
      release();
      assert.equal(sampleValue(await scrape(), 'mailbind_idle_connections'), 0);
    });

    test('a reply put off for its original (held by another worker) is neither a retry nor a timed processing', async () => {
      const id = `metrics-original-${dialect}@customer.example`;
      const original = (await intakeMessage(t.store, makeMessage({ subject: 'Refund', messageId: id }), { profileId: sales.id })).item.id;
      const reply = (await intakeMessage(t.store, makeMessage({ subject: 'Re: Refund', headers: { 'In-Reply-To': `<${id}>` } }), { profileId: sales.id })).item.id;
      await claimDueItems(t.store, { ids: [original], limit: 1, leaseMs: 60_000, owner: 'other-worker' });
      const counts = async () => {
        const samples = await scrape();
        return ['mailbind_processing_retries_total', 'mailbind_processing_duration_seconds_count'].map((name) => sampleValue(samples, name, of(sales, 'sales')) ?? 0);
      };
      try {
        const before = await counts();
        const [result] = await (await app.processor()).processDue({ ids: [reply] });
        assert.equal(result!.waiting, true);
        assert.deepEqual(await counts(), before);
      } finally {
        await releaseClaims(t.store.db, 'other-worker');
      }
    });

    test('a message given up for stopping its holders is counted failed, with no processing duration', async () => {
      await (await app.processor()).processDue({ profileId: sales.id }); // what earlier tests left due
      const item = (await intakeMessage(t.store, makeMessage({ subject: 'Crashes everything' }), { profileId: sales.id })).item.id;
      await registerService(t.store.db, { id: 'metrics-dead', kind: 'worker', host: 'h', pid: 9 });
      await t.store.db.updateTable('services').set({ beat_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', 'metrics-dead').execute();
      await claimDueItems(t.store, { ids: [item], limit: 1, leaseMs: 600_000, owner: 'metrics-dead' });
      await t.store.db.updateTable('inbox_items').set({ takeovers: MAX_TAKEOVERS }).where('id', '=', item).execute();
      const counts = async () => {
        const samples = await scrape();
        return [sampleValue(samples, 'mailbind_messages_processed_total', { ...of(sales, 'sales'), outcome: 'failed' }) ?? 0,
          sampleValue(samples, 'mailbind_processing_duration_seconds_count', of(sales, 'sales')) ?? 0];
      };
      const [failed, timed] = await counts();
      const results = await (await app.processor()).processDue({ profileId: sales.id });
      assert.deepEqual(results.map((r) => [r.itemId, r.outcome]), [[item, 'failed']]);
      assert.deepEqual(await counts(), [failed + 1, timed]);
    });

    test('each app has its own registry: another app over the same store starts from zero', async () => {
      assert.equal(metricsFor(app), metrics, 'one registry per app');
      const other = metricsFor(assemble(t.store));
      assert.notEqual(other.registry, metrics.registry);
      const samples = parseMetrics(await other.render());
      assert.equal(sampleValue(samples, 'mailbind_messages_processed_total', { ...of(support, 'support'), outcome: 'imported' }), undefined);
      assert.equal(sampleValue(samples, 'mailbind_inbox_backlog', of(support, 'support')), 0, 'its gauges read the same database');
      assert.match(other.contentType, /^text\/plain; version=0\.0\.4/);
    });
  });
}
