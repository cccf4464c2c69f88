// Kysely's SQLite dialect, made fit for several processes sharing one database file: `serve`, a burst
// of `deliver` runs from the mail server, an `import` or two, all at once.
//
// SQLite allows one writer at a time. In WAL mode readers never wait, but a writer that finds the
// write lock taken gets SQLITE_BUSY. Two things turn that into failed commands, and this file fixes both:
//
// 1. Kysely begins transactions with a plain (deferred) `begin`: the transaction starts as a reader and
//    asks for the write lock at its first write. If another process holds the lock, or has committed
//    since this transaction's first read, SQLite fails the write at once with SQLITE_BUSY(_SNAPSHOT),
//    without calling the busy handler: waiting could not help, the snapshot read earlier is stale. So
//    every transaction here begins IMMEDIATE: it takes the write lock up front (waiting for it through
//    busy_timeout like any other statement), and its reads see the latest data. Our transactions are
//    short (a claim, one message's outcome, a migration), so serialising them costs little.
// 2. busy_timeout makes SQLite wait (sleep and retry, blocking this process's event loop) before it gives
//    up. It is kept short so that a waiting `serve` stays responsive, and a statement that still finds the
//    database busy is tried again after an asynchronous pause, up to an overall deadline. Only what is
//    safe to repeat is repeated: `begin immediate` and statements outside a transaction (each is its own
//    transaction, and SQLITE_BUSY means it changed nothing). Inside a transaction the write lock is held,
//    so nothing there waits; past the deadline the error stands (deliver then answers "try later").
//
// 3. Preparing a statement costs more than running most of ours (issue 14's profile: 17 prepares per
//    message, as much time as SQLite spent executing them). Statements are prepared once per SQL text and
//    kept (a bounded cache): the builder yields the same text for the same query shape.
// 4. Every message is written in a savepoint of its own (intake's rows, processing's groups). SQLite keeps
//    what a savepoint would roll back in a sub-journal, which past 64 KiB goes to a temp file, kept and
//    written again for each savepoint until the transaction ends: 142 KiB (about 35 pages) and 69 write
//    calls per message on issue 14's benchmark (docs/benchmarks.md, tenth slice). A write transaction's
//    sub-journal is kept in memory instead, freed as each savepoint ends: what one savepoint or statement
//    changes of the pages that existed before it (a message's rows and their index pages). Migrations keep
//    SQLite's default (withJournalsOnDisk): one of their statements may rewrite a whole table. The pager
//    chooses when the transaction begins, from temp_store, which is set back at once: elsewhere
//    temp_store = MEMORY would also keep large sorts in memory (counts grouped over a million rows took
//    70 MB more). Recovery never reads a sub-journal (the WAL does that), so durability is unchanged.
//    Setting temp_store closes the temp database: mailbind makes no TEMP tables, and one would be dropped.
//
// 5. A full disk. SQLite rolls a transaction back by itself on some errors (a full disk, an I/O error,
//    out of memory; a failed commit too). The caller then rolls back a savepoint or the transaction, and
//    each fails ("no such savepoint", "cannot rollback - no transaction is active"), replacing the error
//    that says what happened. A connection keeps that error and fails every statement with it until the
//    caller's rollback, which it takes as done (PatientConnection). And an error that a full disk
//    caused names the disk (full-disk.ts): SQLite itself may say only "disk I/O error".
//
// SQLite also supports transactional DDL, which Kysely's adapter does not claim: we do, so migrations run
// in one IMMEDIATE transaction and two processes opening a fresh database cannot both run them.
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { withFullDiskNamed } from './full-disk.js';
import { NulFreeDriver } from './nul-free.js';
import { countSync } from './sync-counts.js';

export interface SharedSqliteOptions {
  /** How long one statement blocks waiting for a lock (PRAGMA busy_timeout). */
  busyTimeoutMs: number;
  /** How long, in all, a statement may keep finding the database busy before the error stands. */
  deadlineMs: number;
}

export const SHARED_SQLITE_DEFAULTS: SharedSqliteOptions = { busyTimeoutMs: 1000, deadlineMs: 30_000 };

