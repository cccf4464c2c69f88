// Error messages quote the rule text they complain about, but never more than a glance of it: a 1 MB line
// must not come back as a 1 MB message.

/** The most UTF-16 code units of source text a message quotes, the '…' included. */
export const MAX_QUOTED = 80;

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
export const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * `text` if it is at most `max` code units long; else its start (or with `keep: 'end'`, its end) cut to
 * `max` code units with '…' on the cut side, never between the two halves of a surrogate pair.
 */
export function clip(text: string, max = MAX_QUOTED, keep: 'start' | 'end' = 'start'): string {
  if (text.length <= max) return text;
  if (keep === 'start') {
    let end = max - 1;
    if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
    return `${text.slice(0, end)}…`;
  }
  let start = text.length - (max - 1);
  if (isLowSurrogate(text.charCodeAt(start))) start++;
  return `…${text.slice(start)}`;
}
