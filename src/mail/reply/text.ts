// Splits a plain-text reply into what was written now and what it carries along. Lines are read and
// prepared (text-lines.ts), each gets a kind letter (line-kinds.ts), and the kind string decides the cut
// (cut-by-kinds.ts). Time is linear in the text: every pattern runs on one capped line or none.
import { cutByKinds } from './cut-by-kinds.js';
import { isMailHeaderEvidence } from './header-fields.js';
import { kindOf } from './line-kinds.js';
import type { ReplySplit } from './split.js';
import { readTextLines } from './text-lines.js';

export function splitReplyText(text: string): ReplySplit {
  const lines = readTextLines(text);
  const classified = lines.filter((line) => !line.noise);
  const kinds = classified.map((line) => kindOf(line.text, line.code, line.quoteHeader));
  const { kept, notes } = cutByKinds(
    kinds,
    classified.map((line, i) => kinds[i] === 'h' && isMailHeaderEvidence(line.text)),
  );

  const keptLines = new Set(kept.map((position) => classified[position]!));
  const reply = joinLines(lines.filter((line) => keptLines.has(line)));
  const removed = joinLines(lines.filter((line) => !keptLines.has(line)));
  if (lines.some((line) => line.noise)) notes.unshift('PGP armour or list footer');

  if (reply === '') {
    const full = joinLines(lines);
    if (full === '') return { reply: '', removed: '', how: 'text: empty', fullTextKept: false };
    return {
      reply: full,
      removed: '',
      how: `text: the whole text is the reply (stripping ${notes.join(', ') || 'it'} left nothing)`,
      fullTextKept: true,
    };
  }
  return {
    reply,
    removed,
    how: notes.length > 0 ? `text: cut ${notes.join(', ')}` : 'text: nothing to strip',
    fullTextKept: false,
  };
}

/** Lines back into text, without the blank lines and spaces around it (line endings are '\n'). */
function joinLines(lines: ReadonlyArray<{ original: string }>): string {
  return lines
    .map((line) => line.original)
    .join('\n')
    .trim();
}
