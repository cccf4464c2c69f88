// A full disk, named as one. SQLite says "database or disk is full" (SQLITE_FULL) when a write finds no
// room, but only "disk I/O error" when opening a database in WAL mode fails to grow its shared-memory
// file (-shm, SQLITE_IOERR_SHMSIZE): seen on a full tmpfs, where every `deliver` then said "cannot store
// the message: disk I/O error". A person reading a profile's last error, a message's retry reason, the
// service's log or deliver's stderr should learn that the disk is full, and which one. So an SQLite
// error of either kind names the disk when the database's folder has (almost) no room left; SQLITE_FULL
// with room to spare (the database at its max_page_count) keeps SQLite's own words. Node's file calls
// already say ENOSPC "no space left on device" and are left alone.
import { statfsSync } from 'node:fs';

/** Below this much free space an SQLite write error is taken for a full disk: a WAL frame is a page, 4 KiB. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * `error` as it is, or, when it is SQLite's and the file system holding `folder` is (nearly) full, an
 * error saying so, with SQLite's code (callers tell errors apart by it) and the original as its cause.
 */
export function withFullDiskNamed(error: unknown, folder: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR'))) return error;
  const free = freeBytes(folder);
  if (free === undefined || free >= NEARLY_FULL_BYTES) return error;
  const full = new Error(`the disk holding ${folder} is full (${formatBytes(free)} free): ${(error as Error).message}`, { cause: error });
  return Object.assign(full, { code });
}

/** Bytes this process may still write on the file system holding `folder` (root may use the blocks kept for it); undefined when unreadable. */
function freeBytes(folder: string): number | undefined {
  try {
    const fs = statfsSync(folder);
    return (process.getuid?.() === 0 ? fs.bfree : fs.bavail) * fs.bsize;
  } catch {
    return undefined;
  }
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${Math.floor(bytes / 1024)} KiB`;
}
