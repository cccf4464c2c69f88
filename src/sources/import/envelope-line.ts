// Whether a line is an mbox envelope ("From ") line, by the shape mutt's is_from() accepts: "From ",
// an optional sender (any word, or a "quoted string" one; mutt does not check it is an address, and
// local senders such as "root", "MAILER-DAEMON", Thunderbird's "-" and UUCP's "a!b" are none), then an
// asctime-like date: weekday, month, day, HH:MM[:SS], up to two time zone words, year. Whatever
// follows the year (UUCP's "remote from host") is allowed. Day and month names match in any case.
// A sentence that starts with "From" ("From the server log:") has no such date and is body text.
//
// Linear: the line is cut at PEEK_CHARS and read word by word, with no backtracking.

/** Enough for any real envelope line (a long address and a date); the rest is not looked at. */
const PEEK_CHARS = 1000;
const DAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const MONTHS = new Set(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']);

export function isEnvelopeLine(line: string): boolean {
  if (!line.startsWith('From ')) return false;
  const rest = line.slice(5, PEEK_CHARS).replace(/\r?\n$/, '');
  const words = senderless(rest).split(/[ \t]+/).filter((word) => word !== '');
  let at = 0;
  // Without a sender the date comes first; with one, it is skipped, and the date must follow it.
  if (!isDayName(words[at])) at++;
  if (!isDayName(words[at])) return false;
  at++;
  // A local user named like a weekday ("From sat Sat Jan …") leaves two day names in a row.
  if (isDayName(words[at])) at++;
  if (!MONTHS.has((words[at++] ?? '').toLowerCase())) return false;
  if (!/^\d{1,2}$/.test(words[at++] ?? '')) return false;
  if (!/^\d{1,2}:\d{2}(?::\d{2})?$/.test(words[at++] ?? '')) return false;
  // Time zones: a name or an offset ("MET DST", "+0000", "-0500"), at most two words.
  for (let zones = 0; zones < 2 && /^[A-Za-z+-]/.test(words[at] ?? ''); zones++) at++;
  return /^\d{2,4}$/.test(words[at] ?? '');
}

/** The text after a leading "quoted string" sender, so that its spaces do not count as words. */
function senderless(rest: string): string {
  if (!rest.startsWith('"')) return rest;
  const close = rest.indexOf('"', 1);
  if (close === -1) return rest;
  // The sender goes on to the next blank ("Ann Lee"@example.com).
  const blank = rest.slice(close).search(/[ \t]/);
  return blank === -1 ? '' : rest.slice(close + blank);
}

function isDayName(word: string | undefined): boolean {
  return word !== undefined && DAYS.has(word.toLowerCase());
}
