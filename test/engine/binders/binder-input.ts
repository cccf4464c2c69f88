// Builds a binder's input from a test message (parsed as processing parses it) and a snapshot.
import { parseMessage, splitReply } from '../../../src/mail/index.js';
import { discardingSink } from '../../../src/store/blobs.js';
import { DEFAULT_THREADING, type ThreadingSettings } from '../../../src/store/threading-settings.js';
import type { TrackerSnapshot } from '../../../src/tracker/port.js';
import type { BinderInput } from '../../../src/engine/binders/index.js';
import { makeMessage, type MessageSpec } from '../../support/messages.js';

export async function binderInput(spec: MessageSpec, snapshot: TrackerSnapshot, settings: Partial<ThreadingSettings> = {}): Promise<BinderInput> {
  const message = await parseMessage(makeMessage(spec), { receivedAt: new Date(), sink: discardingSink });
  return { message, split: splitReply({ text: message.text, html: message.html, textFromHtml: message.textFromHtml }), settings: { ...DEFAULT_THREADING, ...settings }, snapshot };
}
