// A dry run with other rules (`rules test --rules-file`) still decides under the profile's threading
// settings, as processing does: only the rules differ.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, type App } from '../../src/app/app.js';
import { dryRun } from '../../src/app/dry-run.js';
import { cliPrincipal } from '../../src/app/principal.js';
import { createProfile } from '../../src/app/profiles.js';
import { addProject } from '../../src/app/tracker.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { makeMessage } from '../support/messages.js';
import { processorFor } from '../support/processor.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';

const RULES = 'then attach to project 1 and create request in project 1\n';

for (const dialect of await dialects()) {
  describe(`dry run with a rules file (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let requestId: number;

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store);
      await addProject(app, { name: 'General' }, cliPrincipal('test'));
      const profile = await createProfile(app, { name: 'tokens', rules: { text: RULES, label: 'rules' }, threading: { subjectTokens: true } }, cliPrincipal('test'));
      const { item } = await intakeMessage(t.store, makeMessage({ from: 'ann@cust.example', subject: 'Printer' }), { profileId: profile.profile.id });
      requestId = (await processorFor(t.store).processDue({ ids: [item.id] }))[0]!.created.requests[0]!;
    });
    after(() => t.cleanup());

    test("the profile's subject tokens bind the reply with the profile's rules and with a rules file alike", async () => {
      const raw = makeMessage({ from: 'ann@cust.example', subject: `Re: [#${requestId}] Printer` });
      const saved = await dryRun(app, { raw, profile: 'tokens' });
      assert.equal(saved.outcome, 'commented');
      const fromFile = await dryRun(app, { raw, profile: 'tokens', rules: { text: RULES, label: 'rules.txt' } });
      assert.equal(fromFile.outcome, 'commented', fromFile.reason ?? '');
      assert.deepEqual(fromFile.actions, [`comment on item ${requestId}`]);
    });
  });
}
