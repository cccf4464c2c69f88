// Where the last poll of a profile's folder got to: below `highestUid` every message of this folder and
// UIDVALIDITY is in the inbox or known, so the next poll lists only `highestUid+1:*`. UIDs grow within
// one UIDVALIDITY, so nothing new can appear below it; a different folder or UIDVALIDITY voids it.
import { stillReads } from './other-account.js';
import type { Db } from '../../store/database.js';
import { updateStatus } from '../status.js';

export interface ImapCursor {
  folder: string;
  /** Decimal text: UIDVALIDITY is a 32-bit unsigned number that imapflow gives as a bigint. */
  uidValidity: string;
  highestUid: number;
}

export function readCursor(raw: Record<string, unknown> | null): ImapCursor | null {
  if (!raw) return null;
  const { folder, uidValidity, highestUid } = raw;
  if (typeof folder !== 'string' || typeof uidValidity !== 'string' || !/^\d+$/.test(uidValidity)) return null;
  if (typeof highestUid !== 'number' || !Number.isInteger(highestUid) || highestUid < 0) return null;
  return { folder, uidValidity, highestUid };
}

export async function writeCursor(db: Db, profileId: number, cursor: ImapCursor): Promise<void> {
  await updateStatus(db, profileId, { cursor: { ...cursor } });
}

/**
 * The cursor of one poll's folder, written as the poll settles UIDs, and not written again unchanged.
 * A value written inside a transaction counts as stored only once that transaction has committed:
 * `write` returns what to call then, so one that rolled back is written again the next time.
 */
export class CursorWriter {
  constructor(
    private readonly profileId: number,
    private readonly folder: { path: string; uidValidity: string },
    /** The highestUid stored for this folder and UIDVALIDITY; null when the stored cursor is another one's. */
    private stored: number | null,
    /** The settings the poll reads with: what it settles counts only while the profile still reads that account. */
    private readonly source: Parameters<typeof stillReads>[2],
  ) {}

  /**
   * Writes `highestUid` in `db`; call the result once `db`'s transaction has committed (at once outside
   * one). Refused (throws) once the profile reads another account: a batch's rows go with its cursor.
   */
  async write(db: Db, highestUid: number): Promise<() => void> {
    // Outside a batch an unchanged value writes nothing, so there is nothing to refuse either.
    if (!db.isTransaction && highestUid === this.stored) return () => undefined;
    const write = async (trx: Db) => {
      await stillReads(trx, this.profileId, this.source);
      if (highestUid !== this.stored) await writeCursor(trx, this.profileId, { folder: this.folder.path, uidValidity: this.folder.uidValidity, highestUid });
    };
    if (db.isTransaction) await write(db);
    else await db.transaction().execute(write);
    return () => {
      this.stored = highestUid;
    };
  }
}

/**
 * The highest UID the next poll may start after: every listed UID up to it is settled. A message that
 * failed (or vanished between listing and download) holds the cursor below it, so it is listed again.
 */
export function nextHighestUid(previous: number, listedUids: readonly number[], unsettledUids: readonly number[]): number {
  if (unsettledUids.length) return Math.max(previous, Math.min(...unsettledUids) - 1);
  return Math.max(previous, ...listedUids);
}
