// Builds a binder's input from a test message (parsed as processing parses it) and a snapshot.
import { parseMessage, splitReply } from '../../../src/mail/index.js';
import { discardingSink } from '../../../src/store/blobs.js';
import { DEFAULT_THREADING, type ThreadingSettings } from '../../../src/store/threading-settings.js';
import type { TrackerSnapshot } from '../../../src/tracker/port.js';
import type { Binder, BinderInput, Binding, Refusal } from '../../../src/engine/binders/index.js';
import { makeMessage, type MessageSpec } from '../../support/messages.js';

export async function binderInput(spec: MessageSpec, snapshot: TrackerSnapshot, settings: Partial<ThreadingSettings> = {}): Promise<BinderInput> {
  const message = await parseMessage(makeMessage(spec), { receivedAt: new Date(), sink: discardingSink });
  return { message, split: splitReply({ text: message.text, html: message.html, textFromHtml: message.textFromHtml }), settings: { ...DEFAULT_THREADING, ...settings }, snapshot };
}

/** A binder's first candidate (what it names strongest), or null when it names nothing. */
export function firstCandidate(binder: Binder, input: BinderInput): Binding | Refusal | null {
  for (const candidate of binder.candidates(input)) return candidate;
  return null;
}

/** Every candidate a binder names, in its order. */
export function allCandidates(binder: Binder, input: BinderInput): Array<Binding | Refusal> {
  return [...binder.candidates(input)];
}
