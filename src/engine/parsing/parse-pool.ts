// Worker threads that parse stored raw messages (parse-worker.ts), so that on a machine with a core to
// spare the processor's thread decides and records one group of messages while the next groups are parsed
// (issue 14). Each thread has at most THREAD_QUEUE tasks at a time, given to the least busy one; the
// rest wait here, in order. A thread that dies (a message that exhausts its memory, say) is replaced,
// and each task it held is tried once more alone on a thread of its own: the message that kills it
// again fails by itself (retried later like any processing error) instead of taking the messages
// parsed beside it along. Idle threads do not keep the process alive.
//
// A thread that holds tasks and answers none of them for SILENT_THREAD_MS, or holds one for twice that
// (the others it parses beside it keep answering), is stuck: a parse that never ends (a parser bug on some
// input, a read that hangs). It is stopped and treated as one that died, so the messages beside the stuck
// one are parsed again, alone each, and the stuck one, stuck again alone, fails with why and is retried
// later like any processing error, then failed after its last attempt. A thread silent over one task
// fails it at once, and so does one whose script does not load within the bound fail all it holds.
// A stopped thread gives up its place at once. Time the whole process stood still (stopped, a paused
// VM) is not counted.
// Without this a stuck parse kept its message's claim, renewed, for good, and the work queued on its
// thread waited behind it.
import { rm } from 'node:fs/promises';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { UnparseableMessageError } from '../../mail/index.js';
import type { Message } from '../../mail/message.js';
import type { BlobBatch } from '../../store/blob-batch.js';
import type { ParseReply, ParseTask, ThreadReady } from './parse-protocol.js';
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

/**
 * How long a thread holding tasks may answer none before it counts as stuck. Parsing the largest message
 * mailbind takes (50 MiB) took 1.4 s on the benchmark's VM (docs/benchmarks.md, (f)), and a thread answers
 * each task as it ends, so a minute of silence is no slow parse.
 */
export const SILENT_THREAD_MS = 60_000;

export interface ParsePoolOptions {
  /** Each thread's heap limits (worker_threads' resourceLimits); none by default: those of the process. */
  resourceLimits?: ResourceLimits;
  /** SILENT_THREAD_MS; tests shorten it. */
  silentThreadMs?: number;
  /** The thread's script (parse-worker.js beside this file); a test gives one that hangs on purpose. */
  worker?: URL;
}

interface Pending {
  task: ParseTask;
  attachments: BlobBatch;
  resolve: (message: Message) => void;
  reject: (error: Error) => void;
  /** Its thread died under it: it runs again with no other task on its thread, and fails if that one dies too. */
  alone?: boolean;
  /** When it was handed to its thread (performance.now()). */
  sentAt?: number;
}

class ParseThread {
  readonly worker: Worker;
  readonly tasks = new Map<number, Pending>();
  /** Its script loaded (it said so: ThreadReady): silence counts only from then (starting a thread, loading the parser, takes a while). */
  online = false;
  /** When it said it was ready (performance.now()); Infinity before. */
  onlineAt = Infinity;
  /** When it was last heard of, or given a task while it had none (performance.now()). */
  heardAt = performance.now();
  /** When it was started (performance.now()): a thread that is not ready a bound later is stuck starting. */
  startedAt = performance.now();
  /** Why it was stopped, when this pool stopped it as stuck. */
  stuck: Error | undefined;
  /**
   * Stopped in a way that tells its tasks need not run again alone: silent over one task (that one is
   * what it was stuck on), or never started (no task is to blame, and each alone would wait a bound).
   */
  failsItsTasks = false;

