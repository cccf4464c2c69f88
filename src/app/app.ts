// Where the service is assembled: the store, the tracker, the secret box and the settings every use
// case shares. This is the one place that picks the tracker adapter; the engine is handed it.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { OutboxSender } from '../engine/outbox/sender.js';
import type { StoredParser } from '../engine/parsing/stored-parser.js';
import type { OutgoingMailOptions, ProcessedEvent, Processor } from '../engine/process.js';
import { sentMailById, sentMailByMessageId, sentThreads } from '../store/outbox.js';
import { installationSecret, REPLY_TOKEN_KEY } from '../store/installation-secrets.js';
import { openStore, type Db, type Store } from '../store/database.js';
import { SecretBox } from '../store/secrets.js';
import { BuiltinTracker } from '../tracker/builtin/index.js';
import type { Tracker } from '../tracker/port.js';
import { translated } from './error-translation.js';
import { parseThreadsOf } from './parse-threads.js';
import { userError } from './errors.js';

export interface AppOptions {
  dataDir: string;
  /** postgres://… for PostgreSQL; absent for SQLite in the data dir. */
  databaseUrl?: string;
  schema?: string;
  /** Create the data dir and database when missing: only commands that write. */
  create?: boolean;
  /** The domain of our own Message-IDs, for loop detection; default `mailbind.` + the host name. */
  messageIdDomain?: string;
  /** Where the web UI is reached (MAILBIND_PUBLIC_URL), for links in the mail we send. */
  publicUrl?: string;
  /** PostgreSQL connections at most (default 10); services size it by their lanes (concurrency.ts). */
  poolSize?: number;
  /** PostgreSQL: named prepared statements (MAILBIND_DATABASE_PREPARE, default on; store/pg-prepared.ts). */
  prepareStatements?: boolean;
  /** Worker threads that parse messages for this app's processors (default: MAILBIND_PARSE_THREADS, see parse-threads.ts). */
  parseThreads?: number;
}

export interface App {
  readonly store: Store;
  readonly tracker: Tracker<Db>;
  /** Domains of our own Message-IDs: mail carrying one is ours, come back. */
  readonly ownDomains: string[];
  /** The key that seals mailbox passwords, loaded (or created) on first use. */
  secrets(): SecretBox;
  /**
   * A processor for this app; a service holds one and shares it, claiming as `owner` (its service
   * id). The engine loads on first use.
   */
  processor(logger?: Logger, owner?: string): Promise<Processor>;
  /**
   * Hear of every message this app's processors finish or put back for a retry (metrics observe it);
   * returns the way to stop listening.
   */
  onProcessed(listener: (event: ProcessedEvent) => void): () => void;
  /** What the outbox knows that replies need: the items of mail we sent, and the reply token key. */
  readonly outgoing: OutgoingMailOptions;
  /** The sender of the outbox, claiming as `owner`; loaded on first use. */
  outboxSender(logger?: Logger, owner?: string): Promise<OutboxSender>;
  close(): Promise<void>;
}

/** Settings from the environment: MAILBIND_DATABASE_URL, …_SCHEMA, …_PREPARE, MAILBIND_MESSAGE_ID_DOMAIN, MAILBIND_PUBLIC_URL. */
export function appOptionsFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): AppOptions {
  return {
    dataDir,
    ...(env.MAILBIND_DATABASE_URL ? { databaseUrl: env.MAILBIND_DATABASE_URL } : {}),
    ...(env.MAILBIND_DATABASE_SCHEMA ? { schema: env.MAILBIND_DATABASE_SCHEMA } : {}),
    ...(env.MAILBIND_DATABASE_PREPARE?.trim() ? { prepareStatements: onOrOff('MAILBIND_DATABASE_PREPARE', env.MAILBIND_DATABASE_PREPARE) } : {}),
    ...(env.MAILBIND_MESSAGE_ID_DOMAIN ? { messageIdDomain: env.MAILBIND_MESSAGE_ID_DOMAIN } : {}),
    ...(env.MAILBIND_PUBLIC_URL ? { publicUrl: env.MAILBIND_PUBLIC_URL } : {}),
  };
}

/** An on/off setting; anything else is refused with the setting's name. */
function onOrOff(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw userError(`${name} must be on or off, got '${value}'`);
}

/**
 * Our Message-ID domains: the configured one, else `mailbind.` + the host name. Not the bare host
 * name: mailbind often runs on the mail server itself (the deliver pipe), whose own Message-IDs end
 * in that name, and every message its users send would then look like our loop.
 */
