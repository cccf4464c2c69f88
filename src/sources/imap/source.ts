// The IMAP mail source. One poll: connect, select the folder, list what is new since the cursor, leave
// alone what the profile does not take (first run, since-date), store each new message in the inbox
// (bytes committed before anything else), let the caller process (afterIntake), then apply the
// after-processing actions of finished items on the server.
//
// New mail comes in batches (download-all.ts): one FETCH per batch of UIDs, then one durability barrier
// that commits the batch's bytes, its inbox rows and the cursor together (never past a UID that is not
// settled), and the caller processes each batch at once; so a poll that dies half way keeps what it
// stored, turns it into work, and the next poll goes on from there. Mail already imported under an
// earlier UIDVALIDITY is not recognised here: intake stores it as a visible duplicate (store/inbox.ts).
//
//   const source = new ImapSource({ tlsOptions: { ca }, commandTimeoutMs: 30_000 });
//   const report = await source.poll({ store, profile, settings, logger, afterIntake });
import { now, type Db } from '../../store/database.js';
import { hasOriginKeys } from '../../store/inbox.js';
import { addKnownKeys, knownKeys } from '../known.js';
import { emptyReport, processBeforeFailing, type MailSource, type PollContext, type PollReport } from '../source.js';
import { getStatus, updateStatus } from '../status.js';
import { applyAcks } from './acks.js';
import { beforeCutoff, cutoffFor } from './baseline.js';
import { CursorWriter, MAX_SUSPECTS, nextHighestUid, readCursor } from './cursor.js';
import { listMessages, type ListedMessage } from './listing.js';
import {
  DEFAULT_BATCH_BYTES, DEFAULT_BATCH_MESSAGES, DEFAULT_CHUNK_BYTES, DEFAULT_STREAM_ABOVE_BYTES, type ImapSourceOptions,
} from './options.js';
import { originKey } from './origin.js';
import { stillReads } from './other-account.js';
import { ImapSession } from './session.js';
import { downloadAll, type DownloadOptions } from './download-all.js';
import { ImapSourceError } from './errors.js';

export class ImapSource implements MailSource {
  private readonly chunkBytes: number;
  private readonly limits: DownloadOptions['limits'];

  constructor(private readonly options: ImapSourceOptions = {}) {
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.limits = {
      maxMessages: options.batchMessages ?? DEFAULT_BATCH_MESSAGES,
      maxBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
      streamAbove: options.streamAboveBytes ?? DEFAULT_STREAM_ABOVE_BYTES,
    };
  }

