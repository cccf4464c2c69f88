// The names of the tracker's projects and teams, for the rules editor's warnings, completion and
// hover. Loaded once per page from the API; until then (or if that fails) ids are simply not checked.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.js';

export interface Names {
  projects: Map<number, { name: string; deleted: boolean }>;
  teams: Map<number, { name: string }>;
}

export function useTrackerNames(): { names: Names | undefined; error: string | null } {
  const [names, setNames] = useState<Names | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([
      api<{ projects: Array<{ id: number; name: string; deleted?: boolean }> }>('/tracker/projects'),
      api<{ teams: Array<{ id: number; name: string }> }>('/tracker/teams'),
    ]).then(
      ([p, t]) => live && setNames({
        projects: new Map(p.projects.map((x) => [x.id, { name: x.name, deleted: Boolean(x.deleted) }])),
        teams: new Map(t.teams.map((x) => [x.id, { name: x.name }])),
      }),
      (e) => live && setError(errorText(e)),
    );
    return () => void (live = false);
  }, []);
  return { names, error };
}

/** "project 2 (Billing)", "team 1 (Support)", or what is wrong with the id. */
export function describeId(kind: 'project' | 'team', id: number, names: Names | undefined): string {
  if (!names) return `${kind} ${id}`;
  const found = kind === 'project' ? names.projects.get(id) : names.teams.get(id);
  if (!found) return `${kind} ${id} does not exist in the tracker`;
  return `${kind} ${id}: ${found.name}${'deleted' in found && found.deleted ? ' (deleted)' : ''}`;
}
