// A parse thread for the parse pool's tests (its `worker` option): it answers as parse-worker.ts does,
// except that a message with the subject "Hang forever" is never done with: a busy loop, as a parser bug
// on some input would be. The real parser has no known input that does this, so the test needs this one.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parseTask } from '../../src/engine/parsing/parse-task.js';
import type { ParseTask } from '../../src/engine/parsing/parse-protocol.js';
import { BlobStore } from '../../src/store/blobs.js';

const blobs = new BlobStore((workerData as { dataDir: string }).dataDir);
const port = parentPort!;

port.on('message', (task: ParseTask) => {
  const raw = task.raw ? Buffer.from(task.raw) : readFileSync(blobs.pathOf(task.rawRef));
  if (raw.includes('Subject: Hang forever\r\n')) for (;;);
  void parseTask(task, blobs).then((reply) => port.postMessage(reply));
});
