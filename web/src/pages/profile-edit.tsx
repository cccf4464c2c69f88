// Add Profile / edit: every mailbox setting, Check Connection step by step with the failure next to
// the field at fault, how replies are threaded, outgoing mail (components/smtp-settings.tsx), the
// rules, and save. The password is write-only: "unchanged" unless typed. An OAuth2 mailbox has its
// provider and app instead of the password (components/mailbox-access.tsx) and, once saved, a sign-in
// panel (components/sign-in-panel.tsx); the sign-in comes back here with ?signedIn=1 or its error.
import { CheckSteps } from '../components/check-steps.js';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, apiLines, errorText } from '../api.js';
import { described, Field } from '../components/field.js';
import { AccessChoice, accessFormOf, accessSettings, EMPTY_ACCESS, hostAfterProviderChange, OAuthAppFields, providerHost, type AccessForm } from '../components/mailbox-access.js';
import { SignInPanel } from '../components/sign-in-panel.js';
import type { AuthMethod, CheckStep, ClosedReplies, OAuthProvider, Profile, Threading } from '../components/types.js';
import { RulesField } from '../components/rules-field.js';
import { RulesHistory } from '../components/rules-history.js';
import { RulesPreview } from '../components/rules-preview.js';
import { RuleTester } from '../components/rule-tester.js';
import { EMPTY_SMTP, smtpChanges, smtpFormOf, SmtpSettings, type SmtpForm } from '../components/smtp-settings.js';
import { navigate } from '../router.js';
import { isAdmin } from '../session.js';

type Protocol = 'imap' | 'pop3' | 'pipe';
type Tls = 'tls' | 'starttls' | 'none';

interface Form extends AccessForm {
  name: string;
  protocol: Protocol;
  host: string;
  port: string;
  tls: Tls;
  allowInvalidCertificate: boolean;
  login: string;
  password: string;
  folder: string;
  pollSeconds: string;
  /** The size limit in MB, as typed (the API takes bytes). */
  maxMessageBytes: string;
  idle: boolean;
  afterImport: string;
  afterOther: string;
  firstRun: string;
  address: string;
  rules: string;
  rulesComment: string;
  subjectTokens: boolean;
  companyMayReply: boolean;
  closedReplies: ClosedReplies;
  rateLimitPerSenderHour: string;
  acknowledge: boolean;
  smtp: SmtpForm;
}

const EMPTY: Form = {
  ...EMPTY_ACCESS,
  name: '', protocol: 'imap', host: '', port: '993', tls: 'tls', allowInvalidCertificate: false, login: '', password: '',
  folder: 'INBOX', pollSeconds: '60', maxMessageBytes: '50', idle: true, afterImport: '', afterOther: '', firstRun: 'from-now', address: '', rules: '', rulesComment: '',
  subjectTokens: false, companyMayReply: false, closedReplies: 'comment', rateLimitPerSenderHour: '20', acknowledge: false, smtp: EMPTY_SMTP,
};

export function defaultPort(protocol: Protocol, tls: Tls): string {
  if (protocol === 'pop3') return tls === 'tls' ? '995' : '110';
  if (protocol === 'imap') return tls === 'tls' ? '993' : '143';
  return '';
}

function formOf(p: Profile): Form {
  const s = p.source;
  return {
    ...EMPTY,
    name: p.name,
    rules: p.rules,
    ...p.threading,
    rateLimitPerSenderHour: String(p.threading.rateLimitPerSenderHour),
    smtp: smtpFormOf(p),
    ...accessFormOf(s),
    ...(s
      ? {
          protocol: s.protocol, host: s.host ?? '', port: String(s.port ?? s.effectivePort ?? ''), tls: s.tls, allowInvalidCertificate: s.allowInvalidCertificate,
          login: s.login ?? '', folder: s.folder, pollSeconds: String(s.pollSeconds), maxMessageBytes: megabytes(s.maxMessageBytes), idle: s.idle, afterImport: s.afterImport ?? '',
          afterOther: s.afterOther ?? '', firstRun: s.firstRun, address: s.address ?? '',
        }
      : { protocol: 'pipe' as Protocol, port: '' }),
  };
}

