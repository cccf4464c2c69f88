// `mailbind account …`: the accounts that sign in to the web UI and API: add, list, passwd, role,
// remove. A password comes from stdin (--password-stdin) or is generated and printed once; it is
// never taken from the command line, where other users of the machine could read it.
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { userError } from '../app/errors.js';
import { cliPrincipal, type Role } from '../app/principal.js';
import { action, jsonOption, printJson, withApp, type Opts } from './context.js';

export const roleOption = () => new Option('--role <role>', 'admin (everything) or viewer (read-only)').choices(['admin', 'viewer']).default('viewer');

/** The password from stdin, or a generated one (then `generated` says to print it). */
async function passwordFrom(opts: Opts): Promise<{ password: string; generated: boolean }> {
  if (opts.passwordStdin) {
    const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    if (!password) throw userError('--password-stdin: standard input was empty');
    return { password, generated: false };
  }
  const { generatePassword } = await import('../app/passwords.js');
  return { password: generatePassword(), generated: true };
}

function printGenerated(password: string): void {
  process.stdout.write(`password: ${password}\n`);
  process.stderr.write('mailbind: this password is shown only now; keep it somewhere safe\n');
}

export function accountCommand(): Command {
  const account = new Command('account').description('accounts that sign in to the web UI and the API');

  jsonOption(account.command('add <name>').description('add an account; without --password-stdin a password is generated and printed once'))
    .addOption(roleOption())
    .option('--password-stdin', 'read the password from standard input')
    .action(
      action(async (name: string, opts: Opts) => {
        const { password, generated } = await passwordFrom(opts);
        const { addAccount } = await import('../app/accounts.js');
        const added = await withApp(opts, 'write', (app) => addAccount(app, { name, role: opts.role as Role, password }, cliPrincipal()));
        if (opts.json) printJson({ ...added, ...(generated ? { generatedPassword: password } : {}) });
        else {
          process.stdout.write(`added account ${added.name} (${added.role})\n`);
          if (generated) printGenerated(password);
        }
      }),
    );

  jsonOption(account.command('list').description('list accounts and their roles'))
    .action(
      action(async (opts: Opts) => {
        const { listAccounts } = await import('../app/accounts.js');
        const accounts = await withApp(opts, 'read', listAccounts);
        if (opts.json) printJson(accounts);
        else for (const a of accounts) process.stdout.write(`${a.id}\t${a.name}\t${a.role}\tcreated ${a.createdAt}\n`);
      }),
    );

  account
    .command('passwd <name>')
    .description("set an account's password (generated and printed once without --password-stdin); ends its sessions")
    .option('--password-stdin', 'read the password from standard input')
    .action(
      action(async (name: string, opts: Opts) => {
        const { password, generated } = await passwordFrom(opts);
        const { setAccountPassword } = await import('../app/accounts.js');
        await withApp(opts, 'write', (app) => setAccountPassword(app, name, password, cliPrincipal()));
        process.stdout.write(`password of ${name} changed; its sessions are ended\n`);
        if (generated) printGenerated(password);
      }),
    );

  jsonOption(account.command('role <name> <role>').description('make an account admin or viewer'))
    .action(
      action(async (name: string, role: string, opts: Opts) => {
        const { setAccountRole } = await import('../app/accounts.js');
        const changed = await withApp(opts, 'write', (app) => setAccountRole(app, name, role as Role, cliPrincipal()));
        if (opts.json) printJson(changed);
        else process.stdout.write(`${changed.name} is ${changed.role}\n`);
      }),
    );

  account
    .command('remove <name>')
    .description('remove an account and end its sessions (the last admin cannot be removed)')
    .action(
      action(async (name: string, opts: Opts) => {
        const { removeAccount } = await import('../app/accounts.js');
        await withApp(opts, 'write', (app) => removeAccount(app, name, cliPrincipal()));
        process.stdout.write(`removed account ${name}\n`);
      }),
    );
  return account;
}
