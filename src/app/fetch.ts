// One intake pass on a profile's mailbox, then processing of what it brought: `mailbind fetch --once`.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ProcessResult } from '../engine/process.js';
import { OAuthError } from '../sources/oauth/client.js';
import { withCredentials } from '../sources/oauth/credentials.js';
import { runtimeSettings } from '../sources/profile-settings.js';
import { defaultSources } from '../sources/registry.js';
import { nextDelayMs, POLL_LEASE_MS } from '../sources/scheduler.js';
import type { PollReport } from '../sources/source.js';
import { acquirePollLease, recordPollFailure, recordPollSuccess, releasePollLease } from '../sources/status.js';
import { countUnfinished, receivedBefore } from '../store/inbox.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { conflict, unavailable, userError } from './errors.js';
import { processedMessage, type ProcessedMessage } from './message-views.js';

/** Processed messages reported together: one query asks which of them an earlier run stored. */
const REPORT_CHUNK = 100;

export interface FetchReport {
  /** What became of each message, in the order processed; empty when they went to `onMessage` instead. */
  messages: ProcessedMessage[];
  /** How many messages were processed (`messages.length`, or how many went to `onMessage`). */
  processed: number;
  server: PollReport;
  /** This profile's messages still without an outcome: held by another worker, or waiting to retry. */
  unfinished: number;
}

export interface FetchOptions {
  /**
   * Called with each message once it is processed, instead of keeping it in the report: a first fetch
   * of a large mailbox then holds no line per message (the CLI keeps only the text it prints).
   */
  onMessage?: (message: ProcessedMessage) => void;
}

export async function fetchOnce(app: App, profileName: string | number, options: FetchOptions = {}): Promise<FetchReport> {
  const profile = await getProfile(app.store.db, profileName);
  const settings = runtimeSettings(profile, app.secrets());
  if (!settings || settings.protocol === 'pipe') throw userError(`profile '${profile.name}' has no mailbox to fetch from`);
  const source = defaultSources.source(settings, {});
  if (!source) throw userError(`no source for protocol ${settings.protocol}`);
  const processor = await app.processor();
  const kept: ProcessedMessage[] = [];
  const onMessage = options.onMessage ?? ((message: ProcessedMessage) => void kept.push(message));
  let processed = 0;
  const startedAt = new Date().toISOString();
  // Messages an earlier run stored and left (a killed fetch, a dead worker) are processed too: say so.
  const report = async (results: readonly ProcessResult[]) => {
    const earlier = await receivedBefore(app.store.db, results.map((r) => r.itemId), startedAt);
    for (const r of results) onMessage(processedMessage(r, earlier.has(r.itemId) ? { storedEarlier: true } : {}));
    processed += results.length;
  };
  // The same right to poll a worker takes, so a fetch never polls a mailbox a worker is polling.
  const owner = `fetch-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  if (!(await acquirePollLease(app.store.db, profile.id, owner, POLL_LEASE_MS))) {
    throw conflict(`a worker is polling '${profile.name}' right now; try again in a moment (or let it: mailbind profile status ${profile.name})`);
  }
  const renew = setInterval(() => void acquirePollLease(app.store.db, profile.id, owner, POLL_LEASE_MS).catch(() => {}), POLL_LEASE_MS / 3);
  try {
    // With the password, or an OAuth2 mailbox's access token (refreshed once if the server refuses it).
    const server = await withCredentials({ db: app.store.db, secrets: app.secrets() }, profile, (credentialed) => source.poll({
      store: app.store,
      profile,
      settings: credentialed,
      afterIntake: async () => {
        // Reported as they commit, a hundred at a time, not kept until the pass ends: a pass over a large
        // stored backlog (a killed run's) would hold every message's result.
        let chunk: ProcessResult[] = [];
        let reported = Promise.resolve();
        const flush = () => {
          const results = chunk;
          chunk = [];
          reported = reported.then(() => report(results));
          reported.catch(() => {}); // awaited below; not left unhandled while processing goes on
        };
        await processor.processDue({ profileId: profile.id, onResult: (result) => void (chunk.push(result) === REPORT_CHUNK && flush()) });
        flush();
        await reported;
      },
    }));
    await recordPollSuccess(app.store.db, profile.id, new Date(Date.now() + nextDelayMs(settings.pollSeconds, 0)).toISOString(), server.failed);
    const unfinished = await countUnfinished(app.store.db, profile.id);
    return { messages: kept, processed, server, unfinished };
  } catch (error) {
    await recordPollFailure(app.store.db, profile.id, (error as Error).message, new Date().toISOString());
    // A sign-in that is missing or stopped waits for a person, not for the server to come back.
    if (error instanceof OAuthError && error.stopped) throw userError(`fetching '${profile.name}' failed: ${error.message}`);
    throw unavailable(`fetching '${profile.name}' failed: ${(error as Error).message}`, error);
  } finally {
    clearInterval(renew);
    await releasePollLease(app.store.db, profile.id, owner);
  }
}
