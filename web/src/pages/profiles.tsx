// Settings → Plugins → Email Integration: the profiles with their status, and Add Profile.
import { Health, when } from '../components/health.js';
import type { Profile, ProfileStatus } from '../components/types.js';
import { useApi } from '../components/use-api.js';
import { isAdmin } from '../session.js';

export function ProfilesPage() {
  const profiles = useApi<{ profiles: Profile[] }>('/profiles');
  const statuses = useApi<{ profiles: ProfileStatus[] }>('/status');
  const statusOf = (id: number) => statuses.data?.profiles.find((s) => s.id === id);
  return (
    <section>
      <nav aria-label="Breadcrumb" class="crumbs"><ol><li>Settings</li><li>Plugins</li><li aria-current="page">Email Integration</li></ol></nav>
      <div class="heading-row">
        <h1>Email Integration</h1>
        {isAdmin() && <a class="button" href="/settings/plugins/email-integration/new">Add Profile</a>}
      </div>
      {profiles.error && <p class="error" role="alert">{profiles.error}</p>}
      {statuses.error && <p class="error" role="alert">The status of the profiles could not be loaded: {statuses.error}</p>}
      {profiles.data && profiles.data.profiles.length === 0 && (
        <p class="empty">No profiles yet — {isAdmin() ? <a href="/settings/plugins/email-integration/new">Add Profile</a> : 'an admin can add one'} to connect a mailbox and route its mail with rules.</p>
      )}
      {profiles.data && profiles.data.profiles.length > 0 && (
        <table>
          <caption class="visually-hidden">Mailbox profiles</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Mailbox</th><th scope="col">Rules</th><th scope="col">Status</th><th scope="col">Last success</th></tr></thead>
          <tbody>
            {profiles.data.profiles.map((p) => {
              const status = statusOf(p.id);
              return (
                <tr key={p.id}>
                  <td><a href={`/settings/plugins/email-integration/${p.id}`}>{p.name}</a></td>
                  <td>{p.source ? `${p.source.protocol.toUpperCase()} ${p.source.login ?? ''}${p.source.host ? `@${p.source.host}` : ''}` : 'import only'}</td>
                  <td>{p.ruleCount}</td>
                  <td>{status ? <Health status={status} /> : statuses.error ? 'unknown (see above)' : '…'}</td>
                  <td>{status ? when(status.lastSuccessAt) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
