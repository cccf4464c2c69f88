// The mailbox flags shared by `profile add`, `profile update` and `check`, turned into settings input.
// Secrets (the password, the OAuth2 client secret) come from the environment or stdin, never argv,
// where any user of the machine could read them in the process list.
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { userError } from '../app/errors.js';
import { AUTH_METHODS, OAUTH_PROVIDERS, PROTOCOLS, TLS_MODES, type SourceSettingsInput } from '../app/source-input.js';

export function addSourceOptions(command: Command): Command {
  return command
    .addOption(new Option('--protocol <protocol>', 'how mail arrives').choices([...PROTOCOLS]))
    .option('--host <host>', 'mail server host name')
    .option('--port <port>', 'port (default: 110/995 for POP3, 143/993 for IMAP, by TLS mode)')
    .addOption(new Option('--tls <mode>', 'TLS mode (default tls)').choices([...TLS_MODES]))
    .option('--allow-invalid-cert', 'accept a self-signed, expired or mismatched certificate')
    .option('--login <login>', 'mailbox login')
    .option('--password-env <var>', 'read the password from this environment variable')
    .option('--password-stdin', 'read the password from standard input')
    .option('--folder <folder>', 'IMAP folder (default INBOX)')
    .option('--poll <seconds>', 'poll interval in seconds (default 60)')
    .option('--idle', 'use IMAP IDLE when the server supports it (default)')
    .option('--no-idle', 'never use IMAP IDLE; poll only')
    .option('--after-import <action>', 'after an imported message: leave | seen | move:FOLDER | delete')
    .option('--after-other <action>', 'after a skipped, ignored or failed message: leave | seen | move:FOLDER | delete')
    .option('--first-run <policy>', 'from-now (default) | since:YYYY-MM-DD | all')
    .option('--max-size <bytes>', 'largest message to import (default 50MB); larger ones are recorded as too large')
    .option('--address <email>', "the mailbox's own address (never a requester; default: the login if it is an address)")
    .addOption(new Option('--auth <method>', 'how mailbind logs in: password (default), or oauth2 (tokens from `mailbind profile signin NAME`)').choices([...AUTH_METHODS]))
    .addOption(new Option('--oauth-provider <provider>', 'OAuth2 provider: google, microsoft (endpoints, scopes and server known), or custom').choices([...OAUTH_PROVIDERS]))
    .option('--oauth-client-id <id>', 'client ID of the app registered at the provider (docs/oauth.md)')
    .option('--oauth-client-secret-env <var>', 'read the OAuth2 client secret from this environment variable')
    .option('--oauth-client-secret-stdin', 'read the OAuth2 client secret from standard input')
    .option('--oauth-issuer <url>', "the provider's issuer URL (custom; or a Microsoft tenant's own)")
    .option('--oauth-authorization-url <url>', 'authorization endpoint, for a provider without discovery (with --oauth-token-url)')
    .option('--oauth-token-url <url>', 'token endpoint, for a provider without discovery (with --oauth-authorization-url)')
    .option('--oauth-scopes <scopes>', "space-separated scopes instead of the preset's (a custom provider names its mail scope here)");
}

function integer(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw userError(`${flag} must be a whole number, got '${value}'`);
  return Number(value);
}

function size(value: string): number {
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  if (!match) throw userError(`--max-size must be a size like 50MB or 1048576, got '${value}'`);
  const unit = (match[2] ?? 'b').toLowerCase();
  return Number(match[1]) * ({ b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as Record<string, number>)[unit]!;
}

/** Only the flags that were given; the password from the environment or stdin, never from argv. */
export function sourceInputFromOptions(opts: Record<string, any>): Partial<SourceSettingsInput> {
  const input: Partial<SourceSettingsInput> = {};
  if (opts.protocol !== undefined) input.protocol = opts.protocol;
  if (opts.host !== undefined) input.host = opts.host;
  if (opts.port !== undefined) input.port = integer(opts.port, '--port');
  if (opts.tls !== undefined) input.tls = opts.tls;
  if (opts.allowInvalidCert !== undefined) input.allowInvalidCertificate = true;
  if (opts.login !== undefined) input.login = opts.login;
  if (opts.folder !== undefined) input.folder = opts.folder;
  if (opts.poll !== undefined) input.pollSeconds = integer(opts.poll, '--poll');
  if (opts.idle !== undefined) input.idle = opts.idle;
  if (opts.afterImport !== undefined) input.afterImport = opts.afterImport;
  if (opts.afterOther !== undefined) input.afterOther = opts.afterOther;
  if (opts.firstRun !== undefined) input.firstRun = opts.firstRun;
  if (opts.maxSize !== undefined) input.maxMessageBytes = size(opts.maxSize);
  if (opts.address !== undefined) input.address = opts.address;
  if (opts.auth !== undefined) input.auth = opts.auth;
  if (opts.oauthProvider !== undefined) input.oauthProvider = opts.oauthProvider;
  if (opts.oauthClientId !== undefined) input.oauthClientId = opts.oauthClientId;
  if (opts.oauthIssuer !== undefined) input.oauthIssuer = opts.oauthIssuer;
  if (opts.oauthAuthorizationUrl !== undefined) input.oauthAuthorizationUrl = opts.oauthAuthorizationUrl;
  if (opts.oauthTokenUrl !== undefined) input.oauthTokenUrl = opts.oauthTokenUrl;
  if (opts.oauthScopes !== undefined) input.oauthScopes = opts.oauthScopes;
  if (opts.passwordStdin && opts.oauthClientSecretStdin) {
    throw userError('--password-stdin and --oauth-client-secret-stdin cannot both read standard input: give one of them with its -env flag');
  }
  const password = secretFrom(opts.passwordEnv, opts.passwordStdin, '--password');
  if (password !== undefined) input.password = password;
  const clientSecret = secretFrom(opts.oauthClientSecretEnv, opts.oauthClientSecretStdin, '--oauth-client-secret');
  if (clientSecret !== undefined) input.oauthClientSecret = clientSecret;
  return input;
}

/** A secret from the environment variable named, or from standard input (one line, its newline dropped). */
function secretFrom(variable: string | undefined, stdin: boolean | undefined, flag: string): string | undefined {
  if (variable !== undefined) {
    const value = process.env[variable];
    if (value === undefined) throw userError(`${flag}-env ${variable}: that environment variable is not set`);
    return value;
  }
  if (!stdin) return undefined;
  const value = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (!value) throw userError(`${flag}-stdin: standard input was empty`);
  return value;
}
