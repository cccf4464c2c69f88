// Opens the one database mailbind keeps everything in: a SQLite file in the data dir by default, or
// PostgreSQL when a postgres:// URL is given. Migrations run on open, so a fresh data dir just works.
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Kysely, Migrator, sql, type Migration } from 'kysely';
import { OwnSchemaPostgresDialect } from './pg-introspector.js';
import { PreparingPool } from './pg-prepared.js';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { Database } from './schema.js';
import { createInitialMigration, type Dialect } from './migrations/001-initial.js';
import { createSourcesMigration } from './migrations/002-sources.js';
import { createServicesMigration } from './migrations/003-services.js';
import { createClaimsMigration } from './migrations/004-claims.js';
import { createRawRefIndexMigration } from './migrations/005-raw-ref-index.js';
import { createServiceTablesMigration } from './migrations/006-service-tables.js';
import { createRulesHistoryBackfillMigration } from './migrations/008-rules-history-backfill.js';
import { createItemStateMigration } from './migrations/007-item-state.js';
import { createFailingSinceMigration } from './migrations/009-failing-since.js';
import { createItemFieldsMigration } from './migrations/010-item-fields.js';
import { createCommentQuotedTextMigration } from './migrations/011-comment-quoted-text.js';
import { createConversationsMigration } from './migrations/012-conversations.js';
import { createOutgoingMailMigration } from './migrations/013-outgoing-mail.js';
import { createSenderRateMigration } from './migrations/014-sender-rate.js';
import { createNotesMigration } from './migrations/015-notes.js';
import { createOAuthMigration } from './migrations/016-oauth.js';
import { createOAuthTokenBindingMigration } from './migrations/017-oauth-token-binding.js';
import { createClaimIndexMigration } from './migrations/018-claim-index.js';
import { createRawMessagesMigration } from './migrations/019-raw-messages.js';
import { createClaimOrderMigration } from './migrations/020-claim-order.js';
import { createPendingClaimMigration } from './migrations/021-pending-claim.js';
import { createDownloadFailuresMigration } from './migrations/022-download-failures.js';
import { createTakeoversMigration } from './migrations/023-takeovers.js';
import { withFullDiskNamed } from './full-disk.js';
import { SharedSqliteDialect } from './sqlite-dialect.js';

export type Db = Kysely<Database>;

export interface OpenOptions {
  dataDir: string;
  /** postgres://… selects PostgreSQL; absent selects SQLite at DATA_DIR/mailbind.sqlite. */
  databaseUrl?: string;
  /** PostgreSQL schema to use (created when missing); tests get a fresh one each. */
  schema?: string;
  /**
   * Create the data directory and database when missing (commands that write). When false, a
   * missing SQLite database is an error: a typo in a read-only command must not create a data dir.
   */
  create?: boolean;
  /** PostgreSQL: the most connections the pool opens (default 10); a service sizes it by its lanes. */
  poolSize?: number;
  /** PostgreSQL: name data statements so each is parsed once per connection (default true; pg-prepared.ts). */
  prepareStatements?: boolean;
}

/** The database cannot be opened: `missing` when there is none at the place named, else `unusable`. */
export class StoreOpenError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'unusable',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface Store {
  db: Db;
  dialect: Dialect;
  dataDir: string;
  /** Where the data lives, for humans: the SQLite path or the PostgreSQL URL without its password. */
  location: string;
  close(): Promise<void>;
}

// pg is loaded only for a PostgreSQL URL: a command on the embedded SQLite default starts faster.
async function loadPg(): Promise<typeof pg> {
  return (await import('pg')).default;
}

// int8 and numeric come back as strings by default; our ids and sizes fit in a double.
function pgTypes(driver: typeof pg) {
  return {
    getTypeParser(oid: number, format?: any) {
      if (oid === 20 || oid === 1700) return (value: string) => Number(value);
      return (driver.types.getTypeParser as any)(oid, format);
    },
  };
}

