// The small page a browser lands on at the end of a sign-in that has no profile page to go back to (a
// CLI-started one, or an address nobody started): signed in as whom, or why not. Served by the service's
// /oauth/callback and by the CLI's own loopback listener alike. Plain HTML without script or outside
// resources (the service's CSP allows neither inline script nor other origins); every text is escaped.

export interface SignInPage {
  ok: boolean;
  /** "Signed in as …" or the reason it failed: words for a person, never a token. */
  message: string;
  notes?: string[];
}

export function signInPageHtml(page: SignInPage): string {
  const title = page.ok ? 'Signed in' : 'Sign-in failed';
  const next = page.ok ? 'You can close this window.' : 'Close this window and start the sign-in again.';
  const notes = (page.notes ?? []).map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title} · mailbind</title></head>`,
    `<body><main><h1>${title}</h1>`,
    `<p role="${page.ok ? 'status' : 'alert'}">${escapeHtml(page.message)}</p>`,
    notes ? `<ul>${notes}</ul>` : '',
    `<p>${next}</p></main></body></html>`,
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