export class SharedSqliteDialect extends SqliteDialect {
  /** Whether write transactions keep their sub-journals in memory (point 4 above). */
  private readonly journals = { inMemory: true };

  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly options: SharedSqliteOptions = SHARED_SQLITE_DEFAULTS,
  ) {
    super({ database });
    database.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  }

  override createDriver(): Driver {
    return new NulFreeDriver(new SharedSqliteDriver(this.database, this.options, this.journals));
  }

  /** Runs `work` (the migrations) with write transactions' sub-journals where SQLite puts them by default. */
  async withJournalsOnDisk<T>(work: () => Promise<T>): Promise<T> {
    this.journals.inMemory = false;
    try {
      return await work();
    } finally {
      this.journals.inMemory = true;
    }
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class SharedSqliteDriver extends SqliteDriver {
  private readonly statements = new StatementCache();

  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly options: SharedSqliteOptions,
    private readonly journals: { inMemory: boolean },
  ) {
    super({ database });
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    return new PatientConnection(await super.acquireConnection(), this.database, this.options, this.statements);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const begin = () => connection.executeQuery(CompiledQuery.raw('begin immediate'));
    if (!this.journals.inMemory) return void await begin();
    // Read as the transaction begins: see point 4 above. A pragma takes effect when it is prepared, so
    // these two must never go through the statement cache (database.pragma prepares each anew).
    this.database.pragma('temp_store = MEMORY');
    let begun = false;
    try {
      await begin();
      begun = true;
    } finally {
      try {
        this.database.pragma('temp_store = DEFAULT');
      } catch (error) {
        // Refused inside a transaction only while a temp database is open, which mailbind never opens:
        // the transaction is given back rather than left open behind a failed begin. When the begin
        // itself failed, its error is the one that counts (callers tell a busy database by it).
        if (this.database.inTransaction) this.database.exec('rollback');
        if (begun) throw error;
      }
    }
  }
}

/**
 * Repeats a statement that found the database busy, where repeating it is safe (point 2 above), and keeps
 * the error that ended its transaction inside SQLite until the caller's rollback (point 5).
 */
class PatientConnection implements DatabaseConnection {
  /** The error that ended this connection's transaction inside SQLite, until the caller's rollback. */
  private endedBy: unknown;

  constructor(
    private readonly inner: DatabaseConnection,
    private readonly database: BetterSqlite3.Database,
    private readonly options: SharedSqliteOptions,
    private readonly statements: StatementCache,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.endedBy !== undefined) {
      // Rolling back what SQLite rolled back already is done; anything else fails as the transaction did.
      if (!ROLLBACK.test(query.sql)) throw this.endedBy;
      this.endedBy = undefined;
      return { rows: [] };
    }
    if (this.database.inTransaction) {
      try {
        const result = this.run<R>(query);
        if (query.sql === 'commit') countSync('commits');
        return result;
      } catch (error) {
        if (!this.database.inTransaction && !ROLLBACK.test(query.sql)) this.endedBy = error;
        throw error;
      }
    }
    const deadline = Date.now() + this.options.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = this.run<R>(query);
        if (writes(query)) countSync('commits'); // a write outside a transaction commits by itself
        return result;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        // Jittered, growing pauses: the processes waiting for the lock do not all wake together.
        const pause = Math.min(250, 5 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random());
        await delay(Math.min(pause, Math.max(0, deadline - Date.now())));
      }
    }
  }

  // A stream keeps its statement busy until it ends: it prepares its own (Kysely's connection does).
  // Its errors are SQLite's own words (nothing in mailbind streams from SQLite today).
  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (this.endedBy !== undefined) throw this.endedBy;
    return this.inner.streamQuery<R>(query, chunkSize);
  }

  /** What Kysely's SqliteConnection does, with the statement from the cache; a full disk is named as one (full-disk.ts). */
  private run<R>(query: CompiledQuery): QueryResult<R> {
    try {
      const stmt = this.statements.get(this.database, query.sql);
      const parameters = query.parameters as unknown[];
      if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
      const { changes, lastInsertRowid } = stmt.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      throw this.database.memory ? error : withFullDiskNamed(error, dirname(this.database.name));
    }
  }
}

/** The rollback of a whole transaction (not to a savepoint). */
const ROLLBACK = /^\s*rollback\s*;?\s*$/i;

/**
 * Prepared statements by SQL text, the least recently used dropped past `limit`. Only statements that
 * cannot be busy are reused: `all` and `run` finish before they return, and the connection serves one
 * caller at a time. Schema changes are safe: SQLite prepares a statement again when its schema changed.
 */
class StatementCache {
  private readonly byText = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly limit = 500) {}

  get(database: BetterSqlite3.Database, text: string): BetterSqlite3.Statement {
    const cached = this.byText.get(text);
    if (cached) {
      // Most recently used last: Map keeps insertion order.
      this.byText.delete(text);
      this.byText.set(text, cached);
      return cached;
    }
    const stmt = database.prepare(text);
    this.byText.set(text, stmt);
    if (this.byText.size > this.limit) this.byText.delete(this.byText.keys().next().value!);
    return stmt;
  }
}

const WRITE_NODES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);

/** A statement that changes data (for the commit count: sync-counts.ts). */
function writes(query: CompiledQuery): boolean {
  const kind = query.query?.kind;
  if (kind && WRITE_NODES.has(kind)) return true;
  return kind === 'RawNode' && /^\s*(insert|update|delete|replace)\b/i.test(query.sql);
}

/** SQLITE_BUSY and its extended codes (_SNAPSHOT, _RECOVERY, _TIMEOUT). */
export function isBusy(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('SQLITE_BUSY');
}
