#!/usr/bin/env node
// The mailbind command line. Commands are declared here with their options; what they do is loaded
// only when one runs, so `mailbind --help` and `mailbind deliver` start fast.
import { Command } from 'commander';
import { AppError } from '../app/errors.js';
import { sizeHeap } from '../app/heap.js';
import { tuneTiering } from '../app/tiering.js';
import { ownVersion } from '../app/version.js';
import { accountCommand } from './account.js';
import { auditCommand } from './audit.js';
import { checkCommand } from './check.js';
import { configCommand } from './config.js';
import { deliverCommand, EX_TEMPFAIL } from './deliver.js';
import { reportError } from './errors.js';
import { fetchCommand } from './fetch.js';
import { importCommand } from './import.js';
import { messagesCommand } from './messages.js';
import { outboxCommand } from './outbox.js';
import { profileCommand } from './profile.js';
import { rulesCommand } from './rules.js';
import { serveCommand, workerCommand } from './service.js';
import { tokenCommand } from './token.js';
import { trackerCommand } from './tracker.js';

sizeHeap();
tuneTiering();

// A reader that stops early (`mailbind messages list | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command('mailbind')
  .description('turn mail from shared mailboxes into tracker work, routed by plain-words rules')
  .version(ownVersion(), '-V, --version', 'print the version')
  .option('--data-dir <dir>', 'data directory (default: $MAILBIND_DATA_DIR or ./data); before or after the command')
  .showHelpAfterError()
  .configureHelp({ showGlobalOptions: true })
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

for (const command of [
  serveCommand(),
  workerCommand(),
  fetchCommand(),
  deliverCommand(),
  checkCommand(),
  importCommand(),
  profileCommand(),
  rulesCommand(),
  messagesCommand(),
  outboxCommand(),
  trackerCommand(),
  accountCommand(),
  tokenCommand(),
  auditCommand(),
  configCommand(),
]) {
  program.addCommand(command);
}
// Plugins (MAILBIND_PLUGINS) before any command runs, so that every one of them (import, rules check,
// serve, worker, deliver) parses rules with the same words. A hook, not at start-up: --help and
// --version neither load them nor fail for them. Without plugins nothing more is loaded.
program.hook('preAction', async (_program, command) => {
  if (!process.env.MAILBIND_PLUGINS?.trim()) return;
  const { loadPlugins } = await import('../app/plugins.js');
  try {
    await loadPlugins();
  } catch (error) {
    // A broken plugin is the site's to fix: the mail server keeps a piped message meanwhile.
    if (command.name() === 'deliver') {
      process.stderr.write(`mailbind deliver: ${error instanceof AppError ? error.message : String(error)}\n`);
      process.exit(EX_TEMPFAIL);
    }
    process.exit(reportError(error));
  }
});

// Every command's --help lists --data-dir too (addCommand does not pass help settings down).
const showGlobals = (command: Command): void => {
  command.configureHelp({ showGlobalOptions: true });
  command.commands.forEach(showGlobals);
};
showGlobals(program);

await program.parseAsync(process.argv);
