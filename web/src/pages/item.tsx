// One request, story, bug or task: its state and what rules set on it (priority, severity, assignee,
// tags, custom fields), the closed item it follows up and the items that follow it up, its description, requesters and participants,
// the messages and comments on it and their attachments (downloads). Admins change its state.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { Field } from '../components/field.js';
import { when } from '../components/health.js';
import { bytes, ITEM_LISTS, ITEM_STATES, type Attachment, type Comment, type Item, type ItemList, type Requester, type TrackerMessage } from '../components/message-types.js';
import { useApi } from '../components/use-api.js';
import { isAdmin } from '../session.js';

export function ItemPage({ params }: { params: Record<string, string> }) {
  const list = params.list as ItemList;
  const id = Number(params.id);
  const kind = ITEM_LISTS[list];
  const item = useApi<Item>(kind ? `/tracker/${list}/${id}` : null);
  const requesters = useApi<{ requesters: Requester[] }>('/tracker/requesters');
  const projectId = item.data?.projectId;
  const comments = useApi<{ comments: Comment[] }>(projectId ? `/tracker/comments?projectId=${projectId}` : null);
  // Attachments cannot be asked for by item; the listing is filtered here.
  const attachments = useApi<{ attachments: Attachment[] }>('/tracker/attachments');
  if (!kind) return <section><h1>Not found</h1><p>There are no “{params.list}” in the tracker. <a href="/tracker">Go to the tracker</a>.</p></section>;
  const it = item.data;
  const own = comments.data?.comments.filter((c) => c.itemId === id) ?? [];
  const messageIds = new Set([...(it?.messageIds ?? []), ...own.flatMap((c) => (c.messageId !== null ? [c.messageId] : []))]);
  const files = attachments.data?.attachments.filter((a) => a.itemId === id || (a.messageId !== null && messageIds.has(a.messageId))) ?? [];
  return (
    <section>
      <nav aria-label="Breadcrumb" class="crumbs">
        <ol><li><a href="/tracker">Tracker</a></li>{it && <li><a href={`/tracker/projects/${it.projectId}`}>Project {it.projectId}</a></li>}<li aria-current="page">{kind} #{id}</li></ol>
      </nav>
      {item.error && <p class="error" role="alert">{item.error}</p>}
      {it && (
        <>
          <h1>{it.name}</h1>
          <p>{kind} #{it.id}, {it.isPrivate ? 'private' : 'public'}, created {when(it.createdAt)}{it.teamId !== null ? `, team ${it.teamId}` : ''}.</p>
          {it.followsUp !== null && <p class="follows-up">Follows up #{it.followsUp}: a reply to it came after it was closed.</p>}
          {it.followedUpBy.length > 0 && (
            <p class="followed-up">Followed up by {it.followedUpBy.map((n) => `#${n}`).join(', ')}: replies to it came after it was closed.</p>
          )}
          <Details item={it} />
          {isAdmin() && <StateForm list={list} item={it} onChanged={item.reload} />}
          <h2>Description</h2>
          <pre class="mail-text">{it.description || '(no description)'}</pre>
          <h2>Requesters</h2>
          {requesters.error && <p class="error" role="alert">The requesters' names could not be loaded: {requesters.error}</p>}
          {it.requesterIds.length === 0 ? <p>None.</p> : (
            <ul>{it.requesterIds.map((rid) => { const r = requesters.data?.requesters.find((x) => x.id === rid); return <li key={rid}>{r ? `${r.name ? `${r.name} ` : ''}<${r.email}>` : `requester ${rid}`}</li>; })}</ul>
          )}
          {it.participants.length > 0 && (
            <>
              <h2>Participants</h2>
              <p class="hint">Cc'd on replies; they may reply to this {kind} too.</p>
              <ul>{it.participants.map((email) => <li key={email}>{email}</li>)}</ul>
            </>
          )}
          <h2>Messages</h2>
          {it.messageIds.length === 0 ? <p>None.</p> : <ul>{it.messageIds.map((mid) => <MessageLine key={mid} id={mid} />)}</ul>}
          <h2>Comments</h2>
          {comments.error && <p class="error" role="alert">{comments.error}</p>}
          {own.length === 0 ? <p>No comments yet: replies to this {kind} become comments.</p> : (
            <ol class="comments">{own.map((c) => c.kind === 'note'
              // A note is mailbind speaking (a bounce of our mail), never to be read as the requester's words.
              ? <li key={c.id} class="note"><p class="hint">{when(c.createdAt)} · note from mailbind</p><p>{c.body}</p></li>
              : <li key={c.id}><p class="hint">{when(c.createdAt)}</p><pre class="mail-text">{c.body}</pre><QuotedText text={c.quotedText} /></li>)}</ol>
          )}
          <h2>Attachments</h2>
          {attachments.error && <p class="error" role="alert">{attachments.error}</p>}
          {files.length === 0 ? <p>None.</p> : (
            <ul class="attachments">{files.map((a) => <li key={a.id}><a href={`/api/v1/tracker/attachments/${a.id}/content`} download={a.fileName}>{a.fileName}</a> <span class="hint">{a.contentType}, {bytes(a.size)}</span></li>)}</ul>
          )}
        </>
      )}
    </section>
  );
}

/** The state and what rules set; what nothing set is left out (severity is for bugs only). */
function Details({ item }: { item: Item }) {
  const set = ([, value]: [string, string]) => value !== '';
  const own: Array<[string, string]> = [
    ['State', item.state],
    ['Priority', item.priority ?? ''],
    ['Severity', item.severity ?? ''],
    ['Assignee', item.assignee ?? ''],
    ['Tags', item.tags.join(', ')],
  ];
  const custom = Object.entries(item.fields);
  return (
    <>
      <dl class="headers">{own.filter(set).map(([name, value]) => <Fragment key={name}><dt>{name}</dt><dd>{value}</dd></Fragment>)}</dl>
      {custom.length > 0 && (
        <>
          <h2>Custom fields</h2>
          <dl class="headers">{custom.map(([name, value]) => <Fragment key={name}><dt>{name}</dt><dd>{value || '—'}</dd></Fragment>)}</dl>
        </>
      )}
    </>
  );
}

function MessageLine({ id }: { id: number }) {
  const m = useApi<TrackerMessage>(`/tracker/messages/${id}`);
  if (m.error) return <li class="error">{m.error}</li>;
  if (!m.data) return <li>Loading message {id}…</li>;
  const subject = m.data.subject || '(no subject)';
  return (
    <li>
      {m.data.inboxItemId !== null ? <a href={`/messages/${m.data.inboxItemId}`}>{subject}</a> : subject} <span class="hint">from {m.data.fromAddress ?? 'unknown'}, {when(m.data.sentAt)}</span>
    </li>
  );
}

function StateForm({ list, item, onChanged }: { list: ItemList; item: Item; onChanged: () => Promise<void> }) {
  const [state, setState] = useState(item.state);
  const [error, setError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      await api(`/tracker/${list}/${item.id}`, { method: 'PATCH', body: { state } });
      await onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={save}>
      <Field id="item-state" label="State" error={error}>
        <select id="item-state" value={state} onChange={(e) => setState(e.currentTarget.value)}>{ITEM_STATES.map((s) => <option key={s} value={s}>{s}</option>)}</select>
      </Field>
      <button type="submit" disabled={saving || state === item.state}>{saving ? 'Saving…' : 'Change state'}</button>
    </form>
  );
}

/** What was stripped from the reply (its quote, a forwarded mail, the signature), folded away until asked for. */
function QuotedText({ text }: { text: string | null }) {
  if (!text) return null;
  const lines = text.split('\n').length;
  return (
    <details class="quoted-text">
      <summary>Show quoted text ({lines} {lines === 1 ? 'line' : 'lines'})</summary>
      <pre class="mail-text">{text}</pre>
    </details>
  );
}
