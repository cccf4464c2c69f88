// Kysely's PostgreSQL introspector lists the tables of every schema, calling has_schema_privilege() and
// pg_get_serial_sequence() by schema name. A schema another session drops meanwhile (tests drop theirs;
// an operator may drop an old one) fails that read with "schema … does not exist", and with it our
// migration. Its only user here is the migrator, which asks whether its own tables exist: this
// introspector answers from our own schema (the search path's first) and calls no function by name.
import { NulFreeDriver } from './nul-free.js';
import { PostgresDialect, PostgresIntrospector, sql, type DatabaseIntrospector, type Driver, type DatabaseMetadataOptions, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

class OwnSchemaIntrospector extends PostgresIntrospector {
  constructor(private readonly kysely: Kysely<any>) {
    super(kysely);
  }

  override async getSchemas(): Promise<SchemaMetadata[]> {
    const rows = await sql<{ name: string }>`select current_schema() as name`.execute(this.kysely);
    return rows.rows.filter((r) => r.name !== null);
  }

  override async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const rows = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, ns.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      where ns.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
      order by c.relname`.execute(this.kysely);
    return rows.rows
      .filter((r) => options.withInternalKyselyTables || !r.name.startsWith('kysely_migration'))
      .map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'v', columns: [] }));
  }
}

/** PostgreSQL with our own schema's introspector, binding NUL-free parameters (nul-free.ts). */
export class OwnSchemaPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new NulFreeDriver(super.createDriver());
  }

  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}
