// parseMessage on another thread, so a test can give it a deadline even when a parser loop never
// yields (a timer on the test's own thread would never fire). The main-thread side is
// parseWithDeadline(); the worker side is this file run as a Worker with the raw bytes as workerData.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseMessage } from '../../src/mail/index.js';
import { HashingSink } from './mail-sink.js';

export interface ParsedSummary {
  text: string;
  textFromHtml: boolean;
  attachments: { fileName: string; contentType: string }[];
}

/** The parsed message's text and files, or a rejection naming the deadline when it takes longer. */
export function parseWithDeadline(raw: Buffer, deadlineMs: number): Promise<ParsedSummary> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: raw });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`parseMessage did not finish within ${deadlineMs} ms`));
    }, deadlineMs);
    worker.once('message', (summary: ParsedSummary) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(summary);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const raw = Buffer.from(workerData as Uint8Array);
  void parseMessage(raw, { receivedAt: new Date(0), sink: new HashingSink() }).then((message) =>
    port.postMessage({
      text: message.text,
      textFromHtml: message.textFromHtml,
      attachments: message.attachments.map((a) => ({ fileName: a.fileName, contentType: a.contentType })),
    } satisfies ParsedSummary),
  );
}
