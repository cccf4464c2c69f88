// Downloading an attachment: its metadata, a name safe to put in Content-Disposition or on a disk,
// and its bytes as a stream from the blob store (attachments can be large; nothing is buffered).
import type { Readable } from 'node:stream';
import { safeFileName } from '../../mail/safe-file-name.js';
import { BlobStore } from '../../store/blobs.js';
import { getTracker, type TrackerRow } from '../../tracker/builtin/index.js';
import type { App } from '../app.js';
import { notFound, unavailable } from '../errors.js';

export interface AttachmentDownload {
  attachment: TrackerRow<'attachments'>;
  /** The stored name made safe: one path component, printable, never empty. */
  fileName: string;
  contentType: string;
  size: number;
  /** The bytes; the caller must consume or destroy it. */
  stream: Readable;
}

export async function openAttachment(app: App, id: number): Promise<AttachmentDownload> {
  const attachment = await getTracker(app.store.db, 'attachments', id);
  if (!attachment) throw notFound(`no attachment ${id}`);
  const blobs = new BlobStore(app.store.dataDir);
  if (!(await blobs.has(attachment.blobRef))) {
    // The row is there but its file is not: a data dir restored without its blobs folder.
    throw unavailable(`the bytes of attachment ${id} are missing from the data directory (blobs/${attachment.blobRef.slice(0, 2)}/)`);
  }
  return {
    attachment,
    fileName: safeFileName(attachment.fileName, attachment.contentType),
    contentType: attachment.contentType,
    size: attachment.size,
    stream: blobs.open(attachment.blobRef),
  };
}