/** Sent whenever present (they are only present when typed): never shown, so never "unchanged". */
const WRITE_ONLY = new Set(['password', 'oauthClientSecret']);

/**
 * The settings to send: on edit only what changed, and the password and client secret only when typed.
 * An optional field left empty is null, "back to the default": leaving it out would keep the stored
 * value. An OAuth2 mailbox may leave its login (the sign-in fills it) and, at a preset provider, its server empty.
 */
function sourceOf(form: Form, before: Form | null): Record<string, unknown> {
  const optional = (value: string) => (value.trim() ? value : null);
  const polled = form.protocol !== 'pipe';
  const oauth = polled && form.auth === 'oauth2';
  const presetServer = polled && providerHost(form, form.protocol as 'imap' | 'pop3') !== null;
  const all: Record<string, unknown> = {
    protocol: form.protocol,
    ...(polled
      ? {
          host: presetServer ? optional(form.host) : form.host, port: form.port.trim() ? Number(form.port) : null, tls: form.tls, allowInvalidCertificate: form.allowInvalidCertificate,
          login: oauth ? optional(form.login) : form.login, folder: form.folder, pollSeconds: Number(form.pollSeconds), idle: form.idle, firstRun: form.firstRun,
          afterImport: optional(form.afterImport), afterOther: optional(form.afterOther),
          ...accessSettings(form),
        }
      : {}),
    address: optional(form.address),
    maxMessageBytes: bytes(form.maxMessageBytes),
    ...(form.password && !oauth ? { password: form.password } : {}),
  };
  if (!before) return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== null));
  const was = (key: string) => (key === 'maxMessageBytes' ? bytes(before.maxMessageBytes) : (before as any)[key]);
  return Object.fromEntries(Object.entries(all).filter(([key, value]) => WRITE_ONLY.has(key) || String(was(key) ?? '') !== String(value ?? '')));
}

/**
 * Whether the form changes where a saved OAuth2 mailbox signs in or sends its token: a sign-in uses the
 * saved settings, and saving such a change afterwards would sign the mailbox out again.
 */
function signInChanged(form: Form, before: Form): boolean {
  const keys = ['protocol', 'host', 'port', 'tls', 'allowInvalidCertificate', 'auth', 'oauthProvider', 'oauthClientId', 'oauthClientSecret', 'oauthIssuer',
    'oauthAuthorizationUrl', 'oauthTokenUrl', 'oauthScopes'] as const;
  return keys.some((key) => String(form[key]).trim() !== String(before[key]).trim());
}

/**
 * What the sign-in came back with (`?signedIn=1`, or its error), said once: the query is taken off the
 * address, so a reload or a bookmark does not say it again.
 */
