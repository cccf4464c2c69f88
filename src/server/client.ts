// Facts about the client that depend on how the service is deployed: its IP (for sign-in limits) and
// whether the connection is TLS (for the Secure cookie flag). Behind one reverse proxy, set
// MAILBIND_TRUST_PROXY=1 so that X-Forwarded-For/-Proto are believed (the last address, the one the
// proxy appended); otherwise they are ignored, since any client can send them.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

const trustProxy = () => process.env.MAILBIND_TRUST_PROXY === '1' || process.env.MAILBIND_TRUST_PROXY === 'true';

export function clientIp(c: Context): string {
  if (trustProxy()) {
    // The proxy appends the address it saw; entries to its left are whatever the client sent.
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket
    return 'unknown';
  }
}

export function isTls(c: Context): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return trustProxy() && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}
