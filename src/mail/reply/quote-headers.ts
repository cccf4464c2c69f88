// Lines that introduce a quoted, forwarded or embedded mail: "On … wrote:" in its many languages and
// word orders, "-----Original Message-----", "Begin forwarded message:". The lists are ported from
// discourse/email_reply_trimmer's EmbeddedEmailMatcher (MIT, Copyright (c) Discourse) and mailgun/talon's
// quotations.py (Apache-2.0), with Swedish, Russian, Ukrainian and Polish client formats added.
//
// Ruby's versions are single regular expressions with lazy, tempered loops that also span newlines;
// here each is split into an anchored prefix, a trimmed end and plain checks on the middle, so the
// work is linear in the line (lines over MARKER_LINE_MAX are never headers).
import { MARKER_LINE_MAX } from './limits.js';
import { containsWord, hasMailAddress, squeezeSpaces, trimEndChars } from './words.js';

/**
 * "On <date>, <someone> wrote:": the words a language opens with, the verbs that may end the line, and
 * the words the middle may not hold (Ruby's tempered loop), so that one line is one attribution.
 */
interface OnDateWrote {
  starts: readonly string[];
  ends: readonly string[];
  notInside: readonly string[];
}

const ON_DATE_SOMEONE_WROTE: readonly OnDateWrote[] = [
  // English. The trimmer also ends on "says" and "said"; "On 2026-01-05 our monitor said:" opens a
  // sentence as often as a quote, and no corpus case needs them.
  { starts: ['on', 'at'], ends: ['wrote', 'writes'], notInside: ['on', 'wrote', 'writes'] },
  { starts: ['in message'], ends: ['writes'], notInside: ['in message', 'writes'] }, // English (old list software)
  { starts: ['le'], ends: ['a écrit', 'nous a dit'], notInside: ['le', 'a écrit', 'nous a dit'] }, // French
  { starts: ['am'], ends: ['schrieben sie', 'geschrieben'], notInside: ['am', 'schrieben sie', 'geschrieben'] }, // German ("Am … schrieb X:" below)
  { starts: ['op'], ends: ['het volgende geschreven', 'schreef'], notInside: ['op', 'het volgende geschreven', 'schreef'] }, // Dutch
  { starts: ['il'], ends: ['ha scritto'], notInside: ['il', 'ha scritto'] }, // Italian
  { starts: ['dnia', 'dňa', 'w dniu'], ends: ['napisał(a)', 'napisała', 'napisał', 'pisze'], notInside: ['dnia', 'dňa', 'napisał', 'pisze'] }, // Polish, Slovak
  { starts: ['dne'], ends: ['napsal(a)', 'napsala', 'napsal'], notInside: ['dne', 'napsal'] }, // Czech
  { starts: ['em'], ends: ['escreveu'], notInside: ['em', 'escreveu'] }, // Portuguese
  { starts: ['el'], ends: ['escribió', 'escribio'], notInside: ['el', 'escribió'] }, // Spanish
  { starts: ['den', 'på'], ends: ['skrev'], notInside: ['den', 'skrev'] }, // Swedish, Danish, Norwegian
  { starts: ['vào'], ends: ['đã viết'], notInside: ['vào', 'đã viết'] }, // Vietnamese
  { starts: ['在'], ends: ['写道'], notInside: ['在', '写道'] }, // Chinese
];

/** What may trail the verb: blanks, dots, colons (also the full-width one), '>' and '-'. */
const HEADER_TAIL = '\t .:：>-';

const ON_DATE_PREFIX = /^[\t\p{Zs}<>-]*/u;

