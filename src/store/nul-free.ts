// PostgreSQL text cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00"); SQLite can.
// Mail carries NUL bytes now and then (broken clients, binary junk in a header), and a message must
// never be refused for it: U+0000 is dropped from every string bound to a statement, in one place, so
// both databases store the same text. The raw bytes in blob storage stay untouched.
//
// This works on the compiled statement's parameters, at the driver: one `includes` per string parameter.
// It used to be a Kysely plugin rewriting every query's operation tree, which cost more than SQLite's own
// work for the statement (issue 14's profile: a copy of each tree, for the rare NUL). Every value a query
// builder binds becomes a parameter; literals written into SQL text (`sql.lit`) are ours, never mail.
import type { CompiledQuery, DatabaseConnection, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';

export function withoutNul(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  return Array.isArray(value) && value.some((v) => typeof v === 'string' && v.includes('\u0000'));
}

function stripped(value: unknown): unknown {
  return Array.isArray(value) ? value.map(withoutNul) : withoutNul(value);
}

/** The query as given, or a copy whose string parameters (and strings in array parameters) hold no U+0000. */
export function nulFree(query: CompiledQuery): CompiledQuery {
  if (!query.parameters.some(hasNul)) return query;
  return { ...query, parameters: query.parameters.map(stripped) };
}

/** A connection binding only NUL-free parameters. */
class NulFreeConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.inner.executeQuery<R>(nulFree(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(nulFree(query), chunkSize);
  }
}

/** Wraps a dialect's driver so every connection it hands out binds NUL-free parameters. */
export class NulFreeDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new NulFreeConnection(await this.inner.acquireConnection());
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(unwrap(connection), settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(unwrap(connection));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(unwrap(connection));
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.savepoint!(unwrap(connection), name, compile);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.rollbackToSavepoint!(unwrap(connection), name, compile);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.releaseSavepoint!(unwrap(connection), name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof NulFreeConnection ? connection.inner : connection;
}
