// The reply of a message, from its text part or its HTML part. The text part is what most clients
// write the quote markers into, and what the splitter knows best, so it is used when there is one;
// the HTML is read instead when the message has no text part, or when the text shows nothing to strip
// but the HTML's DOM marks a quote the way only mail programs do (some flatten the quote into the text
// with no marker left). A plain <blockquote> is not such a mark: Gmail's "Indent more" makes one.
import { splitReplyHtmlDetailed } from './html.js';
import type { ReplySource, ReplySplit } from './split.js';
import { splitReplyText } from './text.js';

export type { ReplySource, ReplySplit } from './split.js';
export { splitReplyText } from './text.js';
export { splitReplyHtml } from './html.js';
export { contentIdKey, quotedImageIds } from './quoted-images.js';

export function splitReply(source: ReplySource): ReplySplit {
  const html = source.html !== null && source.html.trim() !== '' ? source.html : null;
  if (source.text.trim() === '' || (source.textFromHtml === true && html !== null)) {
    if (html === null) return { reply: '', removed: '', how: 'empty', fullTextKept: false };
    const { domCut: _, clientMark: __, ...split } = splitReplyHtmlDetailed(html);
    return { ...split, how: `no text part; ${split.how}` };
  }
  const fromText = splitReplyText(source.text);
  if (html === null || fromText.removed !== '') return fromText;
  const fromHtml = splitReplyHtmlDetailed(html);
  if (!fromHtml.domCut || !fromHtml.clientMark || fromHtml.fullTextKept) return fromText;
  const { domCut: _, clientMark: __, ...split } = fromHtml;
  return { ...split, how: `${split.how} (the text part showed nothing to strip)` };
}
