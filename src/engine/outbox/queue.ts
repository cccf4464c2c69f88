// Queueing outgoing mail, inside the transaction that records the message's outcome: the mail exists
// exactly when the outcome (and the item it is about) does. Each mail is rendered now (its template,
// its Message-ID, its reply token), so every later attempt sends the same bytes. A mail not sent is
// still a row, `skipped` with why: no SMTP settings, our own address, already acknowledged, too many
// to one address, a template gone or no longer rendering.
import { randomBytes } from 'node:crypto';
import type { Message } from '../../mail/message.js';
import type { Db } from '../../store/database.js';
import { countForItem, countRecentTo, insertOutboxMail, lockProfileQueue, type NewOutboxMail } from '../../store/outbox.js';
import type { Profile } from '../../store/profiles.js';
import type { OutboxKind } from '../../store/schema.js';
import { findTemplate, type ReplyTemplate } from '../../store/templates.js';
import type { ItemKind } from '../../tracker/port.js';
import type { Created } from '../execute.js';
import { itemName } from '../execute.js';
import type { Plan, PlanStep } from '../plan.js';
import { isOwnAddress, ownMail } from '../own-address.js';
import { senderAddress } from '../sender.js';
import { makeReplyToken, replyTokenAddress } from './reply-token.js';
import { ACKNOWLEDGEMENT, DEFAULT_ACKNOWLEDGEMENT, renderTemplate, type RenderedMail } from './template.js';

