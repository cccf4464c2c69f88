// What every reply binder is given and what it answers. A binder is pure: it reads the message, its
// reply split, the profile's threading settings and the tracker snapshot, and names the items its
// evidence points to, strongest first, each with the evidence in words, for the trace.
import type { Message } from '../../mail/message.js';
import type { ReplySplit } from '../../mail/index.js';
import type { ThreadingSettings } from '../../store/threading-settings.js';
import type { TrackerSnapshot } from '../../tracker/port.js';

/** Which kind of evidence bound a reply. */
export type BindingLayer = 'message-id' | 'reply-token' | 'ticket' | 'subject-token';

export interface BinderInput {
  message: Message;
  /** The reply's new words and what it carries along; computed once, on first use, for every binder. */
  readonly split: ReplySplit;
  settings: ThreadingSettings;
  snapshot: TrackerSnapshot;
  /** The profile's own addresses, lowercased: only plus-addresses of these carry our reply token. */
  ownAddresses?: ReadonlySet<string>;
  /** The installation's key that signs reply tokens; absent: tokens are not read. */
  replyTokenKey?: Buffer | null;
}

export interface Binding {
  itemId: number;
  layer: BindingLayer;
  /** In words: "In-Reply-To <abc@x> is the message that created request 12". */
  evidence: string;
}

/** A candidate the binder saw but cannot bind to (no such item, a token not read): the next candidate is tried. */
export interface Refusal {
  refused: string;
}

export interface Binder {
  layer: BindingLayer;
  /**
   * The items this binder's evidence names, strongest first (and the candidates it saw but cannot bind
   * to, as refusals). Read lazily: bindReply stops at the first item the sender may add to.
   */
  candidates(input: BinderInput): Iterable<Binding | Refusal>;
}
