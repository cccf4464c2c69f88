// Each profile's health at a glance, and the last 24 hours of mail per hour by outcome.
import { Health, when } from '../components/health.js';
import { HourlyChart, type Hour } from '../components/hourly-chart.js';
import type { ProfileStatus } from '../components/types.js';
import { useApi } from '../components/use-api.js';

export function DashboardPage() {
  const { data, error } = useApi<{ profiles: ProfileStatus[] }>('/status');
  const hourly = useApi<{ hours: Hour[] }>('/stats/hourly?hours=24');
  return (
    <section>
      <h1>Dashboard</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {data && data.profiles.length === 0 && (
        <p class="empty">No profiles yet — <a href="/settings/plugins/email-integration/new">Add Profile</a> to connect a mailbox.</p>
      )}
      <h2>Last 24 hours</h2>
      {hourly.error && <p class="error" role="alert">{hourly.error}</p>}
      {hourly.data && <HourlyChart hours={hourly.data.hours} />}
      {data && data.profiles.length > 0 && (
        <table>
          <caption class="visually-hidden">Profiles and their health</caption>
          <thead><tr><th scope="col">Profile</th><th scope="col">Health</th><th scope="col">Last poll</th><th scope="col">Backlog</th><th scope="col">Today</th></tr></thead>
          <tbody>
            {data.profiles.map((p) => (
              <tr key={p.id}>
                <td><a href={`/settings/plugins/email-integration/${p.id}`}>{p.name}</a></td>
                <td><Health status={p} /></td>
                <td>{when(p.lastPollAt)}</td>
                <td>{p.backlog}</td>
                <td>{Object.entries(p.countsToday).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing yet'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
