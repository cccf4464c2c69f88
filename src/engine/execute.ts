// Carries out a plan through the tracker's write port. For the builtin tracker the writer is bound to
// the inbox item's transaction, so the items and the outcome commit together.
import type { Message } from '../mail/message.js';
import { replyText } from '../mail/index.js';
import type { NewAttachment, TrackerWriter } from '../tracker/port.js';
import type { Plan } from './plan.js';

export interface Created {
  messages: number[];
  requests: number[];
  comments: number[];
  requesters: number[];
  attachments: number[];
}

export function emptyCreated(): Created {
  return { messages: [], requests: [], comments: [], requesters: [], attachments: [] };
}

const MAX_NAME = 255;

export async function executePlan(
  writer: TrackerWriter,
  plan: Plan,
  message: Message,
  inboxItemId: number | null,
): Promise<Created> {
  const created = emptyCreated();
  if (plan.outcome !== 'imported' && plan.outcome !== 'commented') return created;

  const requesterIds = new Map<string, number>();
  for (const r of plan.requesters) {
    const result = await writer.ensureRequester({ email: r.email, name: r.name, companyId: r.companyId });
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
      case 'attachToProject':
        await writer.attachMessageToProject(messageRowId, step.projectId);
        break;
      case 'createRequest': {
        const itemId = await writer.createItem({
          kind: 'request',
          projectId: step.projectId,
          name: requestName(message.subject, messageRowId),
          description: message.text,
          isPrivate: step.visibility === 'private',
          teamId: step.teamId,
          sourceMessageId: messageRowId,
        });
        created.requests.push(itemId);
        await writer.linkRequesters(itemId, [...requesterIds.values()]);
        await writer.linkMessage(itemId, messageRowId);
        created.attachments.push(...(await writer.addAttachments({ itemId }, attachments)));
        break;
      }
      case 'comment': {
        const commentId = await writer.addComment({
          itemId: step.itemId,
          messageId: messageRowId,
          requesterId: senderRequesterId,
          userId: plan.trace.sender.userId,
          // Only what was written now; the whole text, quotes included, stays on the message.
          body: replyText(message.text),
        });
        created.comments.push(commentId);
        await writer.linkMessage(step.itemId, messageRowId);
        created.attachments.push(...(await writer.addAttachments({ commentId }, attachments)));
        break;
      }
    }
  }
  return created;
}

export function requestName(subject: string, messageRowId: number): string {
  const name = subject.trim();
  if (!name) return `Created from Message with ID ${messageRowId}`;
  return [...name].slice(0, MAX_NAME).join('');
}
