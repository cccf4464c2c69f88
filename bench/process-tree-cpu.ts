// The CPU a process and every process below it have used (Linux /proc; elsewhere undefined): how much of
// the machine a local Dovecot takes to serve a measure. The processes that ended in between count too:
// a parent that has waited for a child holds that child's CPU in its own cutime and cstime, and
// Dovecot's master waits for each of its login, imap and pop3 processes.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / 100; // USER_HZ: 100 on every Linux this runs on

interface Stat {
  ppid: number;
  /** Its own CPU (utime + stime). */
  ownMs: number;
  /** Its ended and waited-for children's (cutime + cstime). */
  childrenMs: number;
}

function stat(pid: string): Stat | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (which may hold spaces and parentheses): state, ppid, … utime (14th field of
    // the line), stime, cutime, cstime.
    const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ownMs: (Number(f[11]) + Number(f[12])) * TICK_MS, childrenMs: (Number(f[13]) + Number(f[14])) * TICK_MS };
  } catch {
    return undefined; // ended meanwhile
  }
}

/** Milliseconds of CPU used so far by `root` and its descendants, ended ones included; undefined without /proc. */
export function processTreeCpuMs(root: number): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const stats = new Map<number, Stat>();
  for (const pid of pids) {
    const s = stat(pid);
    if (s) stats.set(Number(pid), s);
  }
  if (!stats.has(root)) return undefined;
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) {
    const siblings = children.get(s.ppid);
    if (siblings) siblings.push(pid);
    else children.set(s.ppid, [pid]);
  }
  // Each process's own CPU and its ended, waited-for children's: those are in no other live process's
  // counters, so nothing is counted twice.
  let ms = 0;
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop()!;
    const s = stats.get(pid);
    if (!s) continue;
    ms += s.ownMs + s.childrenMs;
    queue.push(...(children.get(pid) ?? []));
  }
  return ms;
}
