// OAuth2 settings through the CLI's flags: the client secret only from the environment or stdin (never
// argv), sealed and never printed; `profile show` says the access and that nobody signed in yet; the
// stored secret is only reused where it was set for; and the flags' mistakes are said in words.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/cli.js';

const SECRET = 'client-Secret-4q8zv1';

describe('OAuth2 settings through the CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailbind-oauth-flags-'));
    env = { MAILBIND_DATA_DIR: join(dir, 'data'), CLIENT_SECRET: SECRET };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const google = ['--protocol', 'imap', '--auth', 'oauth2', '--oauth-provider', 'google', '--oauth-client-id', 'app-123.apps.googleusercontent.com'];

  test('a Google mailbox needs no host, login or password; the secret from stdin is sealed and never printed', async () => {
    const added = await runCli(['profile', 'add', 'gmail', ...google, '--oauth-client-secret-stdin', '--json'], env, `${SECRET}\n`);
    assert.equal(added.code, 0, added.stderr);
    const view = JSON.parse(added.stdout);
    assert.equal(view.source.auth, 'oauth2');
    assert.equal(view.source.oauthProvider, 'google');
    assert.equal(view.source.hasClientSecret, true);
    assert.equal(view.source.oauthClientSecret, undefined);
    assert.equal(view.signIn, null);

    const shown = await runCli(['profile', 'show', 'gmail'], env);
    assert.match(shown.stdout, /access: +OAuth2 at google, client ID app-123\.apps\.googleusercontent\.com, client secret set/);
    assert.match(shown.stdout, /signed in: +no: run mailbind profile signin gmail/);
    assert.match(shown.stdout, /server: +imap\.gmail\.com:993/);
    for (const out of [added.stdout, added.stderr, shown.stdout, shown.stderr]) assert.ok(!out.includes(SECRET));
    for (const file of readdirSync(join(dir, 'data'))) {
      assert.ok(!readFileSync(join(dir, 'data', file)).includes(SECRET), `sealed at rest (${file})`);
    }
  });

  test('profile check of a mailbox nobody signed in to fails at the token step, saying how to sign in (no flag to name)', async () => {
    const checked = await runCli(['profile', 'check', 'gmail'], env);
    assert.equal(checked.code, 1, checked.stderr);
    assert.match(checked.stdout, /^FAIL token +\d+ ms  not signed in: sign in from the profile page \(or `mailbind profile signin NAME`\)$/m);
    assert.doesNotMatch(checked.stdout, /check the oauth setting/);
    assert.doesNotMatch(checked.stdout, /^(ok|FAIL) +(dns|tcp|auth)/m, 'no connection is tried without a token');
  });

  test('the stored secret is not sent to another app: a new client ID needs the secret again', async () => {
    const moved = await runCli(['profile', 'update', 'gmail', '--oauth-client-id', 'someone-else'], env);
    assert.equal(moved.code, 1);
    assert.match(moved.stderr, /Client secret should be given again: the oauthClientId changed/);
    const given = await runCli(['profile', 'update', 'gmail', '--oauth-client-id', 'someone-else', '--oauth-client-secret-env', 'CLIENT_SECRET'], env);
    assert.equal(given.code, 0, given.stderr);
  });

  test('mistakes in the flags are said in words', async () => {
    const both = await runCli(['profile', 'add', 'x', ...google, '--password-stdin', '--oauth-client-secret-stdin'], env, 'a\n');
    assert.equal(both.code, 1);
    assert.match(both.stderr, /--password-stdin and --oauth-client-secret-stdin cannot both read standard input/);
    const unset = await runCli(['profile', 'add', 'x', ...google, '--oauth-client-secret-env', 'NOT_SET_ANYWHERE'], env);
    assert.match(unset.stderr, /--oauth-client-secret-env NOT_SET_ANYWHERE: that environment variable is not set/);
    const custom = await runCli(['profile', 'add', 'x', '--protocol', 'imap', '--host', 'imap.example.test', '--auth', 'oauth2', '--oauth-provider', 'custom', '--oauth-client-id', 'c'], env);
    assert.equal(custom.code, 1);
    assert.match(custom.stderr, /Issuer URL should be given for a custom provider/);
    const provider = await runCli(['profile', 'add', 'x', '--protocol', 'imap', '--auth', 'oauth2', '--oauth-provider', 'yahoo'], env);
    assert.equal(provider.code, 1);
    assert.match(provider.stderr, /Allowed choices are google, microsoft, custom/);
  });

  test('--help lists the OAuth2 flags and the signin command, and no flag takes the secret itself', async () => {
    const help = await runCli(['profile', 'add', '--help'], env);
    for (const flag of ['--auth', '--oauth-provider', '--oauth-client-id', '--oauth-client-secret-env', '--oauth-client-secret-stdin', '--oauth-issuer', '--oauth-authorization-url', '--oauth-token-url', '--oauth-scopes']) {
      assert.ok(help.stdout.includes(flag), `${flag} in --help`);
    }
    assert.doesNotMatch(help.stdout, /--oauth-client-secret </);
    const signin = await runCli(['profile', 'signin', '--help'], env);
    assert.match(signin.stdout, /--redirect-uri/);
    assert.match(signin.stdout, /--paste/);
  });
});
