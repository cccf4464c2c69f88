// One unit of work: a new transaction, or the one already running. Use cases that are atomic on their
// own (save rules with their version and audit entry) also run inside a larger one (config apply
// changes many objects at once, all or nothing); Kysely does not nest transactions, so the inner one
// joins the outer.
import type { Db } from './database.js';

export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
