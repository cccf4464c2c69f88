// `mailbind rules check|test|format`: the rule language outside any profile.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { decide } from '../engine/decide.js';
import type { Plan } from '../engine/plan.js';
import { parseMessage } from '../mail/index.js';
import { formatRules, parseRules } from '../rules/index.js';
import { discardingSink } from '../store/blobs.js';
import { getProfile } from '../store/profiles.js';
import { BuiltinTracker } from '../tracker/builtin/index.js';
import { action, common, printJson, UserError, withStore, type CommonOptions } from './context.js';
import { readRulesFile, rulesErrorText } from './rules-file.js';

type Opts = CommonOptions & Record<string, any>;

export function rulesCommand(): Command {
  const rules = new Command('rules').description('check, test and format rules');

  common(rules.command('check <file>').description('exit 0 when every rule is valid; else one FILE:LINE:COL line per error'))
    .action(
      action(async (file: string, opts: Opts) => {
        const { ruleSet, errors } = parseRules(readRulesFile(file));
        if (opts.json) printJson({ ok: errors.length === 0, rules: ruleSet.rules.length, errors });
        else if (errors.length) process.stderr.write(rulesErrorText(errors, file) + '\n');
        else process.stdout.write(`${file}: ${ruleSet.rules.length} rule${ruleSet.rules.length === 1 ? '' : 's'}, no errors\n`);
        if (errors.length) process.exitCode = 1;
      }),
    );

  common(rules.command('format <file>').description('print the rules in canonical form'), { json: false })
    .action(
      action(async (file: string) => {
        const { ruleSet, errors } = parseRules(readRulesFile(file));
        if (errors.length) throw new UserError(`cannot format rules with errors:\n${rulesErrorText(errors, file)}`);
        process.stdout.write(formatRules(ruleSet) + '\n');
      }),
    );

  common(rules.command('test <message>').description('dry run: which rule matches a message and what it would do; changes nothing'))
    .requiredOption('--profile <name>', 'profile whose rules (and tracker) to use')
    .option('--rules-file <file>', 'test these rules instead of the profile\'s')
    .action(
      action(async (messagePath: string, opts: Opts) => {
        let raw: Buffer;
        try {
          raw = readFileSync(messagePath);
        } catch {
          throw new UserError(`cannot read message ${messagePath}`);
        }
        await withStore(opts, async (store) => {
          const profile = await getProfile(store.db, opts.profile);
          const source = opts.rulesFile ? readRulesFile(opts.rulesFile) : profile.rules;
          const { ruleSet, errors } = parseRules(source);
          if (errors.length) throw new UserError(`the rules have errors:\n${rulesErrorText(errors, opts.rulesFile ?? profile.name)}`);
          const message = await parseMessage(raw, { receivedAt: new Date(), sink: discardingSink });
          const snapshot = await new BuiltinTracker(store.db).snapshot({
            emails: [message.from, message.sender, ...message.cc, ...message.replyTo].filter((a) => a !== null).map((a) => a!.address),
            itemIds: [],
          });
          const plan = decide(message, ruleSet, snapshot);
          if (opts.json) printJson({ messageId: message.messageId, subject: message.subject, outcome: plan.outcome, rule: plan.ruleLine, actions: plan.actions, reason: plan.reason, trace: plan.trace });
          else process.stdout.write(explainPlan(plan));
        });
      }),
    );
  return rules;
}

export function explainPlan(plan: Plan): string {
  const lines: string[] = [];
  const t = plan.trace;
  lines.push(`classification: ${t.classification.kind}${t.classification.kind === 'human' ? '' : ` (${t.classification.reason})`}`);
  lines.push(`sender: ${t.sender.email ?? '(none)'} — ${t.sender.summary}`);
  if (t.reference) lines.push(`reference: Ticket#${t.reference.ticket} ${t.reference.exists ? 'names an existing item' : 'names no item'}`);
  for (const rule of t.rules) {
    lines.push(`rule ${rule.line}: ${rule.matched ? 'MATCHED' : 'no'} — ${rule.reason}`);
    lines.push(`    ${rule.source.trim()}`);
    for (const c of rule.conditions) lines.push(`    ${c.matched ? '✓' : '✗'} ${c.reason}`);
  }
  lines.push(`outcome: ${plan.outcome}${plan.reason ? ` (${plan.reason})` : ''}`);
  if (plan.actions.length) lines.push(`plan: ${plan.actions.join(', then ')}`);
  for (const warning of t.warnings ?? []) lines.push(`note: ${warning}`);
  if (plan.requesters.length && (plan.outcome === 'imported' || plan.outcome === 'commented')) {
    lines.push(`requesters: ${plan.requesters.map((r) => `${r.email}${r.existingId ? ` (#${r.existingId})` : ' (new)'}`).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}
