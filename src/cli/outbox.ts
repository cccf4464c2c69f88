// `mailbind outbox list|show`: the mail mailbind sends (acknowledgements, rule replies), with its state,
// why one was skipped or failed, and every attempt with the SMTP server's reply.
import { Command } from 'commander';
import { action, jsonOption, printJson, withApp, type Opts } from './context.js';
import { userError } from '../app/errors.js';

export function outboxCommand(): Command {
  const outbox = new Command('outbox').description('the mail mailbind sends: queued, sent, failed, skipped, with the server\'s replies');

  jsonOption(outbox.command('list').description('newest first'))
    .option('--profile <name>', 'only this profile\'s')
    .option('--item <id>', 'only mail about this item')
    .option('--state <state>', 'pending, sending, sent, failed or skipped')
    .option('--limit <n>', 'at most this many (default 100)')
    .action(action(async (opts: Opts) => {
      const number = (v: string | undefined, flag: string) => {
        if (v === undefined) return undefined;
        if (!/^\d+$/.test(v)) throw userError(`${flag} must be a whole number, got '${v}'`);
        return Number(v);
      };
      const filter = {
        ...(opts.profile !== undefined ? { profile: opts.profile as string } : {}),
        ...(opts.item !== undefined ? { itemId: number(opts.item, '--item')! } : {}),
        ...(opts.state !== undefined ? { state: opts.state as string } : {}),
        ...(opts.limit !== undefined ? { limit: number(opts.limit, '--limit')! } : {}),
      };
      const { listOutboxViews } = await import('../app/outbox.js');
      const mails = await withApp(opts, 'read', (app) => listOutboxViews(app, filter));
      if (opts.json) return printJson(mails);
      for (const m of mails) {
        const why = m.state === 'sent' ? m.smtpResponse : m.reason ?? m.lastError;
        process.stdout.write(`${m.id}\t${m.state}\t${m.kind}\titem ${m.itemId ?? '-'}\t${m.to}\t${m.subject}${why ? `\t${why}` : ''}\n`);
      }
    }));

  jsonOption(outbox.command('show <id>').description('one mail: its text and every attempt'))
    .action(action(async (id: string, opts: Opts) => {
      if (!/^\d+$/.test(id)) throw userError(`an outbox id is a number, got '${id}'`);
      const { showOutboxMail } = await import('../app/outbox.js');
      const m = await withApp(opts, 'read', (app) => showOutboxMail(app, Number(id)));
      if (opts.json) return printJson(m);
      const lines = [
        `mail ${m.id}: ${m.kind} (template ${m.template}) about item ${m.itemId ?? '-'}, ${m.state}${m.reason ? `: ${m.reason}` : ''}`,
        `to:          ${m.to}`, `subject:     ${m.subject}`, `message-id:  <${m.mailMessageId}>`, `reply-to:    ${m.replyTo ?? '-'}`,
        'attempts:', ...(m.history.length ? m.history.map((a) => `  ${a.at} ${a.ok ? 'sent' : 'failed'}${a.code !== null ? ` ${a.code}` : ''}: ${a.response}`) : ['  none yet']),
        'text:', ...m.bodyText.replace(/\n$/, '').split('\n').map((l) => `  ${l}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }));
  return outbox;
}
