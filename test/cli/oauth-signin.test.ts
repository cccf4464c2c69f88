// `mailbind profile signin` end to end, as a person runs it: the profile is made with the OAuth2 flags
// (the client secret from the environment), the command prints the provider's address, the provider's
// login and consent pages are gone through (test/support/oidc-provider.ts), and the sign-in comes back
// (a) pasted on standard input, (b) to the command's own loopback listener, (c) to a running
// `mailbind serve`, which completes it while the command watches, (d) to the default address. Each time the login is filled from the
// ID token, and the stored access token logs in to Dovecot over IMAP (XOAUTH2/OAUTHBEARER, checked by
// Dovecot's oauth2 passdb at the provider); then `mailbind fetch --once` brings the mail over IMAP and
// POP3 with it. A refusal at the provider and Ctrl-C end the command in words.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { openStore } from '../../src/store/database.js';
import { findSignIn, signInId } from '../../src/store/oauth-sign-ins.js';
import { openTokens } from '../../src/store/oauth-tokens.js';
import { SecretBox } from '../../src/store/secrets.js';
import { CLI, cliJson, runCli, startCli, type RunningCli } from '../support/cli.js';
import { dovecotSkip, startDovecot, type Dovecot } from '../support/dovecot.js';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const ALICE = 'alice@example.test';
/** A browser on another machine: nothing here serves this address; the person pastes where it ended. */
const ELSEWHERE = 'https://mailbind.example.test/oauth/callback';

