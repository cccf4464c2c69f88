// Secrets of the installation, not of a profile: made once, on first use, by whichever process needs
// one first, and sealed with the secret key like every password. Today: the key that signs reply tokens.
import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';
import { now } from './database.js';
import type { SecretBox } from './secrets.js';

export const REPLY_TOKEN_KEY = 'reply-token-key';

/**
 * The secret `name`, made when missing. Two processes starting at once may both make one: the insert
 * that loses is ignored and both read the one that won, so every process signs with the same key.
 */
export async function installationSecret(db: Db, secrets: SecretBox, name: string): Promise<Buffer> {
  const stored = await db.selectFrom('installation_secrets').select('sealed').where('name', '=', name).executeTakeFirst();
  if (stored) return Buffer.from(secrets.decrypt(stored.sealed), 'hex');
  await db
    .insertInto('installation_secrets')
    .values({ name, sealed: secrets.encrypt(randomBytes(32).toString('hex')), created_at: now() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('installation_secrets').select('sealed').where('name', '=', name).executeTakeFirstOrThrow();
  return Buffer.from(secrets.decrypt(row.sealed), 'hex');
}
