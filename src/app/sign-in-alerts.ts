// Which alerts the OAuth2 sign-ins call for (alerts.ts sends them): a refresh failing while the access
// token still works (the sign-in is about to stop working), a sign-in that has stopped (someone must sign
// in again), and the sign-in working again. One episode runs from the first trouble seen to the next
// working sign-in (a refresh that worked, or a new sign-in); within it each of "failing" and "stopped"
// is sent at most once, so a stopped sign-in that a forced refresh then reports as failing says nothing
// new. Never a token: the store's status carries none.
import type { SignInStatus } from '../store/oauth-tokens.js';
import type { Profile } from '../store/profiles.js';
import type { Alert } from './alerts.js';
import { isAppRefusal } from '../sources/oauth/client.js';
import { signsIn, stoppedReason } from './sign-in-view.js';

interface Episode {
  failingSent: boolean;
  stoppedSent: boolean;
}

export class SignInAlerts {
  /** Each OAuth2 mailbox in trouble as last checked; one not in it was fine (or not seen yet). */
  private readonly episodes = new Map<number, Episode>();

  /** The alerts for what changed since the last call, given every profile and every stored sign-in. */
  changes(profiles: Profile[], signIns: SignInStatus[], now: number): Alert[] {
    const byId = new Map(signIns.map((s) => [s.profileId, s]));
    const alerts: Alert[] = [];
    const present = new Set<number>();
    for (const profile of profiles) {
      if (!signsIn(profile)) continue;
      present.add(profile.id);
      const signIn = byId.get(profile.id);
      // Not signed in (never, or signed out by a settings change): its polls fail and say so; the
      // episode stays open, so the next sign-in that works is announced as the recovery.
      if (!signIn) continue;
      const episode = this.episodes.get(profile.id);
      const alert = (event: Alert['event'], reason: string): Alert => ({
        event,
        profile: { id: profile.id, name: profile.name },
        reason,
        at: new Date(now).toISOString(),
        details: {
          account: signIn.account,
          state: signIn.state,
          failingSince: signIn.failingSince,
          accessExpiresAt: signIn.accessExpiresAt,
          lastError: signIn.lastError,
          refreshFailures: signIn.refreshFailures,
          hasRefreshToken: signIn.hasRefreshToken,
        },
      });
      if (signIn.state === 'ok') {
        if (episode) alerts.push(alert('sign-in.recovered', `the sign-in as ${signIn.account} works again`));
        this.episodes.delete(profile.id);
        continue;
      }
      const open = episode ?? { failingSent: false, stoppedSent: false };
      this.episodes.set(profile.id, open);
      if (signIn.state === 'failing' && !open.failingSent && !open.stoppedSent) {
        open.failingSent = true;
        alerts.push(alert('sign-in.failing', failingReason(signIn, now)));
      }
      if (signIn.state === 'stopped' && !open.stoppedSent) {
        open.stoppedSent = true;
        // The app's refusal is fixed in the profile's client ID or secret (its words say so), not by a sign-in.
        const how = isAppRefusal(signIn.lastErrorCode) ? '' : `; sign in from the profile page or with \`mailbind profile signin ${profile.name}\``;
        alerts.push(alert('sign-in.stopped', `the sign-in as ${signIn.account} has stopped: ${stoppedReason(signIn.lastError, signIn.lastErrorCode)}${how}`));
      }
    }
    // Deleted, or no longer signing in (a password now): nothing left to recover.
    for (const id of this.episodes.keys()) if (!present.has(id)) this.episodes.delete(id);
    return alerts;
  }
}

function failingReason(signIn: SignInStatus, now: number): string {
  const since = `refreshing its access token has failed since ${signIn.failingSince ?? 'recently'}`;
  const error = signIn.lastError ? `: ${signIn.lastError}` : '';
  if (Date.parse(signIn.accessExpiresAt) > now) {
    return `the sign-in as ${signIn.account} is about to stop working: ${since} (the access token works until ${signIn.accessExpiresAt})${error}`;
  }
  return `the sign-in as ${signIn.account} does not work for now: ${since} and the access token expired at ${signIn.accessExpiresAt}, ` +
    `so the mailbox is not read until a refresh works${error}`;
}