export function ownMessageIdDomains(configured: string | undefined, host = hostname()): string[] {
  const domain = (configured?.trim() || `mailbind.${host}`).toLowerCase();
  return [domain];
}

export async function openApp(options: AppOptions): Promise<App> {
  // A bad MAILBIND_PARSE_THREADS is refused before anything opens.
  const parseThreads = options.parseThreads ?? parseThreadsOf();
  const store = await translated(() =>
    openStore({
      dataDir: options.dataDir,
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
      ...(options.prepareStatements !== undefined ? { prepareStatements: options.prepareStatements } : {}),
      create: options.create ?? false,
    }),
  );
  return assemble(store, { ...options, parseThreads });
}

/** An app over a store that is already open (tests, benchmarks); closing it closes the store. */
export function assemble(store: Store, options: Pick<AppOptions, 'messageIdDomain' | 'publicUrl' | 'parseThreads'> = {}): App {
  const tracker = trackerOn(store.db);
  const ownDomains = ownMessageIdDomains(options.messageIdDomain);
  let secrets: SecretBox | null = null;
  // Listeners live on the app, not on one processor: commands and the service make processors as
  // they need them, and whatever observes processing (metrics) should not have to know when.
  const listeners = new Set<(event: ProcessedEvent) => void>();
  const onProcessed = (event: ProcessedEvent) => {
    for (const listener of listeners) listener(event);
  };
  const secretBox = () => (secrets ??= SecretBox.forDataDir(store.dataDir));
  // Made once per installation (sealed in the database), read once per process.
  let tokenKey: Promise<Buffer> | null = null;
  const replyTokenKey = () => (tokenKey ??= installationSecret(store.db, secretBox(), REPLY_TOKEN_KEY).catch((error) => {
    tokenKey = null;
    throw error;
  }));
  // The mail we sent, read through `db`: the store, or the transaction a processing batch decides in.
  const sentMailOn = (db: Db) => ({
    sentThreads: (ids: string[]) => sentThreads(db, ids),
    sentMail: (ids: string[]) => sentMailByMessageId(db, ids),
    sentMailById: (id: number) => sentMailById(db, id),
    replyTokenKey,
  });
  const outgoing: OutgoingMailOptions = { ...sentMailOn(store.db), on: sentMailOn, publicUrl: options.publicUrl ?? null };
  // One pool of parse threads for all processors of the app, started with the first of them.
  const parseThreads = options.parseThreads ?? parseThreadsOf();
  let parser: Promise<StoredParser | undefined> | undefined;
  const parsePool = () => (parser ??= parseThreads > 0
    ? import('../engine/parsing/parse-pool.js').then(({ ParsePool }) => new ParsePool(store.dataDir, parseThreads))
    : Promise.resolve(undefined));
  return {
    store,
    tracker,
    ownDomains,
    secrets: secretBox,
    outgoing,
    processor: async (logger, owner) => {
      const { Processor } = await import('../engine/process.js');
      const pool = await parsePool();
      return new Processor({ store, tracker, ownDomains, onProcessed, outgoing, ...(pool ? { parser: pool } : {}), ...(logger ? { logger } : {}), ...(owner ? { owner } : {}) });
    },
    outboxSender: async (logger, owner) => {
      const { OutboxSender } = await import('../engine/outbox/sender.js');
      return new OutboxSender({ store, secrets: secretBox(), loopMarker: ownDomains[0]!, ...(logger ? { logger } : {}), ...(owner ? { owner } : {}) });
    },
    onProcessed: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close: async () => {
      try {
        await (await parser)?.close();
      } finally {
        await store.close();
      }
    },
  };
}

/** The one line that picks the tracker adapter. */
function trackerOn(db: Db): Tracker<Db> {
  return new BuiltinTracker(db);
}

/**
 * The same app with its store and tracker on `db`, a transaction the caller holds: use cases run on it
 * commit or roll back together (config apply). Its close() closes nothing; the caller's app owns the store.
 */
export function boundTo(app: App, db: Db): App {
  return { ...app, store: { ...app.store, db }, tracker: trackerOn(db), close: async () => {} };
}

/** Opens the app, runs the work, and always closes it. */
export async function withApp<T>(options: AppOptions, work: (app: App) => Promise<T>): Promise<T> {
  const app = await openApp(options);
  try {
    return await translated(() => work(app));
  } finally {
    await app.close();
  }
}