function takeSignInOutcome(): { ok: true } | { ok: false; error: string } | null {
  const query = new URLSearchParams(location.search);
  const error = query.get('signInError');
  const outcome = query.get('signedIn') === '1' ? { ok: true as const } : error ? { ok: false as const, error } : null;
  if (outcome) {
    for (const key of ['signedIn', 'signInError']) query.delete(key);
    const rest = query.toString();
    history.replaceState(history.state, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }
  return outcome;
}

/** The threading settings to send: on edit only those that changed. */
function threadingOf(form: Form, before: Form | null): Partial<Threading> {
  // The limit as a number when it reads as one; otherwise as typed, for the API to name the field.
  const rate = /^\s*\d+\s*$/.test(form.rateLimitPerSenderHour) ? Number(form.rateLimitPerSenderHour) : (form.rateLimitPerSenderHour as unknown as number);
  const all: Threading = { subjectTokens: form.subjectTokens, companyMayReply: form.companyMayReply, closedReplies: form.closedReplies, rateLimitPerSenderHour: rate, acknowledge: form.acknowledge };
  if (!before) return all;
  return Object.fromEntries(Object.entries(all).filter(([key, value]) => String((before as any)[key]) !== String(value)));
}

/** The server after the protocol, access or provider changed: the preset's, unless the person typed their own. */
function presetHostFor(form: Form, protocol: Protocol, host: string): string {
  if (protocol === 'pipe' || form.auth !== 'oauth2') return host;
  return hostAfterProviderChange(host, form.oauthProvider, protocol);
}

const MB = 1024 * 1024;
const megabytes = (count: number) => String(Math.round((count / MB) * 100) / 100);
/** MB as typed → bytes; what is not a number goes as typed, for the API to name the field. */
function bytes(typed: string): number | string {
  const value = Number(typed.trim().replace(',', '.'));
  return typed.trim() && Number.isFinite(value) ? Math.round(value * MB) : typed;
}

export function ProfileEditPage({ params }: { params: Record<string, string> }) {
  const id = params.id ? Number(params.id) : null;
  const admin = isAdmin();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [steps, setSteps] = useState<CheckStep[] | null>(null);
  const [checking, setChecking] = useState(false);
  const [saving, setSaving] = useState(false);
  const [signInOutcome] = useState(takeSignInOutcome);

  useEffect(() => {
    if (id === null) return;
    api<Profile>(`/profiles/${id}`).then((p) => {
      setProfile(p);
      setForm(formOf(p));
    }, (e) => setLoadError(errorText(e)));
  }, [id]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  // Changing protocol or TLS mode puts the default port of the new combination in the port field.
  const setProtocolOrTls = (protocol: Protocol, tls: Tls) => setForm((f) => ({ ...f, protocol, tls, port: defaultPort(protocol, tls), host: presetHostFor(f, protocol, f.host) }));
  // At a preset provider the server is the provider's: shown, so the person sees where mail comes from.
  const setAuth = (auth: AuthMethod) => setForm((f) => ({ ...f, auth, host: auth === 'oauth2' ? presetHostFor({ ...f, auth }, f.protocol, f.host) : f.host }));
  const setProvider = (oauthProvider: OAuthProvider) => setForm((f) => ({ ...f, oauthProvider, host: presetHostFor({ ...f, oauthProvider }, f.protocol, f.host) }));
  const before = profile ? formOf(profile) : null;
  const failed = steps?.find((s) => !s.ok);
  const fieldError = (field: string) => error?.forField(field) ?? (failed?.field === field ? failed.message : undefined);

  const check = async () => {
    setChecking(true);
    setSteps([]);
    setError(null);
    // Each step is appended as the service reports it, so a slow server shows where it is slow.
    const onLine = (line: CheckStep | { ok: boolean } | { error: string }) => {
      if ('step' in line) setSteps((shown) => [...(shown ?? []), line]);
      else if ('error' in line) setError(new ApiError(0, `Check Connection stopped: ${line.error}`));
    };
    try {
      // A saved profile is checked with what changed, so the service can reuse the stored password
      // while it goes where it was set for (and say at the password field when it does not).
      if (id !== null) await apiLines(`/profiles/${id}/check`, { source: sourceOf(form, before) }, onLine);
      else await apiLines('/profiles/check', { source: sourceOf(form, null) }, onLine);
    } catch (e) {
      setSteps(null);
      setError(e instanceof ApiError ? e : new ApiError(0, errorText(e)));
    } finally {
      setChecking(false);
    }
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    setSaved(null);
    try {
      const rules = before && form.rules === before.rules ? {} : { rules: form.rules, ...(form.rulesComment ? { rulesComment: form.rulesComment } : {}) };
      const source = sourceOf(form, before);
      const threading = threadingOf(form, before);
      const replies = Object.keys(threading).length ? { threading } : {};
      const smtp = smtpChanges(form.smtp, before?.smtp ?? null, Boolean(profile?.smtp));
      const outgoing = smtp === undefined ? {} : { smtp };
      const result = id === null
        ? await api<{ profile: Profile; notes: string[] }>('/profiles', { body: { name: form.name, ...rules, ...replies, ...outgoing, ...(form.protocol === 'pipe' && !form.address ? {} : { source }) } })
        : await api<{ profile: Profile; notes: string[] }>(`/profiles/${id}`, { method: 'PATCH', body: { ...rules, ...replies, ...outgoing, ...(Object.keys(source).length ? { source } : {}) } });
      setProfile(result.profile);
      setForm({ ...formOf(result.profile), rulesComment: '' });
      setSaved(['Saved.', ...result.notes].join(' '));
      if (id === null) navigate(`/settings/plugins/email-integration/${result.profile.id}`);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, errorText(e)));
    } finally {
      setSaving(false);
    }
  };

  if (loadError) return <p class="error" role="alert">{loadError}</p>;
  if (id !== null && !profile) return <p role="status">Loading…</p>;
  const polled = form.protocol !== 'pipe';
  const oauth = polled && form.auth === 'oauth2';
  const defaultHost = polled ? providerHost(form, form.protocol as 'imap' | 'pop3') : null;
  const savedOAuth = profile?.source?.auth === 'oauth2' && profile.source.protocol !== 'pipe' ? profile.source : null;
  return (
    <section>
      <nav aria-label="Breadcrumb" class="crumbs"><ol><li>Settings</li><li>Plugins</li><li><a href="/settings/plugins/email-integration">Email Integration</a></li><li aria-current="page">{id === null ? 'Add Profile' : form.name}</li></ol></nav>
      <h1>{id === null ? 'Add Profile' : `Profile ${profile?.name}`}</h1>
      {signInOutcome?.ok && profile && (
        <p class="saved" role="status">Signed in{profile.signIn ? ` as ${profile.signIn.account}` : ''}. mailbind reads this mailbox with the new sign-in from now on.</p>
      )}
      {signInOutcome && !signInOutcome.ok && <p class="error" role="alert">The sign-in did not complete: {signInOutcome.error}</p>}
      {profile && savedOAuth && (
        <SignInPanel profileId={profile.id} provider={savedOAuth.oauthProvider ?? 'custom'} signIn={profile.signIn ?? null} canSignIn={admin}
          unsaved={before !== null && signInChanged(form, before)} />
      )}
      <form onSubmit={save} class="profile-form" aria-describedby={error && !error.fields.length && !error.lines.length ? 'form-error' : undefined}>
        <fieldset disabled={!admin}>
          <legend>Mailbox</legend>
          <Field id="name" label="Profile name" error={error?.forField('name')}>
            <input id="name" required value={form.name} readOnly={id !== null} onInput={(e) => set('name', e.currentTarget.value)} {...described('name', error?.forField('name'))} />
          </Field>
          <Field id="protocol" label="Protocol" error={fieldError('protocol')}>
            <select id="protocol" value={form.protocol} onChange={(e) => setProtocolOrTls(e.currentTarget.value as Protocol, form.tls)}>
              <option value="imap">IMAP</option>
              <option value="pop3">POP3</option>
              <option value="pipe">Mail server pipe / HTTP push only</option>
            </select>
          </Field>
          {polled && (
            <>
              <AccessChoice form={form} onAuth={setAuth} onProvider={setProvider} error={fieldError} />
              <Field id="host" label="Server" error={fieldError('host')} hint={defaultHost ? `empty: ${defaultHost}, the provider's server` : undefined}>
                <input id="host" value={form.host} autocomplete="off" onInput={(e) => set('host', e.currentTarget.value)} {...described('host', fieldError('host'), Boolean(defaultHost))} />
              </Field>
              <Field id="tls" label="Security" error={fieldError('tls')}>
                <select id="tls" value={form.tls} onChange={(e) => setProtocolOrTls(form.protocol, e.currentTarget.value as Tls)}>
                  <option value="tls">TLS</option>
                  <option value="starttls">STARTTLS</option>
                  <option value="none">None (plain text)</option>
                </select>
              </Field>
              <Field id="port" label="Port" error={fieldError('port')}>
                <input id="port" inputMode="numeric" value={form.port} onInput={(e) => set('port', e.currentTarget.value)} {...described('port', fieldError('port'))} />
              </Field>
              <Field id="allowInvalidCertificate" label="Certificate" error={fieldError('allowInvalidCertificate')}>
                <label class="inline"><input id="allowInvalidCertificate" type="checkbox" checked={form.allowInvalidCertificate} onChange={(e) => set('allowInvalidCertificate', e.currentTarget.checked)} /> accept a self-signed or mismatched certificate</label>
              </Field>
              <Field id="login" label="Login" error={fieldError('login')} hint={oauth ? "empty: the account's email, filled in at sign-in" : undefined}>
                <input id="login" value={form.login} autocomplete="off" onInput={(e) => set('login', e.currentTarget.value)} {...described('login', fieldError('login'), oauth)} />
              </Field>
              {oauth ? (
                <OAuthAppFields form={form} protocol={form.protocol as 'imap' | 'pop3'} hasClientSecret={Boolean(profile?.source?.hasClientSecret)} set={set} error={fieldError} />
              ) : (
                <Field id="password" label="Password" error={fieldError('password')} hint={profile?.source?.hasPassword ? 'unchanged unless you type a new one' : undefined}>
                  <input id="password" type="password" autocomplete="new-password" value={form.password} placeholder={profile?.source?.hasPassword ? 'unchanged' : ''}
                    onInput={(e) => set('password', e.currentTarget.value)} {...described('password', fieldError('password'), Boolean(profile?.source?.hasPassword))} />
                </Field>
              )}
              {form.protocol === 'imap' && (
                <>
                  <Field id="folder" label="Folder" error={fieldError('folder')}>
                    <input id="folder" value={form.folder} onInput={(e) => set('folder', e.currentTarget.value)} />
                  </Field>
                  <Field id="idle" label="Push">
                    <label class="inline"><input id="idle" type="checkbox" checked={form.idle} onChange={(e) => set('idle', e.currentTarget.checked)} /> use IMAP IDLE when the server offers it</label>
                  </Field>
                </>
              )}
              <Field id="pollSeconds" label="Poll every (seconds)" error={fieldError('pollSeconds')}>
                <input id="pollSeconds" inputMode="numeric" value={form.pollSeconds} onInput={(e) => set('pollSeconds', e.currentTarget.value)} />
              </Field>
              <Field id="firstRun" label="First run takes" error={fieldError('firstRun')} hint="from-now, all, or since:YYYY-MM-DD">
                <input id="firstRun" value={form.firstRun} onInput={(e) => set('firstRun', e.currentTarget.value)} {...described('firstRun', fieldError('firstRun'), true)} />
              </Field>
              <Field id="afterImport" label="After an imported message" error={fieldError('afterImport')} hint="leave, seen, move:FOLDER or delete; empty for the default">
                <input id="afterImport" value={form.afterImport} onInput={(e) => set('afterImport', e.currentTarget.value)} {...described('afterImport', fieldError('afterImport'), true)} />
              </Field>
              <Field id="afterOther" label="After any other message" error={fieldError('afterOther')} hint="leave, seen, move:FOLDER or delete; empty for the default">
                <input id="afterOther" value={form.afterOther} onInput={(e) => set('afterOther', e.currentTarget.value)} {...described('afterOther', fieldError('afterOther'), true)} />
              </Field>
            </>
          )}
          <Field id="maxMessageBytes" label="Largest message to import (MB)" error={fieldError('maxMessageBytes')} hint="larger ones are kept as headers only and recorded as ignored, too large">
            <input id="maxMessageBytes" inputMode="decimal" value={form.maxMessageBytes} onInput={(e) => set('maxMessageBytes', e.currentTarget.value)} {...described('maxMessageBytes', fieldError('maxMessageBytes'), true)} />
          </Field>
          <Field id="address" label="The mailbox's own address" error={fieldError('address')} hint="never a requester; default: the login when it is an address">
            <input id="address" value={form.address} onInput={(e) => set('address', e.currentTarget.value)} {...described('address', fieldError('address'), true)} />
          </Field>
          {polled && (
            <div class="check">
              <button type="button" onClick={() => void check()} disabled={checking}>{checking ? 'Checking…' : 'Check Connection'}</button>
              {steps && <CheckSteps steps={steps} label="Check Connection steps" />}
            </div>
          )}
        </fieldset>
        <fieldset disabled={!admin}>
          <legend>Replies</legend>
          <Field id="subjectTokens" label="Subject tokens" error={fieldError('subjectTokens')}>
            <label class="inline"><input id="subjectTokens" type="checkbox" checked={form.subjectTokens} onChange={(e) => set('subjectTokens', e.currentTarget.checked)} /> a reply whose subject has [#N] or [CODE-N] belongs to item N</label>
          </Field>
          <Field id="companyMayReply" label="Who may reply" error={fieldError('companyMayReply')}>
            <label class="inline"><input id="companyMayReply" type="checkbox" checked={form.companyMayReply} onChange={(e) => set('companyMayReply', e.currentTarget.checked)} /> anyone of a requester's company, not only requesters, participants and staff</label>
          </Field>
          <Field id="closedReplies" label="A reply to a closed item" error={fieldError('closedReplies')}>
            <select id="closedReplies" value={form.closedReplies} onChange={(e) => set('closedReplies', e.currentTarget.value as ClosedReplies)}>
              <option value="comment">is a comment; the item stays closed</option>
              <option value="reopen">is a comment and reopens the item</option>
              <option value="new-item">is new mail; what it creates follows the closed item up</option>
            </select>
          </Field>
          <Field id="rateLimitPerSenderHour" label="Messages per sender per hour" error={fieldError('rateLimitPerSenderHour')} hint="more from one address in an hour are ignored as rate limited (a mail loop); 0: no limit">
            <input id="rateLimitPerSenderHour" inputMode="numeric" value={form.rateLimitPerSenderHour} onInput={(e) => set('rateLimitPerSenderHour', e.currentTarget.value)} {...described('rateLimitPerSenderHour', fieldError('rateLimitPerSenderHour'), true)} />
          </Field>
          <Field id="acknowledge" label="Acknowledge new requests" error={fieldError('acknowledge')}>
            <label class="inline"><input id="acknowledge" type="checkbox" checked={form.acknowledge} onChange={(e) => set('acknowledge', e.currentTarget.checked)} /> mail the sender the <code>acknowledgement</code> template for each item made from their mail (needs Outgoing mail below)</label>
          </Field>
        </fieldset>
        <fieldset disabled={!admin}>
          <legend>Outgoing mail</legend>
          <SmtpSettings profile={profile} form={form.smtp} before={before?.smtp ?? null} onChange={(smtp) => set('smtp', smtp)} error={error} />
        </fieldset>
        <fieldset>
          <legend>Rules</legend>
          <RulesField value={form.rules} onChange={(rules) => set('rules', rules)} errors={error?.lines ?? []} readOnly={!admin} />
          {admin && (
            <Field id="rulesComment" label="Comment for this version of the rules">
              <input id="rulesComment" value={form.rulesComment} onInput={(e) => set('rulesComment', e.currentTarget.value)} />
            </Field>
          )}
        </fieldset>
        {error && !error.fields.length && !error.lines.length && <p id="form-error" class="error" role="alert">{error.message}</p>}
        {error && (error.fields.length > 0 || error.lines.length > 0) && <p class="error" role="alert">Not saved: {error.message}</p>}
        {saved && <p class="saved" role="status">{saved}</p>}
        {admin && <button type="submit" disabled={saving}>{saving ? 'Saving…' : 'Save'}</button>}
      </form>
      {profile && (
        <>
          <RulesHistory profileId={profile.id} currentVersion={profile.rulesVersion} canRestore={admin}
            onRestored={(p, notes) => { setProfile(p); setForm({ ...formOf(p), rulesComment: '' }); setSaved(['Restored.', ...notes].join(' ')); }} />
          <RuleTester profileId={profile.id} rules={form.rules} />
          <RulesPreview profileId={profile.id} rules={form.rules} />
        </>
      )}
    </section>
  );
}
