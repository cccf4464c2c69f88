// One kind of tracker object admins keep (projects, companies, requesters, teams, users): its table,
// and for admins a form to add one and an Edit button per row; each API error is shown at its field.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../api.js';
import { described, Field } from './field.js';

export interface Column<T> {
  /** The body field it edits; absent for a shown-only column. */
  field?: string;
  label: string;
  show(row: T): ComponentChildren;
  /** The value in the edit form. */
  value?(row: T): string;
  /** Comma-separated in the form, a list in the body. */
  list?: boolean;
  required?: boolean;
  /** Empty means none (null) rather than left as it is. */
  nullable?: boolean;
}

export function KeptTable<T extends { id: number }>({ kind, title, rows, columns, admin, onChanged, empty }: {
  kind: string; title: string; rows: T[] | undefined; columns: Column<T>[]; admin: boolean; onChanged: () => Promise<void>; empty: string;
}) {
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const one = title.replace(/ies$/, 'y').replace(/s$/, '').toLowerCase();
  return (
    <section class="kept" aria-labelledby={`${kind}-title`}>
      <div class="heading-row">
        <h2 id={`${kind}-title`}>{title}</h2>
        {admin && editing !== 'new' && <button type="button" class="secondary" onClick={() => setEditing('new')}>Add {one}</button>}
      </div>
      {admin && editing === 'new' && <KeptForm kind={kind} columns={columns} onDone={async (saved) => { setEditing(null); if (saved) await onChanged(); }} />}
      {rows?.length === 0 && <p class="empty">{empty}</p>}
      {rows && rows.length > 0 && (
        <table>
          <caption class="visually-hidden">{title}</caption>
          <thead><tr>{columns.map((c) => <th scope="col" key={c.label}>{c.label}</th>)}{admin && <th scope="col"><span class="visually-hidden">Actions</span></th>}</tr></thead>
          <tbody>
            {rows.map((row) =>
              editing === row.id ? (
                <tr key={row.id}><td colSpan={columns.length + 1}><KeptForm kind={kind} row={row} columns={columns} onDone={async (saved) => { setEditing(null); if (saved) await onChanged(); }} /></td></tr>
              ) : (
                <tr key={row.id}>
                  {columns.map((c) => <td key={c.label}>{c.show(row)}</td>)}
                  {admin && <td><button type="button" class="secondary" aria-label={`Edit ${one} ${row.id}`} onClick={() => setEditing(row.id)}>Edit</button></td>}
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

function KeptForm<T extends { id: number }>({ kind, row, columns, onDone }: { kind: string; row?: T; columns: Column<T>[]; onDone: (saved: boolean) => Promise<void> }) {
  const editable = columns.filter((c) => c.field);
  const [values, setValues] = useState<Record<string, string>>(Object.fromEntries(editable.map((c) => [c.field!, row && c.value ? c.value(row) : ''])));
  const [error, setError] = useState<ApiError | string | null>(null);
  const [saving, setSaving] = useState(false);
  const prefix = `${kind}-${row?.id ?? 'new'}`;
  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    const body = Object.fromEntries(
      editable.map((c) => {
        const text = values[c.field!]!.trim();
        if (c.list) return [c.field!, text.split(',').map((s) => s.trim()).filter(Boolean)];
        // An empty optional field: none (for a nullable one being changed), else not sent.
        return [c.field!, text !== '' || c.required ? text : c.nullable && row ? null : undefined];
      }).filter(([, v]) => v !== undefined),
    );
    try {
      await api(row ? `/tracker/${kind}/${row.id}` : `/tracker/${kind}`, { method: row ? 'PATCH' : 'POST', body });
      await onDone(true);
    } catch (err) {
      setError(err instanceof ApiError ? err : errorText(err));
    } finally {
      setSaving(false);
    }
  };
  const general = error instanceof ApiError ? (error.fields.length ? null : error.message) : error;
  return (
    <form class="kept-form" onSubmit={save} aria-label={row ? `Edit ${kind} ${row.id}` : `New ${kind}`}>
      {editable.map((c) => {
        const id = `${prefix}-${c.field}`;
        const message = error instanceof ApiError ? error.forField(c.field!) : undefined;
        return (
          <Field key={c.field} id={id} label={c.label} error={message} {...(c.list ? { hint: 'comma-separated' } : {})}>
            <input id={id} value={values[c.field!]} required={c.required} onInput={(e) => setValues({ ...values, [c.field!]: e.currentTarget.value })} {...described(id, message, c.list)} />
          </Field>
        );
      })}
      {general && <p class="error" role="alert">{general}</p>}
      <button type="submit" disabled={saving}>{saving ? 'Saving…' : 'Save'}</button>{' '}
      <button type="button" class="secondary" onClick={() => void onDone(false)}>Cancel</button>
    </form>
  );
}
