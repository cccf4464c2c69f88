// Two workers, two processes, one PostgreSQL, one OAuth2 mailbox whose access token has run out: both
// ask for a token at once, and the provider sees exactly one refresh (with rotation on, a second one
// would spend a refresh token already spent and sign the profile out). Each worker is its own process,
// so the in-process sharing of accessTokenFor cannot hide a race: only the lease in oauth_tokens stands
// between them. To make sure both are in the middle of obtaining a token at the same moment, the test
// holds the lease itself while they start, and frees it once both have asked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openTokens, releaseRefreshLease, signInStatus, takeRefreshLease } from '../../../src/store/oauth-tokens.js';
import { dovecotSkip } from '../../support/dovecot.js';
import { startOAuthMailbox, type OAuthMailbox } from '../../support/oauth-mailbox.js';
import { dialects } from '../../support/store.js';
import { waitFor } from '../../support/wait.js';

const WORKER = fileURLToPath(new URL('../../support/token-worker.js', import.meta.url));

interface Worker {
  child: ChildProcess;
  /** Lines printed so far. */
  lines: string[];
  stderr: string;
}

function startWorker(profileId: number, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [WORKER, String(profileId)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const worker: Worker = { child, lines: [], stderr: '' };
  createInterface({ input: child.stdout! }).on('line', (line) => worker.lines.push(line));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (worker.stderr += s));
  return worker;
}

const said = (w: Worker, line: string) => w.lines.includes(line);
const result = (w: Worker) => {
  const last = w.lines.find((l) => l.startsWith('{'));
  return last ? (JSON.parse(last) as { ok: boolean; sha256?: string; version?: number; error?: string; askedAt: number; gotAt: number }) : undefined;
};

const postgres = (await dialects()).includes('postgres');

describe('two workers refreshing one OAuth2 mailbox on PostgreSQL', { skip: dovecotSkip() || (!postgres && 'PostgreSQL is not reachable') }, () => {
  let rig: OAuthMailbox;
  const workers: Worker[] = [];
  before(async () => {
    rig = await startOAuthMailbox({ dialect: 'postgres', provider: { accessTokenTtlSeconds: 3 } });
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill();
    await rig?.cleanup();
  });

  test('both ask while the token is stale; the provider sees one refresh, and both get the one new token', async () => {
    const profile = await rig.addProfile('shared');
    const issued = await rig.signIn(profile);
    const before = await openTokens(rig.t.store.db, rig.secrets, profile.id);
    workers.push(startWorker(profile.id, rig.t.env), startWorker(profile.id, rig.t.env));
    const stderr = () => workers.map((w) => w.stderr).join('\n');
    await waitFor(() => workers.every((w) => said(w, 'ready')), { what: () => `both workers to open the store (stderr: ${stderr()})`, timeoutMs: 20_000 });

    // A third holder keeps the lease while the two start: neither can refresh before both have asked.
    assert.ok(await takeRefreshLease(rig.t.store.db, profile.id, 'the-test', 60_000));
    await waitFor(() => Date.now() > Date.parse(before!.accessExpiresAt), { what: 'the access token to run out', intervalMs: 100 });
    const [refreshes, failed] = [rig.op.refreshGrants(), rig.op.failedRefreshGrants()];
    for (const w of workers) w.child.stdin!.write('go\n');
    await waitFor(() => workers.every((w) => said(w, 'asking')), { what: () => `both workers to ask for a token (stderr: ${stderr()})` });
    const freedAt = Date.now();
    await releaseRefreshLease(rig.t.store.db, profile.id, 'the-test');

    const [a, b] = await waitFor(() => {
      const got = workers.map(result);
      return got.every(Boolean) && got;
    }, { what: () => `both workers to get a token (stderr: ${stderr()})`, timeoutMs: 20_000 });
    assert.ok(a?.ok && b?.ok, `${a?.error ?? ''} ${b?.error ?? ''}`);
    assert.ok(a.askedAt < freedAt && b.askedAt < freedAt && a.gotAt >= freedAt && b.gotAt >= freedAt, 'both were obtaining at once');
    assert.equal(rig.op.refreshGrants(), refreshes + 1, 'exactly one refresh');
    assert.equal(rig.op.failedRefreshGrants(), failed, 'no refresh with a spent token');
    assert.equal(a.sha256, b.sha256, 'the same new token');
    assert.equal(a.version, b.version);
    const now = await openTokens(rig.t.store.db, rig.secrets, profile.id);
    assert.equal(createHash('sha256').update(now!.accessToken).digest('hex'), a.sha256, 'the stored token');
    assert.notEqual(now!.refreshToken, issued.refreshToken, 'the rotated refresh token is stored');
    assert.equal((await rig.op.introspect(now!.refreshToken!)).active, true);
    assert.equal((await signInStatus(rig.t.store.db, profile.id))?.state, 'ok');
  });
});
