// `mailbind fetch --profile NAME --once`: one intake pass on the profile's mailbox and processing of
// what it brought, printed like `mailbind import`.
import { Command } from 'commander';
import { action, jsonOption, withApp, type Opts } from './context.js';
import { processedText, Summary } from './output.js';

export function fetchCommand(): Command {
  return jsonOption(new Command('fetch').description("read the profile's mailbox once, process what is new, and exit"))
    .requiredOption('--profile <name>', 'profile to fetch')
    .option('--once', 'one pass, then exit (the only mode; `mailbind worker` keeps polling)')
    .action(
      action(async (opts: Opts) => {
        const { fetchOnce } = await import('../app/fetch.js');
        // Each message's line is kept as the text to print, not as the message's report: a first fetch
        // of a large mailbox holds one line of text per message instead of about a kilobyte of objects. Nothing is
        // printed before the fetch is done, as before: a fetch that fails prints only why.
        const summary = new Summary();
        const lines: string[] = [];
        const report = await withApp(opts, 'write', (app) => fetchOnce(app, opts.profile as string, {
          onMessage: (line) => {
            summary.add(line);
            lines.push(processedText(line, opts.json));
          },
        }));
        for (const line of lines) process.stdout.write(line);
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
