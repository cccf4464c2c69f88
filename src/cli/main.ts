#!/usr/bin/env node
// The mailbind command line.
import { Command } from 'commander';
import { importCommand } from './import.js';
import { messagesCommand } from './messages.js';
import { profileCommand } from './profile.js';
import { rulesCommand } from './rules.js';
import { serveCommand } from './serve.js';
import { trackerCommand } from './tracker.js';
import { checkCommand } from './check.js';
import { deliverCommand } from './deliver.js';
import { fetchCommand } from './fetch.js';
import { workerCommand } from './worker.js';

const program = new Command('mailbind')
  .description('turn mail from shared mailboxes into tracker work, routed by plain-words rules')
  .showHelpAfterError()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

program.addCommand(serveCommand());
program.addCommand(workerCommand());
program.addCommand(fetchCommand());
program.addCommand(deliverCommand());
program.addCommand(checkCommand());
program.addCommand(importCommand());
program.addCommand(profileCommand());
program.addCommand(rulesCommand());
program.addCommand(messagesCommand());
program.addCommand(trackerCommand());

await program.parseAsync(process.argv);
