// Worker threads that parse stored raw messages (parse-worker.ts), so that on a machine with a core to
// spare the processor's thread decides and records one group of messages while the next groups are parsed
// (issue 14). Each thread has at most THREAD_QUEUE tasks at a time, given to the least busy one; the
// rest wait here, in order. A thread that dies (a message that exhausts its memory, say) is replaced,
// and each task it held is tried once more alone on a thread of its own: the message that kills it
// again fails by itself (retried later like any processing error) instead of taking the messages
// parsed beside it along. Idle threads do not keep the process alive.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { UnparseableMessageError } from '../../mail/index.js';
import type { Message } from '../../mail/message.js';
import type { BlobBatch } from '../../store/blob-batch.js';
import type { ParseReply, ParseTask } from './parse-protocol.js';
import type { StoredMessage, StoredParser } from './stored-parser.js';

/**
 * Tasks handed to one thread at once. Enough for a whole group (PROCESS_GROUP_SIZE): the processor's
 * thread hears of a finished parse, and so hands out the next task, only between its own tasks, and
 * deciding and recording a group runs as one task (SQLite answers synchronously). With two at a time
 * the parse thread sat idle through most of it (measured: parse waits 4.8 s of 10 s on 2,000 messages).
 * Two groups parsed ahead (process.ts) are up to 40 tasks: the rest wait here, and a queue of 64 measured
 * no different (2.74 against 2.74 ms per message, 5 rounds).
 */
const THREAD_QUEUE = 32;

interface Pending {
  task: ParseTask;
  attachments: BlobBatch;
  resolve: (message: Message) => void;
  reject: (error: Error) => void;
  /** Its thread died under it: it runs again with no other task on its thread, and fails if that one dies too. */
  alone?: boolean;
}

class ParseThread {
  readonly worker: Worker;
  readonly tasks = new Map<number, Pending>();

  constructor(dataDir: string, resourceLimits: ResourceLimits | undefined, onReply: (thread: ParseThread, reply: ParseReply) => void,
    onStop: (thread: ParseThread, error: Error) => void) {
    // Beside this file both in dist/src/engine/parsing and in the bundle (scripts/bundle.mjs).
    this.worker = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: { dataDir }, ...(resourceLimits ? { resourceLimits } : {}) });
    this.worker.unref();
    this.worker.on('message', (reply: ParseReply) => onReply(this, reply));
    this.worker.on('error', (error) => onStop(this, error));
    this.worker.on('exit', (code) => onStop(this, new Error(`the parse thread stopped (exit code ${code})`)));
  }
}

export class ParsePool implements StoredParser {
  readonly parallel = true;
  private readonly threads: ParseThread[] = [];
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly dataDir: string,
    readonly size: number,
    /** Each thread's heap limits (worker_threads' resourceLimits); none by default: those of the process. */
    private readonly resourceLimits?: ResourceLimits,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a parse pool needs at least one thread, not ${size}`);
  }

  parse(stored: StoredMessage, attachments: BlobBatch): Promise<Message> {
    if (this.closed) return Promise.reject(new Error('the parse pool is closed'));
    return new Promise<Message>((resolve, reject) => {
      // Bytes at hand go along (copied to the thread); the thread reads only blob files.
      const task: ParseTask = { id: this.nextId++, rawRef: stored.rawRef, receivedAt: stored.receivedAt, ...(stored.raw ? { raw: stored.raw } : {}) };
      this.waiting.push({ task, attachments, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const closed = () => new Error('the parse pool is closed');
    for (const pending of this.waiting.splice(0)) pending.reject(closed());
    // Parses in flight are answered too: their thread is stopped, and no reply will come.
    const threads = this.threads.splice(0);
    for (const thread of threads) {
      for (const pending of thread.tasks.values()) pending.reject(closed());
      thread.tasks.clear();
    }
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  private dispatch(): void {
    while (this.waiting.length) {
      const thread = this.waiting[0]!.alone ? this.idle() : this.leastBusy();
      if (!thread) return;
      const pending = this.waiting.shift()!;
      thread.tasks.set(pending.task.id, pending);
      // Busy threads keep the process alive, so that a parse in flight is always answered.
      if (thread.tasks.size === 1) thread.worker.ref();
      thread.worker.postMessage(pending.task);
    }
  }

  /** The thread with the fewest tasks under THREAD_QUEUE, started if the pool is not full yet; none when all are full. */
  private leastBusy(): ParseThread | undefined {
    let best: ParseThread | undefined;
    for (const thread of this.threads) {
      if (thread.tasks.size < THREAD_QUEUE && !runsAlone(thread) && (!best || thread.tasks.size < best.tasks.size)) best = thread;
    }
    if (best?.tasks.size === 0 || this.threads.length >= this.size) return best;
    return this.start();
  }

  /** A thread with no task, started if the pool is not full yet: for a task that must run alone. */
  private idle(): ParseThread | undefined {
    return this.threads.find((thread) => thread.tasks.size === 0) ?? (this.threads.length < this.size ? this.start() : undefined);
  }

  private start(): ParseThread {
    const started = new ParseThread(this.dataDir, this.resourceLimits, (t, reply) => this.answered(t, reply), (t, error) => this.stopped(t, error));
    this.threads.push(started);
    return started;
  }

  private answered(thread: ParseThread, reply: ParseReply): void {
    const pending = thread.tasks.get(reply.id);
    if (!pending) return;
    thread.tasks.delete(reply.id);
    if (thread.tasks.size === 0) thread.worker.unref();
    if ('message' in reply) {
      pending.attachments.adopt(reply.written);
      pending.resolve(reply.message);
    } else if ('unparseable' in reply) {
      pending.reject(new UnparseableMessageError(reply.unparseable.message, reply.unparseable.reason));
    } else {
      pending.reject(new Error(reply.error));
    }
    this.dispatch();
  }

  private stopped(thread: ParseThread, error: Error): void {
    const index = this.threads.indexOf(thread);
    if (index < 0) return; // already handled ('error' is followed by 'exit')
    this.threads.splice(index, 1);
    // Which of its tasks killed it is unknown: each is tried once more alone, in order, ahead of the rest.
    const again: Pending[] = [];
    for (const pending of thread.tasks.values()) {
      if (pending.alone || this.closed) pending.reject(error);
      else again.push({ ...pending, alone: true });
    }
    thread.tasks.clear();
    this.waiting.unshift(...again);
    if (!this.closed) this.dispatch();
  }
}

function runsAlone(thread: ParseThread): boolean {
  for (const pending of thread.tasks.values()) if (pending.alone) return true;
  return false;
}
