// Highlighting from the rules lexer's own tokens: a word that belongs to a keyword phrase of the
// language (src/rules keywordPhrases: built-ins and the server's plugins) is a keyword, so a phrase added
// there is highlighted here too. A regular expression's named groups and the {captures} that use them in
// actions share a colour, so the name that links them stands out.
import { RangeSetBuilder } from '@codemirror/state';
import { Decoration, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';
import { isBlankOrComment, keywordPhrases, tokenize, type Token, type TokenKind } from '../../../src/rules/index.js';

const MARKS: Record<TokenKind | 'keyword' | 'comment' | 'capture', Decoration> = {
  keyword: Decoration.mark({ class: 'cm-rule-keyword' }),
  word: Decoration.mark({ class: 'cm-rule-word' }),
  number: Decoration.mark({ class: 'cm-rule-id' }),
  string: Decoration.mark({ class: 'cm-rule-string' }),
  openString: Decoration.mark({ class: 'cm-rule-string' }),
  dqString: Decoration.mark({ class: 'cm-rule-invalid' }),
  other: Decoration.mark({ class: 'cm-rule-invalid' }),
  regex: Decoration.mark({ class: 'cm-rule-regex' }),
  openRegex: Decoration.mark({ class: 'cm-rule-regex' }),
  paren: Decoration.mark({ class: 'cm-rule-keyword' }),
  placeholder: Decoration.mark({ class: 'cm-rule-capture' }),
  capture: Decoration.mark({ class: 'cm-rule-capture' }),
  comment: Decoration.mark({ class: 'cm-rule-comment' }),
};

function decorate(view: EditorView): DecorationSet {
  // Read each time: the server's plugin phrases arrive after the editor starts.
  const keywords = new Set(keywordPhrases().flat());
  const builder = new RangeSetBuilder<Decoration>();
  for (const { from, to } of view.visibleRanges) {
    for (let pos = from; pos <= to; ) {
      const line = view.state.doc.lineAt(pos);
      if (isBlankOrComment(line.text)) {
        if (line.text.trim()) builder.add(line.from, line.to, MARKS.comment);
      } else {
        let inActions = false;
        for (const t of tokenize(line.text)) {
          // Keywords are ASCII-case-insensitive, as the parser reads them.
          const word = t.kind === 'word' ? t.text.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : '';
          if (word === 'then') inActions = true;
          const kind = t.kind === 'word' && keywords.has(word) ? 'keyword' : t.kind;
          for (const [start, end, mark] of pieces(t, kind, inActions)) builder.add(line.from + start, line.from + end, MARKS[mark]);
        }
      }
      pos = line.to + 1;
    }
  }
  return builder.finish();
}

type Mark = keyof typeof MARKS;

/** A regex's group names (?<name>…) in it, and {name} in an action's text: what a capture links. */
const GROUP_NAME = /(?<!\\)\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g;
const CAPTURE_IN_TEXT = /(?<!\\)\{[\p{L}_][\p{L}\p{N}_]*\}/gu;

/** A token's marks, in order: whole, or cut around the capture names inside it. */
function pieces(t: Token, kind: Mark, inActions: boolean): Array<[number, number, Mark]> {
  const inner: Array<[number, number]> = [];
  if (t.kind === 'regex' || t.kind === 'openRegex') {
    for (const m of t.text.matchAll(GROUP_NAME)) {
      const at = m.index + m[0].length - m[1]!.length - 1;
      inner.push([at, at + m[1]!.length]);
    }
  } else if ((t.kind === 'string' || t.kind === 'openString') && inActions) {
    for (const m of t.text.matchAll(CAPTURE_IN_TEXT)) inner.push([m.index, m.index + m[0].length]);
  }
  const out: Array<[number, number, Mark]> = [];
  let from = 0;
  for (const [start, end] of inner) {
    if (start > from) out.push([t.start + from, t.start + start, kind]);
    out.push([t.start + start, t.start + end, 'capture']);
    from = end;
  }
  if (from < t.text.length) out.push([t.start + from, t.end, kind]);
  return out;
}

export const rulesHighlighting = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = decorate(view);
    }
    update(update: ViewUpdate) {
      if (update.docChanged || update.viewportChanged) this.decorations = decorate(update.view);
    }
  },
  { decorations: (v) => v.decorations },
);