  async poll(ctx: PollContext): Promise<PollReport> {
    const report = emptyReport();
    const { settings } = ctx;
    // EXAMINE when nothing will ever be changed on the server: then nothing can be, even by mistake.
    const readOnly = settings.afterImport.kind === 'leave' && settings.afterOther.kind === 'leave';
    const open = () => ImapSession.open(settings, this.options, {
      ...(ctx.logger ? { logger: ctx.logger } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}), readOnly,
    });
    let session = await open();
    try {
      try {
        await this.intake(session, ctx, report, open);
      } catch (error) {
        // What was stored before the poll died becomes work now, not after a whole intake succeeds.
        await processBeforeFailing(ctx);
        throw error;
      }
      await ctx.afterIntake?.();
      let reopenFailed = false;
      report.acknowledged = await applyAcks(async () => {
        // Processing may take longer than the server keeps a quiet connection; acknowledge on a new one.
        if (!session.usable) {
          await session.close();
          session = await open().catch((error: unknown) => {
            reopenFailed = true;
            throw error;
          });
        }
        return session;
      }, ctx).catch((error: unknown) => {
        if (!reopenFailed || ctx.signal?.aborted) throw error;
        // The mail is stored and the report is the poll's: a server that takes no new connection now
        // (the one the download lost was the last it took) leaves the marking, moving or deleting to the
        // next poll, where the acknowledgements still wait.
        ctx.logger?.warn({ err: (error as Error)?.message ?? String(error) }, 'could not connect again to mark, move or delete the processed mail; the next poll does it');
        return 0;
      });
    } finally {
      await session.close();
    }
    return report;
  }

  private async intake(session: ImapSession, ctx: PollContext, report: PollReport, open: () => Promise<ImapSession>): Promise<void> {
    const { store, profile, settings } = ctx;
    const db = store.db;
    const folder = session.folder;
    report.listed = folder.exists;
    const status = await getStatus(db, profile.id);
    const cursor = readCursor(status.cursor);
    const firstRun = status.baselineAt === null;
    // Same folder, same UIDVALIDITY: UIDs up to the cursor are settled. Otherwise the folder is seen
    // without history: the first-run cutoff applies again, and intake marks mail it already has as
    // duplicates.
    const continuing = !!cursor && cursor.folder === folder.path && cursor.uidValidity === folder.uidValidity;
    const fromUid = continuing ? cursor.highestUid + 1 : 1;
    // UIDNEXT from SELECT tells whether anything arrived at all, saving the FETCH on a quiet folder.
    const nothingNew = continuing && folder.uidNext > 0 && folder.uidNext <= fromUid;
    const listed = nothingNew ? [] : await listMessages(session, fromUid);
    const keyOf = (m: ListedMessage) => originKey(folder.path, folder.uidValidity, m.uid);

    const keys = listed.map(keyOf);
    const inInbox = await hasOriginKeys(db, profile.id, keys);
    const known = await knownKeys(db, profile.id, keys);
    let fresh = listed.filter((m) => !inInbox.has(keyOf(m)) && !known.has(keyOf(m)));
    report.skipped += listed.filter((m) => known.has(keyOf(m))).length;

    if (!continuing) {
      const cutoff = cutoffFor(settings.firstRun, profile.createdAt);
      const old = beforeCutoff(fresh, cutoff);
      fresh = await this.leaveAlone(ctx, fresh, old, cutoff?.why ?? 'first-run', keyOf, report);
      if (firstRun) await updateStatus(db, profile.id, { baselineAt: now() });
    }

    // Everything listed below the first message still to download is settled: say so at once, so that
    // a poll interrupted from here on continues this folder and UIDVALIDITY instead of starting over.
    const previous = continuing ? cursor.highestUid : 0;
    // A cursor already written (same folder and UIDVALIDITY) is not written again unchanged.
    const suspects = continuing ? cursor.suspects ?? [] : [];
    const writer = new CursorWriter(profile.id, folder, continuing ? cursor.highestUid : null, profile.source, suspects);
    const commit = (upToUid: number, unsettled: readonly number[], within: Db) =>
      writer.write(within, nextHighestUid(previous, [highestListedUpTo(listed, upToUid)], unsettled));
    if (listed.length) (await commit(fresh.length ? fresh[0]!.uid - 1 : Infinity, [], db))();

    const downloaded = await downloadAll(session, ctx, fresh, keyOf, {
      chunkBytes: this.chunkBytes,
      limits: this.limits,
      // Inside each batch's transaction; the last step settles everything listed after it too.
      advance: (within, lastUid, unsettled) => commit(lastUid, unsettled, within),
      // Committed batches, the caller turns into work while the next ones download.
      afterBatch: async () => ctx.afterIntake?.(),
      suspects,
      reopen: async () => {
        const again = await open();
        if (again.folder.path === folder.path && again.folder.uidValidity === folder.uidValidity) return again;
        await again.close();
        throw new ImapSourceError('folder', `the folder ${folder.path} changed its UIDVALIDITY during the poll`);
      },
    }).catch(async (error: unknown) => {
      // The message the connection was lost on is a suspect for the next poll (cursor.ts).
      const uid = error instanceof ImapSourceError ? error.downloadingUid : undefined;
      if (uid !== undefined && !ctx.signal?.aborted) {
        const recorded = await writer.lostOn(db, uid).catch((why: Error) =>
          void ctx.logger?.warn({ uid, err: why.message }, 'could not record the message the connection was lost on'));
        if (recorded === 'full') {
          // Not remembered, it is downloaded in its place again: if it ends the connection every time, every
          // poll fails there and the mail after it waits until one of the others is stored or made readable.
          ctx.logger?.error({ uid, max: MAX_SUSPECTS }, `the connection was lost on UID ${uid}, and ${MAX_SUSPECTS} such messages are remembered already: `
            + 'polls that fail on it hold back the mail after it');
        }
      }
      throw error;
    });
    report.stored += downloaded.stored;
    report.failed.push(...downloaded.failed);
    if (ctx.signal?.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('the poll was aborted');
  }

  private async leaveAlone(ctx: PollContext, fresh: ListedMessage[], alone: ListedMessage[], why: string,
    keyOf: (m: ListedMessage) => string, report: PollReport): Promise<ListedMessage[]> {
    if (!alone.length) return fresh;
    // Only while the profile still reads this account (other-account.ts).
    await ctx.store.db.transaction().execute(async (trx) => {
      await stillReads(trx, ctx.profile.id, ctx.profile.source);
      await addKnownKeys(trx, ctx.profile.id, alone.map(keyOf), why);
    });
    report.skipped += alone.length;
    const uids = new Set(alone.map((m) => m.uid));
    return fresh.filter((m) => !uids.has(m.uid));
  }
}

/** The highest listed UID not above `uid` (0 when none): the listing is in UID order. */
function highestListedUpTo(listed: readonly ListedMessage[], uid: number): number {
  let lo = 0;
  let hi = listed.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (listed[mid]!.uid <= uid) lo = mid + 1;
    else hi = mid;
  }
  return lo ? listed[lo - 1]!.uid : 0;
}
