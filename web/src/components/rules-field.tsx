// The rules of a profile: the CodeMirror editor (errors and warnings as you type, completion, names on
// hover), the list of problems in words next to it, "Format" and the language reference. Errors the
// service returned on save are shown too, in case the text was saved by an older parser's rules.
import type { EditorView } from '@codemirror/view';
import { useMemo, useRef, useState } from 'preact/hooks';
import type { LineError } from '../api.js';
import { diagnose, problemText, type Problem } from '../editor/diagnose.js';
import { RulesEditor } from '../editor/rules-editor.js';
import { useTrackerNames } from '../editor/tracker-names.js';
import { formatKeepingComments } from '../editor/format.js';
import { RulesReference } from './rules-reference.js';

export function RulesField({ value, onChange, errors, readOnly }: { value: string; onChange: (text: string) => void; errors: LineError[]; readOnly: boolean }) {
  const { names, error: namesError } = useTrackerNames();
  const problems = useMemo(() => diagnose(value, names), [value, names]);
  const [referenceOpen, setReferenceOpen] = useState(false);
  const view = useRef<EditorView | null>(null);
  const hasErrors = problems.some((p) => p.severity === 'error');
  // The service's errors, unless the same one is already found here.
  const fromService = errors.filter((e) => !problems.some((p) => p.line === e.line && p.column === e.column));

  const goTo = (p: Problem) => {
    const v = view.current;
    if (!v) return;
    v.dispatch({ selection: { anchor: Math.min(p.from, v.state.doc.length) }, scrollIntoView: true });
    v.focus();
  };

  return (
    <div class={`field rules-field${hasErrors ? ' has-error' : ''}`}>
      <div class="heading-row">
        <span id="rules-label" class="label">Rules (checked top to bottom, first match wins)</span>
        <div class="rules-toolbar">
          <button type="button" class="secondary" onClick={() => setReferenceOpen(true)}>Language reference</button>
          {!readOnly && (
            <button type="button" class="secondary" disabled={hasErrors || !value.trim()} onClick={() => onChange(formatKeepingComments(view.current?.state.doc.toString() ?? value))}
              aria-describedby={hasErrors ? 'rules-format-hint' : undefined}>Format</button>
          )}
        </div>
      </div>
      <RulesEditor value={value} onChange={onChange} readOnly={readOnly} names={names} labelledBy="rules-label" describedBy="rules-problems" onView={(v) => (view.current = v)} />
      <div id="rules-problems" aria-live="polite">
        {problems.length > 0 && (
          <ul class="rules-problems">
            {problems.map((p) => (
              <li key={`${p.from}:${p.severity}:${p.message}`} class={p.severity}>
                <button type="button" class="link" onClick={() => goTo(p)}>Line {p.line}, column {p.column}</button>
                {`: ${p.severity === 'warning' ? 'warning: ' : ''}${problemText(p)}`}
              </li>
            ))}
          </ul>
        )}
        {fromService.map((e) => (
          <p key={`${e.line}:${e.column}`} class="error" role="alert">Line {e.line}, column {e.column}: {problemText(e)}</p>
        ))}
      </div>
      {hasErrors && !readOnly && <p class="hint" id="rules-format-hint">Fix the errors to format the rules or to save them.</p>}
      {namesError && <p class="hint">Project and team names could not be loaded ({namesError}), so ids are not checked.</p>}
      <RulesReference open={referenceOpen} onClose={() => setReferenceOpen(false)}
        onInsert={readOnly ? undefined : (example) => { onChange(value.trim() ? `${value.trimEnd()}\n${example}\n` : `${example}\n`); setReferenceOpen(false); }} />
    </div>
  );
}
