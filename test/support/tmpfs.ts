// A small file system of its own (tmpfs), for tests of a full disk: filled to the brim, it answers
// writes with ENOSPC as a real full disk does, and SQLite with its own errors. Mounting needs root (CI
// runs as root); elsewhere the tests skip, and with MAILBIND_REQUIRE_TMPFS=1 (CI) they fail instead.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Writes a file that leaves `bytes` (rounded down to a page) free, or as little as there is; returns its path. */
  fillLeaving(bytes: number): string;
  free(): number;
  unmount(): void;
}

/** For `describe(name, { skip: tmpfsSkip() }, …)`: false where this process may mount, else why not. */
export function tmpfsSkip(): false | string {
  if (process.getuid?.() === 0) return false;
  const reason = 'mounting a tmpfs needs root';
  if (process.env.MAILBIND_REQUIRE_TMPFS === '1') throw new Error(`${reason}, and MAILBIND_REQUIRE_TMPFS=1`);
  return reason;
}

/** A tmpfs of `bytes` mounted on a fresh temp folder, only the owner's. */
export function mountTmpfs(bytes: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'mailbind-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]);
  const free = () => {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize;
  };
  let fillers = 0;
  return {
    dir,
    free,
    fillLeaving(left) {
      const path = join(dir, `filler-${++fillers}`);
      writeFileSync(path, Buffer.alloc(Math.max(0, free() - left)));
      return path;
    },
    unmount() {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
