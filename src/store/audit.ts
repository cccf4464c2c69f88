// The audit log: one row per change an admin made (profiles, rules, accounts, tokens, tracker admin).
// Rows are only ever added; details carry what changed, never a secret.
import type { Db } from './database.js';
import { now } from './database.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown> | null;
}

export async function appendAudit(
  db: Db,
  entry: { actor: string; action: string; target: string; details?: Record<string, unknown> | null },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ at: now(), actor: entry.actor, action: entry.action, target: entry.target, details: entry.details ? JSON.stringify(entry.details) : null })
    .execute();
}

/** Newest first; `before` is the id of the last entry of the previous page. */
export async function listAudit(db: Db, options: { limit: number; before?: number }): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.before !== undefined) query = query.where('id', '<', options.before);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  }));
}
