// HTTP push intake: a mail gateway or script POSTs one raw RFC 5322 message to
// /api/v1/intake/{profileId} with the profile's own intake token. The answer comes only once the
// bytes are committed (blob fsynced, inbox row written): 202 means the message is ours. Input that is
// not mail is refused before anything is stored; a message over the profile's size limit is refused
// while it streams in. The token is shown once when created and stored as its SHA-256 only.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { looksLikeMessage } from '../mail/header-scan.js';
import { intakeMessage } from '../sources/intake.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../sources/settings-core.js';
import { getProfile, intakeTokenHash, setIntakeTokenHash, type Profile } from '../store/profiles.js';
import type { App } from './app.js';
import { recordAudit } from './audit.js';
import { AppError, unavailable, userError } from './errors.js';
import type { Principal } from './principal.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function createIntakeToken(app: App, profile: string | number, who: Principal): Promise<{ profileId: number; token: string }> {
  const found = await getProfile(app.store.db, profile);
  const token = `mbi_${randomBytes(32).toString('base64url')}`;
  await setIntakeTokenHash(app.store.db, found.id, sha256(token));
  await recordAudit(app.store.db, who, 'intake-token.create', `profile ${found.name}`, { id: found.id });
  return { profileId: found.id, token };
}

export async function revokeIntakeToken(app: App, profile: string | number, who: Principal): Promise<void> {
  const found = await getProfile(app.store.db, profile);
  await setIntakeTokenHash(app.store.db, found.id, null);
  await recordAudit(app.store.db, who, 'intake-token.revoke', `profile ${found.name}`, { id: found.id });
}

export interface PushedMessage {
  itemId: number;
  /** The same bytes were pushed before (a client's retry): nothing new was stored. */
  duplicate: boolean;
}

/** Who may push to a profile: the bearer of its intake token. Same answer for an unknown profile. */
export async function authorizeIntake(app: App, profileId: number, bearer: string | null): Promise<Profile | null> {
  return cannotStoreNow(async () => {
    const stored = await intakeTokenHash(app.store.db, profileId);
    if (!stored || !bearer) return null;
    const given = Buffer.from(sha256(bearer), 'hex');
    if (!timingSafeEqual(given, Buffer.from(stored, 'hex'))) return null;
    return getProfile(app.store.db, profileId);
  });
}

/**
 * A failure of the database or the disk during intake is "try again later" (503), never a 500: the
 * sender keeps the message and retries. The cause goes to the log (AppError.details.cause), not to
 * the sender: driver and file-system messages name paths and tables.
 */
async function cannotStoreNow<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw unavailable('the message could not be stored now; send it again later', error);
  }
}

function intakeLimit(profile: Profile): number {
  return profile.source?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
}

export async function pushMessage(app: App, profile: Profile, body: Readable, declaredLength?: number): Promise<PushedMessage> {
  const limit = intakeLimit(profile);
  if (declaredLength !== undefined && declaredLength > limit) throw tooLarge(declaredLength, limit);
  const { head, rest } = await cannotStoreNow(() => peek(body, 4096));
  if (head.length === 0) throw userError('the request body is empty: send one raw RFC 5322 message');
  if (!looksLikeMessage(head)) throw userError('the request body is not a mail message (it does not start with a header)');
  // One stream, not a pipe into a size-checking Transform: .pipe() does not pass its source's errors on,
  // and a sender whose connection broke off midway made the source fail with no listener, which ended
  // the whole service (an uncaught 'error' event), while the Transform waited for an end that never came.
  const content = Readable.from(capped(concat(head, rest), limit));
  return cannotStoreNow(async () => {
    const { item, inserted } = await intakeMessage(app.store, content, { profileId: profile.id, maxMessageBytes: limit });
    return { itemId: item.id, duplicate: !inserted };
  });
}

function tooLarge(size: number, limit: number): AppError {
  return new AppError('too-large', `the message is over this profile's size limit of ${limit} bytes (at least ${size})`);
}

/** The first `bytes` of a stream (or all of it when shorter), and an iterator over what follows. */
async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; rest: AsyncIterator<Buffer> }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  return { head: Buffer.concat(chunks), rest: iterator };
}

/** The chunks as they come, refused (too-large) as soon as they add up to more than `limit` bytes. */
async function* capped(chunks: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of chunks) {
    seen += chunk.length;
    if (seen > limit) throw tooLarge(seen, limit);
    yield chunk;
  }
}

async function* concat(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length) yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
  }
}
