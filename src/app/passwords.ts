// Account passwords: hashed with scrypt (node:crypto), stored as 'scrypt$N$r$p$saltB64$hashB64' so
// that stronger parameters later still verify the hashes made today. Also the password policy and
// the generator for passwords the command line prints once.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { FieldError } from './errors.js';

// N = 2^15, r = 8: 32 MiB and about 100 ms a hash; costly to guess offline, cheap enough per sign-in.
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
export const MIN_PASSWORD_LENGTH = 10;

function derive(plain: string, salt: Buffer, cost: { N: number; r: number; p: number }, length: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses more than 32 MiB unless told.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scrypt(plain.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(plain, salt, COST, KEY_BYTES);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** False for a wrong password and for a stored value that is not one of our hashes. */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length === 0) return false;
  try {
    const key = await derive(plain, salt, { N, r, p }, expected.length);
    return timingSafeEqual(key, expected);
  } catch {
    return false; // parameters scrypt refuses: not a hash we made
  }
}

/** Why a password is refused, or null when it will do. */
export function passwordProblem(plain: string): FieldError | null {
  if ([...plain].length < MIN_PASSWORD_LENGTH) {
    return { field: 'password', message: `Password should have at least ${MIN_PASSWORD_LENGTH} characters` };
  }
  return null;
}

/** A password for people to copy once: 24 characters of base64url (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
