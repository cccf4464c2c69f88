// How mailbind gets into a mailbox, on the profile form: with its password, or with OAuth2 tokens from a
// sign-in at Google, Microsoft 365 or any standards-compliant provider. This file holds the OAuth2 part of
// the form (the choice, the provider, the app registered there) and what of it is sent; the password field
// stays with the login on the profile page. The client secret is write-only like the password.
import { OAUTH_PRESETS, presetHost, requestedScopes } from '../../../src/sources/oauth/presets.js';
import { described, Field } from './field.js';
import type { AuthMethod, Mailbox, OAuthProvider } from './types.js';

export interface AccessForm {
  auth: AuthMethod;
  oauthProvider: OAuthProvider;
  oauthClientId: string;
  /** As typed; empty keeps the stored one. */
  oauthClientSecret: string;
  oauthIssuer: string;
  oauthAuthorizationUrl: string;
  oauthTokenUrl: string;
  oauthScopes: string;
}

export const EMPTY_ACCESS: AccessForm = {
  auth: 'password', oauthProvider: 'google', oauthClientId: '', oauthClientSecret: '', oauthIssuer: '', oauthAuthorizationUrl: '', oauthTokenUrl: '', oauthScopes: '',
};

export const PROVIDER_NAMES: Record<OAuthProvider, string> = { google: 'Google', microsoft: 'Microsoft 365', custom: 'Custom provider' };

type Polled = 'imap' | 'pop3';
/** The settings typed into a text field (the rest are chosen). */
type TypedAccess = Exclude<keyof AccessForm, 'auth' | 'oauthProvider'>;
/** Where the provider is found and what is asked of it: each provider shows only some of them. */
type ProviderSetting = 'oauthIssuer' | 'oauthAuthorizationUrl' | 'oauthTokenUrl' | 'oauthScopes';

/**
 * The settings each provider shows. Those it does not show are sent empty (back to the default): kept,
 * a Microsoft tenant's issuer or a custom provider's would still be where a switch to Google signs in.
 */
const SHOWN: Record<OAuthProvider, readonly ProviderSetting[]> = {
  google: [],
  microsoft: ['oauthIssuer'],
  custom: ['oauthIssuer', 'oauthAuthorizationUrl', 'oauthTokenUrl', 'oauthScopes'],
};
const shows = (provider: OAuthProvider, key: ProviderSetting) => SHOWN[provider].includes(key);

export function accessFormOf(s: Mailbox | null): AccessForm {
  if (!s) return EMPTY_ACCESS;
  return {
    auth: s.auth ?? 'password', oauthProvider: s.oauthProvider ?? 'google', oauthClientId: s.oauthClientId ?? '', oauthClientSecret: '',
    oauthIssuer: s.oauthIssuer ?? '', oauthAuthorizationUrl: s.oauthAuthorizationUrl ?? '', oauthTokenUrl: s.oauthTokenUrl ?? '', oauthScopes: s.oauthScopes ?? '',
  };
}

/**
 * The access settings to send, before the page keeps only what changed: for OAuth2 the provider and its app
 * (an emptied optional one, or one the provider does not show, is null: back to the default), the client
 * secret only when typed. A mailbox on a password sends only that: its OAuth2 settings stay stored, unused,
 * should it switch back. The form keeps what was typed in hidden fields, should the person switch back.
 */
export function accessSettings(form: AccessForm): Record<string, unknown> {
  if (form.auth !== 'oauth2') return { auth: 'password' };
  const optional = (value: string) => (value.trim() ? value.trim() : null);
  const shown = (key: ProviderSetting) => (shows(form.oauthProvider, key) ? optional(form[key]) : null);
  return {
    auth: 'oauth2',
    oauthProvider: form.oauthProvider,
    oauthClientId: optional(form.oauthClientId),
    oauthIssuer: shown('oauthIssuer'),
    oauthAuthorizationUrl: shown('oauthAuthorizationUrl'),
    oauthTokenUrl: shown('oauthTokenUrl'),
    oauthScopes: shown('oauthScopes'),
    ...(form.oauthClientSecret ? { oauthClientSecret: form.oauthClientSecret } : {}),
  };
}

/** The provider's mail server for this protocol, which the service uses when the Server field is empty. */
export function providerHost(form: AccessForm, protocol: Polled): string | null {
  return form.auth === 'oauth2' ? presetHost(form.oauthProvider, protocol) : null;
}

/**
 * The server to show after the provider or protocol changed: the preset's, unless the person typed their
 * own (a host that is no preset's is theirs, and stays).
 */
export function hostAfterProviderChange(host: string, provider: OAuthProvider, protocol: Polled): string {
  const presetHosts = Object.values(OAUTH_PRESETS).flatMap((p) => Object.values(p.hosts));
  if (host.trim() && !presetHosts.includes(host.trim())) return host;
  return presetHost(provider, protocol) ?? '';
}