function matchesOnDateSomeoneWrote(lower: string): boolean {
  const body = lower.replace(ON_DATE_PREFIX, '');
  const core = trimEndChars(body, HEADER_TAIL);
  for (const { starts, ends, notInside } of ON_DATE_SOMEONE_WROTE) {
    const start = starts.find((word) => body.startsWith(word) && body[word.length] === ' ');
    if (start === undefined) continue;
    const end = ends.find((word) => core.endsWith(word));
    if (end === undefined) continue;
    const middle = core.slice(start.length + 1, core.length - end.length);
    // A date, not only a time: "At 10:15 the backup job wrote:" opens a pasted log.
    if (middle.trim() === '' || !hasDate(middle)) continue;
    if (notInside.some((word) => containsWord(middle, word))) continue;
    return true;
  }
  return false;
}

/** "Am 18.09.2013 um 16:24 schrieb X <x@example.com>:": the verb comes before the sender. */
const ON_DATE_WROTE_SOMEONE: ReadonlyArray<{ start: RegExp; verb: RegExp }> = [
  { start: /^[\t\p{Zs}>]*Op\s/u, verb: /\sschreef\s/gu }, // Dutch
  { start: /^[\t\p{Zs}>]*Am\s/u, verb: /\sschrieb\s/gu }, // German
  // Danish, Norwegian, Swedish, also Gmail's "søn. 30. apr. 2017 kl. 00.26 skrev X <…>:"
  { start: /^[\t\p{Zs}>]*(?:Den|man\.?|tir\.?|tis\.?|ons\.?|tor\.?|tors\.?|fre\.?|lør\.?|lör\.?|søn\.?|sön\.?|mån\.?)\s/u, verb: /\sskrev\s/gu },
];

function matchesOnDateWroteSomeone(line: string): boolean {
  // The sender ends the line with a colon; "Am Montag schrieb mir der Kunde: bitte …" goes on.
  if (!/[:：]$/u.test(line.trimEnd())) return false;
  for (const { start, verb } of ON_DATE_WROTE_SOMEONE) {
    const prefix = start.exec(line);
    if (!prefix) continue;
    // `[^:]+:` after the verb: a sender of at least one character, then a colon.
    const lastColon = line.lastIndexOf(':');
    verb.lastIndex = prefix[0].length + 1;
    for (let found = verb.exec(line); found; found = verb.exec(line)) {
      // A date between the opening word and the verb ("Am 18.09.2013 um 16:24 schrieb").
      if (lastColon > found.index + found[0].length && hasDate(line.slice(prefix[0].length, found.index))) return true;
    }
  }
  return false;
}

/** Verbs that end "<date> <someone> <verb>:" in languages without a fixed opening word. */
const WROTE_VERBS: readonly string[] = [
  'написал(а)', 'написала', 'написал', 'пишет', // Russian
  'написав(ла)', 'написала', 'написав', 'пише', // Ukrainian
  'napisał(a)', 'napisała', 'napisał', 'pisze', // Polish
  'wrote', 'schrieb', 'a écrit', 'escribió', 'escreveu', 'schreef', 'skrev', 'ha scritto',
  '書きました', 'のメール', // Japanese (Gmail, Apple Mail)
];

/** A date: a four-digit year, or day and month in digits (02.04.2012, 4/2/12). */
const DATE_EVIDENCE = /\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2}/u;

/** A time of day, "10:15" or "10:15:02", which alone dates nothing. */
const TIME = /\d{1,2}:\d{2}(?::\d{2})?/gu;

/** Whether `text` holds a date: a year, a numeric date, or a number besides a time ("5 May at 10:00"). */
function hasDate(text: string): boolean {
  return DATE_EVIDENCE.test(text) || /\d/u.test(text.replace(TIME, ''));
}

/**
 * A line opens with a date when its first digit comes within DATE_START_WINDOW characters (past a
 * weekday: "Thu, 26 Jun 2014", "понедельник, 6 октября 2014 г.") and the date is complete within
 * DATE_WINDOW: "For urgent questions call 0171 1234567 …" opens with words.
 */
const DATE_START_WINDOW = 24;
const DATE_WINDOW = 40;

