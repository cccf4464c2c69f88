// Prometheus metrics of one app (served at /metrics by the server). Counters and histograms observe
// processing as it happens (App.onProcessed); gauges that the database knows better than this process
// (backlog, poll health, OAuth2 sign-ins, shared by every worker) are read when scraped. One registry
// per app and never prom-client's global one, so that two apps in one process (tests) keep their
// numbers apart.
//
// Series are labelled by profile id and name: bounded by the number of profiles, and the name is what
// an operator recognises. A renamed profile's counters keep the old name until the process restarts
// (the name is looked up once); its gauges take the new name at the next scrape.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProcessedEvent } from '../engine/process.js';
import { signInStatuses, type SignInStatus } from '../store/oauth-tokens.js';
import { pollHealth, unfinishedByProfile } from '../store/observations.js';
import { findProfile, listProfiles } from '../store/profiles.js';
import type { App } from './app.js';
import { signsIn } from './sign-in-view.js';

export interface Metrics {
  registry: Registry;
  /** The Content-Type of render()'s text. */
  contentType: string;
  /** The Prometheus text format, with every observation made so far included. */
  render(): Promise<string>;
  /**
   * Where the IDLE connections gauge reads its count (the running scheduler's); returns the way to
   * let go of it when the scheduler stops.
   */
  countIdleWith(count: () => number): () => void;
}

const LABELS = ['profile_id', 'profile'] as const;
/** The states of an OAuth2 mailbox's sign-in: the stored ones, and none stored yet (or signed out). */
const SIGN_IN_STATES = ['ok', 'failing', 'stopped', 'not_signed_in'] as const;
type ProfileLabels = Record<(typeof LABELS)[number], string>;

const byApp = new WeakMap<App, Metrics>();

/** The app's metrics, created on first use; from then on every message its processors finish is counted. */
export function metricsFor(app: App): Metrics {
  let metrics = byApp.get(app);
  if (!metrics) byApp.set(app, (metrics = createMetrics(app)));
  return metrics;
}

