// The SMTP flags of `profile add`, `profile update` and `profile check-smtp`: where a profile's mail
// (acknowledgements, rule replies) is sent. The password comes from the environment, never from argv.
import { Option, type Command } from 'commander';
import { userError } from '../app/errors.js';
import { SMTP_TLS_MODES, type SmtpChanges } from '../app/smtp-input.js';

export function addSmtpOptions(command: Command, options: { removable?: boolean } = {}): Command {
  command
    .option('--smtp-host <host>', 'SMTP server for the mail this profile sends')
    .option('--smtp-port <port>', 'SMTP port (default 587 for starttls, 465 for tls, 25 for none)')
    .addOption(new Option('--smtp-tls <mode>', 'SMTP TLS mode (default starttls)').choices([...SMTP_TLS_MODES]))
    .option('--smtp-allow-invalid-cert', "accept the SMTP server's self-signed, expired or mismatched certificate")
    .option('--smtp-user <user>', 'SMTP login (omit for a server that takes mail without one)')
    .option('--smtp-password-env <var>', 'read the SMTP password from this environment variable')
    .option('--smtp-from <address>', 'the address the mail is sent from')
    .option('--smtp-from-name <name>', 'the name the mail is sent from');
  if (options.removable) command.option('--no-smtp', 'remove the SMTP settings: the profile sends no mail');
  return command;
}

function integer(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw userError(`${flag} must be a whole number, got '${value}'`);
  return Number(value);
}

/** Only the flags given; null when --no-smtp removes the settings. */
export function smtpInputFromOptions(opts: Record<string, any>): SmtpChanges | null {
  if (opts.smtp === false) return null;
  const input: SmtpChanges = {};
  if (opts.smtpHost !== undefined) input.host = opts.smtpHost;
  if (opts.smtpPort !== undefined) input.port = integer(opts.smtpPort, '--smtp-port');
  if (opts.smtpTls !== undefined) input.tls = opts.smtpTls;
  if (opts.smtpAllowInvalidCert !== undefined) input.allowInvalidCertificate = true;
  if (opts.smtpUser !== undefined) input.user = opts.smtpUser;
  if (opts.smtpFrom !== undefined) input.fromAddress = opts.smtpFrom;
  if (opts.smtpFromName !== undefined) input.fromName = opts.smtpFromName;
  if (opts.smtpPasswordEnv !== undefined) {
    const value = process.env[opts.smtpPasswordEnv];
    if (value === undefined) throw userError(`--smtp-password-env ${opts.smtpPasswordEnv}: that environment variable is not set`);
    input.password = value;
  }
  return input;
}
