// Test databases: a temp SQLite data dir, or a fresh PostgreSQL schema on the local server
// (MAILBIND_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropPgSchema, openStore, type Store } from '../../src/store/database.js';

export const PG_URL = process.env.MAILBIND_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type TestDialect = 'sqlite' | 'postgres';

export interface TestStore {
  store: Store;
  dataDir: string;
  /** Environment for running the CLI against this same database. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

let pgReachable: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  })();
  return pgReachable;
}

/** Which dialects to run: both; PostgreSQL is required on CI (MAILBIND_REQUIRE_POSTGRES=1). */
export async function dialects(): Promise<TestDialect[]> {
  if (await postgresAvailable()) return ['sqlite', 'postgres'];
  if (process.env.MAILBIND_REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required but not reachable at ${PG_URL}`);
  return ['sqlite'];
}

export async function openTestStore(dialect: TestDialect, options: { prepareStatements?: boolean } = {}): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailbind-test-'));
  if (dialect === 'sqlite') {
    const store = await openStore({ dataDir });
    return {
      store,
      dataDir,
      env: { MAILBIND_DATA_DIR: dataDir },
      async cleanup() {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ dataDir, databaseUrl: PG_URL, schema, ...options });
  return {
    store,
    dataDir,
    env: { MAILBIND_DATA_DIR: dataDir, MAILBIND_DATABASE_URL: PG_URL, MAILBIND_DATABASE_SCHEMA: schema },
    async cleanup() {
      await store.close();
      await dropPgSchema(PG_URL, schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