function createMetrics(app: App): Metrics {
  const registry = new Registry();
  const names = new Map<number, string>();
  const profileLabels = (id: number): ProfileLabels => ({ profile_id: String(id), profile: names.get(id) ?? '' });
  /** The current profiles, which also refreshes the names later observations are labelled with. */
  const profiles = async () => {
    const list = await listProfiles(app.store.db);
    for (const p of list) names.set(p.id, p.name);
    return list;
  };

  const processed = new Counter({
    name: 'mailbind_messages_processed_total',
    help: 'Messages that got an outcome, by profile and outcome.',
    labelNames: [...LABELS, 'outcome'],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'mailbind_messages_rate_limited_total',
    help: 'Messages the per-sender rate limit held (ignored, "rate limited: …"), by profile. Also counted in mailbind_messages_processed_total{outcome="ignored"}.',
    labelNames: LABELS,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'mailbind_processing_retries_total',
    help: 'Processing attempts that failed and wait for another try, by profile.',
    labelNames: LABELS,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'mailbind_processing_duration_seconds',
    help: 'How long one processing attempt took (parse, decide, execute, record), by profile.',
    labelNames: LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'mailbind_intake_to_outcome_seconds',
    help: 'From storing a message in the inbox to its outcome, retries included, by profile.',
    labelNames: LABELS,
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
    registers: [registry],
  });

  new Gauge({
    name: 'mailbind_inbox_backlog',
    help: 'Messages stored but without an outcome yet (waiting, retrying or being processed), by profile.',
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const [list, unfinished] = await Promise.all([profiles(), unfinishedByProfile(app.store.db)]);
      this.reset();
      for (const p of list) this.set(profileLabels(p.id), unfinished.get(p.id) ?? 0);
    },
  });
  new Gauge({
    name: 'mailbind_profile_last_success_timestamp_seconds',
    help: 'When the profile last polled its mailbox successfully (Unix time); absent until it has.',
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const [, rows] = await Promise.all([profiles(), pollHealth(app.store.db)]);
      this.reset();
      for (const r of rows) {
        if (r.lastSuccessAt && names.has(r.profileId)) this.set(profileLabels(r.profileId), Date.parse(r.lastSuccessAt) / 1000);
      }
    },
  });
  new Gauge({
    name: 'mailbind_profile_consecutive_failures',
    help: 'Polls of the profile that failed in a row since its last success.',
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const [list, rows] = await Promise.all([profiles(), pollHealth(app.store.db)]);
      const failures = new Map(rows.map((r) => [r.profileId, r.consecutiveFailures]));
      this.reset();
      for (const p of list) this.set(profileLabels(p.id), failures.get(p.id) ?? 0);
    },
  });
  new Gauge({
    name: 'mailbind_profile_messages_not_downloaded',
    help: 'Messages the profile\'s latest successful poll found on the server and could not download (each stays there and is tried again every poll).',
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const [list, rows] = await Promise.all([profiles(), pollHealth(app.store.db)]);
      const notDownloaded = new Map(rows.map((r) => [r.profileId, r.notDownloaded]));
      this.reset();
      for (const p of list) this.set(profileLabels(p.id), notDownloaded.get(p.id) ?? 0);
    },
  });
  /** The OAuth2 mailboxes now, each with its stored sign-in (none: not signed in); never a token. */
  const signIns = async (): Promise<Array<{ id: number; signIn: SignInStatus | undefined }>> => {
    const [list, rows] = await Promise.all([profiles(), signInStatuses(app.store.db)]);
    const byId = new Map(rows.map((r) => [r.profileId, r]));
    return list.filter(signsIn).map((p) => ({ id: p.id, signIn: byId.get(p.id) }));
  };
  // One series per state, 1 for the current one (the usual way of an enum in Prometheus): an alert rule
  // reads `mailbind_oauth_sign_in_state{state="stopped"} == 1` without knowing the other states.
  new Gauge({
    name: 'mailbind_oauth_sign_in_state',
    help: "An OAuth2 mailbox's sign-in, 1 for its current state: ok; failing (refreshing the access token fails, it works until it expires); stopped (sign in again); not_signed_in.",
    labelNames: [...LABELS, 'state'],
    registers: [registry],
    async collect() {
      const rows = await signIns();
      this.reset();
      for (const { id, signIn } of rows) {
        const current = signIn?.state ?? 'not_signed_in';
        for (const state of SIGN_IN_STATES) this.set({ ...profileLabels(id), state }, state === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'mailbind_oauth_access_token_expiry_timestamp_seconds',
    help: "When an OAuth2 mailbox's access token expires (Unix time); refreshed about a minute before. Absent while not signed in.",
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const rows = await signIns();
      this.reset();
      for (const { id, signIn } of rows) if (signIn) this.set(profileLabels(id), Date.parse(signIn.accessExpiresAt) / 1000);
    },
  });
  new Gauge({
    name: 'mailbind_oauth_refresh_consecutive_failures',
    help: "Refreshes of an OAuth2 mailbox's access token that failed in a row since the last one that worked (or the sign-in).",
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const rows = await signIns();
      this.reset();
      for (const { id, signIn } of rows) this.set(profileLabels(id), signIn?.refreshFailures ?? 0);
    },
  });
  let idleCount: (() => number) | null = null;
  new Gauge({
    name: 'mailbind_idle_connections',
    help: 'IMAP IDLE connections open now (push notification of new mail).',
    registers: [registry],
    collect() {
      this.set(idleCount?.() ?? 0);
    },
  });

  const observe = (event: ProcessedEvent) => {
    // A reply put off for its original spent no attempt and did no processing worth timing.
    if (event.waiting) return;
    const labels = profileLabels(event.profileId);
    // A message given up for stopping its holders was not processed: an outcome, no duration.
    if (!event.givenUp) duration.observe(labels, event.ms / 1000);
    if (event.outcome === null) {
      retries.inc(labels);
      return;
    }
    processed.inc({ ...labels, outcome: event.outcome });
    if (event.rateLimited) rateLimited.inc(labels);
    latency.observe(labels, Math.max(0, Date.now() - Date.parse(event.receivedAt)) / 1000);
  };
  // A profile first seen here is looked up once; render() waits for lookups under way, so a scrape
  // right after processing includes it.
  const lookups = new Set<Promise<void>>();
  app.onProcessed((event) => {
    if (names.has(event.profileId)) return observe(event);
    const lookup = findProfile(app.store.db, event.profileId)
      .then((p) => void (p && names.set(p.id, p.name)), () => undefined)
      .then(() => observe(event))
      .finally(() => lookups.delete(lookup));
    lookups.add(lookup);
  });

  return {
    registry,
    contentType: registry.contentType,
    async render() {
      await Promise.all(lookups);
      return registry.metrics();
    },
    countIdleWith(count) {
      idleCount = count;
      return () => void (idleCount === count && (idleCount = null));
    },
  };
}