/** Limits per recipient: acknowledgements per item, and mails per address per hour (per profile). */
export interface MailLimits {
  acknowledgementsPerItem: number;
  perAddressPerHour: number;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = Object.freeze({ acknowledgementsPerItem: 1, perAddressPerHour: 10 });

export interface QueueContext {
  profile: Pick<Profile, 'id' | 'smtp'>;
  /** The profile's own addresses, lowercased (decision-profile.ts ownAddresses); the first carries the reply token. */
  ownAddresses: string[];
  /** Every profile's own addresses (everyProfileAddress): never mailed, nor their plus-addresses. */
  allProfileAddresses: string[];
  /** Our own Message-ID domains: no address there is mailed. */
  ownDomains: string[];
  /** The domain our Message-IDs are minted on (the first of the app's own domains). */
  messageIdDomain: string;
  replyTokenKey: Buffer | null;
  /** Where the web UI is, for {{item.link}}; null leaves the link empty. */
  publicUrl: string | null;
  /** A project's name, for {{project.name}} (the snapshot the plan was made with). */
  projectName(projectId: number): string | null;
  limits?: MailLimits;
}

const KIND_WORDS: Record<ItemKind, string> = { request: 'request', story: 'user story', bug: 'bug', task: 'task' };
const MAX_REFERENCES = 20;

interface MailAbout {
  kind: OutboxKind;
  template: string;
  itemId: number;
  itemKind: ItemKind;
  title: string;
  projectId: number;
}

/**
 * The mails a plan asks for: an acknowledgement per item it created, when the plan acknowledges, and a
 * rule's `reply with template` about the first item the rule created.
 */
function mailsOf(plan: Plan, message: Message, created: Created): MailAbout[] {
  const creates = plan.steps.filter((s): s is Extract<PlanStep, { kind: 'create' }> => s.kind === 'create');
  // execute() makes the items in the order of the create steps: the n-th created item is the n-th step's.
  const items = creates.map((step, i) => ({ step, itemId: created.items[i]! })).filter((c) => c.itemId !== undefined);
  const about = (kind: OutboxKind, template: string, c: (typeof items)[number]): MailAbout => ({
    kind,
    template,
    itemId: c.itemId,
    itemKind: c.step.item,
    title: itemName(c.step, message.subject, created.messages[0] ?? 0),
    projectId: c.step.projectId,
  });
  const mails: MailAbout[] = [];
  for (const step of plan.steps) {
    if (step.kind === 'acknowledge') mails.push(...items.map((c) => about('acknowledgement', ACKNOWLEDGEMENT, c)));
    if (step.kind === 'reply' && items[0]) mails.push(about('reply', step.template, items[0]));
  }
  return mails;
}

/** What queueing made: the outbox ids, and warnings for the message's trace (a template that no longer renders). */
export interface QueuedMail {
  ids: number[];
  warnings: string[];
}

/** Queue (or record as skipped) every mail the plan asks for. */
export async function queueMail(db: Db, plan: Plan, message: Message, created: Created, inboxItemId: number | null, context: QueueContext): Promise<QueuedMail> {
  const mails = mailsOf(plan, message, created);
  if (mails.length === 0) return { ids: [], warnings: [] };
  // decide() returns before any step for automatic mail; a plan that still asks to answer one is a bug
  // that would start a mail loop, so it stops here rather than send.
  if (plan.trace.classification.kind !== 'human') {
    throw new Error(`refusing to answer automatic mail (${plan.trace.classification.kind}): a plan for it must not send mail`);
  }
  await lockProfileQueue(db, context.profile.id);
  const limits = context.limits ?? DEFAULT_MAIL_LIMITS;
  const to = senderAddress(message);
  const ids: number[] = [];
  const warnings: string[] = [];
  for (const mail of mails) {
    const recipient = (to?.address ?? '').toLowerCase();
    const name = to?.name?.trim() || recipient;
    const template = await templateFor(db, context.profile.id, mail.template);
    const rendered: RenderedMail & { broken?: string } = template
      ? render(template, mail, name, context)
      : { subject: `(template '${mail.template}' is missing)`, text: '', html: null };
    if (rendered.broken !== undefined) warnings.push(`${mail.kind} about item ${mail.itemId} not sent: ${rendered.broken}`);
    const token = context.replyTokenKey ? makeReplyToken(context.replyTokenKey, mail.itemId) : null;
    const replyAddress = context.ownAddresses[0] ?? null;
    const row: NewOutboxMail = {
      profileId: context.profile.id,
      inboxItemId,
      itemId: mail.itemId,
      kind: mail.kind,
      template: mail.template,
      recipient: recipient || '(none)',
      recipientName: name,
      subject: rendered.subject,
      bodyText: withFooter(rendered.text, mail.itemId),
      bodyHtml: rendered.html === null ? null : `${rendered.html}\n<p style="color:#666">Reference: Ticket#${mail.itemId}</p>`,
      messageId: `mb.${inboxItemId ?? 0}.${randomBytes(6).toString('hex')}@${context.messageIdDomain}`,
      inReplyTo: message.messageIdSynthesized ? null : message.messageId,
      references: [...message.references.slice(-MAX_REFERENCES), ...(message.messageIdSynthesized ? [] : [message.messageId])],
      replyTo: token && replyAddress ? replyTokenAddress(replyAddress, token) : null,
    };
    const skipped = rendered.broken ?? await whySkip(db, mail, recipient, template !== null, context, limits);
    ids.push(await insertOutboxMail(db, row, skipped));
  }
  return { ids, warnings };
}

/**
 * The mail rendered, or why its template no longer renders. Templates are checked when saved, but a
 * stored one can still fail (saved by an older version, edited in the database): that mail is recorded
 * as skipped, and the message's processing, which shares this transaction, goes on.
 */
function render(template: ReplyTemplate, mail: MailAbout, name: string, context: QueueContext): RenderedMail & { broken?: string } {
  try {
    return renderTemplate(template, {
      'item.id': String(mail.itemId),
      'item.kind': KIND_WORDS[mail.itemKind],
      'item.title': mail.title,
      'project.name': context.projectName(mail.projectId) ?? `project ${mail.projectId}`,
      'item.link': context.publicUrl ? `${context.publicUrl.replace(/\/+$/, '')}/items/${mail.itemId}` : '',
      'requester.name': name,
    });
  } catch (error) {
    const broken = `the template '${mail.template}' no longer renders: ${(error as Error).message}`;
    return { subject: `(template '${mail.template}' does not render)`, text: '', html: null, broken };
  }
}

/** The footer names the item as TargetProcess did: an answer quoting it threads by Ticket#N (layer 3). */
function withFooter(text: string, itemId: number): string {
  return `${text.replace(/\s+$/, '')}\n\n-- \nReference: Ticket#${itemId}\n`;
}

async function templateFor(db: Db, profileId: number, name: string): Promise<ReplyTemplate | null> {
  const stored = await findTemplate(db, profileId, name);
  if (stored) return stored;
  return name.toLowerCase() === ACKNOWLEDGEMENT ? DEFAULT_ACKNOWLEDGEMENT : null;
}

/** Why this mail is not sent, or null to send it. */
async function whySkip(
  db: Db,
  mail: MailAbout,
  recipient: string,
  hasTemplate: boolean,
  context: QueueContext,
  limits: MailLimits,
): Promise<string | null> {
  if (!recipient) return 'the message names no sender to answer';
  if (!context.profile.smtp) return 'the profile has no SMTP settings';
  // Any of our mailboxes, a reply-token plus-address, our own domain: mail there would come back to us.
  if (isOwnAddress(recipient, ownMail(context.ownAddresses, context.allProfileAddresses, context.ownDomains))) {
    return `${recipient} is one of our own addresses`;
  }
  if (!hasTemplate) return `the profile has no template named '${mail.template}'`;
  if (mail.kind === 'acknowledgement' && (await countForItem(db, mail.itemId, 'acknowledgement')) >= limits.acknowledgementsPerItem) {
    return `item ${mail.itemId} was acknowledged already`;
  }
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const recent = await countRecentTo(db, context.profile.id, recipient, hourAgo);
  if (recent >= limits.perAddressPerHour) return `rate limited: ${recent} mails to ${recipient} in the last hour (at most ${limits.perAddressPerHour})`;
  return null;
}
