// Parse threads (issue 14): a stored message parsed on a worker thread is the message the processor's
// own thread makes of it, its attachments reach the group's BlobBatch (tmp/ until it flushes), a
// message no parser can read is refused as such, a thread that dies fails only its own tasks, and an
// idle pool never keeps a command's process alive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnparseableMessageError } from '../../../src/mail/index.js';
import { BlobBatch } from '../../../src/store/blob-batch.js';
import { BlobStore } from '../../../src/store/blobs.js';
import { ParsePool } from '../../../src/engine/parsing/parse-pool.js';
import { inlineParser, type StoredMessage } from '../../../src/engine/parsing/stored-parser.js';
import { makeMessage } from '../../support/messages.js';

let dataDir: string;
let blobs: BlobStore;
let pool: ParsePool;
const receivedAt = '2026-11-30T10:00:00.000Z';

before(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mailbind-parse-pool-'));
  blobs = new BlobStore(dataDir);
  pool = new ParsePool(dataDir, 2);
});
after(async () => {
  await pool.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const tmpEntries = () => readdirSync(join(blobs.root, 'tmp'));
const stored = async (raw: Buffer) => ({ rawRef: (await blobs.save(raw)).ref, receivedAt });

/** 2,000 nested multiparts after an attachment: past the MIME parser's limit on child nodes. */
function tooDeepAfterAnAttachment(): Buffer {
  const lines = ['From: a@example.com', 'Subject: deep', 'Content-Type: multipart/mixed; boundary="top"', '', '--top',
    'Content-Type: application/octet-stream; name="first.bin"', 'Content-Disposition: attachment; filename="first.bin"',
    'Content-Transfer-Encoding: base64', '', Buffer.from('written before the parser gives up\n'.repeat(50)).toString('base64'), '--top',
    'Content-Type: multipart/mixed; boundary="b0"', ''];
  for (let i = 1; i < 2000; i++) lines.push(`--b${i - 1}`, `Content-Type: multipart/mixed; boundary="b${i}"`, '');
  lines.push('--b1999', 'Content-Type: text/plain', '', 'bottom');
  return Buffer.from(lines.join('\r\n'));
}

test('a message parsed on a parse thread is the message this thread makes of it, its attachment placed when the batch flushes', async () => {
  const content = Buffer.from('quarterly figures\n'.repeat(400));
  const message = await stored(makeMessage({ subject: 'Figures attached', body: 'See attached.', attachment: { name: 'figures.csv', type: 'text/csv', content } }));
  const attachments = new BlobBatch(blobs);
  const onThread = await pool.parse(message, attachments);
  const here = await inlineParser(blobs).parse(message, new BlobBatch(blobs));
  assert.deepEqual(onThread, here);
  assert.equal(onThread.subject, 'Figures attached');
  const ref = createHash('sha256').update(content).digest('hex');
  assert.deepEqual(onThread.attachments.map((a) => [a.fileName, a.size, a.blobRef]), [['figures.csv', content.length, ref]]);
  assert.equal(existsSync(blobs.pathOf(ref)), false, 'not under its hash before the flush');
  await attachments.flush();
  assert.ok(existsSync(blobs.pathOf(ref)), 'under its hash after the flush');
  // The inline parse's own batch was never flushed: discard it, then nothing is left in tmp/.
  for (const entry of tmpEntries()) rmSync(join(blobs.root, 'tmp', entry));
});

test('many messages at once come back each with its own message, in any thread', async () => {
  const subjects = Array.from({ length: 40 }, (_, i) => `Message ${i}`);
  const messages = await Promise.all(subjects.map((subject) => stored(makeMessage({ subject }))));
  const attachments = new BlobBatch(blobs);
  const parsed = await Promise.all(messages.map((m) => pool.parse(m, attachments)));
  assert.deepEqual(parsed.map((m) => m.subject), subjects);
});

test('a message no parser can read is refused as unparseable, and what it wrote before is removed', async () => {
  const message = await stored(tooDeepAfterAnAttachment());
  const attachments = new BlobBatch(blobs);
  await assert.rejects(pool.parse(message, attachments), (error: unknown) => {
    assert.ok(error instanceof UnparseableMessageError, String(error));
    assert.equal(error.reason, 'parser');
    assert.match(error.message, /child nodes/i);
    return true;
  });
  assert.deepEqual(tmpEntries(), []);
  await attachments.flush(); // nothing adopted: nothing to place
});

test('a raw blob that cannot be read is an ordinary error (retried), not an unparseable message', async () => {
  const missing = { rawRef: 'f'.repeat(64), receivedAt };
  await assert.rejects(pool.parse(missing, new BlobBatch(blobs)), (error: unknown) => {
    assert.ok(!(error instanceof UnparseableMessageError));
    assert.match((error as Error).message, /ENOENT/);
    return true;
  });
});

test('a thread that dies is replaced, and what it held is parsed again, alone', async () => {
  const one = new ParsePool(dataDir, 1);
  try {
    const message = await stored(makeMessage({ subject: 'After the crash' }));
    await one.parse(message, new BlobBatch(blobs)); // the thread is up
    // What a crash of the thread looks like from here (a native fault, a kill): it exits.
    const [thread] = (one as unknown as { threads: Array<{ worker: { terminate(): Promise<number> } }> }).threads;
    const held = [1, 2, 3].map(() => one.parse(message, new BlobBatch(blobs)));
    await thread!.worker.terminate();
    assert.deepEqual((await Promise.all(held)).map((m) => m.subject), Array(3).fill('After the crash'));
    assert.equal((await one.parse(message, new BlobBatch(blobs))).subject, 'After the crash');
  } finally {
    await one.close();
  }
});

test('a message that exhausts a thread\'s memory fails after its try alone, with the reason; the pool goes on', async () => {
  // A small heap for the threads, and a message whose 40 MB text body cannot fit in it.
  const small = new ParsePool(dataDir, 1, { resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } });
  try {
    const poison = await stored(makeMessage({ subject: 'Too big for the thread', body: 'x'.repeat(75).concat('\n').repeat(540_000) }));
    const killer = await betweenTwoGood(small, poison);
    assert.equal(killer.status, 'rejected');
    assert.ok(!((killer as PromiseRejectedResult).reason instanceof UnparseableMessageError), 'a retry may still parse it inline: not final');
    assert.match(String((killer as PromiseRejectedResult).reason), /memory|exit code/i);
  } finally {
    await small.close();
  }
});

/** The test thread script that stands for a parser stuck on some input (test/support/hanging-parse-worker.ts). */
const HANGING_WORKER = new URL('../../support/hanging-parse-worker.js', import.meta.url);

/** One thread with a bound of 1 s, running `worker`. */
function boundedPool(worker = HANGING_WORKER): ParsePool {
  return new ParsePool(dataDir, 1, { silentThreadMs: 1000, worker });
}

/**
 * `bad` parsed on `on` between two good messages, all handed over at once: the two are parsed, and what
 * became of `bad` is returned.
 */
async function betweenTwoGood(on: ParsePool, bad: StoredMessage): Promise<PromiseSettledResult<unknown>> {
  const before = await stored(makeMessage({ subject: 'Parsed before it' }));
  const after = await stored(makeMessage({ subject: 'Parsed after it' }));
  const attachments = new BlobBatch(blobs);
  const [first, middle, last] = await Promise.allSettled([before, bad, after].map((m) => on.parse(m, attachments)));
  assert.equal(first.status === 'fulfilled' && first.value.subject, 'Parsed before it');
  assert.equal(last.status === 'fulfilled' && last.value.subject, 'Parsed after it');
  assert.equal((await on.parse(after, new BlobBatch(blobs))).subject, 'Parsed after it', 'a new thread took over');
  return middle;
}

test('a parse that never ends: its silent thread is stopped, the messages beside it are parsed, and it fails alone with why', async () => {
  const hanging = boundedPool();
  try {
    // All three on the one thread at once: the stuck one blocks the others' parses there too.
    const hung = await betweenTwoGood(hanging, await stored(makeMessage({ subject: 'Hang forever' })));
    assert.equal(hung.status, 'rejected');
    const reason = (hung as PromiseRejectedResult).reason as Error;
    assert.equal(reason.message, 'parsing did not end: its parse thread answered nothing for 1 s and was stopped');
    assert.ok(!(reason instanceof UnparseableMessageError), 'retried later, not final at once');
  } finally {
    await hanging.close();
  }
});

test('a parse that never answers while its thread goes on with others: stopped once it is twice the bound old', async () => {
  const quiet = boundedPool();
  try {
    const stalled = quiet.parse(await stored(makeMessage({ subject: 'Hang quietly' })), new BlobBatch(blobs));
    const outcome = stalled.then(() => 'parsed', (error: Error) => error.message);
    // Work keeps coming, each answered well within the bound: the thread is never silent for a second.
    const other = await stored(makeMessage({ subject: 'Parsed beside it' }));
    let answered = 0;
    let settled: string | undefined;
    void outcome.then((text) => (settled = text));
    while (settled === undefined) {
      assert.equal((await quiet.parse(other, new BlobBatch(blobs))).subject, 'Parsed beside it');
      answered++;
    }
    // Stopped for its age while answering others, it ran again alone, where its silence named it.
    assert.equal(settled, 'parsing did not end: its parse thread answered nothing for 1 s and was stopped');
    assert.ok(answered > 3, `the others went on meanwhile (${answered})`);
  } finally {
    await quiet.close();
  }
});

test('time the whole process stood still is nobody\'s silence: a parse across a pause is not stopped', () => {
  // A data dir of its own: the thread answers once the file `go` is there, written only after the pause.
  const childDir = mkdtempSync(join(dataDir, 'paused-'));
  const script = `
    import { ParsePool } from ${JSON.stringify(new URL('../../../src/engine/parsing/parse-pool.js', import.meta.url).href)};
    import { BlobBatch } from ${JSON.stringify(new URL('../../../src/store/blob-batch.js', import.meta.url).href)};
    import { BlobStore } from ${JSON.stringify(new URL('../../../src/store/blobs.js', import.meta.url).href)};
    const blobs = new BlobStore(process.env.DATA_DIR);
    const message = async (subject) => ({ rawRef: (await blobs.save(Buffer.from('From: a@example.com\\r\\nSubject: ' + subject + '\\r\\n\\r\\nbody\\r\\n'))).ref, receivedAt: new Date().toISOString() });
    const pool = new ParsePool(process.env.DATA_DIR, 1, { silentThreadMs: 1000, worker: new URL(${JSON.stringify(HANGING_WORKER.href)}) });
    // Warm: the thread is up before the parse that the pause falls into.
    await pool.parse(await message('Warm'), new BlobBatch(blobs));
    const parsing = pool.parse(await message('Wait for go'), new BlobBatch(blobs));
    process.stdout.write('parsing\\n');
    try {
      console.log((await parsing).subject);
    } catch (error) {
      console.log('failed: ' + error.message);
    }
    await pool.close();`;
  const file = join(childDir, 'paused.mjs');
  writeFileSync(file, script);
  const child = spawn(process.execPath, [file], { env: { ...process.env, DATA_DIR: childDir }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise<void>((resolve, reject) => {
    let out = '';
    let paused = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!paused && out.includes('parsing\n')) {
        paused = true;
        // Stopped for three seconds, three times the bound, while the parse waits; it ends once resumed.
        child.kill('SIGSTOP');
        setTimeout(() => {
          child.kill('SIGCONT');
          writeFileSync(join(childDir, 'go'), '');
        }, 3000);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      try {
        assert.ok(paused, `the child was paused (it printed: ${out})`);
        assert.equal(out.trim().split('\n').at(-1), 'Wait for go');
        resolve();
      } catch (error) {
        reject(error as Error);
      }
    });
  });
});

test('a thread whose script never finishes loading is stopped, and what it held fails with why', async () => {
  const never = boundedPool(new URL('../../support/never-ready-parse-worker.js', import.meta.url));
  try {
    const message = await stored(makeMessage({ subject: 'Never parsed' }));
    await assert.rejects(never.parse(message, new BlobBatch(blobs)), { message: 'the parse thread did not start within 1 s and was stopped' });
  } finally {
    await never.close();
  }
});

test('a thread blocked in a read that stopping cannot interrupt gives up its place at once: the next parse goes on', async () => {
  const pipe = join(dataDir, 'pipe');
  assert.equal(spawnSync('mkfifo', [pipe]).status, 0, 'mkfifo');
  const blocked = boundedPool();
  try {
    await assert.rejects(blocked.parse(await stored(makeMessage({ subject: 'Read a pipe' })), new BlobBatch(blobs)),
      { message: 'parsing did not end: its parse thread answered nothing for 1 s and was stopped' });
    // The blocked thread has not exited (its read still waits); with one thread allowed, this parse needs its place.
    assert.equal((await blocked.parse(await stored(makeMessage({ subject: 'Parsed after it' })), new BlobBatch(blobs))).subject, 'Parsed after it');
  } finally {
    // Something writes to the pipe: the blocked read returns, and the stopped thread can end. Opened for
    // reading and writing, so that opening it never waits for a reader (the thread may not have got there).
    const fd = openSync(pipe, 'r+');
    writeSync(fd, 'x');
    closeSync(fd);
    await blocked.close();
  }
});

test('bytes at hand go to the thread with the task: the file is not read; without them it is', async () => {
  const raw = makeMessage({ subject: 'Straight from intake' });
  const [saved] = await blobs.saveAll([raw]);
  assert.ok(saved && 'ref' in saved);
  // Gone from disk (never so in practice): only the bytes handed over can make this parse succeed.
  rmSync(blobs.pathOf(saved.ref));
  const message = await pool.parse({ rawRef: saved.ref, receivedAt, raw }, new BlobBatch(blobs));
  assert.equal(message.subject, 'Straight from intake');
  await assert.rejects(pool.parse({ rawRef: saved.ref, receivedAt }, new BlobBatch(blobs)), /ENOENT/, 'without the bytes the thread reads the file');
});

test('a closed pool refuses work with a reason', async () => {
  const closed = new ParsePool(dataDir, 1);
  await closed.close();
  await assert.rejects(closed.parse({ rawRef: 'f'.repeat(64), receivedAt }, new BlobBatch(blobs)), /the parse pool is closed/);
});

test('closing the pool answers the parses in flight: refused, never left pending', async () => {
  const closing = new ParsePool(dataDir, 1);
  const message = await stored(makeMessage({ subject: 'In flight at close' }));
  const inFlight = closing.parse(message, new BlobBatch(blobs)); // handed to the thread at once
  const refused = assert.rejects(inFlight, /the parse pool is closed/);
  await closing.close();
  await refused;
});

test('a pool left open does not keep the process alive once its threads are idle', () => {
  const script = `
    import { ParsePool } from ${JSON.stringify(new URL('../../../src/engine/parsing/parse-pool.js', import.meta.url).href)};
    import { BlobBatch } from ${JSON.stringify(new URL('../../../src/store/blob-batch.js', import.meta.url).href)};
    import { BlobStore } from ${JSON.stringify(new URL('../../../src/store/blobs.js', import.meta.url).href)};
    const blobs = new BlobStore(process.env.DATA_DIR);
    const { ref } = await blobs.save(Buffer.from('From: a@example.com\\r\\nSubject: left open\\r\\n\\r\\nbody\\r\\n'));
    const message = await new ParsePool(process.env.DATA_DIR, 1).parse({ rawRef: ref, receivedAt: new Date().toISOString() }, new BlobBatch(blobs));
    console.log(message.subject);`;
  const file = join(dataDir, 'left-open.mjs');
  writeFileSync(file, script);
  const run = spawnSync(process.execPath, [file], { env: { ...process.env, DATA_DIR: dataDir }, timeout: 20_000, encoding: 'utf8' });
  assert.equal(run.signal, null, 'the process ended by itself, not by the timeout');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'left open');
});

test('a pool needs at least one thread', () => {
  assert.throws(() => new ParsePool(dataDir, 0), /at least one thread/);
});
