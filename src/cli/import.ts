// `mailbind import --profile NAME PATH…`: .eml files, folders of them, mbox files and Maildir folders.
// Each message is stored in the inbox (idempotently) and processed at once.
import { Command } from 'commander';
import { Processor } from '../engine/process.js';
import { intakeMessage } from '../sources/intake.js';
import { walkImportPaths, ImportPathError } from '../sources/import/walk.js';
import { getProfile } from '../store/profiles.js';
import { action, common, printJsonLine, UserError, withStore, type CommonOptions } from './context.js';
import { humanLine, ProgressBar, Summary, toImportLine } from './import-output.js';
import { emptyCreated } from '../engine/execute.js';

type Opts = CommonOptions & Record<string, any>;

export function importCommand(): Command {
  return common(new Command('import').description('import .eml files, folders, mbox files or Maildir folders'))
    .requiredOption('--profile <name>', 'profile whose rules route the messages')
    .argument('<paths...>', 'files or folders')
    .action(
      action(async (paths: string[], opts: Opts) => {
        await withStore(opts, async (store) => {
          const profile = await getProfile(store.db, opts.profile);
          const processor = new Processor(store);
          const summary = new Summary();
          const bar = process.stderr.isTTY ? await progressFor(paths) : null;
          try {
            for await (const message of walkImportPaths(paths)) {
              const { item, inserted } = await intakeMessage(store, message.content, { profileId: profile.id });
              const result = inserted
                ? (await processor.processDue({ ids: [item.id] }))[0] ?? storedResult(item)
                : storedResult(item);
              const line = toImportLine(result, { file: message.label, duplicate: !inserted });
              summary.add(line);
              if (opts.json) printJsonLine(line);
              else if (!bar) process.stdout.write(humanLine(line) + '\n');
              bar?.tick();
            }
          } catch (error) {
            if (error instanceof ImportPathError) throw new UserError(error.message);
            throw error;
          }
          (opts.json ? process.stderr : process.stdout).write(summary.toString() + '\n');
        });
      }),
    );
}

/** A result for an item processed earlier (or decided at intake), from what the inbox recorded. */
function storedResult(item: import('../store/inbox.js').InboxItem) {
  return {
    itemId: item.id,
    profileId: item.profileId,
    messageId: item.messageId,
    subject: item.subject,
    outcome: item.outcome,
    rule: item.ruleLine,
    actions: item.outcome && !['skipped', 'ignored', 'failed'].includes(item.outcome) ? item.actions : [],
    // Nothing was created by this run.
    created: emptyCreated(),
    reason: item.reason,
  };
}

async function progressFor(paths: string[]): Promise<ProgressBar | null> {
  let total = 0;
  for await (const message of walkImportPaths(paths)) {
    total += 1;
    if ('destroy' in message.content) (message.content as unknown as { destroy(): void }).destroy();
  }
  return total > 50 ? new ProgressBar(total) : null;
}
