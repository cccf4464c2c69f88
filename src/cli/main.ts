#!/usr/bin/env node
// The mailbind command line. Commands are declared here with their options; what they do is loaded
// only when one runs, so `mailbind --help` and `mailbind deliver` start fast.
import { Command } from 'commander';
import { ownVersion } from '../app/version.js';
import { accountCommand } from './account.js';
import { auditCommand } from './audit.js';
import { checkCommand } from './check.js';
import { configCommand } from './config.js';
import { deliverCommand } from './deliver.js';
import { fetchCommand } from './fetch.js';
import { importCommand } from './import.js';
import { messagesCommand } from './messages.js';
import { profileCommand } from './profile.js';
import { rulesCommand } from './rules.js';
import { serveCommand, workerCommand } from './service.js';
import { tokenCommand } from './token.js';
import { trackerCommand } from './tracker.js';

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
  trackerCommand(),
  accountCommand(),
  tokenCommand(),
  auditCommand(),
  configCommand(),
]) {
  program.addCommand(command);
}
// Every command's --help lists --data-dir too (addCommand does not pass help settings down).
const showGlobals = (command: Command): void => {
  command.configureHelp({ showGlobalOptions: true });
  command.commands.forEach(showGlobals);
};
showGlobals(program);

await program.parseAsync(process.argv);
