// Where (c)'s CPU goes, thread by thread: the CPU time of each thread of this process, read from
// /proc/self/task (Linux; elsewhere nothing), over the timed part of a run. It shows what limits the
// pipeline on a machine and how it would scale with cores: the processing thread does intake and every
// decision and record, the parse threads parse, V8's helper threads collect garbage and compile for every
// isolate, libuv's threadpool writes, renames and syncs files.
//
// Node names none of its threads, so they are told apart by what they do and when they started (checked
// against a run of this benchmark, thread by thread): the processing thread is the process's own id; a
// thread that spent more time in the kernel than in user space is one of libuv's (file system calls); of
// the rest, those running when the timed part began are V8's helpers, and those started during it are
// the parse threads (the pool starts its threads at the first parse).
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuByThread {
  processingMs: number;
  parseMs: number;
  v8HelpersMs: number;
  libuvMs: number;
}

type Reading = Map<number, { userMs: number; systemMs: number }>;

/** Every thread's CPU so far; undefined where /proc/self/task cannot be read. */
export function readThreads(): Reading | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const tick = 1000 / 100; // USER_HZ: 100 on every Linux this runs on
  const reading: Reading = new Map();
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
      // utime and stime are the 14th and 15th of the line.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      reading.set(Number(tid), { userMs: Number(fields[11]) * tick, systemMs: Number(fields[12]) * tick });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return reading;
}

/** The CPU of each kind of thread between two readings. */
export function cpuByThread(before: Reading, after: Reading): CpuByThread {
  const result: CpuByThread = { processingMs: 0, parseMs: 0, v8HelpersMs: 0, libuvMs: 0 };
  for (const [tid, now] of after) {
    const then = before.get(tid) ?? { userMs: 0, systemMs: 0 };
    const userMs = now.userMs - then.userMs;
    const systemMs = now.systemMs - then.systemMs;
    const ms = userMs + systemMs;
    if (tid === process.pid) result.processingMs += ms;
    else if (systemMs > userMs) result.libuvMs += ms;
    else if (before.has(tid)) result.v8HelpersMs += ms;
    else result.parseMs += ms;
  }
  return result;
}
