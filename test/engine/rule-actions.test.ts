// Issue 10's "done when", end to end through intake, decide and execute on SQLite and PostgreSQL: the
// new actions reach the builtin tracker with their fields, captures route by project code, and an
// ignore rule leaves no requester and no item behind.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { processorFor } from '../support/processor.js';
import { dialects, openTestStore, type TestStore } from '../support/store.js';
import { makeMessage } from '../support/messages.js';
import { createProfile } from '../../src/store/profiles.js';
import { intakeMessage } from '../../src/sources/intake.js';
import type { Processor, ProcessResult } from '../../src/engine/process.js';
import { addCompany, addProject, addRequester, addUser, listTracker } from '../../src/tracker/builtin/admin.js';
import { getInboxItem } from '../../src/store/inbox.js';

const RULES = [
  "when from contains 'vip.example' then create bug in project 1 and set severity 'Critical' and assign to 'lead@example.com'",
  'when subject matches /\\[(?<code>[A-Z]+)\\]/ then create task in project {code} and add tag \'{code}\'',
  "when not sender is known then ignore because 'unknown sender'",
  "when subject contains 'story' then create user story in project ACME and set priority 'High'",
  "then create request in project 1 and set field 'Customer ID' to 'C-1' and set state 'In Progress'",
].join('\n');

