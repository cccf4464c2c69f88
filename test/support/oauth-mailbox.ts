// OAuth2 mailboxes for the token tests: the loopback OpenID provider (oidc-provider.ts), a Dovecot that
// checks its tokens (dovecot.ts `oauth2`), a store and an App, OAuth2 profiles on them, and a sign-in done
// with the product's own client code (authorizationRequest, the provider's pages, exchangeCode, saveSignIn).
// The app-level sign-in flow (routes, CLI) is tested elsewhere; this is the part the tokens need.
//
//   const rig = await startOAuthMailbox({ provider: { accessTokenTtlSeconds: 3 } });
//   after(() => rig?.cleanup());
//   const profile = await rig.addProfile('support', { protocol: 'imap' });
//   const issued = await rig.signIn(profile);
//   await rig.dc.deliver(ALICE, makeMessage());
import { assemble, type App } from '../../src/app/app.js';
import { authorizationRequest, exchangeCode, type SignedIn } from '../../src/sources/oauth/client.js';
import { oauthAppOf, scopesOf } from '../../src/sources/oauth/app.js';
import type { TokenContext } from '../../src/sources/oauth/access-tokens.js';
import { settingsToStore } from '../../src/sources/profile-settings.js';
import { validateSettings, type SourceSettingsInput } from '../../src/sources/settings.js';
import { saveSignIn } from '../../src/store/oauth-tokens.js';
import { createProfile, getProfile, type Profile } from '../../src/store/profiles.js';
import { SecretBox } from '../../src/store/secrets.js';
import { addProject } from '../../src/tracker/builtin/admin.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { startOidcProvider, type OidcProviderOptions, type OidcTestProvider } from './oidc-provider.js';
import { openTestStore, type TestDialect, type TestStore } from './store.js';

export const ALICE = 'alice@example.test';
export const BOB = 'bob@example.test';
/** A mailbox user that only logs in with its password. */
export const CAROL = 'carol';
export const CAROL_PASSWORD = 'carolpw';
export const REDIRECT = 'http://127.0.0.1/callback';
/** Every message becomes a request in project 1: a poll that stored mail leaves an outcome to see. */
export const RULES = 'then attach to project 1 and create request in project 1';

export interface OAuthMailboxOptions {
  /**
   * The accounts at the provider, each also a Dovecot user (password: its local part + 'pw'). Default
   * ALICE and BOB. Tests that poll give each profile an account of its own: a mailbox two profiles read
   * would bring one profile the other's mail.
   */
  accounts?: string[];
  dialect?: TestDialect;
  provider?: OidcProviderOptions;
  /** A scope Dovecot insists the token carries (its introspection answer's scope). */
  requiredScope?: string;
  /** Dovecot's `disable_plaintext_auth = yes` (met only from 127.0.0.5: see dovecot.ts). */
  disablePlaintextAuth?: boolean;
}

export interface ProfileOptions {
  protocol?: 'imap' | 'pop3';
  /** Default: none, so the sign-in's account is the login. */
  login?: string;
  /** Default: the identity scopes and the protocol's (`imap` or `pop`). */
  scopes?: string;
  pollSeconds?: number;
  idle?: boolean;
  /** The provider's endpoints given as settings (beside its issuer) instead of discovered: a proxy's, say. */
  endpoints?: { authorizationUrl: string; tokenUrl: string };
}

export interface OAuthMailbox {
  op: OidcTestProvider;
  dc: Dovecot;
  t: TestStore;
  app: App;
  secrets: SecretBox;
  /** What the token functions take. */
  ctx: TokenContext;
  /** An OAuth2 profile (custom provider: the test provider by discovery, its confidential client) on this Dovecot. */
  addProfile(name: string, options?: ProfileOptions): Promise<Profile>;
  /** A password profile for CAROL on the same Dovecot. */
  addPasswordProfile(name: string, options?: Pick<ProfileOptions, 'protocol' | 'pollSeconds' | 'idle'>): Promise<Profile>;
  /** Sign in as `login` (default: the first account) and store the tokens; returns what the provider issued. */
  signIn(profile: Profile, login?: string): Promise<SignedIn>;
  cleanup(): Promise<void>;
}

export async function startOAuthMailbox(options: OAuthMailboxOptions = {}): Promise<OAuthMailbox> {
  const accounts = options.accounts ?? [ALICE, BOB];
  const op = await startOidcProvider({ accounts: accounts.map((id) => ({ id })), ...options.provider });
  let dc: Dovecot | undefined;
  let t: TestStore | undefined;
  try {
    dc = await startDovecot({
      users: [...accounts.map((user) => ({ user, password: `${user.split('@')[0]}pw` })), { user: CAROL, password: CAROL_PASSWORD }],
      oauth2: { introspectionUrl: op.introspectionUrl, ...(options.requiredScope ? { requiredScope: options.requiredScope } : {}) },
      ...(options.disablePlaintextAuth ? { disablePlaintextAuth: true } : {}),
    });
    t = await openTestStore(options.dialect ?? 'sqlite');
    await addProject(t.store.db, { name: 'General' });
  } catch (error) {
    await t?.cleanup();
    await dc?.stop();
    await op.stop();
    throw error;
  }
  const store = t;
  const dovecot = dc;
  const app = assemble(store.store);
  const secrets = app.secrets();
  const common = (protocol: 'imap' | 'pop3', o: ProfileOptions) => ({
    protocol, host: '127.0.0.1', port: protocol === 'imap' ? dovecot.ports.imap : dovecot.ports.pop3, tls: 'none' as const,
    pollSeconds: o.pollSeconds ?? 3600, idle: o.idle ?? false, firstRun: 'all',
  });
  const create = async (name: string, input: SourceSettingsInput) => createProfile(store.store.db, { name, rules: RULES, source: settingsToStore(input, secrets) });
  return {
    op,
    dc: dovecot,
    t: store,
    app,
    secrets,
    ctx: { db: store.store.db, secrets },
    addProfile: (name, o = {}) => {
      const protocol = o.protocol ?? 'imap';
      return create(name, {
        ...common(protocol, o),
        ...(o.login ? { login: o.login } : {}),
        auth: 'oauth2', oauthProvider: 'custom', oauthIssuer: op.issuer, oauthClientId: op.client.id, oauthClientSecret: op.client.secret,
        oauthScopes: o.scopes ?? `openid email offline_access ${protocol === 'imap' ? 'imap' : 'pop'}`,
        ...(o.endpoints ? { oauthAuthorizationUrl: o.endpoints.authorizationUrl, oauthTokenUrl: o.endpoints.tokenUrl } : {}),
      } as SourceSettingsInput);
    },
    addPasswordProfile: (name, o = {}) => create(name, { ...common(o.protocol ?? 'imap', o), login: CAROL, password: CAROL_PASSWORD } as SourceSettingsInput),
    signIn: async (profile, login = accounts[0]!) => {
      const stored = validateSettings((await getProfile(store.store.db, profile.id)).source!);
      const oauth = oauthAppOf(stored, secrets)!;
      const request = await authorizationRequest(oauth, REDIRECT, scopesOf(stored), login);
      const callback = await op.signIn(request.url, { login });
      const signed = await exchangeCode(oauth, callback, { ...request, redirectUri: REDIRECT });
      await saveSignIn(store.store.db, secrets, profile.id, { ...signed, account: signed.email ?? login, subject: signed.subject, destination: oauth.destination });
      return signed;
    },
    cleanup: async () => {
      await store.cleanup();
      await dovecot.stop();
      await op.stop();
    },
  };
}
