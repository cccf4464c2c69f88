// Check Connection for OAuth2 mailboxes, against real Dovecot and the real provider: a `token` step comes
// before the connection steps. For a saved, signed-in profile it refreshes (proof that the refresh token
// works; the rotated tokens are stored) and checks the mail scope was granted, then the connection steps
// log in with the new token. Settings without a sign-in (unsaved, or moved to another app or mailbox),
// a sign-in without a refresh token, or a grant without the mail scope say what to do, and point at the
// form's `oauth` section. No step ever carries a token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSavedProfile, checkUnsavedSettings, type CheckResult } from '../../src/app/check.js';
import { openTokens, signInStatus } from '../../src/store/oauth-tokens.js';
import { dovecotSkip } from '../support/dovecot.js';
import { BOB, startOAuthMailbox, type OAuthMailbox } from '../support/oauth-mailbox.js';

const CHECKED = 'checked@example.test';
const steps = (result: CheckResult) => result.steps.map((s) => [s.step, s.ok, s.field]);

/** No step's words carry a token the profile holds or was issued. */
function assertNoToken(result: CheckResult, tokens: Array<string | null | undefined>): void {
  const text = JSON.stringify(result);
  for (const token of tokens) if (token) assert.ok(!text.includes(token), 'a token in the check result');
}

describe('Check Connection for OAuth2 mailboxes', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  before(async () => {
    rig = await startOAuthMailbox({ accounts: [CHECKED, BOB] });
  });
  after(() => rig?.cleanup());

  for (const protocol of ['imap', 'pop3'] as const) {
    test(`${protocol}: the token step refreshes and stores the rotated tokens, then the login works with the new token`, async () => {
      const profile = await rig.addProfile(`check-${protocol}`, { protocol });
      const issued = await rig.signIn(profile, CHECKED);
      const refreshes = rig.op.refreshGrants();
      const heard: string[] = [];
      const result = await checkSavedProfile(rig.app, profile.name, (step) => heard.push(step.step));
      assert.equal(result.ok, true, JSON.stringify(result.steps));
      assert.equal(result.steps[0]!.step, 'token');
      assert.deepEqual(heard, result.steps.map((s) => s.step), 'the listener hears every step, the token first');
      assert.ok(result.steps.some((s) => s.step === 'auth' && s.ok));
      const scope = protocol === 'imap' ? 'imap' : 'pop';
      assert.match(result.steps[0]!.message, new RegExp(`^signed in as checked@example\\.test; the refresh works \\(a new access token, valid until [^)]+\\); granted: .*\\b${scope}\\b`));
      assert.equal(rig.op.refreshGrants(), refreshes + 1, 'the check refreshed once');
      const stored = await openTokens(rig.t.store.db, rig.secrets, profile.id);
      assert.notEqual(stored!.refreshToken, issued.refreshToken, 'the rotated refresh token is stored');
      assert.equal((await rig.op.introspect(stored!.refreshToken!)).active, true);
      assertNoToken(result, [issued.accessToken, issued.refreshToken, stored!.accessToken, stored!.refreshToken, rig.op.client.secret]);
    });
  }

  test('a token the server refuses fails the auth step, pointing at the sign-in, not at a password', async () => {
    // The mailbox logs in as bob; the account signed in is another: Dovecot refuses the token for bob.
    const profile = await rig.addProfile('check-mismatch', { login: BOB });
    await rig.signIn(profile, CHECKED);
    const result = await checkSavedProfile(rig.app, profile.name);
    assert.equal(result.ok, false);
    assert.deepEqual([result.steps[0]!.step, result.steps[0]!.ok], ['token', true]);
    const auth = result.steps.find((s) => s.step === 'auth');
    assert.deepEqual([auth?.ok, auth?.field], [false, 'oauth']);
    assert.equal((await signInStatus(rig.t.store.db, profile.id))?.state, 'ok', 'a check marks nothing');
  });

  test('a saved profile nobody signed in to: the token step says how to sign in, and nothing connects', async () => {
    const profile = await rig.addProfile('check-never');
    const result = await checkSavedProfile(rig.app, profile.name);
    assert.deepEqual(steps(result), [['token', false, 'oauth']]);
    assert.equal(result.steps[0]!.message, 'not signed in: sign in from the profile page (or `mailbind profile signin NAME`)');
  });

  test('unsaved OAuth2 settings are not signed in: save, then sign in', async () => {
    const result = await checkUnsavedSettings({
      protocol: 'imap', host: '127.0.0.1', port: rig.dc.ports.imap, tls: 'none',
      auth: 'oauth2', oauthProvider: 'custom', oauthIssuer: rig.op.issuer, oauthClientId: rig.op.client.id,
    });
    assert.deepEqual(steps(result), [['token', false, 'oauth']]);
    assert.match(result.steps[0]!.message, /^not signed in: save the profile, then sign in/);
  });

  test('unsaved changes: kept where the sign-in is good, refused where they move it to another mailbox', async () => {
    const profile = await rig.addProfile('check-changes');
    await rig.signIn(profile, CHECKED);
    const kept = await checkSavedProfile(rig.app, profile.name, undefined, { pollSeconds: 120 });
    assert.equal(kept.ok, true, JSON.stringify(kept.steps));
    assert.equal(kept.steps[0]!.step, 'token');
    const moved = await checkSavedProfile(rig.app, profile.name, undefined, { host: 'localhost' });
    assert.deepEqual(steps(moved), [['token', false, 'oauth']]);
    assert.match(moved.steps[0]!.message, /^not signed in for these settings: the provider, app or mailbox changed.*sign in again/);
  });
});

