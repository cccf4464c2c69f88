// The tracker attachments a stored inbox message became (when its plan created tracker messages):
// how the message view links each attachment to its download. Matched by content (the blob
// reference is the SHA-256 of the bytes), which is how both were stored.
import type { Db } from '../../store/database.js';

export async function attachmentsOfInboxItem(db: Db, inboxItemId: number): Promise<Array<{ id: number; blobRef: string; fileName: string }>> {
  const rows = await db
    .selectFrom('attachments')
    .innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select(['attachments.id', 'attachments.blob_ref', 'attachments.file_name'])
    .where('messages.inbox_item_id', '=', inboxItemId)
    .orderBy('attachments.id')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), blobRef: r.blob_ref, fileName: r.file_name }));
}
