// The principal of a request that passed requireAccess: always there on a guarded route.
import type { Context } from 'hono';
import type { Principal } from '../app/principal.js';
import type { HttpEnv } from './env.js';

export function principalOf(c: Context<HttpEnv>): Principal {
  const principal = c.get('principal');
  if (!principal) throw new Error('a guarded route ran without a principal');
  return principal;
}
