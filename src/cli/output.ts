// How the command line shows processed messages and traces: one line per message (or one JSON object
// per line), a summary, a progress bar on a terminal, and the explanation of a decision.
import type { DryRunView } from '../app/dry-run.js';
import type { ImportLine, PassedOverFile } from '../app/import.js';
import type { InboxItemDetail, StoredTrace, Trace } from '../app/message-views.js';
import type { ProcessNowOptions } from '../app/process-now.js';
import { printJsonLine } from './context.js';

/** A path that held no message (not mail, unreadable), not a message's line. */
export function isPassedOver(line: ImportLine): line is PassedOverFile {
  return 'skipped' in line;
}

/** "request 4", or "item 5" for a user story, bug or task (one id space, as Ticket#N). */
function createdText(line: Exclude<ImportLine, PassedOverFile>): string {
  const requests = new Set(line.createdDetail.requests);
  return line.created.map((id) => `${requests.has(id) ? 'request' : 'item'} ${id}`).join(', ');
}

export function humanLine(line: ImportLine): string {
  if (isPassedOver(line)) return `${line.outcome.padEnd(9)} ${line.file}: ${line.reason}`;
  const what =
    line.outcome === 'imported'
      ? `rule ${line.rule}: ${line.actions.join(', ')}${line.created.length ? ` → ${createdText(line)}` : ''}`
      : line.outcome === 'commented'
        ? `${line.actions.join(', ')}`
        : line.reason ?? '';
  const note = line.storedEarlier
    ? line.duplicate ? '' : ' (stored earlier, processed now)'
    : line.duplicate ? ' (already in the inbox; nothing new)' : '';
  return `${line.outcome.padEnd(9)} ${line.file ?? `#${line.itemId}`}: ${what}${note}`;
}

/**
 * For a command that may wait for a message's original (processNow): says so on stderr, once per message,
 * instead of sitting silent; through `say` when something else draws on stderr (a progress bar).
 */
export function sayWhenWaiting(command: string, say: (line: string) => void = (line) => void process.stderr.write(`${line}\n`)): ProcessNowOptions {
  return {
    onWait: (notice) => say(`mailbind ${command}: message ${notice.itemId} is ${notice.reason}; waiting for it, ${Math.ceil(notice.upToMs / 1000)} s at most`),
  };
}

export function printProcessed(line: ImportLine, json: boolean | undefined): void {
  if (json) printJsonLine(line);
  else process.stdout.write(humanLine(line) + '\n');
}

/** What printProcessed writes for the line, to write later. */
export function processedText(line: ImportLine, json: boolean | undefined): string {
  return json ? JSON.stringify(line) + '\n' : humanLine(line) + '\n';
}

/**
 * Counts what a run did. Only messages processed now count under their outcome; a message already in
 * the inbox counts as "already imported" only once it has an outcome, else as "not yet processed".
 * Paths that held no message (not mail, unreadable) are counted apart from the messages.
 */
export class Summary {
  private counts = new Map<string, number>();
  private duplicates = 0;
  private waiting = 0;
  private processedNow = 0;
  notMail = 0;
  unreadable = 0;
  total = 0;

  add(line: ImportLine): void {
    if (isPassedOver(line)) {
      if (line.outcome === 'not-mail') this.notMail += 1;
      else this.unreadable += 1;
      return;
    }
    this.total += 1;
    if (line.duplicate && line.outcome === 'pending') this.waiting += 1;
    else if (line.duplicate) this.duplicates += 1;
    else {
      this.counts.set(line.outcome, (this.counts.get(line.outcome) ?? 0) + 1);
      if (line.storedEarlier) this.processedNow += 1;
    }
  }

  toString(): string {
    const parts = ['imported', 'commented', 'skipped', 'ignored', 'failed', 'pending']
      .filter((k) => this.counts.get(k))
      .map((k) => `${this.counts.get(k)} ${k}`);
    if (this.duplicates) parts.push(`${this.duplicates} already imported`);
    if (this.waiting) parts.push(`${this.waiting} stored earlier, not yet processed`);
    let text = `${this.total} message${this.total === 1 ? '' : 's'}${parts.length ? ': ' + parts.join(', ') : ''}`;
    if (this.processedNow) text += `; ${this.processedNow} stored earlier ${this.processedNow === 1 ? 'was' : 'were'} processed now`;
    const passed = [this.notMail ? `${this.notMail} not mail` : '', this.unreadable ? `${this.unreadable} unreadable` : ''].filter(Boolean);
    if (passed.length) text += `; ${passed.join(', ')}`;
    return text;
  }
}

/** A one-line progress bar redrawn on stderr; only used on a terminal. */
export class ProgressBar {
  private done = 0;
  constructor(private readonly total: number) {}

