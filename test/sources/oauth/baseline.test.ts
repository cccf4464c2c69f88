// POP3 "from-now" for an OAuth2 mailbox: a new profile is not signed in yet, so it says the baseline
// waits for the first poll after signing in; once signed in, pointing the profile at its mailbox anew
// takes the baseline at once, logging in with the access token, and only mail after it is fetched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchOnce } from '../../../src/app/fetch.js';
import { cliPrincipal } from '../../../src/app/principal.js';
import { createProfile, updateProfile } from '../../../src/app/profiles.js';
import { getStatus } from '../../../src/sources/status.js';
import { getProfile } from '../../../src/store/profiles.js';
import { dovecotSkip } from '../../support/dovecot.js';
import { makeMessage } from '../../support/messages.js';
import { RULES, startOAuthMailbox, type OAuthMailbox } from '../../support/oauth-mailbox.js';
import { waitFor } from '../../support/wait.js';

const ACCOUNT = 'fromnow@example.test';

describe('POP3 from-now for an OAuth2 mailbox', { skip: dovecotSkip() }, () => {
  let rig: OAuthMailbox;
  before(async () => {
    rig = await startOAuthMailbox({ accounts: [ACCOUNT] });
  });
  after(() => rig?.cleanup());

  test('not signed in: the baseline waits for the first poll; signed in: it is taken at once with the token', async () => {
    await rig.dc.deliver(ACCOUNT, makeMessage({ subject: 'there before' }));
    const created = await createProfile(rig.app, {
      name: 'from-now', rules: { text: RULES, label: 'rules' },
      source: {
        protocol: 'pop3', host: '127.0.0.1', port: rig.dc.ports.pop3, tls: 'none', firstRun: 'from-now', pollSeconds: 3600,
        auth: 'oauth2', oauthProvider: 'custom', oauthIssuer: rig.op.issuer, oauthClientId: rig.op.client.id,
        oauthClientSecret: rig.op.client.secret, oauthScopes: 'openid email offline_access pop',
      },
    }, cliPrincipal('test'));
    assert.deepEqual(created.notes, [`the mailbox's current messages are taken as old at the first poll after signing in`]);
    const profile = await getProfile(rig.t.store.db, created.profile.name);
    assert.equal((await getStatus(rig.t.store.db, profile.id)).baselineAt, null);

    await rig.signIn(profile, ACCOUNT);
    // Naming the login (it was the sign-in's account) points the profile at its mailbox anew: the
    // first-run policy applies again, and the baseline is taken now, through the token.
    const mark = (await rig.dc.log()).length;
    const changed = await updateProfile(rig.app, profile.name, { source: { login: ACCOUNT } }, cliPrincipal('test'));
    assert.deepEqual(changed.notes, [], 'the mailbox was reached');
    assert.ok((await getStatus(rig.t.store.db, profile.id)).baselineAt, 'the baseline is taken');
    await waitFor(async () => /pop3-login: Info: Login: user=<fromnow@example\.test>, method=XOAUTH2/.test((await rig.dc.log()).slice(mark)), {
      what: 'Dovecot to log the XOAUTH2 login of the baseline', timeoutMs: 5_000,
    });

    await rig.dc.deliver(ACCOUNT, makeMessage({ subject: 'arrived after' }));
    const report = await fetchOnce(rig.app, profile.name);
    assert.deepEqual(report.messages.map((m) => m.subject), ['arrived after']);
  });
});
