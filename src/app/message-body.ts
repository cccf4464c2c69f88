// A stored message as a person reads it: headers, the plain text, whether it has HTML and how many
// remote images that HTML would load, its attachments (linked to their tracker copies when the
// message created any), and the HTML itself made safe (mail/safe-html.ts). Parsed from the raw bytes
// by the one parser (nothing is stored twice); attachment bodies are hashed and discarded.
import { parseMessage, UnparseableMessageError, type Address, type Message } from '../mail/index.js';
import { safeMailHtml } from '../mail/safe-html.js';
import { discardingSink } from '../store/blobs.js';
import { getInboxItem } from '../store/inbox.js';
import { attachmentsOfInboxItem } from '../tracker/builtin/inbox-attachments.js';
import type { App } from './app.js';
import { userError } from './errors.js';
import { openRawMessage } from './raw-message.js';

export interface MessageBodyView {
  subject: string;
  from: string | null;
  to: string[];
  cc: string[];
  date: string;
  text: string;
  hasHtml: boolean;
  /** Images the HTML loads from the network; shown only when the reader asks. */
  remoteImages: number;
  attachments: Array<{
    /** The tracker attachment to download it from (GET /tracker/attachments/{id}/content), when there is one. */
    id: number | null;
    fileName: string;
    contentType: string;
    size: number;
    inline: boolean;
  }>;
}

export async function messageBody(app: App, id: number): Promise<MessageBodyView> {
  const message = await parsed(app, id);
  const copies = await attachmentsOfInboxItem(app.store.db, id);
  return {
    subject: message.subject,
    from: message.from ? addressText(message.from) : null,
    to: message.to.map(addressText),
    cc: message.cc.map(addressText),
    date: message.date,
    text: message.text,
    hasHtml: message.html !== null,
    remoteImages: message.html ? safeMailHtml(message.html, { images: false }).remoteImages : 0,
    attachments: message.attachments.map((a) => ({
      id: copies.find((c) => c.blobRef === a.blobRef)?.id ?? null,
      fileName: a.fileName,
      contentType: a.contentType,
      size: a.size,
      inline: a.inline,
    })),
  };
}

/** The message's HTML, sanitised; remote images only with `images`. */
export async function messageBodyHtml(app: App, id: number, options: { images: boolean }): Promise<string> {
  const message = await parsed(app, id);
  if (message.html === null) throw userError(`message ${id} has no HTML part; read its text`);
  return safeMailHtml(message.html, options).html;
}

async function parsed(app: App, id: number): Promise<Message> {
  const raw = await openRawMessage(app, id);
  const item = await getInboxItem(app.store.db, id);
  try {
    return await parseMessage(raw.stream, { receivedAt: new Date(item?.receivedAt ?? Date.now()), sink: discardingSink });
  } catch (err) {
    if (err instanceof UnparseableMessageError) throw userError(`message ${id} cannot be shown: ${err.message}; download it raw`);
    throw err;
  }
}

function addressText(a: Address): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}
