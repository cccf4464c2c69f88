// Shared helpers of the IMAP source tests (not a test file: only *.test.js run).
import { randomBytes } from 'node:crypto';
import { readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Dovecot } from '../../support/dovecot.js';
import type { Store } from '../../../src/store/database.js';
import { createProfile, type Profile } from '../../../src/store/profiles.js';
import { listInboxItems, recordOutcome } from '../../../src/store/inbox.js';
import type { Outcome } from '../../../src/store/schema.js';
import type { AfterAction, FirstRun, ResolvedSettings, TlsMode } from '../../../src/sources/settings.js';
import type { ImapSourceOptions } from '../../../src/sources/imap/index.js';
import type { PollContext } from '../../../src/sources/source.js';

export function settingsFor(dc: Dovecot, user: string, extra: Partial<ResolvedSettings> & { tls?: TlsMode } = {}): ResolvedSettings {
  const tls = extra.tls ?? 'tls';
  return {
    protocol: 'imap',
    host: dc.host,
    port: tls === 'tls' ? dc.ports.imaps : dc.ports.imap,
    tls,
    allowInvalidCertificate: false,
    login: user,
    password: dc.users.find((u) => u.user === user)?.password ?? 'pw',
    folder: 'INBOX',
    pollSeconds: 60,
    idle: true,
    afterImport: { kind: 'leave' } as AfterAction,
    afterOther: { kind: 'leave' } as AfterAction,
    firstRun: { kind: 'all' } as FirstRun,
    maxMessageBytes: 50 * 1024 * 1024,
    address: null,
    ...extra,
  };
}

export function sourceOptions(dc: Dovecot, extra: ImapSourceOptions = {}): ImapSourceOptions {
  return { tlsOptions: { ca: dc.caCert }, connectTimeoutMs: 5000, commandTimeoutMs: 5000, ...extra };
}

/** `count` users u<prefix>1… with password pw, for startDovecot({ users }). */
export function users(prefix: string, count: number): Array<{ user: string; password: string }> {
  return Array.from({ length: count }, (_, i) => ({ user: `${prefix}${i + 1}`, password: 'pw' }));
}

let profiles = 0;
export async function newProfile(store: Store): Promise<Profile> {
  return createProfile(store.db, { name: `imap-test-${process.pid}-${++profiles}`, rules: '' });
}

export function context(store: Store, profile: Profile, settings: ResolvedSettings, extra: Partial<PollContext> = {}): PollContext {
  return { store, profile, settings, ...extra };
}

/** An afterIntake hook that records an outcome for every unprocessed item, as the engine would. */
export function recordAll(store: Store, profileId: number, outcome: Outcome = 'imported'): () => Promise<void> {
  return async () => {
    for (const item of await listInboxItems(store.db, { profileId, outcome: 'pending' })) {
      await recordOutcome(store.db, item.id, { outcome, reason: null, ruleLine: null, actions: [], created: {}, trace: item.trace });
    }
  };
}

/** Delivers like dc.deliver and sets the file's mtime, which Dovecot's Maildir uses as INTERNALDATE. */
export async function deliverAt(dc: Dovecot, user: string, raw: Buffer | string, date: Date, folder?: string): Promise<void> {
  const dir = path.join(dc.dir, 'mail', user, 'Maildir', ...(folder ? ['.' + folder] : []), 'new');
  const before = new Set(await readdir(dir).catch(() => [] as string[]));
  await dc.deliver(user, raw, folder ? { folder } : undefined);
  for (const name of await readdir(dir)) {
    if (!before.has(name)) await utimes(path.join(dir, name), date, date);
  }
}

export interface ServerMessage {
  uid: number;
  flags: string;
}

/** The messages of a folder as Dovecot sees them (uid and flags), via doveadm. */
export async function serverMessages(dc: Dovecot, user: string, folder = 'INBOX'): Promise<ServerMessage[]> {
  const out = await dc.doveadm(['-f', 'flow', 'fetch', '-u', user, 'uid flags', 'mailbox', folder, 'all']);
  return out.split('\n').filter(Boolean).map((line) => {
    const uid = /uid=(\d+)/.exec(line);
    const flags = /flags=(.*)$/.exec(line);
    return { uid: Number(uid?.[1]), flags: flags?.[1]?.trim() ?? '' };
  });
}

export function hours(n: number): Date {
  return new Date(Date.now() + n * 3600_000);
}

/** A message with a base64 attachment of `bytes` random bytes (makeMessage's line splitting overflows the stack at this size). */
export function bigMessage(subject: string, bytes: number): Buffer {
  const base64 = randomBytes(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 76) lines.push(base64.slice(i, i + 76));
  const head = [
    'From: Alice Example <alice@example.com>', 'To: support@mailbind.test', `Subject: ${subject}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@example.com>`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain', '', 'see attachment', '--b1',
    'Content-Type: application/octet-stream; name="big.bin"', 'Content-Transfer-Encoding: base64', '', '',
  ].join('\r\n');
  return Buffer.from(head + lines.join('\r\n') + '\r\n--b1--\r\n', 'latin1');
}
