// Highlighting from the rules lexer's own tokens: a word that belongs to a keyword phrase of the
// language (src/rules keywordPhrases: built-ins and the server's plugins) is a keyword, so a phrase added
// there is highlighted here too.
import { RangeSetBuilder } from '@codemirror/state';
import { Decoration, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';
import { isBlankOrComment, keywordPhrases, tokenize, type TokenKind } from '../../../src/rules/index.js';

const MARKS: Record<TokenKind | 'keyword' | 'comment', Decoration> = {
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
  placeholder: Decoration.mark({ class: 'cm-rule-id' }),
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
        for (const t of tokenize(line.text)) {
          // Keywords are ASCII-case-insensitive, as the parser reads them.
          const kind = t.kind === 'word' && keywords.has(t.text.replace(/[A-Z]+/g, (m) => m.toLowerCase())) ? 'keyword' : t.kind;
          builder.add(line.from + t.start, line.from + t.end, MARKS[kind]);
        }
      }
      pos = line.to + 1;
    }
  }
  return builder.finish();
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
