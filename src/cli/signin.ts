// `mailbind profile signin NAME`: prints the provider's address to open, then waits until the sign-in
// ends, wherever it completes: the running service's /oauth/callback (the CLI watches the sign-in's row),
// this command's own listener on a loopback redirect URI nobody else serves, or the address the browser
// ended on, pasted on standard input (a browser on another machine). Loaded only when the command runs.
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import type { App } from '../app/app.js';
import { userError } from '../app/errors.js';
import { waitForSignIn } from '../app/oauth-sign-in-wait.js';
import { signInPageHtml } from '../app/oauth-sign-in-page.js';
import {
  cancelPendingSignIn,
  completeSignIn,
  redirectUriFor,
  SIGN_IN_MINUTES,
  SignInFailed,
  signInNotes,
  startSignIn,
} from '../app/oauth-sign-in.js';
import { cliPrincipal } from '../app/principal.js';
import { printJsonLine, withApp, type Opts } from './context.js';

const say = (line: string) => process.stderr.write(`mailbind: ${line}\n`);

export async function signInCommand(name: string, opts: Opts): Promise<void> {
  const paste = Boolean(opts.paste) || !process.stdin.isTTY;
  await withApp(opts, 'write', async (app) => {
    const redirectUri = opts.redirectUri ?? defaultRedirectUri(app);
    const started = await startSignIn(app, name, { via: 'cli', principal: cliPrincipal(), redirectUri });
    say(`open this address in a browser and sign in (it works once, for ${SIGN_IN_MINUTES} minutes):`);
    // --json: one JSON line now ({url}) and one at the end ({profile, account, notes}), each parseable as it comes.
    if (opts.json) printJsonLine({ url: started.url });
    else process.stdout.write(`${started.url}\n`);

    const controller = new AbortController();
    const interrupted = () => controller.abort(userError('the sign-in was cancelled; its address no longer works'));
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    const listener = await listenIfFree(app, redirectUri);
    const pasted = paste ? readPasted(app, Boolean(opts.paste), controller) : null;
    if (listener) say(`waiting for the browser to come back to ${redirectUri}${paste ? ', or for the address it ended on (paste it here)' : ''}…`);
    else say(`waiting for the service at ${new URL(redirectUri).origin} to complete the sign-in${paste ? ', or for the address the browser ended on (paste it here)' : ''}…`);
    try {
      const ended = await waitForSignIn(app, started.id, controller.signal);
      const notes = await signInNotes(app, ended.profileId);
      for (const note of notes) say(note);
      if (opts.json) printJsonLine({ profile: started.profileName, account: ended.account, notes });
      else process.stdout.write(`signed in as ${ended.account}\n`);
    } catch (error) {
      if (controller.signal.aborted) await cancelPendingSignIn(app, started.id);
      throw error;
    } finally {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      pasted?.close();
      await listener?.close();
    }
  });
}

/** Listening addresses reached from this machine as localhost: loopback, or every address. */
const THIS_MACHINE = new Set(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::']);

/**
 * Where the provider sends the browser back by default: the service's callback under
 * MAILBIND_PUBLIC_URL, else where `mailbind serve` listens by default (MAILBIND_HOST, MAILBIND_PORT),
 * named `localhost` when that is this machine. That is the address docs/oauth.md has people register:
 * Google and Microsoft Entra both take plain http for localhost in a web app's registration (Entra's
 * form refuses http://127.0.0.1, which only its manifest takes), and the match is exact.
 */
function defaultRedirectUri(app: App): string {
  const host = process.env.MAILBIND_HOST ?? '127.0.0.1';
  const reachable = THIS_MACHINE.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return redirectUriFor(app, `http://${reachable}:${process.env.MAILBIND_PORT ?? '8080'}`);
}

interface Closable {
  close(): Promise<void>;
}

/**
 * This command's own callback on a loopback redirect URI, when nothing listens there yet; null when
 * the address is not this machine's or is taken (the service there completes the sign-in instead).
 */
async function listenIfFree(app: App, redirectUri: string): Promise<Closable | null> {
  const url = new URL(redirectUri);
  const named = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '::1'].includes(named)) return null;
  // localhost on the address `mailbind serve` listens on by default, so that a running service shows as
  // taken (on ::1 beside it, this command would catch the browser's requests meant for the service); a
  // browser given localhost tries 127.0.0.1 when ::1 refuses.
  const host = named === 'localhost' ? '127.0.0.1' : named;
  const server = createServer((request, response) => {
    const at = new URL(request.url ?? '/', redirectUri);
    if (request.method !== 'GET' || at.pathname !== url.pathname) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    void answer(app, at).then(({ status, html }) => {
      response.writeHead(status, {
        'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'", 'x-content-type-options': 'nosniff',
      }).end(html);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: Number(url.port || 80) }, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE') say(`cannot listen on ${url.origin} (${code ?? (error as Error).message}); paste the address the browser ends on instead`);
    return null;
  }
  return { close: () => closeServer(server) };
}

/** The page for the browser: signed in, or why not (a failure the waiting command reports too). */
async function answer(app: App, callback: URL): Promise<{ status: number; html: string }> {
  try {
    const done = await completeSignIn(app, callback);
    return { status: 200, html: signInPageHtml({ ok: true, message: `Signed in as ${done.account} for profile ${done.profileName}.`, notes: done.notes }) };
  } catch (error) {
    const message = error instanceof SignInFailed ? error.message : 'The sign-in failed on an unexpected error; the command line says more.';
    if (!(error instanceof SignInFailed)) say(`the sign-in failed: ${(error as Error).message}`);
    return { status: error instanceof SignInFailed && error.category !== 'unavailable' ? 400 : 503, html: signInPageHtml({ ok: false, message }) };
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Addresses pasted on standard input, each tried as the end of the sign-in. One that names no sign-in
 * of ours (a typo, another attempt's) is said and the next line awaited; one that does ends the sign-in
 * either way, and the wait reports how. With --paste, standard input ending before that cancels.
 */
function readPasted(app: App, explicit: boolean, controller: AbortController): { close(): void } {
  const lines = createInterface({ input: process.stdin, terminal: false });
  let done = false;
  let trying = 0;
  let ended = false;
  const giveUp = () => {
    if (explicit && ended && trying === 0 && !done && !controller.signal.aborted) {
      controller.abort(userError('standard input ended before the address the browser ended on was pasted'));
    }
  };
  lines.on('line', (line) => {
    const text = line.trim();
    if (!text || done) return;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      say('that is not an address: paste the whole address the browser ended on (it has ?code=… or ?error=…)');
      return;
    }
    trying++;
    void completeSignIn(app, url)
      .then(
        () => (done = true),
        (error) => {
          if (error instanceof SignInFailed && error.at.taken) done = true;
          else say(error instanceof SignInFailed ? error.message : `the sign-in failed: ${(error as Error).message}`);
        },
      )
      .finally(() => {
        trying--;
        giveUp();
      });
  });
  lines.on('close', () => {
    ended = true;
    giveUp();
  });
  return {
    close: () => {
      lines.removeAllListeners('close');
      lines.close();
      process.stdin.destroy();
    },
  };
}
