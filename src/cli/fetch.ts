// `mailbind fetch --profile NAME --once`: one intake pass on the profile's mailbox and processing of
// what it brought, printed like `mailbind import`.
import { Command } from 'commander';
import { action, jsonOption, withApp, type Opts } from './context.js';
import { printProcessed, Summary } from './output.js';

export function fetchCommand(): Command {
  return jsonOption(new Command('fetch').description("read the profile's mailbox once, process what is new, and exit"))
    .requiredOption('--profile <name>', 'profile to fetch')
    .option('--once', 'one pass, then exit (the only mode; `mailbind worker` keeps polling)')
    .action(
      action(async (opts: Opts) => {
        const { fetchOnce } = await import('../app/fetch.js');
        const report = await withApp(opts, 'write', (app) => fetchOnce(app, opts.profile as string));
        const summary = new Summary();
        for (const line of report.messages) {
          summary.add(line);
          printProcessed(line, opts.json);
        }
        const server = report.server;
        for (const failure of server.failed) process.stderr.write(`mailbind: could not download ${failure.key}: ${failure.error} (retried next time)\n`);
        // Never silent about what is not done: messages held by another worker or waiting to retry.
        const waiting = report.unfinished ? `; ${report.unfinished} without an outcome yet (held by a worker or waiting to retry: messages list --outcome pending)` : '';
        (opts.json ? process.stderr : process.stdout).write(
          `${summary.toString()}; ${server.listed} on the server, ${server.stored} new, ${server.skipped} left alone, ${server.acknowledged} acknowledged${waiting}\n`,
        );
      }),
    );
}