  tick(): void {
    if (this.done >= this.total) return;
    this.done += 1;
    this.draw();
    if (this.done === this.total) process.stderr.write('\n');
  }

  /** A line of its own on stderr, above the bar, which is drawn again below it. */
  say(line: string): void {
    const drawn = this.done > 0 && this.done < this.total;
    process.stderr.write(`${drawn ? '\r\x1b[K' : ''}${line}\n`);
    if (drawn) this.draw();
  }

  private draw(): void {
    const width = 30;
    const filled = Math.round((this.done / this.total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total}`);
  }
}

/** Classification, sender, the reply's binding (or why there was none) and each rule tried: the same words for a dry run and the log. */
function traceLines(trace: Trace, sources: boolean): string[] {
  const lines: string[] = [];
  const c = trace.classification;
  lines.push(`classification: ${c.kind}${c.kind === 'human' ? '' : ` (${c.reason})`}`);
  lines.push(`sender: ${trace.sender.email ?? '(none)'} — ${trace.sender.summary}`);
  if (trace.binding) lines.push(`reply to item ${trace.binding.itemId}: ${trace.binding.evidence} (${trace.binding.layer})`);
  if (trace.replyAccess) lines.push(`may add to it: ${trace.replyAccess}`);
  for (const refused of trace.bindingRefused ?? []) lines.push(`not a reply: ${refused}`);
  // Traces recorded before replies had binders.
  if (trace.reference) lines.push(`reference: Ticket#${trace.reference.ticket} ${trace.reference.exists ? 'names an existing item' : 'names no item'}`);
  if (trace.reply) lines.push(`comment text: ${trace.reply.how}`);
  for (const rule of trace.rules) {
    lines.push(`rule ${rule.line}: ${rule.matched ? 'MATCHED' : 'no'} — ${rule.reason}`);
    if (sources) lines.push(`    ${rule.source.trim()}`);
    for (const cond of rule.conditions) lines.push(conditionLine(cond));
  }
  if (trace.rulesNotListed) lines.push(`… and ${trace.rulesNotListed} more rules tried that did not match (a trace lists the first 100)`);
  return lines;
}

/**
 * One top-level condition of a rule: as written (canonical), then why it held or not. A compound's
 * reason goes through its parts ("not (…): from contains 'noreply' matched → false"), so the condition
 * is named first even where a simple one's reason would say it again.
 */
function conditionLine(cond: Trace['rules'][number]['conditions'][number]): string {
  return `    ${cond.matched ? '✓' : '✗'} ${cond.condition}: ${cond.reason}`;
}

export function explainDryRun(view: DryRunView): string {
  const lines = [`rules: ${view.rulesVersion !== null ? `version ${view.rulesVersion}` : 'as given (not saved)'}`, ...traceLines(view.trace, true)];
  lines.push(`outcome: ${view.outcome}${view.reason ? ` (${view.reason})` : ''}`);
  if (view.actions.length) lines.push(`plan: ${view.actions.join(', then ')}`);
  for (const warning of view.trace.warnings) lines.push(`note: ${warning}`);
  if (view.requesters.length && (view.outcome === 'imported' || view.outcome === 'commented')) {
    lines.push(`requesters: ${view.requesters.map((r) => `${r.email}${r.existingId ? ` (#${r.existingId})` : ' (new)'}`).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

function isDecisionTrace(trace: StoredTrace | null): trace is Trace {
  return trace !== null && 'classification' in trace;
}

export function explainItem(item: InboxItemDetail): string {
  const out: string[] = [];
  out.push(`message ${item.id} (profile ${item.profileId}): ${item.subject ?? '(no subject)'}`);
  out.push(`from: ${item.from ?? '(unknown)'}   message-id: ${item.messageId ?? '(none)'}   ${item.rawSize} bytes`);
  out.push(`outcome: ${item.outcome ?? item.state}${item.reason ? ` — ${item.reason}` : ''}`);
  if (item.lastError) out.push(`last error (attempt ${item.attempts}): ${item.lastError}`);
  if (item.rulesVersion !== null) out.push(`rules: version ${item.rulesVersion}`);
  if (isDecisionTrace(item.trace)) out.push(...traceLines(item.trace, false));
  if (item.actions.length) out.push(`plan: ${item.actions.join(', then ')}`);
  if (isDecisionTrace(item.trace)) for (const warning of item.trace.warnings ?? []) out.push(`note: ${warning}`);
  const created = Object.entries(item.created).filter(([, ids]) => ids.length);
  if (created.length) out.push(`created: ${created.map(([k, ids]) => `${k} ${ids.join(', ')}`).join('; ')}`);
  return out.join('\n') + '\n';
}