for (const dialect of await dialects()) {
  describe(`rule actions on ${dialect}`, () => {
    let t: TestStore;
    let profileId: number;
    let processor: Processor;

    before(async () => {
      t = await openTestStore(dialect);
      const db = t.store.db;
      await addCompany(db, { name: 'VIP', domains: ['vip.example'] });
      await addProject(db, { name: 'General' }); // 1
      await addProject(db, { name: 'Zed rollout', code: 'ZED' }); // 2
      await addProject(db, { name: 'Acme', code: 'ACME' }); // 3
      await addUser(db, { email: 'lead@example.com', name: 'Team Lead' });
      await addRequester(db, { email: 'boss@vip.example', name: 'VIP Boss', company: 'VIP' });
      await addRequester(db, { email: 'known@customer.example', name: 'Known Customer' });
      profileId = (await createProfile(db, { name: 'support', rules: RULES })).id;
      processor = processorFor(t.store);
    });
    after(() => t.cleanup());

    async function deliver(raw: Buffer): Promise<ProcessResult> {
      const { item, inserted } = await intakeMessage(t.store, raw, { profileId });
      assert.equal(inserted, true);
      const [result] = await processor.processDue({ ids: [item.id] });
      assert.ok(result);
      return result;
    }

    const item = async (list: 'requests' | 'stories' | 'bugs' | 'tasks', id: number) =>
      ((await listTracker(t.store.db, list, {})) as any[]).find((row) => row.id === id);

    test("a VIP's mail becomes a bug with severity Critical assigned to the lead", async () => {
      const r = await deliver(makeMessage({ from: 'VIP Boss <boss@vip.example>', subject: 'Checkout is down' }));
      assert.equal(r.outcome, 'imported');
      assert.equal(r.rule, 1);
      assert.deepEqual(r.actions, ["create bug in project 1 and assign to 'lead@example.com' and set severity 'Critical'"]);
      assert.equal(r.created.items.length, 1);
      assert.deepEqual(r.created.requests, []);
      const bug = await item('bugs', r.created.items[0]!);
      assert.equal(bug.name, 'Checkout is down');
      assert.equal(bug.severity, 'Critical');
      assert.equal(bug.assignee, 'lead@example.com');
      assert.equal(bug.state, 'open');
      assert.equal(bug.projectId, 1);
    });

    test('[ZED] rollout goes to the project whose code ZED the regex captured, tagged ZED', async () => {
      const r = await deliver(makeMessage({ from: 'known@customer.example', subject: '[ZED] rollout' }));
      assert.equal(r.outcome, 'imported');
      assert.equal(r.rule, 2);
      assert.deepEqual(r.actions, ["create task in project 2 and add tag 'ZED'"]);
      const task = await item('tasks', r.created.items[0]!);
      assert.equal(task.projectId, 2);
      assert.deepEqual(task.tags, ['ZED']);
      const stored = await getInboxItem(t.store.db, r.itemId);
      assert.match(JSON.stringify(stored!.trace), /code=ZED/);
    });

    test('a capture that names no project: the rule is skipped with the reason, the next one decides', async () => {
      const r = await deliver(makeMessage({ from: 'known@customer.example', subject: '[NOPE] hello' }));
      assert.equal(r.rule, 5, 'the catch-all rule');
      const stored = await getInboxItem(t.store.db, r.itemId);
      const rule2 = (stored!.trace as any).rules.find((x: any) => x.line === 2);
      assert.match(rule2.reason, /no target project is live \(project NOPE \(from \{code\}\) names no project\)/);
    });

    test("a stranger's mail is ignored with the rule's reason and leaves no requester", async () => {
      const before = ((await listTracker(t.store.db, 'requesters', {})) as any[]).length;
      const r = await deliver(makeMessage({ from: 'Someone <someone@nowhere.example>', subject: 'Hi' }));
      assert.equal(r.outcome, 'ignored');
      assert.equal(r.reason, 'unknown sender');
      assert.equal(r.rule, 3);
      assert.deepEqual(r.actions, ["ignore because 'unknown sender'"]);
      assert.deepEqual(r.created.items, []);
      assert.deepEqual(r.created.requesters, []);
      const after = ((await listTracker(t.store.db, 'requesters', {})) as any[]).length;
      assert.equal(after, before);
    });

    test('a request gets its custom field and state; the message is its source and its requester is linked', async () => {
      const r = await deliver(makeMessage({ from: 'Known Customer <known@customer.example>', subject: 'Question' }));
      assert.equal(r.rule, 5);
      const request = await item('requests', r.created.requests[0]!);
      assert.deepEqual(request.fields, { 'Customer ID': 'C-1' });
      assert.equal(request.state, 'in-progress');
      assert.deepEqual(request.messageIds, r.created.messages);
      assert.equal(request.requesterIds.length, 1);
    });
  });

  describe(`a matched rule whose every action is left out, on ${dialect}`, () => {
    let t: TestStore;
    test('is skipped with the reason and the warning, not imported into nowhere', async () => {
      t = await openTestStore(dialect);
      try {
        await addProject(t.store.db, { name: 'General' });
        const rules = "when subject matches /(?<n>#\\d+)?urgent/ then create task in project 1 with title 'Task {n}'";
        const profileId = (await createProfile(t.store.db, { name: 'p', rules })).id;
        const { item } = await intakeMessage(t.store, makeMessage({ subject: 'urgent' }), { profileId });
        const [r] = await processorFor(t.store).processDue({ ids: [item.id] });
        assert.equal(r!.outcome, 'skipped');
        assert.equal(r!.rule, 1);
        assert.match(r!.reason!, /line 1 matched, but every action was left out/);
        const stored = await getInboxItem(t.store.db, item.id);
        assert.deepEqual((stored!.trace as any).warnings, ["left out 'create task in project 1 with title 'Task {n}'': a {capture} it uses has no value"]);
        assert.deepEqual(await listTracker(t.store.db, 'tasks', {}), []);
      } finally {
        await t.cleanup();
      }
    });
  });

  describe(`stored rules this process cannot read, on ${dialect}`, () => {
    test('the message waits with the reason instead of being routed by the other lines', async () => {
      const t = await openTestStore(dialect);
      try {
        await addProject(t.store.db, { name: 'General' });
        // As a rule saved while a plugin was loaded looks to a process started without it.
        const rules = "when spam score above 5 then ignore because 'spam'\nthen create request in project 1";
        const profileId = (await createProfile(t.store.db, { name: 'p', rules })).id;
        const { item } = await intakeMessage(t.store, makeMessage({ subject: 'cheap pills' }), { profileId });
        const [r] = await processorFor(t.store).processDue({ ids: [item.id] });
        assert.equal(r!.outcome, null, 'waits for a retry');
        assert.match(r!.error!, /^the profile's rules cannot be read here \(line 1:6: .*\); is MAILBIND_PLUGINS the same for every process\?$/);
        assert.deepEqual(await listTracker(t.store.db, 'requests', {}), []);
      } finally {
        await t.cleanup();
      }
    });
  });
}
