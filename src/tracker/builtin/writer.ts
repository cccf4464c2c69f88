// The builtin tracker's write side. It is handed the inbox item's transaction, so the tracker rows
// and the recorded outcome commit together or not at all.
import { SqliteAdapter } from 'kysely';
import { indexable } from '../../mail/indexable.js';
import type { Db } from '../../store/database.js';
import { now } from '../../store/database.js';
import { appendAudit } from '../../store/audit.js';
import type {
  AttachmentOwner,
  NewAttachment,
  NewComment,
  NewItem,
  NewParticipant,
  NewRequester,
  NewTrackerMessage,
  ReopenedBy,
  TrackerWriter,
} from '../port.js';
import { requireItemState } from './items.js';
import { insertItem, insertItemMessage, insertItemRequesters, insertMessage, insertMessageProject, insertRequester } from './writer-statements.js';

export class BuiltinTrackerWriter implements TrackerWriter {
  constructor(private readonly db: Db) {}

  async ensureRequester(requester: NewRequester): Promise<{ id: number; created: boolean }> {
    // A SQLite transaction holds the write lock: the requester its snapshot read is still there, under the
    // same address, and looking again cost two statements per known sender (issue 14). PostgreSQL's
    // transactions lock nothing read, and an admin may rename or delete the row meanwhile: the address decides.
    if (requester.knownId != null && this.db.isTransaction && this.db.getExecutor().adapter instanceof SqliteAdapter) {
      return { id: requester.knownId, created: false };
    }
    const email = requester.email.toLowerCase();
    if (requester.knownId != null) {
      // Known to the snapshot: most likely still there, and one read by address settles it (a row renamed
      // away or deleted meanwhile is not found, and the sender gets a requester of their own, below).
      const known = await this.db.selectFrom('requesters').select('id').where('email', '=', email).executeTakeFirst();
      if (known) return { id: Number(known.id), created: false };
    }
    // Insert-or-nothing, then read: two workers meeting the same new sender both end with one row.
    const [row] = (await insertRequester(this.db, { email, name: requester.name, companyId: requester.companyId, createdAt: now() })).rows;
    if (row) return { id: Number(row.id), created: true };
    const existing = await this.db.selectFrom('requesters').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    return { id: Number(existing.id), created: false };
  }

  async createMessage(m: NewTrackerMessage): Promise<number> {
    const { rows } = await insertMessage(this.db, {
      inboxItemId: m.inboxItemId,
      // Indexed: a Message-ID a sender made absurdly long is stored bounded (loadThreads looks it up so).
      messageId: indexable(m.messageId),
      subject: m.subject,
      fromAddress: m.fromAddress,
      fromName: m.fromName,
      requesterId: m.requesterId,
      userId: m.userId,
      recipients: m.recipients,
      bodyText: m.bodyText,
      bodyHtml: m.bodyHtml,
      sentAt: m.sentAt,
      createdAt: now(),
    });
    return Number(rows[0]!.id);
  }

  async attachMessageToProject(messageId: number, projectId: number): Promise<void> {
    await insertMessageProject(this.db, { messageId, projectId });
  }

  async createItem(item: NewItem): Promise<number> {
    // Only bugs have a severity (as in TargetProcess, whose requests refuse one): a plan giving
    // another kind one is a mistake to show, not to store or drop.
    if (item.severity != null && item.kind !== 'bug') throw new Error(`a ${item.kind} has no severity (only bugs do)`);
    const { rows } = await insertItem(this.db, {
      kind: item.kind,
      projectId: item.projectId,
      name: item.name,
      description: item.description,
      isPrivate: item.isPrivate ? 1 : 0,
      teamId: item.teamId,
      sourceMessageId: item.sourceMessageId,
      state: item.state == null ? 'open' : requireItemState(item.state),
      priority: item.priority ?? null,
      severity: item.severity ?? null,
      assigneeUserId: item.assigneeUserId ?? null,
      createdAt: now(),
    });
    const id = Number(rows[0]!.id);
    const tags = uniqueTags(item.tags ?? []);
    if (tags.length) await this.db.insertInto('item_tags').values(tags.map((tag) => ({ item_id: id, tag }))).execute();
    const fields = Object.entries(item.fields ?? {});
    if (fields.length) await this.db.insertInto('item_fields').values(fields.map(([name, value]) => ({ item_id: id, name, value }))).execute();
    return id;
  }