export async function openStore(options: OpenOptions): Promise<Store> {
  const create = options.create ?? true;
  // The data dir holds people's mail: only its owner may read it. The mode is set again after
  // creation, so that no umask (0 included) leaves it open to others.
  if (create) {
    try {
      if (mkdirSync(options.dataDir, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(options.dataDir, 0o700);
    } catch (error) {
      throw new StoreOpenError(`cannot create the data directory ${options.dataDir}: ${(error as Error).message}`, 'unusable');
    }
  }
  const url = options.databaseUrl;
  let db: Db;
  let dialect: Dialect;
  let sqliteDialect: SharedSqliteDialect | undefined;
  let location: string;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    dialect = 'postgres';
    const schema = options.schema;
    const driver = await loadPg();
    if (schema) {
      await ensurePgSchema(url, schema).catch((error: Error) => {
        throw new StoreOpenError(`cannot open the database ${redactUrl(url)}: ${error.message}`, 'unusable');
      });
    }
    const pool = new driver.Pool({
      connectionString: url,
      types: pgTypes(driver),
      max: options.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool: options.prepareStatements === false ? pool : new PreparingPool(pool) }) });
    location = redactUrl(url) + (schema ? ` (schema ${schema})` : '');
  } else if (url) {
    throw new Error(`MAILBIND_DATABASE_URL must start with postgres:// (got ${redactUrl(url)})`);
  } else {
    dialect = 'sqlite';
    location = join(options.dataDir, 'mailbind.sqlite');
    if (!create && !existsSync(location)) {
      throw new StoreOpenError(
        `no mailbind data in ${options.dataDir} (${location} does not exist); check --data-dir or MAILBIND_DATA_DIR`,
        'missing',
      );
    }
    let file: BetterSqlite3.Database;
    try {
      // SQLite would create the file with the umask's mode (0644); made here first, it is the owner's
      // only, and SQLite gives the -wal and -shm files the database file's mode.
      if (create && !existsSync(location)) closeSync(openSync(location, 'a', 0o600));
      file = new BetterSqlite3(location);
    } catch (error) {
      throw new StoreOpenError(`cannot open the database ${location}: ${whyUnopenable(location, error)}`, 'unusable');
    }
    try {
      file.pragma('journal_mode = WAL');
      // FULL: a commit is on disk before we acknowledge the message to the mail server.
      file.pragma('synchronous = FULL');
      file.pragma('foreign_keys = ON');
    } catch (error) {
      // On a full disk the first of these fails: on a new file, writing its header; on one that exists,
      // growing the -shm file WAL mode needs (SQLite then says only "disk I/O error").
      file.close();
      throw unusable(location, withFullDiskNamed(error, options.dataDir));
    }
    // Several processes share the file: transactions take the write lock up front and a busy database
    // is waited for (busy_timeout, then bounded retries); see sqlite-dialect.ts.
    sqliteDialect = new SharedSqliteDialect(file);
    db = new Kysely<Database>({ dialect: sqliteDialect });
  }
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw unusable(location, error);
  }
  const migrating = () => migrate(db, dialect, dialect === 'postgres' ? options.schema : undefined);
  try {
    await (sqliteDialect ? sqliteDialect.withJournalsOnDisk(migrating) : migrating());
  } catch (error) {
    // Not left open: a caller that tries again later (or a test's file system) would find it held.
    await db.destroy().catch(() => {});
    throw unusable(location, error);
  }
  return { db, dialect, dataDir: options.dataDir, location, close: () => db.destroy() };
}

/** The store at `location` cannot be used: refused with why, the error kept as the cause. */
function unusable(location: string, error: unknown): StoreOpenError {
  return new StoreOpenError(`cannot open the database ${location}: ${(error as Error).message}`, 'unusable', { cause: error });
}

/** SQLite says only "unable to open database file"; find out which part of the path is at fault. */
function whyUnopenable(location: string, error: unknown): string {
  const dir = dirname(location);
  try {
    if (!existsSync(dir)) return `the directory ${dir} does not exist`;
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
    if (existsSync(location) && statSync(location).isDirectory()) return `${location} is a directory`;
    try {
      accessSync(existsSync(location) ? location : dir, constants.R_OK | constants.W_OK);
    } catch {
      return `permission denied: this user cannot read and write ${existsSync(location) ? location : dir}`;
    }
  } catch {
    // Fall through to SQLite's own words.
  }
  return (error as Error).message;
}

/** Every migration by name, in the order they run (Kysely sorts by name). */
export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '001-initial': createInitialMigration(dialect),
    '002-sources': createSourcesMigration(dialect),
    '003-services': createServicesMigration(),
    '004-claims': createClaimsMigration(),
    '005-raw-ref-index': createRawRefIndexMigration(),
    '006-service-tables': createServiceTablesMigration(dialect),
    '007-item-state': createItemStateMigration(),
    '008-rules-history-backfill': createRulesHistoryBackfillMigration(),
    '009-failing-since': createFailingSinceMigration(),
    '010-item-fields': createItemFieldsMigration(dialect),
    '011-comment-quoted-text': createCommentQuotedTextMigration(),
    '012-conversations': createConversationsMigration(dialect),
    '013-outgoing-mail': createOutgoingMailMigration(dialect),
    '014-sender-rate': createSenderRateMigration(),
    '015-notes': createNotesMigration(),
    '016-oauth': createOAuthMigration(dialect),
    '017-oauth-token-binding': createOAuthTokenBindingMigration(),
    '018-claim-index': createClaimIndexMigration(),
    '019-raw-messages': createRawMessagesMigration(dialect),
    '020-claim-order': createClaimOrderMigration(),
    '021-pending-claim': createPendingClaimMigration(dialect),
    '022-download-failures': createDownloadFailuresMigration(),
    '023-takeovers': createTakeoversMigration(),
  };
}

/**
 * Migrations the database has run that this code does not know: a newer mailbind migrated it while this
 * process (an earlier version) kept running. Such a process must not process mail: what the newer one
 * stores may be where it does not look (raw messages in the database since 019, say).
 */
export async function unknownMigrations(store: Pick<Store, 'db' | 'dialect'>): Promise<string[]> {
  const known = migrationsFor(store.dialect);
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
  return rows.rows.map((r) => r.name).filter((name) => !(name in known));
}

// Kysely looks for its bookkeeping tables in every schema unless told which one: with several
// mailbind schemas in one database it would find another's and skip creating its own.
async function migrate(db: Db, dialect: Dialect, schema?: string): Promise<void> {
  const migrations = migrationsFor(dialect);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    // No migration failed when its bookkeeping did (a full disk, say): then the migrations as a whole.
    throw new Error(`database migration${failed ? ` ${failed.migrationName}` : 's'} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
}

async function ensurePgSchema(url: string, schema: string): Promise<void> {
  const client = new (await loadPg()).Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
}

export async function dropPgSchema(url: string, schema: string): Promise<void> {
  const client = new (await loadPg()).Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** The URL for humans and logs: any password replaced by ***, even one holding '@' or ':'. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL the parser takes: hide the whole user part, up to its last '@'.
    return url.replace(/\/\/[^/]*@/, '//***@');
  }
}

export function now(): string {
  return new Date().toISOString();
}

export { sql };
