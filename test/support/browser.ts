// The web UI under test: the real HTTP app (API + built UI) listening on a free loopback port over a
// test store, and Debian's Chromium driven by playwright-core (nothing downloaded). Every request the
// page makes is recorded, so a test can assert that none left the page's own origin, or that typing
// in the rules editor asked the server nothing.
//
//   const skip = chromiumSkip();    // false, or a reason; throws when MAILBIND_REQUIRE_CHROMIUM=1 and missing
//   const ui = await startUi('sqlite');
//   const page = await ui.signIn();  // as the admin; ui.signIn('victor', pw) for another account
import { existsSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addAccount } from '../../src/app/accounts.js';
import { assemble, type App } from '../../src/app/app.js';
import { LoginLimiter } from '../../src/app/login-limiter.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createHttpApp, type Lifecycle } from '../../src/server/http-app.js';
import { listen, type Listening } from '../../src/server/listen.js';
import { webRoot } from '../../src/server/web-ui.js';
import { memoryLog, type MemoryLog } from './memory-log.js';
import { openTestStore, type TestDialect, type TestStore } from './store.js';

export const CHROMIUM = process.env.MAILBIND_CHROMIUM ?? '/usr/bin/chromium';
export const ADMIN = { name: 'admin', password: 'admin password for tests' };

export function chromiumSkip(): false | string {
  if (existsSync(CHROMIUM) && webRoot()) return false;
  const reason = !existsSync(CHROMIUM) ? `Chromium not installed at ${CHROMIUM} (apt-get install chromium)` : 'the web UI is not built (npm run build)';
  if (process.env.MAILBIND_REQUIRE_CHROMIUM === '1') throw new Error(`${reason}, and MAILBIND_REQUIRE_CHROMIUM=1`);
  return reason;
}

/** Flags for a sandbox without network: no background calls to Google that the machine would refuse. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export interface UiServer {
  t: TestStore;
  app: App;
  url: string;
  log: MemoryLog;
  browser: Browser;
  /** Every URL any page of this server's contexts requested, in order. */
  requests: string[];
  /** Console errors about the Content Security Policy: the built UI must cause none. */
  cspViolations: string[];
  /** A fresh browser context signed in through the UI's own form; width 1280 unless given. */
  signIn(name?: string, password?: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** A fresh, signed-out page. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export interface UiOptions {
  /** Listen on this loopback port (default: any free one), e.g. to name it in `publicUrl` beforehand. */
  port?: number;
  /** MAILBIND_PUBLIC_URL of the service. */
  publicUrl?: string;
}

export async function startUi(dialect: TestDialect = 'sqlite', options: UiOptions = {}): Promise<UiServer> {
  const t = await openTestStore(dialect);
  const app = assemble(t.store, options.publicUrl ? { publicUrl: options.publicUrl } : {});
  const log = memoryLog();
  const lifecycle: Lifecycle = { state: 'ready' };
  const api = createHttpApp({ app, logger: log.logger, limiter: new LoginLimiter(), lifecycle });
  const http: Listening = await listen(api, { host: '127.0.0.1', port: options.port ?? 0 });
  await addAccount(app, { name: ADMIN.name, role: 'admin', password: ADMIN.password }, cliPrincipal('test'));
  const browser = await launchChromium();
  const requests: string[] = [];
  const cspViolations: string[] = [];
  const contexts: BrowserContext[] = [];
  const newPage = async (viewport = { width: 1280, height: 900 }) => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    context.on('request', (request) => void requests.push(request.url()));
    // Fail in seconds, with the locator named, rather than after playwright's 30 s.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  };
  return {
    t, app, url: http.url, log, browser, requests, cspViolations, newPage,
    async signIn(name = ADMIN.name, password = ADMIN.password, viewport) {
      const page = await newPage(viewport);
      await page.goto(http.url + '/');
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      return page;
    },
    async close() {
      // Every UI test file closes its server: a CSP violation anywhere in it fails the file here.
      if (cspViolations.length) throw new Error(`the page violated the Content Security Policy:\n${cspViolations.join('\n')}`);
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await http.close(0);
      await t.cleanup();
    },
  };
}

/** axe-core on the page as it is now: the serious and critical violations, as readable lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
}
