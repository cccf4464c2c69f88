// /ui/profiles/NAME: a profile's page by its name, for links made outside the UI (the OAuth2 sign-in
// comes back to /ui/profiles/NAME?signedIn=1). It finds the profile and takes its place in the history
// (Back does not land here again), keeping the query for the profile page to read.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import type { Profile } from '../components/types.js';

export function ProfileByNamePage({ params }: { params: Record<string, string> }) {
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api<{ profiles: Profile[] }>('/profiles').then(({ profiles }) => {
      const found = profiles.find((p) => p.name === params.name);
      if (!found) return setProblem(`There is no profile named ${params.name}.`);
      history.replaceState(history.state, '', `/settings/plugins/email-integration/${found.id}${location.search}`);
      dispatchEvent(new PopStateEvent('popstate'));
    }, (e) => setProblem(errorText(e)));
  }, [params.name]);
  if (!problem) return <p role="status">Loading…</p>;
  return (
    <section>
      <h1>Profile {params.name}</h1>
      <p class="error" role="alert">{problem} <a href="/settings/plugins/email-integration">See all profiles</a>.</p>
    </section>
  );
}
