// One parse thread of the pool (parse-pool.ts): each task the main thread sends is parsed (parse-task.ts)
// and answered.
import { parentPort, workerData } from 'node:worker_threads';
import { BlobStore } from '../../store/blobs.js';
import type { ParseTask, ThreadReady } from './parse-protocol.js';
import { parseTask } from './parse-task.js';

const blobs = new BlobStore((workerData as { dataDir: string }).dataDir);
const port = parentPort!;

port.on('message', (task: ParseTask) => void parseTask(task, blobs).then((reply) => port.postMessage(reply)));
port.postMessage({ ready: true } satisfies ThreadReady);
