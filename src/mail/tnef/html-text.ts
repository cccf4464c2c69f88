// Plain text from the HTML body of a TNEF message (Outlook 365 sends HTML-only TNEF), so rules that
// read the body see its words. Not a renderer: whitespace collapses as a browser would, block ends and
// <br> become line breaks, tags go, entities are decoded (by sanitize-html's parser), style, script and
// title content is dropped. Linear: every pattern is bounded per match.
import sanitizeHtml from 'sanitize-html';
import { tidyLines } from './tidy.js';

const LINE_BREAK = /<(?:br|\/p|\/div|\/tr|\/li|\/h[1-6]|\/table|\/blockquote|\/pre)\b[^>]{0,1000}>/gi;

export function htmlToText(html: string): string {
  const marked = html.replace(/\s+/g, ' ').replace(LINE_BREAK, (tag) => `${tag}\n`);
  const text = sanitizeHtml(marked, {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'title', 'head'],
  });
  // sanitize-html escapes these three in text; they are characters here, not markup.
  const plain = text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\u00a0/g, ' ');
  return tidyLines(plain.split('\n').map((line) => line.trim()).join('\n'));
}
