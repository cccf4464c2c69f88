// The profile page's Outgoing mail section: where acknowledgements and rule replies are sent, and
// Check Connection for SMTP step by step. The password is write-only ("unchanged" unless typed); an
// error the API names `smtp.X` shows next to that field.
import { CheckSteps } from './check-steps.js';
import { useState } from 'preact/hooks';
import { ApiError, apiLines, errorText } from '../api.js';
import { described, Field } from './field.js';
import type { CheckStep, Profile, SmtpTls } from './types.js';

export interface SmtpForm {
  host: string;
  port: string;
  tls: SmtpTls;
  allowInvalidCertificate: boolean;
  user: string;
  password: string;
  fromAddress: string;
  fromName: string;
}

export const EMPTY_SMTP: SmtpForm = { host: '', port: '587', tls: 'starttls', allowInvalidCertificate: false, user: '', password: '', fromAddress: '', fromName: '' };

export function smtpPort(tls: SmtpTls): string {
  return tls === 'tls' ? '465' : tls === 'starttls' ? '587' : '25';
}

export function smtpFormOf(p: Profile | null): SmtpForm {
  const s = p?.smtp;
  if (!s) return EMPTY_SMTP;
  return {
    host: s.host, port: String(s.port ?? s.effectivePort), tls: s.tls, allowInvalidCertificate: s.allowInvalidCertificate,
    user: s.user ?? '', password: '', fromAddress: s.fromAddress, fromName: s.fromName ?? '',
  };
}

/**
 * The SMTP change to send: undefined for none, null to remove the settings (the server emptied), on
 * edit only what changed, and the password only when typed. An optional field emptied is null.
 */
export function smtpChanges(form: SmtpForm, before: SmtpForm | null, hadSettings: boolean): Record<string, unknown> | null | undefined {
  if (!form.host.trim()) return hadSettings ? null : undefined;
  const optional = (value: string) => (value.trim() ? value : null);
  const all: Record<string, unknown> = {
    host: form.host, port: form.port.trim() ? Number(form.port) : null, tls: form.tls, allowInvalidCertificate: form.allowInvalidCertificate,
    user: optional(form.user), fromAddress: form.fromAddress, fromName: optional(form.fromName),
    ...(form.password ? { password: form.password } : {}),
  };
  if (!before || !hadSettings) return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== null));
  const changed = Object.entries(all).filter(([key, value]) => key === 'password' || String((before as any)[key] ?? '') !== String(value ?? ''));
  return changed.length ? Object.fromEntries(changed) : undefined;
}

export function SmtpSettings({ profile, form, before, onChange, error }: {
  profile: Profile | null;
  form: SmtpForm;
  before: SmtpForm | null;
  onChange: (form: SmtpForm) => void;
  /** The save's error, whose `smtp.X` fields show here. */
  error: ApiError | null;
}) {
  const [steps, setSteps] = useState<CheckStep[] | null>(null);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<string | null>(null);
  const set = <K extends keyof SmtpForm>(key: K, value: SmtpForm[K]) => onChange({ ...form, [key]: value });
  const failed = steps?.find((s) => !s.ok);
  const fieldError = (field: keyof SmtpForm) => error?.forField(`smtp.${field}`) ?? (failed?.field === `smtp.${field}` ? failed.message : undefined);
  const hasPassword = Boolean(profile?.smtp?.hasPassword);

  const check = async () => {
    setChecking(true);
    setSteps([]);
    setCheckError(null);
    const onLine = (line: CheckStep | { ok: boolean } | { error: string }) => {
      if ('step' in line) setSteps((shown) => [...(shown ?? []), line]);
      else if ('error' in line) setCheckError(`Check Connection stopped: ${line.error}`);
    };
    try {
      // A saved profile is checked with what changed: the stored password is reused only where it was set for.
      if (profile?.smtp) await apiLines(`/profiles/${profile.id}/check-smtp`, { smtp: smtpChanges(form, before, true) ?? {} }, onLine);
      else await apiLines('/profiles/check-smtp', { smtp: smtpChanges(form, null, false) ?? {} }, onLine);
    } catch (e) {
      setSteps(null);
      setCheckError(errorText(e));
    } finally {
      setChecking(false);
    }
  };

  return (
    <>
      <p class="hint">Acknowledgements and <code>reply with template</code> are sent through this server. Leave the server empty to send no mail.</p>
      <Field id="smtpHost" label="SMTP server" error={fieldError('host')}>
        <input id="smtpHost" value={form.host} autocomplete="off" onInput={(e) => set('host', e.currentTarget.value)} {...described('smtpHost', fieldError('host'))} />
      </Field>
      <Field id="smtpTls" label="SMTP encryption" error={fieldError('tls')}>
        <select id="smtpTls" value={form.tls} onChange={(e) => onChange({ ...form, tls: e.currentTarget.value as SmtpTls, port: smtpPort(e.currentTarget.value as SmtpTls) })}>
          <option value="starttls">STARTTLS</option>
          <option value="tls">TLS</option>
          <option value="none">None (plain text)</option>
        </select>
      </Field>
      <Field id="smtpPort" label="SMTP port" error={fieldError('port')}>
        <input id="smtpPort" inputMode="numeric" value={form.port} onInput={(e) => set('port', e.currentTarget.value)} {...described('smtpPort', fieldError('port'))} />
      </Field>
      <Field id="smtpAllowInvalidCertificate" label="SMTP certificate" error={fieldError('allowInvalidCertificate')}>
        <label class="inline"><input id="smtpAllowInvalidCertificate" type="checkbox" checked={form.allowInvalidCertificate} onChange={(e) => set('allowInvalidCertificate', e.currentTarget.checked)} /> accept the SMTP server's self-signed or mismatched certificate</label>
      </Field>
      <Field id="smtpUser" label="SMTP user" error={fieldError('user')} hint="empty for a server that takes mail without a login">
        <input id="smtpUser" value={form.user} autocomplete="off" onInput={(e) => set('user', e.currentTarget.value)} {...described('smtpUser', fieldError('user'), true)} />
      </Field>
      <Field id="smtpPassword" label="SMTP password" error={fieldError('password')} hint={hasPassword ? 'unchanged unless you type a new one' : undefined}>
        <input id="smtpPassword" type="password" autocomplete="new-password" value={form.password} placeholder={hasPassword ? 'unchanged' : ''}
          onInput={(e) => set('password', e.currentTarget.value)} {...described('smtpPassword', fieldError('password'), hasPassword)} />
      </Field>
      <Field id="smtpFromAddress" label="Send from address" error={fieldError('fromAddress')}>
        <input id="smtpFromAddress" value={form.fromAddress} onInput={(e) => set('fromAddress', e.currentTarget.value)} {...described('smtpFromAddress', fieldError('fromAddress'))} />
      </Field>
      <Field id="smtpFromName" label="Send from name" error={fieldError('fromName')}>
        <input id="smtpFromName" value={form.fromName} onInput={(e) => set('fromName', e.currentTarget.value)} />
      </Field>
      {form.host.trim() && (
        <div class="check">
          <button type="button" onClick={() => void check()} disabled={checking}>{checking ? 'Checking…' : 'Check SMTP Connection'}</button>
          {checkError && <p class="error" role="alert">{checkError}</p>}
          {steps && <CheckSteps steps={steps} label="Check SMTP Connection steps" />}
        </div>
      )}
    </>
  );
}
