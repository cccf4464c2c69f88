// `mailbind audit`: who changed what and when, newest first, a page at a time.
import { Command } from 'commander';
import { action, jsonOption, parseId, printJson, withApp, type Opts } from './context.js';

export function auditCommand(): Command {
  return jsonOption(new Command('audit').description('the audit log: who changed what and when, newest first'))
    .option('--limit <n>', 'how many entries (1 to 500)', '50')
    .option('--before <id>', 'only entries older than this id (the next page)')
    .action(
      action(async (opts: Opts) => {
        const limit = parseId(opts.limit, '--limit');
        const before = opts.before !== undefined ? parseId(opts.before, '--before') : undefined;
        const { readAudit } = await import('../app/audit.js');
        const page = await withApp(opts, 'read', (app) => readAudit(app, { limit, ...(before !== undefined ? { before } : {}) }));
        if (opts.json) return printJson(page);
        for (const e of page.entries) {
          process.stdout.write(`${e.id}\t${e.at}\t${e.actor}\t${e.action}\t${e.target}${e.details ? `\t${JSON.stringify(e.details)}` : ''}\n`);
        }
        if (page.next !== null) process.stderr.write(`mailbind: older entries: mailbind audit --before ${page.next}\n`);
      }),
    );
}
