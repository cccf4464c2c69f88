// The POP3 mailbox source. Origin key: the server's UIDL. New messages come into the inbox in batches
// (download-all.ts: RETRs pipelined, each batch's bytes and rows committed with one durability barrier)
// before anything else happens, and committed batches are processed while the next ones download; DELE
// is sent only for messages whose row is committed, whose outcome is recorded and whose profile says
// delete, and only QUIT commits it, so a session that dies deletes nothing. A download that fails is
// retried on the next poll; the rest goes on, on a new connection if the old one died. Messages that
// share a UIDL are neither taken nor deleted, and reported every poll (Listing.shared).
import { hasOriginKeys } from '../../store/inbox.js';
import { pendingAcks, markAcknowledged } from '../acknowledge.js';
import type { ConnectionExtras } from '../connection-extras.js';
import { DEFAULT_STEP_TIMEOUT_MS } from '../connection-extras.js';
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_MESSAGES, DEFAULT_STREAM_ABOVE_BYTES } from '../imap/options.js';
import { addKnownKeys, knownKeys } from '../known.js';
import type { ResolvedSettings } from '../settings.js';
import { emptyReport, processBeforeFailing, type MailSource, type PollContext, type PollReport } from '../source.js';
import { getStatus, updateStatus } from '../status.js';
import { Pop3Client } from './client.js';
import { downloadAll, type DownloadOptions, type DownloadResult, type DownloadSession } from './download-all.js';
import type { Pop3Options } from './options.js';
import { MAX_HEADER_BYTES, scanHeaders } from '../../mail/header-scan.js';

const MAX_RECONNECTS = 3;

/** How new mail is cut into batches; the defaults are IMAP's (100 messages, 8 MiB, streaming above 1 MiB). */
export interface Pop3SourceOptions {
  /** Most messages in one batch: one pipelined run of RETRs, one durability barrier. Default 100. */
  batchMessages?: number;
  /** Most bytes in one batch, by the sizes LIST gave: what a batch holds in memory. Default 8 MiB. */
  batchBytes?: number;
  /** Messages larger than this are not batched but streamed to disk on their own. Default 1 MiB. */
  streamAboveBytes?: number;
}

/** UIDLs are unique only within one mailbox, so the key names the mailbox too. */
export function pop3OriginKey(settings: Pick<ResolvedSettings, 'login' | 'host'>, uid: string): string {
  return `pop3:${settings.login.toLowerCase()}@${settings.host.toLowerCase()}:${uid}`;
}

export function pop3Options(settings: ResolvedSettings, extras: ConnectionExtras): Pop3Options {
  return {
    host: settings.host,
    port: settings.port,
    tls: settings.tls,
    allowInvalidCertificate: settings.allowInvalidCertificate,
    login: settings.login,
    // An OAuth2 mailbox logs in with AUTH XOAUTH2 and its access token, never a password.
    ...(settings.accessToken !== undefined ? { accessToken: settings.accessToken } : { password: settings.password }),
    timeoutMs: extras.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    ...(extras.ca ? { ca: extras.ca } : {}),
    ...(extras.servername ? { servername: extras.servername } : {}),
    ...(extras.localAddress ? { localAddress: extras.localAddress } : {}),
  };
}

interface Listing {
  /** The messages whose UIDL is their own, by key. */
  byKey: Map<string, { n: number; size: number }>;
  keys: string[];
  /**
   * UIDLs the server gives to more than one message, with those messages' numbers. A UIDL names a message
   * from one session to the next; one shared cannot, so none of those messages is taken (the first would
   * hide the others for good) or deleted (another session may number them the other way round).
   */
  shared: Map<string, number[]>;
  /** Every message listed, shared UIDLs and all. */
  count: number;
}

export class Pop3Source implements MailSource {
  private readonly limits: DownloadOptions['limits'];

  constructor(private readonly extras: ConnectionExtras = {}, options: Pop3SourceOptions = {}) {
    this.limits = {
      maxMessages: options.batchMessages ?? DEFAULT_BATCH_MESSAGES,
      maxBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
      streamAbove: options.streamAboveBytes ?? DEFAULT_STREAM_ABOVE_BYTES,
    };
  }

