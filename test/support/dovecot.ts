// A throwaway Dovecot (IMAP + POP3, plain and TLS) per test file, following the verified recipe in
// shared/research/stack.md §2: everything under one fresh temp dir, random free loopback ports, a
// passwd-file with {PLAIN} passwords, Maildir storage, TLS from a throwaway test CA.
//
// Usage:
//   import { after, before, describe, test } from 'node:test';
//   import { dovecotSkip, startDovecot, type Dovecot } from '../../support/dovecot.js';
//   const skip = dovecotSkip();   // false, or a reason string; throws if MAILBIND_REQUIRE_DOVECOT=1 and missing
//   describe('pop3 against dovecot', { skip }, () => {
//     let dc: Dovecot;
//     before(async () => { dc = await startDovecot(); });
//     after(() => dc?.stop());
//     test('…', async () => { await dc.deliver('alice', 'Subject: hi\r\n\r\nbody\r\n'); … });
//   });
//
// With `oauth2: { introspectionUrl }` it also takes OAuth2 bearer tokens (XOAUTH2, OAUTHBEARER) and checks
// them at that endpoint, e.g. the loopback OpenID provider of test/support/oidc-provider.ts.
//
// As root the master runs as nobody (uid/gid 65534) because Dovecot refuses uid 0 as a mail user and a
// non-root master needs `chroot =` on the login services and anvil. No Dovecot process outlives the test
// process: stop() awaits the master's exit, an 'exit' hook SIGKILLs forgotten instances, and the master is
// started under `setpriv --pdeathsig KILL` so it dies even if the test process is killed outright (its
// children then exit by themselves when the master disappears).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { chown, mkdir, readFile, rename, rm, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePorts, waitForPort } from './ports.js';
import { createTestPki } from './tls.js';

const run = promisify(execFile);
const DOVECOT = '/usr/sbin/dovecot';
const DOVEADM = '/usr/bin/doveadm';
const SETPRIV = '/usr/bin/setpriv';
// The pop3/imap protocol binaries come in separate Debian packages from dovecot-core.
const REQUIRED = [DOVECOT, DOVEADM, '/usr/lib/dovecot/pop3', '/usr/lib/dovecot/imap'];

export interface DovecotUser {
  user: string;
  password: string;
  /**
   * Settings for this user only (userdb extra fields), e.g. `{ pop3_uidl_format: '%08Xv' }`: every message
   * the same UIDL, as a misconfigured server gives (Dovecot's pop3_uidl_duplicates is `allow`).
   */
  settings?: Record<string, string>;
}

export interface DovecotOptions {
  /** Mail users (default alice/alicepw and bob/bobpw). Names are plain [A-Za-z0-9._-], optionally @domain. */
  users?: DovecotUser[];
  /**
   * `disable_plaintext_auth = yes`. Dovecot counts 127.0.0.1→127.0.0.1 as secure anyway, so connect with
   * `localAddress: '127.0.0.5'` to meet the refusal (and the LOGINDISABLED/STLS-only capabilities).
   */
  disablePlaintextAuth?: boolean;
  /**
   * Concurrent connections to allow (default Dovecot's: 100 processes per service). Over TLS each client
   * holds a login process (the TLS proxy) and a mail process; bench/idle-profiles.ts holds 500.
   */
  maxConnections?: number;
  /** Serve an already expired (but CA-signed) certificate. */
  expiredCert?: boolean;
  /**
   * Also accept OAuth2 bearer tokens (AUTH XOAUTH2 and OAUTHBEARER; passwords keep working), checked
   * against an RFC 7662 introspection endpoint, e.g. test/support/oidc-provider.ts's `introspectionUrl`
   * (credentials as URL userinfo become HTTP basic auth). The answer must be active and its `email` must be
   * the login name, so the user names are addresses then (alice@example.test).
   */
  oauth2?: {
    introspectionUrl: string;
    /** A scope the token must carry (the introspection answer's `scope`), e.g. 'imap'. Default none. */
    requiredScope?: string;
  };
}

