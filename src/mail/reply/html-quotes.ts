// Where the quoted mail starts in an HTML reply, found in the DOM by the marks clients leave, before any
// of it becomes text. The marks come from mailgun/talon's html_quotations.py (Apache-2.0): Outlook's
// #OLK_SRC_BODY_SECTION and #divRplyFwdMsg, the border-top <div> Outlook 2007-2013 and Windows Mail put
// above the "From: … Sent: …" block, a horizontal rule above such a block (Outlook 2003, Hotmail,
// Zimbra), and quote containers (Gmail's div.gmail_quote, blockquote type=cite of Apple Mail and
// Thunderbird with its div.moz-cite-prefix, the plain blockquote of Yandex and Mail.ru).
//
// Two kinds of cut. A separator means everything after it is the old mail, so the DOM is cut from the
// separator to the end. A quote container is removed only when the mail ends inside it: one followed by
// more writing is an inline reply, and its quotes stay for the text splitter to judge (as in plain text).
// A wrapper such as div.gmail_quote is removed whole only when all that shows in it is quote or the
// attribution: people answer inline inside it, between its blockquotes.
//
// Whether a cut was made at a client's quote mark (anything but a plain <blockquote>) is reported: a
// plain blockquote is also what "Indent more" makes, so it may not overrule a text part.
import type { AnyNode, Document, Element } from 'domhandler';
import { isHeaderField } from './header-fields.js';
import { detach, detachFromHereOn, following, isElement, leadingText } from './html-dom.js';

export interface HtmlQuoteCut {
  /** The detached nodes, in document order. */
  removed: AnyNode[];
  notes: string[];
  /** Whether a cut was made at a mark only mail programs write (not at a plain blockquote). */
  clientMark: boolean;
}

/** Visible characters read after a separator to recognise a header block. */
const LOOKAHEAD = 200;
/** Separators looked at per mail: real mail has a handful; this bounds the lookahead work. */
const SEPARATORS_MAX = 50;

const NOT_SHOWN = new Set(['head', 'style', 'script', 'title', 'template']);
const QUOTE_CLASSES = ['gmail_quote', 'yahoo_quoted', 'protonmail_quote'];
const ATTRIBUTION_CLASSES = ['moz-cite-prefix', 'gmail_attr'];
const BORDER_TOP = /border-top(?:-style)?\s*:[^;]{0,80}solid/i;
const BLOCKS = new Set(['div', 'p', 'td', 'li', 'section', 'article']);

export function cutHtmlQuotes(document: Document): HtmlQuoteCut {
  const removed: AnyNode[] = [];
  const notes: string[] = [];
  let clientMark = false;
  const separator = findSeparator(document);
  if (separator) {
    removed.push(...detachFromHereOn(separator.node));
    notes.push(separator.note);
    clientMark = true;
  }
  const trailing = findTrailingQuote(document);
  if (trailing) {
    for (const node of trailing.nodes) detach(node);
    removed.push(...trailing.nodes);
    notes.push(trailing.note);
    clientMark ||= trailing.clientMark;
  }
  return { removed, notes, clientMark };
}

/** Elements and visible text nodes in document order, skipping what is never shown (head, style …). */
function* shown(root: AnyNode): Generator<AnyNode> {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    if (isElement(node) && NOT_SHOWN.has(node.name)) continue;
    if ('children' in node) for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]!);
  }
}

function hasClass(element: Element, names: readonly string[]): boolean {
  const classes = (element.attribs['class'] ?? '').split(/\s+/);
  return names.some((name) => classes.includes(name));
}

function isVisibleText(node: AnyNode): boolean {
  return node.type === 'text' && /[^\s\u200b\u200c\u200d\u2060\ufeff]/u.test(node.data);
}

/** At least two of the first four lines are header fields ("From: …", "Sent: …", "Von: …"). */
function startsWithHeaderBlock(text: string): boolean {
  const lines = text.split('\n', 4);
  return isHeaderField(lines[0] ?? '') && lines.filter((line) => isHeaderField(line)).length >= 2;
}

interface Separator {
  node: AnyNode;
  note: string;
}

function findSeparator(document: Document): Separator | null {
  let looked = 0;
  let textSeen = false;
  // Whether any text came before an element, kept for the parents of horizontal rules.
  const textBefore = new WeakMap<AnyNode, boolean>();
  for (const node of shown(document)) {
    if (isVisibleText(node)) textSeen = true;
    if (!isElement(node)) continue;
    textBefore.set(node, textSeen);
    const id = node.attribs['id'] ?? '';
    if (id === 'OLK_SRC_BODY_SECTION') return { node, note: 'Outlook for Mac quote (#OLK_SRC_BODY_SECTION)' };
    if (id === 'divRplyFwdMsg') {
      const rule = previousElement(node);
      return { node: rule?.name === 'hr' ? rule : node, note: 'Outlook reply header (#divRplyFwdMsg)' };
    }
    if (looked >= SEPARATORS_MAX) continue;
    if (node.name === 'div' && BORDER_TOP.test((node.attribs['style'] ?? '').slice(0, 500))) {
      looked += 1;
      if (startsWithHeaderBlock(leadingText([node], LOOKAHEAD))) {
        return { node, note: 'header block under a border line (Outlook, Windows Mail)' };
      }
    } else if (node.name === 'hr') {
      looked += 1;
      if (nextElement(node)?.attribs['id'] === 'divRplyFwdMsg') return { node, note: 'Outlook reply header (#divRplyFwdMsg)' };
      if (startsWithHeaderBlock(leadingText(following(node), LOOKAHEAD))) {
        return { node: quoteBlockOf(node, textBefore), note: 'header block under a horizontal rule' };
      }
    }
  }
  return null;
}

