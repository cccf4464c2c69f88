// The outbox as admins read it: the mail queued, sent, failed or skipped, newest first, each with its
// attempts and the server's replies. Read only: sending is the worker's.
import { getOutboxMail, listAttempts, listOutbox, type OutboxAttempt, type OutboxMail } from '../store/outbox.js';
import { getProfile } from '../store/profiles.js';
import type { OutboxState } from '../store/schema.js';
import type { App } from './app.js';
import { notFound, userError } from './errors.js';

export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'sending', 'sent', 'failed', 'skipped', 'bounced'];

export interface OutboxView {
  id: number;
  profileId: number;
  /** The message that asked for it, and the item it is about. */
  messageId: number | null;
  itemId: number | null;
  kind: OutboxMail['kind'];
  template: string;
  to: string;
  subject: string;
  state: OutboxState;
  /** Why it was skipped or given up on; null otherwise. */
  reason: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  smtpResponse: string | null;
  /** Our Message-ID of the mail (replies to it thread back to the item). */
  mailMessageId: string;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxDetail extends OutboxView {
  bodyText: string;
  bodyHtml: string | null;
  replyTo: string | null;
  history: OutboxAttempt[];
}

function view(m: OutboxMail): OutboxView {
  return {
    id: m.id, profileId: m.profileId, messageId: m.inboxItemId, itemId: m.itemId, kind: m.kind, template: m.template, to: m.recipient,
    subject: m.subject, state: m.state, reason: m.reason, attempts: m.attempts, nextAttemptAt: m.state === 'pending' ? m.nextAttemptAt : null,
    lastError: m.lastError, smtpResponse: m.smtpResponse, mailMessageId: m.messageId, createdAt: m.createdAt, sentAt: m.sentAt,
  };
}

export async function listOutboxViews(
  app: App,
  filter: { profile?: string | number; itemId?: number; state?: string; limit?: number } = {},
): Promise<OutboxView[]> {
  if (filter.state !== undefined && !(OUTBOX_STATES as readonly string[]).includes(filter.state)) {
    throw userError(`'${filter.state}' is not an outbox state: choose one of ${OUTBOX_STATES.join(', ')}`, { fields: [{ field: 'state', message: `choose one of ${OUTBOX_STATES.join(', ')}` }] });
  }
  const profileId = filter.profile !== undefined ? (await getProfile(app.store.db, filter.profile)).id : undefined;
  const mails = await listOutbox(app.store.db, {
    ...(profileId !== undefined ? { profileId } : {}),
    ...(filter.itemId !== undefined ? { itemId: filter.itemId } : {}),
    ...(filter.state !== undefined ? { state: filter.state as OutboxState } : {}),
    limit: Math.min(filter.limit ?? 100, 1000),
  });
  return mails.map(view);
}

export async function showOutboxMail(app: App, id: number): Promise<OutboxDetail> {
  const mail = await getOutboxMail(app.store.db, id);
  if (!mail) throw notFound(`no mail ${id} in the outbox`);
  return { ...view(mail), bodyText: mail.bodyText, bodyHtml: mail.bodyHtml, replyTo: mail.replyTo, history: await listAttempts(app.store.db, id) };
}
