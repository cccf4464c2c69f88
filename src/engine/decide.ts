// decide(message, rules, tracker snapshot) → Plan. Pure: no I/O, no clock. That is what makes dry
// runs (`rules test`), reprocessing and the trace possible.
import { classify, findTicketReference, splitReply } from '../mail/index.js';
import type { Message } from '../mail/message.js';
import { evaluateRules, exprToText, type RuleSet } from '../rules/index.js';
import type { TrackerSnapshot } from '../tracker/port.js';
import type { Plan, PlanStep, RuleTraceEntry, Trace } from './plan.js';
import { evalContext } from './message-view.js';
import { planRequesters, resolveSender } from './sender.js';

/** How many rules tried a trace lists one by one. */
export const MAX_TRACED_RULES = 100;

export interface DecideOptions {
  /** The profile's own mailbox addresses: never requesters. */
  ownAddresses?: string[];
  /** Domains of our own outgoing mail, for loop detection. */
  ownDomains?: string[];
}

export function decide(message: Message, ruleSet: RuleSet, snapshot: TrackerSnapshot, options: DecideOptions = {}): Plan {
  const classification = classify(message, options.ownDomains ?? []);
  const sender = resolveSender(message, snapshot);
  const trace: Trace = { classification, sender, reference: null, rules: [], warnings: [] };
  const base = { requesters: [], trace };

  if (classification.kind !== 'human') {
    return { ...base, outcome: 'ignored', reason: `${classification.kind}: ${classification.reason}`, ruleLine: null, steps: [] };
  }
  const requesters = planRequesters(message, snapshot, new Set((options.ownAddresses ?? []).map((a) => a.toLowerCase())));

  // TargetProcess compatibility: a Ticket#N in the body (its notification footer, quoted in replies)
  // makes the message a comment on item N; an unknown N falls back to the rules.
  const ticket = findTicketReference(message.text) ?? (message.html ? findTicketReference(message.html) : null);
  if (ticket !== null) {
    const exists = snapshot.itemExists(ticket);
    trace.reference = { ticket, exists };
    if (exists) {
      // Requesters are created only for imported mail: a comment links the people we already know.
      const known = requesters.filter((r) => r.existingId !== null);
      const steps: PlanStep[] = [{ kind: 'comment', itemId: ticket }];
      // Only what was written now; the whole text, quotes included, stays on the message.
      const split = splitReply({ text: message.text, html: message.html, textFromHtml: message.textFromHtml });
      trace.reply = { how: split.how, fullTextKept: split.fullTextKept };
      const comment = { body: split.reply, quotedText: split.removed === '' ? null : split.removed };
      return { outcome: 'commented', reason: `Ticket#${ticket} in the body`, ruleLine: null, steps, requesters: known, trace, comment };
    }
  }

  if (ruleSet.rules.length === 0) {
    return { ...base, outcome: 'skipped', reason: 'the profile has no rules', ruleLine: null, steps: [] };
  }
  const evaluation = evaluateRules(ruleSet, evalContext(message, snapshot, sender));
  // A trace names each rule tried; past the first hundred (a profile of a thousand rules) it counts them,
  // keeping the stored trace small and its building cheap. The deciding rule is always listed.
  const listed = evaluation.traceHead(MAX_TRACED_RULES);
  if (evaluation.tried > listed.length) trace.rulesNotListed = evaluation.tried - listed.length;
  trace.rules = listed.map(
    (t): RuleTraceEntry => ({
      line: t.rule.line,
      source: t.rule.source,
      matched: t.matched,
      reason: t.reason,
      conditions: t.conditions.map((c) => ({ condition: exprToText(c.condition), matched: c.matched, reason: c.reason })),
    }),
  );
  const rule = evaluation.matched;
  if (!rule) {
    const reason = ticket !== null ? `Ticket#${ticket} names no item, and no rule matched` : 'no rule matched';
    return { ...base, outcome: 'skipped', reason, ruleLine: null, steps: [] };
  }
  trace.warnings.push(...evaluation.warnings);
  const steps: PlanStep[] = evaluation.effects;
  const ignore = evaluation.effects.find((e) => e.kind === 'ignore');
  if (ignore) {
    // Ignored by a rule: no requester, no item; the reason is the rule's own words.
    return { ...base, outcome: 'ignored', reason: ignore.reason ?? `ignored by the rule on line ${rule.line}`, ruleLine: rule.line, steps };
  }
  if (steps.length === 0) {
    // Everything the rule asked for was left out (a capture with no value, say): importing would store a
    // message nobody sees. Skipped, it shows up with the reason and can be reprocessed once rules change.
    return { ...base, outcome: 'skipped', reason: `the rule on line ${rule.line} matched, but every action was left out (see the warnings)`, ruleLine: rule.line, steps };
  }
  return { outcome: 'imported', reason: null, ruleLine: rule.line, steps, requesters, trace };
}