function opensWithDate(line: string): boolean {
  const body = line.replace(/^[\t\p{Zs}>]*/u, '');
  const firstDigit = body.slice(0, DATE_START_WINDOW).search(/\d/u);
  return firstDigit >= 0 && DATE_EVIDENCE.test(body.slice(firstDigit, DATE_WINDOW));
}

/**
 * "02.04.2012 14:20 пользователь "bob" <bob@example.com> написал:", "30 серп. 2016 р. 20:45 "A" <a@x> пише:",
 * "23 mar 2017 21:25 "N" <n@x> napisał(a):". The trimmer looks for the year then the verb; so do we.
 */
function matchesDateSomeoneWrote(lower: string): boolean {
  const core = lower.trimEnd();
  if (!core.endsWith(':') && !core.endsWith('：')) return false;
  const beforeColon = core.slice(0, -1).trimEnd();
  const verb = WROTE_VERBS.find((word) => beforeColon.endsWith(word));
  if (verb === undefined) return false;
  return opensWithDate(beforeColon.slice(0, beforeColon.length - verb.length));
}

/**
 * "2013/7/20 sam via Discourse Meta <info@discourse.org>", "вт, 5 янв. 2016 г. в 23:39, Erlend <e@x.org>:",
 * "Thu, 26 Jun 2014 14:00:51 +0400 от Alexander L <abc@example.com>:" — a year, then an address in
 * angle brackets that ends the line.
 */
function matchesDateSomeoneAddress(line: string): boolean {
  const core = line.endsWith(':') ? line.slice(0, -1) : line;
  if (!core.endsWith('>')) return false;
  const open = core.lastIndexOf('<');
  if (open < 0) return false;
  const inside = core.slice(open + 1, -1);
  if (!/^[^@<>]+@[^@<>.]+\.[^@<>]+$/u.test(inside)) return false;
  // `\d{4}.{1,80}\s?<`: the year ends between 1 and 81 characters before the '<'; and the line opens
  // with the date, so "… call 0171 1234567 or mail Jane Doe <jane@acme.com>" is a sentence.
  return opensWithDate(core) && DATE_EVIDENCE.test(core.slice(Math.max(0, open - 86), Math.max(0, open - 1)));
}

/** "Max Mustermann <m@x.org> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:", "X wrote on 1 May 2020:". */
const WROTE_ON = /(?<![\p{L}\p{N}_])(?:wrote\s+on|schrieb\s+am)(?![\p{L}\p{N}_])/u;

function matchesSomeoneWroteOnDate(line: string): boolean {
  const found = WROTE_ON.exec(line);
  if (!found || found.index === 0) return false;
  // The date and a colon end the line: "As Bob wrote on Monday: the export is broken" goes on.
  const core = line.trimEnd();
  if (!core.endsWith(':') || core.endsWith('::')) return false;
  return hasDate(core.slice(found.index + found[0].length));
}

/** Apple Mail in Polish: "Wiadomość napisana przez X <x@example.com> w dniu 05.05.2026, o godz. 10:00:". */
function matchesPolishAppleMail(lower: string): boolean {
  const body = lower.replace(/^[\t\p{Zs}>]*/u, '');
  if (!body.startsWith('wiadomość napisana przez ') || !body.trimEnd().endsWith(':')) return false;
  const on = body.lastIndexOf(' w dniu ');
  return on > 0 && hasDate(body.slice(on));
}

/** "2016-03-03 17:21 GMT+01:00 Some One" (Gmail in some locales, the address on the next line). */
const ISO_DATE_SOMEONE = /^[\t\p{Zs}>]*20\d\d-\d\d-\d\d \d\d:\d\d GMT\+\d\d:\d\d [\w\t\p{Zs}]+$/u;

/** "codinghorror via Discourse Meta wrote:", "… via Discourse Meta <info@discourse.org> schrieb:". */
function matchesSomeoneViaWrote(line: string): boolean {
  const core = trimEndChars(line, '\t ');
  const bare = core.endsWith(':') ? core.slice(0, -1) : core;
  const verb = [' wrote', ' schrieb'].find((word) => bare.endsWith(word));
  if (verb === undefined) return false;
  const via = bare.indexOf(' via ', 1);
  return via > 0 && via + ' via '.length < bare.length - verb.length;
}

