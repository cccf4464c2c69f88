// Secrets handed to clients (session cookies, API tokens, intake tokens): random text shown to the
// client once, and the SHA-256 of it, which is all the database keeps. A hash of 256 random bits needs
// no salt or slow hash: there is nothing to guess from a dictionary.
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored and compared: the SHA-256 of the secret, in hex. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
