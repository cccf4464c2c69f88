// Headers every answer carries: a CSP that allows no inline script and no framing, nosniff, no
// referrer leaks. The web UI is built to this policy: scripts and styles from our own origin only.
import type { Context, Next } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The one page meant to be framed: a message's sanitised HTML, shown by the message page in a
 * sandboxed iframe. Its route sets a stricter CSP of its own (frame-ancestors 'self') and
 * X-Frame-Options SAMEORIGIN; here they are kept instead of overwritten. Everything else is the same.
 */
const FRAMEABLE = /^\/api\/v1\/messages\/\d+\/body\.html$/;

export function securityHeaders() {
  const everywhere = headers(true);
  const ownPolicy = headers(false);
  return (c: Context, next: Next) => (FRAMEABLE.test(c.req.path) ? ownPolicy(c, next) : everywhere(c, next));
}

function headers(overwrite: boolean) {
  return secureHeaders({
    overwrite,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Swagger UI (the API docs) sets style attributes from script; styles cannot run code.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      // The message page frames the message's own HTML (sandboxed, see FRAMEABLE).
      frameSrc: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    xContentTypeOptions: 'nosniff',
    referrerPolicy: 'no-referrer',
    crossOriginResourcePolicy: 'same-origin',
    crossOriginOpenerPolicy: 'same-origin',
    strictTransportSecurity: false,
  });
}