/** "Some One <info@discourse.org> wrote:", "Gavin Sinclair (gsinclair@soyabean.com.au) wrote:". */
function matchesSomeoneAddressWrote(line: string): boolean {
  const bare = line.endsWith(':') ? line.slice(0, -1) : line;
  if (!bare.endsWith('wrote')) return false;
  const before = bare.slice(1, -'wrote'.length);
  return hasMailAddress(before);
}

/** "Posted by mpalmer on 01/21/2016". */
const POSTED_BY = /^[\t\p{Zs}>]*posted by .+ on \d{2}\/\d{2}\/\d{4}$/iu;

/** "---- Forwarded Message ----", "-----Original Message-----", "*----- Original Message -----*" … */
const MESSAGE_SEPARATOR_NAMES: readonly string[] = [
  'forwarded message', 'original message', 'reply message', // English
  'message transféré', 'message original', 'message d\'origine', // French
  'ursprüngliche nachricht', 'weitergeleitete nachricht', 'originalnachricht', // German
  'mensaje original', 'mensaje reenviado', // Spanish
  'oorspronkelijk bericht', 'doorgestuurd bericht', 'origineel bericht', // Dutch
  'wiadomość oryginalna', 'oryginalna wiadomość', 'przekazana wiadomość', 'wiadomość przekazana dalej', // Polish
  'исходное сообщение', 'пересылаемое сообщение', 'пересланное сообщение', 'оригинальное сообщение', // Russian
  'оригінальне повідомлення', 'вихідне повідомлення', 'переслане повідомлення', 'пересланий лист', // Ukrainian
  'ursprungligt meddelande', 'vidarebefordrat meddelande', // Swedish
  'oprindelig meddelelse', 'videresendt meddelelse', 'opprinnelig melding', 'videresendt melding', // Danish, Norwegian
  'messaggio originale', 'messaggio inoltrato', // Italian
  'mensagem original', 'mensagem encaminhada', // Portuguese
  '原始邮件', '转发邮件', // Chinese
];

const SEPARATOR_LINE = /^[\t\p{Zs}>*]*-{2,}([^-]*)-{2,}/u;

function matchesMessageSeparator(line: string): boolean {
  const found = SEPARATOR_LINE.exec(line);
  if (!found) return false;
  const name = squeezeSpaces(found[1]!).trim().toLowerCase();
  return MESSAGE_SEPARATOR_NAMES.includes(name);
}

/** Apple Mail and others: "Begin forwarded message:" and its translations, at the start of a line. */
const FORWARD_INTRODUCTIONS: readonly string[] = [
  'begin forwarded message:', 'début du message transféré :', 'début du message réexpédié :',
  'anfang der weitergeleiteten nachricht:', 'inicio del mensaje reenviado:', 'begin doorgestuurd bericht:',
  'początek przekazywanej wiadomości:', 'начало переадресованного сообщения:', 'початок листа, що пересилається:',
  'början på vidarebefordrat meddelande:', 'inizio messaggio inoltrato:', 'início da mensagem reencaminhada:',
];

/** The introductions up to their colon, written without a space before it ("… transféré:"). */
const FORWARD_INTRODUCTION_SET = new Set(FORWARD_INTRODUCTIONS.map((intro) => intro.replace(' :', ':')));

function matchesForwardIntroduction(lower: string): boolean {
  const colon = lower.indexOf(':');
  if (colon < 0) return false;
  const head = lower.slice(0, colon + 1).replace(/^[\t\p{Zs}>]*/u, '').replace(/ :$/, ':');
  return FORWARD_INTRODUCTION_SET.has(head);
}

/**
 * Every header below holds a digit, a colon, an '@', "--" or " via ": a line without any is none, and
 * most lines of a mail are answered by this one test.
 */
