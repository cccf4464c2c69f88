// A stranger's HTML as a DOM, within bounds: at most HTML_INPUT_MAX characters are parsed, and parsing
// stops at an element nested deeper than HTML_DEPTH_MAX (what was read up to there is kept). Every walk
// over the result is iterative, so no depth can exhaust the call stack either.
import { Parser } from 'htmlparser2';
import { DomHandler, type AnyNode, type Document, type Element } from 'domhandler';
import { HTML_DEPTH_MAX, HTML_INPUT_MAX } from './limits.js';

export interface BoundedDom {
  document: Document;
  /** Why part of the HTML was not read, for the trace; null when all of it was. */
  truncated: string | null;
}

/** Thrown by the handler to stop the parser; never leaves this module. */
class TooDeep extends Error {}

class DepthLimitedHandler extends DomHandler {
  override onopentag(name: string, attribs: Record<string, string>): void {
    if (this.tagStack.length > HTML_DEPTH_MAX) throw new TooDeep();
    super.onopentag(name, attribs);
  }
}

export function parseHtmlBounded(html: string): BoundedDom {
  const handler = new DepthLimitedHandler();
  const parser = new Parser(handler, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  let truncated: string | null = null;
  try {
    if (html.length > HTML_INPUT_MAX) truncated = `only the first ${HTML_INPUT_MAX} characters of the HTML were read`;
    parser.end(html.length > HTML_INPUT_MAX ? html.slice(0, HTML_INPUT_MAX) : html);
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    truncated = `the HTML was read up to an element nested deeper than ${HTML_DEPTH_MAX} levels`;
  }
  return { document: handler.root, truncated };
}

/** Every node under `root` in document order, without recursion. */
export function* walk(root: AnyNode): Generator<AnyNode> {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    if ('children' in node) for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]!);
  }
}

export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

/**
 * The first `max` or so visible characters of `nodes` (each with what is under it), one line per
 * <br>, <p> or <div>, spaces squeezed: enough to recognise "From: …" without reading a whole quote.
 */
export function leadingText(nodes: Iterable<AnyNode>, max: number): string {
  let text = '';
  let visible = 0;
  outer: for (const node of nodes) {
    for (const part of walk(node)) {
      if (part.type === 'text') {
        // Line breaks in the source are spaces in HTML; only the elements below break lines.
        const data = (part.data.length > max ? part.data.slice(0, max) : part.data).replace(/\s+/g, ' ');
        text += data;
        visible += data.replace(/ /g, '').length;
      } else if (isElement(part) && BREAKS.has(part.name)) {
        text += '\n';
      }
      if (visible >= max || text.length > 8 * max) break outer;
    }
  }
  return text.replace(/[^\S\n]+/g, ' ').replace(/ *\n[\s]*/g, '\n').trim();
}

const BREAKS = new Set(['br', 'p', 'div', 'tr', 'li', 'hr', 'table']);

/** The nodes after `node` in document order, as subtrees: its following siblings, then each ancestor's. */
export function* following(node: AnyNode): Generator<AnyNode> {
  for (let at: AnyNode | null = node; at; at = at.parent) {
    for (let next = at.next; next; next = next.next) yield next;
  }
}

/** Detaches `node` from its parent. Costs the number of its siblings. */
export function detach(node: AnyNode): void {
  const parent = node.parent;
  if (!parent) return;
  const index = parent.children.indexOf(node as never);
  if (index >= 0) parent.children.splice(index, 1);
  if (node.prev) node.prev.next = node.next;
  if (node.next) node.next.prev = node.prev;
  node.parent = null;
  node.prev = null;
  node.next = null;
}

/**
 * Detaches `node` and everything after it in document order (its following siblings, and those of each
 * ancestor). Returns the detached nodes in document order. Each parent's child list is cut once.
 */
export function detachFromHereOn(node: AnyNode): AnyNode[] {
  const removed: AnyNode[] = [];
  let at: AnyNode = node;
  let first = true;
  while (at.parent) {
    const parent = at.parent;
    const index = parent.children.indexOf(at as never);
    const cut = parent.children.splice(first ? index : index + 1);
    for (const child of cut) child.parent = null;
    if (cut.length > 0) {
      const kept = parent.children[parent.children.length - 1];
      if (kept) kept.next = null;
      cut[0]!.prev = null;
    }
    for (const child of cut) removed.push(child);
    first = false;
    at = parent;
  }
  return removed;
}
