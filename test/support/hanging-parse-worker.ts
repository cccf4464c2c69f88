// A parse thread for the parse pool's tests (its `worker` option): it answers as parse-worker.ts does,
// except for three subjects that stand for what the real parser has no known input for:
// - "Hang forever": a busy loop, as a parser bug on some input would be (the thread answers nothing more);
// - "Hang quietly": never answered, while the thread goes on with the rest (a read that hangs);
// - "Take 200 ms": answered 200 ms late, a slow parse that does end.
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { parseTask } from '../../src/engine/parsing/parse-task.js';
import type { ParseTask, ThreadReady } from '../../src/engine/parsing/parse-protocol.js';
import { BlobStore } from '../../src/store/blobs.js';

const blobs = new BlobStore((workerData as { dataDir: string }).dataDir);
const port = parentPort!;

port.on('message', (task: ParseTask) => {
  const raw = task.raw ? Buffer.from(task.raw) : readFileSync(blobs.pathOf(task.rawRef));
  if (raw.includes('Subject: Hang forever\r\n')) for (;;);
  if (raw.includes('Subject: Hang quietly\r\n')) return;
  const late = raw.includes('Subject: Take 200 ms\r\n') ? delay(200) : Promise.resolve();
  void late.then(() => parseTask(task, blobs)).then((reply) => port.postMessage(reply));
});
port.postMessage({ ready: true } satisfies ThreadReady);
