// A full disk, named as one. SQLite says "database or disk is full" (SQLITE_FULL) when a write finds no
// room, but only "disk I/O error" when opening a database in WAL mode fails to grow its shared-memory
// file (-shm, SQLITE_IOERR_SHMSIZE): seen on a full tmpfs, where every `deliver` then said "cannot store
// the message: disk I/O error". A person reading a profile's last error, a message's retry reason, the
// service's log or deliver's stderr should learn that the disk is full, and which one. So an SQLite
// error of either kind names the disk when the database's folder has (almost) no room left; SQLITE_FULL
// with room to spare (the database at its max_page_count) keeps SQLite's own words. Node's file calls
// say ENOSPC "no space left on device, write" without the file or folder (a blob of a raw message or an
// attachment): such an error names the disk too, and says whether bytes or inodes ran out; EDQUOT (a
// user's quota) is named as a quota. The disk's room is read when the error is named: before the caller
// removes what it had half written, which would give the room back.
import { statfsSync } from 'node:fs';
import { constants } from 'node:os';

/** Errors this module made: named once, however many layers pass them on. */
const named = new WeakSet<Error>();

/** Below this much free space an SQLite write error is taken for a full disk: a WAL frame is a page, 4 KiB. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * `error` as it is, or an error naming the full disk (and `folder`) with the same code (callers tell errors
 * apart by it) and the original as its cause: a file call's ENOSPC or EDQUOT always; SQLite's when the
 * file system holding `folder` is (nearly) full.
 */
export function withFullDiskNamed(error: unknown, folder: string): unknown {
  if (!(error instanceof Error) || named.has(error)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error;
  if (code === 'ENOSPC') return fileSystemFull(error, folder);
  if (isQuota(error as NodeJS.ErrnoException)) return renamed(error, `the disk quota for ${folder} is used up`);
  if (!(code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR'))) return error;
  const free = room(folder)?.bytes;
  if (free === undefined || free >= NEARLY_FULL_BYTES) return error;
  return renamed(error, `the disk holding ${folder} is full (${formatBytes(free)} free)`);
}

/**
 * EDQUOT, the user's quota. Node 20's libuv has no name for it: there its code reads "Unknown system error
 * -122", so its number is what tells.
 */
function isQuota(error: NodeJS.ErrnoException): boolean {
  const quota = (constants.errno as Record<string, number | undefined>).EDQUOT;
  return error.code === 'EDQUOT' || (quota !== undefined && error.errno === -quota);
}

/** ENOSPC always means no room: of bytes, or of inodes (a file system of many small files). */
function fileSystemFull(error: Error, folder: string): Error {
  const left = room(folder);
  if (left === undefined) return renamed(error, `the disk holding ${folder} is full`);
  if (left.bytes < NEARLY_FULL_BYTES) return renamed(error, `the disk holding ${folder} is full (${formatBytes(left.bytes)} free)`);
  // A file system without a fixed number of inodes (btrfs) says 0 of 0: that is not running out of them.
  if (left.inodes.total > 0 && left.inodes.free === 0) {
    return renamed(error, `the disk holding ${folder} has no free inodes (${formatBytes(left.bytes)} free)`);
  }
  // Room by both counts now: freed meanwhile, or kept for another user.
  return renamed(error, `the disk holding ${folder} has no space left`);
}

/** `what`, then the error's own words; its code (and a file call's errno, syscall, path and dest) kept, the original as the cause. */
function renamed(error: Error, what: string): Error {
  const result = new Error(`${what}: ${error.message}`, { cause: error });
  const { code, errno, syscall, path, dest } = error as NodeJS.ErrnoException & { dest?: string };
  Object.assign(result, { code }, errno === undefined ? {} : { errno }, syscall === undefined ? {} : { syscall },
    path === undefined ? {} : { path }, dest === undefined ? {} : { dest });
  named.add(result);
  return result;
}

/**
 * Bytes this process may still write on the file system holding `folder` (root may use the blocks kept for
 * it), and the inodes left; undefined when unreadable.
 */
function room(folder: string): { bytes: number; inodes: { total: number; free: number } } | undefined {
  try {
    const fs = statfsSync(folder);
    return { bytes: (process.getuid?.() === 0 ? fs.bfree : fs.bavail) * fs.bsize, inodes: { total: fs.files, free: fs.ffree } };
  } catch {
    return undefined;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.floor(bytes / 1024)} KiB`;
  return bytes < 1024 ** 3 ? `${Math.floor(bytes / 1024 ** 2)} MiB` : `${Math.floor(bytes / 1024 ** 3)} GiB`;
}
