// Named prepared statements on PostgreSQL (issue 14). Kysely hands pg every statement as text, and pg
// sends it unnamed: the server parses and plans each one anew, about half of what a backend spent per
// processed message (docs/benchmarks.md, fifth slice). Named, a statement is parsed once per
// connection and then only bound and executed. This pool gives Kysely clients that name each data
// statement after its text (pg parses a name once per connection and remembers it).
//
// Bounded: a connection prepares at most MAX_PER_CONNECTION statements and the process names at most
// MAX_NAMES texts, the rest run unnamed. Processing repeats a few dozen statements, and they come first;
// lists of ids vary in length and make a text per length, so a statement with more than MAX_PARAMETERS
// values is not named (a backend holds some 30 KB per prepared statement, more for long ones). Only
// single data statements are named (a DDL statement or several at once cannot always be).
//
// A connection whose named statement fails unusably stops naming: the server refused it (a table changed
// under it: "cached plan must not change result type"; a pooler that moved the session: "prepared
// statement … does not exist" or "already exists"), or pg failed it before the server answered (a value
// it could not send: pg then closes the statement on the server but still counts it as parsed). That one
// statement fails as any failed statement does (the message waits for a retry), and the connection goes
// on unnamed. Poolers in transaction mode without prepared statement support (PgBouncer before 1.21) want
// MAILBIND_DATABASE_PREPARE=off instead.
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

const MAX_PER_CONNECTION = 100;
const MAX_NAMES = 2000;
const MAX_PARAMETERS = 32;

/** SQLSTATEs that say a named statement is unusable on this connection. */
const STALE = new Set([
  '0A000', // feature_not_supported: "cached plan must not change result type"
  '26000', // invalid_sql_statement_name: "prepared statement … does not exist"
  '42P05', // duplicate_prepared_statement: "prepared statement … already exists"
]);

/** A data statement: one SELECT, INSERT, UPDATE, DELETE or WITH, nothing after it. */
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;

interface Connection {
  prepared: Set<string>;
  naming: boolean;
}

export class PreparingPool implements PostgresPool {
  private readonly names = new Map<string, string>();
  private readonly connections = new WeakMap<pg.PoolClient, Connection>();

  constructor(private readonly pool: pg.Pool) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    let connection = this.connections.get(client);
    if (!connection) this.connections.set(client, (connection = { prepared: new Set(), naming: true }));
    const state = connection;
    const query = (text: unknown, values?: unknown[]): unknown => {
      if (typeof text !== 'string') return client.query(text as never); // a cursor
      const name = state.naming && (values?.length ?? 0) <= MAX_PARAMETERS ? this.nameFor(text, state) : undefined;
      if (name === undefined) return client.query(text, values);
      state.prepared.add(name);
      return client.query({ name, text, values: values ?? [] }).catch((error: { code?: string }) => {
        // No SQLSTATE: pg's own failure (a value it could not send, a lost connection).
        if (error.code === undefined || STALE.has(error.code)) state.naming = false;
        throw error;
      });
    };
    return { query: query as unknown as PostgresPoolClient['query'], release: () => client.release() };
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  /** The name of `text` on this connection, or undefined to run it unnamed. */
  private nameFor(text: string, connection: Connection): string | undefined {
    let name = this.names.get(text);
    if (name === undefined) {
      if (this.names.size >= MAX_NAMES) return undefined;
      // '' marks a text that is never named, so it is not looked at again.
      name = DATA_STATEMENT.test(text) && !text.includes(';') ? `mb_${this.names.size}` : '';
      this.names.set(text, name);
    }
    if (name === '') return undefined;
    return connection.prepared.has(name) || connection.prepared.size < MAX_PER_CONNECTION ? name : undefined;
  }
}
