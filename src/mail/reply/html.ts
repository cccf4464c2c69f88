// Splits an HTML reply: the quoted mail is cut in the DOM, where clients mark it (html-quotes.ts), the
// rest becomes text, and the text splitter then takes what the DOM had no mark for (an attribution line
// above a removed quote, a signature, an Outlook header block written as plain paragraphs).
import { cutHtmlQuotes } from './html-quotes.js';
import { parseHtmlBounded } from './html-dom.js';
import { nodesToText } from './html-text.js';
import type { ReplySplit } from './split.js';
import { splitReplyText } from './text.js';

export interface HtmlReplySplit extends ReplySplit {
  /** Whether the DOM held a quote mark and something was cut there. */
  domCut: boolean;
  /** Whether that cut was at a mark only mail programs write (div.gmail_quote, type=cite, #divRplyFwdMsg …). */
  clientMark: boolean;
}

export function splitReplyHtml(html: string): ReplySplit {
  const { domCut: _, clientMark: __, ...split } = splitReplyHtmlDetailed(html);
  return split;
}

export function splitReplyHtmlDetailed(html: string): HtmlReplySplit {
  const { document, truncated } = parseHtmlBounded(html);
  const cut = cutHtmlQuotes(document);
  const domCut = cut.removed.length > 0;
  const domNotes = [...(truncated ? [truncated] : []), ...cut.notes];
  const keptText = nodesToText(document.children);
  const removedByDom = domCut ? nodesToText(cut.removed) : '';

  if (keptText === '') {
    // The DOM cut took everything: the whole mail is the reply.
    const full = domCut ? nodesToText(parseHtmlBounded(html).document.children) : '';
    if (full === '') return { reply: '', removed: '', how: 'html: empty', fullTextKept: false, domCut: false, clientMark: false };
    return {
      reply: full,
      removed: '',
      how: `html: the whole text is the reply (cutting ${domNotes.join(', ')} left nothing)`,
      fullTextKept: true,
      domCut: false,
      clientMark: false,
    };
  }

  const text = splitReplyText(keptText);
  const how = [domNotes.length > 0 ? `html: cut ${domNotes.join(', ')}` : 'html: no quote mark in the DOM', text.how].join('; ');
  if (text.fullTextKept) {
    // The text splitter would strip all that the DOM left: that is the reply, unless the DOM cut nothing.
    return { reply: keptText, removed: removedByDom, how, fullTextKept: !domCut, domCut, clientMark: cut.clientMark };
  }
  const removed = [text.removed, removedByDom].filter((part) => part !== '').join('\n\n');
  return { reply: text.reply, removed, how, fullTextKept: false, domCut, clientMark: cut.clientMark };
}
