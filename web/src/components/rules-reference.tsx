// The language reference, one click from the editor: a dialog with the phrases the parser knows (from
// src/rules, so a new one shows up here), the example rules and the full text of docs/rules.md.
import { useEffect, useRef } from 'preact/hooks';
import reference from '../../../docs/rules.md?raw';
import { vocabulary } from '../../../src/rules/index.js';

/** The first code block of docs/rules.md: the seed's example rules. */
export const EXAMPLE_RULES = /```\n([\s\S]*?)```/.exec(reference)?.[1]?.trimEnd() ?? '';

/** Every phrase as its pattern reads: `from contains {keywords}`, with the one line of help it declares. */
function phrases(kind: 'conditions' | 'actions') {
  const seen = new Set<unknown>();
  return [...vocabulary()[kind].values()].filter((d) => !seen.has(d.definition) && seen.add(d.definition)).map((d) => ({
    written: d.definition.pattern,
    help: d.definition.help,
    origin: d.origin,
  }));
}

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
      <h3>Conditions (after when; joined by and, or, not and parentheses)</h3>
      <ul>{phrases('conditions').map((p) => <li key={p.written}><code>{p.written}</code>: {p.help}{p.origin !== 'built-in' ? ` (plugin ${p.origin})` : ''}</li>)}</ul>
      <h3>Actions (after then, joined by and)</h3>
      <ul>{phrases('actions').map((p) => <li key={p.written}><code>{p.written}</code>: {p.help}{p.origin !== 'built-in' ? ` (plugin ${p.origin})` : ''}</li>)}</ul>
      <p>Slots: <code>{'{keywords}'}</code> is <code>'a, b'</code> (any of them), <code>{'{text}'}</code> one quoted text, <code>{'{regex}'}</code> <code>/pattern/flags</code>, <code>{'{project}'}</code> an id, a code or a <code>{'{capture}'}</code>, <code>{'{size}'}</code> <code>5 MB</code>; <code>[…]</code> is optional.</p>
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