const MAY_BE_HEADER = /[\d:：@]|--| via /u;

/** The line as the matchers that compare words read it: spaces squeezed, lower case. */
function lowered(line: string): string {
  return squeezeSpaces(line).toLowerCase();
}

/**
 * Whether `line` introduces a quoted or embedded mail. `line` is one line (or a header rejoined from
 * several, see the caller); longer than MARKER_LINE_MAX it is never one.
 */
export function isQuoteHeader(line: string): boolean {
  if (line.length > MARKER_LINE_MAX || !MAY_BE_HEADER.test(line)) return false;
  const lower = lowered(line);
  return (
    isAttributionOf(line, lower) ||
    matchesDateSomeoneAddress(line) ||
    ISO_DATE_SOMEONE.test(line) ||
    POSTED_BY.test(line) ||
    matchesMessageSeparator(line) ||
    matchesForwardIntroduction(lower)
  );
}

/**
 * Whether `line` is an attribution: a header that names who wrote ("… wrote:", "… a écrit :", "… schrieb
 * X:"). A wrapped attribution is rejoined before any other header is looked for, as the trimmer's
 * preprocessing does, so "On …, Jeff <jeff@x.org>" / "wrote:" becomes one line, not a header and a
 * stray "wrote:".
 */
export function isAttribution(line: string): boolean {
  if (line.length > MARKER_LINE_MAX || !MAY_BE_HEADER.test(line)) return false;
  return isAttributionOf(line, lowered(line));
}

function isAttributionOf(line: string, lower: string): boolean {
  return (
    matchesOnDateSomeoneWrote(lower) ||
    matchesOnDateWroteSomeone(line) ||
    matchesDateSomeoneWrote(lower) ||
    matchesSomeoneWroteOnDate(line) ||
    matchesSomeoneViaWrote(line) ||
    matchesSomeoneAddressWrote(line) ||
    matchesPolishAppleMail(lower)
  );
}

/** Words a wrapped header may open with besides the "On <date>" ones. */
const OTHER_OPENINGS: readonly string[] = ['wiadomość napisana przez'];

/**
 * Whether `line` could be the first line of a quote header that a client wrapped: it opens like one
 * ("On …", "Am …") or with a date, and ends no sentence ("Thanks for the update on ticket 4521." is
 * one). Only such lines are tried joined with the lines after them.
 */
export function mayOpenQuoteHeader(line: string): boolean {
  if (line.length > MARKER_LINE_MAX || /[.!?]$/u.test(line.trimEnd())) return false;
  const body = line.replace(ON_DATE_PREFIX, '').toLowerCase();
  const space = body.indexOf(' ');
  if (space > 0 && OPENING_FIRST_WORDS.has(body.slice(0, space)) && OPENINGS.some((word) => body.startsWith(`${word} `))) return true;
  return opensWithDate(line);
}

const OPENINGS: readonly string[] = [...ON_DATE_SOMEONE_WROTE.flatMap(({ starts }) => starts), ...OTHER_OPENINGS];
/** The first word of each opening: most lines are answered by one look-up. */
const OPENING_FIRST_WORDS = new Set(OPENINGS.map((word) => word.split(' ')[0]!));

/**
 * Whether a line could be the last piece of a wrapped header: every header ends with a colon, an
 * address in angle brackets, or a verb of writing ("wrote", "a écrit"). Joins are tested only then.
 */
export function mayCloseQuoteHeader(line: string): boolean {
  if (/[:：>]/u.test(line)) return true;
  const end = trimEndChars(line.slice(-40).toLowerCase(), HEADER_TAIL);
  return VERB_AT_END.test(end);
}

const VERB_AT_END = new RegExp(
  `(?:${[...ON_DATE_SOMEONE_WROTE.flatMap(({ ends }) => ends), ...WROTE_VERBS].map((word) => word.replace(/[()]/g, '\\$&')).join('|')})$`,
  'u',
);
