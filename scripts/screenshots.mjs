// `npm run screenshots` (after the build): the real service on a throwaway data dir with sample data
// made through the command line a user would type (a company, three projects, a profile with the seed
// rules and imported mail, a mailbox that fails, a Microsoft 365 mailbox on OAuth2 whose sign-in is
// written through the token store: see signedIn below), then Debian's Chromium saves each main page at
// desktop (1280×800) and phone (390×844) width to docs/screenshots/. The README shows them.
//
// A new page is one entry in PAGES: a file name, its path, and optionally what to do before the shot.
import { spawn, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { launchChromium } = await import(join(root, 'dist/test/support/browser.js'));
const { makeMessage, SEED_RULES } = await import(join(root, 'dist/test/support/messages.js'));

const OUT = join(root, 'docs/screenshots');
/** The Microsoft 365 mailbox signed in with OAuth2. */
const HELPDESK = 'support@contoso.example';
const PASSWORD = 'screenshots admin password';
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

/** The pages to show; `prepare` runs on the loaded page before the shot. */
const PAGES = [
  { name: 'dashboard', path: '/', ready: 'Dashboard' },
  { name: 'email-integration', path: '/settings/plugins/email-integration', ready: 'Email Integration' },
  { name: 'profile', path: '/settings/plugins/email-integration/1', ready: 'Profile support' },
  {
    name: 'check-connection', path: '/settings/plugins/email-integration/2', ready: 'Profile sales',
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Check Connection' }).click();
      await page.locator('.steps li.failed').waitFor();
    },
  },
  {
    // A Microsoft 365 mailbox on OAuth2, signed in: the sign-in panel, then the provider and its app.
    name: 'profile-oauth2', path: '/settings/plugins/email-integration/3', ready: 'Profile helpdesk',
    prepare: async (page) => {
      await page.getByRole('region', { name: 'Sign-in' }).getByText(`Signed in as ${HELPDESK}`).waitFor();
    },
  },
  { name: 'messages', path: '/messages', ready: 'Messages' },
  { name: 'message', path: '/messages/1', ready: 'TP: the board does not load' },
  { name: 'tracker', path: '/tracker', ready: 'Tracker' },
  {
    name: 'item', path: '/tracker/requests/1', ready: 'TP: the board does not load',
    prepare: async (page) => {
      await page.getByText(/^Show quoted text/).click();
    },
  },
  { name: 'project', path: '/tracker/projects/2', ready: 'TP' },
  {
    name: 'rules-editor', path: '/settings/plugins/email-integration/1', ready: 'Profile support',
    prepare: async (page) => {
      // An unfinished line: the live marker and the problem list below the editor.
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('\nwhen subject contians ');
      await page.locator('.cm-lintRange-error').first().waitFor();
      await page.locator('.cm-content').scrollIntoViewIfNeeded();
    },
  },
  { name: 'accounts', path: '/admin/accounts', ready: 'Accounts' },
  { name: 'api-tokens', path: '/admin/tokens', ready: 'API tokens' },
  { name: 'audit-log', path: '/admin/audit', ready: 'Audit log' },
];

