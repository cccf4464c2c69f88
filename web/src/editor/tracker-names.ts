// The names of the tracker's projects and teams, for the rules editor's warnings, completion and
// hover. Loaded once per page from the API; until then (or if that fails) ids are simply not checked.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.js';

export interface Names {
  projects: Map<number, { name: string; deleted: boolean; code: string | null }>;
  teams: Map<number, { name: string }>;
  /**
   * Project ids by code, lowercased (codes are unique without case). null when the API gives projects
   * no code at all (a tracker without codes): then codes are neither offered nor checked.
   */
  codes: Map<string, number> | null;
}

interface ApiProject {
  id: number;
  name: string;
  deleted?: boolean;
  code?: string | null;
}

export function useTrackerNames(): { names: Names | undefined; error: string | null } {
  const [names, setNames] = useState<Names | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([
      api<{ projects: ApiProject[] }>('/tracker/projects'),
      api<{ teams: Array<{ id: number; name: string }> }>('/tracker/teams'),
    ]).then(
      ([p, t]) => live && setNames(namesOf(p.projects, t.teams)),
      (e) => live && setError(errorText(e)),
    );
    return () => void (live = false);
  }, []);
  return { names, error };
}

export function namesOf(projects: ApiProject[], teams: Array<{ id: number; name: string }>): Names {
  const hasCodes = projects.some((x) => 'code' in x);
  const codes = new Map<string, number>();
  for (const x of projects) if (x.code) codes.set(x.code.toLowerCase(), x.id);
  return {
    projects: new Map(projects.map((x) => [x.id, { name: x.name, deleted: Boolean(x.deleted), code: x.code ?? null }])),
    teams: new Map(teams.map((x) => [x.id, { name: x.name }])),
    codes: hasCodes ? codes : null,
  };
}

/** "project 2: Billing", "team 1: Support", or what is wrong with the id. */
export function describeId(kind: 'project' | 'team', id: number, names: Names | undefined): string {
  if (!names) return `${kind} ${id}`;
  const found = kind === 'project' ? names.projects.get(id) : names.teams.get(id);
  if (!found) return `${kind} ${id} does not exist in the tracker`;
  return `${kind} ${id}: ${found.name}${'deleted' in found && found.deleted ? ' (deleted)' : ''}`;
}

/** "project ACME (id 2): Acme support", or that no project has the code; undefined when codes are unknown. */
export function describeCode(code: string, names: Names | undefined): string | undefined {
  if (!names?.codes) return undefined;
  const id = names.codes.get(code.toLowerCase());
  const found = id === undefined ? undefined : names.projects.get(id);
  if (!found) return `no project has the code ${code}`;
  return `project ${found.code ?? code} (id ${id}): ${found.name}${found.deleted ? ' (deleted)' : ''}`;
}