interface SignInRun {
  /** The first line on stdout: the address to open. */
  url: Promise<string>;
  stdout(): string;
  stderr(): string;
  write(text: string): void;
  signal(name: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

describe('mailbind profile signin', { skip: dovecotSkip() }, () => {
  let dir: string;
  let env: Record<string, string>;
  let op: OidcTestProvider;
  let dc: Dovecot;
  let n = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailbind-signin-'));
    op = await startOidcProvider({ redirectUris: [ELSEWHERE] });
    dc = await startDovecot({ users: [{ user: ALICE, password: 'not used' }], oauth2: { introspectionUrl: op.introspectionUrl } });
    await dc.deliver(ALICE, 'From: bob@example.test\r\nSubject: hello over OAuth2\r\n\r\nhi\r\n');
    env = { MAILBIND_DATA_DIR: join(dir, 'data'), OAUTH_SECRET: op.client.secret };
  });
  after(async () => {
    await Promise.all([op?.stop(), dc?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A new OAuth2 profile made with the CLI's flags, at the test provider and Dovecot. */
  async function addProfile(protocol: 'imap' | 'pop3' = 'imap'): Promise<string> {
    const name = `box${++n}`;
    const port = protocol === 'imap' ? dc.ports.imap : dc.ports.pop3;
    const created = await cliJson(['profile', 'add', name, '--protocol', protocol, '--host', '127.0.0.1', '--port', String(port), '--tls', 'none',
      '--auth', 'oauth2', '--oauth-provider', 'custom', '--oauth-issuer', op.issuer, '--oauth-client-id', op.client.id,
      '--oauth-client-secret-env', 'OAUTH_SECRET', '--oauth-scopes', 'openid email offline_access imap', '--first-run', 'all'], env);
    assert.equal(created.source.auth, 'oauth2');
    assert.equal(created.source.hasClientSecret, true);
    assert.doesNotMatch(JSON.stringify(created), new RegExp(op.client.secret), 'the client secret is never printed');
    return name;
  }

  /** `profile signin` as a child process; stdin a pipe (not a terminal: paste mode) or nothing; `more` added to its environment. */
  function signIn(args: string[], stdin: 'pipe' | 'ignore', more: Record<string, string> = {}): SignInRun {
    const child = spawn(process.execPath, [CLI, 'profile', 'signin', ...args], { env: { PATH: process.env.PATH ?? '', ...env, ...more }, stdio: [stdin, 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = waitFor(() => (out.includes('\n') ? out.split('\n')[0] : undefined), {
      what: () => `the address to open; stderr so far:\n${err}`,
      timeoutMs: 20_000,
    });
    return {
      url,
      stdout: () => out,
      stderr: () => err,
      write: (text) => child.stdin!.write(text),
      signal: (name) => void child.kill(name),
      exited,
    };
  }

  async function succeeded(run: SignInRun): Promise<void> {
    const code = await run.exited;
    assert.equal(code, 0, `exit ${code}; stderr:\n${run.stderr()}`);
    assert.equal(run.stdout().split('\n')[1], `signed in as ${ALICE}`);
  }

  /** The profile is signed in as ALICE with its login filled, and its stored access token opens the mailbox. */
  async function signedInAndWorks(name: string): Promise<void> {
    const shown = await cliJson(['profile', 'show', name], env);
    assert.equal(shown.source.login, ALICE, 'the login is filled from the ID token');
    assert.equal(shown.signIn.account, ALICE);
    assert.equal(shown.signIn.state, 'ok');
    assert.equal(shown.signIn.hasRefreshToken, true);
    const text = await runCli(['profile', 'show', name], env);
    assert.match(text.stdout, new RegExp(`signed in: +${ALICE.replace('.', '\\.')} \\(since `));
    const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR! });
    try {
      const tokens = await openTokens(store.db, SecretBox.forDataDir(env.MAILBIND_DATA_DIR!, {}), shown.id);
      const imap = new ImapFlow({
        host: '127.0.0.1', port: dc.ports.imaps, secure: true, tls: { ca: dc.caCert }, auth: { user: ALICE, accessToken: tokens!.accessToken }, logger: false,
      });
      await imap.connect();
      try {
        const status = await imap.status('INBOX', { messages: true });
        assert.equal(status && status.messages, 1, 'Dovecot let the stored token in and showed the mailbox');
      } finally {
        await imap.logout();
      }
    } finally {
      await store.close();
    }
  }

  test('(a) paste: the address the browser ended on, pasted on standard input', async () => {
    const name = await addProfile();
    const run = signIn([name, '--paste', '--redirect-uri', ELSEWHERE], 'pipe');
    const url = await run.url;
    assert.equal(new URL(url).origin, op.issuer);
    await waitFor(() => run.stderr().includes('paste it here'), { what: () => `the prompt to paste; stderr:\n${run.stderr()}` });
    run.write('not an address\n');
    await waitFor(() => run.stderr().includes('that is not an address'), { what: 'the typo to be said' });
    const callback = await op.signIn(url, { login: ALICE });
    run.write(`${callback.href}\n`);
    await succeeded(run);
    await signedInAndWorks(name);
  });

  for (const protocol of ['imap', 'pop3'] as const) {
    test(`then \`mailbind fetch --once\` brings the mail over ${protocol} with the token (Dovecot checks it at the provider)`, async () => {
      const name = await addProfile(protocol);
      const run = signIn([name, '--paste', '--redirect-uri', ELSEWHERE], 'pipe');
      const callback = await op.signIn(await run.url, { login: ALICE });
      run.write(`${callback.href}\n`);
      await succeeded(run);
      const mark = (await dc.log()).length;
      const fetched = await runCli(['fetch', '--profile', name, '--once'], env);
      assert.equal(fetched.code, 0, fetched.stderr);
      assert.match(fetched.stdout, /1 on the server, 1 new/);
      assert.doesNotMatch(fetched.stdout + fetched.stderr, new RegExp(op.client.secret), 'no secret in what the command prints');
      const method = protocol === 'imap' ? '(OAUTHBEARER|XOAUTH2)' : 'XOAUTH2';
      const login = new RegExp(`${protocol}-login: Info: Login: user=<${ALICE.replace('.', '\\.')}>, method=${method}`);
      assert.match((await dc.log()).slice(mark), login, 'the mail server let the signed-in account in with its token');
    });
  }

  test("(b) listener: the command answers the loopback redirect itself when nothing else does", async () => {
    const name = await addProfile();
    const redirect = `http://127.0.0.1:${await freePort()}/oauth/callback`;
    await op.setRedirectUris([ELSEWHERE, redirect]);
    const run = signIn([name, '--redirect-uri', redirect], 'ignore');
    const url = await run.url;
    await waitFor(() => run.stderr().includes(`waiting for the browser to come back to ${redirect}`), { what: () => `the listener; stderr:\n${run.stderr()}` });
    const page = await fetch(await op.signIn(url, { login: ALICE }));
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(await page.text(), /Signed in as alice@example\.test/);
    await succeeded(run);
    await signedInAndWorks(name);
  });

  test('(d) by default the redirect URI is http://localhost:PORT/oauth/callback, as docs/oauth.md has people register, and the command answers it', async () => {
    const name = await addProfile();
    const port = await freePort();
    const redirect = `http://localhost:${port}/oauth/callback`;
    await op.setRedirectUris([ELSEWHERE, redirect]);
    const run = signIn([name], 'ignore', { MAILBIND_PORT: String(port) });
    const url = await run.url;
    assert.equal(new URL(url).searchParams.get('redirect_uri'), redirect, 'localhost: Google and Microsoft Entra take plain http for it in a web app');
    await waitFor(() => run.stderr().includes(`waiting for the browser to come back to ${redirect}`), { what: () => `the listener; stderr:\n${run.stderr()}` });
    const page = await fetch(await op.signIn(url, { login: ALICE }));
    assert.equal(page.status, 200);
    await succeeded(run);
    await signedInAndWorks(name);
  });

  test('(c) service: a running `mailbind serve` completes it and the command sees it done', async () => {
    const name = await addProfile();
    const serve: RunningCli = startCli(['serve', '--port', '0'], env);
    try {
      const base = await waitFor(() => /mailbind is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output())?.[1], {
        what: () => `serve to listen; its output:\n${serve.output()}`,
        timeoutMs: 20_000,
      });
      const redirect = `${base}/oauth/callback`;
      await op.setRedirectUris([ELSEWHERE, redirect]);
      const run = signIn([name, '--redirect-uri', redirect], 'ignore');
      const url = await run.url;
      await waitFor(() => run.stderr().includes(`waiting for the service at ${base}`), { what: () => `the wait for the service; stderr:\n${run.stderr()}` });
      const page = await fetch(await op.signIn(url, { login: ALICE }));
      assert.equal(page.status, 200, 'served by mailbind serve');
      assert.match(await page.text(), /Signed in as alice@example\.test/);
      await succeeded(run);
      await signedInAndWorks(name);
      assert.match(serve.output(), /"msg":"signed in"/);
    } finally {
      await serve.kill();
    }
  });

  test("a refusal at the provider ends the command with the provider's reason", async () => {
    const name = await addProfile();
    const run = signIn([name, '--paste', '--redirect-uri', ELSEWHERE], 'pipe');
    const callback = await op.signIn(await run.url, { login: ALICE, deny: true });
    run.write(`${callback.href}\n`);
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /mailbind: the sign-in was cancelled or refused at the provider \(access_denied/);
    assert.equal((await cliJson(['profile', 'show', name], env)).signIn, null);
  });

  test('Ctrl-C cancels: the command says so and the address stops working', async () => {
    const name = await addProfile();
    const run = signIn([name, '--paste', '--redirect-uri', ELSEWHERE], 'pipe');
    const url = await run.url;
    await waitFor(() => run.stderr().includes('paste it here'), { what: 'the wait' });
    run.signal('SIGINT');
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /mailbind: the sign-in was cancelled; its address no longer works/);
    const state = new URL(url).searchParams.get('state')!;
    const store = await openStore({ dataDir: env.MAILBIND_DATA_DIR! });
    try {
      const record = await findSignIn(store.db, signInId(state));
      assert.equal(record?.error, 'the sign-in was cancelled');
    } finally {
      await store.close();
    }
  });

  test('--json: the address and the outcome each as one JSON line', async () => {
    const name = await addProfile();
    const run = signIn([name, '--json', '--paste', '--redirect-uri', ELSEWHERE], 'pipe');
    const { url } = JSON.parse(await run.url) as { url: string };
    run.write(`${(await op.signIn(url, { login: ALICE })).href}\n`);
    assert.equal(await run.exited, 0, run.stderr());
    assert.deepEqual(JSON.parse(run.stdout().split('\n')[1]!), { profile: name, account: ALICE, notes: [] });
  });

  test('a password profile is told to switch to OAuth2 first', async () => {
    await runCli(['profile', 'add', 'pw', '--protocol', 'imap', '--host', 'h', '--login', 'l', '--password-env', 'OAUTH_SECRET'], env);
    const result = await runCli(['profile', 'signin', 'pw'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /mailbind: profile 'pw' logs in with a password: set its access to OAuth2/);
    assert.equal(result.stdout, '');
  });
});
