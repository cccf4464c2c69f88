// One project: its inbox (the messages attached to it, each linked to the message log) and its
// requests, stories, bugs and tasks.
import { when } from '../components/health.js';
import { ITEM_LISTS, type Item, type ItemList, type Project, type TrackerMessage } from '../components/message-types.js';
import { useApi } from '../components/use-api.js';

export function ProjectPage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const project = useApi<Project>(`/tracker/projects/${id}`);
  const inbox = useApi<{ messages: TrackerMessage[] }>(`/tracker/messages?projectId=${id}`);
  return (
    <section>
      <nav aria-label="Breadcrumb" class="crumbs"><ol><li><a href="/tracker">Tracker</a></li><li aria-current="page">Project {id}</li></ol></nav>
      {project.error && <p class="error" role="alert">{project.error}</p>}
      <h1>{project.data ? `${project.data.name}${project.data.code ? ` (${project.data.code})` : ''}${project.data.deleted ? ' (deleted)' : ''}` : `Project ${id}`}</h1>
      <h2>Inbox</h2>
      {inbox.error && <p class="error" role="alert">{inbox.error}</p>}
      {inbox.data?.messages.length === 0 && <p class="empty">No messages attached yet. A rule with “attach to project {id}” puts mail here.</p>}
      {inbox.data && inbox.data.messages.length > 0 && (
        <table>
          <caption class="visually-hidden">Messages attached to the project</caption>
          <thead><tr><th scope="col">Sent</th><th scope="col">Subject</th><th scope="col">From</th></tr></thead>
          <tbody>
            {[...inbox.data.messages].reverse().map((m) => (
              <tr key={m.id}>
                <td>{when(m.sentAt)}</td>
                <td>{m.inboxItemId !== null ? <a href={`/messages/${m.inboxItemId}`}>{m.subject || '(no subject)'}</a> : m.subject || '(no subject)'}</td>
                <td>{m.fromName ? `${m.fromName} <${m.fromAddress}>` : m.fromAddress ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(Object.keys(ITEM_LISTS) as ItemList[]).map((list) => <Items key={list} list={list} projectId={id} />)}
    </section>
  );
}

function Items({ list, projectId }: { list: ItemList; projectId: number }) {
  const items = useApi<Record<string, Item[]>>(`/tracker/${list}?projectId=${projectId}`);
  const rows = items.data?.[list];
  const title = list[0]!.toUpperCase() + list.slice(1);
  return (
    <>
      <h2>{title}</h2>
      {items.error && <p class="error" role="alert">{items.error}</p>}
      {rows?.length === 0 && <p class="empty">No {list} yet. A rule with “create {ITEM_LISTS[list]} in project {projectId}” makes them from mail.</p>}
      {rows && rows.length > 0 && (
        <table>
          <caption class="visually-hidden">{title} of the project</caption>
          <thead><tr><th scope="col">#</th><th scope="col">Name</th><th scope="col">State</th><th scope="col">Created</th></tr></thead>
          <tbody>
            {rows.map((item) => (
              <tr key={item.id}>
                <td>{item.id}</td>
                <td><a href={`/tracker/${list}/${item.id}`}>{item.name}</a>{item.isPrivate ? ' (private)' : ''}</td>
                <td>{item.state}</td>
                <td>{when(item.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
