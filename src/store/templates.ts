// A profile's reply templates, by name (unique per profile regardless of case). Validated by the caller
// (engine/outbox/template.ts) before they are saved, so a stored template always renders.
import type { Db } from './database.js';
import { now } from './database.js';

export interface ReplyTemplate {
  name: string;
  subject: string;
  text: string;
  html: string | null;
}

export interface StoredTemplate extends ReplyTemplate {
  profileId: number;
  createdAt: string;
  updatedAt: string;
}

export async function findTemplate(db: Db, profileId: number, name: string): Promise<StoredTemplate | undefined> {
  const row = await db
    .selectFrom('reply_templates')
    .selectAll()
    .where('profile_id', '=', profileId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
    .executeTakeFirst();
  return row
    ? { profileId: Number(row.profile_id), name: row.name, subject: row.subject, text: row.body_text, html: row.body_html, createdAt: row.created_at, updatedAt: row.updated_at }
    : undefined;
}

export async function listTemplates(db: Db, profileId: number): Promise<StoredTemplate[]> {
  const rows = await db.selectFrom('reply_templates').selectAll().where('profile_id', '=', profileId).orderBy('name').execute();
  return rows.map((row) => ({
    profileId: Number(row.profile_id), name: row.name, subject: row.subject, text: row.body_text, html: row.body_html, createdAt: row.created_at, updatedAt: row.updated_at,
  }));
}

/** Insert or replace by name; true when it was new. */
export async function saveTemplate(db: Db, profileId: number, template: ReplyTemplate): Promise<boolean> {
  const at = now();
  const existing = await findTemplate(db, profileId, template.name);
  if (existing) {
    await db
      .updateTable('reply_templates')
      .set({ subject: template.subject, body_text: template.text, body_html: template.html, updated_at: at })
      .where('profile_id', '=', profileId)
      .where((eb) => eb(eb.fn('lower', ['name']), '=', template.name.toLowerCase()))
      .execute();
    return false;
  }
  await db
    .insertInto('reply_templates')
    .values({ profile_id: profileId, name: template.name, subject: template.subject, body_text: template.text, body_html: template.html, created_at: at, updated_at: at })
    .execute();
  return true;
}

export async function removeTemplate(db: Db, profileId: number, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom('reply_templates')
    .where('profile_id', '=', profileId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
