// How processed messages are printed by `import` (and later `fetch`): one line each, or one JSON object
// per line, then a summary.
import type { ProcessResult } from '../engine/process.js';

export interface ImportLine {
  file?: string;
  itemId: number;
  messageId: string | null;
  subject: string | null;
  outcome: string;
  rule: number | null;
  actions: string[];
  /** Ids of the tracker items created (requests, stories, bugs, tasks). */
  created: number[];
  /** Everything created, by kind: messages, requests, comments, requesters, attachments. */
  createdDetail: Record<string, number[]>;
  reason: string | null;
  duplicate: boolean;
}

export function toImportLine(result: ProcessResult, extra: { file?: string; duplicate?: boolean } = {}): ImportLine {
  return {
    ...(extra.file !== undefined ? { file: extra.file } : {}),
    itemId: result.itemId,
    messageId: result.messageId,
    subject: result.subject,
    outcome: result.outcome ?? 'pending',
    rule: result.rule,
    actions: result.actions,
    created: [...result.created.requests],
    createdDetail: { ...result.created },
    reason: result.reason,
    duplicate: extra.duplicate ?? false,
  };
}

export function humanLine(line: ImportLine): string {
  const what =
    line.outcome === 'imported'
      ? `rule ${line.rule}: ${line.actions.join(', ')}${line.created.length ? ` → request ${line.created.join(', ')}` : ''}`
      : line.outcome === 'commented'
        ? `${line.actions.join(', ')}`
        : line.reason ?? '';
  const dup = line.duplicate ? ' (already in the inbox; nothing new)' : '';
  return `${line.outcome.padEnd(9)} ${line.file ?? `#${line.itemId}`}: ${what}${dup}`;
}

export class Summary {
  private counts = new Map<string, number>();
  private duplicates = 0;
  total = 0;

  add(line: ImportLine): void {
    this.total += 1;
    if (line.duplicate) this.duplicates += 1;
    else this.counts.set(line.outcome, (this.counts.get(line.outcome) ?? 0) + 1);
  }

  toString(): string {
    const parts = ['imported', 'commented', 'skipped', 'ignored', 'failed', 'pending']
      .filter((k) => this.counts.get(k))
      .map((k) => `${this.counts.get(k)} ${k}`);
    if (this.duplicates) parts.push(`${this.duplicates} already imported`);
    return `${this.total} message${this.total === 1 ? '' : 's'}${parts.length ? ': ' + parts.join(', ') : ''}`;
  }
}

/** A one-line progress bar redrawn on stderr; only used on a terminal. */
export class ProgressBar {
  private done = 0;
  constructor(private readonly total: number) {}

  tick(): void {
    this.done += 1;
    const width = 30;
    const filled = Math.round((this.done / this.total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total}`);
    if (this.done === this.total) process.stderr.write('\n');
  }
}
