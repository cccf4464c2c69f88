// What a dry run says is what processing then does (DESIGN §5): for every full corpus message and for
// replies quoting an existing Ticket#N, with the same rules and tracker state, the dry run's outcome,
// rule, steps and trace equal what processing records right after it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assemble, type App } from '../../src/app/app.js';
import { dryRun, type DryRunView } from '../../src/app/dry-run.js';
import { showMessage } from '../../src/app/messages.js';
import { importPaths, type ImportLine } from '../../src/app/import.js';
import { createProfile } from '../../src/app/profiles.js';
import { addCompany, addProject, addUser } from '../../src/app/tracker.js';
import type { ProcessedMessage } from '../../src/app/message-views.js';
import { UnparseableMessageError } from '../../src/mail/index.js';
import { corpusMessages, corpusSkip } from './mail-corpus.js';
import { makeMessage, SEED_RULES } from './messages.js';
import { openTestStore, type TestDialect, type TestStore } from './store.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { cliPrincipal } from '../../src/app/principal.js';
import { join } from 'node:path';

const RULES = [
  "when subject contains 'delivery, failure, undeliverable' then attach to project 1",
  SEED_RULES,
].join('\n');

/** The agreement suite on one database; a file per database keeps each under the per-file time budget. */
export function agreementSuite(dialect: TestDialect): void {
  describe(`dry run and processing agree (${dialect})`, () => {
    let t: TestStore;
    let app: App;
    let files: string;

    before(async () => {
      t = await openTestStore(dialect);
      app = assemble(t.store, { messageIdDomain: 'mailbind.test' });
      files = mkdtempSync(join(tmpdir(), 'mailbind-agree-'));
      await addCompany(app, { name: 'Example', domains: ['example.com', 'gmail.com'] }, cliPrincipal('test'));
      await addProject(app, { name: 'General' }, cliPrincipal('test'));
      await addProject(app, { name: 'Example', company: 'Example' }, cliPrincipal('test'));
      await addUser(app, { email: 'staff@mailbind.test', name: 'Staff' }, cliPrincipal('test'));
      // The corpus has dozens of messages from one sender, all stored at once. The per-sender rate limit
      // is left out of dry runs by design (docs/conversations.md, Loop defence): off here, so that the
      // comparison is of everything else.
      await createProfile(app, { name: 'support', rules: { text: RULES, label: 'rules' }, threading: { rateLimitPerSenderHour: 0 } }, cliPrincipal('test'));
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await t.cleanup();
    });

    /** Dry run, then import the same bytes; both answers for comparison. */
    async function both(path: string): Promise<{ dry: DryRunView | Error; processed: ProcessedMessage | null }> {
      let dry: DryRunView | Error;
      try {
        dry = await dryRun(app, { raw: readFileSync(path), profile: 'support' });
      } catch (error) {
        dry = error as Error;
      }
      const lines: ImportLine[] = [];
      for await (const line of importPaths(app, 'support', [path])) lines.push(line);
      assert.equal(lines.length, 1, path);
      const line = lines[0]!;
      // A file without any header is refused by import before it is stored (as deliver refuses it).
      if ('skipped' in line) {
        assert.equal(line.outcome, 'not-mail', `${path}: ${line.reason}`);
        return { dry, processed: null };
      }
      return { dry, processed: line };
    }

    async function assertAgree(name: string, dry: DryRunView | Error, processed: ProcessedMessage): Promise<void> {
      if (dry instanceof Error) {
        assert.ok(dry instanceof UnparseableMessageError, `${name}: the dry run failed: ${dry.message}`);
        assert.equal(processed.outcome, 'failed', `${name}: unparseable in the dry run, ${processed.outcome} when processed`);
        return;
      }
      assert.equal(processed.outcome, dry.outcome, `${name}: outcome`);
      assert.equal(processed.rule, dry.rule, `${name}: rule`);
      assert.deepEqual(processed.actions, dry.actions, `${name}: steps`);
      assert.equal(processed.reason, dry.reason, `${name}: reason`);
      const stored = await showMessage(app, processed.itemId);
      // Intake may note what it saw before any decision (a Message-ID reused with other bytes: the corpus
      // has such pairs); the decision's own trace must be the dry run's.
      const trace = stored.trace as { warnings?: string[] } | null;
      const decided = trace?.warnings
        ? { ...trace, warnings: trace.warnings.filter((w) => !/^Message-ID also used by message #\d+ with different content$/.test(w)) }
        : trace;
      assert.deepEqual(decided, JSON.parse(JSON.stringify(dry.trace)), `${name}: trace`);
    }

    test('every full corpus message', { skip: corpusSkip() }, async () => {
      const messages = corpusMessages();
      assert.equal(messages.length, 340);
      const seen: Record<string, number> = {};
      let refused = 0;
      for (const m of messages) {
        const { dry, processed } = await both(m.path);
        if (!processed) {
          refused += 1;
          continue;
        }
        // Byte-identical copies in the corpus are stored once; the copy is not processed again.
        if (processed.duplicate) continue;
        await assertAgree(m.name, dry, processed);
        seen[processed.outcome] = (seen[processed.outcome] ?? 0) + 1;
      }
      // The comparison covered mail that rules route and mail that is ignored before any rule (no
      // corpus message names an item of ours: comments are the next test's).
      assert.ok((seen.imported ?? 0) > 200 && (seen.ignored ?? 0) > 40, JSON.stringify(seen));
      assert.equal(refused, 3, 'the three corpus files without any header are refused as not mail');
    });

    test('replies quoting an existing Ticket#N, and one naming no item', async () => {
      const first = join(files, 'first.eml');
      writeFileSync(first, makeMessage({ subject: 'Printer on fire', from: 'Bob <bob@elsewhere.org>' }));
      const created = await both(first);
      assert.equal(created.processed!.outcome, 'imported');
      const requestId = created.processed!.created[0]!;
      const replies: Array<[string, string]> = [
        ['reply.eml', `Still burning.\n\n> Your request Ticket#${requestId} was received.\n`],
        ['unknown.eml', 'About Ticket#999999, which does not exist.\n'],
      ];
      const outcomes: string[][] = [];
      for (const [name, body] of replies) {
        const path = join(files, name);
        writeFileSync(path, makeMessage({ subject: 'Re: Printer on fire', from: 'Bob <bob@elsewhere.org>', body }));
        const { dry, processed } = await both(path);
        assert.ok(processed, `${name} is mail`);
        await assertAgree(name, dry, processed);
        outcomes.push([processed.outcome, ...processed.actions]);
      }
      assert.deepEqual(outcomes, [
        ['commented', `comment on item ${requestId}`],
        ['imported', 'attach to project 1', 'create request in project 1'],
      ]);
    });
  });
}
