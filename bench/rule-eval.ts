// (e) of issue 14's benchmark: rule evaluation at scale, 1,000 rules × 10,000 messages. Unlike
// bench/rules.ts (synthetic views), the messages are the ingest benchmark's generated mailbox
// (bench/mailbox.ts) parsed once with our parser, and each view is built the way processing builds it
// (engine evalContext, sender resolved against a tracker snapshot), so `from contains` and `company
// matched` see real addresses and companies. Parsing and building views is not timed; only
// evaluateRules is. The rules are the kinds people write, most of them about other customers, so most
// messages are tried against most of the list: subject keywords, `company matched to project N`,
// `from contains`, and a catch-all last. Goal ≤ 1 s in all; printed, never asserted.
import { evalContext } from '../src/engine/message-view.js';
import { resolveSender } from '../src/engine/sender.js';
import { parseMessage, type Message } from '../src/mail/index.js';
import { evaluateRules, parseRules } from '../src/rules/index.js';
import { discardingSink } from '../src/store/blobs.js';
import type { CompanyView, ProjectView, TrackerSnapshot } from '../src/tracker/port.js';
import { benchMessage } from './mailbox.js';
import { saveResults } from './results.js';

const RULES = 1000;
const PROJECTS = 50;
// The mailbox's sender domains with a company each (mail.example has none): company c owns project c + 1.
const DOMAINS: Record<string, number> = { 'acme.example': 1, 'globex.example': 2, 'initech.example': 3 };

/** A tracker snapshot held in memory: projects 2…50 each belong to a company, project 1 to none. */
function snapshot(): TrackerSnapshot {
  const project = (id: number): ProjectView | undefined =>
    id >= 1 && id <= PROJECTS ? { id, name: `Project ${id}`, live: true, companyId: id === 1 ? null : id - 1, code: `P${id}` } : undefined;
  const company = (id: number): CompanyView | undefined => (id >= 1 && id < PROJECTS ? { id, name: `Company ${id}` } : undefined);
  return {
    project,
    requesterByEmail: () => undefined,
    userByEmail: () => undefined,
    companyByDomain: (domain) => (DOMAINS[domain] ? company(DOMAINS[domain]) : undefined),
    company,
    projectByCode: (code) => project(Number(code.replace(/^p/i, ''))),
    staffByEmail: () => undefined,
    item: () => undefined,
    teamExists: () => true,
    itemOfMessage: () => undefined,
    itemHoldsMessage: () => false,
  };
}

/**
 * 999 rules in a repeating mix of three kinds, then a catch-all. Most name keywords, senders and
 * companies no message has; one rule in 50 of the subject and company kinds names something the
 * mailbox does have, so messages are decided all along the list, not only by the first or the last rule.
 */
export function realisticRules(): string {
  const words = ['invoice', 'printer', 'password', 'license', 'contract', 'network', 'payment', 'calendar'];
  const lines: string[] = [];
  for (let i = 0; i < RULES - 1; i++) {
    const project = (i % (PROJECTS - 1)) + 2;
    const real = i % 50 === 49;
    switch (i % 3) {
      case 0:
        lines.push(`when subject contains '${real ? words[i % words.length] : `case-${i}`}, ref ${i}' then attach to project ${project}`);
        break;
      case 1:
        // Companies 1–3 (projects 2–4) have senders; the others do not.
        lines.push(`when subject contains 'urgent' and company matched to project ${real ? (i % 3) + 2 : project} then attach to project ${project} and create request in project ${project}`);
        break;
      default:
        lines.push(`when from contains '${real ? `user${i % 97}@` : `someone${i}@customer${i}.example`}' then create request in project ${project}`);
    }
  }
  lines.push('then attach to project 1 and create request in project 1');
  return lines.join('\n') + '\n';
}

export async function benchRuleEvaluation(report: (name: string, value: string) => void): Promise<void> {
  const count = Number(process.env.MAILBIND_BENCH_RULE_MESSAGES ?? 10_000);
  const { ruleSet, errors } = parseRules(realisticRules());
  if (errors.length) throw new Error(`the rule benchmark's rules do not parse: ${errors[0]!.message}`);
  const tracker = snapshot();
  const contexts = [];
  for (let i = 0; i < count; i++) {
    const message: Message = await parseMessage(benchMessage(i).raw, { receivedAt: new Date(), sink: discardingSink });
    contexts.push(evalContext(message, tracker, resolveSender(message, tracker)));
  }
  const decidedBy = new Map<number, number>(); // rule line → messages it decided
  const started = performance.now();
  for (const ctx of contexts) {
    const line = evaluateRules(ruleSet, ctx).matched?.line ?? 0;
    decidedBy.set(line, (decidedBy.get(line) ?? 0) + 1);
  }
  const ms = performance.now() - started;
  const catchAll = decidedBy.get(RULES) ?? 0; // the catch-all is the last line
  report(`rules (e): ${RULES.toLocaleString('en')} rules × ${count.toLocaleString('en')} parsed messages`,
    `${(ms / 1000).toFixed(3)} s (${((ms * 1000) / count).toFixed(1)} µs per message through the rule set; goal ≤ 1 s)`);
  report('rules (e): decided by', `${count - catchAll} messages by ${decidedBy.size - (catchAll ? 1 : 0)} different rules, ${catchAll} by the catch-all`);
  report('rules (e) results', saveResults('rules', {
    rules: RULES, messages: count, ms, usPerMessage: (ms * 1000) / count, decidedBy: Object.fromEntries(decidedBy),
  }));
}