export interface Dovecot {
  host: '127.0.0.1';
  ports: { imap: number; imaps: number; pop3: number; pop3s: number };
  /** PEM of the CA that signed the server certificate (DNS:localhost, IP:127.0.0.1); pass it as `ca`. */
  caCert: string;
  /** The instance's temp dir (config, log at `dovecot.log`, mail at `mail/<user>/Maildir`). */
  dir: string;
  users: DovecotUser[];
  /** The master process's id: its descendants are every other Dovecot process (login, imap, pop3, auth, config, log, …; bench/process-tree-cpu.ts reads their CPU). */
  pid: number;
  /**
   * Drops a raw message into the user's Maildir (tmp → new rename, as an MDA would), in INBOX or in
   * `folder` (Maildir++ `.Folder`; `/` in the name becomes the `.` separator). Bytes are stored as given:
   * Dovecot stores LF or CRLF as written and serves CRLF.
   */
  deliver(user: string, raw: Buffer | string, opts?: { folder?: string }): Promise<void>;
  /** Runs `doveadm -c <config> …args` and returns stdout, e.g. ['mailbox', 'status', '-u', 'alice', 'messages', 'INBOX']. */
  doveadm(args: string[]): Promise<string>;
  /** The Dovecot log so far (for assertions and for failure messages). */
  log(): Promise<string>;
  /** SIGTERM, await exit (SIGKILL after 10 s), remove the dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** True when the Dovecot binaries (core, imapd, pop3d) are installed. */
export function dovecotAvailable(): boolean {
  return REQUIRED.every((f) => existsSync(f));
}

/**
 * For `describe(name, { skip: dovecotSkip() }, …)`: false when Dovecot is installed, else a skip reason.
 * With MAILBIND_REQUIRE_DOVECOT=1 (CI) a missing Dovecot throws instead, so it can never skip silently.
 */
export function dovecotSkip(): false | string {
  if (dovecotAvailable()) return false;
  const reason = `Dovecot not installed (need ${REQUIRED.filter((f) => !existsSync(f)).join(', ')}; apt-get install dovecot-imapd dovecot-pop3d)`;
  if (process.env.MAILBIND_REQUIRE_DOVECOT === '1') throw new Error(`${reason}, and MAILBIND_REQUIRE_DOVECOT=1`);
  return reason;
}

/** Running masters and their dirs, for the exit hook. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

export async function startDovecot(opts: DovecotOptions = {}): Promise<Dovecot> {
  const skip = dovecotSkip();
  if (skip) throw new Error(skip);
  // A port picked as free can be taken by someone else before Dovecot binds it; retry with new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/i.test(String((err as Error).message))) throw err;
    }
  }
}

async function startOnce(opts: DovecotOptions): Promise<Dovecot> {
  const root = process.getuid?.() === 0;
  const uid = root ? 65534 : process.getuid!();
  const gid = root ? 65534 : process.getgid!();
  const userName = os.userInfo({ encoding: 'utf8' }).username;
  const groupName = root ? 'nogroup' : await primaryGroupName(gid);
  const mailUser = root ? 'nobody' : userName;
  const users = opts.users ?? [
    { user: 'alice', password: 'alicepw' },
    { user: 'bob', password: 'bobpw' },
  ];
  for (const u of users) {
    // The name is a passwd-file field and a directory name: no ':' or '/'; '@' is allowed for OAuth2 logins.
    if (!/^[A-Za-z0-9._-]+(@[A-Za-z0-9.-]+)?$/.test(u.user) || /[:\r\n]/.test(u.password)) throw new Error(`unsupported test user ${u.user}`);
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'mailbind-dovecot-'));
  let proc: ChildProcess | undefined;
  try {
    const pki = await createTestPki(path.join(dir, 'tls'), { expired: opts.expiredCert });
    const [imap, imaps, pop3, pop3s] = await freePorts(4);
    const ports = { imap: imap!, imaps: imaps!, pop3: pop3!, pop3s: pop3s! };
    const conf = path.join(dir, 'dovecot.conf');
    await writeFile(path.join(dir, 'users'), users
      .map((u) => `${u.user}:{PLAIN}${u.password}:${uid}:${gid}::${path.join(dir, 'mail', u.user)}::${extraFields(u.settings)}\n`).join(''));
    await writeFile(conf, config({ dir, ports, mailUser, groupName, uid, gid, pki, disablePlaintextAuth: !!opts.disablePlaintextAuth,
      oauth2: !!opts.oauth2, maxConnections: opts.maxConnections }));
    if (opts.oauth2) await writeFile(path.join(dir, 'oauth2.conf.ext'), oauth2Config(opts.oauth2));
    for (const u of users) {
      for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(dir, 'mail', u.user, 'Maildir', sub), { recursive: true });
    }
    if (root) await chownTree(dir, uid, gid);

    // setpriv runs after Node's setuid/setgid (spawn uid/gid, which also clears supplementary groups), so the
    // death signal it sets is not reset by a credential change; Dovecot's exec keeps it.
    const [cmd, args] = existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', DOVECOT, '-F', '-c', conf]]
      : [DOVECOT, ['-F', '-c', conf]];
    proc = spawn(cmd, args, { uid, gid, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    track(proc, dir);
    let stderr = '';
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    let spawnError: Error | undefined;
    proc.once('error', (e) => (spawnError = e));
    const exited = () => {
      if (spawnError) return spawnError;
      if (proc!.exitCode === null && proc!.signalCode === null) return undefined;
      return new Error(`dovecot exited during start (${proc!.exitCode ?? proc!.signalCode}): ${stderr.trim()}`);
    };
    try {
      for (const port of Object.values(ports)) await waitForPort(port, { timeoutMs: 15_000, abortIf: exited });
      // A port picked as free may have been taken by another test's server before ours bound it: then that
      // server answered the wait above while ours failed. Our own greeting on the plain ports proves them
      // ours; another's is reported as the bind failure it is, and startDovecot tries new ports.
      for (const port of [ports.imap, ports.pop3]) {
        const greeting = await firstLine(port);
        if (!greeting.includes(greetingOf(dir))) throw new Error(`Address already in use: port ${port} answered '${greeting.slice(0, 80)}', not this Dovecot`);
      }
    } catch (err) {
      const log = await readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '');
      throw new Error(`${(err as Error).message}\n${log.split('\n').slice(-15).join('\n')}`);
    }

    const child = proc;
    let stopped: Promise<void> | undefined;
    const dc: Dovecot = {
      host: '127.0.0.1',
      ports,
      caCert: pki.caCert,
      dir,
      users,
      pid: child.pid!,
      deliver: (user, raw, o) => deliver(dir, root ? { uid, gid } : undefined, user, raw, o?.folder),
      doveadm: async (a) => (await run(DOVEADM, ['-c', conf, ...a], { maxBuffer: 64 << 20 })).stdout,
      log: () => readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => ''),
      stop: () => (stopped ??= stopProcess(child).then(() => rm(dir, { recursive: true, force: true }))),
    };
    return dc;
  } catch (err) {
    if (proc) await stopProcess(proc);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A user's settings as passwd-file extra fields: space-separated `userdb_key=value` (the file serves as
 * passdb too, and only prefixed fields reach the userdb from there), `%` doubled (fields are expanded).
 */
function extraFields(settings: Record<string, string> = {}): string {
  const fields = Object.entries(settings);
  for (const [key, value] of fields) if (!/^[a-z0-9_]+$/.test(key) || /[\s:]/.test(value)) throw new Error(`unsupported user setting ${key}=${value}`);
  return fields.map(([key, value]) => `userdb_${key}=${value.replaceAll('%', '%%')}`).join(' ');
}

function config(c: {
  dir: string; ports: Dovecot['ports']; mailUser: string; groupName: string; uid: number; gid: number;
  pki: { certChainPath: string; keyPath: string }; disablePlaintextAuth: boolean; oauth2: boolean;
  maxConnections?: number | undefined;
}): string {
  return `# written by test/support/dovecot.ts
base_dir = ${c.dir}/run
state_dir = ${c.dir}/state
instance_name = mailbind-test-${path.basename(c.dir)}
login_greeting = ${greetingOf(c.dir)}
log_path = ${c.dir}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
default_internal_user = ${c.mailUser}
default_internal_group = ${c.groupName}
default_login_user = ${c.mailUser}
first_valid_uid = ${c.uid}
first_valid_gid = ${c.gid}
mail_location = maildir:~/Maildir
ssl = yes
ssl_cert = <${c.pki.certChainPath}
ssl_key = <${c.pki.keyPath}
disable_plaintext_auth = ${c.disablePlaintextAuth ? 'yes' : 'no'}
auth_mechanisms = plain login${c.oauth2 ? ` xoauth2 oauthbearer
# logs why a token was refused ("Introspection failed: …"); auth_verbose_passwords stays no, so no secrets
auth_verbose = yes` : ''}
# Tests log in with wrong passwords on purpose. Dovecot delays each failure (2 s by default; 0 still waits
# for its 0.5 s flush tick) and then penalises the source IP through anvil: 2, 4, 8… s before every later
# login from that IP, good ones too, across test files sharing the instance. The penalty is disabled below
# by making the anvil-auth-penalty socket unusable (mode 0), as Dovecot's documentation suggests.
auth_failure_delay = 0
${c.maxConnections ? `default_process_limit = ${c.maxConnections + 10}\ndefault_client_limit = ${4 * c.maxConnections + 100}\n` : ''}${passdbs(c.dir, c.oauth2)}
userdb {
  driver = passwd-file
  args = username_format=%u ${c.dir}/users
}
pop3_uidl_format = %08Xv%08Xu
service imap-login {
  chroot =
  inet_listener imap {
    port = ${c.ports.imap}
  }
  inet_listener imaps {
    port = ${c.ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    port = ${c.ports.pop3}
  }
  inet_listener pop3s {
    port = ${c.ports.pop3s}
    ssl = yes
  }
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

function passdbs(dir: string, oauth2: boolean): string {
  const passwords = `passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users`;
  if (!oauth2) return `${passwords}\n}`;
  return `${passwords}
  # a bearer token is never tried as a password
  mechanisms = plain login
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/oauth2.conf.ext
}`;
}

/** shared/research/stack.md §2.6: every token is POSTed to the introspection endpoint (RFC 7662). */
function oauth2Config(o: NonNullable<DovecotOptions['oauth2']>): string {
  if (/\s/.test(o.introspectionUrl)) throw new Error('oauth2.introspectionUrl must not contain white space');
  if (o.requiredScope !== undefined && !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(o.requiredScope)) {
    throw new Error(`oauth2.requiredScope must be one scope token, not ${JSON.stringify(o.requiredScope)}`);
  }
  return `# written by test/support/dovecot.ts
