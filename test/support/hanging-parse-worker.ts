// A parse thread for the parse pool's tests (its `worker` option): it answers as parse-worker.ts does,
// except for the subjects below, which stand for what the real parser has no known input for:
// - "Hang forever": a busy loop, as a parser bug on some input would be (the thread answers nothing more);
// - "Hang quietly": never answered, while the thread goes on with the rest (a read that hangs);
// - "Read a pipe": reads the FIFO `pipe` in the data dir, blocked in native code until something writes
//   to it (a read that hangs where stopping the thread cannot interrupt it);
// - "Wait for go": answered once the file `go` exists in the data dir (a slow parse that does end).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { parseTask } from '../../src/engine/parsing/parse-task.js';
import type { ParseTask, ThreadReady } from '../../src/engine/parsing/parse-protocol.js';
import { BlobStore } from '../../src/store/blobs.js';

const { dataDir } = workerData as { dataDir: string };
const blobs = new BlobStore(dataDir);
const port = parentPort!;

async function go(): Promise<void> {
  while (!existsSync(join(dataDir, 'go'))) await delay(10);
}

port.on('message', (task: ParseTask) => {
  const raw = task.raw ? Buffer.from(task.raw) : readFileSync(blobs.pathOf(task.rawRef));
  if (raw.includes('Subject: Hang forever\r\n')) for (;;);
  if (raw.includes('Subject: Hang quietly\r\n')) return;
  if (raw.includes('Subject: Read a pipe\r\n')) readFileSync(join(dataDir, 'pipe'));
  const later = raw.includes('Subject: Wait for go\r\n') ? go() : Promise.resolve();
  void later.then(() => parseTask(task, blobs)).then((reply) => port.postMessage(reply));
});
port.postMessage({ ready: true } satisfies ThreadReady);
