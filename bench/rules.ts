// The rule engine at scale: 1,000 rules (10% regular expressions, the rest `contains`) against 10,000
// messages, half of which match no rule and so are tried against every rule. Issue 10 asks for ≤ 1 s
// on a 2-core machine; the figure is printed, never asserted.
import { evaluateRules, parseRules, type EvalContext, type MessageView } from '../src/rules/index.js';

export function benchContext(subject: string, companyId: number | null, body = ''): EvalContext {
  const message: MessageView = {
    subject,
    from: 'Customer <customer@example.com>',
    to: ['support@example.org'],
    cc: [],
    recipients: ['support@example.org'],
    body,
    header: () => [],
    attachments: [],
    size: 2048 + body.length,
    sender: { email: 'customer@example.com', is: 'requester', companyId, companyName: 'Example' },
  };
  return {
    message,
    project: (id) => ({ id, live: true, companyId: 1 }),
    projectByCode: () => undefined,
    staff: () => undefined,
    teamExists: () => true,
  };
}

export function ruleEngineBench(report: (name: string, value: string) => void): void {
  const lines: string[] = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 10 === 0) {
      lines.push(i % 20 === 0
        ? `when subject matches /order\\s+#?${i}\\d{3}/i then create bug in project ${(i % 50) + 1} and add tag 'order'`
        : `when body matches /invoice\\s+(?<n>INV-${i}-\\d+)/ then create task in project ${(i % 50) + 1} with title 'Invoice {n}'`);
    } else {
      lines.push(i % 3 === 0
        ? `when subject contains 'kw${i}, other ${i}' and from contains 'example.com' then attach to project ${(i % 50) + 1}`
        : `when subject contains 'k${i}x' then create request in project ${(i % 50) + 1}`);
    }
  }
  const { ruleSet, errors } = parseRules(lines.join('\n'));
  if (errors.length) throw new Error(`bench rules do not parse: ${errors[0]!.message}`);
  const body = 'Hello team,\n\nwe have a question about the last delivery. '.repeat(20);
  const contexts = Array.from({ length: Number(process.env.BENCH_N ?? 10_000) }, (_, m) => {
    // Half fall through every rule; the others match somewhere along the list.
    const hit = m % 2 === 0 ? `k${(m * 7) % 1000}x` : 'nothing to see';
    return benchContext(`Re: Fwd: question ${m} about ${hit} and the rest`, 3, body);
  });
  const started = performance.now();
  let matched = 0;
  for (const ctx of contexts) if (evaluateRules(ruleSet, ctx).matched) matched++;
  const ms = performance.now() - started;
  report(
    'rules: 1,000 rules (10% regex) × 10,000 messages',
    `${ms.toFixed(0)} ms (${((ms * 1000) / contexts.length).toFixed(1)} µs per message; ${matched} matched; goal ≤ 1,000 ms)`,
  );
  // Processing stores the trace: the first 100 rules tried and the deciding one, with their reasons
  // (decide.ts, MAX_TRACED_RULES). That costs more than finding the rule, so it is measured too, on a
  // tenth of the messages, the figure scaled to 10,000.
  if (process.env.BENCH_SCAN_ONLY) return;
  const tracedStarted = performance.now();
  let traceLines = 0;
  for (const ctx of contexts.slice(0, contexts.length / 10)) {
    for (const t of evaluateRules(ruleSet, ctx).traceHead(100)) {
      traceLines += t.reason.length > 0 ? 1 : 0;
      for (const c of t.conditions) traceLines += c.reason.length > 0 ? 1 : 0;
    }
  }
  const tracedMs = (performance.now() - tracedStarted) * 10;
  report(
    'rules: the same, with the trace processing stores',
    `${tracedMs.toFixed(0)} ms per 10,000 messages (${((tracedMs * 1000) / contexts.length).toFixed(1)} µs per message; ${traceLines} lines)`,
  );
  // A catastrophic pattern for backtracking engines, on 100 KB of attacker text: linear with RE2.
  const evil = parseRules('when subject matches /(a+)+$/ then attach to project 1').ruleSet;
  const evilCtx = benchContext(`${'a'.repeat(100_000)}!`, null);
  const t = performance.now();
  evaluateRules(evil, evilCtx);
  report('rules: /(a+)+$/ on a 100 KB subject', `${(performance.now() - t).toFixed(2)} ms (goal < 10 ms)`);
}