const dataDir = await mkdtemp(join(tmpdir(), 'mailbind-screenshots-'));
const env = { ...process.env, MAILBIND_DATA_DIR: dataDir, SALES_PASSWORD: 'not the password', HELPDESK_CLIENT_SECRET: 'not the client secret' };
const cli = (...args) => execFileSync(process.execPath, [join(root, 'dist/bundle/main.js'), ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const cliWithInput = (input, ...args) => execFileSync(process.execPath, [join(root, 'dist/bundle/main.js'), ...args], { env, input, stdio: ['pipe', 'pipe', 'inherit'] });

let server;
let browser;
try {
  await sampleData();
  const port = await freePort();
  server = spawn(process.execPath, [join(root, 'dist/bundle/main.js'), 'serve', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  await ready(url);
  browser = await launchChromium();
  await mkdir(OUT, { recursive: true });
  for (const [size, viewport] of Object.entries(SIZES)) {
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(url + '/');
    await page.getByLabel('Name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    for (const shot of PAGES) {
      await page.goto(url + shot.path);
      await page.getByRole('heading', { level: 1, name: shot.ready }).waitFor();
      await page.waitForLoadState('networkidle');
      if (shot.prepare) await shot.prepare(page);
      const file = join(OUT, `${shot.name}-${size}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`saved ${file.slice(root.length)}`);
    }
    await context.close();
  }
} finally {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  await rm(dataDir, { recursive: true, force: true });
}

async function sampleData() {
  cliWithInput(`${PASSWORD}\n`, 'account', 'add', 'admin', '--role', 'admin', '--password-stdin');
  cli('account', 'add', 'victor', '--role', 'viewer');
  cli('tracker', 'company', 'add', '--name', 'TargetProcess', '--domain', 'targetprocess.com');
  cli('tracker', 'project', 'add', '--name', 'General');
  cli('tracker', 'project', 'add', '--name', 'TP', '--company', 'TargetProcess');
  cli('tracker', 'project', 'add', '--name', 'Website');
  const rules = join(dataDir, 'rules.txt');
  await writeFile(rules, SEED_RULES);
  cli('profile', 'add', '--name', 'support', '--rules-file', rules);
  // A mailbox nobody answers on: the dashboard and Check Connection show what failing looks like.
  cli('profile', 'add', '--name', 'sales', '--protocol', 'imap', '--host', '127.0.0.1', '--port', '1', '--tls', 'none', '--login', 'sales@example.com',
    '--password-env', 'SALES_PASSWORD', '--rules-file', rules);
  // A Microsoft 365 mailbox on OAuth2, its server the provider's (no --host), signed in below.
  cli('profile', 'add', '--name', 'helpdesk', '--protocol', 'imap', '--auth', 'oauth2', '--oauth-provider', 'microsoft',
    '--oauth-client-id', '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b', '--oauth-client-secret-env', 'HELPDESK_CLIENT_SECRET',
    '--oauth-issuer', 'https://login.microsoftonline.com/0b8e7c6d-5a4f-4e3d-9c2b-1a0f9e8d7c6b/v2.0', '--login', HELPDESK, '--rules-file', rules);
  await signedIn(3, HELPDESK);
  const mail = [
    { from: 'Dana Lee <dana@targetprocess.com>', subject: 'TP: the board does not load' },
    { from: 'Dana Lee <dana@targetprocess.com>', subject: 'Invoice for March' },
    { from: 'Sam Ortiz <sam@example.org>', subject: 'Cannot sign in since yesterday' },
    { from: 'Mail Delivery System <MAILER-DAEMON@example.net>', subject: 'Undelivered Mail Returned to Sender' },
    { from: 'Kim Park <kim@example.com>', subject: 'Feature request: dark mode' },
  ];
  const files = [];
  for (const [i, spec] of mail.entries()) {
    const file = join(dataDir, `message-${i}.eml`);
    await writeFile(file, makeMessage({ ...spec, to: 'support@mailbind.test', date: new Date(Date.now() - (mail.length - i) * 3_600_000).toUTCString() }));
    files.push(file);
  }
  cli('import', '--profile', 'support', ...files);
  // Dana answers the first request: a comment with only her new words, the quote one click away.
  const reply = join(dataDir, 'reply.eml');
  await writeFile(reply, makeMessage({
    from: 'Dana Lee <dana@targetprocess.com>', to: 'support@mailbind.test', subject: 'Re: TP: the board does not load', date: new Date().toUTCString(),
    body: 'Clearing the cache fixed it, thanks!\r\n\r\nDana\r\n\r\nOn Mon, 30 Nov 2026 at 09:12, Support <support@mailbind.test> wrote:\r\n> Could you clear the browser cache and try again?\r\n> --- Ticket#1 ---\r\n',
  }));
  cli('import', '--profile', 'support', reply);
  cli('token', 'create', 'ci', '--role', 'viewer');
}

/**
 * A sign-in at Microsoft cannot be made here (no internet), so the profile's sign-in is written as the
 * sign-in and a refresh after it write it, through the token store: the panel shows only the account,
 * the state and the times. The tokens are stand-ins, sealed like real ones, and never used: the mailbox
 * at outlook.office365.com cannot be reached from here either.
 */
async function signedIn(profileId, account) {
  const [{ openStore }, { SecretBox }, tokens, { getProfile }] = await Promise.all(['database', 'secrets', 'oauth-tokens', 'profiles'].map((m) => import(join(root, `dist/src/store/${m}.js`))));
  const { signInDestination } = await import(join(root, 'dist/src/sources/profile-settings.js'));
  const store = await openStore({ dataDir, create: false });
  try {
    const secrets = SecretBox.forDataDir(dataDir, env);
    // The tokens belong to the profile's provider, app and mailbox, as a real sign-in's do.
    const destination = signInDestination((await getProfile(store.db, profileId)).source);
    const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
    const scope = 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access openid email';
    await tokens.saveSignIn(store.db, secrets, profileId, {
      account, subject: 'stand-in-subject', accessToken: 'stand-in access token', accessExpiresAt: inAnHour(), refreshToken: 'stand-in refresh token', scope, destination,
    });
    if (!(await tokens.takeRefreshLease(store.db, profileId, 'screenshots', 60_000))) throw new Error('could not take the refresh lease');
    await tokens.storeRefreshed(store.db, secrets, profileId, 'screenshots', { accessToken: 'stand-in access token 2', accessExpiresAt: inAnHour(), scope });
  } finally {
    await store.close();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

async function ready(url) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`mailbind serve exited with ${server.exitCode}`);
    const ok = await fetch(url + '/readyz').then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`mailbind serve did not become ready at ${url} within 30 s`);
}