  constructor(dataDir: string, options: ParsePoolOptions, onReply: (thread: ParseThread, reply: ParseReply) => void,
    onStop: (thread: ParseThread, error: Error) => void) {
    // Beside this file both in dist/src/engine/parsing and in the bundle (scripts/bundle.mjs).
    this.worker = new Worker(options.worker ?? new URL('./parse-worker.js', import.meta.url), {
      workerData: { dataDir }, ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    this.worker.unref();
    this.worker.on('message', (reply: ParseReply | ThreadReady) => {
      if (!('ready' in reply)) return onReply(this, reply);
      this.online = true;
      this.onlineAt = this.heardAt = performance.now();
    });
    this.worker.on('error', (error) => onStop(this, this.stuck ?? error));
    this.worker.on('exit', (code) => onStop(this, this.stuck ?? new Error(`the parse thread stopped (exit code ${code})`)));
  }
}

export class ParsePool implements StoredParser {
  readonly parallel = true;
  private readonly threads: ParseThread[] = [];
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly silentThreadMs: number;
  /** Looks for stuck threads while any thread holds tasks. */
  private watch: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataDir: string,
    readonly size: number,
    private readonly options: ParsePoolOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a parse pool needs at least one thread, not ${size}`);
    this.silentThreadMs = options.silentThreadMs ?? SILENT_THREAD_MS;
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
    clearInterval(this.watch);
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
      pending.sentAt = performance.now();
      thread.tasks.set(pending.task.id, pending);
      // Busy threads keep the process alive, so that a parse in flight is always answered.
      if (thread.tasks.size === 1) {
        thread.worker.ref();
        thread.heardAt = performance.now();
      }
      thread.worker.postMessage(pending.task);
      this.watchForStuck();
    }
  }

  private watchForStuck(): void {
    if (this.watch) return;
    const every = Math.min(1000, Math.max(10, this.silentThreadMs / 4));
    let checkedAt = performance.now();
    this.watch = setInterval(() => {
      const now = performance.now();
      // Late by far more than a tick: the process stood still (stopped, a paused VM), and so did its
      // threads. That time is nobody's silence.
      const stood = now - checkedAt - every;
      checkedAt = now;
      if (stood > every) {
        for (const thread of this.threads) {
          thread.startedAt += stood;
          thread.onlineAt += stood;
          thread.heardAt += stood;
          for (const pending of thread.tasks.values()) pending.sentAt = (pending.sentAt ?? now) + stood;
        }
      }
      // A copy: a thread stopped here leaves the list at once.
      for (const thread of [...this.threads]) this.stopIfStuck(thread, now);
      if (!this.threads.some((thread) => thread.tasks.size > 0)) {
        clearInterval(this.watch);
        this.watch = undefined;
      }
    }, every);
    this.watch.unref();
  }

  private stopIfStuck(thread: ParseThread, now: number): void {
    if (thread.stuck || thread.tasks.size === 0) return;
    if (!thread.online) {
      // Its script never got as far as saying it was ready (it hangs as it loads): no task is to blame.
      if (now - thread.startedAt < this.silentThreadMs) return;
      thread.failsItsTasks = true;
      this.stop(thread, new Error(`the parse thread did not start within ${duration(this.silentThreadMs)} and was stopped`));
      return;
    }
    const oldest = Math.min(...[...thread.tasks.values()].map((pending) => pending.sentAt ?? now));
    const silent = now - thread.heardAt >= this.silentThreadMs;
    if (!silent && now - Math.max(oldest, thread.onlineAt) < 2 * this.silentThreadMs) return;
    // Held long while the thread answered others, a task may still be a slow parse taking its turns
    // with them: only silence over one task names it; otherwise each runs again alone.
    thread.failsItsTasks = silent && thread.tasks.size === 1;
    this.stop(thread, new Error(silent
      ? `parsing did not end: its parse thread answered nothing for ${duration(this.silentThreadMs)} and was stopped`
      : `parsing did not end: it was not done after ${duration(2 * this.silentThreadMs)} on its parse thread, which was stopped`));
  }

  /**
   * Stops a stuck thread, and gives up its place and its tasks at once: a thread blocked in native code
   * (a read that hangs) may take long to exit, and the work must not wait for that.
   */
  private stop(thread: ParseThread, why: Error): void {
    thread.stuck = why;
    thread.worker.unref();
    void thread.worker.terminate();
    this.stopped(thread, why);
  }

  /** The thread with the fewest tasks under THREAD_QUEUE, started if the pool is not full yet; none when all are full. */
  private leastBusy(): ParseThread | undefined {
    let best: ParseThread | undefined;
    for (const thread of this.threads) {
      if (thread.tasks.size >= THREAD_QUEUE || runsAlone(thread)) continue;
      if (!best || thread.tasks.size < best.tasks.size) best = thread;
    }
    if (best?.tasks.size === 0 || this.threads.length >= this.size) return best;
    return this.start();
  }

  /** A thread with no task, started if the pool is not full yet: for a task that must run alone. */
  private idle(): ParseThread | undefined {
    return this.threads.find((thread) => thread.tasks.size === 0) ?? (this.threads.length < this.size ? this.start() : undefined);
  }

  private start(): ParseThread {
    const started = new ParseThread(this.dataDir, this.options, (t, reply) => this.answered(t, reply), (t, error) => this.stopped(t, error));
    this.threads.push(started);
    return started;
  }

  private answered(thread: ParseThread, reply: ParseReply): void {
    const pending = thread.tasks.get(reply.id);
    if (!pending) {
      // A reply from a stopped thread, or after close: its task was answered already. The attachments
      // it wrote would wait in tmp/ for the daily sweep.
      if ('written' in reply) for (const blob of reply.written) void rm(blob.tmp, { force: true });
      return;
    }
    thread.heardAt = performance.now();
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
      if (pending.alone || thread.failsItsTasks || this.closed) pending.reject(error);
      else again.push({ ...pending, alone: true });
    }
    thread.tasks.clear();
    this.waiting.unshift(...again);
    if (!this.closed) this.dispatch();
  }
}

function duration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function runsAlone(thread: ParseThread): boolean {
  for (const pending of thread.tasks.values()) if (pending.alone) return true;
  return false;
}
