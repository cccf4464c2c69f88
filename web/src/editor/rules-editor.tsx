// The CodeMirror 6 editor for a profile's rules: highlighting, live error and warning markers (no
// request to the server), completion of keywords and ids, and the name of an id on hover. The text
// stays in the page's state: every change goes out through onChange, and a new `value` from outside
// (restore, format, an example) replaces the editor's text.
import { autocompletion, completionKeymap } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { forceLinting, linter, lintGutter, lintKeymap } from '@codemirror/lint';
import { EditorView, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { minimalSetup } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';
import { rulesCompletion } from './complete.js';
import { diagnose, problemText } from './diagnose.js';
import { rulesHighlighting } from './highlight.js';
import { idHover } from './hover.js';
import type { Names } from './tracker-names.js';

export interface RulesEditorProps {
  value: string;
  onChange: (text: string) => void;
  readOnly: boolean;
  names: Names | undefined;
  labelledBy: string;
  describedBy: string;
  /** Gives the page the view, so a problem in the list can move the cursor to its place. */
  onView?: (view: EditorView | null) => void;
}

/** Markers follow typing at once; the parse of a whole rule set takes well under a millisecond. */
const LINT_DELAY_MS = 25;

export function RulesEditor({ value, onChange, readOnly, names, labelledBy, describedBy, onView }: RulesEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // Extensions read these through refs, so the editor is built once.
  const namesRef = useRef(names);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  // Texts the editor reported that the page has not rendered back yet. Effects run after paint, so a
  // render may carry a text one keystroke old: one of these is the page echoing the editor, not a new
  // text from outside, and must not overwrite what was typed since.
  const unechoed = useRef<string[]>([]);

  useEffect(() => {
    const getNames = () => namesRef.current;
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          minimalSetup,
          lineNumbers(),
          EditorView.lineWrapping,
          rulesHighlighting,
          linter((v) => diagnose(v.state.doc.toString(), getNames()).map((p) => ({ from: p.from, to: p.to, severity: p.severity, message: problemText(p) })), { delay: LINT_DELAY_MS }),
          lintGutter(),
          autocompletion({ override: [rulesCompletion(getNames)] }),
          idHover(getNames),
          keymap.of([...completionKeymap, ...lintKeymap]),
          placeholder('No rules yet: every message is skipped. Open the language reference for an example.'),
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({ 'aria-labelledby': labelledBy, 'aria-describedby': describedBy, spellcheck: 'false', ...(readOnly ? { 'aria-readonly': 'true' } : {}) }),
          EditorView.updateListener.of((u) => {
            if (!u.docChanged) return;
            const text = u.state.doc.toString();
            unechoed.current.push(text);
            onChangeRef.current(text);
          }),
        ],
      }),
    });
    view.current = editor;
    onView?.(editor);
    return () => {
      onView?.(null);
      editor.destroy();
      view.current = null;
    };
  }, [readOnly]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const echoed = unechoed.current.lastIndexOf(value);
    if (echoed >= 0) {
      unechoed.current.splice(0, echoed + 1);
      return;
    }
    unechoed.current = [];
    if (editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    namesRef.current = names;
    if (view.current) forceLinting(view.current);
  }, [names]);

  return <div class="rules-editor" ref={host} />;
}
