// `mailbind messages list|show|retry|reprocess`: the inbox, each message's outcome and the trace behind it.
import { Command } from 'commander';
import { OUTCOMES } from '../app/message-views.js';
import { action, jsonOption, parseId, printJson, withApp, type Opts } from './context.js';
import { explainItem, printProcessed, sayWhenWaiting, Summary } from './output.js';

export function messagesCommand(): Command {
  const messages = new Command('messages').description('received messages, their outcomes and traces');

  jsonOption(messages.command('list').description('list received messages'))
    .option('--outcome <outcome>', `only this outcome (${OUTCOMES.join(', ')})`)
    .option('--profile <name>', 'only this profile')
    .option('--limit <n>', 'at most this many')
    .action(
      action(async (opts: Opts) => {
        const limit = opts.limit !== undefined ? parseId(opts.limit, '--limit') : undefined;
        const { listMessages } = await import('../app/messages.js');
        const items = await withApp(opts, 'read', (app) =>
          listMessages(app, { ...(opts.outcome ? { outcome: opts.outcome } : {}), ...(opts.profile ? { profile: opts.profile } : {}), ...(limit !== undefined ? { limit } : {}) }),
        );
        if (opts.json) printJson(items);
        else for (const i of items) process.stdout.write(`${i.id}\t${(i.outcome ?? i.state).padEnd(9)}\t${i.subject ?? ''}\t${i.reason ?? i.actions.join(', ')}\n`);
      }),
    );

  jsonOption(messages.command('show <id>').description('one message: classification, sender, each rule tried, the plan, what was created'))
    .action(
      action(async (id: string, opts: Opts) => {
        const itemId = parseId(id, 'message id');
        const { showMessage } = await import('../app/messages.js');
        const item = await withApp(opts, 'read', (app) => showMessage(app, itemId));
        if (opts.json) printJson(item);
        else process.stdout.write(explainItem(item));
      }),
    );

  jsonOption(messages.command('retry <id>').description('process a failed (or skipped, ignored) message again'))
    .action(
      action(async (id: string, opts: Opts) => {
        const itemId = parseId(id, 'message id');
        const { retryMessage } = await import('../app/messages.js');
        printProcessed(await withApp(opts, 'write', (app) => retryMessage(app, itemId, sayWhenWaiting('messages retry'))), opts.json);
      }),
    );

  jsonOption(messages.command('reprocess').description("run a profile's skipped messages through its current rules again"))
    .requiredOption('--profile <name>', 'the profile whose skipped messages to reprocess')
    .option('--limit <n>', 'at most this many')
    .action(
      action(async (opts: Opts) => {
        const limit = opts.limit !== undefined ? parseId(opts.limit, '--limit') : undefined;
        const { reprocessSkipped } = await import('../app/messages.js');
        const report = await withApp(opts, 'write', (app) =>
          reprocessSkipped(app, { profile: opts.profile as string, ...(limit !== undefined ? { limit } : {}) }, sayWhenWaiting('messages reprocess')));
        const summary = new Summary();
        for (const line of report.messages) {
          summary.add(line);
          printProcessed(line, opts.json);
        }
        const taken = report.takenByWorker ? `; ${report.takenByWorker} more taken by a running worker (see messages list)` : '';
        (opts.json ? process.stderr : process.stdout).write(summary.toString() + taken + '\n');
      }),
    );
  return messages;
}
