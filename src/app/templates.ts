// A profile's reply templates as admins manage them: list, show, set (create or replace), remove. A
// template is saved only when every placeholder is known; an error names its field, line and column.
// The built-in `acknowledgement` is listed until the profile saves its own under that name.
import { checkTemplate, DEFAULT_ACKNOWLEDGEMENT, PLACEHOLDERS, templateErrorText } from '../engine/outbox/template.js';
import { getProfile } from '../store/profiles.js';
import * as templates from '../store/templates.js';
import { inTransaction } from '../store/transaction.js';
import type { App } from './app.js';
import { recordAudit } from './audit.js';
import { notFound, userError } from './errors.js';
import type { Principal } from './principal.js';

export interface TemplateView {
  name: string;
  subject: string;
  text: string;
  html: string | null;
  /** True for the built-in default a profile uses until it saves its own under that name. */
  builtIn: boolean;
  updatedAt: string | null;
}

export { PLACEHOLDERS };

function view(t: templates.ReplyTemplate & { updatedAt?: string }, builtIn: boolean): TemplateView {
  return { name: t.name, subject: t.subject, text: t.text, html: t.html, builtIn, updatedAt: t.updatedAt ?? null };
}

export async function listTemplates(app: App, profileRef: string | number): Promise<TemplateView[]> {
  const profile = await getProfile(app.store.db, profileRef);
  const stored = (await templates.listTemplates(app.store.db, profile.id)).map((t) => view(t, false));
  const hasOwnDefault = stored.some((t) => t.name.toLowerCase() === DEFAULT_ACKNOWLEDGEMENT.name);
  return hasOwnDefault ? stored : [view(DEFAULT_ACKNOWLEDGEMENT, true), ...stored];
}

export async function showTemplate(app: App, profileRef: string | number, name: string): Promise<TemplateView> {
  const profile = await getProfile(app.store.db, profileRef);
  const stored = await templates.findTemplate(app.store.db, profile.id, name);
  if (stored) return view(stored, false);
  if (name.trim().toLowerCase() === DEFAULT_ACKNOWLEDGEMENT.name) return view(DEFAULT_ACKNOWLEDGEMENT, true);
  throw notFound(`profile '${profile.name}' has no template named '${name}'`);
}

export interface TemplateInput {
  subject: string;
  text: string;
  html?: string | null;
}

/** Create or replace; refused with every error (field, line, column) when a placeholder is unknown. */
export async function setTemplate(app: App, profileRef: string | number, name: string, input: TemplateInput, who: Principal): Promise<{ template: TemplateView; created: boolean }> {
  const profile = await getProfile(app.store.db, profileRef);
  const template = { name: name.trim(), subject: input.subject, text: input.text, html: input.html ?? null };
  const errors = checkTemplate(template);
  if (errors.length) {
    throw userError(`template '${template.name}': ${errors.map(templateErrorText).join('; ')}`, {
      fields: errors.map((e) => ({ field: e.field, message: `${e.line}:${e.column}: ${e.message}` })),
    });
  }
  const created = await inTransaction(app.store.db, async (trx) => {
    const isNew = await templates.saveTemplate(trx, profile.id, template);
    await recordAudit(trx, who, isNew ? 'template.create' : 'template.update', `profile ${profile.name}`, { template: template.name });
    return isNew;
  });
  return { template: await showTemplate(app, profile.id, template.name), created };
}

export async function removeTemplate(app: App, profileRef: string | number, name: string, who: Principal): Promise<void> {
  const profile = await getProfile(app.store.db, profileRef);
  const removed = await inTransaction(app.store.db, async (trx) => {
    const gone = await templates.removeTemplate(trx, profile.id, name);
    if (gone) await recordAudit(trx, who, 'template.remove', `profile ${profile.name}`, { template: name });
    return gone;
  });
  if (!removed) {
    const builtIn = name.trim().toLowerCase() === DEFAULT_ACKNOWLEDGEMENT.name;
    throw notFound(builtIn ? `the built-in template '${DEFAULT_ACKNOWLEDGEMENT.name}' cannot be removed (save your own under that name to replace it)` : `profile '${profile.name}' has no template named '${name}'`);
  }
}
