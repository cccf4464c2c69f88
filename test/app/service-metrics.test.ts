// The service runner and metrics: `serve` counts what it processes from its start (not from the first
// scrape) and gives the IDLE gauge its scheduler's count; `worker` serves no /metrics and counts nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/app/app.js';
import { metricsFor } from '../../src/app/metrics.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { runService } from '../../src/app/service.js';
import { addProject } from '../../src/app/tracker.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { getInboxItem } from '../../src/store/inbox.js';
import { memoryLog } from '../support/memory-log.js';
import { makeMessage } from '../support/messages.js';
import { parseMetrics, sampleValue } from '../support/prometheus.js';
import { dialects, openTestStore } from '../support/store.js';
import { waitFor } from '../support/wait.js';

for (const dialect of await dialects()) {
  describe(`service metrics (${dialect})`, () => {
    for (const kind of ['serve', 'worker'] as const) {
      test(`${kind}: ${kind === 'serve' ? 'messages it processes are counted' : 'nothing is counted'}`, async () => {
        const t = await openTestStore(dialect);
        const app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
        const stop = new AbortController();
        let running: Promise<void> | undefined;
        try {
          await addProject(app, { name: 'General' }, cliPrincipal('test'));
          const { profile } = await createProfile(app, { name: 'support', rules: { text: 'then attach to project 1', label: 'rules' } }, cliPrincipal('test'));
          let ready!: () => void;
          const started = new Promise<void>((resolve) => (ready = resolve));
          running = runService(app, memoryLog().logger, { kind, signal: stop.signal, onReady: ready });
          await started;
          const { item } = await intakeMessage(t.store, makeMessage(), { profileId: profile.id });
          await waitFor(async () => (await getInboxItem(t.store.db, item.id))?.outcome, { what: 'the service to process the message' });
          const samples = parseMetrics(await metricsFor(app).render());
          const counted = sampleValue(samples, 'mailbind_messages_processed_total', { profile: 'support', outcome: 'imported' });
          assert.equal(counted, kind === 'serve' ? 1 : undefined);
          assert.equal(sampleValue(samples, 'mailbind_idle_connections'), 0);
        } finally {
          stop.abort();
          await running;
          await t.cleanup();
        }
      });
    }
  });
}
