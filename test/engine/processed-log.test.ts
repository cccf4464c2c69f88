// The processor's one log line per processed message (profile, item, outcome, rule, ms; never the
// subject, which is people's data) and the event metrics observe (onProcessed), for an outcome, for an
// unparseable message and for an attempt that waits for a retry.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessedEvent } from '../../src/engine/process.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { createProfile } from '../../src/store/profiles.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { memoryLog } from '../support/memory-log.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { setRawAside } from '../support/raw-bytes.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const SUBJECT = 'Salary review for Jane Doe';

for (const dialect of await dialects()) {
  describe(`processed messages are logged and observed (${dialect})`, () => {
    let t: TestStore;
    let profileId: number;

    before(async () => {
      t = await openTestStore(dialect);
      await addProject(t.store.db, { name: 'General' });
      profileId = (await createProfile(t.store.db, { name: 'support', rules: 'then attach to project 1 and create request in project 1' })).id;
    });
    after(() => t.cleanup());

    function setup() {
      const log = memoryLog();
      const events: ProcessedEvent[] = [];
      const processor = processorFor(t.store, { logger: log.logger, onProcessed: (e) => events.push(e) });
      const linesAbout = (item: number) => log.records.filter((r) => r.item === item);
      return { log, events, processor, linesAbout };
    }

    test('an outcome: exactly one info line with profile, item, outcome, rule and ms, and no subject', async () => {
      const { events, processor, linesAbout } = setup();
      const { item } = await intakeMessage(t.store, makeMessage({ subject: SUBJECT }), { profileId });
      await processor.processDue({ ids: [item.id] });
      const lines = linesAbout(item.id);
      assert.equal(lines.length, 1, JSON.stringify(lines));
      const line = lines[0]!;
      assert.equal(line.level, 30);
      assert.equal(line.msg, 'processed');
      assert.deepEqual([line.profile, line.outcome, line.rule], ['support', 'imported', 1]);
      assert.equal(typeof line.ms, 'number');
      assert.ok(!JSON.stringify(line).includes('Salary'), 'the subject stays out of the log');
      assert.deepEqual(events, [{ profileId, itemId: item.id, outcome: 'imported', rule: 1, ms: line.ms, receivedAt: item.receivedAt, rateLimited: false }]);
    });

    test('an unparseable message is one info line too, with its outcome failed', async () => {
      const { events, processor, linesAbout } = setup();
      // 2,000 nested multiparts: past the MIME parser's limit on child nodes.
      let nested = '';
      for (let i = 0; i < 2000; i++) nested += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
      const raw = Buffer.from(`From: a@b.example\r\nSubject: ${SUBJECT}\r\n${nested}Content-Type: text/plain\r\n\r\nx\r\n`);
      const { item } = await intakeMessage(t.store, raw, { profileId });
      const [result] = await processor.processDue({ ids: [item.id] });
      assert.equal(result!.outcome, 'failed');
      const lines = linesAbout(item.id);
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.deepEqual([lines[0]!.level, lines[0]!.msg, lines[0]!.outcome, lines[0]!.profile], [30, 'processed', 'failed', 'support']);
      assert.ok(!JSON.stringify(lines[0]).includes('Salary'), 'the subject stays out of the log');
      assert.deepEqual(events.map((e) => [e.itemId, e.outcome]), [[item.id, 'failed']]);
    });

    test('an attempt that will be retried: one warning with the error, and an event without outcome', async () => {
      const { events, processor, linesAbout } = setup();
      const { item } = await intakeMessage(t.store, makeMessage({ subject: SUBJECT }), { profileId });
      // The raw bytes vanish (a disk problem): processing fails and the item waits for another try.
      const putBack = await setRawAside(t.store, item);
      try {
        const [result] = await processor.processDue({ ids: [item.id] });
        assert.equal(result!.outcome, null);
      } finally {
        await putBack();
      }
      const lines = linesAbout(item.id);
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.equal(lines[0]!.level, 40);
      assert.equal(lines[0]!.msg, 'processing failed; will retry');
      assert.equal(lines[0]!.profile, 'support');
      assert.ok(lines[0]!.err);
      assert.deepEqual(events.map((e) => [e.itemId, e.outcome]), [[item.id, null]]);
    });

    test('an observer that throws does not undo the processing', async () => {
      const log = memoryLog();
      const processor = processorFor(t.store, { logger: log.logger, onProcessed: () => { throw new Error('observer bug'); } });
      const { item } = await intakeMessage(t.store, makeMessage(), { profileId });
      const [result] = await processor.processDue({ ids: [item.id] });
      assert.equal(result!.outcome, 'imported');
      assert.equal(log.find('onProcessed failed', 50).length, 1);
    });
  });
}