  async poll(ctx: PollContext): Promise<PollReport> {
    const report = emptyReport();
    const options = pop3Options(ctx.settings, this.extras);
    let client = await Pop3Client.connect(options);
    let reconnects = 0;
    try {
      let listing = await list(client, ctx.settings);
      report.listed = listing.count;
      const { db } = ctx.store;
      const profileId = ctx.profile.id;
      const inInbox = await hasOriginKeys(db, profileId, listing.keys);
      const known = await knownKeys(db, profileId, listing.keys);
      let fresh = listing.keys.filter((k) => !inInbox.has(k) && !known.has(k));

      const status = await getStatus(db, profileId);
      if (!status.baselineAt) {
        const leaveAlone = await this.firstRunExclusions(client, ctx.settings, listing, fresh);
        await addKnownKeys(db, profileId, leaveAlone, 'first-run');
        await updateStatus(db, profileId, { baselineAt: new Date().toISOString() });
        const excluded = new Set(leaveAlone);
        fresh = fresh.filter((k) => !excluded.has(k));
        report.skipped += leaveAlone.length;
      }
      // Reported every poll, whatever the first run left alone: a UIDL shared now may have been one
      // message's before, and every message to come under it would be hidden by it too.
      for (const [key, numbers] of listing.shared) report.failed.push({ key, error: sharedUidl(numbers) });

      // The session the download runs on: after a lost connection, a new one, listed again (message
      // numbers are per session; keys are not).
      const session: DownloadSession = {
        get client() {
          return client;
        },
        numberOf: (key) => listing.byKey.get(key)?.n,
        reconnect: async (error) => {
          if (++reconnects > MAX_RECONNECTS) throw error;
          client.close();
          client = await Pop3Client.connect(options);
          listing = await list(client, ctx.settings);
        },
      };
      const downloaded: DownloadResult = { stored: 0, failed: [] };
      try {
        await downloadAll(session, ctx, fresh.map((key) => ({ key, size: listing.byKey.get(key)!.size })), {
          limits: this.limits,
          // Committed batches, the caller turns into work while the next ones download.
          afterBatch: async () => ctx.afterIntake?.(),
        }, downloaded);
      } catch (error) {
        // The poll dies (the link keeps failing): what it stored becomes work now.
        if (downloaded.stored) await processBeforeFailing(ctx);
        throw error;
      } finally {
        report.stored += downloaded.stored;
        report.failed.push(...downloaded.failed);
      }

      await ctx.afterIntake?.();
      if (client.closed) {
        client = await Pop3Client.connect(options);
        listing = await list(client, ctx.settings);
      }
      report.acknowledged = await this.acknowledge(ctx, client, listing);
      return report;
    } finally {
      client.close();
    }
  }

  /**
   * Take a new profile's "from-now" baseline at once (when it is created), so that mail arriving
   * between creation and the first poll counts as new. POP3 has no arrival times; this is the only
   * exact moment there is.
   */
  async takeBaseline(ctx: Pick<PollContext, 'store' | 'profile' | 'settings'>): Promise<number> {
    const { db } = ctx.store;
    if ((await getStatus(db, ctx.profile.id)).baselineAt) return 0;
    const client = await Pop3Client.connect(pop3Options(ctx.settings, this.extras));
    try {
      const listing = await list(client, ctx.settings);
      const inInbox = await hasOriginKeys(db, ctx.profile.id, listing.keys);
      const present = listing.keys.filter((k) => !inInbox.has(k));
      await addKnownKeys(db, ctx.profile.id, present, 'first-run');
      await updateStatus(db, ctx.profile.id, { baselineAt: new Date().toISOString() });
      await client.quit();
      return present.length;
    } finally {
      client.close();
    }
  }

  /** Which messages a new profile leaves alone: everything there now (from-now), or older than since. */
  private async firstRunExclusions(client: Pop3Client, settings: ResolvedSettings, listing: Listing, fresh: string[]): Promise<string[]> {
    const policy = settings.firstRun;
    if (policy.kind === 'all') return [];
    if (policy.kind === 'from-now') return fresh;
    const since = Date.parse(policy.date);
    const older: string[] = [];
    for (const key of fresh) {
      const head = await readAll(await client.header(listing.byKey.get(key)!.n, MAX_HEADER_BYTES));
      const date = Date.parse(scanHeaders(head).get('date') ?? '');
      if (!Number.isNaN(date) && date < since) older.push(key);
    }
    return older;
  }

  /**
   * DELE what the profile deletes, QUIT to commit, then record the acknowledgements. A message whose UIDL
   * the server gives to others too is not deleted (which of them is it?): it waits, asked again next poll.
   * (A size check against the message taken was tried and dropped: LIST sizes are estimates on Exchange,
   * and Dovecot's leave out the CRLF it adds to a message without a final newline.)
   */
  private async acknowledge(ctx: PollContext, client: Pop3Client, listing: Listing): Promise<number> {
    const pending = await pendingAcks(ctx.store.db, ctx.profile.id, ctx.settings);
    const settle: number[] = [];
    const deleted: number[] = [];
    for (const ack of pending) {
      const entry = listing.byKey.get(ack.originKey);
      // Which of the messages sharing its UIDL is this one? (Reported with the listing.)
      if (ack.action.kind === 'delete' && listing.shared.has(ack.originKey)) continue;
      if (ack.action.kind === 'delete' && entry) {
        await client.dele(entry.n);
        deleted.push(ack.itemId);
      } else {
        // leave, or no longer on the server: nothing to do there.
        settle.push(ack.itemId);
      }
    }
    await client.quit();
    await markAcknowledged(ctx.store.db, settle, { kind: 'leave' });
    await markAcknowledged(ctx.store.db, deleted, { kind: 'delete' });
    return settle.length + deleted.length;
  }
}

async function list(client: Pop3Client, settings: ResolvedSettings): Promise<Listing> {
  const uids = await client.uidl();
  const sizes = new Map((await client.list()).map((l) => [l.n, l.size]));
  const byKey = new Map<string, { n: number; size: number }>();
  const shared = new Map<string, number[]>();
  for (const { n, uid } of uids) {
    const key = pop3OriginKey(settings, uid);
    const first = byKey.get(key);
    if (first) shared.set(key, [...(shared.get(key) ?? [first.n]), n]);
    else byKey.set(key, { n, size: sizes.get(n) ?? 0 });
  }
  for (const key of shared.keys()) byKey.delete(key);
  return { byKey, keys: [...byKey.keys()], shared, count: uids.length };
}

function sharedUidl(numbers: number[]): string {
  return `the server gives this UIDL to ${numbers.length} messages (numbers ${numbers.join(', ')}), which then cannot be told apart ` +
    'from one poll to the next: none of them is taken or deleted until each has a UIDL of its own (Dovecot: pop3_uidl_duplicates = rename)';
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