describe('Check Connection when the provider withheld the mail scope', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  before(async () => {
    // The user's consent leaves imap out; Dovecot insists on it, as Gmail or Outlook insist on theirs.
    rig = await startOAuthMailbox({ accounts: [CHECKED], provider: { withheldScopes: ['imap'] }, requiredScope: 'imap' });
  });
  after(() => rig?.cleanup());

  test('the token step names the missing scope and what was granted; the connection steps still run', async () => {
    const profile = await rig.addProfile('no-imap-scope');
    await rig.signIn(profile, CHECKED);
    const result = await checkSavedProfile(rig.app, profile.name);
    assert.equal(result.ok, false);
    const [token] = result.steps;
    assert.deepEqual([token!.step, token!.ok, token!.field], ['token', false, 'oauth']);
    assert.match(token!.message, /^the app is missing the IMAP scope imap \(granted: [^)]*\) — add it to the app's permissions at the provider \(docs\/oauth\.md\), then sign in again$/);
    assert.doesNotMatch(token!.message.match(/granted: ([^)]*)/)![1]!, /\bimap\b/);
    const auth = result.steps.find((s) => s.step === 'auth');
    assert.deepEqual([auth?.ok, auth?.field], [false, 'oauth'], 'the server refuses the token too');
  });
});

describe('Check Connection when the provider issued no refresh token', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  before(async () => {
    rig = await startOAuthMailbox({ accounts: [CHECKED], provider: { issueRefreshTokens: false } });
  });
  after(() => rig?.cleanup());

  test('the token step says offline access was not granted, without spending the access token or stopping the sign-in', async () => {
    const profile = await rig.addProfile('no-refresh-token');
    const issued = await rig.signIn(profile, CHECKED);
    assert.equal(issued.refreshToken, undefined, 'the provider issued none');
    const result = await checkSavedProfile(rig.app, profile.name);
    assert.deepEqual(steps(result), [['token', false, 'oauth']]);
    assert.match(result.steps[0]!.message, /^no refresh token was issued — the provider did not grant offline access \(see docs\/oauth\.md\)/);
    assert.equal(rig.op.refreshGrants() + rig.op.failedRefreshGrants(), 0, 'the provider was not asked');
    assert.equal((await signInStatus(rig.t.store.db, profile.id))?.state, 'ok');
  });
});
