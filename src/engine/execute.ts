// Carries out a plan through the tracker's write port. For the builtin tracker the writer is bound to
// the inbox item's transaction, so the items and the outcome commit together.
import { contentIdKey } from '../mail/index.js';
import type { Message } from '../mail/message.js';
import type { NewAttachment, TrackerWriter } from '../tracker/port.js';
import type { Plan, PlanStep } from './plan.js';

export interface Created {
  messages: number[];
  /** Every item made: requests, user stories, bugs and tasks. */
  items: number[];
  requests: number[];
  comments: number[];
  requesters: number[];
  attachments: number[];
  /** Mail queued in the outbox (or recorded as skipped) by this message: acknowledgements, rule replies. */
  mails: number[];
}

export function emptyCreated(): Created {
  return { messages: [], items: [], requests: [], comments: [], requesters: [], attachments: [], mails: [] };
}

const MAX_NAME = 255;

export async function executePlan(
  writer: TrackerWriter,
  plan: Plan,
  message: Message,
  inboxItemId: number | null,
): Promise<Created> {
  const created = emptyCreated();
  if (plan.outcome !== 'imported' && plan.outcome !== 'commented') {
    // Ignored mail makes nothing of its own; a bounce of our mail still leaves its note on the item.
    for (const step of plan.steps) if (step.kind === 'note') await addNote(writer, step, created);
    return created;
  }

  const requesterIds = new Map<string, number>();
  for (const r of plan.requesters) {
    // The one the snapshot found goes along: the tracker may take it without looking again (port.ts).
    const result = await writer.ensureRequester({ email: r.email, name: r.name, companyId: r.companyId, knownId: r.existingId });
    requesterIds.set(r.email, result.id);
    if (result.created) created.requesters.push(result.id);
  }
  const senderRequesterId = plan.trace.sender.email ? requesterIds.get(plan.trace.sender.email) ?? null : null;
  const messageRowId = await writer.createMessage({
    inboxItemId,
    messageId: message.messageId,
    subject: message.subject,
    fromAddress: plan.trace.sender.email,
    fromName: plan.trace.sender.name || null,
    requesterId: senderRequesterId,
    userId: plan.trace.sender.userId,
    recipients: message.to.map((a) => a.address).join('; '),
    bodyText: message.text,
    bodyHtml: message.html,
    sentAt: message.date,
  });
  created.messages.push(messageRowId);
  const attachments: NewAttachment[] = message.attachments.map((a) => ({
    blobRef: a.blobRef,
    fileName: a.fileName,
    contentType: a.contentType,
    size: a.size,
    contentId: a.contentId,
    inline: a.inline,
  }));
  created.attachments.push(...(await writer.addAttachments({ messageId: messageRowId }, attachments)));

  for (const step of plan.steps) {
    switch (step.kind) {
      case 'attach':
        await writer.attachMessageToProject(messageRowId, step.projectId);
        break;
      case 'create': {
        const settings = step.settings;
        const itemId = await writer.createItem({
          kind: step.item,
          projectId: step.projectId,
          name: itemName(step, message.subject, messageRowId),
          description: message.text,
          // Only requests are private or public (TargetProcess); stories, bugs and tasks are the team's.
          isPrivate: step.item === 'request' && step.visibility === 'private',
          teamId: step.teamId,
          sourceMessageId: messageRowId,
          state: settings.state,
          priority: settings.priority,
          severity: settings.severity,
          assigneeUserId: settings.assignee?.userId ?? null,
          tags: settings.tags,
          fields: settings.fields,
        });
        created.items.push(itemId);
        if (step.item === 'request') created.requests.push(itemId);
        await writer.linkRequesters(itemId, [...requesterIds.values()]);
        await writer.linkMessage(itemId, messageRowId);
        created.attachments.push(...(await writer.addAttachments({ itemId }, attachments)));
        break;
      }
      case 'ignore':
        break;
      case 'comment': {
        const commentId = await writer.addComment({
          itemId: step.itemId,
          messageId: messageRowId,
          requesterId: senderRequesterId,
          userId: plan.trace.sender.userId,
          // decide() split the reply; a plan without that split (none is made today) keeps the whole text.
          body: plan.comment?.body ?? message.text,
          quotedText: plan.comment?.quotedText ?? null,
        });
        created.comments.push(commentId);
        await writer.linkMessage(step.itemId, messageRowId);
        // Inline images only the quote showed stay with the message: the comment holds the new words.
        const quoted = new Set(plan.comment?.quotedImages ?? []);
        const own = attachments.filter((a) => !(a.inline && a.contentId !== null && quoted.has(contentIdKey(a.contentId))));
        created.attachments.push(...(await writer.addAttachments({ commentId }, own)));
        break;
      }
      case 'add-participants':
        await writer.addParticipants(step.itemId, step.participants);
        break;
      case 'reopen':
        // Only if still closed; the writer audits it (who reopened it: this mail).
        await writer.reopenItem(step.itemId, { messageId: message.messageId, from: plan.trace.sender.email });
        break;
      case 'follow-up':
        // The plan puts this step after the rule's creates: every item made so far follows the old one up.
        for (const itemId of created.items) await writer.linkFollowUp(itemId, step.itemId);
        break;
      case 'note':
        await addNote(writer, step, created);
        break;
      case 'acknowledge':
      case 'reply':
        // Mail, not tracker work: the outbox queues it in the same transaction (outbox/queue.ts).
        break;
    }
  }
  return created;
}

/** A note is nobody's comment: no message, requester or user behind it; the same one is not written twice. */
async function addNote(writer: TrackerWriter, step: Extract<PlanStep, { kind: 'note' }>, created: Created): Promise<void> {
  const id = await writer.addNote(step.itemId, step.text);
  if (id !== null) created.comments.push(id);
}

/**
 * A rule's title (captures filled in), else the subject. An empty subject names a request the way
 * TargetProcess did; other kinds are new here and say '(no subject)'.
 */
export function itemName(step: Extract<PlanStep, { kind: 'create' }>, subject: string, messageRowId: number): string {
  if (step.title !== null && step.title.trim() !== '') return [...step.title.trim()].slice(0, MAX_NAME).join('');
  if (step.item === 'request') return requestName(subject, messageRowId);
  return subject.trim() ? [...subject.trim()].slice(0, MAX_NAME).join('') : '(no subject)';
}

export function requestName(subject: string, messageRowId: number): string {
  const name = subject.trim();
  if (!name) return `Created from Message with ID ${messageRowId}`;
  return [...name].slice(0, MAX_NAME).join('');
}
