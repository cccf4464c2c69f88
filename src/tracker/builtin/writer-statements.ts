// The builtin tracker's writes that every processed message makes, each compiled once
// (store/compiled-once.ts: a statement per message is built as a Kysely query only the first time).
import type { ItemKind, NewTrackerMessage } from '../port.js';
import { compiledOnce } from '../../store/compiled-once.js';

export const insertMessage = compiledOnce((db, v: NewTrackerMessage & { createdAt: string }) =>
  db
    .insertInto('messages')
    .values({
      inbox_item_id: v.inboxItemId,
      message_id: v.messageId,
      subject: v.subject,
      from_address: v.fromAddress,
      from_name: v.fromName,
      requester_id: v.requesterId,
      user_id: v.userId,
      recipients: v.recipients,
      body_text: v.bodyText,
      body_html: v.bodyHtml,
      sent_at: v.sentAt,
      created_at: v.createdAt,
    })
    .returning('id'));

export const insertMessageProject = compiledOnce((db, v: { messageId: number; projectId: number }) =>
  db
    .insertInto('message_projects')
    .values({ message_id: v.messageId, project_id: v.projectId })
    .onConflict((oc) => oc.columns(['message_id', 'project_id']).doNothing()));

export const insertItem = compiledOnce((db, v: {
  kind: ItemKind;
  projectId: number;
  name: string;
  description: string;
  isPrivate: number;
  teamId: number | null;
  sourceMessageId: number | null;
  state: string;
  priority: string | null;
  severity: string | null;
  assigneeUserId: number | null;
  createdAt: string;
}) =>
  db
    .insertInto('items')
    .values({
      kind: v.kind,
      project_id: v.projectId,
      name: v.name,
      description: v.description,
      is_private: v.isPrivate,
      team_id: v.teamId,
      source_message_id: v.sourceMessageId,
      state: v.state,
      priority: v.priority,
      severity: v.severity,
      assignee_user_id: v.assigneeUserId,
      created_at: v.createdAt,
    })
    .returning('id'));

/** The item's requesters (a list: one statement whatever their number). */
export const insertItemRequesters = compiledOnce((db, v: { itemId: number; requesterIds: number[] }) =>
  db
    .insertInto('item_requesters')
    .values(v.requesterIds.map((requesterId) => ({ item_id: v.itemId, requester_id: requesterId })))
    .onConflict((oc) => oc.columns(['item_id', 'requester_id']).doNothing()));

export const insertItemMessage = compiledOnce((db, v: { itemId: number; messageId: number }) =>
  db
    .insertInto('item_messages')
    .values({ item_id: v.itemId, message_id: v.messageId })
    .onConflict((oc) => oc.columns(['item_id', 'message_id']).doNothing()));

/** Insert-or-nothing: no row comes back when the address is there already. */
export const insertRequester = compiledOnce((db, v: { email: string; name: string; companyId: number | null; createdAt: string }) =>
  db
    .insertInto('requesters')
    .values({ email: v.email, name: v.name, company_id: v.companyId, created_at: v.createdAt })
    .onConflict((oc) => oc.columns(['email']).doNothing())
    .returning('id'));
