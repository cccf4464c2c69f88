// What every ingest measure sets up in its fresh database: the companies, projects and rules of (c), and
// the bench profile (per-sender rate limit off: the mailbox has ~20 messages per sender within minutes,
// and the limit would ignore most of them). Shared by bench/ingest-e2e.ts and bench/ingest-pg.ts, so that
// SQLite and PostgreSQL decide the same messages alike.
import type { Store } from '../src/store/database.js';
import { createProfile, type Profile } from '../src/store/profiles.js';
import { DEFAULT_THREADING } from '../src/store/threading-settings.js';
import { addCompany, addProject } from '../src/tracker/builtin/admin.js';

export const RULES = [
  "when subject contains 'urgent' and company matched to project 2 then attach to project 2 and create request in project 2",
  'when company matched to project 2 then attach to project 2',
  'then attach to project 1 and create request in project 1',
  '',
].join('\n');

/** The companies, projects and the `bench` profile; `source` is the stored mailbox settings, if any. */
export async function setUpBenchProfile(store: Store, source: Parameters<typeof createProfile>[1]['source'] = null): Promise<Profile> {
  await addCompany(store.db, { name: 'Acme', domains: ['acme.example'] });
  await addProject(store.db, { name: 'General' });
  await addProject(store.db, { name: 'Acme', company: 'Acme' });
  return createProfile(store.db, { name: 'bench', rules: RULES, threading: { ...DEFAULT_THREADING, rateLimitPerSenderHour: 0 }, source });
}
