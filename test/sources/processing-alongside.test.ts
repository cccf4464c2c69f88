// Processing beside a poll's intake (src/sources/processing-alongside.ts): intake never waits for a pass,
// one pass runs at a time, steps committed during a pass get one more pass after it while the download
// goes on (not once it has ended), and a failed pass ends the intake at its next step and is what
// finished() reports. The sources' own tests
// (imap/batches.test.ts, pop3/batches.test.ts) show the same against a real Dovecot.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProcessingAlongside } from '../../src/sources/processing-alongside.js';

/** A processing whose passes end when the test says so. */
function controlled() {
  const passes: Array<{ end: () => void; fail: (error: Error) => void }> = [];
  let running = 0;
  let most = 0;
  const process = () => new Promise<void>((resolve, reject) => {
    most = Math.max(most, ++running);
    const done = () => void running--;
    passes.push({ end: () => (done(), resolve()), fail: (error) => (done(), reject(error)) });
  });
  return { process, passes, most: () => most };
}

/** Lets the promise jobs queued so far run (a pass ending starts the next one in a later job). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('processing alongside intake', () => {
  test('a pass starts at the first commit without the intake waiting; commits during it get exactly one more pass after it', async () => {
    const p = controlled();
    const alongside = new ProcessingAlongside(p.process);
    alongside.committed(); // returns while the pass runs
    assert.equal(p.passes.length, 1);
    alongside.committed();
    alongside.committed();
    await settle();
    assert.equal(p.passes.length, 1, 'no second pass beside the first');
    p.passes[0]!.end();
    await settle();
    assert.equal(p.passes.length, 2, 'one more pass for the commits during the first');
    p.passes[1]!.end();
    await alongside.finished();
    assert.equal(p.passes.length, 2, 'two commits during one pass make one pass, not two');
    assert.equal(p.most(), 1);
  });

  test('once the download has ended, a pass still due is left to the caller: finished() waits for the one running, and starts none', async () => {
    const p = controlled();
    const alongside = new ProcessingAlongside(p.process);
    alongside.committed();
    alongside.committed(); // due after the first, while the download goes on
    let finished = false;
    const waiting = alongside.finished().then(() => void (finished = true));
    await settle();
    assert.equal(finished, false, 'finished() before the pass running ended');
    p.passes[0]!.end();
    await waiting;
    assert.equal(p.passes.length, 1, 'the caller processes next itself (the poll after intake, or processBeforeFailing)');
  });

  test('a commit after a pass has ended starts a new one; finished() waits for the one running', async () => {
    const p = controlled();
    const alongside = new ProcessingAlongside(p.process);
    alongside.committed();
    p.passes[0]!.end();
    await settle();
    alongside.committed();
    assert.equal(p.passes.length, 2);
    let finished = false;
    const waiting = alongside.finished().then(() => void (finished = true));
    await settle();
    assert.equal(finished, false, 'finished() before the pass ended');
    p.passes[1]!.end();
    await waiting;
    assert.equal(p.passes.length, 2);
  });

  test('a failed pass: the next commit throws its error (the intake stops), no pass follows it, finished() rejects with it, stopped() does not', async () => {
    const p = controlled();
    const alongside = new ProcessingAlongside(p.process);
    const broken = new Error('the database went away');
    alongside.committed();
    alongside.committed(); // one more pass would follow, had the first not failed
    p.passes[0]!.fail(broken);
    await settle();
    assert.throws(() => alongside.committed(), broken);
    assert.equal(p.passes.length, 1, 'no pass after the failure');
    await assert.rejects(alongside.finished(), broken);
    await alongside.stopped();
  });

  test('stopped() waits for the pass running and ignores its failure', async () => {
    const p = controlled();
    const alongside = new ProcessingAlongside(p.process);
    alongside.committed();
    let stopped = false;
    const waiting = alongside.stopped().then(() => void (stopped = true));
    await settle();
    assert.equal(stopped, false);
    p.passes[0]!.fail(new Error('late'));
    await waiting;
  });

  test('without a processing, commits run nothing and finished() resolves', async () => {
    const alongside = new ProcessingAlongside(undefined);
    alongside.committed();
    await alongside.finished();
  });
});
