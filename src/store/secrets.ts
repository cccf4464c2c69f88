// Secrets at rest (mailbox passwords, tokens): AES-256-GCM with a key from MAILBIND_SECRET_KEY or a
// key file the first start creates in the data dir, readable by its owner only. A stored secret is
// "v1:" + base64(iv | tag | ciphertext); a wrong key fails loudly instead of yielding garbage.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'v1:';

export class SecretKeyError extends Error {}

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** MAILBIND_SECRET_KEY (64 hex chars, 44 base64 chars, or any passphrase) wins over the key file. */
  static forDataDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretBox {
    const configured = env.MAILBIND_SECRET_KEY;
    if (configured) return new SecretBox(keyFromText(configured));
    const file = join(dataDir, 'secret.key');
    if (!existsSync(file)) {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, randomBytes(32).toString('hex') + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    chmodSync(file, 0o600);
    const text = readFileSync(file, 'utf8').trim();
    // An empty key would silently be the well-known hash of nothing.
    if (!text) throw new SecretKeyError(`the key file ${file} is empty; restore it from a backup (or remove it and set every password again)`);
    return new SecretBox(keyFromText(text));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
  }

  decrypt(stored: string): string {
    if (!stored.startsWith(PREFIX)) throw new SecretKeyError('the stored secret is not in a known format');
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyError(
        'cannot decrypt a stored password: the secret key changed (MAILBIND_SECRET_KEY or DATA_DIR/secret.key); set the password again',
      );
    }
  }
}

function keyFromText(text: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/]{43}=$/.test(text)) return b64;
  // A passphrase: stretched to a key so that any configured text works.
  return createHash('sha256').update(text, 'utf8').digest();
}
