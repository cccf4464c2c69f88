// Opens the one database mailbind keeps everything in: a SQLite file in the data dir by default, or
// PostgreSQL when a postgres:// URL is given. Migrations run on open, so a fresh data dir just works.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import { createInitialMigration, type Dialect } from './migrations/001-initial.js';
import { createSourcesMigration } from './migrations/002-sources.js';
import { StripNulPlugin } from './nul-plugin.js';

export type Db = Kysely<Database>;

export interface OpenOptions {
  dataDir: string;
  /** postgres://… selects PostgreSQL; absent selects SQLite at DATA_DIR/mailbind.sqlite. */
  databaseUrl?: string;
  /** PostgreSQL schema to use (created when missing); tests get a fresh one each. */
  schema?: string;
}

export interface Store {
  db: Db;
  dialect: Dialect;
  dataDir: string;
  /** Where the data lives, for humans: the SQLite path or the PostgreSQL URL without its password. */
  location: string;
  close(): Promise<void>;
}

// int8 and numeric come back as strings by default; our ids and sizes fit in a double.
const pgTypes = {
  getTypeParser(oid: number, format?: any) {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return (pg.types.getTypeParser as any)(oid, format);
  },
};

export async function openStore(options: OpenOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true });
  const url = options.databaseUrl;
  let db: Db;
  let dialect: Dialect;
  let location: string;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    dialect = 'postgres';
    const schema = options.schema;
    if (schema) await ensurePgSchema(url, schema);
    const pool = new pg.Pool({
      connectionString: url,
      types: pgTypes,
      max: 10,
      ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new StripNulPlugin()] });
    location = redactUrl(url) + (schema ? ` (schema ${schema})` : '');
  } else if (url) {
    throw new Error(`MAILBIND_DATABASE_URL must start with postgres:// (got ${redactUrl(url)})`);
  } else {
    dialect = 'sqlite';
    location = join(options.dataDir, 'mailbind.sqlite');
    const file = new BetterSqlite3(location);
    file.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before we acknowledge the message to the mail server.
    file.pragma('synchronous = FULL');
    file.pragma('busy_timeout = 5000');
    file.pragma('foreign_keys = ON');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }), plugins: [new StripNulPlugin()] });
  }
  await migrate(db, dialect, dialect === 'postgres' ? options.schema : undefined);
  return { db, dialect, dataDir: options.dataDir, location, close: () => db.destroy() };
}

// Kysely looks for its bookkeeping tables in every schema unless told which one: with several
// mailbind schemas in one database it would find another's and skip creating its own.
async function migrate(db: Db, dialect: Dialect, schema?: string): Promise<void> {
  const migrations: Record<string, Migration> = {
    '001-initial': createInitialMigration(dialect),
    '002-sources': createSourcesMigration(dialect),
  };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}

async function ensurePgSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
}

export async function dropPgSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
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

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export function now(): string {
  return new Date().toISOString();
}

export { sql };
