// Recording and reading the audit log. Use cases that change something call `audited` with the
// principal that asked; admins read the log through the API (`GET /audit`) and `mailbind audit`.
import type { Db } from '../store/database.js';
import { appendAudit, listAudit, type AuditEntry } from '../store/audit.js';
import type { App } from './app.js';
import { actorName, type Principal } from './principal.js';

export type { AuditEntry };

/** Records one change by `who`; `db` may be a transaction so the entry commits with the change. */
export function recordAudit(
  db: Db,
  who: Principal,
  action: string,
  target: string,
  details?: Record<string, unknown>,
): Promise<void> {
  return appendAudit(db, { actor: actorName(who), action, target, details: details ?? null });
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: number | null;
}

export async function readAudit(app: App, options: { limit?: number; before?: number } = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const entries = await listAudit(app.store.db, { limit, ...(options.before !== undefined ? { before: options.before } : {}) });
  return { entries, next: entries.length === limit ? entries.at(-1)!.id : null };
}
