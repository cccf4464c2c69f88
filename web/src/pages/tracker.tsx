// The tracker at a glance: its projects (each opens with its inbox and items) and the people and
// groups mail is matched against — companies with their domains, requesters, teams, users. Admins
// add and change them here; viewers read.
import type { Company, Project, Requester } from '../components/message-types.js';
import { KeptTable } from '../components/kept-table.js';
import { useApi } from '../components/use-api.js';
import { isAdmin } from '../session.js';

export function TrackerPage() {
  const admin = isAdmin();
  const projects = useApi<{ projects: Project[] }>('/tracker/projects');
  const companies = useApi<{ companies: Company[] }>('/tracker/companies');
  const requesters = useApi<{ requesters: Requester[] }>('/tracker/requesters');
  const teams = useApi<{ teams: Array<{ id: number; name: string }> }>('/tracker/teams');
  const users = useApi<{ users: Array<{ id: number; name: string; email: string }> }>('/tracker/users');
  const companyName = (id: number | null) => (id === null ? '' : companies.data?.companies.find((c) => c.id === id)?.name ?? `company ${id}`);
  const errors = [projects, companies, requesters, teams, users].map((r) => r.error).filter(Boolean);
  return (
    <section>
      <h1>Tracker</h1>
      {errors.map((e, i) => <p key={i} class="error" role="alert">{e}</p>)}
      <KeptTable kind="projects" title="Projects" admin={admin} rows={projects.data?.projects} onChanged={projects.reload}
        empty={admin ? 'No projects yet — add one, then name it in a profile’s rules (attach to project ID).' : 'No projects yet; an admin can add them.'}
        columns={[
          { label: 'Id', show: (p) => p.id },
          { field: 'name', label: 'Name', required: true, value: (p) => p.name, show: (p) => <a href={`/tracker/projects/${p.id}`}>{p.name}</a> },
          { field: 'code', label: 'Code', nullable: true, value: (p) => p.code ?? '', show: (p) => p.code ?? '—' },
          { field: 'company', label: 'Company', nullable: true, value: (p) => companyName(p.companyId), show: (p) => companyName(p.companyId) },
          { label: 'State', show: (p) => (p.deleted ? 'deleted' : 'active') },
        ]} />
      <KeptTable kind="companies" title="Companies" admin={admin} rows={companies.data?.companies} onChanged={companies.reload}
        empty="No companies yet. A company’s email domains tie new senders to it."
        columns={[
          { field: 'name', label: 'Name', required: true, value: (c) => c.name, show: (c) => c.name },
          { field: 'domains', label: 'Domains', list: true, value: (c) => c.domains.join(', '), show: (c) => c.domains.join(', ') || '—' },
        ]} />
      <KeptTable kind="requesters" title="Requesters" admin={admin} rows={requesters.data?.requesters} onChanged={requesters.reload}
        empty="No requesters yet: they are added as mail from new senders is imported."
        columns={[
          { field: 'email', label: 'Email', required: true, value: (r) => r.email, show: (r) => r.email },
          { field: 'name', label: 'Name', value: (r) => r.name, show: (r) => r.name },
          { field: 'company', label: 'Company', nullable: true, value: (r) => companyName(r.companyId), show: (r) => companyName(r.companyId) || '—' },
        ]} />
      <KeptTable kind="teams" title="Teams" admin={admin} rows={teams.data?.teams} onChanged={teams.reload}
        empty="No teams yet. Rules can assign requests to a team (attach request to team ID)."
        columns={[{ label: 'Id', show: (t) => t.id }, { field: 'name', label: 'Name', required: true, value: (t) => t.name, show: (t) => t.name }]} />
      <KeptTable kind="users" title="Users" admin={admin} rows={users.data?.users} onChanged={users.reload}
        empty="No users yet. Mail from a user's address is theirs, never a requester's."
        columns={[
          { field: 'email', label: 'Email', required: true, value: (u) => u.email, show: (u) => u.email },
          { field: 'name', label: 'Name', required: true, value: (u) => u.name, show: (u) => u.name },
        ]} />
    </section>
  );
}