/** Password or OAuth2, and the provider: near the top of the mailbox, as the server's default follows from it. */
export function AccessChoice({ form, onAuth, onProvider, error }: {
  form: AccessForm;
  onAuth: (auth: AuthMethod) => void;
  onProvider: (provider: OAuthProvider) => void;
  error: (field: string) => string | undefined;
}) {
  // Check Connection's `token` step names the field `oauth`: whatever is wrong with the sign-in is shown here.
  const accessError = error('auth') ?? error('oauth');
  return (
    <>
      <fieldset class="choices" aria-describedby={accessError ? 'auth-error' : undefined}>
        <legend>Access</legend>
        <label class="inline"><input type="radio" name="auth" value="password" checked={form.auth === 'password'} onChange={() => onAuth('password')} /> With the mailbox's password</label>
        <label class="inline"><input type="radio" name="auth" value="oauth2" checked={form.auth === 'oauth2'} onChange={() => onAuth('oauth2')} /> With OAuth2: sign in at Google, Microsoft 365 or another provider</label>
        {accessError && <p class="error" id="auth-error" role="alert">{accessError}</p>}
      </fieldset>
      {form.auth === 'oauth2' && (
        <Field id="oauthProvider" label="Provider" error={error('oauthProvider')}>
          <select id="oauthProvider" value={form.oauthProvider} onChange={(e) => onProvider(e.currentTarget.value as OAuthProvider)} {...described('oauthProvider', error('oauthProvider'))}>
            {(Object.keys(PROVIDER_NAMES) as OAuthProvider[]).map((p) => <option key={p} value={p}>{PROVIDER_NAMES[p]}</option>)}
          </select>
        </Field>
      )}
    </>
  );
}

/** The app registered at the provider (docs/oauth.md says how): where the password field is for a password mailbox. */
export function OAuthAppFields({ form, protocol, hasClientSecret, set, error }: {
  form: AccessForm;
  protocol: Polled;
  hasClientSecret: boolean;
  set: (key: TypedAccess, value: string) => void;
  error: (field: string) => string | undefined;
}) {
  const input = (key: TypedAccess, hint?: boolean) => ({
    id: key, value: form[key], onInput: (e: { currentTarget: HTMLInputElement }) => set(key, e.currentTarget.value), ...described(key, error(key), hint),
  });
  const shown = (key: ProviderSetting) => shows(form.oauthProvider, key);
  const custom = form.oauthProvider === 'custom';
  return (
    <>
      <Field id="oauthClientId" label="Client ID" error={error('oauthClientId')} hint="the app's ID from its registration at the provider">
        <input {...input('oauthClientId', true)} autocomplete="off" spellcheck={false} />
      </Field>
      <Field id="oauthClientSecret" label="Client secret" error={error('oauthClientSecret')}
        hint={hasClientSecret ? 'set — leave empty to keep' : 'empty for an app registered without one (PKCE alone)'}>
        <input {...input('oauthClientSecret', true)} type="password" autocomplete="new-password" placeholder={hasClientSecret ? 'unchanged' : ''} />
      </Field>
      {/* What shows is SHOWN's: what is sent follows the same list. */}
      {shown('oauthIssuer') && (custom ? (
        <Field id="oauthIssuer" label="Issuer URL" error={error('oauthIssuer')} hint="where its OpenID configuration is found (…/.well-known/openid-configuration); or give both endpoints below">
          <input {...input('oauthIssuer', true)} type="url" inputMode="url" spellcheck={false} />
        </Field>
      ) : (
        <Field id="oauthIssuer" label="Tenant issuer URL" error={error('oauthIssuer')}
          hint={`empty: ${OAUTH_PRESETS.microsoft.issuer} (any work, school or Outlook.com account); a single-tenant app: https://login.microsoftonline.com/TENANT-ID/v2.0`}>
          <input {...input('oauthIssuer', true)} type="url" inputMode="url" spellcheck={false} />
        </Field>
      ))}
      {shown('oauthAuthorizationUrl') && (
        <Field id="oauthAuthorizationUrl" label="Authorization endpoint" error={error('oauthAuthorizationUrl')} hint="only for a provider without OpenID discovery, with the token endpoint">
          <input {...input('oauthAuthorizationUrl', true)} type="url" inputMode="url" spellcheck={false} />
        </Field>
      )}
      {shown('oauthTokenUrl') && (
        <Field id="oauthTokenUrl" label="Token endpoint" error={error('oauthTokenUrl')} hint="only for a provider without OpenID discovery, with the authorization endpoint">
          <input {...input('oauthTokenUrl', true)} type="url" inputMode="url" spellcheck={false} />
        </Field>
      )}
      {shown('oauthScopes') && (
        <Field id="oauthScopes" label="Scopes" error={error('oauthScopes')}
          hint={`separated by spaces; empty: ${requestedScopes('custom', protocol).join(' ')} — add the scope your provider gives ${protocol === 'imap' ? 'IMAP' : 'POP3'} access with`}>
          <input {...input('oauthScopes', true)} autocomplete="off" spellcheck={false} />
        </Field>
      )}
    </>
  );
}
