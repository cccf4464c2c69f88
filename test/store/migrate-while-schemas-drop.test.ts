// Opening a store on PostgreSQL while other sessions drop other schemas of the same database.
// Kysely's migrator reads the whole catalog by schema name, and a schema dropped during that read made
// the migration fail with "schema t_… does not exist" (seen as rare test failures under load). Here
// schemas are dropped in a tight loop while stores open; every open must succeed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { dropPgSchema, openStore } from '../../src/store/database.js';
import { PG_URL, dialects } from '../support/store.js';

const onPostgres = (await dialects()).includes('postgres');

describe('migrations on PostgreSQL while other schemas are dropped', { skip: !onPostgres && 'PostgreSQL is not reachable' }, () => {
  test('every store opens, however the catalog changes under the migrator', async () => {
    let churning = true;
    const churn = (async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      let rounds = 0;
      try {
        // Schemas with tables and serial columns: what the migrator's catalog query looks at.
        while (churning) {
          const name = `t_churn_${randomBytes(4).toString('hex')}`;
          await client.query(`create schema "${name}"`);
          await client.query(`create table "${name}".x (id serial primary key, v text)`);
          await client.query(`drop schema "${name}" cascade`);
          rounds++;
        }
      } finally {
        await client.end();
      }
      return rounds;
    })();
    const opened: string[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const dataDir = mkdtempSync(join(tmpdir(), 'mailbind-churn-'));
        const schema = `t_${randomBytes(6).toString('hex')}`;
        try {
          const store = await openStore({ dataDir, databaseUrl: PG_URL, schema });
          await store.close();
          opened.push(schema);
        } finally {
          await dropPgSchema(PG_URL, schema);
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
    } finally {
      churning = false;
    }
    const rounds = await churn;
    assert.equal(opened.length, 6);
    assert.ok(rounds > 0, 'schemas were dropped while the stores opened');
  });
});
