// `mailbind messages list|show|retry`: the inbox, each message's outcome and the trace behind it.
import { Command } from 'commander';
import { Processor } from '../engine/process.js';
import { getInboxItem, listInboxItems, resetForRetry, type InboxItem } from '../store/inbox.js';
import { getProfile } from '../store/profiles.js';
import type { Outcome } from '../store/schema.js';
import { action, common, parseId, printJson, UserError, withStore, type CommonOptions } from './context.js';
import { toImportLine, humanLine } from './import-output.js';
import type { Trace } from '../engine/plan.js';

type Opts = CommonOptions & Record<string, any>;
const OUTCOMES = ['imported', 'commented', 'skipped', 'ignored', 'failed', 'pending'];

function summaryOf(item: InboxItem) {
  return {
    id: item.id,
    profileId: item.profileId,
    messageId: item.messageId,
    subject: item.subject,
    from: item.fromAddress,
    outcome: item.outcome,
    state: item.state,
    rule: item.ruleLine,
    actions: item.actions,
    created: item.created,
    reason: item.reason,
    attempts: item.attempts,
    lastError: item.lastError,
    receivedAt: item.receivedAt,
    processedAt: item.processedAt,
  };
}

export function messagesCommand(): Command {
  const messages = new Command('messages').description('received messages, their outcomes and traces');

  common(messages.command('list').description('list received messages'))
    .option('--outcome <outcome>', `only this outcome (${OUTCOMES.join(', ')})`)
    .option('--profile <name>', 'only this profile')
    .option('--limit <n>', 'at most this many')
    .action(
      action(async (opts: Opts) => {
        if (opts.outcome && !OUTCOMES.includes(opts.outcome)) throw new UserError(`unknown outcome '${opts.outcome}': choose one of ${OUTCOMES.join(', ')}`);
        await withStore(opts, async (store) => {
          const profileId = opts.profile ? (await getProfile(store.db, opts.profile)).id : undefined;
          const items = await listInboxItems(store.db, {
            ...(opts.outcome ? { outcome: opts.outcome as Outcome | 'pending' } : {}),
            ...(profileId !== undefined ? { profileId } : {}),
            ...(opts.limit ? { limit: parseId(opts.limit, '--limit') } : {}),
          });
          if (opts.json) printJson(items.map(summaryOf));
          else for (const i of items) process.stdout.write(`${i.id}\t${(i.outcome ?? i.state).padEnd(9)}\t${i.subject ?? ''}\t${i.reason ?? i.actions.join(', ')}\n`);
        });
      }),
    );

  common(messages.command('show <id>').description('one message: classification, sender, each rule tried, the plan, what was created'))
    .action(
      action(async (id: string, opts: Opts) =>
        withStore(opts, async (store) => {
          const item = await getInboxItem(store.db, parseId(id, 'message id'));
          if (!item) throw new UserError(`no message ${id}`);
          if (opts.json) printJson({ ...summaryOf(item), originKey: item.originKey, rawRef: item.rawRef, rawSize: item.rawSize, trace: item.trace });
          else process.stdout.write(explainItem(item));
        }),
      ),
    );

  common(messages.command('retry <id>').description('process a failed (or skipped, ignored) message again'))
    .action(
      action(async (id: string, opts: Opts) =>
        withStore(opts, async (store) => {
          const itemId = parseId(id, 'message id');
          const item = await getInboxItem(store.db, itemId);
          if (!item) throw new UserError(`no message ${id}`);
          if (item.outcome === 'imported' || item.outcome === 'commented') {
            throw new UserError(`message ${id} was ${item.outcome} already; retrying would create its items twice`);
          }
          if (!(await resetForRetry(store.db, itemId))) {
            throw new UserError(`message ${id} has no outcome yet (${item.state}); it is retried on its own`);
          }
          const [result] = await new Processor(store).processDue({ ids: [itemId] });
          const line = toImportLine(result!);
          if (opts.json) printJson(line);
          else process.stdout.write(humanLine(line) + '\n');
        }),
      ),
    );
  return messages;
}

function explainItem(item: InboxItem): string {
  const out: string[] = [];
  out.push(`message ${item.id} (profile ${item.profileId}): ${item.subject ?? '(no subject)'}`);
  out.push(`from: ${item.fromAddress ?? '(unknown)'}   message-id: ${item.messageId ?? '(none)'}   ${item.rawSize} bytes`);
  out.push(`outcome: ${item.outcome ?? item.state}${item.reason ? ` — ${item.reason}` : ''}`);
  if (item.lastError) out.push(`last error (attempt ${item.attempts}): ${item.lastError}`);
  const trace = item.trace as Partial<Trace> | null;
  if (trace?.classification) out.push(`classification: ${trace.classification.kind}${trace.classification.kind === 'human' ? '' : ` (${trace.classification.reason})`}`);
  if (trace?.sender) out.push(`sender: ${trace.sender.email ?? '(none)'} — ${trace.sender.summary}`);
  if (trace?.reference) out.push(`reference: Ticket#${trace.reference.ticket} ${trace.reference.exists ? 'found' : 'names no item'}`);
  for (const rule of trace?.rules ?? []) {
    out.push(`rule ${rule.line}: ${rule.matched ? 'MATCHED' : 'no'} — ${rule.reason}`);
    for (const c of rule.conditions) out.push(`    ${c.matched ? '✓' : '✗'} ${c.reason}`);
  }
  if (item.actions.length) out.push(`plan: ${item.actions.join(', then ')}`);
  for (const warning of trace?.warnings ?? []) out.push(`note: ${warning}`);
  const created = Object.entries(item.created).filter(([, ids]) => ids.length);
  if (created.length) out.push(`created: ${created.map(([k, ids]) => `${k} ${ids.join(', ')}`).join('; ')}`);
  return out.join('\n') + '\n';
}
