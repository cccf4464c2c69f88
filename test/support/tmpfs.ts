// A small file system of its own (tmpfs), for tests of a full disk: filled to the brim, it answers
// writes with ENOSPC as a real full disk does, and SQLite with its own errors. Mounting needs root with
// the right to mount (CI has both); elsewhere the tests skip, and with MAILBIND_REQUIRE_TMPFS=1 (CI) they
// fail instead.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Writes a file that leaves about `bytes` free (or as little as there is); returns its path. */
  fillLeaving(bytes: number): string;
  unmount(): void;
}

let mountable: false | string | undefined;

/** For `describe(name, { skip: tmpfsSkip() }, …)`: false where a tmpfs can be mounted (tried once), else why not. */
export function tmpfsSkip(): false | string {
  if (mountable === undefined) {
    let probe: Tmpfs | undefined;
    try {
      probe = mountTmpfs(64 * 1024);
      mountable = false;
    } catch (error) {
      mountable = `cannot mount a tmpfs (needs root with the right to mount): ${(error as Error).message.split('\n')[0]}`;
    }
    // Mounted but not unmountable is a fault of its own, said as such.
    probe?.unmount();
  }
  if (mountable && process.env.MAILBIND_REQUIRE_TMPFS === '1') throw new Error(`${mountable}, and MAILBIND_REQUIRE_TMPFS=1`);
  return mountable;
}

/** A tmpfs of `bytes` (and at most `inodes` files and folders, its root included) mounted on a fresh temp folder, only the owner's. */
export function mountTmpfs(bytes: number, opts: { inodes?: number } = {}): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-tmpfs-'));
  const options = [`size=${bytes}`, 'mode=0700', ...(opts.inodes === undefined ? [] : [`nr_inodes=${opts.inodes}`])];
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options.join(','), 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let fillers = 0;
  return {
    dir,
    fillLeaving(left) {
      const fs = statfsSync(dir);
      const path = join(dir, `filler-${++fillers}`);
      writeFileSync(path, Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - left)));
      return path;
    },
    unmount() {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
