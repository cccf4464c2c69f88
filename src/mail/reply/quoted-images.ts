// Inline images that belong to the quoted mail of an HTML reply: a reply quoting a message with a logo
// or a screenshot carries the image again, and a comment holding only the new words should not. Found
// in the DOM, where the quote is cut by the marks clients leave (html-quotes.ts): an image referenced
// (src="cid:…") only from what was cut. Pure and bounded like the splitter it reuses.
import type { AnyNode } from 'domhandler';
import { cutHtmlQuotes } from './html-quotes.js';
import { isElement, parseHtmlBounded, walk } from './html-dom.js';
import { nodesToText } from './html-text.js';

/**
 * The Content-IDs (lowercased, without <>) that only the quote of `html` references. Empty when the DOM
 * has no quote mark, when cutting it would leave nothing (the whole mail is then the reply) or when
 * the HTML was too large to read whole: then no image can be told to be the quote's.
 */
export function quotedImageIds(html: string): Set<string> {
  const { document, truncated } = parseHtmlBounded(html);
  if (truncated) return new Set();
  const cut = cutHtmlQuotes(document);
  if (cut.removed.length === 0 || nodesToText(document.children) === '') return new Set();
  const kept = imageIds(document.children);
  return new Set([...imageIds(cut.removed)].filter((id) => !kept.has(id)));
}

/** A Content-ID as compared here: without angle brackets, lowercased. */
export function contentIdKey(contentId: string): string {
  return contentId.trim().replace(/^<|>$/g, '').toLowerCase();
}

function imageIds(nodes: readonly AnyNode[]): Set<string> {
  const ids = new Set<string>();
  for (const root of nodes) {
    for (const node of walk(root)) {
      if (!isElement(node)) continue;
      // <img src="cid:…">, and the background images old Outlook mail puts on tables and cells.
      for (const attribute of ['src', 'background']) {
        const value = node.attribs[attribute]?.trim() ?? '';
        if (value.slice(0, 4).toLowerCase() !== 'cid:') continue;
        try {
          ids.add(contentIdKey(decodeURIComponent(value.slice(4))));
        } catch {
          ids.add(contentIdKey(value.slice(4))); // a malformed %-escape: compared as written
        }
      }
    }
  }
  return ids;
}
