// One message: what happened to it (outcome, what it created, the trace in words), what it says, its
// attachments and raw download, and for admins retry and reprocess, each confirmed first.
import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { when } from '../components/health.js';
import { MessageContent } from '../components/message-content.js';
import { MessageTrace } from '../components/message-trace.js';
import type { MessageBody, MessageDetail } from '../components/message-types.js';
import { OutcomeBadge } from '../components/outcome.js';
import { useApi } from '../components/use-api.js';
import { isAdmin } from '../session.js';

const CREATED_LINK: Record<string, (id: number) => string | null> = {
  requests: (id) => `/tracker/requests/${id}`,
  stories: (id) => `/tracker/stories/${id}`,
  bugs: (id) => `/tracker/bugs/${id}`,
  tasks: (id) => `/tracker/tasks/${id}`,
};

export function MessagePage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const detail = useApi<MessageDetail>(`/messages/${id}`);
  const body = useApi<MessageBody>(`/messages/${id}/body`);
  const [done, setDone] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const m = detail.data;
  const run = async (what: () => Promise<string>) => {
    setDone(null);
    setFailed(null);
    try {
      const outcome = await what();
      await detail.reload(); // before the outcome is announced, so the page already shows it
      setDone(outcome);
    } catch (e) {
      setFailed(errorText(e));
    }
  };
  return (
    <section>
      <nav aria-label="Breadcrumb" class="crumbs"><ol><li><a href="/messages">Messages</a></li><li aria-current="page">Message {id}</li></ol></nav>
      {detail.error && <p class="error" role="alert">{detail.error}</p>}
      {!m && !detail.error && <p role="status">Loading…</p>}
      {m && (
        <>
          <h1>{m.subject || '(no subject)'}</h1>
          <p>
            <OutcomeBadge message={m} /> Received {when(m.receivedAt)}{m.processedAt ? `, processed ${when(m.processedAt)}` : ''}
            {m.attempts > 1 ? `, after ${m.attempts} attempts` : ''}.
          </p>
          {m.reason && <p>Why: {m.reason}</p>}
          {m.lastError && <p class="error">Last error: {m.lastError}</p>}
          <Created created={m.created} actions={m.actions} />
          <div class="actions-row">
            <a class="button secondary" href={`/api/v1/messages/${id}/raw`} download>Download raw message</a>
            {isAdmin() && (
              <>
                <ConfirmButton label="Retry" busyLabel="Retrying…" question="Process this message again now, with the current rules?"
                  onConfirm={() => run(async () => `Retried: ${(await api<{ outcome: string }>(`/messages/${id}/retry`, { method: 'POST' })).outcome}.`)} />
                <ConfirmButton label="Reprocess skipped" busyLabel="Reprocessing…" question="Run every skipped message of this profile through its current rules?"
                  onConfirm={() => run(async () => `Reprocessed ${(await api<{ messages: unknown[] }>('/messages/reprocess', { body: { profileId: m.profileId } })).messages.length} skipped message(s).`)} />
              </>
            )}
          </div>
          {done && <p class="saved" role="status">{done}</p>}
          {failed && <p class="error" role="alert">{failed}</p>}
          <h2>How it was decided</h2>
          <MessageTrace message={m} />
        </>
      )}
      <h2>Content</h2>
      {body.error && <p class="error" role="alert">{body.error}</p>}
      {!body.data && !body.error && <p role="status">Loading the content…</p>}
      {body.data && <MessageContent id={id} body={body.data} />}
    </section>
  );
}

function Created({ created, actions }: { created: Record<string, number[]>; actions: string[] }) {
  const links = Object.entries(created).flatMap(([kind, ids]) => ids.map((id) => ({ kind, id, href: CREATED_LINK[kind]?.(id) ?? null })));
  if (actions.length === 0 && links.length === 0) return null;
  return (
    <div>
      {actions.length > 0 && <p>Actions: {actions.join('; ')}.</p>}
      {links.filter((l) => l.href).length > 0 && (
        <p>Created: {links.filter((l) => l.href).map((l, i) => <span key={`${l.kind}${l.id}`}>{i > 0 ? ', ' : ''}<a href={l.href!}>{l.kind.replace(/s$/, '').replace(/ie$/, 'y')} #{l.id}</a></span>)}</p>
      )}
    </div>
  );
}
