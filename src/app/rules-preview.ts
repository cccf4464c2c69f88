// The rules preview: what new rules would change in a profile's last N messages, writing nothing.
// Each stored message is streamed from the blob store and parsed once, then decided twice on one
// tracker snapshot (engine/prepare.ts: the path processing takes): under the profile's current rules
// ("before") and under the new ones ("after"). Comparing two decisions of today, rather than the
// recorded outcome with a new decision, is the honest comparison: an outcome recorded long ago may have
// come from older rules or another tracker state, and would show changes the new rules do not make.
// The recorded outcome is reported beside them. A few messages are in flight at a time; the rest wait
// in the database, a page at a time.
import { performance } from 'node:perf_hooks';
import { DecisionProfiles, everyProfileAddress } from '../engine/decision-profile.js';
import { planActions, type Plan } from '../engine/plan.js';
import { prepareAndDecideUnder, type DecisionProfile } from '../engine/prepare.js';
import { UnparseableMessageError } from '../mail/index.js';
import { TOO_LARGE } from '../sources/intake.js';
import { BlobStore, discardingSink } from '../store/blobs.js';
import { DUPLICATE_OF } from '../store/inbox.js';
import { newestMessages, type StoredMessageRow } from '../store/inbox-pages.js';
import { RawMessages } from '../store/raw-messages.js';
import { getProfile } from '../store/profiles.js';
import type { App } from './app.js';
import { userError } from './errors.js';
import type { RulesInput } from './profiles.js';
import { rulesToTry } from './rules.js';

export interface PreviewDecision {
  outcome: string;
  rule: number | null;
  actions: string[];
}

export interface PreviewChange {
  itemId: number;
  subject: string | null;
  from: string | null;
  receivedAt: string;
  /** What processing recorded (null outcome: not processed yet). */
  recorded: { outcome: string | null; actions: string[] };
  /** The current rules' decision now. */
  before: PreviewDecision;
  /** The new rules' decision. */
  after: PreviewDecision;
}

export interface PreviewReport {
  /** Messages looked at (unreadable ones included). */
  examined: number;
  /** The id of the oldest message looked at: `before` for the next window; null when none was. */
  lastId: number | null;
  /** Those whose outcome or actions the new rules change, newest first. */
  changed: PreviewChange[];
  /** Messages whose stored bytes could not be read or parsed. */
  unreadable: number;
  ms: number;
}

/** The most messages one preview looks at. */
export const MAX_PREVIEW = 10_000;
/** Messages parsed and decided at once: enough to overlap reading, parsing and the snapshot queries. */
const IN_FLIGHT = 8;

/**
 * A long stretch is previewed in windows, so that a client can show its progress between them:
 * `before` is the `lastId` of the previous window (examine only messages older than it). Ids, not
 * positions: mail that arrives between two windows is newer than both, so it shifts nothing and no
 * message is examined twice or skipped. `offset` (skip the newest first) is kept for old clients; it
 * shifts when mail arrives mid-run.
 */
export async function previewRules(
  app: App,
  input: { profile: string | number; rules: RulesInput; last: number; offset?: number; before?: number },
): Promise<PreviewReport> {
  const started = performance.now();
  if (!Number.isInteger(input.last) || input.last < 1 || input.last > MAX_PREVIEW) {
    const message = `The number of messages should be a whole number from 1 to ${MAX_PREVIEW}`;
    throw userError(message, { fields: [{ field: 'last', message }] });
  }
  const offset = input.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_PREVIEW) {
    const message = `The offset should be a whole number from 0 to ${MAX_PREVIEW}`;
    throw userError(message, { fields: [{ field: 'offset', message }] });
  }
  if (input.before !== undefined && (!Number.isInteger(input.before) || input.before < 1)) {
    const message = 'before should be the lastId of the previous window';
    throw userError(message, { fields: [{ field: 'before', message }] });
  }
  const profile = await getProfile(app.store.db, input.profile);
  const current = new DecisionProfiles().of(profile);
  const proposed: DecisionProfile = { ...current, ruleSet: rulesToTry(input.rules.text, input.rules.label), ruleErrors: [], rulesVersion: null };
  const raws = new RawMessages(app.store.db, new BlobStore(app.store.dataDir));
  const context = { tracker: app.tracker, ownDomains: app.ownDomains, allProfileAddresses: await everyProfileAddress(app.store.db), outgoing: app.outgoing };
  // Decided at intake (a duplicate, headers only): rules never see these messages.
  const report: PreviewReport = { examined: 0, lastId: null, changed: [], unreadable: 0, ms: 0 };
  const newest = newestMessages(app.store.db, profile.id, {
    last: offset + input.last,
    ...(input.before !== undefined ? { before: input.before } : {}),
    skipReasons: [DUPLICATE_OF, TOO_LARGE],
  });
  const messages = noting(skipFirst(newest, offset), (row) => (report.lastId = Math.min(report.lastId ?? row.id, row.id)));

  async function examine(row: StoredMessageRow): Promise<void> {
    report.examined += 1;
    let decided: Awaited<ReturnType<typeof prepareAndDecideUnder>>;
    try {
      const raw = await raws.open(row);
      if (!raw) {
        report.unreadable += 1;
        return;
      }
      decided = await prepareAndDecideUnder({ raw, receivedAt: new Date(row.receivedAt), sink: discardingSink }, [current, proposed], context);
    } catch (error) {
      if (!unreadable(error)) throw error;
      report.unreadable += 1;
      return;
    }
    const [before, after] = decided.plans.map(decision) as [PreviewDecision, PreviewDecision];
    if (before.outcome === after.outcome && sameList(before.actions, after.actions)) return;
    report.changed.push({
      itemId: row.id,
      subject: row.subject ?? decided.message.subject,
      from: row.fromAddress ?? decided.plans[0]!.trace.sender.email,
      receivedAt: row.receivedAt,
      recorded: { outcome: row.outcome, actions: row.actions },
      before,
      after,
    });
  }

  // Each worker pulls the next message when it is done with one; the generator queues their calls.
  // After a failure the others stop taking messages, so nothing runs on once the error is reported.
  let failed = false;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let next = await messages.next(); !next.done && !failed; next = await messages.next()) {
        await examine(next.value).catch((error: unknown) => {
          failed = true;
          throw error;
        });
      }
    }),
  );
  report.changed.sort((a, b) => b.itemId - a.itemId);
  report.ms = Math.round(performance.now() - started);
  return report;
}

/** The rows after the first `count`; only the skipped rows' metadata is read, never their bytes. */
async function* skipFirst<T>(rows: AsyncGenerator<T>, count: number): AsyncGenerator<T> {
  let seen = 0;
  for await (const row of rows) if (seen++ >= count) yield row;
}

/** The same rows, each shown to `seen` as it is handed out (before it is examined). */
async function* noting<T>(rows: AsyncGenerator<T>, seen: (row: T) => void): AsyncGenerator<T> {
  for await (const row of rows) {
    seen(row);
    yield row;
  }
}

function decision(plan: Plan): PreviewDecision {
  return { outcome: plan.outcome, rule: plan.ruleLine, actions: planActions(plan) };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Bytes the parser refuses, or a blob that cannot be read (missing, no permission). */
function unreadable(error: unknown): boolean {
  return error instanceof UnparseableMessageError || typeof (error as NodeJS.ErrnoException)?.syscall === 'string';
}
