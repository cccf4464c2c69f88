// Where the last poll of a profile's folder got to: below `highestUid` every message of this folder and
// UIDVALIDITY is in the inbox or known, so the next poll lists only `highestUid+1:*`. UIDs grow within
// one UIDVALIDITY, so nothing new can appear below it; a different folder or UIDVALIDITY voids it.
// It also names the messages the connection was lost on, when polls died downloading them (suspects):
// some servers end the connection on a message they cannot read (Dovecot does, on a mail file it may
// not open), so that one message would end every poll and hold back all the mail after it. The next
// poll downloads a suspect alone; once it has been lost on alone too, after all the other new mail,
// and a loss then is that message's own failure (download-all.ts). Several are remembered (a
// permissions problem seldom hits one file), up to MAX_SUSPECTS.
import { stillReads } from './other-account.js';
import type { Db } from '../../store/database.js';
import { updateStatus } from '../status.js';

export interface ImapCursor {
  folder: string;
  /** Decimal text: UIDVALIDITY is a 32-bit unsigned number that imapflow gives as a bigint. */
  uidValidity: string;
  highestUid: number;
  /** UIDs above highestUid the connection was lost on while downloading them, in UID order; absent: none. */
  suspects?: Suspect[];
}

export interface Suspect {
  uid: number;
  /** Polls that lost the connection downloading it: from the second on it is downloaded last. */
  losses: number;
}

/** Suspects remembered; a connection lost on one more is not recorded (the poll fails there, as any). */
export const MAX_SUSPECTS = 100;

export function readCursor(raw: Record<string, unknown> | null): ImapCursor | null {
  if (!raw) return null;
  const { folder, uidValidity, highestUid } = raw;
  if (typeof folder !== 'string' || typeof uidValidity !== 'string' || !/^\d+$/.test(uidValidity)) return null;
  if (typeof highestUid !== 'number' || !Number.isInteger(highestUid) || highestUid < 0) return null;
  const suspects = above(highestUid, Array.isArray(raw.suspects) ? raw.suspects.flatMap(readSuspect) : []);
  return { folder, uidValidity, highestUid, ...(suspects.length ? { suspects } : {}) };
}

function readSuspect(raw: unknown): Suspect[] {
  const { uid, losses } = (raw ?? {}) as Record<string, unknown>;
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
  return count(uid) && count(losses) ? [{ uid, losses }] : [];
}

/** The suspects the cursor has not passed (those it passed are stored or known now), in UID order. */
function above(highestUid: number, suspects: readonly Suspect[]): Suspect[] {
  return suspects.filter((s) => s.uid > highestUid).sort((a, b) => a.uid - b.uid);
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
    /** The stored cursor's suspects; each kept in every write until the cursor passes it. */
    private suspects: readonly Suspect[] = [],
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
      if (highestUid !== this.stored) await writeCursor(trx, this.profileId, this.cursor(highestUid, this.suspects));
    };
    if (db.isTransaction) await write(db);
    else await db.transaction().execute(write);
    return () => {
      this.stored = highestUid;
    };
  }

  /**
   * Records that this poll lost the connection downloading `uid` (one more loss when it was a suspect
   * already; the others are kept), with the cursor as last committed. Nothing is recorded before the
   * first write, for a UID the cursor has passed, nor past MAX_SUSPECTS ('full').
   */
  async lostOn(db: Db, uid: number): Promise<'recorded' | 'full' | 'not recorded'> {
    if (this.stored === null || uid <= this.stored) return 'not recorded';
    const highestUid = this.stored;
    const kept = above(highestUid, this.suspects);
    const known = kept.find((s) => s.uid === uid);
    if (!known && kept.length >= MAX_SUSPECTS) return 'full';
    const suspects = [...kept.filter((s) => s.uid !== uid), { uid, losses: (known?.losses ?? 0) + 1 }];
    await db.transaction().execute(async (trx) => {
      await stillReads(trx, this.profileId, this.source);
      await writeCursor(trx, this.profileId, this.cursor(highestUid, suspects));
    });
    this.suspects = above(highestUid, suspects);
    return 'recorded';
  }

  private cursor(highestUid: number, suspects: readonly Suspect[]): ImapCursor {
    const left = above(highestUid, suspects);
    return { folder: this.folder.path, uidValidity: this.folder.uidValidity, highestUid, ...(left.length ? { suspects: left } : {}) };
  }
}

/**
 * The highest UID the next poll may start after: every listed UID up to it is settled. A message that
 * failed (or vanished between listing and download) holds the cursor below it, so it is listed again;
 * one held for later (a suspect downloaded last) may lie beyond what is settled so far, and never lets
 * the cursor pass that.
 */
export function nextHighestUid(previous: number, listedUids: readonly number[], unsettledUids: readonly number[]): number {
  const settled = Math.max(previous, ...listedUids);
  if (unsettledUids.length) return Math.max(previous, Math.min(settled, Math.min(...unsettledUids) - 1));
  return settled;
}
