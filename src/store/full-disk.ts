// A full disk, named as one. SQLite says "database or disk is full" (SQLITE_FULL) when a write finds no
// room, but only "disk I/O error" when opening a database in WAL mode fails to grow its shared-memory
// file (-shm, SQLITE_IOERR_SHMSIZE): seen on a full tmpfs, where every `deliver` then said "cannot store
// the message: disk I/O error". A person reading a profile's last error, a message's retry reason, the
// service's log or deliver's stderr should learn that the disk is full, and which one. So an SQLite
// error of either kind names the disk when the database's folder has (almost) no room left; SQLITE_FULL
// with room to spare (the database at its max_page_count) keeps SQLite's own words. Node's file calls
// say ENOSPC "no space left on device, write" without the file or folder (a blob of a raw message or an
// attachment): such an error names the disk too, and says whether bytes or inodes ran out; EDQUOT (a
// user's quota) is named as a quota.
import { statfsSync } from 'node:fs';

/** Below this much free space an SQLite write error is taken for a full disk: a WAL frame is a page, 4 KiB. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * `error` as it is, or an error naming the full disk (and `folder`) with the same code (callers tell errors
 * apart by it) and the original as its cause: a file call's ENOSPC or EDQUOT always; SQLite's when the
 * file system holding `folder` is (nearly) full.
 */
export function withFullDiskNamed(error: unknown, folder: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error;
  if (code === 'ENOSPC' || code === 'EDQUOT') return fileSystemFull(error, code, folder);
  if (!(code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR'))) return error;
  const free = room(folder)?.bytes;
  if (free === undefined || free >= NEARLY_FULL_BYTES) return error;
  return renamed(error, `the disk holding ${folder} is full (${formatBytes(free)} free)`);
}

/** ENOSPC always means no room: of bytes, or of inodes (a file system of many small files); EDQUOT, the user's quota. */
function fileSystemFull(error: Error, code: 'ENOSPC' | 'EDQUOT', folder: string): Error {
  if (code === 'EDQUOT') return renamed(error, `the disk quota for ${folder} is used up`);
  const left = room(folder);
  if (left === undefined) return renamed(error, `the disk holding ${folder} is full`);
  if (left.bytes < NEARLY_FULL_BYTES) return renamed(error, `the disk holding ${folder} is full (${formatBytes(left.bytes)} free)`);
  if (left.inodes === 0) return renamed(error, `the disk holding ${folder} has no free inodes (${formatBytes(left.bytes)} free)`);
  // Room by both counts now: freed meanwhile, or kept for another user.
  return renamed(error, `the disk holding ${folder} has no space left`);
}

/** Errors this module made: named once, however many layers pass them on. */
const named = new WeakSet<Error>();

/** `what`, then the error's own words; its code (and a file call's errno, syscall and path) kept, the original as the cause. */
function renamed(error: Error, what: string): Error {
  if (named.has(error)) return error;
  const result = new Error(`${what}: ${error.message}`, { cause: error });
  const { code, errno, syscall, path } = error as NodeJS.ErrnoException;
  Object.assign(result, { code }, errno === undefined ? {} : { errno }, syscall === undefined ? {} : { syscall }, path === undefined ? {} : { path });
  named.add(result);
  return result;
}

/**
 * Bytes this process may still write on the file system holding `folder` (root may use the blocks kept for
 * it), and the inodes left; undefined when unreadable.
 */
function room(folder: string): { bytes: number; inodes: number } | undefined {
  try {
    const fs = statfsSync(folder);
    return { bytes: (process.getuid?.() === 0 ? fs.bfree : fs.bavail) * fs.bsize, inodes: fs.ffree };
  } catch {
    return undefined;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.floor(bytes / 1024)} KiB`;
  return bytes < 1024 ** 3 ? `${Math.floor(bytes / 1024 ** 2)} MiB` : `${Math.floor(bytes / 1024 ** 3)} GiB`;
}
