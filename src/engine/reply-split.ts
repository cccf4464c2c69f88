// A message's reply split, made at most once and only when asked for: binders need it only when the
// body carries a Ticket#N, comments always, and most new mail never.
import { splitReply, type ReplySplit } from '../mail/index.js';
import type { Message } from '../mail/message.js';

export class LazyReplySplit {
  private made: ReplySplit | undefined;

  constructor(private readonly message: Message) {}

  get value(): ReplySplit {
    this.made ??= splitReply({ text: this.message.text, html: this.message.html, textFromHtml: this.message.textFromHtml });
    return this.made;
  }
}
