// The rules of a profile. (Replaced by the CodeMirror rules editor: live errors, completion, history.)
import type { LineError } from '../api.js';
import { Field } from './field.js';

export function RulesField({ value, onChange, errors, readOnly }: { value: string; onChange: (text: string) => void; errors: LineError[]; readOnly: boolean }) {
  const message = errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('\n') || undefined;
  return (
    <Field id="rules" label="Rules (checked top to bottom, first match wins)" error={message}>
      <textarea id="rules" rows={8} spellcheck={false} readOnly={readOnly} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
    </Field>
  );
}
