// DOM nodes as readable text, for the reply and for the removed part: html-to-text (already in the tree
// through mailparser, which makes message.text from HTML the same way), without line wrapping,
// images or shouting headings. A mailto: link whose text is its address prints once, so that
// `"Bob" <bob@example.com>:` still reads as a quote header afterwards.
import type { AnyNode } from 'domhandler';
import { getOuterHTML, textContent } from 'domutils';
import { compile } from 'html-to-text';
import { isElement, parseHtmlBounded, walk } from './html-dom.js';
import { HTML_DEPTH_MAX } from './limits.js';

const headings = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

const toText = compile({
  wordwrap: false,
  // The DOM was already cut at HTML_DEPTH_MAX; the margin covers the elements html-to-text adds.
  limits: { maxDepth: HTML_DEPTH_MAX + 16 },
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'table', options: { uppercaseHeaderCells: false } },
    ...headings,
  ],
});

export function nodesToText(nodes: readonly AnyNode[]): string {
  for (const node of nodes) {
    for (const part of walk(node)) {
      if (!isElement(part) || part.name !== 'a') continue;
      const href = part.attribs['href'] ?? '';
      if (/^mailto:/i.test(href) && href.slice('mailto:'.length).trim() === textContent(part).trim()) delete part.attribs['href'];
    }
  }
  // No-break spaces from `&nbsp;` paragraphs make lines that look blank but are not; and every <p>
  // brings blank lines of its own. Neither is part of what was written.
  return toText(getOuterHTML(nodes as AnyNode[]))
    .split('\n')
    .map((line) => (/^[\s\u200b\ufeff]*$/u.test(line) ? '' : line.trimEnd()))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A whole HTML body as text, nothing cut (within the parsing bounds). */
export function htmlToReadableText(html: string): string {
  return nodesToText(parseHtmlBounded(html).document.children);
}