introspection_mode = post
introspection_url = ${o.introspectionUrl}
force_introspection = yes
active_attribute = active
active_value = true
# the login name must be the token's account (Dovecot refuses a mismatch)
username_attribute = email
${o.requiredScope ? `scope = ${o.requiredScope}\n` : ''}`;
}

let deliveries = 0;

async function deliver(dir: string, owner: { uid: number; gid: number } | undefined, user: string,
  raw: Buffer | string, folder?: string): Promise<void> {
  let box = path.join(dir, 'mail', user, 'Maildir');
  if (!existsSync(box)) throw new Error(`no such test user: ${user}`);
  if (folder && folder.toUpperCase() !== 'INBOX') {
    box = path.join(box, '.' + folder.split('/').join('.'));
    if (!existsSync(box)) {
      for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(box, sub), { recursive: true });
      await writeFile(path.join(box, 'maildirfolder'), '');
      if (owner) await chownTree(box, owner.uid, owner.gid);
    }
  }
  // Dovecot numbers new messages in file-name order (time first), so names sort in delivery order.
  const name = `${Date.now()}.M${String(++deliveries).padStart(8, '0')}P${process.pid}.mailbind-test`;
  const tmp = path.join(box, 'tmp', name);
  await writeFile(tmp, raw);
  if (owner) await chown(tmp, owner.uid, owner.gid);
  await rename(tmp, path.join(box, 'new', name));
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await run('chown', ['-R', `${uid}:${gid}`, dir]);
}

async function primaryGroupName(gid: number): Promise<string> {
  const { stdout } = await run('getent', ['group', String(gid)]).catch(() => ({ stdout: '' }));
  return stdout.split(':')[0] || String(gid);
}

function track(proc: ChildProcess, dir: string): void {
  live.set(proc, dir);
  proc.once('exit', () => live.delete(proc));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort for instances a test forgot to stop: 'exit' handlers must be synchronous, so SIGKILL
    // (the master's children exit when it is gone) and a best-effort synchronous removal of the dir.
    process.once('exit', () => {
      for (const [p, d] of live) {
        p.kill('SIGKILL');
        try {
          rmSync(d, { recursive: true, force: true });
        } catch {
          // a child may still be writing its log; the dir is in the OS temp dir anyway
        }
      }
    });
  }
}

function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** This instance's greeting: what tells its ports from another server's. */
function greetingOf(dir: string): string {
  return `mailbind test Dovecot ${path.basename(dir)} ready.`;
}

/** The first line a server sends on a plain port (its greeting), or '' when it closes or says nothing in 5 s. */
function firstLine(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text.split('\r\n')[0] ?? '');
    };
    const timer = setTimeout(done, 5_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\r\n') || text.length > 512) done();
    });
    socket.once('error', done);
    socket.once('close', done);
  });
}
