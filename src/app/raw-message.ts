// The stored bytes of a message, exactly as they arrived, for download (message/rfc822).
import type { Readable } from 'node:stream';
import { BlobStore } from '../store/blobs.js';
import { getInboxItem } from '../store/inbox.js';
import { RawMessages } from '../store/raw-messages.js';
import type { App } from './app.js';
import { notFound } from './errors.js';

export interface RawMessage {
  stream: Readable;
  size: number;
  /** A safe name for the download: message-ID.eml. */
  fileName: string;
}

export async function openRawMessage(app: App, id: number): Promise<RawMessage> {
  const item = await getInboxItem(app.store.db, id);
  if (!item) throw notFound(`no message ${id}`);
  const stream = await new RawMessages(app.store.db, new BlobStore(app.store.dataDir)).open(item);
  if (!stream) throw notFound(`the raw bytes of message ${id} are no longer stored`);
  return { stream, size: item.rawSize, fileName: `message-${id}.eml` };
}
