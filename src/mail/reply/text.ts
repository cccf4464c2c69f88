// Splits a plain-text reply into what was written now and what it carries along. Lines are read and
// prepared (text-lines.ts), each gets a kind letter (line-kinds.ts), delimiters are settled by what
// follows them (delimiters.ts), and the kind string decides the cut (cut-by-kinds.ts). Time is linear
// in the text: every pattern runs on one capped line or none, over at most TEXT_INPUT_MAX characters.
import { cutByKinds, type LineFacts } from './cut-by-kinds.js';
import { settleDelimiters } from './delimiters.js';
import { isDateField, isMailHeaderEvidence } from './header-fields.js';
import { TEXT_INPUT_MAX } from './limits.js';
import { kindOf } from './line-kinds.js';
import { isDashSignOffAt, isFooterLine } from './signatures.js';
import type { ReplySplit } from './split.js';
import { readTextLines, type TextLine } from './text-lines.js';

export function splitReplyText(text: string): ReplySplit {
  if (text.length <= TEXT_INPUT_MAX) return splitLines(readTextLines(text));
  // Split the first TEXT_INPUT_MAX characters, up to a line's end; the rest goes where the last line
  // read went: under a reply that runs to there, it is more of the reply; after a cut, more of what
  // was cut. Nothing is dropped either way, and the trace says so.
  const lineEnd = text.lastIndexOf('\n', TEXT_INPUT_MAX);
  const end = lineEnd > 0 ? lineEnd : TEXT_INPUT_MAX;
  const lines = readTextLines(text.slice(0, end));
  const split = splitLines(lines);
  const rest = text.slice(end).replace(/\r\n?/g, '\n');
  const lastWritten = [...lines].reverse().find((line) => line.original.trim() !== '');
  const restIsReply = split.fullTextKept || (lastWritten !== undefined && split.reply.endsWith(lastWritten.original.trim()) && !split.removed.endsWith(lastWritten.original.trim()));
  const how = `${split.how}; only the first ${end} characters were split, the other ${rest.length} follow the last line read into the ${restIsReply ? 'reply' : 'removed part'}`;
  if (restIsReply) return { ...split, reply: `${split.reply}${rest}`.trimEnd(), how };
  return { ...split, removed: `${split.removed}${rest}`.trimEnd(), how };
}

function splitLines(lines: TextLine[]): ReplySplit {
  // Positions in `lines` of the lines classified (all but the noise).
  const classified: number[] = [];
  lines.forEach((line, i) => {
    if (!line.noise) classified.push(i);
  });
  const texts = classified.map((i) => lines[i]!.text);
  const kinds = settleDelimiters(
    classified.map((i, at) => {
      const line = lines[i]!;
      return kindOf(line.text, line.code, line.quoteHeader, !line.code && isDashSignOffAt(texts, at));
    }),
    texts,
  );
  // Asked by the cut for a few lines only (header blocks, the tail under a quote).
  const facts: LineFacts = {
    mailHeader: (at) => kinds[at] === 'h' && isMailHeaderEvidence(texts[at]!),
    dateField: (at) => kinds[at] === 'h' && isDateField(texts[at]!),
    footer: (at) => kinds[at] === 't' && isFooterLine(texts[at]!),
  };
  const { kept, notes } = cutByKinds(kinds, facts);

  const isKept = new Uint8Array(lines.length);
  for (const at of kept) isKept[classified[at]!] = 1;
  const reply = joinLines(lines.filter((_, i) => isKept[i] === 1));
  const removed = joinLines(lines.filter((_, i) => isKept[i] === 0));
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
