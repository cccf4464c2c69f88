// API tokens for scripts: created with a role (the token shown once), listed (never the token again),
// revoked, and checked on each request. A token is 'mbt_' + 32 random bytes (base64url); its prefix
// (the first 12 characters) tells tokens apart in lists and carries no power on its own.
import * as tokens from '../store/api-tokens.js';
import type { Db } from '../store/database.js';
import type { App } from './app.js';
import { nameProblem, checkRole } from './accounts.js';
import { recordAudit } from './audit.js';
import { newSecret, secretHash } from './bearer-secrets.js';
import { conflict, notFound, userError } from './errors.js';
import { actorName, type Principal, type Role } from './principal.js';

export type TokenView = tokens.ApiToken;

const TOKEN_PREFIX = 'mbt_';
const PREFIX_LENGTH = 12;
/** last_used_at is written at most this often: a busy script costs one write a minute. */
const TOUCH_EVERY_MS = 60_000;

export async function createToken(app: App, input: { name: string; role: Role }, who: Principal): Promise<{ token: string; view: TokenView }> {
  const name = input.name.trim();
  const problem = nameProblem(name, 'token');
  if (problem) throw userError(problem.message, { fields: [problem] });
  const role = checkRole(input.role);
  const token = TOKEN_PREFIX + newSecret();
  const view = await app.store.db.transaction().execute(async (trx) => {
    // One live token a name, so that `token revoke NAME` means one token.
    if ((await tokens.findActiveTokensByName(trx, name)).length) throw conflict(`a token named '${name}' exists; revoke it first or choose another name`);
    const created = await tokens.insertToken(trx, {
      name,
      role,
      tokenHash: secretHash(token),
      prefix: token.slice(0, PREFIX_LENGTH),
      createdBy: actorName(who),
      at: new Date().toISOString(),
    });
    await recordAudit(trx, who, 'token.create', `token ${created.name}`, { id: created.id, role });
    return created;
  });
  return { token, view };
}

export function listTokens(app: App): Promise<TokenView[]> {
  return tokens.listTokens(app.store.db);
}

/** By id, or by the name of a token not yet revoked. */
export async function revokeToken(app: App, idOrName: string | number, who: Principal): Promise<TokenView> {
  return app.store.db.transaction().execute(async (trx) => {
    const target = await findToRevoke(trx, idOrName);
    const revoked = await tokens.revokeToken(trx, target.id, new Date().toISOString());
    if (!revoked) throw conflict(`token ${target.id} (${target.name}) is already revoked`);
    await recordAudit(trx, who, 'token.revoke', `token ${revoked.name}`, { id: revoked.id });
    return revoked;
  });
}

async function findToRevoke(db: Db, idOrName: string | number): Promise<TokenView> {
  const text = String(idOrName).trim();
  if (/^\d+$/.test(text)) {
    const byId = await tokens.findTokenById(db, Number(text));
    if (byId?.revokedAt) throw conflict(`token ${byId.id} (${byId.name}) is already revoked`);
    if (byId) return byId;
    // A number as a string may still be a token's name.
    if (typeof idOrName === 'number') throw notFound(`no token with id ${text}`);
  }
  const byName = await tokens.findActiveTokensByName(db, text);
  if (byName.length === 0) throw notFound(`no token named '${text}' that is not revoked`);
  if (byName.length > 1) throw conflict(`${byName.length} tokens are named '${text}'; revoke by id (${byName.map((t) => t.id).join(', ')})`);
  return byName[0]!;
}

/** The principal of a bearer token; null for anything but a live token of ours. */
export async function authenticateToken(app: App, bearer: string, options: { now?: () => number } = {}): Promise<Principal | null> {
  if (!bearer.startsWith(TOKEN_PREFIX)) return null;
  const token = await tokens.findTokenByHash(app.store.db, secretHash(bearer));
  if (!token || token.revokedAt) return null;
  const at = options.now?.() ?? Date.now();
  if (!token.lastUsedAt || at - Date.parse(token.lastUsedAt) >= TOUCH_EVERY_MS) {
    await tokens.touchToken(app.store.db, token.id, new Date(at).toISOString());
  }
  return { kind: 'token', name: token.name, role: token.role, tokenId: token.id };
}