/**
 * Where the cut starts for a rule inside a block (Zimbra, Comcast: `<div>Bob<hr>From: …</div>`). talon
 * takes the block that holds the "From:" header as the quoted mail's container and removes it whole;
 * so do we, but only when what the block holds before the rule is a few words that end no sentence
 * (a name) and some reply comes before the block. Otherwise the cut starts at the rule and no written
 * sentence is lost.
 */
function quoteBlockOf(rule: Element, textBefore: WeakMap<AnyNode, boolean>): AnyNode {
  const block = rule.parent;
  if (!block || !isElement(block) || !BLOCKS.has(block.name) || !textBefore.get(block)) return rule;
  const before: AnyNode[] = [];
  for (let at: AnyNode | null = block.children[0] ?? null; at && at !== rule; at = at.next) before.push(at);
  const text = leadingText(before, LOOKAHEAD).replace(/\s+/g, ' ').trim();
  const words = text === '' ? [] : text.split(' ');
  return words.length >= 1 && words.length <= 3 && !/[.!?:;,]$/.test(text) ? block : rule;
}

/** The element just before `node` among its siblings, past blank text; null when text or nothing is. */
function previousElement(node: AnyNode): Element | null {
  for (let at = node.prev; at; at = at.prev) {
    if (isElement(at)) return at;
    if (isVisibleText(at)) return null;
  }
  return null;
}

/** The element just after `node` among its siblings, past blank text; null when text or nothing is. */
function nextElement(node: AnyNode): Element | null {
  for (let at = node.next; at; at = at.next) {
    if (isElement(at)) return at;
    if (isVisibleText(at)) return null;
  }
  return null;
}

function isQuoteContainer(node: AnyNode): node is Element {
  return isElement(node) && (node.name === 'blockquote' || hasClass(node, QUOTE_CLASSES));
}

/**
 * Whether a quote container may be removed whole. A blockquote is quote through and through (an
 * older reply inside it is old too). A wrapper (div.gmail_quote …) may also hold the person's inline
 * answers: it is removed only when all its visible text lies in a nested quote or the attribution, or
 * when it nests no quote at all (it is then the quote itself, as div.yahoo_quoted is).
 */
function isWholeQuote(container: Element): boolean {
  if (container.name === 'blockquote') return true;
  let nestsQuote = false;
  let textOutside = false;
  const stack: AnyNode[] = [...container.children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isElement(node)) {
      if (NOT_SHOWN.has(node.name)) continue;
      if (isQuoteContainer(node)) {
        nestsQuote = true;
        continue;
      }
      if (hasClass(node, ATTRIBUTION_CLASSES)) continue;
    }
    if (isVisibleText(node)) textOutside = true;
    if ('children' in node) stack.push(...node.children);
  }
  return !nestsQuote || !textOutside;
}

/**
 * The outermost quote container (a blockquote, div.gmail_quote …) that holds the last visible text of
 * the mail and may be removed whole, with the attribution line a client put just before it
 * (div.moz-cite-prefix, div.gmail_attr).
 */
function findTrailingQuote(document: Document): { nodes: AnyNode[]; note: string; clientMark: boolean } | null {
  let last: AnyNode | null = null;
  for (const node of shown(document)) if (isVisibleText(node)) last = node;
  if (!last) return null;
  const containers: Element[] = [];
  for (let at = last.parent; at; at = at.parent) if (isQuoteContainer(at)) containers.push(at);
  // Outermost first; a wrapper holding inline answers gives way to the quote inside it.
  const container = containers.reverse().find(isWholeQuote);
  if (!container) return null;
  const nodes: AnyNode[] = [];
  const attribution = previousElement(container);
  const attributed = attribution !== null && hasClass(attribution, ATTRIBUTION_CLASSES);
  if (attributed) nodes.push(attribution);
  nodes.push(container);
  const cite = container.attribs['type'] === 'cite';
  const kind = container.name === 'blockquote' ? `blockquote${cite ? ' type=cite' : ''}` : `div.${(container.attribs['class'] ?? '').split(/\s+/)[0]}`;
  const clientMark = attributed || cite || hasClass(container, QUOTE_CLASSES) || containers.some((outer) => hasClass(outer, QUOTE_CLASSES));
  return { nodes, note: `quote at the end (${kind})`, clientMark };
}
