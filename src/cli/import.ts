// `mailbind import --profile NAME PATH…`: .eml files, folders of them, mbox files and Maildir folders.
// Exit 1 when a path could not be read (after importing the rest) or when nothing given was mail.
import { Command } from 'commander';
import { action, jsonOption, withApp, type Opts } from './context.js';
import { printProcessed, ProgressBar, sayWhenWaiting, Summary } from './output.js';

export function importCommand(): Command {
  return jsonOption(new Command('import').description('import .eml files, folders, mbox files or Maildir folders'))
    .requiredOption('--profile <name>', 'profile whose rules route the messages')
    .argument('<paths...>', 'files or folders')
    .action(
      action(async (paths: string[], opts: Opts) => {
        const { importPaths, countImportable } = await import('../app/import.js');
        await withApp(opts, 'write', async (app) => {
          const summary = new Summary();
          const total = process.stderr.isTTY ? await countImportable(paths) : 0;
          const bar = total > 50 ? new ProgressBar(total) : null;
          const say = (text: string) => (bar ? bar.say(text) : void process.stderr.write(`${text}\n`));
          for await (const line of importPaths(app, opts.profile as string, paths, sayWhenWaiting('import', say))) {
            summary.add(line);
            if (line.outcome === 'unreadable') say(`mailbind: cannot read ${line.file}: ${line.reason}`);
            if (opts.json || (!bar && line.outcome !== 'unreadable')) printProcessed(line, opts.json);
            if (line.outcome !== 'not-mail' && line.outcome !== 'unreadable') bar?.tick();
          }
          (opts.json ? process.stderr : process.stdout).write(summary.toString() + '\n');
          if (summary.total === 0 && summary.notMail > 0) {
            process.stderr.write('mailbind: nothing imported: no path given held a mail message\n');
          }
          if (summary.unreadable > 0 || (summary.total === 0 && summary.notMail > 0)) process.exitCode = 1;
        });
      }),
    );
}
