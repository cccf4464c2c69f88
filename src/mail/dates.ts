// Date header parsing. `new Date(text)` is not usable here: V8 accepts nearly anything ("1" is
// 2001-01-01, "Date in the future 2099" is 2099) and reads a date without zone in the server's
// local time, so garbage would become a plausible, host-dependent date instead of falling back to
// the received time. This accepts RFC 5322 dates (with the obsolete forms real mail still uses),
// asctime() dates and ISO 8601 with an explicit zone; everything else is "no usable date".

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 5322 §4.3 names, plus a few regional abbreviations common in old European/Asian mail.
// Anything else alphabetic (military letters, unknown names) means "zone unknown": treat as UTC.
const ZONES: Record<string, number> = {
  ut: 0, gmt: 0, utc: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  wet: 0, west: 60, bst: 60, cet: 60, met: 60, cest: 120, mest: 120, eet: 120, eest: 180,
  jst: 540, kst: 540,
};

// [day-name ","] day month year hour ":" minute [":" second] [zone]; separators are loose because
// senders write "10-Mar-2009", "10 Mar. 2009", "Tue,10 Mar 2009".
const RFC5322 =
  /^(?:[a-z]+\s*,?\s*)?(\d{1,2})[\s-]+([a-z]{3,})\.?[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:([+-])(\d{2})(\d{2})|([a-z]{1,5})\b)?/i;
// asctime(): "Thu Jan  1 00:00:00 2009" (no zone; taken as UTC).
const ASCTIME = /^[a-z]{3}\s+([a-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(\d{4})\b/i;
const ISO8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** The instant a Date header names, or null when it is missing or not a date. */
export function parseMailDate(value: string | null | undefined): Date | null {
  // Comments may sit anywhere in the obsolete syntax: "00:19:00 (EDT) -0400".
  const text = (value ?? '').replace(/\([^()]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  return fromRfc5322(text) ?? fromAsctime(text) ?? fromIso(text);
}

function fromRfc5322(text: string): Date | null {
  const m = RFC5322.exec(text);
  if (!m) return null;
  const [, day, month, year, hour, minute, second, sign, zh, zm, zoneName] = m;
  let offset = 0;
  if (sign && zh && zm) {
    if (Number(zh) > 14 || Number(zm) > 59) return null;
    offset = (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zm));
  } else if (zoneName) {
    offset = ZONES[zoneName.toLowerCase()] ?? 0;
  }
  return build(fullYear(year!), month!, Number(day), Number(hour), Number(minute), Number(second ?? 0), offset);
}

function fromAsctime(text: string): Date | null {
  const m = ASCTIME.exec(text);
  if (!m) return null;
  const [, month, day, hour, minute, second, year] = m;
  return build(Number(year), month!, Number(day), Number(hour), Number(minute), Number(second ?? 0), 0);
}

function fromIso(text: string): Date | null {
  if (!ISO8601.test(text)) return null;
  const date = new Date(text.replace(' ', 'T'));
  return inRange(date) ? date : null;
}

/** RFC 5322 §4.3: two-digit years below 50 are 20xx, others 19xx; three-digit years add 1900. */
function fullYear(text: string): number {
  const year = Number(text);
  if (text.length === 2) return year < 50 ? 2000 + year : 1900 + year;
  if (text.length === 3) return 1900 + year;
  return year;
}

function build(year: number, monthName: string, day: number, hour: number, minute: number, second: number, offsetMinutes: number): Date | null {
  const month = MONTHS.indexOf(monthName.slice(0, 3).toLowerCase());
  if (month < 0 || hour > 23 || minute > 59 || second > 60) return null;
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls "30 Feb" over into March; a day that does not exist is not a date.
  if (new Date(utc).getUTCDate() !== day) return null;
  const date = new Date(utc - offsetMinutes * 60_000);
  return inRange(date) ? date : null;
}

function inRange(date: Date): boolean {
  const year = date.getUTCFullYear();
  // Mail predates neither 1900 nor outlives 9999; outside that the header is garbage, and years
  // past 9999 would not even round-trip through an ISO string.
  return !Number.isNaN(date.getTime()) && year >= 1900 && year <= 9999;
}
