// The language reference, one click from the editor: a dialog with the phrases the parser knows (from
// src/rules, so a new one shows up here), the example rules and the full text of docs/rules.md.
import { useEffect, useRef } from 'preact/hooks';
import reference from '../../../docs/rules.md?raw';
import { ACTIONS, CONDITIONS } from '../../../src/rules/index.js';

/** The first code block of docs/rules.md: the seed's example rules. */
export const EXAMPLE_RULES = /```\n([\s\S]*?)```/.exec(reference)?.[1]?.trimEnd() ?? '';

const operand = (phrase: readonly string[]) => (/^(project|team)$/.test(phrase.at(-1)!) ? ' ID' : " 'keyword, keyword'");

export function RulesReference({ open, onClose, onInsert }: { open: boolean; onClose: () => void; onInsert?: (example: string) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current!;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={dialog} class="rules-reference" aria-labelledby="rules-reference-title" onClose={onClose}>
      {open && <ReferenceText onClose={onClose} onInsert={onInsert} />}
    </dialog>
  );
}

function ReferenceText({ onClose, onInsert }: { onClose: () => void; onInsert?: (example: string) => void }) {
  return (
    <>
      <div class="heading-row">
        <h2 id="rules-reference-title">The rule language</h2>
        <button type="button" class="secondary" onClick={onClose}>Close</button>
      </div>
      <p>One rule per line: <code>when</code> conditions <code>then</code> actions. Rules are tried top to bottom and the first whose conditions all hold wins; a line without <code>when</code> always matches. Lines starting with <code>#</code> are comments. Keywords are case-insensitive.</p>
      <h3>Conditions (after when, joined by and)</h3>
      <ul>{CONDITIONS.map((p) => <li key={p.join(' ')}><code>{p.join(' ')}{operand(p)}</code></li>)}</ul>
      <h3>Actions (after then, joined by and)</h3>
      <ul>{ACTIONS.map((p) => <li key={p.join(' ')}><code>{p.join(' ')}{operand(p)}</code></li>)}</ul>
      <p>A created request may be followed by <code>and attach request to team ID</code>.</p>
      <h3>Example</h3>
      <pre class="rules-example">{EXAMPLE_RULES}</pre>
      {onInsert && <button type="button" onClick={() => onInsert(EXAMPLE_RULES)}>Insert the example into the rules</button>}
      <details>
        <summary>The full reference (docs/rules.md)</summary>
        <pre class="reference-text">{reference}</pre>
      </details>
    </>
  );
}