  async linkRequesters(itemId: number, requesterIds: number[]): Promise<void> {
    const unique = [...new Set(requesterIds)];
    if (!unique.length) return;
    await insertItemRequesters(this.db, { itemId, requesterIds: unique });
  }

  async linkMessage(itemId: number, messageId: number): Promise<void> {
    await insertItemMessage(this.db, { itemId, messageId });
  }

  async addComment(c: NewComment): Promise<number> {
    const row = await this.db
      .insertInto('comments')
      .values({
        item_id: c.itemId,
        message_id: c.messageId,
        requester_id: c.requesterId,
        user_id: c.userId,
        body: c.body,
        quoted_text: c.quotedText,
        kind: c.kind ?? 'comment',
        created_at: now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async addNote(itemId: number, text: string): Promise<number | null> {
    const there = await this.db
      .selectFrom('comments')
      .select('id')
      .where('item_id', '=', itemId)
      .where('kind', '=', 'note')
      .where('body', '=', text)
      .executeTakeFirst();
    if (there) return null;
    return this.addComment({ itemId, messageId: null, requesterId: null, userId: null, body: text, quotedText: null, kind: 'note' });
  }

  async addAttachments(owner: AttachmentOwner, attachments: NewAttachment[]): Promise<number[]> {
    if (!attachments.length) return [];
    const rows = await this.db
      .insertInto('attachments')
      .values(
        attachments.map((a) => ({
          blob_ref: a.blobRef,
          file_name: a.fileName,
          content_type: a.contentType,
          size: a.size,
          content_id: a.contentId,
          inline: a.inline ? 1 : 0,
          message_id: 'messageId' in owner ? owner.messageId : null,
          item_id: 'itemId' in owner ? owner.itemId : null,
          comment_id: 'commentId' in owner ? owner.commentId : null,
        })),
      )
      .returning('id')
      .execute();
    return rows.map((r) => Number(r.id));
  }

  async addParticipants(itemId: number, participants: NewParticipant[]): Promise<void> {
    const byEmail = new Map<string, NewParticipant>();
    for (const p of participants) if (!byEmail.has(p.email.toLowerCase())) byEmail.set(p.email.toLowerCase(), p);
    if (!byEmail.size) return;
    const at = now();
    await this.db
      .insertInto('item_participants')
      .values([...byEmail].map(([email, p]) => ({ item_id: itemId, email, added_at: at, source: p.source })))
      // The first way someone joined is kept: a later Cc says nothing new.
      .onConflict((oc) => oc.columns(['item_id', 'email']).doNothing())
      .execute();
  }

  async reopenItem(itemId: number, by: ReopenedBy): Promise<boolean> {
    // Only a still-closed item: an admin who set another state since the snapshot was read has the last word.
    const row = await this.db
      .updateTable('items')
      .set({ state: 'open' })
      .where('id', '=', itemId)
      .where('state', '=', 'closed')
      .returning('kind')
      .executeTakeFirst();
    if (!row) return false;
    // Audited as an admin's state change is (app/tracker/changes.ts), so the item's history shows who
    // reopened it: the mail, named by its sender as the From header gives it.
    await appendAudit(this.db, {
      actor: by.from ? `mail:${by.from}` : 'mail',
      action: `${row.kind}.state`,
      target: `${row.kind} ${itemId}`,
      details: { from: 'closed', to: 'open', messageId: by.messageId },
    });
    return true;
  }

  async linkFollowUp(itemId: number, followedItemId: number): Promise<void> {
    await this.db
      .insertInto('item_links')
      .values({ item_id: itemId, linked_item_id: followedItemId, kind: 'follows-up' })
      .onConflict((oc) => oc.columns(['item_id', 'linked_item_id', 'kind']).doNothing())
      .execute();
  }
}

/** Trimmed, empty ones dropped, each once without regard to case: the first spelling is kept. */
function uniqueTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    kept.push(tag);
  }
  return kept;
}
