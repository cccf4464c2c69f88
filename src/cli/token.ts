// `mailbind token …`: API tokens for scripts: create (the token printed once), list (never the token),
// revoke. The token goes to stdout alone, so `TOKEN=$(mailbind token create ci)` works; the warning
// that it will not be shown again goes to stderr.
import { Command } from 'commander';
import { cliPrincipal, type Role } from '../app/principal.js';
import type { TokenView } from '../app/tokens.js';
import { roleOption } from './account.js';
import { action, jsonOption, printJson, withApp, type Opts } from './context.js';

function describe(t: TokenView): string {
  const state = t.revokedAt ? `revoked ${t.revokedAt}` : `last used ${t.lastUsedAt ?? 'never'}`;
  return `${t.id}\t${t.name}\t${t.role}\t${t.prefix}…\tcreated ${t.createdAt} by ${t.createdBy}\t${state}\n`;
}

export function tokenCommand(): Command {
  const token = new Command('token').description('API tokens (bearer) for scripts');

  jsonOption(token.command('create <name>').description('create a token; it is printed once and never shown again'))
    .addOption(roleOption())
    .action(
      action(async (name: string, opts: Opts) => {
        const { createToken } = await import('../app/tokens.js');
        const created = await withApp(opts, 'write', (app) => createToken(app, { name, role: opts.role as Role }, cliPrincipal()));
        if (opts.json) printJson({ token: created.token, ...created.view });
        else process.stdout.write(`${created.token}\n`);
        process.stderr.write(`mailbind: token ${created.view.id} (${created.view.name}, ${created.view.role}) created; it will not be shown again\n`);
      }),
    );

  jsonOption(token.command('list').description('list tokens (never the token itself, only its first characters)'))
    .action(
      action(async (opts: Opts) => {
        const { listTokens } = await import('../app/tokens.js');
        const tokens = await withApp(opts, 'read', listTokens);
        if (opts.json) printJson(tokens);
        else for (const t of tokens) process.stdout.write(describe(t));
      }),
    );

  jsonOption(token.command('revoke <idOrName>').description('revoke a token by id, or by the name of a live one'))
    .action(
      action(async (idOrName: string, opts: Opts) => {
        const { revokeToken } = await import('../app/tokens.js');
        const revoked = await withApp(opts, 'write', (app) => revokeToken(app, idOrName, cliPrincipal()));
        if (opts.json) printJson(revoked);
        else process.stdout.write(`revoked token ${revoked.id} (${revoked.name})\n`);
      }),
    );
  return token;
}
